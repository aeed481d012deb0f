//! An emergency alert (khẩn cấp) as an officer describes it: from fields or a CAP 1.2 file, a
//! drill, a test, an update or a cancel, always with the moment it takes effect, and the rule
//! that a live extreme or severe alert is confirmed by typing its area.

use crate::i18n::Msg;
use crate::repair::{repair_text, Repaired};
use crate::source::{self, Warning};
use crate::target::Target;
use crate::Error;
use bangtin_protocol::content::{self, Alert, AlertStatus, MsgType};
use chrono::{DateTime, FixedOffset};
use serde_json::{json, Value};
use std::path::PathBuf;

/// What an officer asks for.
#[derive(Debug, Clone, Default)]
pub struct AlertSpec {
    /// A CAP 1.2 XML file instead of the fields below.
    pub cap: Option<PathBuf>,
    pub headline: Option<String>,
    /// `extreme`, `severe`, `moderate` or `minor`.
    pub severity: Option<String>,
    pub description: Option<String>,
    pub instruction: Option<String>,
    pub sender: Option<String>,
    /// When it ends: a duration (90m, 6h, 2d) or an RFC 3339 time; default 6 hours.
    pub expires: Option<String>,
    /// A picture (a map of the evacuation route), inlined.
    pub image: Option<PathBuf>,
    /// A drill (diễn tập).
    pub drill: bool,
    /// A technical test: never shown, only acknowledged.
    pub test: bool,
    /// The alert's id (default: made from the time).
    pub id: Option<String>,
    /// Replace the alert with this id.
    pub update: Option<String>,
    /// End the alert with this id.
    pub cancel: Option<String>,
}

/// An alert ready to sign, with what the officer should know about it.
#[derive(Debug, Clone)]
pub struct Built {
    pub alert: Alert,
    pub warnings: Vec<Warning>,
    pub repairs: Vec<Repaired>,
}

/// A duration such as `90m`, `6h`, `2d`, or an RFC 3339 time.
pub fn parse_when(s: &str, now: DateTime<FixedOffset>) -> Result<DateTime<FixedOffset>, String> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t);
    }
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a duration (90m, 6h, 2d) or an RFC 3339 time"))?;
    let minutes = match unit {
        "m" | "min" => Some(n),
        "h" => n.checked_mul(60),
        "d" => n.checked_mul(1440),
        _ => return Err(format!("{s:?}: use m, h or d (90m, 6h, 2d)")),
    }
    .unwrap_or(i64::MAX);
    if !(1..=60 * 24 * 30).contains(&minutes) {
        return Err(format!("{s:?} must be between 1 minute and 30 days"));
    }
    Ok(now + chrono::Duration::minutes(minutes))
}

