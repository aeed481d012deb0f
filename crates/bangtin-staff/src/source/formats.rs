//! The two formats: one announcement as Markdown with a TOML front matter, a whole channel
//! as TOML.

use super::*;

pub(super) const FRONT_MATTER_KEYS: &[&str] = &[
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
pub(super) const TOP_KEYS: &[&str] = &["area", "board", "item"];
pub(super) const COMMON_KEYS: &[&str] = &[
    "type",
    "id",
    "class",
    "duration",
    "valid_from",
    "valid_until",
    "days",
    "hours",
];
pub(super) const ANNOUNCEMENT_KEYS: &[&str] = &["title", "body", "image", "qr", "ticker"];
pub(super) const IMAGE_KEYS: &[&str] = &["image", "caption"];
pub(super) const VIDEO_KEYS: &[&str] = &["video", "caption", "audio"];
pub(super) const TICKER_KEYS: &[&str] = &["text"];

/// One finished item: its id, which item of the file it came from, and its wire form.
pub(super) struct ItemOut {
    pub(super) id: String,
    pub(super) item: Option<usize>,
    pub(super) value: Value,
}

pub(super) fn from_markdown(ctx: &mut Ctx, text: &str) -> Option<(Target, Vec<ItemOut>)> {
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
pub(super) fn split_front_matter<'t>(
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

pub(super) fn from_toml(ctx: &mut Ctx, text: &str) -> Option<(Target, Vec<ItemOut>)> {
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

pub(super) const ALL_ITEM_KEYS: &[&str] = &[
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
    "video",
    "audio",
];

pub(super) fn toml_item(ctx: &mut Ctx, t: &toml::Table, n: usize) -> Vec<ItemOut> {
    let item = Some(n);
    let kind = match t.get("type") {
        Some(Toml::String(s))
            if matches!(s.as_str(), "announcement" | "image" | "ticker" | "video") =>
        {
            Some(s.as_str())
        }
        Some(other) => {
            ctx.expected(
                item,
                "type",
                "\"announcement\", \"image\", \"ticker\" or \"video\"",
                other,
            );
            None
        }
        None => {
            ctx.error(
                item,
                "type",
                "is missing: say type = \"announcement\", \"image\", \"ticker\" or \"video\"",
            );
            None
        }
    };
    let own: &[&str] = match kind {
        Some("announcement") => ANNOUNCEMENT_KEYS,
        Some("image") => IMAGE_KEYS,
        Some("ticker") => TICKER_KEYS,
        Some("video") => VIDEO_KEYS,
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
            ("video", VIDEO_KEYS),
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
        "video" => {
            let video = match t.get("video") {
                Some(v) => read_video(ctx, item, v),
                None => {
                    ctx.error(item, "video", "is required for a video item");
                    None
                }
            };
            let caption = opt_text(ctx, t, item, "caption", limits::CAPTION_CHARS);
            let audio = match t.get("audio") {
                None => false,
                Some(Toml::Boolean(b)) => *b,
                Some(other) => {
                    ctx.expected(item, "audio", "true or false", other);
                    false
                }
            };
            let (Some(id), Some(video)) = (id, video) else {
                return Vec::new();
            };
            let mut m = Map::new();
            m.insert("id".into(), id.clone().into());
            m.insert("type".into(), "video".into());
            m.insert("class".into(), sched.class.unwrap_or("normal").into());
            m.insert("video".into(), video);
            if let Some(c) = caption {
                m.insert("caption".into(), c.into());
            }
            if audio {
                m.insert("audio".into(), true.into());
            }
            // Without a duration the item lasts as long as its clip.
            put_schedule(&mut m, &sched, false);
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

pub(super) fn parse_toml(ctx: &mut Ctx, text: &str, line_offset: usize) -> Option<toml::Table> {
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
