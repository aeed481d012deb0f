//! Channels and their items: announcements, images, tickers, with their validity, days and hours.

use super::*;

/// Validates a channel object found at `path`.
pub fn channel_from_value(value: &Value, path: &str) -> Result<Channel, Problems> {
    let mut problems = Problems::default();
    let Some(obj) = as_object(value, path, &mut problems) else {
        return Err(problems);
    };
    let items_path = join(path, "items");
    let items = match obj.get("items") {
        Some(Value::Array(a)) => a,
        Some(other) => {
            problems.push(
                items_path,
                format!("must be an array, got {}", describe(other)),
            );
            return Err(problems);
        }
        None => {
            problems.push(items_path, "is required (an empty list clears the channel)");
            return Err(problems);
        }
    };
    if items.len() > limits::ITEMS_PER_CHANNEL {
        problems.push(
            &items_path,
            format!(
                "may hold at most {} items, got {}",
                limits::ITEMS_PER_CHANNEL,
                items.len()
            ),
        );
        return Err(problems);
    }
    let mut out = Vec::with_capacity(items.len());
    let mut seen: Vec<(String, usize)> = Vec::new();
    for (i, v) in items.iter().enumerate() {
        let p = index(&items_path, i);
        if let Some(item) = item_from_value(v, &p, &mut problems) {
            if let Some((_, first)) = seen.iter().find(|(id, _)| *id == item.id) {
                problems.push(
                    join(&p, "id"),
                    format!(
                        "{:?} is already used by {}",
                        item.id,
                        index(&items_path, *first)
                    ),
                );
            }
            seen.push((item.id.clone(), i));
            out.push(item);
        }
    }
    problems.into_result(Channel { items: out })
}

pub(super) fn item_from_value(value: &Value, path: &str, problems: &mut Problems) -> Option<Item> {
    let obj = as_object(value, path, problems)?;
    let id = req_id(obj, path, "id", problems);
    let kind = match req_raw_str(obj, path, "type", problems) {
        Some("announcement") => {
            let title = opt_text(obj, path, "title", limits::TITLE_CHARS, false, problems);
            let body = opt_text(obj, path, "body", limits::BODY_CHARS, true, problems);
            let image = opt_image(obj, path, "image", problems);
            let qr = opt_text(obj, path, "qr", limits::QR_CHARS, false, problems);
            if title.is_none() && body.is_none() && !has_bad(obj, &["title", "body"]) {
                problems.push(
                    path,
                    "an announcement needs a \"title\" or a \"body\" (or both)",
                );
            }
            Some(ItemKind::Announcement {
                title,
                body,
                image,
                qr,
            })
        }
        Some("image") => {
            let image = opt_image(obj, path, "image", problems);
            if image.is_none() && !has_bad(obj, &["image"]) {
                problems.push(join(path, "image"), "is required for an image item");
            }
            let caption = opt_text(obj, path, "caption", limits::CAPTION_CHARS, false, problems);
            image.map(|image| ItemKind::Image { image, caption })
        }
        Some("ticker") => {
            let text = opt_text(obj, path, "text", limits::TICKER_CHARS, false, problems);
            if text.is_none() && !has_bad(obj, &["text"]) {
                problems.push(join(path, "text"), "is required for a ticker item");
            }
            text.map(|text| ItemKind::Ticker { text })
        }
        Some("video") => {
            let video = opt_video(obj, path, problems);
            if !obj.contains_key("video") {
                problems.push(join(path, "video"), "is required for a video item");
            }
            let caption = opt_text(obj, path, "caption", limits::CAPTION_CHARS, false, problems);
            let audio = match obj.get("audio") {
                None => Some(false),
                Some(Value::Bool(b)) => Some(*b),
                Some(other) => {
                    problems.push(
                        join(path, "audio"),
                        format!("must be true or false, {}", got(other)),
                    );
                    None
                }
            };
            match (video, audio) {
                (Some(video), Some(audio)) => Some(ItemKind::Video {
                    video,
                    caption,
                    audio,
                }),
                _ => None,
            }
        }
        Some(other) => {
            problems.push(
                join(path, "type"),
                format!("must be one of announcement, image, ticker, video, got {other:?}"),
            );
            None
        }
        None => None,
    };
    let class = match obj.get("class") {
        None => Some(Class::Normal),
        Some(Value::String(s)) if s == "normal" => Some(Class::Normal),
        Some(Value::String(s)) if s == "priority" => Some(Class::Priority),
        Some(other) => {
            problems.push(
                join(path, "class"),
                format!(
                    "must be \"normal\" or \"priority\", got {}",
                    describe(other)
                ),
            );
            None
        }
    };
    let duration_s = match obj.get("duration_s") {
        // A clip without a duration lasts as long as the clip (known once it is probed).
        None if matches!(kind, Some(ItemKind::Video { .. })) => Some(limits::CLIP_LENGTH),
        None => Some(limits::DEFAULT_DURATION_S),
        Some(v) => {
            let range = limits::DURATION_S;
            match v.as_u64() {
                Some(n) if range.contains(&(n.min(u32::MAX as u64) as u32)) => Some(n as u32),
                _ => {
                    problems.push(
                        join(path, "duration_s"),
                        format!(
                            "must be {}..={} seconds, got {}",
                            range.start(),
                            range.end(),
                            compact(v)
                        ),
                    );
                    None
                }
            }
        }
    };
    let valid_from = opt_time(obj, path, "valid_from", problems);
    let valid_until = opt_time(obj, path, "valid_until", problems);
    if let (Some(from), Some(until)) = (valid_from, valid_until) {
        if until <= from {
            problems.push(
                join(path, "valid_until"),
                format!("must be after valid_from ({from}), got {until}"),
            );
        }
    }
    let days = opt_days(obj, path, problems);
    let hours = opt_hours(obj, path, problems);
    Some(Item {
        id: id?,
        kind: kind?,
        class: class?,
        duration_s: duration_s?,
        valid_from,
        valid_until,
        days: days?,
        hours: hours?,
    })
}

