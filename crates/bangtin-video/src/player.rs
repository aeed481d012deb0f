//! One clip, decoded into a bounded queue of frames.

use super::colour::{Colour, Matrix};
use super::init;
use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use gstreamer_video as gst_video;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// How a decoded picture's samples are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Y, then Cb, then Cr, the chroma planes half size both ways.
    I420,
    /// Y, then Cb and Cr interleaved in one half-size plane.
    Nv12,
}

/// One plane of a picture, as decoded: `stride` bytes per row (at least a row's samples).
#[derive(Debug, Clone, Copy)]
pub struct Plane<'a> {
    pub data: &'a [u8],
    pub stride: u32,
    /// Samples across (a pair counts once in NV12's chroma plane) and rows.
    pub width: u32,
    pub height: u32,
}

/// A decoded picture, borrowed from its frame while it is mapped.
#[derive(Debug, Clone)]
pub struct Picture<'a> {
    pub layout: Layout,
    pub width: u32,
    pub height: u32,
    pub planes: Vec<Plane<'a>>,
    pub colour: Colour,
}

/// A decoded frame, as the decoder made it (no copy).
#[derive(Debug, Clone)]
pub struct Frame {
    sample: gst::Sample,
    info: gst_video::VideoInfo,
    pub layout: Layout,
    pub width: u32,
    pub height: u32,
    /// Its time in the clip.
    pub pts: Option<Duration>,
    pub colour: Colour,
}

impl Frame {
    fn of(sample: gst::Sample) -> Result<Frame, String> {
        let caps = sample.caps().ok_or("a frame without caps")?;
        let info = gst_video::VideoInfo::from_caps(caps).map_err(|e| e.to_string())?;
        let layout = match info.format() {
            gst_video::VideoFormat::I420 => Layout::I420,
            gst_video::VideoFormat::Nv12 => Layout::Nv12,
            other => return Err(format!("the decoder gave {other:?} frames")),
        };
        let (width, height) = (info.width(), info.height());
        let colorimetry = info.colorimetry();
        let matrix = match colorimetry.matrix() {
            gst_video::VideoColorMatrix::Bt601 => Matrix::Bt601,
            gst_video::VideoColorMatrix::Bt709 => Matrix::Bt709,
            gst_video::VideoColorMatrix::Bt2020 => Matrix::Bt2020,
            _ => Matrix::guess(height),
        };
        let colour = Colour {
            matrix,
            full_range: colorimetry.range() == gst_video::VideoColorRange::Range0_255,
        };
        let pts = sample
            .buffer()
            .and_then(|b| b.pts())
            .map(|t| Duration::from_nanos(t.nseconds()));
        Ok(Frame {
            sample,
            info,
            layout,
            width,
            height,
            pts,
            colour,
        })
    }

