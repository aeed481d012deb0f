//! Alerts (khẩn cấp), as fields or as a CAP 1.2 document, and the alerts they update or cancel.

use super::*;

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
pub(super) fn cap_alert(
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

pub(super) fn opt_references(
    obj: &Obj,
    path: &str,
    problems: &mut Problems,
) -> Option<Vec<String>> {
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
