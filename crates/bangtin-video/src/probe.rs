//! What a clip is, and whether a board may play it.

use super::{has_decoder, init, Limits, CODECS, CONTAINERS};
use gstreamer as gst;
use gstreamer_pbutils as pbutils;
use gstreamer_pbutils::prelude::*;
use std::path::Path;
use std::time::Duration;

/// A clip that passed [`probe`].
#[derive(Debug, Clone, PartialEq)]
pub struct Clip {
    /// "MP4", "Matroska" or "WebM".
    pub container: &'static str,
    /// "H.264", "HEVC", "VP9" or "AV1".
    pub codec: &'static str,
    pub width: u32,
    pub height: u32,
    pub length: Duration,
    /// Frames per second, when the stream says.
    pub fps: Option<f64>,
    pub has_audio: bool,
}

/// Why a clip is refused, in words for the officer or the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("is not a video file a board can read ({0})")]
    Unreadable(String),
    #[error("is in a container boards do not play ({0}); use MP4, MKV or WebM")]
    Container(String),
    #[error("has no video stream")]
    NoVideo,
    #[error("uses the codec {0}, which boards do not play; use H.264 (or HEVC, VP9, AV1)")]
    Codec(String),
    #[error("uses {0}, for which no decoder is installed on this machine")]
    NoDecoder(&'static str),
    #[error("is {width}x{height} pixels, more than the {max_width}x{max_height} boards play")]
    TooLarge {
        width: u32,
        height: u32,
        max_width: u32,
        max_height: u32,
    },
    #[error("is {0} s long, more than the {1} s a clip may last")]
    TooLong(u64, u32),
    #[error("has no length (a live stream or a broken file)")]
    NoLength,
}

/// Reads `path`'s headers (and as much of the stream as it takes to know its size and length)
/// and checks them against `limits`. Blocking, at most a few seconds: call it off any thread
/// that draws.
pub fn probe(path: &Path, limits: &Limits) -> Result<Clip, Refused> {
    init().map_err(|e| Refused::Unreadable(e.to_string()))?;
    let uri =
        gst::glib::filename_to_uri(path, None).map_err(|e| Refused::Unreadable(e.to_string()))?;
    let discoverer = pbutils::Discoverer::new(gst::ClockTime::from_seconds(10))
        .map_err(|e| Refused::Unreadable(e.to_string()))?;
    let info = discoverer
        .discover_uri(&uri)
        .map_err(|e| Refused::Unreadable(first_line(&e.to_string())))?;
    match info.result() {
        pbutils::DiscovererResult::Ok | pbutils::DiscovererResult::MissingPlugins => {}
        other => return Err(Refused::Unreadable(format!("{other:?}"))),
    }
    let top = info
        .stream_info()
        .and_then(|s| s.caps())
        .ok_or_else(|| Refused::Unreadable("no streams".into()))?;
    let top_name = top
        .structure(0)
        .map(|s| s.name().to_string())
        .unwrap_or_default();
    let container = match CONTAINERS.iter().position(|c| *c == top_name) {
        Some(0) => "MP4",
        Some(1) => "Matroska",
        Some(_) => "WebM",
        None => return Err(Refused::Container(describe(&top_name))),
    };
    let video = info
        .video_streams()
        .into_iter()
        .next()
        .ok_or(Refused::NoVideo)?;
    let caps = video.caps().ok_or(Refused::NoVideo)?;
    let codec_name = caps
        .structure(0)
        .map(|s| s.name().to_string())
        .unwrap_or_default();
    let codec = CODECS
        .iter()
        .find(|(name, _)| *name == codec_name)
        .map(|(_, label)| *label)
        .ok_or_else(|| Refused::Codec(describe(&codec_name)))?;
    if !has_decoder(&caps) {
        return Err(Refused::NoDecoder(codec));
    }
    let (width, height) = (video.width(), video.height());
    let fits = |w: u32, h: u32| w <= limits.max_width && h <= limits.max_height;
    if width == 0 || height == 0 || !(fits(width, height) || fits(height, width)) {
        return Err(Refused::TooLarge {
            width,
            height,
            max_width: limits.max_width,
            max_height: limits.max_height,
        });
    }
    let length = info
        .duration()
        .map(|d| Duration::from_nanos(d.nseconds()))
        .filter(|d| !d.is_zero())
        .ok_or(Refused::NoLength)?;
    if length > Duration::from_secs(u64::from(limits.max_seconds)) {
        return Err(Refused::TooLong(
            (length.as_millis() as u64).div_ceil(1000),
            limits.max_seconds,
        ));
    }
    let rate = video.framerate();
    let fps = (rate.numer() > 0 && rate.denom() > 0)
        .then(|| f64::from(rate.numer()) / f64::from(rate.denom()));
    Ok(Clip {
        container,
        codec,
        width,
        height,
        length,
        fps,
        has_audio: !info.audio_streams().is_empty(),
    })
}

/// A caps name as a person reads it.
fn describe(caps_name: &str) -> String {
    match caps_name {
        "video/x-msvideo" => "AVI".into(),
        "video/mpegts" => "MPEG-TS".into(),
        "video/x-flv" => "FLV".into(),
        "video/mpeg" => "MPEG".into(),
        "video/x-theora" => "Theora".into(),
        "video/x-vp8" => "VP8".into(),
        "video/x-divx" | "video/x-xvid" => "MPEG-4 Part 2".into(),
        "" => "unknown".into(),
        other => other.to_owned(),
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).chars().take(200).collect()
}
