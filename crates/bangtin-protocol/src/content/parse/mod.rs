//! From bytes to the validated model, collecting every problem with its JSON path.
//!
//! The document is first parsed as untyped JSON, then walked field by field, so one wrong type
//! in `items[0]` does not hide a bad duration in `items[5]`. Nothing here panics on any input.

mod alert;
mod channel;
mod command;
mod envelope;
mod fields;

use super::cap::alert_from_cap;
use super::model::*;
use super::problems::{index, join, Problems};
use super::text::clean;
use crate::ids::{is_valid_id, ID_RULE};
pub use alert::alert_from_value;
use base64::Engine as _;
pub use channel::channel_from_value;
use channel::*;
pub use command::{action_args, command_from_value};
use envelope::*;
pub use envelope::{parse_body, parse_envelope};
use fields::*;
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
