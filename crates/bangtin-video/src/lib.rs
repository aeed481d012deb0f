//! Video clips on a board, through GStreamer.
//!
//! - [`probe`] says what a file is (container, codec, size, length) and refuses, with a reason
//!   a person can act on, what a board cannot or must not play ([`Limits`]).
//! - [`Player`] decodes one clip into a bounded queue of frames (`appsink`, at most two
//!   frames, the older dropped), paused on its first frame until asked to play (a clip is
//!   opened during the slide before it, so the switch needs no wait), and loops with segment
//!   seeks (no flush, no gap). Frames come out as the decoder made them (I420 or NV12, with
//!   their strides and plane offsets) with the [`colour::Colour`] a shader needs to turn them
//!   into RGB.
//! - [`choose_decoders`] applies the board's decoder policy ([`Decoders`]) to GStreamer's
//!   registry once: the Pi's hardware decoders where they are reliable, software elsewhere.
//!
//! What it must never do: block its caller on a file or a decoder (every call returns at once;
//! tearing a pipeline down is [`Player::close`], meant for a thread of its own), or panic on
//! any bytes.

pub mod clip;
pub mod colour;
mod player;
mod probe;

pub use colour::{Colour, Matrix};
pub use player::{poster, Frame, Layout, Picture, Plane, Player, Poll};
pub use probe::{probe, Clip, Refused};

use std::sync::OnceLock;

/// What a board accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest picture, either way round (a 1080x1920 clip fits a 1920x1080 limit).
    pub max_width: u32,
    pub max_height: u32,
    /// Longest clip.
    pub max_seconds: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_width: 1920,
            max_height: 1080,
            max_seconds: 600,
        }
    }
}

/// Which decoders a board uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Decoders {
    /// Hardware where it is known to be reliable (the Pi 4's H.264 and the Pi 5's HEVC
    /// decoders), software for everything else.
    #[default]
    Auto,
    /// Software only (libav): slower, but the same on every machine.
    Software,
    /// Every hardware decoder GStreamer has, ahead of software.
    Hardware,
}

/// Hardware decoders trusted under [`Decoders::Auto`]: V4L2 stateful H.264 (Pi 4) and
/// stateless HEVC (Pi 5).
pub const RELIABLE_HARDWARE: [&str; 2] = ["v4l2h264dec", "v4l2slh265dec"];

/// Containers a clip may come in (GStreamer's caps names): MP4, Matroska, WebM.
pub const CONTAINERS: [&str; 3] = ["video/quicktime", "video/x-matroska", "video/webm"];
/// Codecs a clip may use: H.264, HEVC, VP9, AV1 (each only where a decoder is installed).
pub const CODECS: [(&str, &str); 4] = [
    ("video/x-h264", "H.264"),
    ("video/x-h265", "HEVC"),
    ("video/x-vp9", "VP9"),
    ("video/x-av1", "AV1"),
];

/// Why GStreamer could not be used at all.
#[derive(Debug, Clone, thiserror::Error)]
#[error("GStreamer could not start: {0} (install the packages gstreamer1.0-plugins-base, gstreamer1.0-plugins-good, gstreamer1.0-plugins-bad and gstreamer1.0-libav)")]
pub struct Unavailable(String);

/// Starts GStreamer (once per process; later calls return the first outcome).
pub fn init() -> Result<(), Unavailable> {
    static INIT: OnceLock<Result<(), Unavailable>> = OnceLock::new();
    INIT.get_or_init(|| {
        gstreamer::init().map_err(|e| Unavailable(e.to_string()))?;
        for element in ["playbin", "appsink", "videoconvert"] {
            if gstreamer::ElementFactory::find(element).is_none() {
                return Err(Unavailable(format!("the element {element} is missing")));
            }
        }
        Ok(())
    })
    .clone()
}

/// Whether a decoder factory is a hardware one (GStreamer's class names say so).
fn is_hardware(factory: &gstreamer::ElementFactory) -> bool {
    let klass = factory.klass();
    klass.contains("Decoder") && klass.contains("Video") && klass.contains("Hardware")
}

/// Applies `choice` to the registry's decoder ranks (which decoder `playbin` picks). Returns
/// the hardware decoders now preferred, for the log and status.
pub fn choose_decoders(choice: Decoders) -> Result<Vec<String>, Unavailable> {
    use gstreamer::prelude::*;
    init()?;
    let registry = gstreamer::Registry::get();
    let mut preferred = Vec::new();
    let decoders = gstreamer::ElementFactory::factories_with_type(
        gstreamer::ElementFactoryType::DECODER | gstreamer::ElementFactoryType::MEDIA_VIDEO,
        gstreamer::Rank::NONE,
    );
    for factory in decoders.iter().filter(|f| is_hardware(f)) {
        let name = factory.name().to_string();
        let wanted = match choice {
            Decoders::Software => false,
            Decoders::Hardware => true,
            Decoders::Auto => RELIABLE_HARDWARE.contains(&name.as_str()),
        };
        if let Some(feature) = registry.lookup_feature(&name) {
            if wanted {
                feature.set_rank(gstreamer::Rank::PRIMARY + 10);
                preferred.push(name);
            } else {
                feature.set_rank(gstreamer::Rank::NONE);
            }
        }
    }
    Ok(preferred)
}

/// Whether an installed decoder takes `caps` (an encoded stream's).
fn has_decoder(caps: &gstreamer::CapsRef) -> bool {
    gstreamer::ElementFactory::factories_with_type(
        gstreamer::ElementFactoryType::DECODER | gstreamer::ElementFactoryType::MEDIA_VIDEO,
        gstreamer::Rank::MARGINAL,
    )
    .iter()
    .any(|f| f.can_sink_any_caps(caps))
}
