//! A video posted with the compose form: checked as a board will check it (container, codec,
//! size, length), its first frame kept as the poster previews draw, and the web address boards
//! fetch it from. The console never fetches that address: the officer (or whoever hosts the
//! district's files) puts the same file there.

use crate::i18n::Lang;
use bangtin_protocol::content::limits;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// Where posters are kept: beside the database.
pub fn posters_dir(database: &Path) -> PathBuf {
    database.parent().unwrap_or(Path::new(".")).join("posters")
}

/// The poster of the clip `sha256`, if one was kept.
pub fn poster_path(posters: &Path, sha256: &str) -> Option<PathBuf> {
    let ok = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit());
    ok.then(|| posters.join(format!("{sha256}.png")))
}

fn url_ok(url: &str) -> bool {
    (url.starts_with("https://") && url.len() > 8 || url.starts_with("http://") && url.len() > 7)
        && url.len() <= limits::URL_CHARS
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// The web-address error, if `url` is not one boards can fetch.
pub fn url_error(url: &str, lang: Lang) -> Option<String> {
    (!url_ok(url)).then(|| {
        lang.pick(
            "Nhập địa chỉ web (http:// hoặc https://) nơi đặt tệp video này: bảng tin tải video từ đó.".to_owned(),
            "Give the web address (http:// or https://) where this video file is: boards fetch it from there.".to_owned(),
        )
    })
}

/// Checks an uploaded clip; returns the item's `video` value and a note for the officer, or
/// `(field, message)` to show on the form.
pub fn checked(
    bytes: &[u8],
    url: &str,
    posters: &Path,
    lang: Lang,
) -> Result<(Value, String), (&'static str, String)> {
    let url = url.trim();
    if let Some(e) = url_error(url, lang) {
        return Err(("video_url", e));
    }
    let refused = |e: String| {
        (
            "video",
            lang.pick(
                format!("Video không dùng được: {e}"),
                format!("This video cannot be used: {e}"),
            ),
        )
    };
    let mut file = tempfile::NamedTempFile::new().map_err(|e| refused(e.to_string()))?;
    std::io::Write::write_all(&mut file, bytes).map_err(|e| refused(e.to_string()))?;
    let (sha256, size, clip) = bangtin_staff::source::checked_clip(file.path()).map_err(refused)?;
    match bangtin_video::poster(file.path(), std::time::Duration::from_secs(10)) {
        Ok((w, h, rgba)) => {
            let png = bangtin_media::encode_png(&rgba, w, h, true);
            let saved = std::fs::create_dir_all(posters).and_then(|()| {
                let path = poster_path(posters, &sha256).ok_or(std::io::ErrorKind::InvalidInput)?;
                std::fs::write(path, png.map_err(std::io::Error::other)?)
            });
            if let Err(e) = saved {
                log::warn!("the poster of the clip {sha256} could not be kept: {e}");
            }
        }
        Err(e) => log::warn!("no poster for the clip {sha256}: {e}"),
    }
    let note = bangtin_staff::Msg::VideoChecked {
        what: format!("{} {}", clip.container, clip.codec),
        width: clip.width,
        height: clip.height,
        millis: clip.length.as_millis() as u64,
        url: url.to_owned(),
    }
    .text(lang.staff());
    Ok((json!({"url": url, "sha256": sha256, "bytes": size}), note))
}
