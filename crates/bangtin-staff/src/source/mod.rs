//! The file district and commune officers write, turned into a channel.
//!
//! Officers (cán bộ huyện, xã) are not engineers. They write an announcement (thông báo) in a
//! text file and run `bangtin publish FILE`. This module reads that file and produces the
//! channel object of the wire protocol (`{"items": [...]}`, docs/protocol.md) and the place it
//! is published to (an area or one board). The officers' guide, in Vietnamese, with complete
//! examples, is docs/publishing.md.
//!
//! It must never let a mistake through silently: an unknown key is an error (a typo such as
//! `duraton` must not be dropped), and every problem in the file is reported at once, each with
//! the file name, the key, what was expected and what was found. It never panics on any input,
//! never touches the network, and never repairs legacy Vietnamese encodings (TCVN3, VNI): that
//! is another module's job, done on the result. It only NFC-normalises text.
//!
//! # Two formats
//!
//! **Markdown with a TOML front matter** (`.md`, `.markdown`): one announcement per file, the
//! common case. The front matter sits between two `+++` lines; the first line of the text, if it
//! starts with `# `, is the title; the rest is the body.
//!
//! ```markdown
//! +++
//! area = "vn/ha-noi/dong-anh/xuan-non"    # or: board = "xuan-non-01"
//! id = "tiem-chung-2411"                   # optional: made from the file name if absent
//! class = "priority"                       # optional: "normal" (default) or "priority"
//! duration = 15                            # optional: seconds on screen, 3..=600
//! valid_from = 2026-11-20                  # optional: from 00:00 that day (+07:00)
//! valid_until = 2026-11-25                 # optional: to the END of that day
//! days = ["t2", "t3", "t4", "t5", "t6"]    # optional: mon..sun or t2..t7, cn; ranges "t2-t6"
//! hours = ["06:00-11:00", "13:30-21:00"]   # optional
//! image = "anh/tiem-chung.jpg"             # optional: relative to this file's folder
//! qr = "https://dichvucong.gov.vn"         # optional
//! ticker = "Tiêm chủng miễn phí ngày 24/11" # optional: extra ticker line(s)
//! +++
//! # Lịch tiêm chủng
//!
//! Đề nghị bà con đưa trẻ **đúng giờ**:
//!
//! - Thôn 1: 7h30
//! - Thôn 2: 9h00
//! ```
//!
//! becomes one `announcement` item (title "Lịch tiêm chủng", body "Đề nghị bà con đưa trẻ đúng
//! giờ:\n\n• Thôn 1: 7h30\n• Thôn 2: 9h00") and one `ticker` item with the id
//! `tiem-chung-2411-tin-van`, which inherits the announcement's validity, days and hours.
//!
//! **TOML** (`.toml`): a whole channel. Top-level `area` or `board`, then one `[[item]]` table
//! per item with `type = "announcement" | "image" | "ticker" | "video"` and the same keys as
//! above, plus `title`, `body` (Markdown, reduced as below) for announcements, `caption` for
//! images and videos, `text` for tickers, and for videos `video = { file = "clip.mp4", url =
//! "https://..." }` (the file is probed as a board will: MP4/MKV/WebM, H.264/HEVC/VP9/AV1,
//! at most 1920x1080 and 600 s; boards fetch it from the URL) and `audio = true` to play its
//! sound. A video without `duration` lasts as long as its clip. An item without `id` gets `FILE-N` (N counts from 1).
//!
//! ```toml
//! board = "xuan-non-01"
//!
//! [[item]]
//! type = "announcement"
//! id = "hop-dan"
//! title = "Họp dân thôn 3"
//! body = "Lúc 19h30 thứ Sáu tại nhà văn hoá thôn."
//!
//! [[item]]
//! type = "image"
//! id = "le-hoi"
//! image = { url = "https://cdn.example.vn/le-hoi.jpg", sha256 = "…64 hex…", bytes = 183211 }
//! caption = "Lễ hội làng Xuân Nộn"
//!
//! [[item]]
//! type = "ticker"
//! text = "Tin vắn: lịch cắt điện ngày 26/11"
//! ```
//!
//! Other files are Markdown if they start with `+++`, TOML otherwise.
//!
//! # Rules
//!
//! - Body Markdown is reduced to plain text: each line stays a line and a blank line separates
//!   paragraphs (unlike CommonMark, which joins the lines of a paragraph: officers break lines
//!   on purpose, "Thời gian: …" / "Địa điểm: …"); `- `, `* `, `+ ` list items become `• `;
//!   `**bold**`, `_em_`, `~~strike~~` and `` `code` `` lose their markers; `[text](url)`
//!   becomes `text (url)` and `<https://…>` the bare URL; headings, quotes and rules lose their
//!   marks. HTML tags and pictures inside the text are errors (the picture belongs in `image`).
//! - Times: TOML datetimes or strings; RFC 3339 with an offset, a local date-time
//!   (`2026-11-20 08:00`, also `20/11/2026 08:00`) read as +07:00, or a bare date
//!   (`2026-11-20`, `20/11/2026`). A bare date in `valid_from` means 00:00 +07:00 that day; in
//!   `valid_until` it means the end of that day, i.e. 00:00 +07:00 the next day (exclusive).
//! - `hours`: `"HH:MM-HH:MM"` strings (also `"6h30-21h"`) or `{from, to}` tables; a range whose
//!   end is before its start crosses midnight.
//! - `image`: a local file path (inlined as is if it is a JPEG, PNG or WebP of at most 256 KiB;
//!   otherwise re-encoded: upright per its EXIF orientation, transparency on white, long side
//!   at most 1920 px, JPEG quality 85, 75, 65, 55, 45, then half the size and the same
//!   qualities again, until it fits; a [`Warning::ImageRecompressed`] says so),
//!   `{url, sha256, bytes}` (passed as is), or `{file, url}` (an uploaded copy of a local file,
//!   whose sha256 and size are computed here). Files over 64 MiB or 40 megapixels are refused
//!   before decoding.
//! - Every text field is NFC-normalised. Limits are those of `bangtin_protocol::content::limits`; the
//!   whole channel must also fit a message once signed.
//!
//! A topic holds one channel, so one-announcement files published one by one replace each
//! other: [`load_all`] reads several files for the same target into one channel.

