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
//! per item with `type = "announcement" | "image" | "ticker"` and the same keys as above, plus
//! `title`, `body` (Markdown, reduced as below) for announcements, `caption` for images and
//! `text` for tickers. An item without `id` gets `FILE-N` (N counts from 1).
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
//! - Every text field is NFC-normalised. Limits are those of `crate::content::limits`; the
//!   whole channel must also fit a message once signed.
//!
//! A topic holds one channel, so one-announcement files published one by one replace each
//! other: [`load_all`] reads several files for the same target into one channel.

use crate::content::limits;
use base64::Engine as _;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat};
use image::{DynamicImage, GenericImageView as _, ImageDecoder as _, ImageFormat, ImageReader};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::fmt;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use toml::Value as Toml;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

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
const VN_OFFSET_S: i32 = 7 * 3600;
/// Room left in a message for the envelope and body around the channel.
const ENVELOPE_OVERHEAD: usize = 1024;

/// Where a channel is published: `P/content/AREA` or `P/content/board/ID`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Area(String),
    Board(String),
}

impl Target {
    /// The topic after `P/content/`: the area path, or `board/ID`.
    pub fn topic_suffix(&self) -> String {
        match self {
            Target::Area(a) => a.clone(),
            Target::Board(b) => format!("board/{b}"),
        }
    }

    /// The content topic under `prefix` (e.g. `bangtin/v1`).
    pub fn content_topic(&self, prefix: &str) -> String {
        format!(
            "{}/content/{}",
            prefix.trim_end_matches('/'),
            self.topic_suffix()
        )
    }
}

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

// ---------------------------------------------------------------------------------------------
// Collecting problems

struct Ctx<'a> {
    name: &'a str,
    /// The file name without extension, as an id slug (may be empty).
    stem: String,
    base_dir: &'a Path,
    errors: Vec<String>,
    warnings: Vec<Warning>,
}

impl Ctx<'_> {
    /// Records a problem of item `item` (1-based; `None` for the file or front matter) at `key`.
    fn error(&mut self, item: Option<usize>, key: &str, message: impl fmt::Display) {
        let place = match (item, key) {
            (None, "") => String::new(),
            (None, k) => format!("\"{k}\": "),
            (Some(n), "") => format!("item {n}: "),
            (Some(n), k) => format!("item {n}, \"{k}\": "),
        };
        self.errors.push(format!("{}: {place}{message}", self.name));
    }

    fn expected(&mut self, item: Option<usize>, key: &str, what: &str, found: &Toml) {
        self.error(
            item,
            key,
            format!("expected {what}, found {}", describe(found)),
        );
    }
}

/// A value as the officer wrote it, for "found ..." in messages.
fn describe(v: &Toml) -> String {
    match v {
        Toml::String(s) => {
            let short: String = s.chars().take(60).collect();
            if short.len() < s.len() {
                format!("\"{short}…\"")
            } else {
                format!("\"{s}\"")
            }
        }
        Toml::Integer(n) => n.to_string(),
        Toml::Float(x) => x.to_string(),
        Toml::Boolean(b) => b.to_string(),
        Toml::Datetime(d) => d.to_string(),
        Toml::Array(a) if a.is_empty() => "an empty list".into(),
        Toml::Array(_) => "a list".into(),
        Toml::Table(_) => "a table".into(),
    }
}

