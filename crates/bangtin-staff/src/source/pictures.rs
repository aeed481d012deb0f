//! Pictures: local files inlined (re-encoded to fit when needed), URLs passed as they are.

use super::*;

pub(super) const IMAGE_EXPECTED: &str =
    "a picture file such as \"anh/tiem-chung.jpg\", or a table \
                              { url = \"https://...\", sha256 = \"...\", bytes = N } or \
                              { file = \"anh/x.jpg\", url = \"https://...\" }";

pub(super) fn read_image(ctx: &mut Ctx, item: Option<usize>, key: &str, v: &Toml) -> Option<Value> {
    match v {
        Toml::String(rel) => {
            let path = resolve(ctx.base_dir, rel);
            match inline_image(&path) {
                Ok((bytes, recompressed)) => {
                    if let Some(w) = recompressed {
                        ctx.warnings.push(w);
                    }
                    let mut m = Map::new();
                    m.insert(
                        "inline".into(),
                        base64::engine::general_purpose::STANDARD
                            .encode(&bytes)
                            .into(),
                    );
                    m.insert("sha256".into(), hex::encode(Sha256::digest(&bytes)).into());
                    Some(Value::Object(m))
                }
                Err(msg) => {
                    ctx.error(item, key, format!("\"{rel}\" {msg}"));
                    None
                }
            }
        }
        Toml::Table(t) => {
            if t.contains_key("file") {
                check_keys(ctx, item, key, t, &["file", "url"], |k| {
                    matches!(k, "sha256" | "bytes")
                        .then(|| format!("\"{k}\" is computed from the file; leave it out"))
                });
            } else {
                check_keys(ctx, item, key, t, &["url", "sha256", "bytes"], |_| None);
            }
            let url = read_url(ctx, item, key, t);
            if let Some(f) = t.get("file") {
                let rel = string_of(
                    ctx,
                    item,
                    &format!("{key}.file"),
                    f,
                    "a file name in quotes",
                )?;
                let path = resolve(ctx.base_dir, rel);
                let facts = match referenced_image(&path) {
                    Ok(f) => f,
                    Err(msg) => {
                        ctx.error(item, &format!("{key}.file"), format!("\"{rel}\" {msg}"));
                        return None;
                    }
                };
                return Some(url_image(url?, facts.0, facts.1));
            }
            let sha = match t.get("sha256") {
                Some(Toml::String(s))
                    if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) =>
                {
                    Some(s.to_ascii_lowercase())
                }
                Some(other) => {
                    ctx.expected(
                        item,
                        &format!("{key}.sha256"),
                        "64 hexadecimal digits",
                        other,
                    );
                    None
                }
                None => {
                    ctx.error(
                        item,
                        &format!("{key}.sha256"),
                        "is missing (or give file = \"...\" and it is computed)",
                    );
                    None
                }
            };
            let bytes = match t.get("bytes") {
                Some(Toml::Integer(n)) if *n > 0 && (*n as u64) <= limits::URL_IMAGE_BYTES => {
                    Some(*n as u64)
                }
                Some(other) => {
                    ctx.expected(
                        item,
                        &format!("{key}.bytes"),
                        &format!(
                            "the size of the picture in bytes, 1 to {}",
                            limits::URL_IMAGE_BYTES
                        ),
                        other,
                    );
                    None
                }
                None => {
                    ctx.error(
                        item,
                        &format!("{key}.bytes"),
                        "is missing (or give file = \"...\" and it is computed)",
                    );
                    None
                }
            };
            Some(url_image(url?, sha?, bytes?))
        }
        other => {
            ctx.expected(item, key, IMAGE_EXPECTED, other);
            None
        }
    }
}

pub(super) fn url_image(url: String, sha256: String, bytes: u64) -> Value {
    Value::Object(Map::from_iter([
        ("url".to_owned(), Value::from(url)),
        ("sha256".to_owned(), Value::from(sha256)),
        ("bytes".to_owned(), Value::from(bytes)),
    ]))
}

pub(super) fn read_url(
    ctx: &mut Ctx,
    item: Option<usize>,
    key: &str,
    t: &toml::Table,
) -> Option<String> {
    let k = format!("{key}.url");
    match t.get("url") {
        Some(Toml::String(u))
            if (u.starts_with("https://") && u.len() > 8
                || u.starts_with("http://") && u.len() > 7)
                && u.len() <= limits::URL_CHARS
                && !u.chars().any(|c| c.is_whitespace() || c.is_control()) =>
        {
            Some(u.clone())
        }
        Some(other) => {
            ctx.expected(
                item,
                &k,
                "a web address starting with https:// or http://",
                other,
            );
            None
        }
        None => {
            ctx.error(
                item,
                &k,
                "is missing: the web address boards download the picture from",
            );
            None
        }
    }
}