mod ctx;
mod fields;
mod formats;
mod items;
mod markdown;
mod pictures;
mod videos;
mod when;

use crate::target::Target;
use bangtin_protocol::content::limits;
use bangtin_protocol::ids::{is_slug, is_valid_id};
use base64::Engine as _;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat};
use ctx::*;
use fields::*;
use formats::*;
use image::{DynamicImage, GenericImageView as _, ImageDecoder as _, ImageFormat, ImageReader};
use items::*;
use markdown::*;
use pictures::*;
pub use pictures::{inline_image_from_bytes, inline_image_value};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::fmt;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use toml::Value as Toml;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;
pub use videos::checked_clip;
use videos::*;
use when::*;

/// A source text file larger than this cannot become a channel a board accepts.
const MAX_SOURCE_BYTES: u64 = limits::MESSAGE_BYTES as u64;
/// Picture files larger than this are refused before they are read.
const MAX_IMAGE_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Pictures with more pixels than this are refused before they are decoded.
const MAX_IMAGE_PIXELS: u64 = 40_000_000;
/// The longest side, in pixels, a re-encoded picture keeps.
const MAX_LONG_SIDE: u32 = 1920;
/// JPEG qualities tried in turn when re-encoding, at each size.
const JPEG_QUALITIES: [u8; 5] = [85, 75, 65, 55, 45];
/// Boards read days and hours in this zone by default (Asia/Ho_Chi_Minh, no DST).
/// Room left in a message for the envelope and body around the channel.
const ENVELOPE_OVERHEAD: usize = 1024;