/// The alert `spec` describes at `now`, checked as a board checks it. It always carries
/// `effective` (now, unless the CAP file says): a board's clock may be hours wrong, and the
/// alert's lifetime must never depend on it.
pub fn build(spec: &AlertSpec, now: DateTime<FixedOffset>) -> Result<Built, Error> {
    let mut warnings = Vec::new();
    let mut alert = match &spec.cap {
        Some(path) => {
            let name = path.display().to_string();
            let xml = std::fs::read_to_string(path)
                .map_err(|e| Error::Input(vec![format!("cannot read {name}: {e}")]))?;
            let a = content::alert_from_cap(&xml, &name)
                .map_err(|p| Error::in_file(&name, p.iter()))?;
            serde_json::to_value(a).map_err(|e| Error::Failed(e.to_string()))?
        }
        None => {
            let headline = spec.headline.clone().unwrap_or_else(|| match &spec.cancel {
                Some(id) => format!("Hủy cảnh báo {id}"),
                None => String::new(),
            });
            json!({
                "headline": headline,
                "severity": spec.severity.clone().unwrap_or_else(|| "minor".into()),
            })
        }
    };
    let Some(obj) = alert.as_object_mut() else {
        return Err(Error::Failed("an alert is an object".into()));
    };
    let status = if spec.drill {
        "exercise"
    } else if spec.test {
        "test"
    } else {
        obj.get("status")
            .and_then(Value::as_str)
            .unwrap_or("actual")
    }
    .to_owned();
    obj.insert("status".into(), status.into());
    let (msg_type, references) = match (&spec.update, &spec.cancel) {
        (Some(id), _) => ("update", vec![id.clone()]),
        (_, Some(id)) => ("cancel", vec![id.clone()]),
        _ if spec.cap.is_some() => (
            obj.get("msg_type")
                .and_then(Value::as_str)
                .unwrap_or("alert"),
            obj.get("references")
                .and_then(Value::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        ),
        _ => ("alert", Vec::new()),
    };
    let msg_type = msg_type.to_owned();
    obj.insert("msg_type".into(), msg_type.into());
    obj.insert("references".into(), json!(references));
    let id = match (&spec.id, spec.cap.is_some()) {
        (Some(id), _) => id.clone(),
        (None, true) => obj
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_default(),
        (None, false) => format!("canh-bao-{}", now.format("%Y%m%d-%H%M%S")),
    };
    obj.insert("id".into(), id.into());
    for (key, value) in [
        ("description", &spec.description),
        ("instruction", &spec.instruction),
        ("sender_name", &spec.sender),
    ] {
        if let Some(v) = value {
            obj.insert(key.into(), v.clone().into());
        }
    }
    if !obj.get("effective").is_some_and(Value::is_string) {
        obj.insert("effective".into(), json!(now));
    }
    if let Some(when) = &spec.expires {
        let t = parse_when(when, now).map_err(|e| Error::Input(vec![e]))?;
        obj.insert("expires".into(), json!(t));
    }
    if let Some(path) = &spec.image {
        let (image, warning) =
            source::inline_image_value(path).map_err(|e| Error::Input(vec![e]))?;
        warnings.extend(warning);
        obj.insert("image".into(), image);
    }
    let repairs = repair_text(&mut alert);
    let alert = content::parse_alert(&serde_json::to_vec(&alert).unwrap_or_default())
        .map_err(|p| Error::in_file("alert", p.iter()))?;
    Ok(Built {
        alert,
        warnings,
        repairs,
    })
}

/// Whether sending `alert` needs the officer to confirm by typing its area: a live (actual)
/// extreme or severe alert, which takes over every screen of the area. A cancel never does.
pub fn needs_confirmation(alert: &Alert) -> bool {
    alert.status == AlertStatus::Actual
        && alert.severity.is_full_screen()
        && alert.msg_type != MsgType::Cancel
}

/// Whether `typed` confirms `target`: the whole area, its last part, or the board id.
pub fn confirms(typed: &str, target: &Target) -> bool {
    let target = target.describe();
    let typed = typed.trim().trim_matches('/');
    !typed.is_empty() && (typed == target || target.rsplit('/').next() == Some(typed))
}

/// The question asked before a live alert is sent, and the refusal when nobody can answer it.
pub fn confirmation_question(alert: &Alert, target: &Target) -> (Msg, Msg) {
    let severity = crate::command::wire_name(&alert.severity);
    let area = target.describe().to_owned();
    (
        Msg::ConfirmLiveAlert {
            severity: severity.clone(),
            area: area.clone(),
        },
        Msg::ConfirmationNeeded { severity, area },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn when_takes_durations_and_times() {
        let now: DateTime<FixedOffset> = "2026-11-27T02:00:00+07:00".parse().unwrap();
        assert_eq!(
            parse_when("6h", now).unwrap(),
            "2026-11-27T08:00:00+07:00"
                .parse::<DateTime<FixedOffset>>()
                .unwrap()
        );
        assert_eq!(
            parse_when("90m", now).unwrap(),
            "2026-11-27T03:30:00+07:00"
                .parse::<DateTime<FixedOffset>>()
                .unwrap()
        );
        assert!(parse_when("2026-11-28T00:00:00+07:00", now).is_ok());
        assert!(parse_when("6x", now).is_err());
        assert!(parse_when("0h", now).is_err());
        assert!(parse_when("", now).is_err());
    }

    #[test]
    fn confirmation_needs_the_area_or_its_last_part() {
        let area = Target::Area("vn/ha-noi/dong-anh".into());
        assert!(confirms("vn/ha-noi/dong-anh", &area));
        assert!(confirms(" dong-anh\n", &area));
        assert!(!confirms("ha-noi", &area));
        assert!(!confirms("", &area));
        assert!(!confirms("yes", &area));
        assert!(confirms("xn-01", &Target::Board("xn-01".into())));
    }

    #[test]
    fn an_alert_from_fields_always_says_when_it_takes_effect() {
        let now: DateTime<FixedOffset> = "2026-11-27T02:00:00+07:00".parse().unwrap();
        let spec = AlertSpec {
            headline: Some("LŨ QUÉT".into()),
            severity: Some("extreme".into()),
            ..AlertSpec::default()
        };
        let built = build(&spec, now).unwrap();
        assert_eq!(built.alert.effective, Some(now));
        assert!(needs_confirmation(&built.alert));
        let cancel = AlertSpec {
            cancel: Some(built.alert.id.clone()),
            ..AlertSpec::default()
        };
        let built = build(&cancel, now).unwrap();
        assert_eq!(built.alert.msg_type, MsgType::Cancel);
        assert!(!needs_confirmation(&built.alert));
    }
}