/// A picture path relative to the file's folder. If it is not found as written, its NFC and NFD
/// spellings are tried too (a file named on a Mac is stored NFD).
pub(super) fn resolve(base: &Path, rel: &str) -> PathBuf {
    let first = base.join(rel);
    if first.exists() {
        return first;
    }
    for alt in [rel.nfc().collect::<String>(), rel.nfd().collect::<String>()] {
        let p = base.join(&alt);
        if p.exists() {
            return p;
        }
    }
    first
}

pub(super) fn image_limits() -> image::Limits {
    let mut l = image::Limits::default();
    l.max_image_width = Some(40_000);
    l.max_image_height = Some(40_000);
    // 40 megapixels of 16-bit RGBA, plus room for the decoder's own buffers.
    l.max_alloc = Some(MAX_IMAGE_PIXELS * 8 + 64 * 1024 * 1024);
    l
}

/// Reads a picture file, refusing it before decoding if it is too big; returns its bytes, its
/// format and its size in pixels.
pub(super) fn read_picture(
    path: &Path,
    max_bytes: u64,
) -> Result<(Vec<u8>, ImageFormat, u32, u32), String> {
    let meta = std::fs::metadata(path)
        .map_err(|e| format!("cannot be read (looked for {}): {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!("is not a file ({})", path.display()));
    }
    if meta.len() > max_bytes {
        return Err(format!(
            "is {}; pictures over {} are refused",
            human_size(meta.len()),
            human_size(max_bytes)
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot be read: {e}"))?;
    check_picture(bytes)
}

/// Checks a picture's bytes (format and pixel size, from the header only); returns them with
/// the format and size.
fn check_picture(bytes: Vec<u8>) -> Result<(Vec<u8>, ImageFormat, u32, u32), String> {
    let format = image::guess_format(&bytes)
        .map_err(|_| "is not a picture: use a JPEG, PNG, WebP or GIF file".to_owned())?;
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif
    ) {
        return Err(format!(
            "is a {format:?} picture; use a JPEG, PNG, WebP or GIF file"
        ));
    }
    let mut reader = ImageReader::with_format(Cursor::new(&bytes[..]), format);
    reader.limits(image_limits());
    let (w, h) = reader.into_dimensions().map_err(|e| match e {
        image::ImageError::Limits(_) => format!(
            "is too large: pictures over {} megapixels (or 40000 pixels on a side) are refused",
            MAX_IMAGE_PIXELS / 1_000_000
        ),
        e => format!("is damaged or not a picture this program can read ({e})"),
    })?;
    if u64::from(w) * u64::from(h) > MAX_IMAGE_PIXELS {
        return Err(format!(
            "is too large: {w}x{h} pixels ({} megapixels); pictures over {} megapixels are refused",
            u64::from(w) * u64::from(h) / 1_000_000,
            MAX_IMAGE_PIXELS / 1_000_000
        ));
    }
    Ok((bytes, format, w, h))
}

pub(super) fn decode(bytes: &[u8], format: ImageFormat) -> Result<DynamicImage, String> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(image_limits());
    let fail = |e: image::ImageError| format!("is damaged or cannot be read ({e})");
    let mut decoder = reader.into_decoder().map_err(fail)?;
    // Phone photos are stored sideways with an orientation tag; turn them upright.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(fail)?;
    img.apply_orientation(orientation);
    Ok(img)
}

/// A local picture as an inline IMAGE object (re-encoded to fit when needed), for tools
/// other than this file format (`bangtin alert --image`).
pub fn inline_image_value(path: &Path) -> Result<(Value, Option<Warning>), String> {
    let (bytes, warning) = inline_image(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((image_value(&bytes), warning))
}

/// The bytes to inline: the file itself if it is a small JPEG/PNG/WebP, else a JPEG re-encoding
/// (and the warning that says so).
pub(super) fn inline_image(path: &Path) -> Result<(Vec<u8>, Option<Warning>), String> {
    let (bytes, format, _, _) = read_picture(path, MAX_IMAGE_FILE_BYTES)?;
    fit_inline(bytes, format, path)
}

/// An uploaded picture (the web console) as an inline IMAGE object, re-encoded to fit when
/// needed: checked by its content (never its name or declared type), under the same size and
/// pixel limits as a file. `name` names it in the warning.
pub fn inline_image_from_bytes(
    bytes: Vec<u8>,
    name: &str,
) -> Result<(Value, Option<Warning>), String> {
    if bytes.len() as u64 > MAX_IMAGE_FILE_BYTES {
        return Err(format!(
            "is {}; pictures over {} are refused",
            human_size(bytes.len() as u64),
            human_size(MAX_IMAGE_FILE_BYTES)
        ));
    }
    let (bytes, format, _, _) = check_picture(bytes)?;
    let (bytes, warning) = fit_inline(bytes, format, Path::new(name))?;
    Ok((image_value(&bytes), warning))
}

fn image_value(bytes: &[u8]) -> Value {
    Value::Object(Map::from_iter([
        (
            "inline".to_owned(),
            Value::from(base64::engine::general_purpose::STANDARD.encode(bytes)),
        ),
        (
            "sha256".to_owned(),
            Value::from(hex::encode(Sha256::digest(bytes))),
        ),
    ]))
}

fn fit_inline(
    bytes: Vec<u8>,
    format: ImageFormat,
    path: &Path,
) -> Result<(Vec<u8>, Option<Warning>), String> {
    // Decode even a file that is kept as is: a damaged picture is caught here, not on a board.
    let img = decode(&bytes, format)?;
    let fits = bytes.len() <= limits::INLINE_IMAGE_BYTES;
    if fits
        && matches!(
            format,
            ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP
        )
    {
        return Ok((bytes, None));
    }
    let (jpeg, width, height) = recompress(&img)?;
    let warning = Warning::ImageRecompressed {
        path: path.to_owned(),
        from_bytes: bytes.len() as u64,
        to_bytes: jpeg.len() as u64,
        width,
        height,
    };
    Ok((jpeg, Some(warning)))
}

/// Downscales to `MAX_LONG_SIDE`, then tries JPEG qualities from best to worst, then halves the
/// size and tries them again, until the result fits an inline image. Size goes last: a board
/// shows a picture large, and a lower quality shows less than a lower resolution.
pub(super) fn recompress(img: &DynamicImage) -> Result<(Vec<u8>, u32, u32), String> {
    let (w, h) = img.dimensions();
    let img = if w.max(h) > MAX_LONG_SIDE {
        img.resize(
            MAX_LONG_SIDE,
            MAX_LONG_SIDE,
            image::imageops::FilterType::CatmullRom,
        )
    } else {
        img.clone()
    };
    let mut rgb = flatten(&img);
    loop {
        for q in JPEG_QUALITIES {
            let jpeg = encode_jpeg(&rgb, q)?;
            if jpeg.len() <= limits::INLINE_IMAGE_BYTES {
                return Ok((jpeg, rgb.width(), rgb.height()));
            }
        }
        if rgb.width() <= 16 || rgb.height() <= 16 {
            break;
        }
        let (nw, nh) = (rgb.width() / 2, rgb.height() / 2);
        rgb = image::imageops::resize(&rgb, nw, nh, image::imageops::FilterType::Triangle);
    }
    Err(format!(
        "cannot be made smaller than {} KB; put it on a web server and use \
         image = {{ file = \"...\", url = \"https://...\" }}",
        limits::INLINE_IMAGE_BYTES / 1024
    ))
}

/// RGB for JPEG: transparent parts become white (posters and logos are drawn on white).
pub(super) fn flatten(img: &DynamicImage) -> image::RgbImage {
    if !img.color().has_alpha() {
        return img.to_rgb8();
    }
    let rgba = img.to_rgba8();
    image::RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let p = rgba.get_pixel(x, y).0;
        let a = u16::from(p[3]);
        let mix = |c: u8| ((u16::from(c) * a + 255 * (255 - a) + 127) / 255) as u8;
        image::Rgb([mix(p[0]), mix(p[1]), mix(p[2])])
    })
}

pub(super) fn encode_jpeg(rgb: &image::RgbImage, quality: u8) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(rgb)
        .map_err(|e| format!("could not be re-encoded as JPEG ({e})"))?;
    Ok(out)
}

/// The sha256 and size of a local copy of a picture boards will download from a URL.
pub(super) fn referenced_image(path: &Path) -> Result<(String, u64), String> {
    let (bytes, _, _, _) = read_picture(path, limits::URL_IMAGE_BYTES)?;
    Ok((hex::encode(Sha256::digest(&bytes)), bytes.len() as u64))
}
