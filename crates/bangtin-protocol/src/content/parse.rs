//! From bytes to the validated model, collecting every problem with its JSON path.
//!
//! The document is first parsed as untyped JSON, then walked field by field, so one wrong type
//! in `items[0]` does not hide a bad duration in `items[5]`. Nothing here panics on any input.

use super::cap::alert_from_cap;
use super::model::*;
use super::problems::{index, join, Problems};
use super::text::clean;
use crate::ids::{is_valid_id, ID_RULE};
use base64::Engine as _;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

type Obj = Map<String, Value>;

/// A document given to `bangtin check` / `bangtin render`: a bare channel or alert object, or a
/// signed envelope (whose signature is not checked here; that is the trust store's job).
#[derive(Debug, Clone, PartialEq)]
pub enum Document {
    Channel(Channel),
    Alert(Alert),
    Envelope(Envelope, Body),
}

impl Document {
    /// What the document carries, envelope or not.
    pub fn payload(&self) -> PayloadRef<'_> {
        match self {
            Document::Channel(c) => PayloadRef::Channel(c),
            Document::Alert(a) => PayloadRef::Alert(a),
            Document::Envelope(_, body) => match &body.payload {
                Payload::Channel(c) => PayloadRef::Channel(c),
                Payload::Alert(a) => PayloadRef::Alert(a),
                Payload::Command(c) => PayloadRef::Command(c),
            },
        }
    }

    /// Every image the document refers to, with its JSON path (`items[2].image`).
    pub fn images(&self) -> Vec<(String, &ImageRef)> {
        let base = match self {
            Document::Envelope(_, body) => join("body", body.payload.kind()),
            _ => String::new(),
        };
        match self.payload() {
            PayloadRef::Channel(c) => c
                .items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| {
                    let path = join(&index(&join(&base, "items"), i), "image");
                    item.kind.image().map(|img| (path, img))
                })
                .collect(),
            PayloadRef::Alert(a) => a
                .image
                .iter()
                .map(|img| (join(&base, "image"), img))
                .collect(),
            PayloadRef::Command(_) => Vec::new(),
        }
    }
}