    /// Maps the frame's planes (respecting their strides and offsets) for `f`.
    pub fn with_picture<R>(&self, f: impl FnOnce(&Picture<'_>) -> R) -> Result<R, String> {
        let buffer = self.sample.buffer().ok_or("a frame without a buffer")?;
        let frame = gst_video::VideoFrameRef::from_buffer_ref_readable(buffer, &self.info)
            .map_err(|e| format!("cannot map a frame: {e}"))?;
        let (cw, ch) = (self.width.div_ceil(2), self.height.div_ceil(2));
        let sizes: &[(u32, u32)] = match self.layout {
            Layout::I420 => &[(self.width, self.height), (cw, ch), (cw, ch)],
            Layout::Nv12 => &[(self.width, self.height), (cw, ch)],
        };
        let strides = self.info.stride();
        let mut planes = Vec::with_capacity(sizes.len());
        for (i, &(width, height)) in sizes.iter().enumerate() {
            let data = frame.plane_data(i as u32).map_err(|e| e.to_string())?;
            let stride = u32::try_from(strides[i]).map_err(|_| "a negative stride")?;
            let per_sample = if self.layout == Layout::Nv12 && i == 1 {
                2
            } else {
                1
            };
            let needed = u64::from(stride) * u64::from(height - 1) + u64::from(width) * per_sample;
            if stride < width * per_sample as u32 || (data.len() as u64) < needed {
                return Err(format!("plane {i} is shorter than its size says"));
            }
            planes.push(Plane {
                data,
                stride,
                width,
                height,
            });
        }
        Ok(f(&Picture {
            layout: self.layout,
            width: self.width,
            height: self.height,
            planes,
            colour: self.colour,
        }))
    }
}

/// What a player has to say when polled.
#[derive(Debug)]
pub enum Poll {
    /// Still opening, or no new frame since the last poll.
    Nothing,
    Frame(Frame),
    /// The clip cannot play (a decoder error, a broken file): close it.
    Failed(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Prerolling the first time.
    Opening,
    /// Prerolling again after the segment seek that makes loops seamless.
    Seeking,
    /// Paused on the first frame, or playing.
    Ready,
    Failed,
}

/// One clip's pipeline: `playbin` (the decoder the registry ranks first) into an `appsink`
/// that keeps at most two frames, dropping the older, and shows each at its time.
pub struct Player {
    pipeline: gst::Element,
    sink: gst_app::AppSink,
    bus: gst::Bus,
    phase: Phase,
    playing: bool,
    first: Option<Frame>,
    decoder: Arc<OnceLock<String>>,
    /// Times the clip went back to its start on screen (a frame earlier than the one before).
    loops: u64,
    last_pts: Option<Duration>,
}

impl Player {
    /// Opens `path` and starts decoding up to its first frame (returns at once; the frame is
    /// [`Player::first_frame`] once ready). `audio`: play its sound too.
    pub fn open(path: &Path, audio: bool) -> Result<Player, String> {
        init().map_err(|e| e.to_string())?;
        let uri = gst::glib::filename_to_uri(path, None).map_err(|e| e.to_string())?;
        let caps = gst::Caps::builder("video/x-raw")
            .field("format", gst::List::new(["I420", "NV12"]))
            .build();
        let sink = gst_app::AppSink::builder()
            .caps(&caps)
            .max_buffers(2)
            .drop(true)
            .sync(true)
            .enable_last_sample(false)
            .build();
        let pipeline = gst::ElementFactory::make("playbin")
            .property("uri", uri.as_str())
            .property("video-sink", &sink)
            .build()
            .map_err(|e| e.to_string())?;
        pipeline.set_property_from_str("flags", if audio { "video+audio" } else { "video" });
        let decoder = Arc::new(OnceLock::new());
        if let Some(bin) = pipeline.downcast_ref::<gst::Bin>() {
            let seen = decoder.clone();
            bin.connect_deep_element_added(move |_, _, element| {
                let Some(factory) = element.factory() else {
                    return;
                };
                let klass = factory.klass();
                if klass.contains("Decoder") && klass.contains("Video") {
                    let _ = seen.set(factory.name().to_string());
                }
            });
        }
        let bus = pipeline.bus().ok_or("playbin has no bus")?;
        let player = Player {
            pipeline,
            sink,
            bus,
            phase: Phase::Opening,
            playing: false,
            first: None,
            decoder,
            loops: 0,
            last_pts: None,
        };
        player
            .pipeline
            .set_state(gst::State::Paused)
            .map_err(|_| format!("cannot open {}", path.display()))?;
        Ok(player)
    }

    /// The decoder element playing the clip (e.g. `avdec_h264`, `v4l2h264dec`), once known.
    pub fn decoder(&self) -> Option<&str> {
        self.decoder.get().map(String::as_str)
    }

    /// How many times the clip went back to its start, as the frames polled show it.
    pub fn loops(&self) -> u64 {
        self.loops
    }

    /// Whether it is playing (rather than paused on a frame).
    pub fn is_playing(&self) -> bool {
        self.playing
    }

