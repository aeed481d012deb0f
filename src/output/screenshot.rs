//! The `screenshot` command: the frame as presented, as a PNG of at most 1 MiB in the reply.
//!
//! The output reads the frame back on the board's thread (one copy, right after presenting);
//! encoding, and halving the size until the PNG fits, happen on a short-lived thread so the
//! screen never waits for them.

use crate::app::reply_json;
use crate::sync::{Report, Reports};
use base64::Engine as _;
use image::RgbaImage;

/// The largest PNG a reply carries (the protocol's limit).
pub const MAX_PNG_BYTES: usize = 1024 * 1024;

/// Encodes `image` as PNG, halving its size until it fits in `max` bytes. Returns the PNG
/// and its size.
pub fn png_within(mut image: RgbaImage, max: usize) -> Result<(Vec<u8>, u32, u32), String> {
    loop {
        let mut png = Vec::new();
        image::DynamicImage::ImageRgba8(image.clone())
            .to_rgb8()
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .map_err(|e| format!("cannot encode the screenshot: {e}"))?;
        let (w, h) = image.dimensions();
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

/// Answers screenshot command `id` with `image` (RGBA) from another thread.
pub fn answer(reports: Reports, board: String, id: String, image: RgbaImage) {
    let spawned = std::thread::Builder::new()
        .name("bangtin-screenshot".into())
        .spawn({
            let reports = reports.clone();
            let (board, id) = (board.clone(), id.clone());
            move || {
                let result = png_within(image, MAX_PNG_BYTES).map(|(png, w, h)| {
                    serde_json::json!({
                        "png_base64": base64::engine::general_purpose::STANDARD.encode(&png),
                        "width": w,
                        "height": h,
                    })
                });
                reports.send(Report::Reply(reply_json(&board, &id, result)));
            }
        });
    if let Err(e) = spawned {
        reports.send(Report::Reply(reply_json(
            &board,
            &id,
            Err(format!("cannot start encoding the screenshot: {e}")),
        )));
    }
}

/// A frame read back from a texture of `format` as RGBA (BGRA surfaces swapped).
pub fn to_rgba(
    frame: &crate::render::MappedFrame<'_>,
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