/// What a source file becomes: where to publish, the channel object and what the officer should
/// know about (nothing in `warnings` stops publishing).
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub target: Target,
    /// The channel object of the wire protocol: `{"items": [...]}`.
    pub channel: Value,
    pub warnings: Vec<Warning>,
}

/// Something the officer should know; the caller words it for them (its `Display` is English).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// A picture was too large, or not JPEG/PNG/WebP, and was re-encoded as JPEG.
    ImageRecompressed {
        path: PathBuf,
        from_bytes: u64,
        to_bytes: u64,
        width: u32,
        height: u32,
    },
    /// An item had no `id`, so one was made from the file name.
    IdFromFileName { id: String },
    /// The file has no items: publishing it clears the channel on every board it reaches.
    EmptyChannel,
    /// A video file was checked as a board will check it; boards fetch it from `url`.
    VideoChecked {
        path: PathBuf,
        sha256: String,
        /// Container and codec: "MP4 H.264".
        what: String,
        width: u32,
        height: u32,
        millis: u64,
        url: String,
    },
}

impl Warning {
    /// The note in the officer's language (the file it is about, if any, is [`Warning::path`]).
    pub fn text(&self, lang: crate::Lang) -> String {
        let msg = match self {
            Warning::ImageRecompressed {
                from_bytes,
                to_bytes,
                width,
                height,
                ..
            } => crate::Msg::ImageRecompressed {
                before_bytes: *from_bytes,
                after_bytes: *to_bytes,
                width: *width,
                height: *height,
            },
            Warning::VideoChecked {
                what,
                width,
                height,
                millis,
                url,
                ..
            } => crate::Msg::VideoChecked {
                what: what.clone(),
                width: *width,
                height: *height,
                millis: *millis,
                url: url.clone(),
            },
            other => return other.to_string(),
        };
        msg.text(lang)
    }

    /// The picture or clip file the note is about.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Warning::ImageRecompressed { path, .. } | Warning::VideoChecked { path, .. } => {
                Some(path)
            }
            _ => None,
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::ImageRecompressed {
                path,
                from_bytes,
                to_bytes,
                width,
                height,
            } => write!(
                f,
                "picture {} was recompressed: {} -> {}, {width}x{height}",
                path.display(),
                human_size(*from_bytes),
                human_size(*to_bytes)
            ),
            Warning::IdFromFileName { id } => {
                write!(f, "no id given; using \"{id}\", made from the file name")
            }
            Warning::EmptyChannel => write!(
                f,
                "the file has no items: publishing it clears this channel from the boards"
            ),
            Warning::VideoChecked {
                path,
                what,
                width,
                height,
                millis,
                url,
                ..
            } => write!(
                f,
                "video {}: {what} {width}x{height}, {:.1} s: boards can play it; they fetch it \
                 from {url}: put the file there before publishing",
                path.display(),
                *millis as f64 / 1000.0
            ),
        }
    }
}

/// Reads a .md / .markdown / .toml file (decided by extension; otherwise by sniffing "+++" at
/// the start). Pictures are looked up relative to the file's folder.
pub fn load(path: &Path) -> Result<Source, Vec<String>> {
    let name = path.display().to_string();
    let fail = |msg: String| Err(vec![format!("{name}: {msg}")]);
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return fail(format!("cannot read the file: {e}")),
    };
    if !meta.is_file() {
        return fail("is not a file".into());
    }
    if meta.len() > MAX_SOURCE_BYTES {
        return fail(format!(
            "is {}, more than a channel may hold ({}); split it into several files",
            human_size(meta.len()),
            human_size(MAX_SOURCE_BYTES)
        ));
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return fail(format!("cannot read the file: {e}")),
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            return fail(format!(
                "is not UTF-8 text (byte {} is not); save it again as UTF-8 \
                 (in Notepad: Save As, Encoding: UTF-8)",
                e.utf8_error().valid_up_to() + 1
            ))
        }
    };
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    let markdown = match ext.as_deref() {
        Some("md" | "markdown") => true,
        Some("toml") => false,
        _ => text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with("+++"),
    };
    let base_dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    parse(&text, &name, base_dir, markdown)
}