    /// Reads what the pipeline said since the last call; `Err` when it failed.
    fn pump(&mut self) -> Result<(), String> {
        if self.phase == Phase::Failed {
            return Err("the clip failed".into());
        }
        while let Some(message) = self.bus.pop() {
            use gst::MessageView;
            match message.view() {
                MessageView::Error(e) => {
                    log::debug!("video: {:?}", e.debug());
                    self.phase = Phase::Failed;
                    return Err(e.error().to_string());
                }
                MessageView::AsyncDone(_) => match self.phase {
                    Phase::Opening => {
                        // From now on the end of the clip is a segment's end, not EOS: it
                        // loops back without a flush, so without a gap.
                        self.pipeline
                            .seek(
                                1.0,
                                gst::SeekFlags::FLUSH | gst::SeekFlags::SEGMENT,
                                gst::SeekType::Set,
                                gst::ClockTime::ZERO,
                                gst::SeekType::None,
                                gst::ClockTime::NONE,
                            )
                            .map_err(|_| self.fail("the clip cannot seek to its start"))?;
                        self.phase = Phase::Seeking;
                    }
                    Phase::Seeking => self.phase = Phase::Ready,
                    _ => {}
                },
                MessageView::SegmentDone(_) => {
                    // The demuxer reached the end (it runs ahead of the screen by what the
                    // queues hold): it goes on from the start, seamlessly.
                    self.pipeline
                        .seek(
                            1.0,
                            gst::SeekFlags::SEGMENT,
                            gst::SeekType::Set,
                            gst::ClockTime::ZERO,
                            gst::SeekType::None,
                            gst::ClockTime::NONE,
                        )
                        .map_err(|_| self.fail("the clip cannot loop"))?;
                }
                MessageView::Eos(_) => {
                    // A stream that ignored the segment: start again, flushing.
                    self.pipeline
                        .seek_simple(gst::SeekFlags::FLUSH, gst::ClockTime::ZERO)
                        .map_err(|_| self.fail("the clip cannot loop"))?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn fail(&mut self, why: &str) -> String {
        self.phase = Phase::Failed;
        why.to_owned()
    }

    /// The clip's first frame once it is decoded and the player waits on it; `Err` when the
    /// clip failed.
    pub fn first_frame(&mut self) -> Result<Option<&Frame>, String> {
        self.pump()?;
        if self.first.is_none() && self.phase == Phase::Ready {
            if let Some(sample) = self.sink.try_pull_preroll(gst::ClockTime::ZERO) {
                let frame = Frame::of(sample).map_err(|e| self.fail(&e))?;
                self.last_pts = frame.pts;
                self.first = Some(frame);
            }
        }
        Ok(self.first.as_ref())
    }

    /// Plays from where it is.
    pub fn play(&mut self) -> Result<(), String> {
        self.playing = true;
        self.pipeline
            .set_state(gst::State::Playing)
            .map(drop)
            .map_err(|_| self.fail("the clip cannot play"))
    }

    /// Holds on the frame shown (an alert took the screen).
    pub fn pause(&mut self) -> Result<(), String> {
        self.playing = false;
        self.pipeline
            .set_state(gst::State::Paused)
            .map(drop)
            .map_err(|_| self.fail("the clip cannot pause"))
    }

    /// The newest frame due since the last poll (older ones are skipped), or what went wrong.
    pub fn poll(&mut self) -> Poll {
        if let Err(e) = self.pump() {
            return Poll::Failed(e);
        }
        let mut newest = None;
        while let Some(sample) = self.sink.try_pull_sample(gst::ClockTime::ZERO) {
            newest = Some(sample);
        }
        match newest.map(Frame::of) {
            None => Poll::Nothing,
            Some(Ok(frame)) => {
                if let (Some(last), Some(pts)) = (self.last_pts, frame.pts) {
                    if pts < last {
                        self.loops += 1;
                    }
                }
                self.last_pts = frame.pts.or(self.last_pts);
                Poll::Frame(frame)
            }
            Some(Err(e)) => Poll::Failed(self.fail(&e)),
        }
    }

    /// Stops the pipeline and frees it: its threads joined, its file closed. May take a few
    /// milliseconds; boards call it on a thread of their own.
    pub fn close(self) {
        drop(self);
    }
}

impl Drop for Player {
    fn drop(&mut self) {
        let _ = self.pipeline.set_state(gst::State::Null);
        while self.bus.pop().is_some() {}
    }
}

/// The clip's first frame as straight RGBA (for previews): decoded as a board decodes it,
/// converted on the CPU with the stream's matrix. Waits at most `timeout`.
pub fn poster(path: &Path, timeout: Duration) -> Result<(u32, u32, Vec<u8>), String> {
    let mut player = Player::open(path, false)?;
    let deadline = std::time::Instant::now() + timeout;
    let frame = loop {
        if let Some(frame) = player.first_frame()? {
            break frame.clone();
        }
        if std::time::Instant::now() >= deadline {
            return Err(format!("no first frame within {} s", timeout.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    drop(player);
    frame.with_picture(|p| {
        let mut rgba = Vec::with_capacity(p.width as usize * p.height as usize * 4);
        let (luma, chroma) = (&p.planes[0], &p.planes[1]);
        for y in 0..p.height {
            for x in 0..p.width {
                let at = |plane: &Plane<'_>, x: u32, y: u32| (y * plane.stride + x) as usize;
                let l = luma.data[at(luma, x, y)];
                let (cb, cr) = match p.layout {
                    Layout::I420 => (
                        chroma.data[at(chroma, x / 2, y / 2)],
                        p.planes[2].data[at(&p.planes[2], x / 2, y / 2)],
                    ),
                    Layout::Nv12 => {
                        let i = at(chroma, x / 2 * 2, y / 2);
                        (chroma.data[i], chroma.data[i + 1])
                    }
                };
                let [r, g, b] = p.colour.rgb_of(l, cb, cr);
                rgba.extend_from_slice(&[r, g, b, 255]);
            }
        }
        (p.width, p.height, rgba)
    })
}
