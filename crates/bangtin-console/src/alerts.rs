//! Emergency alerts (khẩn cấp) sent from the console, designed against the mistakes of Hawaii
//! 2018: a drill and a live alert are entered from different pages and can never turn into one
//! another; a live extreme or severe alert waits for a second officer (or, where an area allows
//! one officer, for the area typed out); every sent alert has a ready cancel and a ready
//! correction. Pure: the pages and the database call these.

use bangtin_protocol::content::{self, Alert, MsgType, Severity};
use chrono::{DateTime, FixedOffset};
use serde_json::json;

/// Which page an alert was entered from. It decides the alert's `status` on the wire, and
/// nothing can change it afterwards: a correction keeps the kind of what it corrects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Diễn tập: `exercise`, marked DIỄN TẬP on every board.
    Drill,
    /// Thật: `actual`.
    Live,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Drill => "drill",
            Kind::Live => "live",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "drill" => Some(Kind::Drill),
            "live" => Some(Kind::Live),
            _ => None,
        }
    }

    /// The CAP status it is sent with.
    pub fn wire_status(self) -> &'static str {
        match self {
            Kind::Drill => "exercise",
            Kind::Live => "actual",
        }
    }
}

/// Where an alert is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Live, extreme or severe: waiting for the second officer.
    Awaiting,
    /// Pushed by a source system into the queue: waiting for an officer to send it.
    Queued,
    /// Signed and handed to the outbox.
    Sent,
    /// Ended by a cancel.
    Cancelled,
    /// Replaced by a correction (the correction is an alert of its own).
    Corrected,
    /// Not confirmed in time: never sent.
    Lapsed,
    /// Dropped before it was sent.
    Discarded,
}

impl State {
    pub const ALL: [State; 7] = [
        State::Awaiting,
        State::Queued,
        State::Sent,
        State::Cancelled,
        State::Corrected,
        State::Lapsed,
        State::Discarded,
    ];

    pub fn code(self) -> &'static str {
        match self {
            State::Awaiting => "awaiting",
            State::Queued => "queued",
            State::Sent => "sent",
            State::Cancelled => "cancelled",
            State::Corrected => "corrected",
            State::Lapsed => "lapsed",
            State::Discarded => "discarded",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|x| x.code() == s)
    }

    /// How the pages say it.
    pub fn vi(self) -> &'static str {
        match self {
            State::Awaiting => "Chờ người thứ hai xác nhận",
            State::Queued => "Chờ cán bộ gửi",
            State::Sent => "Đã gửi",
            State::Cancelled => "Đã hủy",
            State::Corrected => "Đã đính chính",
            State::Lapsed => "Quá hạn xác nhận, không gửi",
            State::Discarded => "Đã bỏ",
        }
    }

    /// Still waiting for someone to send it.
    pub fn is_pending(self) -> bool {
        matches!(self, State::Awaiting | State::Queued)
    }

    /// The state as of `now_s`: past its window a waiting alert has lapsed, whether or not
    /// anyone tried to confirm it since (the row says so at the next attempt).
    pub fn at(self, confirm_by: Option<i64>, now_s: i64) -> State {
        if self.is_pending() && confirm_by.is_some_and(|by| now_s > by) {
            State::Lapsed
        } else {
            self
        }
    }
}

/// The alert form as posted.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Form {
    #[serde(default)]
    pub headline: String,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub instruction: String,
    #[serde(default)]
    pub sender_name: String,
    /// Hours until it ends.
    #[serde(default)]
    pub expires_h: String,
}

/// The default lifetime of an alert, in hours.
pub const DEFAULT_HOURS: u32 = 6;

pub const SEVERITIES: [(&str, &str); 4] = [
    ("extreme", "Cực kỳ nghiêm trọng (toàn màn hình)"),
    ("severe", "Nghiêm trọng (toàn màn hình)"),
    ("moderate", "Trung bình (dải chữ trên chương trình)"),
    ("minor", "Nhẹ (dải chữ trên chương trình)"),
];

fn severity(s: &str) -> Option<Severity> {
    serde_json::from_value(json!(s)).ok()
}