fn human_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else if bytes >= 1024 {
        format!("{} KB", (bytes + 512) / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// Reports every key of `table` not in `allowed`, suggesting the closest known one.
fn check_keys(
    ctx: &mut Ctx,
    item: Option<usize>,
    prefix: &str,
    table: &toml::Table,
    allowed: &[&str],
    hint: impl Fn(&str) -> Option<String>,
) {
    for key in table.keys() {
        if allowed.contains(&key.as_str()) {
            continue;
        }
        let full = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        let advice = hint(key)
            .or_else(|| {
                allowed
                    .iter()
                    .map(|k| (edit_distance(key, k), *k))
                    .filter(|(d, k)| *d <= 2 && *d < k.len())
                    .min()
                    .map(|(_, k)| format!("did you mean \"{k}\"?"))
            })
            .unwrap_or_else(|| format!("known keys here: {}", allowed.join(", ")));
        ctx.error(item, &full, format!("unknown key ({advice})"));
    }
}

/// Levenshtein distance, for "did you mean" hints on short keys.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

// ---------------------------------------------------------------------------------------------
// The two formats

const FRONT_MATTER_KEYS: &[&str] = &[
    "area",
    "board",
    "id",
    "title",
    "class",
    "duration",
    "valid_from",
    "valid_until",
    "days",
    "hours",
    "image",
    "qr",
    "ticker",
];
const TOP_KEYS: &[&str] = &["area", "board", "item"];
const COMMON_KEYS: &[&str] = &[
    "type",
    "id",
    "class",
    "duration",
    "valid_from",
    "valid_until",
    "days",
    "hours",
];
const ANNOUNCEMENT_KEYS: &[&str] = &["title", "body", "image", "qr", "ticker"];
const IMAGE_KEYS: &[&str] = &["image", "caption"];
const TICKER_KEYS: &[&str] = &["text"];

/// One finished item: its id, which item of the file it came from, and its wire form.
struct ItemOut {
    id: String,
    item: Option<usize>,
    value: Value,
}

fn from_markdown(ctx: &mut Ctx, text: &str) -> Option<(Target, Vec<ItemOut>)> {
    let (front, front_line, body, body_line) = split_front_matter(ctx, text)?;
    let table = parse_toml(ctx, front, front_line)?;
    check_keys(ctx, None, "", &table, FRONT_MATTER_KEYS, |k| match k {
        "type" => Some(
            "a Markdown file is always one announcement; write a .toml file for image or \
             ticker items"
                .into(),
        ),
        "body" => Some("the text goes below the closing +++ line".into()),
        "duration_s" => Some("did you mean \"duration\"?".into()),
        _ => None,
    });
    let target = read_target(ctx, &table);
    let id = read_id(ctx, &table, None, None);
    let sched = read_schedule(ctx, &table, None);
    let fm_title = opt_text(ctx, &table, None, "title", limits::TITLE_CHARS);

    let reduced = reduce_markdown(body, true);
    let title_given = table.contains_key("title") || reduced.title.is_some();
    for (line, msg) in &reduced.errors {
        ctx.error(None, "", format!("line {}: {msg}", line + body_line));
    }
    let title = match (fm_title, reduced.title) {
        (Some(t), Some((line, h))) => {
            ctx.error(
                None,
                "title",
                format!(
                    "the title is given twice: title = \"{t}\" above and \"# {h}\" on line {}; \
                     keep one",
                    line + body_line
                ),
            );
            None
        }
        (Some(t), None) => Some(t),
        (None, Some((_, h))) => {
            let h = nfc(&h);
            let n = h.chars().count();
            if n > limits::TITLE_CHARS {
                ctx.error(
                    None,
                    "",
                    format!(
                        "the title (\"# …\" line) may be at most {} characters, found {n}",
                        limits::TITLE_CHARS
                    ),
                );
            }
            (!h.is_empty()).then_some(h)
        }
        (None, None) => None,
    };
    let body = nfc(&reduced.body);
    let n = body.chars().count();
    if n > limits::BODY_CHARS {
        ctx.error(
            None,
            "",
            format!(
                "the text below the title may be at most {} characters, found {n}; \
                 shorten it or split it into several announcements",
                limits::BODY_CHARS
            ),
        );
    }
    let body = (!body.is_empty()).then_some(body);
    let image = table
        .get("image")
        .and_then(|v| read_image(ctx, None, "image", v));
    let qr = opt_text(ctx, &table, None, "qr", limits::QR_CHARS);
    let tickers = read_tickers(ctx, &table, None);
    if title.is_none() && body.is_none() && !title_given {
        ctx.error(
            None,
            "",
            "has no title and no text: write a \"# Title\" line and some text below the \
             closing +++ line",
        );
    }
    let id = id?;
    let mut items = vec![ItemOut {
        id: id.clone(),
        item: None,
        value: announcement(&id, &sched, title, body, image, qr),
    }];
    items.extend(ticker_items(&id, None, &sched, tickers));
    Some((target?, items))
}

/// Splits `+++ TOML +++ BODY` (blank lines before the first `+++` are allowed); returns the
/// front matter, how many lines come before it, the body and how many lines come before that.
fn split_front_matter<'t>(
    ctx: &mut Ctx,
    text: &'t str,
) -> Option<(&'t str, usize, &'t str, usize)> {
    let mut offset = 0;
    let mut line = 0;
    let mut opened = false;
    let mut front_start = 0;
    let mut front_line = 0;
    for l in text.split_inclusive('\n') {
        line += 1;
        let t = l.trim_end();
        if !opened {
            if t.trim_start().is_empty() {
                offset += l.len();
                continue;
            }
            if t != "+++" {
                let msg = if t == "---" {
                    "the settings block must be between two +++ lines (TOML), not --- (YAML)"
                } else {
                    "must start with a +++ line: the settings block (at least area = \"...\" or \
                     board = \"...\") goes between two +++ lines, the text after them"
                };
                ctx.error(None, "", msg);
                return None;
            }
            opened = true;
            offset += l.len();
            front_start = offset;
            front_line = line;
            continue;
        }
        if t == "+++" {
            let front = &text[front_start..offset];
            let body = &text[offset + l.len()..];
            return Some((front, front_line, body, line));
        }
        offset += l.len();
    }
    let msg = if opened {
        format!(
            "the settings block that starts with +++ on line {} has no closing +++ line",
            front_line
        )
    } else {
        "is empty: write the settings block between two +++ lines, then the text".to_owned()
    };
    ctx.error(None, "", msg);
    None
}

fn from_toml(ctx: &mut Ctx, text: &str) -> Option<(Target, Vec<ItemOut>)> {
    let table = parse_toml(ctx, text, 0)?;
    check_keys(ctx, None, "", &table, TOP_KEYS, |k| match k {
        "items" => Some("write [[item]] for each item".into()),
        _ if ALL_ITEM_KEYS.contains(&k) => Some(format!(
            "\"{k}\" belongs to an item: put it under an [[item]] line"
        )),
        _ => None,
    });
    let target = read_target(ctx, &table);
    let tables: Vec<&toml::Table> = match table.get("item") {
        None => Vec::new(),
        Some(Toml::Array(a)) => {
            let mut out = Vec::new();
            for (i, v) in a.iter().enumerate() {
                match v {
                    Toml::Table(t) => out.push(t),
                    other => ctx.expected(Some(i + 1), "", "a table ([[item]])", other),
                }
            }
            out
        }
        Some(Toml::Table(_)) => {
            ctx.error(
                None,
                "item",
                "write [[item]] with two brackets on each side, one per item",
            );
            Vec::new()
        }
        Some(other) => {
            ctx.expected(None, "item", "[[item]] tables", other);
            Vec::new()
        }
    };
    let mut items = Vec::new();
    for (i, t) in tables.into_iter().enumerate() {
        items.extend(toml_item(ctx, t, i + 1));
    }
    Some((target?, items))
}

const ALL_ITEM_KEYS: &[&str] = &[
    "type",
    "id",
    "class",
    "duration",
    "valid_from",
    "valid_until",
    "days",
    "hours",
    "title",
    "body",
    "image",
    "qr",
    "ticker",
    "caption",
    "text",
];

fn toml_item(ctx: &mut Ctx, t: &toml::Table, n: usize) -> Vec<ItemOut> {
    let item = Some(n);
    let kind = match t.get("type") {
        Some(Toml::String(s)) if matches!(s.as_str(), "announcement" | "image" | "ticker") => {
            Some(s.as_str())
        }
        Some(other) => {
            ctx.expected(
                item,
                "type",
                "\"announcement\", \"image\" or \"ticker\"",
                other,
            );
            None
        }
        None => {
            ctx.error(
                item,
                "type",
                "is missing: say type = \"announcement\", \"image\" or \"ticker\"",
            );
            None
        }
    };
    let own: &[&str] = match kind {
        Some("announcement") => ANNOUNCEMENT_KEYS,
        Some("image") => IMAGE_KEYS,
        Some("ticker") => TICKER_KEYS,
        _ => &[],
    };
    let allowed: Vec<&str> = if kind.is_some() {
        COMMON_KEYS.iter().chain(own).copied().collect()
    } else {
        ALL_ITEM_KEYS.to_vec()
    };
    let kind_name = kind.unwrap_or("");
    check_keys(ctx, item, "", t, &allowed, |k| {
        let owner = [
            ("announcement", ANNOUNCEMENT_KEYS),
            ("image", IMAGE_KEYS),
            ("ticker", TICKER_KEYS),
        ]
        .into_iter()
        .find(|(_, keys)| keys.contains(&k))
        .map(|(name, _)| name);
        match (k, owner) {
            ("duration_s", _) => Some("did you mean \"duration\"?".into()),
            (_, Some(owner)) => Some(format!(
                "a {kind_name} item has no \"{k}\"; it belongs to type = \"{owner}\""
            )),
            _ => None,
        }
    });
    let id = read_id(ctx, t, item, Some(n));
    let sched = read_schedule(ctx, t, item);
    let Some(kind) = kind else {
        return Vec::new();
    };
    match kind {
        "announcement" => {
            let title = opt_text(ctx, t, item, "title", limits::TITLE_CHARS);
            let body = match t.get("body") {
                None => None,
                Some(Toml::String(s)) => {
                    let reduced = reduce_markdown(s, false);
                    for (line, msg) in &reduced.errors {
                        ctx.error(item, "body", format!("line {line}: {msg}"));
                    }
                    let body = nfc(&reduced.body);
                    let n = body.chars().count();
                    if n > limits::BODY_CHARS {
                        ctx.error(
                            item,
                            "body",
                            format!(
                                "may be at most {} characters, found {n}",
                                limits::BODY_CHARS
                            ),
                        );
                    }
                    (!body.is_empty()).then_some(body)
                }
                Some(other) => {
                    ctx.expected(item, "body", "text in quotes (\"\"\"...\"\"\")", other);
                    None
                }
            };
            let image = t
                .get("image")
                .and_then(|v| read_image(ctx, item, "image", v));
            let qr = opt_text(ctx, t, item, "qr", limits::QR_CHARS);
            let tickers = read_tickers(ctx, t, item);
            if title.is_none() && body.is_none() && !t.contains_key("title") {
                ctx.error(
                    item,
                    "",
                    "an announcement needs a \"title\" or a \"body\" (or both)",
                );
            }
            let Some(id) = id else { return Vec::new() };
            let mut out = vec![ItemOut {
                id: id.clone(),
                item,
                value: announcement(&id, &sched, title, body, image, qr),
            }];
            out.extend(ticker_items(&id, item, &sched, tickers));
            out
        }
        "image" => {
            let image = match t.get("image") {
                Some(v) => read_image(ctx, item, "image", v),
                None => {
                    ctx.error(item, "image", "is required for an image item");
                    None
                }
            };
            let caption = opt_text(ctx, t, item, "caption", limits::CAPTION_CHARS);
            let (Some(id), Some(image)) = (id, image) else {
                return Vec::new();
            };
            let mut m = Map::new();
            m.insert("id".into(), id.clone().into());
            m.insert("type".into(), "image".into());
            m.insert("class".into(), sched.class.unwrap_or("normal").into());
            m.insert("image".into(), image);
            if let Some(c) = caption {
                m.insert("caption".into(), c.into());
            }
            put_schedule(&mut m, &sched, true);
            vec![ItemOut {
                id,
                item,
                value: Value::Object(m),
            }]
        }
        _ => {
            let text = opt_text(ctx, t, item, "text", limits::TICKER_CHARS);
            if text.is_none() && !t.contains_key("text") {
                ctx.error(item, "text", "is required for a ticker item");
            }
            let (Some(id), Some(text)) = (id, text) else {
                return Vec::new();
            };
            vec![ItemOut {
                id: id.clone(),
                item,
                value: ticker(&id, &sched, &text),
            }]
        }
    }
}

fn parse_toml(ctx: &mut Ctx, text: &str, line_offset: usize) -> Option<toml::Table> {
    match toml::from_str::<toml::Table>(text) {
        Ok(t) => Some(t),
        Err(e) => {
            let place = e.span().map_or(String::new(), |s| {
                let before = text.get(..s.start).unwrap_or(text);
                let line = before.matches('\n').count() + 1 + line_offset;
                let col = before
                    .rsplit('\n')
                    .next()
                    .map_or(1, |l| l.chars().count() + 1);
                format!("line {line}, column {col}: ")
            });
            let msg = e.message().trim().replace('\n', "; ");
            ctx.errors.push(format!(
                "{}: {place}this is not valid TOML: {msg} (text values need quotes: \
                 title = \"...\"; lists need brackets: days = [\"t2\", \"t3\"])",
                ctx.name
            ));
            None
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Fields

fn read_target(ctx: &mut Ctx, t: &toml::Table) -> Option<Target> {
    match (t.get("area"), t.get("board")) {
        (Some(_), Some(_)) => {
            ctx.error(
                None,
                "board",
                "give either area = \"...\" or board = \"...\", not both",
            );
            None
        }
        (None, None) => {
            ctx.error(
                None,
                "area",
                "is missing: say where to publish, with area = \"vn/ha-noi/dong-anh/xuan-non\" \
                 or board = \"xuan-non-01\"",
            );
            None
        }
        (Some(v), None) => {
            let s = string_of(
                ctx,
                None,
                "area",
                v,
                "an area path such as \"vn/ha-noi/dong-anh\"",
            )?;
            let trimmed = s.trim().trim_matches('/');
            if !trimmed.is_empty() && trimmed.split('/').all(is_slug) {
                return Some(Target::Area(trimmed.to_owned()));
            }
            let suggestion: Vec<String> = trimmed.split('/').map(slugify).collect();
            let hint = if suggestion.iter().all(|s| !s.is_empty()) {
                format!(" (did you mean \"{}\"?)", suggestion.join("/"))
            } else {
                String::new()
            };
            ctx.expected(
                None,
                "area",
                &format!(
                    "an area path of parts made of a-z, 0-9 and '-', separated by '/', such as \
                     \"vn/ha-noi/dong-anh\"{hint}"
                ),
                v,
            );
            None
        }
        (None, Some(v)) => {
            let s = string_of(ctx, None, "board", v, "a board id such as \"xuan-non-01\"")?;
            let trimmed = s.trim();
            if is_slug(trimmed) {
                return Some(Target::Board(trimmed.to_owned()));
            }
            ctx.expected(
                None,
                "board",
                "a board id made of a-z, 0-9 and '-', such as \"xuan-non-01\"",
                v,
            );
            None
        }
    }
}

/// A segment of an area path or a board id: `[a-z0-9-]{1,64}`.
fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The id rule of the wire protocol (copied from `crate::content::parse::is_valid_id`).
fn is_valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= limits::ID_CHARS
        && !s.starts_with(['.', '-'])
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The `id`, or one made from the file name (`FILE` for Markdown, `FILE-N` for item N of a
/// TOML channel), with a warning.
fn read_id(
    ctx: &mut Ctx,
    t: &toml::Table,
    item: Option<usize>,
    n: Option<usize>,
) -> Option<String> {
    match t.get("id") {
        Some(Toml::String(s)) if is_valid_id(s.trim()) => Some(s.trim().to_owned()),
        Some(other) => {
            let hint = match other {
                Toml::String(s) if !slugify(s).is_empty() => {
                    format!(" (did you mean \"{}\"?)", slugify(s))
                }
                _ => String::new(),
            };
            ctx.expected(
                item,
                "id",
                &format!(
                    "1 to {} letters a-z, digits and '-' (no spaces or accents){hint}",
                    limits::ID_CHARS
                ),
                other,
            );
            None
        }
        None => {
            let id = match n {
                None => ctx.stem.clone(),
                Some(n) => {
                    let suffix = format!("-{n}");
                    let mut base = ctx.stem.clone();
                    base.truncate(limits::ID_CHARS - suffix.len());
                    let base = base.trim_end_matches('-');
                    if base.is_empty() {
                        String::new()
                    } else {
                        format!("{base}{suffix}")
                    }
                }
            };
            if id.is_empty() {
                ctx.error(
                    item,
                    "id",
                    "is missing and cannot be made from the file name; write id = \"...\"",
                );
                return None;
            }
            ctx.warnings
                .push(Warning::IdFromFileName { id: id.clone() });
            Some(id)
        }
    }
}

fn string_of<'v>(
    ctx: &mut Ctx,
    item: Option<usize>,
    key: &str,
    v: &'v Toml,
    what: &str,
) -> Option<&'v str> {
    match v {
        Toml::String(s) => Some(s),
        other => {
            ctx.expected(item, key, what, other);
            None
        }
    }
}

/// An optional one-line text field: NFC, line breaks to spaces, trimmed, 1..=max characters.
fn opt_text(
    ctx: &mut Ctx,
    t: &toml::Table,
    item: Option<usize>,
    key: &str,
    max: usize,
) -> Option<String> {
    let v = t.get(key)?;
    let s = string_of(ctx, item, key, v, "text in quotes")?;
    let s = one_line(s);
    let n = s.chars().count();
    if n == 0 {
        ctx.error(item, key, "is empty; write some text or leave the key out");
        None
    } else if n > max {
        ctx.error(
            item,
            key,
            format!("may be at most {max} characters, found {n}"),
        );
        None
    } else {
        Some(s)
    }
}

fn one_line(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .filter(|c| !c.is_control())
        .collect();
    nfc(s.trim())
}

fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// `ticker = "..."` or a list of them.
fn read_tickers(ctx: &mut Ctx, t: &toml::Table, item: Option<usize>) -> Vec<String> {
    let Some(v) = t.get("ticker") else {
        return Vec::new();
    };
    let texts: Vec<&Toml> = match v {
        Toml::Array(a) if !a.is_empty() => a.iter().collect(),
        Toml::String(_) => vec![v],
        other => {
            ctx.expected(item, "ticker", "a text or a list of texts", other);
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (i, v) in texts.into_iter().enumerate() {
        let key = if matches!(t.get("ticker"), Some(Toml::Array(_))) {
            format!("ticker[{}]", i + 1)
        } else {
            "ticker".to_owned()
        };
        let Some(s) = string_of(ctx, item, &key, v, "text in quotes") else {
            continue;
        };
        let s = one_line(s);
        let n = s.chars().count();
        if n == 0 || n > limits::TICKER_CHARS {
            ctx.error(
                item,
                &key,
                format!(
                    "must be 1 to {} characters, found {n}",
                    limits::TICKER_CHARS
                ),
            );
            continue;
        }
        out.push(s);
    }
    out
}

/// When and how an item shows; `None` is "not given".
#[derive(Default)]
struct Schedule {
    class: Option<&'static str>,
    duration: Option<u32>,
    valid_from: Option<DateTime<FixedOffset>>,
    valid_until: Option<DateTime<FixedOffset>>,
    days: Option<Vec<&'static str>>,
    hours: Option<Vec<(u16, u16)>>,
}

fn read_schedule(ctx: &mut Ctx, t: &toml::Table, item: Option<usize>) -> Schedule {
    let mut s = Schedule::default();
    if let Some(v) = t.get("class") {
        let folded = if let Toml::String(x) = v {
            fold(x)
        } else {
            String::new()
        };
        match folded.as_str() {
            "normal" | "thuong" | "thongthuong" => s.class = Some("normal"),
            "priority" | "uutien" => s.class = Some("priority"),
            _ => ctx.expected(
                item,
                "class",
                "\"normal\" (thông thường) or \"priority\" (ưu tiên); emergencies are sent \
                 as alerts with bangtin alert",
                v,
            ),
        }
    }
    if let Some(v) = t.get("duration") {
        let range = limits::DURATION_S;
        match v {
            Toml::Integer(n) if (*range.start() as i64..=*range.end() as i64).contains(n) => {
                s.duration = Some(*n as u32)
            }
            other => ctx.expected(
                item,
                "duration",
                &format!(
                    "a whole number of seconds from {} to {}",
                    range.start(),
                    range.end()
                ),
                other,
            ),
        }
    }
    s.valid_from = t
        .get("valid_from")
        .and_then(|v| read_time(ctx, item, "valid_from", v, Edge::Start));
    s.valid_until = t
        .get("valid_until")
        .and_then(|v| read_time(ctx, item, "valid_until", v, Edge::End));
    if let (Some(from), Some(until)) = (s.valid_from, s.valid_until) {
        if until <= from {
            ctx.error(
                item,
                "valid_until",
                format!(
                    "must be after valid_from ({}), found {}",
                    rfc3339(&from),
                    rfc3339(&until)
                ),
            );
        }
    }
    s.days = t.get("days").and_then(|v| read_days(ctx, item, v));
    s.hours = t.get("hours").and_then(|v| read_hours(ctx, item, v));
    s
}

/// Lowercase, without accents, spaces, dots or underscores: "Thứ Hai" -> "thuhai".
fn fold(s: &str) -> String {
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| if matches!(c, 'đ' | 'Đ') { 'd' } else { c })
        .flat_map(char::to_lowercase)
        .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '_'))
        .collect()
}

/// An id-like slug: ASCII `[a-z0-9-]`, accents dropped, at most 64 characters.
fn slugify(s: &str) -> String {
    let mut out = String::new();
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = if matches!(c, 'đ' | 'Đ') { 'd' } else { c };
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.truncate(limits::ID_CHARS);
    out.trim_end_matches('-').to_owned()
}

#[derive(Clone, Copy, PartialEq)]
enum Edge {
    Start,
    End,
}

fn vn_offset() -> FixedOffset {
    FixedOffset::east_opt(VN_OFFSET_S).expect("+07:00 is a valid offset")
}

fn rfc3339(t: &DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// A bare date: 00:00 +07:00 that day, or for an end, 00:00 +07:00 the next day.
fn date_edge(d: NaiveDate, edge: Edge) -> Option<DateTime<FixedOffset>> {
    let d = match edge {
        Edge::Start => d,
        Edge::End => d.succ_opt()?,
    };
    d.and_time(NaiveTime::MIN)
        .and_local_timezone(vn_offset())
        .single()
}

const TIME_EXPECTED: &str = "a date such as 2026-11-20, or a date and time such as \
                             2026-11-20 08:00 or 2026-11-20T08:00:00+07:00";

fn read_time(
    ctx: &mut Ctx,
    item: Option<usize>,
    key: &str,
    v: &Toml,
    edge: Edge,
) -> Option<DateTime<FixedOffset>> {
    let parsed = match v {
        Toml::Datetime(dt) => toml_time(dt, edge),
        Toml::String(s) => string_time(s.trim(), edge),
        _ => None,
    };
    if parsed.is_none() {
        ctx.expected(item, key, TIME_EXPECTED, v);
    }
    parsed
}

fn toml_time(dt: &toml::value::Datetime, edge: Edge) -> Option<DateTime<FixedOffset>> {
    let d = dt.date?;
    let date = NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into())?;
    let Some(t) = dt.time else {
        return date_edge(date, edge);
    };
    let time = NaiveTime::from_hms_nano_opt(
        t.hour.into(),
        t.minute.into(),
        t.second.into(),
        t.nanosecond,
    )?;
    let offset = match dt.offset {
        None => vn_offset(),
        Some(toml::value::Offset::Z) => FixedOffset::east_opt(0)?,
        Some(toml::value::Offset::Custom { minutes }) => {
            FixedOffset::east_opt(i32::from(minutes) * 60)?
        }
    };
    date.and_time(time).and_local_timezone(offset).single()
}

fn string_time(s: &str, edge: Edge) -> Option<DateTime<FixedOffset>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t);
    }
    const LOCAL: [&str; 8] = [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M",
        "%H:%M %d/%m/%Y",
        "%Hh%M %d/%m/%Y",
    ];
    for f in LOCAL {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return t.and_local_timezone(vn_offset()).single();
        }
    }
    for f in ["%Y-%m-%d", "%d/%m/%Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return date_edge(d, edge);
        }
    }
    None
}

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A day name (English or Vietnamese, any case, with or without accents) as 0 (Monday) ..= 6.
fn day_index(s: &str) -> Option<usize> {
    Some(match fold(s).as_str() {
        "mon" | "monday" | "t2" | "thu2" | "thuhai" => 0,
        "tue" | "tuesday" | "t3" | "thu3" | "thuba" => 1,
        "wed" | "wednesday" | "t4" | "thu4" | "thutu" => 2,
        "thu" | "thursday" | "t5" | "thu5" | "thunam" => 3,
        "fri" | "friday" | "t6" | "thu6" | "thusau" => 4,
        "sat" | "saturday" | "t7" | "thu7" | "thubay" => 5,
        "sun" | "sunday" | "cn" | "chunhat" => 6,
        _ => return None,
    })
}

