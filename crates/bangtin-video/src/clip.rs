//! Clips made here, frame by frame, for tests, harnesses and the demo (no binary fixtures).
//!
//! Frames are given as RGB and converted to Y′CbCr by GStreamer's own `videoconvert` with the
//! colorimetry asked for, then encoded (x264 for H.264) and muxed: what a board decodes back
//! is checked against an implementation other than its own.

use super::colour::Matrix;
use super::init;
use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use std::path::Path;

/// What each frame shows.
#[derive(Debug, Clone)]
pub enum Frames {
    /// One solid colour per frame.
    Colours(Vec<[u8; 3]>),
    /// `n` frames of GStreamer's moving test picture (a realistic load for an encoder).
    Pattern(u32),
}

/// The stream and file made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// H.264 (x264) in MP4.
    H264Mp4,
    /// H.264 (x264) in Matroska.
    H264Mkv,
    /// MPEG-4 Part 2 in Matroska: a codec boards refuse.
    Mpeg4Mkv,
}

/// A clip to make.
#[derive(Debug, Clone)]
pub struct Spec {
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    pub frames: Frames,
    pub matrix: Matrix,
    pub codec: Codec,
}

/// Writes the clip `spec` describes to `path`. Needs x264enc (gstreamer1.0-plugins-ugly) and,
/// for MPEG-4 Part 2, avenc_mpeg4 (gstreamer1.0-libav).
pub fn make(path: &Path, spec: &Spec) -> Result<(), String> {
    init().map_err(|e| e.to_string())?;
    let colorimetry = match spec.matrix {
        Matrix::Bt601 => "bt601",
        Matrix::Bt709 => "bt709",
        Matrix::Bt2020 => "bt2020",
    };
    let encode = match spec.codec {
        Codec::H264Mp4 => "x264enc speed-preset=ultrafast key-int-max=30 ! h264parse ! mp4mux",
        Codec::H264Mkv => "x264enc speed-preset=ultrafast key-int-max=30 ! h264parse ! matroskamux",
        Codec::Mpeg4Mkv => "avenc_mpeg4 ! mpeg4videoparse ! matroskamux",
    };
    let source = match spec.frames {
        Frames::Colours(_) => format!(
            "appsrc name=src format=time caps=video/x-raw,format=RGBx,width={w},height={h},\
             framerate={fps}/1",
            w = spec.width,
            h = spec.height,
            fps = spec.fps
        ),
        Frames::Pattern(n) => format!(
            "videotestsrc num-buffers={n} pattern=ball background-color=0xff204060 ! \
             video/x-raw,width={w},height={h},framerate={fps}/1",
            w = spec.width,
            h = spec.height,
            fps = spec.fps
        ),
    };
    let description = format!(
        "{source} ! videoconvert ! video/x-raw,format=I420,colorimetry={colorimetry} ! {encode} \
         ! filesink name=out"
    );
    let pipeline = gst::parse::launch(&description)
        .map_err(|e| format!("{e} (install gstreamer1.0-plugins-ugly and gstreamer1.0-libav)"))?
        .downcast::<gst::Pipeline>()
        .map_err(|_| "not a pipeline")?;
    let out = pipeline.by_name("out").ok_or("no filesink")?;
    out.set_property("location", path.to_string_lossy().as_ref());
    pipeline
        .set_state(gst::State::Playing)
        .map_err(|e| e.to_string())?;
    if let Frames::Colours(colours) = &spec.frames {
        let src = pipeline
            .by_name("src")
            .and_then(|e| e.downcast::<gst_app::AppSrc>().ok())
            .ok_or("no appsrc")?;
        let frame_ns = 1_000_000_000 / u64::from(spec.fps.max(1));
        for (i, [r, g, b]) in colours.iter().enumerate() {
            let pixels = (spec.width * spec.height) as usize;
            let mut data = Vec::with_capacity(pixels * 4);
            for _ in 0..pixels {
                data.extend_from_slice(&[*r, *g, *b, 255]);
            }
            let mut buffer = gst::Buffer::from_mut_slice(data);
            if let Some(b) = buffer.get_mut() {
                b.set_pts(gst::ClockTime::from_nseconds(i as u64 * frame_ns));
                b.set_duration(gst::ClockTime::from_nseconds(frame_ns));
            }
            src.push_buffer(buffer).map_err(|e| format!("{e:?}"))?;
        }
        src.end_of_stream().map_err(|e| format!("{e:?}"))?;
    }
    let bus = pipeline.bus().ok_or("no bus")?;
    let result = loop {
        let Some(message) = bus.timed_pop(gst::ClockTime::from_seconds(300)) else {
            break Err("making the clip took more than 5 minutes".to_owned());
        };
        match message.view() {
            gst::MessageView::Eos(_) => break Ok(()),
            gst::MessageView::Error(e) => break Err(e.error().to_string()),
            _ => {}
        }
    };
    let _ = pipeline.set_state(gst::State::Null);
    result
}
