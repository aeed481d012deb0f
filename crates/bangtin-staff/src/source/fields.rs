//! The fields of an item: where it goes, its id, its texts, tickers and schedule.

use super::*;

pub(super) fn read_target(ctx: &mut Ctx, t: &toml::Table) -> Option<Target> {
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

/// The `id`, or one made from the file name (`FILE` for Markdown, `FILE-N` for item N of a
/// TOML channel), with a warning.
pub(super) fn read_id(
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

pub(super) fn string_of<'v>(
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
pub(super) fn opt_text(
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

pub(super) fn one_line(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .filter(|c| !c.is_control())
        .collect();
    nfc(s.trim())
}

pub(super) fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// `ticker = "..."` or a list of them.
pub(super) fn read_tickers(ctx: &mut Ctx, t: &toml::Table, item: Option<usize>) -> Vec<String> {
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
pub(super) struct Schedule {
    pub(super) class: Option<&'static str>,
    pub(super) duration: Option<u32>,
    pub(super) valid_from: Option<DateTime<FixedOffset>>,
    pub(super) valid_until: Option<DateTime<FixedOffset>>,
    pub(super) days: Option<Vec<&'static str>>,
    pub(super) hours: Option<Vec<(u16, u16)>>,
}

pub(super) fn read_schedule(ctx: &mut Ctx, t: &toml::Table, item: Option<usize>) -> Schedule {
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
pub(super) fn fold(s: &str) -> String {
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| if matches!(c, 'đ' | 'Đ') { 'd' } else { c })
        .flat_map(char::to_lowercase)
        .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '_'))
        .collect()
}

/// An id-like slug: ASCII `[a-z0-9-]`, accents dropped, at most 64 characters.
pub(super) fn slugify(s: &str) -> String {
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