const DAYS_EXPECTED: &str = "days such as [\"t2\", \"t4\", \"cn\"], [\"mon\", \"wed\"] or \
                             [\"t2-t6\"] (t2..t7, cn or mon..sun)";

fn read_days(ctx: &mut Ctx, item: Option<usize>, v: &Toml) -> Option<Vec<&'static str>> {
    let parts: Vec<&Toml> = match v {
        Toml::Array(a) if !a.is_empty() => a.iter().collect(),
        Toml::String(_) => vec![v],
        other => {
            ctx.expected(item, "days", DAYS_EXPECTED, other);
            return None;
        }
    };
    let mut set = [false; 7];
    let mut ok = true;
    for p in parts {
        let Toml::String(s) = p else {
            ctx.expected(item, "days", DAYS_EXPECTED, p);
            ok = false;
            continue;
        };
        for piece in s.split(',') {
            let range: Vec<&str> = piece.split(['-', '–', '—']).collect();
            let idx: Option<Vec<usize>> = range.iter().map(|d| day_index(d)).collect();
            match idx.as_deref() {
                Some([d]) => set[*d] = true,
                Some([a, b]) => {
                    // A range may wrap round the end of the week ("t7-t2").
                    let mut d = *a;
                    loop {
                        set[d] = true;
                        if d == *b {
                            break;
                        }
                        d = (d + 1) % 7;
                    }
                }
                _ => {
                    ctx.error(
                        item,
                        "days",
                        format!("expected {DAYS_EXPECTED}, found \"{}\"", piece.trim()),
                    );
                    ok = false;
                }
            }
        }
    }
    ok.then(|| {
        DAY_NAMES
            .iter()
            .zip(set)
            .filter(|(_, on)| *on)
            .map(|(d, _)| *d)
            .collect()
    })
}

/// "HH:MM", "H:MM", "6h", "6h30" as minutes after midnight (24:00 allowed).
fn clock(s: &str) -> Option<u16> {
    let s = s.trim().to_ascii_lowercase();
    let (h, m) = match s.split_once(':') {
        Some(hm) => hm,
        None => {
            let (h, m) = s.split_once('h')?;
            (h, if m.is_empty() { "00" } else { m })
        }
    };
    let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || h.len() > 2 || !digits(m) || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return None;
    }
    Some(h * 60 + m)
}

const HOURS_EXPECTED: &str = "times of day such as [\"06:00-11:00\", \"13:30-21:00\"]";

fn read_hours(ctx: &mut Ctx, item: Option<usize>, v: &Toml) -> Option<Vec<(u16, u16)>> {
    let parts: Vec<&Toml> = match v {
        Toml::Array(a) => a.iter().collect(),
        Toml::String(_) => vec![v],
        other => {
            ctx.expected(item, "hours", HOURS_EXPECTED, other);
            return None;
        }
    };
    if parts.is_empty() || parts.len() > limits::HOUR_RANGES {
        ctx.error(
            item,
            "hours",
            format!(
                "must hold 1 to {} time ranges (leave it out for all day), found {}",
                limits::HOUR_RANGES,
                parts.len()
            ),
        );
        return None;
    }
    let mut out = Vec::new();
    let mut ok = true;
    for p in parts {
        let range = match p {
            Toml::String(s) => {
                let ends: Vec<&str> = s.split(['-', '–', '—']).collect();
                match ends.as_slice() {
                    [a, b] => clock(a).zip(clock(b)),
                    _ => None,
                }
            }
            Toml::Table(t) => {
                check_keys(ctx, item, "hours", t, &["from", "to"], |_| None);
                let get = |k: &str| match t.get(k) {
                    Some(Toml::String(s)) => clock(s),
                    _ => None,
                };
                get("from").zip(get("to"))
            }
            _ => None,
        };
        match range {
            Some((a, b)) if a == b => {
                ctx.error(
                    item,
                    "hours",
                    format!(
                        "a range must end at another time than it starts, found {} (leave \
                         hours out for all day)",
                        describe(p)
                    ),
                );
                ok = false;
            }
            Some(r) => out.push(r),
            None => {
                ctx.expected(item, "hours", HOURS_EXPECTED, p);
                ok = false;
            }
        }
    }
    ok.then_some(out)
}

// ---------------------------------------------------------------------------------------------
// Items on the wire

fn announcement(
    id: &str,
    sched: &Schedule,
    title: Option<String>,
    body: Option<String>,
    image: Option<Value>,
    qr: Option<String>,
) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), id.into());
    m.insert("type".into(), "announcement".into());
    m.insert("class".into(), sched.class.unwrap_or("normal").into());
    if let Some(t) = title {
        m.insert("title".into(), t.into());
    }
    if let Some(b) = body {
        m.insert("body".into(), b.into());
    }
    if let Some(i) = image {
        m.insert("image".into(), i);
    }
    if let Some(q) = qr {
        m.insert("qr".into(), q.into());
    }
    put_schedule(&mut m, sched, true);
    Value::Object(m)
}