/// Parses text already read (base_dir for relative image paths, name for messages and for the
/// ids made from the file name).
pub fn parse(
    text: &str,
    name: &str,
    base_dir: &Path,
    markdown: bool,
) -> Result<Source, Vec<String>> {
    let mut ctx = Ctx {
        name,
        stem: Path::new(name)
            .file_stem()
            .map(|s| slugify(&s.to_string_lossy()))
            .unwrap_or_default(),
        base_dir,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let parsed = if markdown {
        from_markdown(&mut ctx, &text)
    } else {
        from_toml(&mut ctx, &text)
    };
    let Some((target, items)) = parsed else {
        if ctx.errors.is_empty() {
            ctx.error(None, "", "could not be read");
        }
        return Err(ctx.errors);
    };
    check_ids(&mut ctx, &items);
    if items.is_empty() {
        ctx.warnings.push(Warning::EmptyChannel);
    }
    let channel = finish(&mut ctx, items.into_iter().map(|i| i.value).collect());
    if !ctx.errors.is_empty() {
        return Err(ctx.errors);
    }
    Ok(Source {
        target,
        channel,
        warnings: ctx.warnings,
    })
}

/// Reads several files published together as one channel (each topic holds one channel, so
/// announcements written one per file must be sent together to show together). They must all
/// name the same area or board, and their ids must differ. Every problem of every file is
/// reported.
pub fn load_all<P: AsRef<Path>>(paths: &[P]) -> Result<Source, Vec<String>> {
    let mut errors = Vec::new();
    let mut loaded = Vec::new();
    for p in paths {
        match load(p.as_ref()) {
            Ok(s) => loaded.push((p.as_ref().display().to_string(), s)),
            Err(e) => errors.extend(e),
        }
    }
    if paths.is_empty() {
        errors.push("no file given".to_owned());
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let first_name = loaded[0].0.clone();
    let target = loaded[0].1.target.clone();
    let mut ctx = Ctx {
        name: &first_name,
        stem: String::new(),
        base_dir: Path::new("."),
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let mut items: Vec<Value> = Vec::new();
    let mut owners: Vec<(String, String)> = Vec::new();
    for (name, source) in loaded {
        if source.target != target {
            ctx.errors.push(format!(
                "{name}: is published to {} but {first_name} to {}; files published together \
                 must name the same area or board",
                source.target.topic_suffix(),
                target.topic_suffix()
            ));
        }
        let list = match source.channel.get("items") {
            Some(Value::Array(a)) => a.clone(),
            _ => Vec::new(),
        };
        for item in list {
            let id = item
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            if let Some((_, other)) = owners.iter().find(|(i, _)| *i == id) {
                ctx.errors.push(format!(
                    "{name}: id \"{id}\" is already used in {other}; every item needs its own id"
                ));
            }
            owners.push((id, name.clone()));
            items.push(item);
        }
        // Whether the channel ends up empty is decided for all the files together.
        ctx.warnings.extend(
            source
                .warnings
                .into_iter()
                .filter(|w| *w != Warning::EmptyChannel),
        );
    }
    if items.is_empty() {
        ctx.warnings.push(Warning::EmptyChannel);
    }
    let channel = finish(&mut ctx, items);
    if !ctx.errors.is_empty() {
        return Err(ctx.errors);
    }
    Ok(Source {
        target,
        channel,
        warnings: ctx.warnings,
    })
}

/// The channel object, checked against the limits on the whole channel.
fn finish(ctx: &mut Ctx, items: Vec<Value>) -> Value {
    if items.len() > limits::ITEMS_PER_CHANNEL {
        ctx.error(
            None,
            "",
            format!(
                "has {} items (counting ticker lines); a channel may hold at most {}",
                items.len(),
                limits::ITEMS_PER_CHANNEL
            ),
        );
    }
    let channel = Value::Object(Map::from_iter([("items".to_owned(), Value::Array(items))]));
    check_size(ctx, &channel);
    channel
}

#[cfg(test)]
mod tests;
