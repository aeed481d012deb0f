//! The field readers every part shares: each reports what it expected, what it found, and where.

use super::*;

pub(super) fn req_id(obj: &Obj, path: &str, key: &str, problems: &mut Problems) -> Option<String> {
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

pub(super) fn req_raw_str<'a>(
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
pub(super) fn opt_text(
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

pub(super) fn opt_time(
    obj: &Obj,
    path: &str,
    key: &str,
    problems: &mut Problems,
) -> Option<Timestamp> {
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

pub(super) fn req_time(
    obj: &Obj,
    path: &str,
    key: &str,
    problems: &mut Problems,
) -> Option<Timestamp> {
    if obj.get(key).is_none_or(Value::is_null) {
        problems.push(join(path, key), "is required");
        return None;
    }
    opt_time(obj, path, key, problems)
}

pub(super) fn enum_field<T: Copy>(
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

pub(super) fn as_object<'a>(
    value: &'a Value,
    path: &str,
    problems: &mut Problems,
) -> Option<&'a Obj> {
    match value {
        Value::Object(o) => Some(o),
        other => {
            problems.push(path, format!("must be an object, got {}", describe(other)));
            None
        }
    }
}

/// "got 3", "got \"abc\"" — short, for messages.
pub(super) fn got(v: &Value) -> String {
    format!("got {}", compact(v))
}

pub(super) fn compact(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        let cut: String = s.chars().take(57).collect();
        format!("{cut}...")
    } else {
        s
    }
}

pub(super) fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("a boolean ({b})"),
        Value::Number(n) => format!("a number ({n})"),
        Value::String(_) => format!("a string ({})", compact(v)),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}