fn ticker(id: &str, sched: &Schedule, text: &str) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), id.into());
    m.insert("type".into(), "ticker".into());
    if let Some(c) = sched.class {
        m.insert("class".into(), c.into());
    }
    m.insert("text".into(), text.into());
    put_schedule(&mut m, sched, false);
    Value::Object(m)
}

/// The extra ticker lines of an announcement: ids `ID-tin-van` (or `ID-tin-van-N` for several),
/// with the announcement's validity, days and hours, so they end together.
fn ticker_items(
    id: &str,
    item: Option<usize>,
    sched: &Schedule,
    texts: Vec<String>,
) -> Vec<ItemOut> {
    let inherited = Schedule {
        valid_from: sched.valid_from,
        valid_until: sched.valid_until,
        days: sched.days.clone(),
        hours: sched.hours.clone(),
        ..Schedule::default()
    };
    let many = texts.len() > 1;
    texts
        .into_iter()
        .enumerate()
        .map(|(i, text)| {
            let suffix = if many {
                format!("-tin-van-{}", i + 1)
            } else {
                "-tin-van".to_owned()
            };
            let mut base = id.to_owned();
            base.truncate(limits::ID_CHARS - suffix.len());
            let tid = format!("{}{suffix}", base.trim_end_matches(['-', '.', '_']));
            ItemOut {
                value: ticker(&tid, &inherited, &text),
                id: tid,
                item,
            }
        })
        .collect()
}

fn put_schedule(m: &mut Map<String, Value>, s: &Schedule, default_duration: bool) {
    match (s.duration, default_duration) {
        (Some(d), _) => {
            m.insert("duration_s".into(), d.into());
        }
        (None, true) => {
            m.insert("duration_s".into(), limits::DEFAULT_DURATION_S.into());
        }
        (None, false) => {}
    }
    if let Some(t) = &s.valid_from {
        m.insert("valid_from".into(), rfc3339(t).into());
    }
    if let Some(t) = &s.valid_until {
        m.insert("valid_until".into(), rfc3339(t).into());
    }
    if let Some(days) = &s.days {
        m.insert(
            "days".into(),
            days.iter().map(|d| Value::from(*d)).collect(),
        );
    }
    if let Some(hours) = &s.hours {
        let fmt = |t: u16| format!("{:02}:{:02}", t / 60, t % 60);
        let list = hours
            .iter()
            .map(|(a, b)| {
                Value::Object(Map::from_iter([
                    ("from".to_owned(), Value::from(fmt(*a))),
                    ("to".to_owned(), Value::from(fmt(*b))),
                ]))
            })
            .collect();
        m.insert("hours".into(), Value::Array(list));
    }
}

fn check_ids(ctx: &mut Ctx, items: &[ItemOut]) {
    for (i, it) in items.iter().enumerate() {
        if let Some(first) = items[..i].iter().find(|o| o.id == it.id) {
            let whose = first
                .item
                .map_or("another item".to_owned(), |n| format!("item {n}"));
            ctx.error(
                it.item,
                "id",
                format!(
                    "\"{}\" is already used by {whose}; every item needs its own id",
                    it.id
                ),
            );
        }
    }
}