/// The alert `form` describes, or each problem under its field (Vietnamese phrases the page
/// translates). `expires` is at most `max_hours` from `now`; `effective` is always `now`, so a
/// board with a wrong clock still ends it on time.
pub fn build(
    kind: Kind,
    form: &Form,
    id: &str,
    msg: (MsgType, &[String]),
    now: DateTime<FixedOffset>,
    max_hours: u32,
) -> Result<Alert, Vec<(&'static str, &'static str)>> {
    let mut errors = Vec::new();
    let headline = form.headline.trim();
    if headline.is_empty() {
        errors.push(("headline", "Hãy nhập tiêu đề cảnh báo."));
    } else if headline.chars().count() > 200 {
        errors.push(("headline", "Tiêu đề dài quá 200 ký tự."));
    }
    for (field, text) in [
        ("description", &form.description),
        ("instruction", &form.instruction),
    ] {
        if text.chars().count() > 2000 {
            errors.push((field, "Dài quá 2000 ký tự."));
        }
    }
    if form.sender_name.chars().count() > 200 {
        errors.push(("sender_name", "Dài quá 200 ký tự."));
    }
    let sev = severity(&form.severity);
    if sev.is_none() {
        errors.push(("severity", "Hãy chọn mức độ."));
    }
    let hours = match form.expires_h.trim() {
        "" => Some(DEFAULT_HOURS),
        h => h
            .parse::<u32>()
            .ok()
            .filter(|h| (1..=max_hours).contains(h)),
    };
    if hours.is_none() {
        errors.push((
            "expires_h",
            "Thời hạn phải từ 1 giờ đến mức tối đa của khu vực.",
        ));
    }
    let (Some(sev), Some(hours), true) = (sev, hours, errors.is_empty()) else {
        return Err(errors);
    };
    let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let value = json!({
        "id": id,
        "msg_type": msg.0,
        "references": msg.1,
        "status": kind.wire_status(),
        "severity": sev,
        "headline": headline,
        "description": text(&form.description),
        "instruction": text(&form.instruction),
        "sender_name": text(&form.sender_name),
        "effective": now,
        "expires": now + chrono::Duration::hours(hours.into()),
    });
    let mut value = value;
    if let Some(o) = value.as_object_mut() {
        o.retain(|_, v| !v.is_null());
    }
    content::parse_alert(&serde_json::to_vec(&value).unwrap_or_default())
        .map_err(|_| vec![("headline", "Cảnh báo không hợp lệ: hãy kiểm tra các ô.")])
}

/// The cancel of `alert`: same status (a drill's cancel is a drill's), never a second officer.
pub fn cancel_of(alert: &Alert, id: &str, now: DateTime<FixedOffset>) -> Alert {
    Alert {
        id: id.to_owned(),
        msg_type: MsgType::Cancel,
        references: vec![alert.id.clone()],
        headline: format!("Hủy cảnh báo: {}", alert.headline)
            .chars()
            .take(200)
            .collect(),
        description: None,
        instruction: None,
        image: None,
        effective: Some(now),
        ..alert.clone()
    }
}

/// The form of an existing alert (a correction starts from it).
pub fn form_of(alert: &Alert, now: DateTime<FixedOffset>) -> Form {
    let hours = alert
        .expires
        .as_ref()
        .map(|e| ((*e - now).num_minutes() + 59) / 60)
        .filter(|h| *h >= 1)
        .unwrap_or(DEFAULT_HOURS.into());
    Form {
        headline: alert.headline.clone(),
        severity: bangtin_staff::command::wire_name(&alert.severity),
        description: alert.description.clone().unwrap_or_default(),
        instruction: alert.instruction.clone().unwrap_or_default(),
        sender_name: alert.sender_name.clone().unwrap_or_default(),
        expires_h: hours.to_string(),
    }
}

/// What sending an alert needs beyond the officer who entered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirm {
    /// Sent at once: a drill, or a live alert that is a banner.
    None,
    /// A second officer with the alert right, not the sender, within the area's window.
    SecondOfficer,
    /// The area allows one officer: the sender types the area's name (as the CLI asks).
    TypeArea,
}

/// The rule for an alert of `kind` and `severity` in an area (`two_person`: the area's setting).
pub fn confirmation(kind: Kind, severity: Severity, two_person: bool) -> Confirm {
    match (kind, severity.is_full_screen(), two_person) {
        (Kind::Live, true, true) => Confirm::SecondOfficer,
        (Kind::Live, true, false) => Confirm::TypeArea,
        _ => Confirm::None,
    }
}

/// Whether `confirmer` may send the pending alert now; else why not (a phrase). With
/// `two_person` the sender cannot confirm their own alert; without it (an area with one
/// officer) the sender confirms by typing the area, which the page checks.
pub fn may_confirm(
    state: State,
    sender: Option<i64>,
    confirmer: i64,
    confirm_by: Option<i64>,
    now_s: i64,
    two_person: bool,
) -> Result<(), &'static str> {
    if state == State::Lapsed || confirm_by.is_some_and(|by| now_s > by) {
        return Err("Đã quá thời hạn xác nhận: cảnh báo không được gửi. Hãy soạn lại nếu vẫn cần.");
    }
    if !state.is_pending() {
        return Err("Cảnh báo này không còn chờ xác nhận.");
    }
    if state == State::Awaiting && two_person && sender == Some(confirmer) {
        return Err("Người thứ hai phải là cán bộ khác với người soạn.");
    }
    Ok(())
}

/// Boards an alert has reached, as its page counts them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Boards in the target.
    pub boards: usize,
    /// Boards that acknowledged receipt.
    pub received: usize,
    /// Boards that presented it.
    pub shown: usize,
    /// Boards offline (and not yet received).
    pub offline: usize,
    /// Online boards that have not shown it yet.
    pub not_shown_online: usize,
}

/// How long an online board may take to show an alert before the page says so plainly.
pub const LATE_S: i64 = 10;

