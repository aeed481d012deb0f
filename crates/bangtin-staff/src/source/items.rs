//! Items on the wire: the channel's JSON built from what was read, its ids and size checked.

use super::*;

pub(super) fn announcement(
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

pub(super) fn ticker(id: &str, sched: &Schedule, text: &str) -> Value {
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
pub(super) fn ticker_items(
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

pub(super) fn put_schedule(m: &mut Map<String, Value>, s: &Schedule, default_duration: bool) {
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

pub(super) fn check_ids(ctx: &mut Ctx, items: &[ItemOut]) {
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
pub(super) fn check_size(ctx: &mut Ctx, channel: &Value) {
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