/// Whether any of `keys` is present (so its own problem was already reported).
pub(super) fn has_bad(obj: &Obj, keys: &[&str]) -> bool {
    keys.iter()
        .any(|k| obj.get(*k).is_some_and(|v| !v.is_null()))
}

pub(super) fn opt_days(
    obj: &Obj,
    path: &str,
    problems: &mut Problems,
) -> Option<Option<Vec<Weekday>>> {
    let p = join(path, "days");
    let Some(v) = obj.get("days") else {
        return Some(None);
    };
    let Some(arr) = v.as_array() else {
        problems.push(
            p,
            format!("must be a list of mon..sun, got {}", describe(v)),
        );
        return None;
    };
    let mut days = Vec::new();
    let mut ok = true;
    for (i, d) in arr.iter().enumerate() {
        match d.as_str().and_then(Weekday::from_name) {
            Some(day) if !days.contains(&day) => days.push(day),
            Some(day) => {
                problems.push(index(&p, i), format!("repeats {:?}", day.name()));
                ok = false;
            }
            None => {
                problems.push(
                    index(&p, i),
                    format!(
                        "must be one of mon, tue, wed, thu, fri, sat, sun, got {}",
                        compact(d)
                    ),
                );
                ok = false;
            }
        }
    }
    if ok && days.is_empty() {
        problems.push(p, "must name at least one day (leave it out for every day)");
        ok = false;
    }
    ok.then_some(Some(days))
}

pub(super) fn opt_hours(
    obj: &Obj,
    path: &str,
    problems: &mut Problems,
) -> Option<Option<Vec<HourRange>>> {
    let p = join(path, "hours");
    let Some(v) = obj.get("hours") else {
        return Some(None);
    };
    let Some(arr) = v.as_array() else {
        problems.push(
            p,
            format!(
                "must be a list of {{\"from\": \"HH:MM\", \"to\": \"HH:MM\"}}, got {}",
                describe(v)
            ),
        );
        return None;
    };
    if arr.is_empty() || arr.len() > limits::HOUR_RANGES {
        problems.push(
            p,
            format!(
                "must hold 1..={} ranges (leave it out for all day), got {}",
                limits::HOUR_RANGES,
                arr.len()
            ),
        );
        return None;
    }
    let mut out = Vec::new();
    let mut ok = true;
    for (i, r) in arr.iter().enumerate() {
        let rp = index(&p, i);
        let Some(ro) = as_object(r, &rp, problems) else {
            ok = false;
            continue;
        };
        let mut time = |key: &str| match ro.get(key) {
            Some(Value::String(s)) => match TimeOfDay::parse(s) {
                Some(t) => Some(t),
                None => {
                    problems.push(
                        join(&rp, key),
                        format!("must be a time \"HH:MM\" (00:00..24:00), got {s:?}"),
                    );
                    None
                }
            },
            Some(other) => {
                problems.push(
                    join(&rp, key),
                    format!("must be a time \"HH:MM\", got {}", describe(other)),
                );
                None
            }
            None => {
                problems.push(join(&rp, key), "is required");
                None
            }
        };
        let (from, to) = (time("from"), time("to"));
        match (from, to) {
            (Some(from), Some(to)) if from == to => {
                problems.push(
                    join(&rp, "to"),
                    "must differ from \"from\" (leave hours out for all day)",
                );
                ok = false;
            }
            (Some(from), Some(to)) => out.push(HourRange { from, to }),
            _ => ok = false,
        }
    }
    ok.then_some(Some(out))
}

