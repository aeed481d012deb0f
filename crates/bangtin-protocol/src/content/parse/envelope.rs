//! The envelope and its body: the signed wrapper every staff message travels in.

use super::*;

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

pub(super) fn envelope_from(obj: &Obj, problems: &mut Problems) -> Option<Envelope> {
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
