//! Video clips: a local file checked the way a board will check it (container, codec, size,
//! length), its sha256 and size computed, and the URL boards fetch it from; or a URL with its
//! sha256 and size given by hand.

use super::*;

pub(super) const VIDEO_EXPECTED: &str =
    "a table { file = \"video/clip.mp4\", url = \"https://...\" } \
     (the file is checked here; boards fetch it from the URL) or { url = \"https://...\", \
     sha256 = \"...\", bytes = N }";

/// The `video` value of an item, checked.
pub(super) fn read_video(ctx: &mut Ctx, item: Option<usize>, v: &Toml) -> Option<Value> {
    let Toml::Table(t) = v else {
        ctx.expected(item, "video", VIDEO_EXPECTED, v);
        return None;
    };
    if t.contains_key("file") {
        check_keys(ctx, item, "video", t, &["file", "url"], |k| {
            matches!(k, "sha256" | "bytes")
                .then(|| format!("\"{k}\" is computed from the file; leave it out"))
        });
    } else {
        check_keys(ctx, item, "video", t, &["url", "sha256", "bytes"], |_| None);
    }
    let url = read_url(ctx, item, "video", t);
    if let Some(f) = t.get("file") {
        let rel = string_of(ctx, item, "video.file", f, "a file name in quotes")?;
        let path = resolve(ctx.base_dir, rel);
        return match checked_clip(&path) {
            Ok((sha, bytes, clip)) => {
                let url = url?;
                ctx.warnings.push(Warning::VideoChecked {
                    path: path.clone(),
                    sha256: sha.clone(),
                    what: format!("{} {}", clip.container, clip.codec),
                    width: clip.width,
                    height: clip.height,
                    millis: clip.length.as_millis() as u64,
                    url: url.clone(),
                });
                Some(url_image(url, sha, bytes))
            }
            Err(msg) => {
                ctx.error(item, "video.file", format!("\"{rel}\" {msg}"));
                None
            }
        };
    }
    let sha = match t.get("sha256") {
        Some(Toml::String(s)) if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Some(s.to_ascii_lowercase())
        }
        Some(other) => {
            ctx.expected(item, "video.sha256", "64 hexadecimal digits", other);
            None
        }
        None => {
            ctx.error(
                item,
                "video.sha256",
                "is missing (or give file = \"...\" and it is computed)",
            );
            None
        }
    };
    let bytes = match t.get("bytes") {
        Some(Toml::Integer(n)) if *n > 0 && (*n as u64) <= limits::VIDEO_BYTES => Some(*n as u64),
        Some(other) => {
            ctx.expected(
                item,
                "video.bytes",
                &format!(
                    "the size of the clip in bytes, 1 to {}",
                    limits::VIDEO_BYTES
                ),
                other,
            );
            None
        }
        None => {
            ctx.error(
                item,
                "video.bytes",
                "is missing (or give file = \"...\" and it is computed)",
            );
            None
        }
    };
    Some(url_image(url?, sha?, bytes?))
}

/// A clip file checked as a board checks it (default limits): its sha256, size and facts.
pub fn checked_clip(path: &Path) -> Result<(String, u64, bangtin_video::Clip), String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot be read: {e}"))?;
    if !meta.is_file() {
        return Err("is not a file".into());
    }
    if meta.len() > limits::VIDEO_BYTES {
        return Err(format!(
            "is {} MiB, more than the {} MiB a clip may be",
            meta.len() / (1024 * 1024),
            limits::VIDEO_BYTES / (1024 * 1024)
        ));
    }
    let clip =
        bangtin_video::probe(path, &bangtin_video::Limits::default()).map_err(|e| e.to_string())?;
    let mut file = std::fs::File::open(path).map_err(|e| format!("cannot be read: {e}"))?;
    let mut hasher = Sha256::new();
    let bytes =
        std::io::copy(&mut file, &mut hasher).map_err(|e| format!("cannot be read: {e}"))?;
    Ok((hex::encode(hasher.finalize()), bytes, clip))
}
