//! The `screenshot` command: the frame as presented, as a PNG of at most 1 MiB in the reply.
//!
//! The output reads the frame back on the board's thread (one copy, right after presenting);
//! encoding, and halving the size until the PNG fits, happen on a short-lived thread so the
//! screen never waits for them.

use crate::board::commands::reply_json;
use crate::sync::{Report, Reports};
use base64::Engine as _;
use chrono::FixedOffset;
use image::RgbaImage;
use std::sync::atomic::{AtomicBool, Ordering};

/// The largest PNG a reply carries (the protocol's limit).
pub const MAX_PNG_BYTES: usize = bangtin_protocol::content::limits::SCREENSHOT_PNG_BYTES;

/// Encodes `image` as PNG, halving its size until it fits in `max` bytes. Returns the PNG
/// and its size.
pub fn png_within(mut image: RgbaImage, max: usize) -> Result<(Vec<u8>, u32, u32), String> {
    loop {
        let (w, h) = image.dimensions();
        let png = bangtin_media::encode_png(image.as_raw(), w, h, true)
            .map_err(|e| format!("cannot encode the screenshot: {e}"))?;
        if png.len() <= max {
            return Ok((png, w, h));
        }
        if w <= 16 || h <= 16 {
            return Err(format!(
                "the screenshot does not fit in {max} bytes even at {w}x{h}"
            ));
        }
        image =
            image::imageops::resize(&image, w / 2, h / 2, image::imageops::FilterType::Triangle);
    }
}

/// An encoding is running: further screenshot commands wait for a later frame (one thread
/// and one frame copy at most, whatever a key holder sends).
static BUSY: AtomicBool = AtomicBool::new(false);

/// Whether a screenshot is being encoded now.
pub fn busy() -> bool {
    BUSY.load(Ordering::Acquire)
}

/// Answers the screenshot commands `ids` with `image` (RGBA), encoded once, on a thread of its
/// own so the screen never waits.
pub fn answer(
    reports: Reports,
    board: String,
    ids: Vec<String>,
    image: RgbaImage,
    tz: FixedOffset,
) {
    BUSY.store(true, Ordering::Release);
    let reply = {
        let (reports, board) = (reports.clone(), board.clone());
        move |ids: &[String], result: &Result<serde_json::Value, String>| {
            for id in ids {
                reports.post(Report::Reply(reply_json(&board, id, result.clone(), tz)));
            }
        }
    };
    let spawned = std::thread::Builder::new()
        .name("bangtin-screenshot".into())
        .spawn({
            let (reply, ids) = (reply.clone(), ids.clone());
            move || {
                let result = png_within(image, MAX_PNG_BYTES).map(|(png, w, h)| {
                    serde_json::json!({
                        "png_base64": base64::engine::general_purpose::STANDARD.encode(&png),
                        "width": w,
                        "height": h,
                    })
                });
                reply(&ids, &result);
                BUSY.store(false, Ordering::Release);
            }
        });
    if let Err(e) = spawned {
        BUSY.store(false, Ordering::Release);
        reply(
            &ids,
            &Err(format!("cannot start encoding the screenshot: {e}")),
        );
    }
}

/// A frame read back from a texture of `format` as RGBA (BGRA surfaces swapped).
pub fn to_rgba(
    frame: &bangtin_render::MappedFrame<'_>,
    format: wgpu::TextureFormat,
) -> Option<RgbaImage> {
    let mut pixels = frame.tight().into_owned();
    if matches!(
        format,
        wgpu::TextureFormat::Bgra8Unorm | wgpu::TextureFormat::Bgra8UnormSrgb
    ) {
        for px in pixels.chunks_exact_mut(4) {
            px.swap(0, 2);
        }
    }
    RgbaImage::from_raw(frame.width, frame.height, pixels)
}