impl Tally {
    /// Whether the page must say that some online board has not shown it, `since_sent_s` after
    /// it was sent.
    pub fn late(&self, since_sent_s: i64) -> bool {
        since_sent_s >= LATE_S && self.not_shown_online > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bangtin_protocol::content::AlertStatus;

    fn now() -> DateTime<FixedOffset> {
        "2026-12-07T02:00:00+07:00".parse().unwrap()
    }

    fn form(sev: &str) -> Form {
        Form {
            headline: "LŨ QUÉT: Di chuyển lên chỗ cao".into(),
            severity: sev.into(),
            instruction: "Rời khỏi bờ suối.".into(),
            ..Form::default()
        }
    }

    #[test]
    fn the_page_decides_drill_or_live_and_expiry_is_bounded() {
        let a = build(
            Kind::Drill,
            &form("extreme"),
            "a1",
            (MsgType::Alert, &[]),
            now(),
            24,
        )
        .unwrap();
        assert_eq!(a.status, AlertStatus::Exercise);
        assert_eq!(a.expires.unwrap(), now() + chrono::Duration::hours(6));
        assert_eq!(a.effective.unwrap(), now());
        let a = build(
            Kind::Live,
            &form("severe"),
            "a2",
            (MsgType::Alert, &[]),
            now(),
            24,
        )
        .unwrap();
        assert_eq!(a.status, AlertStatus::Actual);
        let mut f = form("extreme");
        f.expires_h = "25".into();
        let e = build(Kind::Live, &f, "a3", (MsgType::Alert, &[]), now(), 24).unwrap_err();
        assert_eq!(e[0].0, "expires_h");
        f.expires_h = "0".into();
        assert!(build(Kind::Live, &f, "a3", (MsgType::Alert, &[]), now(), 24).is_err());
        let e = build(
            Kind::Live,
            &Form::default(),
            "a4",
            (MsgType::Alert, &[]),
            now(),
            24,
        )
        .unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.0).collect();
        assert_eq!(fields, ["headline", "severity"]);
    }

    #[test]
    fn a_cancel_keeps_the_status_and_names_what_it_ends() {
        let a = build(
            Kind::Drill,
            &form("extreme"),
            "a1",
            (MsgType::Alert, &[]),
            now(),
            24,
        )
        .unwrap();
        let c = cancel_of(&a, "a1-huy", now());
        assert_eq!(c.msg_type, MsgType::Cancel);
        assert_eq!(c.status, AlertStatus::Exercise);
        assert_eq!(c.references, ["a1"]);
        // And it is an alert a board accepts.
        content::parse_alert(&serde_json::to_vec(&c).unwrap()).unwrap();
        let f = form_of(&a, now());
        assert_eq!(
            (f.expires_h.as_str(), f.severity.as_str()),
            ("6", "extreme")
        );
    }

    #[test]
    fn live_full_screen_alerts_need_a_second_officer_unless_the_area_allows_one() {
        use Severity::*;
        assert_eq!(
            confirmation(Kind::Live, Extreme, true),
            Confirm::SecondOfficer
        );
        assert_eq!(
            confirmation(Kind::Live, Severe, true),
            Confirm::SecondOfficer
        );
        assert_eq!(confirmation(Kind::Live, Severe, false), Confirm::TypeArea);
        assert_eq!(confirmation(Kind::Live, Moderate, true), Confirm::None);
        assert_eq!(confirmation(Kind::Drill, Extreme, true), Confirm::None);
    }

    #[test]
    fn the_sender_cannot_confirm_and_the_window_closes() {
        assert!(may_confirm(State::Awaiting, Some(1), 2, Some(100), 50, true).is_ok());
        assert!(may_confirm(State::Awaiting, Some(1), 1, Some(100), 50, true).is_err());
        assert!(may_confirm(State::Awaiting, Some(1), 2, Some(100), 101, true).is_err());
        assert!(may_confirm(State::Sent, Some(1), 2, Some(100), 50, true).is_err());
        assert!(may_confirm(State::Lapsed, Some(1), 2, Some(100), 50, true).is_err());
        assert_eq!(State::Awaiting.at(Some(100), 101), State::Lapsed);
        assert_eq!(State::Queued.at(Some(100), 100), State::Queued);
        assert_eq!(State::Sent.at(Some(100), 101), State::Sent);
        // One officer allowed: the sender confirms (by typing the area), still in time only.
        assert!(may_confirm(State::Awaiting, Some(1), 1, Some(100), 50, false).is_ok());
        assert!(may_confirm(State::Awaiting, Some(1), 1, Some(100), 101, false).is_err());
        // A source system's alert: any officer with the right sends it.
        assert!(may_confirm(State::Queued, None, 1, None, 50, true).is_ok());
    }

    #[test]
    fn the_page_says_so_when_an_online_board_has_not_shown_it_after_ten_seconds() {
        let t = Tally {
            boards: 3,
            received: 2,
            shown: 1,
            offline: 1,
            not_shown_online: 1,
        };
        assert!(!t.late(9));
        assert!(t.late(10));
        assert!(!Tally {
            not_shown_online: 0,
            ..t
        }
        .late(60));
        assert_eq!(
            State::ALL
                .map(State::code)
                .map(State::parse)
                .map(Option::unwrap),
            State::ALL
        );
    }
}