/// `sha256` of a file reference at `p`: 64 hex digits, kept lowercase.
fn sha256_field(io: &Obj, p: &str, problems: &mut Problems) -> Option<String> {
    match io.get("sha256") {
        Some(Value::String(s)) if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Some(s.to_ascii_lowercase())
        }
        Some(other) => {
            problems.push(
                join(p, "sha256"),
                format!("must be 64 hexadecimal digits, {}", got(other)),
            );
            None
        }
        None => {
            problems.push(join(p, "sha256"), "is required");
            None
        }
    }
}

/// `url` of a file reference at `p`: http(s), no spaces, bounded.
fn url_field(url: &Value, p: &str, problems: &mut Problems) -> Option<String> {
    match url.as_str() {
        Some(u)
            if (u.starts_with("https://") || u.starts_with("http://"))
                && u.len() <= limits::URL_CHARS
                && !u.chars().any(char::is_whitespace) =>
        {
            Some(u.to_owned())
        }
        _ => {
            problems.push(
                join(p, "url"),
                format!("must be an http(s) URL, {}", got(url)),
            );
            None
        }
    }
}

/// `bytes` of a file reference at `p`: 1..=`max`.
fn bytes_field(io: &Obj, p: &str, what: &str, max: u64, problems: &mut Problems) -> Option<u64> {
    match io.get("bytes").and_then(Value::as_u64) {
        Some(n) if (1..=max).contains(&n) => Some(n),
        _ => {
            problems.push(
                join(p, "bytes"),
                format!(
                    "must be the {what} size, 1..={max} bytes, got {}",
                    io.get("bytes").map_or("nothing".into(), compact)
                ),
            );
            None
        }
    }
}

/// A video: `{url, sha256, bytes}`, never inline.
fn opt_video(obj: &Obj, path: &str, problems: &mut Problems) -> Option<VideoRef> {
    let p = join(path, "video");
    let io = as_object(obj.get("video")?, &p, problems)?;
    let sha256 = sha256_field(io, &p, problems);
    if io.contains_key("inline") {
        problems.push(
            join(&p, "inline"),
            "is not allowed: a video comes by \"url\" only",
        );
        return None;
    }
    let url = match io.get("url") {
        Some(u) => url_field(u, &p, problems),
        None => {
            problems.push(join(&p, "url"), "is required");
            None
        }
    };
    let bytes = bytes_field(io, &p, "video", limits::VIDEO_BYTES, problems);
    Some(VideoRef {
        url: url?,
        sha256: sha256?,
        bytes: bytes?,
    })
}

pub(super) fn opt_image(
    obj: &Obj,
    path: &str,
    key: &str,
    problems: &mut Problems,
) -> Option<ImageRef> {
    let p = join(path, key);
    let v = obj.get(key)?;
    if v.is_null() {
        return None;
    }
    let io = as_object(v, &p, problems)?;
    let sha256 = sha256_field(io, &p, problems);
    match (io.get("url"), io.get("inline")) {
        (Some(_), Some(_)) => {
            problems.push(p, "must have either \"url\" or \"inline\", not both");
            None
        }
        (None, None) => {
            problems.push(p, "must have \"url\" (with \"bytes\") or \"inline\"");
            None
        }
        (Some(url), None) => {
            let url = url_field(url, &p, problems);
            let bytes = bytes_field(io, &p, "image", limits::URL_IMAGE_BYTES, problems);
            Some(ImageRef::Url {
                url: url?,
                sha256: sha256?,
                bytes: bytes?,
            })
        }
        (None, Some(inline)) => {
            let ip = join(&p, "inline");
            let Some(text) = inline.as_str() else {
                problems.push(ip, format!("must be base64 text, got {}", describe(inline)));
                return None;
            };
            // Bound the work before decoding: base64 is 4 characters per 3 bytes.
            if text.len() > limits::INLINE_IMAGE_BYTES / 3 * 4 + 4 {
                problems.push(
                    ip,
                    format!(
                        "decodes to more than {} KiB; send a smaller image or a URL",
                        limits::INLINE_IMAGE_BYTES / 1024
                    ),
                );
                return None;
            }
            let data = match base64::engine::general_purpose::STANDARD.decode(text) {
                Ok(d) => d,
                Err(e) => {
                    problems.push(ip, format!("is not valid base64: {e}"));
                    return None;
                }
            };
            if data.len() > limits::INLINE_IMAGE_BYTES {
                problems.push(
                    ip,
                    format!(
                        "decodes to {} bytes, more than {} KiB; send a smaller image or a URL",
                        data.len(),
                        limits::INLINE_IMAGE_BYTES / 1024
                    ),
                );
                return None;
            }
            let sha256 = sha256?;
            let actual = hex::encode(Sha256::digest(&data));
            if actual != sha256 {
                problems.push(
                    join(&p, "sha256"),
                    format!("does not match the inline data (its sha256 is {actual})"),
                );
                return None;
            }
            Some(ImageRef::Inline {
                inline: text.to_owned(),
                sha256,
            })
        }
    }
}