/// A borrowed view of what a document carries.
#[derive(Debug, Clone, Copy)]
pub enum PayloadRef<'a> {
    Channel(&'a Channel),
    Alert(&'a Alert),
    Command(&'a Command),
}

/// Parses raw bytes as JSON: size limit, UTF-8 and syntax, each with a clear reason.
pub fn parse_json(bytes: &[u8]) -> Result<Value, Problems> {
    let mut problems = Problems::default();
    if bytes.len() > limits::MESSAGE_BYTES {
        problems.push(
            "",
            format!(
                "message is {} bytes, more than the limit of {} bytes",
                bytes.len(),
                limits::MESSAGE_BYTES
            ),
        );
        return Err(problems);
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            problems.push("", format!("not valid UTF-8 at byte {}", e.valid_up_to()));
            return Err(problems);
        }
    };
    match serde_json::from_str(text) {
        Ok(v) => Ok(v),
        Err(e) => {
            problems.push(
                "",
                format!(
                    "is not valid JSON: {} (line {}, column {})",
                    strip_position(&e.to_string()),
                    e.line(),
                    e.column()
                ),
            );
            Err(problems)
        }
    }
}

fn strip_position(msg: &str) -> &str {
    msg.split(" at line ").next().unwrap_or(msg)
}

/// Detects what the document is and parses it.
pub fn parse_document(bytes: &[u8]) -> Result<Document, Problems> {
    let value = parse_json(bytes)?;
    let Some(obj) = value.as_object() else {
        let mut p = Problems::default();
        p.push(
            "",
            format!("must be a JSON object, got {}", describe(&value)),
        );
        return Err(p);
    };
    if obj.contains_key("sig") || obj.contains_key("body") && obj.contains_key("key") {
        let mut problems = Problems::default();
        let env = envelope_from(obj, &mut problems);
        problems.into_result(())?;
        let env = env.ok_or_else(Problems::default)?;
        let body = parse_body(&env.body).map_err(|p| prefix(p, "body"))?;
        return Ok(Document::Envelope(env, body));
    }
    if obj.contains_key("items") {
        return channel_from_value(&value, "").map(Document::Channel);
    }
    if obj.contains_key("headline") || obj.contains_key("severity") || obj.contains_key("cap") {
        return alert_from_value(&value, "").map(Document::Alert);
    }
    let mut p = Problems::default();
    p.push(
        "",
        "is neither a channel (has \"items\"), an alert (has \"headline\"/\"severity\") nor a signed envelope (has \"sig\")",
    );
    Err(p)
}

fn prefix(mut problems: Problems, parent: &str) -> Problems {
    for p in &mut problems.0 {
        p.path = join(parent, &p.path);
    }
    problems
}

/// Parses a signed envelope (not its body, not its signature).
pub fn parse_envelope(bytes: &[u8]) -> Result<Envelope, Problems> {
    let value = parse_json(bytes)?;
    let mut problems = Problems::default();
    let Some(obj) = value.as_object() else {
        problems.push(
            "",
            format!("must be a JSON object, got {}", describe(&value)),
        );
        return Err(problems);
    };
    let env = envelope_from(obj, &mut problems);
    match env {
        Some(env) if problems.is_empty() => Ok(env),
        _ => Err(problems),
    }
}

fn envelope_from(obj: &Obj, problems: &mut Problems) -> Option<Envelope> {
    let v = match obj.get("v") {
        Some(Value::Number(n)) if n.as_u64() == Some(1) => Some(1),
        Some(other) => {
            problems.push("v", format!("must be 1, got {}", describe(other)));
            None
        }
        None => {
            problems.push("v", "is required (protocol version 1)");
            None
        }
    };
    let key = req_id(obj, "", "key", problems);
    let sig = req_raw_str(obj, "", "sig", problems).and_then(|s| {
        match base64::engine::general_purpose::STANDARD.decode(s) {
            Ok(b) if b.len() == 64 => Some(s.to_owned()),
            Ok(b) => {
                problems.push(
                    "sig",
                    format!("must be a 64-byte Ed25519 signature, got {} bytes", b.len()),
                );
                None
            }
            Err(e) => {
                problems.push("sig", format!("is not valid base64: {e}"));
                None
            }
        }
    });
    let body = req_raw_str(obj, "", "body", problems).map(str::to_owned);
    Some(Envelope {
        v: v?,
        key: key?,
        sig: sig?,
        body: body?,
    })
}

/// Parses the JSON text of an envelope body.
pub fn parse_body(text: &str) -> Result<Body, Problems> {
    let value = parse_json(text.as_bytes())?;
    let mut problems = Problems::default();
    let Some(obj) = value.as_object() else {
        problems.push(
            "",
            format!("must be a JSON object, got {}", describe(&value)),
        );
        return Err(problems);
    };
    let topic = req_raw_str(obj, "", "topic", &mut problems).and_then(|t| {
        if t.is_empty() || t.len() > 512 || t.contains(['+', '#', '\0']) {
            problems.push(
                "topic",
                format!("must be a plain MQTT topic name, got {t:?}"),
            );
            None
        } else {
            Some(t.to_owned())
        }
    });
    let seq = match obj.get("seq") {
        Some(Value::Number(n)) if n.as_u64().is_some() => n.as_u64(),
        Some(other) => {
            problems.push(
                "seq",
                format!("must be a non-negative integer, got {}", describe(other)),
            );
            None
        }
        None => {
            problems.push("seq", "is required");
            None
        }
    };
    let issued_at = req_time(obj, "", "issued_at", &mut problems);
    let payload = match req_raw_str(obj, "", "kind", &mut problems) {
        Some(kind @ ("channel" | "alert" | "command")) => match obj.get(kind) {
            None => {
                problems.push(kind, format!("is required when kind is \"{kind}\""));
                None
            }
            Some(v) => {
                let parsed = match kind {
                    "channel" => channel_from_value(v, kind).map(Payload::Channel),
                    "alert" => alert_from_value(v, kind).map(Payload::Alert),
                    _ => command_from_value(v, kind).map(Payload::Command),
                };
                parsed.map_err(|p| problems.extend(p)).ok()
            }
        },
        Some(other) => {
            problems.push(
                "kind",
                format!("must be one of channel, alert, command, got {other:?}"),
            );
            None
        }
        None => None,
    };
    match (topic, seq, issued_at, payload) {
        (Some(topic), Some(seq), Some(issued_at), Some(payload)) if problems.is_empty() => {
            Ok(Body {
                topic,
                seq,
                issued_at,
                payload,
            })
        }
        _ => Err(problems),
    }
}

impl Body {
    /// The wire form of this body (what gets signed).
    pub fn to_json(&self) -> String {
        let payload = match &self.payload {
            Payload::Channel(c) => serde_json::to_value(c),
            Payload::Alert(a) => serde_json::to_value(a),
            Payload::Command(c) => Ok(c.to_value()),
        }
        .unwrap_or(Value::Null);
        let mut obj = Obj::new();
        obj.insert("topic".into(), Value::String(self.topic.clone()));
        obj.insert("seq".into(), Value::from(self.seq));
        obj.insert(
            "issued_at".into(),
            Value::String(self.issued_at.to_rfc3339()),
        );
        obj.insert("kind".into(), Value::String(self.payload.kind().into()));
        obj.insert(self.payload.kind().into(), payload);
        Value::Object(obj).to_string()
    }
}

/// Parses a channel object from bytes.
pub fn parse_channel(bytes: &[u8]) -> Result<Channel, Problems> {
    channel_from_value(&parse_json(bytes)?, "")
}

/// Parses an alert object (fields form, or `{"cap": XML}`) from bytes.
pub fn parse_alert(bytes: &[u8]) -> Result<Alert, Problems> {
    alert_from_value(&parse_json(bytes)?, "")
}

/// Parses a command object from bytes.
pub fn parse_command(bytes: &[u8]) -> Result<Command, Problems> {
    command_from_value(&parse_json(bytes)?, "")
}

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

fn item_from_value(value: &Value, path: &str, problems: &mut Problems) -> Option<Item> {
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
        Some(other) => {
            problems.push(
                join(path, "type"),
                format!("must be one of announcement, image, ticker, got {other:?}"),
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
fn has_bad(obj: &Obj, keys: &[&str]) -> bool {
    keys.iter()
        .any(|k| obj.get(*k).is_some_and(|v| !v.is_null()))
}

fn opt_days(obj: &Obj, path: &str, problems: &mut Problems) -> Option<Option<Vec<Weekday>>> {
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

fn opt_hours(obj: &Obj, path: &str, problems: &mut Problems) -> Option<Option<Vec<HourRange>>> {
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

/// Validates an alert object found at `path`: the fields form, or `{"cap": "<alert ...>"}`, a
/// CAP 1.2 document mapped by [`alert_from_cap`] onto the same fields.
pub fn alert_from_value(value: &Value, path: &str) -> Result<Alert, Problems> {
    let mut problems = Problems::default();
    let Some(obj) = as_object(value, path, &mut problems) else {
        return Err(problems);
    };
    if let Some(cap) = obj.get("cap") {
        return cap_alert(obj, cap, path, problems);
    }
    let id = req_id(obj, path, "id", &mut problems);
    let msg_type = match obj.get("msg_type") {
        None => Some(MsgType::Alert),
        Some(Value::String(s)) => match s.as_str() {
            "alert" => Some(MsgType::Alert),
            "update" => Some(MsgType::Update),
            "cancel" => Some(MsgType::Cancel),
            _ => {
                problems.push(
                    join(path, "msg_type"),
                    format!("must be one of alert, update, cancel, got {s:?}"),
                );
                None
            }
        },
        Some(other) => {
            problems.push(
                join(path, "msg_type"),
                format!(
                    "must be one of alert, update, cancel, got {}",
                    describe(other)
                ),
            );
            None
        }
    };
    let references = opt_references(obj, path, &mut problems);
    if let (Some(MsgType::Update | MsgType::Cancel), Some(refs)) = (msg_type, &references) {
        if refs.is_empty() {
            problems.push(
                join(path, "references"),
                "must name the alert ids this update or cancel refers to",
            );
        }
    }
    let is_cancel = msg_type == Some(MsgType::Cancel);
    let status = enum_field(
        obj,
        path,
        "status",
        &[
            ("actual", AlertStatus::Actual),
            ("exercise", AlertStatus::Exercise),
            ("test", AlertStatus::Test),
        ],
        None,
        &mut problems,
    );
    let severity = enum_field(
        obj,
        path,
        "severity",
        &[
            ("extreme", Severity::Extreme),
            ("severe", Severity::Severe),
            ("moderate", Severity::Moderate),
            ("minor", Severity::Minor),
        ],
        is_cancel.then_some(Severity::Minor),
        &mut problems,
    );
    let headline = opt_text(
        obj,
        path,
        "headline",
        limits::HEADLINE_CHARS,
        false,
        &mut problems,
    );
    if headline.is_none() && !is_cancel && !has_bad(obj, &["headline"]) {
        problems.push(join(path, "headline"), "is required");
    }
    let description = opt_text(
        obj,
        path,
        "description",
        limits::DESCRIPTION_CHARS,
        true,
        &mut problems,
    );
    let instruction = opt_text(
        obj,
        path,
        "instruction",
        limits::INSTRUCTION_CHARS,
        true,
        &mut problems,
    );
    let sender_name = opt_text(
        obj,
        path,
        "sender_name",
        limits::SENDER_CHARS,
        false,
        &mut problems,
    );
    let area = opt_text(obj, path, "area", limits::AREA_CHARS, false, &mut problems);
    let effective = opt_time(obj, path, "effective", &mut problems);
    let expires = opt_time(obj, path, "expires", &mut problems);
    if let (Some(eff), Some(exp)) = (effective, expires) {
        if exp <= eff {
            problems.push(
                join(path, "expires"),
                format!("must be after effective ({eff}), got {exp}"),
            );
        }
    }
    let image = opt_image(obj, path, "image", &mut problems);
    let alert = match (id, msg_type, references, status, severity) {
        (Some(id), Some(msg_type), Some(references), Some(status), Some(severity)) => Alert {
            id,
            msg_type,
            references,
            status,
            severity,
            headline: headline.unwrap_or_default(),
            description,
            instruction,
            sender_name,
            area,
            effective,
            expires,
            image,
        },
        _ => return Err(problems),
    };
    problems.into_result(alert)
}

/// The CAP form of an alert: `{"cap": "<alert xmlns=...>...</alert>"}` and nothing else. Every
/// problem with the XML is reported at the path of the `cap` string (see [`alert_from_cap`]).
fn cap_alert(
    obj: &Obj,
    cap: &Value,
    path: &str,
    mut problems: Problems,
) -> Result<Alert, Problems> {
    let others: Vec<String> = obj
        .keys()
        .filter(|k| k.as_str() != "cap")
        .map(|k| format!("{k:?}"))
        .collect();
    if !others.is_empty() {
        problems.push(
            path,
            format!(
                "holds a CAP document in \"cap\", so it must have no other fields; found {}",
                others.join(", ")
            ),
        );
    }
    let cap_path = join(path, "cap");
    match cap {
        Value::String(xml) => match alert_from_cap(xml, &cap_path) {
            Ok(alert) => return problems.into_result(alert),
            Err(p) => problems.extend(p),
        },
        other => problems.push(
            cap_path,
            format!(
                "must be a string holding a CAP 1.2 XML document, got {}",
                describe(other)
            ),
        ),
    }
    Err(problems)
}

fn opt_references(obj: &Obj, path: &str, problems: &mut Problems) -> Option<Vec<String>> {
    let p = join(path, "references");
    let Some(v) = obj.get("references") else {
        return Some(Vec::new());
    };
    let Some(arr) = v.as_array() else {
        problems.push(
            p,
            format!("must be a list of alert ids, got {}", describe(v)),
        );
        return None;
    };
    if arr.len() > limits::REFERENCES {
        problems.push(
            p,
            format!(
                "may name at most {} alerts, got {}",
                limits::REFERENCES,
                arr.len()
            ),
        );
        return None;
    }
    let mut out = Vec::new();
    let mut ok = true;
    for (i, r) in arr.iter().enumerate() {
        match r.as_str() {
            Some(s) if is_valid_id(s) => out.push(s.to_owned()),
            _ => {
                problems.push(index(&p, i), format!("{}, {}", ID_RULE, got(r)));
                ok = false;
            }
        }
    }
    ok.then_some(out)
}

/// Validates a command object found at `path`.
pub fn command_from_value(value: &Value, path: &str) -> Result<Command, Problems> {
    let mut problems = Problems::default();
    let Some(obj) = as_object(value, path, &mut problems) else {
        return Err(problems);
    };
    let id = req_id(obj, path, "id", &mut problems);
    let name = req_raw_str(obj, path, "action", &mut problems);
    if let Some(s) = name.filter(|s| !Action::NAMES.contains(s)) {
        problems.push(
            join(path, "action"),
            format!("must be one of screenshot, reload, identify, set_brightness, got {s:?}"),
        );
    }
    let empty = Map::new();
    let args = match obj.get("args") {
        None | Some(Value::Null) => Some(&empty),
        Some(Value::Object(m)) => Some(m),
        Some(other) => {
            problems.push(
                join(path, "args"),
                format!("must be an object, got {}", describe(other)),
            );
            None
        }
    };
    let action = match (name, args) {
        (Some(name), Some(args)) => match action_args(name, args) {
            Ok(action) => action,
            Err(e) => {
                problems.push(join(path, "args"), e);
                None
            }
        },
        _ => None,
    };
    match (id, action) {
        (Some(id), Some(action)) if problems.is_empty() => Ok(Command { id, action }),
        _ => Err(problems),
    }
}

fn opt_image(obj: &Obj, path: &str, key: &str, problems: &mut Problems) -> Option<ImageRef> {
    let p = join(path, key);
    let v = obj.get(key)?;
    if v.is_null() {
        return None;
    }
    let io = as_object(v, &p, problems)?;
    let sha256 = match io.get("sha256") {
        Some(Value::String(s)) if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Some(s.to_ascii_lowercase())
        }
        Some(other) => {
            problems.push(
                join(&p, "sha256"),
                format!("must be 64 hexadecimal digits, {}", got(other)),
            );
            None
        }
        None => {
            problems.push(join(&p, "sha256"), "is required");
            None
        }
    };
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
            let url = match url.as_str() {
                Some(u)
                    if (u.starts_with("https://") || u.starts_with("http://"))
                        && u.len() <= limits::URL_CHARS
                        && !u.chars().any(char::is_whitespace) =>
                {
                    Some(u.to_owned())
                }
                _ => {
                    problems.push(
                        join(&p, "url"),
                        format!("must be an http(s) URL, {}", got(url)),
                    );
                    None
                }
            };
            let bytes = match io.get("bytes").and_then(Value::as_u64) {
                Some(n) if (1..=limits::URL_IMAGE_BYTES).contains(&n) => Some(n),
                _ => {
                    problems.push(
                        join(&p, "bytes"),
                        format!(
                            "must be the image size, 1..={} bytes, got {}",
                            limits::URL_IMAGE_BYTES,
                            io.get("bytes").map_or("nothing".into(), compact)
                        ),
                    );
                    None
                }
            };
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

fn req_id(obj: &Obj, path: &str, key: &str, problems: &mut Problems) -> Option<String> {
    let p = join(path, key);
    match obj.get(key) {
        Some(Value::String(s)) if is_valid_id(s) => Some(s.clone()),
        Some(other) => {
            problems.push(p, format!("{}, {}", ID_RULE, got(other)));
            None
        }
        None => {
            problems.push(p, "is required");
            None
        }
    }
}

fn req_raw_str<'a>(
    obj: &'a Obj,
    path: &str,
    key: &str,
    problems: &mut Problems,
) -> Option<&'a str> {
    match obj.get(key) {
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            problems.push(
                join(path, key),
                format!("must be a string, got {}", describe(other)),
            );
            None
        }
        None => {
            problems.push(join(path, key), "is required");
            None
        }
    }
}

/// An optional human text: cleaned (NFC, controls), non-empty after cleaning, bounded.
fn opt_text(
    obj: &Obj,
    path: &str,
    key: &str,
    max_chars: usize,
    multiline: bool,
    problems: &mut Problems,
) -> Option<String> {
    match obj.get(key)? {
        Value::Null => None,
        Value::String(s) => {
            let cleaned = clean(s, multiline);
            let n = cleaned.chars().count();
            if cleaned.is_empty() {
                problems.push(join(path, key), "must not be empty (leave it out instead)");
                None
            } else if n > max_chars {
                problems.push(
                    join(path, key),
                    format!("must be at most {max_chars} characters, got {n}"),
                );
                None
            } else {
                Some(cleaned)
            }
        }
        other => {
            problems.push(
                join(path, key),
                format!("must be a string, got {}", describe(other)),
            );
            None
        }
    }
}

fn opt_time(obj: &Obj, path: &str, key: &str, problems: &mut Problems) -> Option<Timestamp> {
    match obj.get(key)? {
        Value::Null => None,
        Value::String(s) => match chrono::DateTime::parse_from_rfc3339(s) {
            Ok(t) => Some(t),
            Err(_) => {
                problems.push(
                    join(path, key),
                    format!(
                        "must be an RFC 3339 time with offset like \"2026-11-24T08:00:00+07:00\", got {s:?}"
                    ),
                );
                None
            }
        },
        other => {
            problems.push(
                join(path, key),
                format!("must be an RFC 3339 time string, got {}", describe(other)),
            );
            None
        }
    }
}

fn req_time(obj: &Obj, path: &str, key: &str, problems: &mut Problems) -> Option<Timestamp> {
    if obj.get(key).is_none_or(Value::is_null) {
        problems.push(join(path, key), "is required");
        return None;
    }
    opt_time(obj, path, key, problems)
}

fn enum_field<T: Copy>(
    obj: &Obj,
    path: &str,
    key: &str,
    options: &[(&str, T)],
    default: Option<T>,
    problems: &mut Problems,
) -> Option<T> {
    let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
    match obj.get(key) {
        None => {
            if default.is_none() {
                problems.push(
                    join(path, key),
                    format!("is required (one of {})", names.join(", ")),
                );
            }
            default
        }
        Some(v) => match options.iter().find(|(n, _)| v.as_str() == Some(n)) {
            Some((_, t)) => Some(*t),
            None => {
                problems.push(
                    join(path, key),
                    format!("must be one of {}, {}", names.join(", "), got(v)),
                );
                None
            }
        },
    }
}

fn as_object<'a>(value: &'a Value, path: &str, problems: &mut Problems) -> Option<&'a Obj> {
    match value {
        Value::Object(o) => Some(o),
        other => {
            problems.push(path, format!("must be an object, got {}", describe(other)));
            None
        }
    }
}

/// "got 3", "got \"abc\"" — short, for messages.
fn got(v: &Value) -> String {
    format!("got {}", compact(v))
}

fn compact(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        let cut: String = s.chars().take(57).collect();
        format!("{cut}...")
    } else {
        s
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("a boolean ({b})"),
        Value::Number(n) => format!("a number ({n})"),
        Value::String(_) => format!("a string ({})", compact(v)),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// The action `name` with its arguments checked ("parse, don't validate": a board never sees
/// an unchecked argument). `None` for an unknown name (reported by the caller).
pub fn action_args(name: &str, args: &Obj) -> Result<Option<Action>, String> {
    let only = |allowed: &[&str]| match args.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) if allowed.is_empty() => Err(format!("{name} takes no arguments, got {k:?}")),
        Some(k) => Err(format!("{name} takes {}, not {k:?}", allowed.join(" and "))),
        None => Ok(()),
    };
    Ok(Some(match name {
        "screenshot" => {
            only(&[])?;
            Action::Screenshot
        }
        "reload" => {
            only(&[])?;
            Action::Reload
        }
        "identify" => {
            only(&["seconds"])?;
            let seconds = match args.get("seconds") {
                None | Some(Value::Null) => limits::IDENTIFY_DEFAULT_S,
                Some(v) => v
                    .as_u64()
                    .filter(|s| limits::IDENTIFY_S.contains(s))
                    .ok_or_else(|| format!("seconds must be 1..=600, got {}", compact(v)))?,
            };
            Action::Identify { seconds }
        }
        "set_brightness" => {
            only(&["level", "minutes"])?;
            let level = match args.get("level") {
                None => {
                    return Err(
                        "set_brightness needs level (a percentage 0..=100, or null for the \
                         schedule)"
                            .into(),
                    )
                }
                Some(Value::Null) => None,
                Some(v) => Some(
                    v.as_u64()
                        .filter(|p| *p <= 100)
                        .map(|p| p as u32)
                        .ok_or_else(|| {
                            format!(
                                "level must be a percentage 0..=100 or null, got {}",
                                compact(v)
                            )
                        })?,
                ),
            };
            let minutes = match args.get("minutes") {
                None | Some(Value::Null) => None,
                Some(v) => Some(
                    v.as_u64()
                        .filter(|m| limits::BRIGHTNESS_MINUTES.contains(m))
                        .ok_or_else(|| format!("minutes must be 1..=1440, got {}", compact(v)))?,
                ),
            };
            // Never black: a board at 0% looks broken (and is, to a citizen).
            let level = level.map(|l| l.max(limits::MIN_BRIGHTNESS));
            Action::SetBrightness { level, minutes }
        }
        _ => return Ok(None),
    }))
}
