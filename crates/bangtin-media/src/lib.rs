//! Images in and out: decoding behind hard limits, and PNG encoding of rendered frames.
//!
//! Every image a board shows passes through [`decode`]: the format is sniffed from the bytes
//! (never trusted from a name), the dimensions are checked before any pixel is allocated, and
//! the decoder runs under `image`'s allocation limits, so a decompression bomb is refused with
//! a reason instead of taking the board's memory. [`encode_png`] is the one PNG writer of the
//! project (previews, headless frames, screenshots).
//!
//! What it must never do: trust a file name or a declared size, allocate before the header is
//! checked, or panic on any bytes.

use image::{ImageReader, Limits};
use std::io::Cursor;
use std::sync::Arc;

/// Largest width or height of an image we decode.
pub const MAX_DIMENSION: u32 = 8192;
/// Most pixels (width x height) of an image we decode: 16.7 megapixels, 64 MiB as RGBA.
pub const MAX_PIXELS: u64 = 4096 * 4096;
/// Most bytes the decoder may allocate for one image.
pub const MAX_ALLOC: u64 = 96 * 1024 * 1024;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    #[error("is not an image in a known format (PNG, JPEG, WebP, GIF)")]
    UnknownFormat,
    #[error("is {width}x{height} pixels, more than the limit of {max} per side or {pixels} pixels in all")]
    TooLarge {
        width: u32,
        height: u32,
        max: u32,
        pixels: u64,
    },
    #[error("could not be decoded: {0}")]
    Corrupt(String),
}

/// A decoded image: straight (non-premultiplied) RGBA8 in sRGB, shared cheaply.
#[derive(Clone, PartialEq, Eq)]
pub struct DecodedImage {
    pub width: u32,
    pub height: u32,
    pub rgba: Arc<Vec<u8>>,
}

impl std::fmt::Debug for DecodedImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DecodedImage({}x{})", self.width, self.height)
    }
}

fn limits() -> Limits {
    let mut l = Limits::default();
    l.max_image_width = Some(MAX_DIMENSION);
    l.max_image_height = Some(MAX_DIMENSION);
    l.max_alloc = Some(MAX_ALLOC);
    l
}

fn check_size(width: u32, height: u32) -> Result<(), Error> {
    if width == 0
        || height == 0
        || width > MAX_DIMENSION
        || height > MAX_DIMENSION
        || u64::from(width) * u64::from(height) > MAX_PIXELS
    {
        return Err(Error::TooLarge {
            width,
            height,
            max: MAX_DIMENSION,
            pixels: MAX_PIXELS,
        });
    }
    Ok(())
}

fn reader(bytes: &[u8]) -> Result<ImageReader<Cursor<&[u8]>>, Error> {
    let mut r = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| Error::Corrupt(e.to_string()))?;
    if r.format().is_none() {
        return Err(Error::UnknownFormat);
    }
    r.limits(limits());
    Ok(r)
}

/// Reads only the header: the dimensions, checked against the limits. Reading a header
/// allocates no pixels, so it runs without the decoder limits and can name the real size.
pub fn dimensions(bytes: &[u8]) -> Result<(u32, u32), Error> {
    let mut r = reader(bytes)?;
    r.no_limits();
    let (w, h) = r.into_dimensions().map_err(classify)?;
    check_size(w, h)?;
    Ok((w, h))
}

/// Decodes to RGBA8 under the limits.
pub fn decode(bytes: &[u8]) -> Result<DecodedImage, Error> {
    dimensions(bytes)?;
    let mut r = reader(bytes)?;
    r.limits(limits());
    let img = r.decode().map_err(classify)?;
    let rgba = img.into_rgba8();
    let (width, height) = rgba.dimensions();
    check_size(width, height)?;
    Ok(DecodedImage {
        width,
        height,
        rgba: Arc::new(rgba.into_raw()),
    })
}

/// Encodes straight RGBA8 pixels (`width` x `height`, rows packed) as a PNG with fast
/// compression: slides are flat colour and text, which compresses well anyway, and boards
/// write frames often. With `opaque`, the alpha channel is left out (a third smaller).
pub fn encode_png(rgba: &[u8], width: u32, height: u32, opaque: bool) -> Result<Vec<u8>, Error> {
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    use image::ImageEncoder as _;
    let expected = u64::from(width) * u64::from(height) * 4;
    if rgba.len() as u64 != expected || width == 0 || height == 0 {
        return Err(Error::Corrupt(format!(
            "{} bytes of pixels for a {width}x{height} picture",
            rgba.len()
        )));
    }
    let mut out = Vec::new();
    let encoder =
        PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Adaptive);
    let result = if opaque {
        let rgb: Vec<u8> = rgba
            .chunks_exact(4)
            .flat_map(|px| [px[0], px[1], px[2]])
            .collect();
        encoder.write_image(&rgb, width, height, image::ExtendedColorType::Rgb8)
    } else {
        encoder.write_image(rgba, width, height, image::ExtendedColorType::Rgba8)
    };
    result.map_err(|e| Error::Corrupt(format!("cannot encode the PNG: {e}")))?;
    Ok(out)
}

fn classify(e: image::ImageError) -> Error {
    match e {
        image::ImageError::Limits(l) => Error::Corrupt(format!("over the decoding limits ({l})")),
        image::ImageError::Unsupported(_) => Error::UnknownFormat,
        other => Error::Corrupt(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The CRC-32 of PNG chunks (ISO 3309), bit by bit: small and only for fixtures.
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbaImage::from_pixel(w, h, image::Rgba([200, 30, 30, 255]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn decodes_small_png() {
        let d = decode(&png(3, 2)).unwrap();
        assert_eq!((d.width, d.height), (3, 2));
        assert_eq!(&d.rgba[..4], &[200, 30, 30, 255]);
    }

    #[test]
    fn encoded_png_decodes_to_the_same_pixels() {
        let rgba: Vec<u8> = (0..5 * 3)
            .flat_map(|i| [i as u8 * 10, 7, 200, 255])
            .collect();
        for opaque in [false, true] {
            let png = encode_png(&rgba, 5, 3, opaque).unwrap();
            let back = decode(&png).unwrap();
            assert_eq!((back.width, back.height), (5, 3));
            assert_eq!(back.rgba.as_slice(), rgba.as_slice());
        }
        assert!(
            encode_png(&rgba, 4, 3, false).is_err(),
            "wrong size refused"
        );
    }

    #[test]
    fn garbage_is_unknown_format() {
        assert_eq!(decode(b"hello, not an image"), Err(Error::UnknownFormat));
    }

    #[test]
    fn truncated_png_is_corrupt() {
        let bytes = png(64, 64);
        assert!(matches!(
            decode(&bytes[..bytes.len() / 2]),
            Err(Error::Corrupt(_))
        ));
    }

    #[test]
    fn header_claiming_huge_size_is_refused_before_decoding() {
        // A valid PNG header whose IHDR claims 100000 x 100000 pixels.
        let mut bytes = png(1, 1);
        bytes[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bytes[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let crc = crc32(&bytes[12..29]);
        bytes[29..33].copy_from_slice(&crc.to_be_bytes());
        let err = decode(&bytes).unwrap_err();
        assert_eq!(
            err,
            Error::TooLarge {
                width: 100_000,
                height: 100_000,
                max: MAX_DIMENSION,
                pixels: MAX_PIXELS
            }
        );
    }
}