/// A board refuses a message over `limits::MESSAGE_BYTES`; say so now rather than after signing.
fn check_size(ctx: &mut Ctx, channel: &Value) {
    let text = channel.to_string();
    // The channel travels as JSON text inside the envelope's `body` string, where every quote
    // and backslash gains an escaping backslash.
    let escapes = text.bytes().filter(|b| matches!(b, b'"' | b'\\')).count();
    let size = text.len() + escapes + ENVELOPE_OVERHEAD;
    if size > limits::MESSAGE_BYTES {
        ctx.error(
            None,
            "",
            format!(
                "the channel is {} once packed, more than the {} a board accepts; use fewer \
                 pictures inside the file (put them on a web server: image = {{ file = \"...\", \
                 url = \"https://...\" }}) or split it into several files",
                human_size(size as u64),
                human_size(limits::MESSAGE_BYTES as u64)
            ),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Pictures

const IMAGE_EXPECTED: &str = "a picture file such as \"anh/tiem-chung.jpg\", or a table \
                              { url = \"https://...\", sha256 = \"...\", bytes = N } or \
                              { file = \"anh/x.jpg\", url = \"https://...\" }";

fn read_image(ctx: &mut Ctx, item: Option<usize>, key: &str, v: &Toml) -> Option<Value> {
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

fn url_image(url: String, sha256: String, bytes: u64) -> Value {
    Value::Object(Map::from_iter([
        ("url".to_owned(), Value::from(url)),
        ("sha256".to_owned(), Value::from(sha256)),
        ("bytes".to_owned(), Value::from(bytes)),
    ]))
}

fn read_url(ctx: &mut Ctx, item: Option<usize>, key: &str, t: &toml::Table) -> Option<String> {
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
fn resolve(base: &Path, rel: &str) -> PathBuf {
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

fn image_limits() -> image::Limits {
    let mut l = image::Limits::default();
    l.max_image_width = Some(40_000);
    l.max_image_height = Some(40_000);
    // 40 megapixels of 16-bit RGBA, plus room for the decoder's own buffers.
    l.max_alloc = Some(MAX_IMAGE_PIXELS * 8 + 64 * 1024 * 1024);
    l
}

/// Reads a picture file, refusing it before decoding if it is too big; returns its bytes, its
/// format and its size in pixels.
fn read_picture(path: &Path, max_bytes: u64) -> Result<(Vec<u8>, ImageFormat, u32, u32), String> {
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

fn decode(bytes: &[u8], format: ImageFormat) -> Result<DynamicImage, String> {
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
    let value = Value::Object(Map::from_iter([
        (
            "inline".to_owned(),
            Value::from(base64::engine::general_purpose::STANDARD.encode(&bytes)),
        ),
        (
            "sha256".to_owned(),
            Value::from(hex::encode(Sha256::digest(&bytes))),
        ),
    ]));
    Ok((value, warning))
}

/// The bytes to inline: the file itself if it is a small JPEG/PNG/WebP, else a JPEG re-encoding
/// (and the warning that says so).
fn inline_image(path: &Path) -> Result<(Vec<u8>, Option<Warning>), String> {
    let (bytes, format, _, _) = read_picture(path, MAX_IMAGE_FILE_BYTES)?;
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
fn recompress(img: &DynamicImage) -> Result<(Vec<u8>, u32, u32), String> {
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
fn flatten(img: &DynamicImage) -> image::RgbImage {
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

fn encode_jpeg(rgb: &image::RgbImage, quality: u8) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(rgb)
        .map_err(|e| format!("could not be re-encoded as JPEG ({e})"))?;
    Ok(out)
}

/// The sha256 and size of a local copy of a picture boards will download from a URL.
fn referenced_image(path: &Path) -> Result<(String, u64), String> {
    let (bytes, _, _, _) = read_picture(path, limits::URL_IMAGE_BYTES)?;
    Ok((hex::encode(Sha256::digest(&bytes)), bytes.len() as u64))
}

// ---------------------------------------------------------------------------------------------
// Markdown to plain text

struct Reduced {
    /// The first line's "# " heading (0-based line within the text), when asked for.
    title: Option<(usize, String)>,
    body: String,
    /// (1-based line within the text, message)
    errors: Vec<(usize, String)>,
}

/// Reduces the Markdown officers write to the plain text a board lays out. See the module docs
/// for what is kept.
fn reduce_markdown(text: &str, take_title: bool) -> Reduced {
    let mut out = Reduced {
        title: None,
        body: String::new(),
        errors: Vec::new(),
    };
    let mut paragraphs: Vec<Vec<String>> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let mut fence: Option<String> = None;
    let mut seen_text = false;
    let end_paragraph = |current: &mut Vec<String>, paragraphs: &mut Vec<Vec<String>>| {
        if !current.is_empty() {
            paragraphs.push(std::mem::take(current));
        }
    };
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let trimmed = raw.trim_start();
        if let Some(f) = &fence {
            if trimmed.trim_end().starts_with(f.as_str())
                && trimmed.trim_end().chars().all(|c| f.starts_with(c))
            {
                fence = None;
                end_paragraph(&mut current, &mut paragraphs);
            } else {
                current.push(raw.trim_end().to_owned());
            }
            continue;
        }
        if trimmed.is_empty() {
            end_paragraph(&mut current, &mut paragraphs);
            continue;
        }
        let first = !seen_text;
        seen_text = true;
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            let c = trimmed.chars().next().unwrap_or('`');
            let n = trimmed.chars().take_while(|x| *x == c).count();
            fence = Some(std::iter::repeat_n(c, n).collect());
            end_paragraph(&mut current, &mut paragraphs);
            continue;
        }
        let mut errors = Vec::new();
        let mut reduce = |s: &str| inline(s, &mut errors);
        if first && take_title {
            if let Some(h) = trimmed.strip_prefix("# ") {
                let h = reduce(h.trim().trim_end_matches('#').trim());
                out.title = Some((i, h));
                out.errors.extend(errors.into_iter().map(|m| (line_no, m)));
                continue;
            }
        }
        let indent: usize = raw[..raw.len() - trimmed.len()]
            .chars()
            .map(|c| if c == '\t' { 4 } else { 1 })
            .sum();
        // A line of only -, * or _ (three or more) or = is a rule: it ends the paragraph.
        let bare: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
        if bare.len() >= 3 && bare.chars().all(|c| c == '=') {
            end_paragraph(&mut current, &mut paragraphs);
            continue;
        }
        if bare.len() >= 3 {
            if let Some(c) = bare.chars().next() {
                if matches!(c, '-' | '*' | '_') && bare.chars().all(|x| x == c) {
                    end_paragraph(&mut current, &mut paragraphs);
                    continue;
                }
            }
        }
        let hashes = trimmed.chars().take_while(|c| *c == '#').count();
        if (1..=6).contains(&hashes) && trimmed[hashes..].starts_with(' ') {
            end_paragraph(&mut current, &mut paragraphs);
            let h = trimmed[hashes..].trim().trim_end_matches('#').trim();
            let h = reduce(h);
            if !h.is_empty() {
                paragraphs.push(vec![h]);
            }
            out.errors.extend(errors.into_iter().map(|m| (line_no, m)));
            continue;
        }
        let mut rest = trimmed.trim_end();
        while let Some(r) = rest.strip_prefix('>') {
            rest = r.trim_start();
        }
        let rest = rest.strip_suffix('\\').unwrap_or(rest).trim_end();
        let line = if let Some(item) = ["- ", "* ", "+ "].iter().find_map(|m| rest.strip_prefix(m))
        {
            let nest = if indent >= 2 { "  " } else { "" };
            format!("{nest}• {}", reduce(item.trim()))
        } else {
            reduce(rest)
        };
        out.errors.extend(errors.into_iter().map(|m| (line_no, m)));
        if !line.trim().is_empty() {
            current.push(line);
        }
    }
    end_paragraph(&mut current, &mut paragraphs);
    out.body = paragraphs
        .iter()
        .map(|p| p.join("\n"))
        .collect::<Vec<_>>()
        .join("\n\n")
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .filter(|c| *c == '\n' || !c.is_control())
        .collect();
    out
}

enum Tok {
    Text(String),
    Delim {
        ch: char,
        len: usize,
        open: bool,
        close: bool,
        used: bool,
    },
}

/// Inline Markdown of one line to plain text: emphasis markers dropped, code spans kept as
/// text, links as "text (url)". HTML and pictures are reported in `errors`.
fn inline(s: &str, errors: &mut Vec<String>) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut toks: Vec<Tok> = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    let run = |from: usize, c: char| chars[from..].iter().take_while(|x| **x == c).count();
    while i < chars.len() {
        let c = chars[i];
        let prev = i.checked_sub(1).map(|p| chars[p]);
        match c {
            '\\' if chars.get(i + 1).is_some_and(|n| n.is_ascii_punctuation()) => {
                text.push(chars[i + 1]);
                i += 2;
            }
            '`' => {
                let n = run(i, '`');
                let mut j = i + n;
                let mut close = None;
                while j < chars.len() {
                    if chars[j] == '`' {
                        let m = run(j, '`');
                        if m == n {
                            close = Some(j);
                            break;
                        }
                        j += m;
                    } else {
                        j += 1;
                    }
                }
                match close {
                    Some(j) => {
                        let inner: String = chars[i + n..j].iter().collect();
                        let inner =
                            if inner.len() > 1 && inner.starts_with(' ') && inner.ends_with(' ') {
                                &inner[1..inner.len() - 1]
                            } else {
                                &inner[..]
                            };
                        text.push_str(inner);
                        i = j + n;
                    }
                    None => {
                        text.extend(std::iter::repeat_n('`', n));
                        i += n;
                    }
                }
            }
            '!' if chars.get(i + 1) == Some(&'[') => match link_at(&chars, i + 1) {
                Some((alt, url, end)) => {
                    errors.push(format!(
                        "pictures inside the text are not shown (found ![{alt}]({url})); \
                         put the picture in the \"image\" key"
                    ));
                    text.push_str(&alt);
                    i = end;
                }
                None => {
                    text.push('!');
                    i += 1;
                }
            },
            '[' => match link_at(&chars, i) {
                Some((label, url, end)) => {
                    let label = inline(&label, errors);
                    if label.is_empty() || label == url {
                        text.push_str(&url);
                    } else if url.is_empty() {
                        text.push_str(&label);
                    } else {
                        text.push_str(&format!("{label} ({url})"));
                    }
                    i = end;
                }
                None => {
                    text.push('[');
                    i += 1;
                }
            },
            '<' => {
                if let Some((url, end)) = autolink(&chars, i) {
                    text.push_str(&url);
                    i = end;
                } else if let Some(end) = html_tag(&chars, i) {
                    let tag: String = chars[i..end].iter().collect();
                    errors.push(format!(
                        "HTML is not supported (found {tag}); write plain text: each line stays \
                         a line and a blank line starts a new paragraph"
                    ));
                    text.push_str(&tag);
                    i = end;
                } else {
                    text.push('<');
                    i += 1;
                }
            }
            'h' if !prev.is_some_and(char::is_alphanumeric) && starts_with(&chars[i..], "http") => {
                // A bare web address is kept whole, so "_" or "*" inside it stay.
                let mut end = i + chars[i..].iter().take_while(|c| !c.is_whitespace()).count();
                while end > i && matches!(chars[end - 1], '*' | '_' | '~') {
                    end -= 1;
                }
                let word: String = chars[i..end].iter().collect();
                if word.starts_with("http://") || word.starts_with("https://") {
                    text.push_str(&word);
                    i = end;
                } else {
                    text.push('h');
                    i += 1;
                }
            }
            '*' | '_' | '~' => {
                let n = run(i, c);
                let next = chars.get(i + n).copied();
                let left = next.is_some_and(|x| !x.is_whitespace());
                let right = prev.is_some_and(|x| !x.is_whitespace());
                let (open, close) = if c == '_' {
                    (
                        left && !prev.is_some_and(char::is_alphanumeric),
                        right && !next.is_some_and(char::is_alphanumeric),
                    )
                } else {
                    (left, right)
                };
                let valid_len = if c == '~' { n == 2 } else { n <= 3 };
                if valid_len && (open || close) {
                    if !text.is_empty() {
                        toks.push(Tok::Text(std::mem::take(&mut text)));
                    }
                    toks.push(Tok::Delim {
                        ch: c,
                        len: n,
                        open,
                        close,
                        used: false,
                    });
                } else {
                    text.extend(std::iter::repeat_n(c, n));
                }
                i += n;
            }
            _ => {
                text.push(c);
                i += 1;
            }
        }
    }
    if !text.is_empty() {
        toks.push(Tok::Text(text));
    }
    // Pair closers with the nearest opener of the same kind; what stays unpaired is literal.
    let mut stack: Vec<usize> = Vec::new();
    for k in 0..toks.len() {
        let Tok::Delim {
            ch,
            len,
            open,
            close,
            ..
        } = toks[k]
        else {
            continue;
        };
        if close {
            let found = stack.iter().rposition(
                |&j| matches!(toks[j], Tok::Delim { ch: c2, len: l2, .. } if c2 == ch && l2 == len),
            );
            if let Some(pos) = found {
                let j = stack[pos];
                for t in [j, k] {
                    if let Tok::Delim { used, .. } = &mut toks[t] {
                        *used = true;
                    }
                }
                stack.truncate(pos);
                continue;
            }
        }
        if open {
            stack.push(k);
        }
    }
    let mut out = String::new();
    for t in toks {
        match t {
            Tok::Text(s) => out.push_str(&s),
            Tok::Delim { used: true, .. } => {}
            Tok::Delim { ch, len, .. } => out.extend(std::iter::repeat_n(ch, len)),
        }
    }
    out.trim().to_owned()
}

fn starts_with(chars: &[char], prefix: &str) -> bool {
    let mut it = chars.iter();
    prefix.chars().all(|p| it.next() == Some(&p))
}

/// `[label](url "title")` starting at `chars[at] == '['`: (label, url, index after it).
fn link_at(chars: &[char], at: usize) -> Option<(String, String, usize)> {
    let mut j = at + 1;
    let mut depth = 0usize;
    while j < chars.len() {
        match chars[j] {
            '\\' => j += 1,
            '[' => depth += 1,
            ']' if depth == 0 => break,
            ']' => depth -= 1,
            _ => {}
        }
        j += 1;
    }
    if j >= chars.len() || chars.get(j + 1) != Some(&'(') {
        return None;
    }
    let label: String = chars[at + 1..j].iter().collect();
    let mut k = j + 2;
    let mut parens = 0usize;
    while k < chars.len() {
        match chars[k] {
            '(' => parens += 1,
            ')' if parens == 0 => break,
            ')' => parens -= 1,
            _ => {}
        }
        k += 1;
    }
    if k >= chars.len() {
        return None;
    }
    let dest: String = chars[j + 2..k].iter().collect();
    let dest = dest.trim();
    let url = if let Some(inner) = dest.strip_prefix('<').and_then(|d| d.split_once('>')) {
        inner.0.to_owned()
    } else {
        dest.split_whitespace().next().unwrap_or("").to_owned()
    };
    Some((label, url, k + 1))
}

/// `<https://...>` or `<mailto:...>` at `at`: (the address, index after it).
fn autolink(chars: &[char], at: usize) -> Option<(String, usize)> {
    let rest = &chars[at + 1..];
    if !["http://", "https://", "mailto:"]
        .iter()
        .any(|p| starts_with(rest, p))
    {
        return None;
    }
    let end = rest
        .iter()
        .position(|c| *c == '>' || *c == '<' || c.is_whitespace())?;
    (rest[end] == '>').then(|| (rest[..end].iter().collect(), at + end + 2))
}

/// An HTML tag or comment at `at` (`<b>`, `</p>`, `<br/>`, `<a href=..>`, `<!-- -->`): the
/// index after it.
fn html_tag(chars: &[char], at: usize) -> Option<usize> {
    let rest = &chars[at + 1..];
    let close = at + 1 + rest.iter().position(|c| *c == '>')? + 1;
    if starts_with(rest, "!--") {
        return Some(close);
    }
    let mut k = usize::from(rest.first() == Some(&'/'));
    if !rest.get(k).is_some_and(char::is_ascii_alphabetic) {
        return None;
    }
    while rest
        .get(k)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '-')
    {
        k += 1;
    }
    matches!(rest.get(k), Some(' ' | '>' | '/' | '\t')).then_some(close)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A fresh folder under the system temp dir, unique to this process and call.
    fn temp_dir(tag: &str) -> PathBuf {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "bangtin-source-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("anh")).expect("create temp dir");
        dir
    }

    fn md(text: &str) -> Result<Source, Vec<String>> {
        parse(text, "thong-bao.md", Path::new("."), true)
    }

    fn toml_src(text: &str) -> Result<Source, Vec<String>> {
        parse(text, "kenh.toml", Path::new("."), false)
    }

    fn items(s: &Source) -> &Vec<Value> {
        s.channel["items"].as_array().expect("items")
    }

    fn errors_of(r: Result<Source, Vec<String>>) -> Vec<String> {
        match r {
            Ok(s) => panic!("expected errors, got {}", s.channel),
            Err(e) => e,
        }
    }

    fn small_jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, 128])
        });
        encode_jpeg(&img, 90).expect("encode")
    }

    fn small_png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbaImage::from_fn(w, h, |x, y| image::Rgba([x as u8, y as u8, 0, 200]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .expect("encode png");
        out
    }

    fn sha_hex(b: &[u8]) -> String {
        hex::encode(Sha256::digest(b))
    }

    fn b64_decode(s: &Value) -> Vec<u8> {
        base64::engine::general_purpose::STANDARD
            .decode(s.as_str().expect("base64 text"))
            .expect("valid base64")
    }

    #[test]
    fn markdown_front_matter_becomes_the_channel() {
        let src = md(r#"+++
area = "vn/ha-noi/dong-anh/xuan-non"     # a comment
id = "tiem-chung-2411"
class = "priority"
duration = 15
valid_from = 2026-11-20T00:00:00+07:00
valid_until = 2026-11-25
days = ["mon","tue"]
hours = ["06:00-21:00"]
qr = "https://dichvucong.gov.vn"
ticker = "Tin vắn: tiêm chủng ngày 24/11"
+++
# Lịch tiêm chủng

Đề nghị bà con đưa trẻ **đúng giờ**.
Mang theo sổ tiêm.

- Thôn 1: 7h30
- Thôn 2: 9h00
"#)
        .expect("valid");
        assert_eq!(
            src.target,
            Target::Area("vn/ha-noi/dong-anh/xuan-non".into())
        );
        assert_eq!(src.warnings, vec![]);
        let schedule = json!({
            "valid_from": "2026-11-20T00:00:00+07:00",
            "valid_until": "2026-11-26T00:00:00+07:00",
            "days": ["mon", "tue"],
            "hours": [{"from": "06:00", "to": "21:00"}],
        });
        let mut ticker = json!({
            "id": "tiem-chung-2411-tin-van", "type": "ticker",
            "text": "Tin vắn: tiêm chủng ngày 24/11",
        });
        let mut announcement = json!({
            "id": "tiem-chung-2411", "type": "announcement", "class": "priority",
            "title": "Lịch tiêm chủng",
            "body": "Đề nghị bà con đưa trẻ đúng giờ.\nMang theo sổ tiêm.\n\n• Thôn 1: 7h30\n• Thôn 2: 9h00",
            "qr": "https://dichvucong.gov.vn", "duration_s": 15,
        });
        for (k, v) in schedule.as_object().expect("object") {
            ticker[k] = v.clone();
            announcement[k] = v.clone();
        }
        assert_eq!(src.channel, json!({"items": [announcement, ticker]}));
        assert_eq!(
            src.target.content_topic("bangtin/v1"),
            "bangtin/v1/content/vn/ha-noi/dong-anh/xuan-non"
        );
    }

    #[test]
    fn shortest_markdown_file_uses_defaults_and_the_file_name() {
        let src = parse(
            "+++\nboard = \"xuan-non-01\"\n+++\nChỉ có nội dung.\n",
            "thư mục/Thông báo Tiêm chủng (đợt 2).md",
            Path::new("."),
            true,
        )
        .expect("valid");
        assert_eq!(src.target, Target::Board("xuan-non-01".into()));
        assert_eq!(
            src.target.content_topic("bangtin/v1/"),
            "bangtin/v1/content/board/xuan-non-01"
        );
        assert_eq!(
            src.channel,
            json!({"items": [{"id": "thong-bao-tiem-chung-dot-2", "type": "announcement",
                "class": "normal", "body": "Chỉ có nội dung.", "duration_s": 10}]})
        );
        assert_eq!(
            src.warnings,
            vec![Warning::IdFromFileName {
                id: "thong-bao-tiem-chung-dot-2".into()
            }]
        );
    }

    #[test]
    fn toml_channel_with_every_item_type() {
        let sha = "AB".repeat(32);
        let text = format!(
            r#"
board = "xuan-non-01"

[[item]]
type = "announcement"
id = "hop-dan"
title = "Họp dân thôn 3"
body = """
Lúc **19h30** thứ Sáu.

Địa điểm: nhà văn hoá.
"""
class = "ưu tiên"
ticker = ["Dòng một", "Dòng hai"]

[[item]]
type = "image"
id = "le-hoi"
image = {{ url = "https://cdn.example.vn/le-hoi.jpg", sha256 = "{sha}", bytes = 183211 }}
caption = "Lễ hội"
duration = 20

[[item]]
type = "ticker"
text = "Tin vắn: cắt điện"
"#
        );
        let src = toml_src(&text).expect("valid");
        assert_eq!(src.target, Target::Board("xuan-non-01".into()));
        assert_eq!(
            src.channel,
            json!({"items": [
                {"id": "hop-dan", "type": "announcement", "class": "priority",
                 "title": "Họp dân thôn 3", "body": "Lúc 19h30 thứ Sáu.\n\nĐịa điểm: nhà văn hoá.",
                 "duration_s": 10},
                {"id": "hop-dan-tin-van-1", "type": "ticker", "text": "Dòng một"},
                {"id": "hop-dan-tin-van-2", "type": "ticker", "text": "Dòng hai"},
                {"id": "le-hoi", "type": "image", "class": "normal",
                 "image": {"url": "https://cdn.example.vn/le-hoi.jpg", "sha256": "ab".repeat(32), "bytes": 183211},
                 "caption": "Lễ hội", "duration_s": 20},
                {"id": "kenh-3", "type": "ticker", "text": "Tin vắn: cắt điện"},
            ]})
        );
        assert_eq!(
            src.warnings,
            vec![Warning::IdFromFileName {
                id: "kenh-3".into()
            }]
        );
    }

    #[test]
    fn toml_without_items_clears_the_channel_with_a_warning() {
        let src = toml_src("area = \"vn/ha-noi\"\n").expect("valid");
        assert_eq!(src.channel, json!({"items": []}));
        assert_eq!(src.warnings, vec![Warning::EmptyChannel]);
    }

    #[test]
    fn body_markdown_is_reduced_to_plain_text() {
        let text = "\
Para one line 1
line 2 with *em* and __strong__ and `co*de*` and ~~gone~~ and ***both***

* star item
+ plus item
  - nested item
1. numbered stays

> quoted **bold**
## Sub heading ##
Link [Cổng dịch vụ](https://dichvucong.gov.vn \"title\") and <https://a.vn/x_y_z> and https://b.vn/_p_ and snake_case_word and 5 * 3 = 15 and \\*literal\\*   
---
after rule


```
raw **kept**
```
[https://c.vn](https://c.vn) and **unclosed and a_b_ and [not a link]
";
        let r = reduce_markdown(text, false);
        assert_eq!(r.errors, vec![]);
        assert_eq!(r.title, None);
        assert_eq!(
            r.body,
            "Para one line 1\n\
             line 2 with em and strong and co*de* and gone and both\n\n\
             • star item\n• plus item\n  • nested item\n1. numbered stays\n\n\
             quoted bold\n\n\
             Sub heading\n\n\
             Link Cổng dịch vụ (https://dichvucong.gov.vn) and https://a.vn/x_y_z and \
             https://b.vn/_p_ and snake_case_word and 5 * 3 = 15 and *literal*\n\n\
             after rule\n\n\
             raw **kept**\n\n\
             https://c.vn and **unclosed and a_b_ and [not a link]"
        );
    }

    #[test]
    fn the_title_is_only_a_first_line_heading() {
        let r = reduce_markdown(
            "\n\n# **Tiêu đề** #\nNội dung\n# Không phải tiêu đề\n",
            true,
        );
        assert_eq!(r.title, Some((2, "Tiêu đề".to_owned())));
        assert_eq!(r.body, "Nội dung\n\nKhông phải tiêu đề");
        let r = reduce_markdown("Nội dung\n# Không phải tiêu đề\n", true);
        assert_eq!(r.title, None);
    }

    #[test]
    fn html_and_pictures_in_the_body_are_errors_with_their_line() {
        let errs = errors_of(md(
            "+++\narea = \"vn\"\nid = \"x\"\n+++\n# T\n\nChữ <b>đậm</b>\n![ảnh](anh/x.jpg)\n<!-- ghi chú -->\na < b and x <= y fine\n",
        ));
        assert_eq!(errs.len(), 4, "{errs:#?}");
        assert!(errs[0].starts_with("thong-bao.md: line 7: HTML is not supported (found <b>)"));
        assert!(errs[1].contains("line 7: HTML is not supported (found </b>)"));
        assert!(errs[2].contains("line 8: pictures inside the text are not shown"));
        assert!(errs[3].contains("line 9: HTML is not supported (found <!-- ghi chú -->)"));
    }

    #[test]
    fn bare_dates_cover_whole_days_in_vietnam_time() {
        let src = md("+++\narea = \"vn\"\nid = \"x\"\nvalid_from = 2026-11-20\nvalid_until = 2026-11-25\n+++\nx")
            .expect("valid");
        assert_eq!(items(&src)[0]["valid_from"], "2026-11-20T00:00:00+07:00");
        assert_eq!(items(&src)[0]["valid_until"], "2026-11-26T00:00:00+07:00");
        // The end of the year and of February roll over too.
        let src = md("+++\narea = \"vn\"\nid = \"x\"\nvalid_until = \"31/12/2026\"\n+++\nx")
            .expect("valid");
        assert_eq!(items(&src)[0]["valid_until"], "2027-01-01T00:00:00+07:00");
        let src = md("+++\narea = \"vn\"\nid = \"x\"\nvalid_until = \"2028-02-28\"\n+++\nx")
            .expect("valid");
        assert_eq!(items(&src)[0]["valid_until"], "2028-02-29T00:00:00+07:00");
    }

    #[test]
    fn times_in_every_accepted_form() {
        let cases = [
            ("2026-11-20T08:30:00", "2026-11-20T08:30:00+07:00"),
            ("2026-11-20T08:30:00Z", "2026-11-20T08:30:00+00:00"),
            ("2026-11-20T08:30:00+08:00", "2026-11-20T08:30:00+08:00"),
            ("\"2026-11-20 08:30\"", "2026-11-20T08:30:00+07:00"),
            ("\"2026-11-20T08:30:00+07:00\"", "2026-11-20T08:30:00+07:00"),
            ("\"20/11/2026 08:30\"", "2026-11-20T08:30:00+07:00"),
            ("\"20/11/2026\"", "2026-11-20T00:00:00+07:00"),
        ];
        for (written, wire) in cases {
            let src = md(&format!(
                "+++\narea = \"vn\"\nid = \"x\"\nvalid_from = {written}\n+++\nx"
            ))
            .unwrap_or_else(|e| panic!("{written}: {e:?}"));
            assert_eq!(items(&src)[0]["valid_from"], wire, "{written}");
        }
        let errs = errors_of(md(
            "+++\narea = \"vn\"\nid = \"x\"\nvalid_from = 2026-11-25\nvalid_until = 2026-11-20\n+++\nx",
        ));
        assert_eq!(
            errs,
            vec![
                "thong-bao.md: \"valid_until\": must be after valid_from \
                  (2026-11-25T00:00:00+07:00), found 2026-11-21T00:00:00+07:00"
            ]
        );
        let errs = errors_of(md(
            "+++\narea = \"vn\"\nid = \"x\"\nvalid_from = 08:00:00\n+++\nx",
        ));
        assert!(
            errs[0].contains("expected a date such as 2026-11-20"),
            "{errs:?}"
        );
    }

    #[test]
    fn vietnamese_and_english_day_names() {
        let days = |v: &str| -> Result<Value, Vec<String>> {
            md(&format!(
                "+++\narea = \"vn\"\nid = \"x\"\ndays = {v}\n+++\nx"
            ))
            .map(|s| items(&s)[0]["days"].clone())
        };
        assert_eq!(
            days(r#"["T2", "thứ 4", "Chủ nhật", "t7", "thu hai"]"#).expect("valid"),
            json!(["mon", "wed", "sat", "sun"])
        );
        assert_eq!(
            days(r#"["t2-t6"]"#).expect("valid"),
            json!(["mon", "tue", "wed", "thu", "fri"])
        );
        assert_eq!(
            days(r#""t7 - t2""#).expect("valid"),
            json!(["mon", "sat", "sun"])
        );
        assert_eq!(
            days(r#"["CN", "Thứ Bảy", "friday", "T.3"]"#).expect("valid"),
            json!(["tue", "fri", "sat", "sun"])
        );
        let e = days(r#"["t2", "t8", 3]"#).expect_err("invalid");
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].contains("found \"t8\""));
        assert!(e[1].contains("found 3"));
    }

    #[test]
    fn hours_in_friendly_forms() {
        let src = md(r#"+++
area = "vn"
id = "x"
hours = ["6h30-11h", "21:00 – 06:00", {from = "13:00", to = "24:00"}]
+++
x"#)
        .expect("valid");
        assert_eq!(
            items(&src)[0]["hours"],
            json!([{"from": "06:30", "to": "11:00"}, {"from": "21:00", "to": "06:00"},
                   {"from": "13:00", "to": "24:00"}])
        );
        let errs = errors_of(md(
            "+++\narea = \"vn\"\nid = \"x\"\nhours = [\"07:00-07:00\", \"25:00-26:00\", {from = \"01:00\", til = \"02:00\"}]\n+++\nx",
        ));
        assert_eq!(errs.len(), 4, "{errs:#?}");
        assert!(errs[0].contains("must end at another time"));
        assert!(errs[1].contains("found \"25:00-26:00\""));
        assert!(errs[2].contains("\"hours.til\": unknown key"));
    }

    #[test]
    fn every_error_is_collected_with_the_key() {
        let errs = errors_of(md(r#"+++
area = "vn/ha-noi"
board = "xuan-non-01"
id = "có dấu"
duraton = 15
class = "urgent"
duration = 2
days = ["t9"]
valid_until = "sắp tới"
image = "khong-co.jpg"
qr = 5
+++
"#));
        let expect = [
            "thong-bao.md: \"duraton\": unknown key (did you mean \"duration\"?)",
            "thong-bao.md: \"board\": give either area",
            "thong-bao.md: \"id\": expected 1 to 64 letters a-z, digits and '-' (no spaces or accents) (did you mean \"co-dau\"?), found \"có dấu\"",
            "thong-bao.md: \"class\": expected \"normal\" (thông thường) or \"priority\" (ưu tiên)",
            "thong-bao.md: \"duration\": expected a whole number of seconds from 3 to 600, found 2",
            "thong-bao.md: \"valid_until\": expected a date such as 2026-11-20",
            "thong-bao.md: \"days\": expected days such as",
            "thong-bao.md: \"image\": \"khong-co.jpg\" cannot be read (looked for ./khong-co.jpg)",
            "thong-bao.md: \"qr\": expected text in quotes, found 5",
            "thong-bao.md: has no title and no text",
        ];
        assert_eq!(errs.len(), expect.len(), "{errs:#?}");
        for (got, want) in errs.iter().zip(expect) {
            assert!(got.starts_with(want), "{got:?} should start with {want:?}");
        }
    }

    #[test]
    fn unknown_keys_get_hints() {
        let errs = errors_of(toml_src(
            r#"
area = "vn"
title = "lạc chỗ"

[[items]]
type = "ticker"

[[item]]
type = "announcement"
id = "a"
title = "T"
caption = "chú thích"
duration_s = 20
mau_sac = "đỏ"

[[item]]
type = "banner"
id = "b"
"#,
        ));
        assert_eq!(
            errs,
            vec![
                "kenh.toml: \"items\": unknown key (write [[item]] for each item)",
                "kenh.toml: \"title\": unknown key (\"title\" belongs to an item: put it under an [[item]] line)",
                "kenh.toml: item 1, \"caption\": unknown key (a announcement item has no \"caption\"; it belongs to type = \"image\")",
                "kenh.toml: item 1, \"duration_s\": unknown key (did you mean \"duration\"?)",
                "kenh.toml: item 1, \"mau_sac\": unknown key (known keys here: type, id, class, duration, valid_from, valid_until, days, hours, title, body, image, qr, ticker)",
                "kenh.toml: item 2, \"type\": expected \"announcement\", \"image\" or \"ticker\", found \"banner\"",
            ]
        );
        let errs = errors_of(toml_src("area = \"vn\"\n[item]\ntype = \"ticker\"\n"));
        assert_eq!(
            errs,
            vec![
                "kenh.toml: \"item\": write [[item]] with two brackets on each side, one per item"
            ]
        );
    }

    #[test]
    fn markdown_structure_errors() {
        assert!(errors_of(md("---\narea = \"vn\"\n---\nx"))[0].contains("not --- (YAML)"));
        assert!(errors_of(md("Chỉ có chữ"))[0].contains("must start with a +++ line"));
        assert!(errors_of(md("+++\narea = \"vn\"\nx"))[0].contains("has no closing +++ line"));
        let errs = errors_of(md(
            "+++\narea = \"vn\"\nid = \"x\"\ntitle = \"A\"\n+++\n# B\n",
        ));
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].contains("the title is given twice"));
        // A TOML syntax error names the line in the whole file (front matter starts on line 2).
        let errs = errors_of(md("+++\narea = \"vn\"\nid = x-1\n+++\nx"));
        assert_eq!(errs.len(), 1);
        assert!(
            errs[0].starts_with("thong-bao.md: line 3, column 6: this is not valid TOML"),
            "{errs:?}"
        );
        let errs = errors_of(md("+++\narea = \"vn\"\ntype = \"image\"\n+++\nx"));
        assert!(
            errs[0].contains("a Markdown file is always one announcement"),
            "{errs:?}"
        );
    }

    #[test]
    fn blank_lines_before_the_front_matter_keep_line_numbers_right() {
        let src = md("\n\n+++\narea = \"vn\"\nid = \"x\"\n+++\n# T\n\tNội\tdung\n\t- mục\n")
            .expect("valid");
        assert_eq!(items(&src)[0]["title"], "T");
        assert_eq!(items(&src)[0]["body"], "Nội dung\n  • mục");
        let errs = errors_of(md("\n+++\narea = \"vn\"\nid = x\n+++\n# T\n\n<br>\n"));
        assert!(
            errs[0].starts_with("thong-bao.md: line 4, column 6:"),
            "{errs:?}"
        );
        let errs = errors_of(md("\n+++\narea = \"vn\"\nid = \"x\"\n+++\n# T\n\n<br>\n"));
        assert!(
            errs[0].starts_with("thong-bao.md: line 8: HTML"),
            "{errs:?}"
        );
        assert!(errors_of(md("\n \n"))[0].contains("is empty"));
        assert!(errors_of(md("\n+++\narea = \"vn\"\n"))[0].contains("+++ on line 2 has no closing"));
    }

    #[test]
    fn duplicate_ids_and_long_ticker_ids() {
        let errs = errors_of(toml_src(
            "area = \"vn\"\n[[item]]\ntype = \"ticker\"\nid = \"a\"\ntext = \"x\"\n\
             [[item]]\ntype = \"ticker\"\nid = \"a\"\ntext = \"y\"\n",
        ));
        assert_eq!(
            errs,
            vec!["kenh.toml: item 2, \"id\": \"a\" is already used by item 1; every item needs its own id"]
        );
        let long = "a".repeat(64);
        let src = md(&format!(
            "+++\narea = \"vn\"\nid = \"{long}\"\nticker = \"t\"\n+++\nx"
        ))
        .expect("valid");
        let tid = items(&src)[1]["id"].as_str().expect("id").to_owned();
        assert_eq!(tid.len(), 64);
        assert!(tid.ends_with("a-tin-van"));
    }

    #[test]
    fn nfd_text_becomes_nfc() {
        let nfd_title: String = "Thông báo lũ lụt".nfd().collect();
        let nfd_body: String = "Bà con chú ý **khẩn trương**".nfd().collect();
        let nfd_ticker: String = "Tin vắn".nfd().collect();
        assert_ne!(nfd_title, "Thông báo lũ lụt");
        let src = md(&format!(
            "+++\narea = \"vn\"\nid = \"x\"\nclass = \"{}\"\nticker = \"{nfd_ticker}\"\n+++\n# {nfd_title}\n{nfd_body}\n",
            "ưu tiên".nfd().collect::<String>()
        ))
        .expect("valid");
        assert_eq!(items(&src)[0]["title"], "Thông báo lũ lụt");
        assert_eq!(items(&src)[0]["body"], "Bà con chú ý khẩn trương");
        assert_eq!(items(&src)[0]["class"], "priority");
        assert_eq!(items(&src)[1]["text"], "Tin vắn");
    }

    #[test]
    fn small_jpeg_is_inlined_unchanged() {
        let dir = temp_dir("small");
        let jpeg = small_jpeg(64, 48);
        std::fs::write(dir.join("anh/nho.jpg"), &jpeg).expect("write");
        let src = parse(
            "+++\narea = \"vn\"\nid = \"x\"\nimage = \"anh/nho.jpg\"\n+++\n# T\n",
            "t.md",
            &dir,
            true,
        )
        .expect("valid");
        let image = &items(&src)[0]["image"];
        assert_eq!(b64_decode(&image["inline"]), jpeg);
        assert_eq!(image["sha256"], sha_hex(&jpeg));
        assert_eq!(image.as_object().map(Map::len), Some(2));
        assert_eq!(src.warnings, vec![]);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn large_png_is_recompressed_to_fit_with_a_warning() {
        let dir = temp_dir("large");
        // Noise does not compress: the worst case for the size ladder.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let img = image::RgbImage::from_fn(3000, 2000, |_, _| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let b = state.to_le_bytes();
            image::Rgb([b[0], b[1], b[2]])
        });
        let path = dir.join("anh/lon.png");
        img.save_with_format(&path, ImageFormat::Png)
            .expect("save png");
        let file_len = std::fs::metadata(&path).expect("meta").len();
        assert!(file_len > limits::INLINE_IMAGE_BYTES as u64);
        let src = parse(
            "board = \"b-1\"\n[[item]]\ntype = \"image\"\nid = \"anh\"\nimage = \"anh/lon.png\"\n",
            "k.toml",
            &dir,
            false,
        )
        .expect("valid");
        let image = &items(&src)[0]["image"];
        let bytes = b64_decode(&image["inline"]);
        assert!(
            bytes.len() <= limits::INLINE_IMAGE_BYTES,
            "{} bytes",
            bytes.len()
        );
        assert_eq!(image["sha256"], sha_hex(&bytes));
        assert_eq!(image::guess_format(&bytes).ok(), Some(ImageFormat::Jpeg));
        let decoded = image::load_from_memory(&bytes).expect("decodes");
        let [Warning::ImageRecompressed {
            path: wpath,
            from_bytes,
            to_bytes,
            width,
            height,
        }] = &src.warnings[..]
        else {
            panic!("warnings: {:?}", src.warnings);
        };
        assert_eq!(wpath, &path);
        assert_eq!(*from_bytes, file_len);
        assert_eq!(*to_bytes, bytes.len() as u64);
        assert_eq!((decoded.width(), decoded.height()), (*width, *height));
        assert!(
            *width <= MAX_LONG_SIDE && *width == *height * 3 / 2,
            "{width}x{height}"
        );
        let shown = src.warnings[0].to_string();
        assert!(
            shown.starts_with("picture ") && shown.contains(" MB -> ") && shown.contains(" KB, "),
            "{shown}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn gif_and_transparent_png_are_reencoded_on_white() {
        let dir = temp_dir("gif");
        let img = image::RgbaImage::from_pixel(40, 30, image::Rgba([255, 0, 0, 0]));
        img.save_with_format(dir.join("anh/trong.gif"), ImageFormat::Gif)
            .expect("gif");
        let src = parse(
            "+++\nboard = \"b\"\nid = \"x\"\nimage = \"anh/trong.gif\"\n+++\nx",
            "t.md",
            &dir,
            true,
        )
        .expect("valid");
        let bytes = b64_decode(&items(&src)[0]["image"]["inline"]);
        let decoded = image::load_from_memory(&bytes).expect("jpeg").to_rgb8();
        assert_eq!(decoded.dimensions(), (40, 30));
        assert!(
            decoded.get_pixel(20, 15).0.iter().all(|c| *c > 240),
            "transparent became white"
        );
        assert!(matches!(
            src.warnings[..],
            [Warning::ImageRecompressed {
                width: 40,
                height: 30,
                ..
            }]
        ));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn url_reference_hashes_the_local_copy() {
        let dir = temp_dir("url");
        let png = small_png(20, 10);
        std::fs::write(dir.join("anh/ban-do.png"), &png).expect("write");
        let text = "board = \"b\"\n[[item]]\ntype = \"image\"\nid = \"x\"\n\
                    image = { file = \"anh/ban-do.png\", url = \"https://cdn.example.vn/ban-do.png\" }\n";
        let src = parse(text, "k.toml", &dir, false).expect("valid");
        assert_eq!(
            items(&src)[0]["image"],
            json!({"url": "https://cdn.example.vn/ban-do.png", "sha256": sha_hex(&png), "bytes": png.len()})
        );
        let bad = "board = \"b\"\n[[item]]\ntype = \"image\"\nid = \"x\"\n\
                   image = { file = \"anh/ban-do.png\", url = \"ftp://x\", sha256 = \"00\" }\n\
                   [[item]]\ntype = \"image\"\nid = \"y\"\n\
                   image = { url = \"https://x.vn/a.jpg\", sha256 = \"xyz\", bytes = 0 }\n";
        let errs = errors_of(parse(bad, "k.toml", &dir, false));
        assert_eq!(
            errs,
            vec![
                "k.toml: item 1, \"image.sha256\": unknown key (\"sha256\" is computed from the file; leave it out)",
                "k.toml: item 1, \"image.url\": expected a web address starting with https:// or http://, found \"ftp://x\"",
                "k.toml: item 2, \"image.sha256\": expected 64 hexadecimal digits, found \"xyz\"",
                "k.toml: item 2, \"image.bytes\": expected the size of the picture in bytes, 1 to 16777216, found 0",
            ]
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    /// A PNG of only a header that claims 100000x100000 pixels.
    fn png_bomb() -> Vec<u8> {
        fn crc32(data: &[u8]) -> u32 {
            let mut crc = 0xffff_ffff_u32;
            for b in data {
                crc ^= u32::from(*b);
                for _ in 0..8 {
                    crc = if crc & 1 != 0 {
                        (crc >> 1) ^ 0xedb8_8320
                    } else {
                        crc >> 1
                    };
                }
            }
            !crc
        }
        fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
            out.extend((data.len() as u32).to_be_bytes());
            let mut body = kind.to_vec();
            body.extend(data);
            out.extend(&body);
            out.extend(crc32(&body).to_be_bytes());
        }
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend(100_000u32.to_be_bytes());
        ihdr.extend(100_000u32.to_be_bytes());
        ihdr.extend([8, 6, 0, 0, 0]);
        chunk(&mut png, b"IHDR", &ihdr);
        chunk(
            &mut png,
            b"IDAT",
            &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
        );
        chunk(&mut png, b"IEND", &[]);
        png
    }

    #[test]
    fn image_bomb_is_refused_before_decoding() {
        let dir = temp_dir("bomb");
        std::fs::write(dir.join("anh/bom.png"), png_bomb()).expect("write");
        for image in [
            "\"anh/bom.png\"",
            "{ file = \"anh/bom.png\", url = \"https://x.vn/b.png\" }",
        ] {
            let errs = errors_of(parse(
                &format!("+++\narea = \"vn\"\nid = \"x\"\nimage = {image}\n+++\nx"),
                "t.md",
                &dir,
                true,
            ));
            assert_eq!(errs.len(), 1, "{errs:?}");
            assert!(errs[0].contains("anh/bom.png\" is too large"), "{errs:?}");
            assert!(errs[0].contains("40 megapixels"), "{errs:?}");
        }
        // A picture within 40000 px a side but over 40 megapixels is refused by its size.
        let mut png = png_bomb();
        png[16..24].copy_from_slice(&[0, 0, 0x27, 0x10, 0, 0, 0x27, 0x10]); // 10000x10000
        let crc = {
            let mut c = 0xffff_ffff_u32;
            for b in &png[12..29] {
                c ^= u32::from(*b);
                for _ in 0..8 {
                    c = if c & 1 != 0 {
                        (c >> 1) ^ 0xedb8_8320
                    } else {
                        c >> 1
                    };
                }
            }
            !c
        };
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        std::fs::write(dir.join("anh/lon.png"), png).expect("write");
        let errs = errors_of(parse(
            "+++\narea = \"vn\"\nid = \"x\"\nimage = \"anh/lon.png\"\n+++\nx",
            "t.md",
            &dir,
            true,
        ));
        assert!(
            errs[0].contains("is too large: 10000x10000 pixels (100 megapixels)"),
            "{errs:?}"
        );
        // Not a picture, and a damaged one.
        std::fs::write(dir.join("anh/chu.jpg"), "không phải ảnh").expect("write");
        std::fs::write(dir.join("anh/hong.jpg"), &small_jpeg(32, 32)[..200]).expect("write");
        let errs = errors_of(parse(
            "board = \"b\"\n[[item]]\ntype = \"image\"\nid = \"a\"\nimage = \"anh/chu.jpg\"\n\
             [[item]]\ntype = \"image\"\nid = \"b\"\nimage = \"anh/hong.jpg\"\n",
            "k.toml",
            &dir,
            false,
        ));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(errs[0].contains("is not a picture"), "{errs:?}");
        assert!(errs[1].contains("is damaged"), "{errs:?}");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_channel_too_big_for_a_message_is_refused() {
        let body = "ệ".repeat(limits::BODY_CHARS);
        let mut text = String::from("area = \"vn\"\n");
        for i in 0..100 {
            text.push_str(&format!(
                "[[item]]\ntype = \"announcement\"\nid = \"i{i}\"\nbody = \"{body}\"\n"
            ));
        }
        let errs = errors_of(toml_src(&text));
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0].contains("more than the 1.0 MB a board accepts"),
            "{errs:?}"
        );
    }

    #[test]
    fn load_decides_the_format_and_reads_only_utf8() {
        let dir = temp_dir("load");
        let md_text = "\u{feff}+++\r\narea = \"vn\"\r\nid = \"x\"\r\n+++\r\n# Tiêu đề\r\n\r\nDòng 1\r\nDòng 2\r\n";
        for name in ["a.markdown", "a.MD", "a.txt"] {
            std::fs::write(dir.join(name), md_text).expect("write");
            let src = load(&dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert_eq!(items(&src)[0]["title"], "Tiêu đề");
            assert_eq!(items(&src)[0]["body"], "Dòng 1\nDòng 2");
        }
        std::fs::write(dir.join("kenh"), "area = \"vn\"\n").expect("write");
        assert_eq!(
            load(&dir.join("kenh")).expect("toml").warnings,
            vec![Warning::EmptyChannel]
        );
        std::fs::write(
            dir.join("cu.md"),
            b"+++\narea = \"vn\"\n+++\nTh\xb5nh ph\xe8\n",
        )
        .expect("write");
        let errs = load(&dir.join("cu.md")).expect_err("not UTF-8");
        assert!(
            errs[0].contains("is not UTF-8 text (byte 23 is not)"),
            "{errs:?}"
        );
        assert!(load(&dir.join("khong-co.md")).is_err());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn several_files_published_together() {
        let dir = temp_dir("all");
        std::fs::write(dir.join("a.md"), "+++\narea = \"vn/ha-noi\"\n+++\n# A\n").expect("write");
        std::fs::write(
            dir.join("b.md"),
            "+++\narea = \"vn/ha-noi\"\nid = \"b\"\n+++\n# B\n",
        )
        .expect("write");
        std::fs::write(
            dir.join("c.md"),
            "+++\narea = \"vn\"\nid = \"a\"\n+++\n# C\n",
        )
        .expect("write");
        let src = load_all(&[dir.join("a.md"), dir.join("b.md")]).expect("valid");
        let ids: Vec<&str> = items(&src)
            .iter()
            .filter_map(|i| i["id"].as_str())
            .collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(
            src.warnings,
            vec![Warning::IdFromFileName { id: "a".into() }]
        );
        let errs = load_all(&[dir.join("a.md"), dir.join("c.md")]).expect_err("conflict");
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(errs[0].contains("c.md: is published to vn but"), "{errs:?}");
        assert!(
            errs[1].contains("c.md: id \"a\" is already used in"),
            "{errs:?}"
        );
        assert!(load_all::<PathBuf>(&[]).is_err());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn area_and_board_must_be_slugs() {
        let errs = errors_of(md("+++\narea = \"vn/Hà Nội/\"\n+++\nx"));
        assert!(
            errs[0].contains("(did you mean \"vn/ha-noi\"?), found \"vn/Hà Nội/\""),
            "{errs:?}"
        );
        let errs = errors_of(md("+++\nboard = \"Xuân Nộn 01\"\n+++\nx"));
        assert!(
            errs[0].starts_with("thong-bao.md: \"board\": expected a board id"),
            "{errs:?}"
        );
        let errs = errors_of(md("+++\nid = \"x\"\n+++\nx"));
        assert!(
            errs[0].contains("\"area\": is missing: say where to publish"),
            "{errs:?}"
        );
        let src = md("+++\narea = \"/vn/ha-noi/\"\n+++\nx").expect("valid");
        assert_eq!(src.target, Target::Area("vn/ha-noi".into()));
    }

    #[test]
    fn slugs_and_folding() {
        assert_eq!(
            slugify("Thông báo ĐIỆN lực -- 2026!"),
            "thong-bao-dien-luc-2026"
        );
        assert_eq!(slugify("___"), "");
        assert_eq!(slugify(&"ạ".repeat(100)).len(), 64);
        assert_eq!(fold("Thứ Hai"), "thuhai");
        assert_eq!(edit_distance("duraton", "duration"), 1);
    }

    /// Fenced blocks of the officers' guide: ```markdown blocks that start with +++ and ```toml
    /// blocks with an area or board must be valid files; the error example must give the errors
    /// shown under it.
    #[test]
    fn the_guide_examples_are_valid() {
        let guide = include_str!("../../docs/publishing.md");
        let dir = temp_dir("guide");
        std::fs::write(dir.join("anh/tiem-chung.jpg"), small_jpeg(80, 60)).expect("write");
        std::fs::write(dir.join("anh/le-hoi.jpg"), small_jpeg(80, 60)).expect("write");
        std::fs::write(dir.join("anh/ban-do.png"), small_png(30, 20)).expect("write");
        let mut blocks: Vec<(&str, String)> = Vec::new();
        let mut current: Option<(&str, String)> = None;
        for line in guide.lines() {
            match (&mut current, line.strip_prefix("```")) {
                (None, Some(info)) => current = Some((info, String::new())),
                (Some(_), Some("")) => blocks.extend(current.take()),
                (Some((_, text)), _) => {
                    text.push_str(line);
                    text.push('\n');
                }
                (None, None) => {}
            }
        }
        let mut checked = 0;
        for (info, text) in &blocks {
            let whole_toml =
                *info == "toml" && (text.starts_with("area") || text.starts_with("board"));
            if (*info == "markdown" && text.starts_with("+++")) || whole_toml {
                parse(text, "vi-du.md", &dir, *info == "markdown")
                    .unwrap_or_else(|e| panic!("guide example fails: {e:#?}\n{text}"));
                checked += 1;
            }
        }
        assert!(checked >= 5, "only {checked} examples found");
        let at = blocks
            .iter()
            .position(|(info, t)| *info == "text" && t.starts_with("+++"))
            .expect("error example");
        let errs = errors_of(parse(&blocks[at].1, "thong-bao.md", &dir, true));
        assert_eq!(errs.join("\n") + "\n", blocks[at + 1].1);
        let _ = std::fs::remove_dir_all(dir);
    }
}
