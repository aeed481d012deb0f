//! An item's life (draft → submitted → approved and published; rejected, withdrawn, edited into
//! a new revision) as a pure state machine, and the compose form turned into a protocol item
//! with every problem placed next to its field, in Vietnamese.

use crate::i18n::Lang;
use bangtin_protocol::content::{channel_from_value, limits, Item, Weekday};
use bangtin_staff::repair::{repair_text, Repaired};
use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// Where the current revision of an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Draft,
    Submitted,
    Rejected,
    /// Approved and on the channel (the revision on the boards is this one).
    Published,
    /// Taken off the channel.
    Withdrawn,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Draft,
        Status::Submitted,
        Status::Rejected,
        Status::Published,
        Status::Withdrawn,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Rejected => "rejected",
            Status::Published => "published",
            Status::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.code() == s)
    }

    /// The word an officer reads.
    pub fn vi(self) -> &'static str {
        match self {
            Status::Draft => "Bản nháp",
            Status::Submitted => "Chờ duyệt",
            Status::Rejected => "Bị từ chối",
            Status::Published => "Đang phát",
            Status::Withdrawn => "Đã gỡ",
        }
    }
}

/// What an officer asks of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Edit,
    Submit,
    Approve,
    Reject,
    Withdraw,
}

/// What the state machine needs to know besides the status.
#[derive(Debug, Clone, Copy)]
pub struct Facts {
    pub status: Status,
    /// The officer acting wrote the current revision.
    pub actor_is_author: bool,
    /// The item's area needs an approver's approval.
    pub needs_approval: bool,
    /// A revision of the item is on the channel now.
    pub live: bool,
}

/// The outcome of an allowed action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub status: Status,
    /// The channel changes: sign and send it again.
    pub republish: bool,
}

/// Why an action is refused, in the officer's words.
pub fn refusal(action: Action, facts: Facts) -> &'static str {
    match action {
        Action::Approve if facts.actor_is_author => {
            "Người viết không thể tự duyệt tin của mình: cần một người duyệt khác."
        }
        Action::Withdraw => "Tin này không đang phát nên không có gì để gỡ.",
        _ => "Không thể làm việc này ở trạng thái hiện tại của tin.",
    }
}

/// The next status, or `None` when the action is not allowed now.
pub fn step(action: Action, f: Facts) -> Option<Step> {
    use Status::*;
    let to = |status, republish| Some(Step { status, republish });
    match (action, f.status) {
        (Action::Edit, _) => to(Draft, false),
        (Action::Submit, Draft | Rejected) if f.needs_approval => to(Submitted, false),
        (Action::Submit, Draft | Rejected) => to(Published, true),
        (Action::Approve, Submitted) if !f.actor_is_author => to(Published, true),
        (Action::Reject, Submitted) => to(Rejected, false),
        (Action::Withdraw, _) if f.live => to(Withdrawn, true),
        _ => None,
    }
}

/// The compose form as posted (every field text; the picture arrives separately).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Form {
    /// `announcement`, `image`, `ticker` or `video`.
    pub kind: String,
    pub title: String,
    pub body: String,
    pub qr: String,
    pub caption: String,
    pub ticker: String,
    /// `normal` or `priority`.
    pub class: String,
    pub duration_s: String,
    /// `yyyy-mm-dd` (the browser's date field) or `dd/mm/yyyy`.
    pub valid_from: String,
    pub valid_until: String,
    /// `mon,tue,…` (checked boxes), empty for every day.
    pub days: Vec<String>,
    /// `HH:MM`, both or neither.
    pub hours_from: String,
    pub hours_to: String,
    /// A video's web address, where boards fetch it.
    #[serde(default)]
    pub video_url: String,
    /// Play a video's sound.
    #[serde(default)]
    pub audio: bool,
}

/// Problems by field name (`""` for the item as a whole).
pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// A checked item: the protocol item, and the legacy-encoded text that was repaired.
#[derive(Debug)]
pub struct Checked {
    pub item: Item,
    pub repairs: Vec<Repaired>,
}

fn date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Checks the form and builds item `id` from it; `image` is the picture already checked and
/// made inline (an IMAGE object), or for a video the clip already checked (`{url, sha256,
/// bytes}`), if any.
pub fn check(
    form: &Form,
    id: &str,
    image: Option<&Value>,
    lang: Lang,
) -> Result<Checked, FieldErrors> {
    let m = |vi: &str, en: &str| lang.pick(vi.to_owned(), en.to_owned());
    let mut errors = FieldErrors::new();
    let mut err = |field: &str, msg: String| errors.entry(field.to_owned()).or_default().push(msg);
    let mut item = Map::new();
    item.insert("id".into(), json!(id));
    let too_long = |n: usize| {
        lang.pick(
            format!("Dài quá: tối đa {n} ký tự."),
            format!("Too long: at most {n} characters."),
        )
    };
    match form.kind.as_str() {
        "announcement" | "" => {
            item.insert("type".into(), json!("announcement"));
            let (title, body) = (form.title.trim(), form.body.trim());
            if title.is_empty() && body.is_empty() && image.is_none() {
                err(
                    "title",
                    m(
                        "Cần có tiêu đề, nội dung hoặc ảnh.",
                        "Give a title, a text or a picture.",
                    ),
                );
            }
            if chars(title) > limits::TITLE_CHARS {
                err("title", too_long(limits::TITLE_CHARS));
            }
            if chars(body) > limits::BODY_CHARS {
                err("body", too_long(limits::BODY_CHARS));
            }
            if chars(form.qr.trim()) > limits::QR_CHARS {
                err("qr", too_long(limits::QR_CHARS));
            }
            for (k, v) in [("title", title), ("body", body), ("qr", form.qr.trim())] {
                if !v.is_empty() {
                    item.insert(k.into(), json!(v));
                }
            }
            if let Some(img) = image {
                item.insert("image".into(), img.clone());
            }
        }
        "image" => {
            item.insert("type".into(), json!("image"));
            match image {
                Some(img) => {
                    item.insert("image".into(), img.clone());
                }
                None => err(
                    "image",
                    m(
                        "Hãy chọn một ảnh (JPEG, PNG, WebP hoặc GIF).",
                        "Choose a picture (JPEG, PNG, WebP or GIF).",
                    ),
                ),
            }
            let caption = form.caption.trim();
            if chars(caption) > limits::CAPTION_CHARS {
                err("caption", too_long(limits::CAPTION_CHARS));
            }
            if !caption.is_empty() {
                item.insert("caption".into(), json!(caption));
            }
        }
        "video" => {
            item.insert("type".into(), json!("video"));
            match image {
                Some(video) => {
                    item.insert("video".into(), video.clone());
                }
                None => err(
                    "video",
                    m(
                        "Hãy chọn tệp video (MP4, MKV hoặc WebM) và nhập địa chỉ web của tệp.",
                        "Choose a video file (MP4, MKV or WebM) and give its web address.",
                    ),
                ),
            }
            let caption = form.caption.trim();
            if chars(caption) > limits::CAPTION_CHARS {
                err("caption", too_long(limits::CAPTION_CHARS));
            }
            if !caption.is_empty() {
                item.insert("caption".into(), json!(caption));
            }
            if form.audio {
                item.insert("audio".into(), json!(true));
            }
        }
        "ticker" => {
            item.insert("type".into(), json!("ticker"));
            let text = form.ticker.trim();
            if text.is_empty() {
                err(
                    "ticker",
                    m("Hãy nhập dòng chữ chạy.", "Type the ticker's text."),
                );
            }
            if chars(text) > limits::TICKER_CHARS {
                err("ticker", too_long(limits::TICKER_CHARS));
            }
            item.insert("text".into(), json!(text));
        }
        _ => err("kind", m("Loại tin không hợp lệ.", "Not a valid kind.")),
    }
    match form.class.as_str() {
        "" | "normal" => {}
        "priority" => {
            item.insert("class".into(), json!("priority"));
        }
        _ => err("class", m("Mức tin không hợp lệ.", "Not a valid class.")),
    }
    if !form.duration_s.trim().is_empty() {
        match form.duration_s.trim().parse::<u32>() {
            Ok(d) if limits::DURATION_S.contains(&d) => {
                item.insert("duration_s".into(), json!(d));
            }
            _ => err(
                "duration_s",
                lang.pick(
                    format!(
                        "Thời lượng phải là số giây từ {} đến {}.",
                        limits::DURATION_S.start(),
                        limits::DURATION_S.end()
                    ),
                    format!(
                        "Seconds on screen: a number from {} to {}.",
                        limits::DURATION_S.start(),
                        limits::DURATION_S.end()
                    ),
                ),
            ),
        }
    }
    let mut dates = [None, None];
    for (i, (field, text, time)) in [
        ("valid_from", &form.valid_from, "00:00:00"),
        ("valid_until", &form.valid_until, "23:59:59"),
    ]
    .into_iter()
    .enumerate()
    {
        if text.trim().is_empty() {
            continue;
        }
        match date(text) {
            Some(d) => {
                dates[i] = Some(d);
                item.insert(field.into(), json!(format!("{d}T{time}+07:00")));
            }
            None => err(
                field,
                m(
                    "Ngày không hợp lệ: dùng dd/mm/yyyy.",
                    "Not a date: use dd/mm/yyyy.",
                ),
            ),
        }
    }
    if let [Some(from), Some(until)] = dates {
        if until < from {
            err(
                "valid_until",
                m(
                    "Ngày kết thúc phải sau ngày bắt đầu.",
                    "The end must be after the start.",
                ),
            );
        }
    }
    if !form.days.is_empty() {
        let days: Vec<&str> = form.days.iter().map(|d| d.trim()).collect();
        if days.iter().any(|d| Weekday::from_name(d).is_none()) {
            err(
                "days",
                m("Ngày trong tuần không hợp lệ.", "Not a day of the week."),
            );
        } else {
            item.insert("days".into(), json!(days));
        }
    }
    let (hf, ht) = (form.hours_from.trim(), form.hours_to.trim());
    match (hf.is_empty(), ht.is_empty()) {
        (true, true) => {}
        (false, false) => {
            let t = |s| NaiveTime::parse_from_str(s, "%H:%M").ok();
            match (t(hf), t(ht)) {
                (Some(_), Some(_)) => {
                    item.insert("hours".into(), json!([{"from": hf, "to": ht}]));
                }
                _ => err(
                    "hours_from",
                    m(
                        "Giờ không hợp lệ: dùng HH:MM (24 giờ).",
                        "Not a time: use HH:MM (24 hours).",
                    ),
                ),
            }
        }
        _ => err(
            "hours_from",
            m(
                "Nhập cả giờ bắt đầu và giờ kết thúc, hoặc bỏ trống cả hai.",
                "Give both times, or neither.",
            ),
        ),
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Text typed in TCVN3, VNI or VIQR is repaired, then the board's own parser has the last
    // word (every limit it checks, checked here the same way).
    let mut channel = json!({ "items": [Value::Object(item)] });
    let repairs = repair_text(&mut channel);
    match channel_from_value(&channel, "") {
        Ok(mut c) if c.items.len() == 1 => Ok(Checked {
            item: c.items.remove(0),
            repairs,
        }),
        Ok(_) => Err(FieldErrors::from([(
            String::new(),
            vec![m("Tin không hợp lệ.", "Not a valid item.")],
        )])),
        Err(problems) => {
            let mut errors = FieldErrors::new();
            for p in problems.iter() {
                let field = p
                    .path
                    .strip_prefix("items[0].")
                    .map(|f| f.split(['.', '[']).next().unwrap_or(""))
                    .unwrap_or("");
                let field = if field == "text" { "ticker" } else { field };
                errors
                    .entry(field.to_owned())
                    .or_default()
                    .push(p.message.clone());
            }
            Err(errors)
        }
    }
}

/// The form that shows an item again (to edit it).
pub fn form_of(item: &Item) -> Form {
    use bangtin_protocol::content::{Class, ItemKind};
    let mut f = Form {
        class: if item.class == Class::Priority {
            "priority".into()
        } else {
            "normal".into()
        },
        // A clip without a duration lasts as long as the clip: the field stays empty.
        duration_s: if item.duration_s == limits::CLIP_LENGTH {
            String::new()
        } else {
            item.duration_s.to_string()
        },
        valid_from: item
            .valid_from
            .map(|t| t.date_naive().to_string())
            .unwrap_or_default(),
        valid_until: item
            .valid_until
            .map(|t| t.date_naive().to_string())
            .unwrap_or_default(),
        days: item
            .days
            .iter()
            .flatten()
            .map(|d| d.name().to_owned())
            .collect(),
        ..Form::default()
    };
    if let Some(h) = item.hours.as_ref().and_then(|h| h.first()) {
        let hm =
            |t: bangtin_protocol::content::TimeOfDay| format!("{:02}:{:02}", t.0 / 60, t.0 % 60);
        f.hours_from = hm(h.from);
        f.hours_to = hm(h.to);
    }
    match &item.kind {
        ItemKind::Announcement {
            title, body, qr, ..
        } => {
            f.kind = "announcement".into();
            f.title = title.clone().unwrap_or_default();
            f.body = body.clone().unwrap_or_default();
            f.qr = qr.clone().unwrap_or_default();
        }
        ItemKind::Image { caption, .. } => {
            f.kind = "image".into();
            f.caption = caption.clone().unwrap_or_default();
        }
        ItemKind::Ticker { text } => {
            f.kind = "ticker".into();
            f.ticker = text.clone();
        }
        ItemKind::Video {
            video,
            caption,
            audio,
        } => {
            f.kind = "video".into();
            f.caption = caption.clone().unwrap_or_default();
            f.video_url = video.url.clone();
            f.audio = *audio;
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(status: Status, author: bool) -> Facts {
        Facts {
            status,
            actor_is_author: author,
            needs_approval: true,
            live: false,
        }
    }

    #[test]
    fn an_author_cannot_approve_their_own_item() {
        assert_eq!(step(Action::Approve, facts(Status::Submitted, true)), None);
        let s = step(Action::Approve, facts(Status::Submitted, false)).unwrap();
        assert_eq!(
            s,
            Step {
                status: Status::Published,
                republish: true
            }
        );
        assert!(refusal(Action::Approve, facts(Status::Submitted, true)).contains("tự duyệt"));
    }

    #[test]
    fn only_submitted_items_are_approved_or_rejected() {
        for st in [
            Status::Draft,
            Status::Rejected,
            Status::Published,
            Status::Withdrawn,
        ] {
            assert_eq!(step(Action::Approve, facts(st, false)), None, "{st:?}");
            assert_eq!(step(Action::Reject, facts(st, false)), None, "{st:?}");
        }
        assert_eq!(
            step(Action::Reject, facts(Status::Submitted, false))
                .unwrap()
                .status,
            Status::Rejected
        );
    }

    #[test]
    fn without_approval_a_submit_publishes_and_withdraw_needs_a_live_item() {
        let mut f = facts(Status::Draft, true);
        f.needs_approval = false;
        assert_eq!(
            step(Action::Submit, f),
            Some(Step {
                status: Status::Published,
                republish: true
            })
        );
        assert_eq!(step(Action::Withdraw, f), None);
        f.live = true;
        f.status = Status::Draft; // a new revision of a live item, being edited
        assert_eq!(step(Action::Withdraw, f).unwrap().status, Status::Withdrawn);
        // Editing never republishes: the live revision stays until the new one is approved.
        assert_eq!(
            step(Action::Edit, f),
            Some(Step {
                status: Status::Draft,
                republish: false
            })
        );
    }

    fn form(title: &str) -> Form {
        Form {
            kind: "announcement".into(),
            title: title.into(),
            body: "Nội dung".into(),
            ..Form::default()
        }
    }

    #[test]
    fn a_good_form_is_the_item_the_board_parses() {
        let mut f = form("Lịch tiêm chủng");
        f.valid_from = "07/12/2026".into();
        f.valid_until = "2026-12-31".into();
        f.days = vec!["mon".into(), "fri".into()];
        f.hours_from = "07:00".into();
        f.hours_to = "18:30".into();
        f.class = "priority".into();
        let c = check(&f, "c1", None, Lang::Vi).unwrap();
        assert_eq!(c.item.id, "c1");
        assert_eq!(
            c.item.valid_from.unwrap().to_rfc3339(),
            "2026-12-07T00:00:00+07:00"
        );
        assert_eq!(c.item.days.as_ref().unwrap().len(), 2);
        let back = form_of(&c.item);
        assert_eq!(
            (back.title.as_str(), back.hours_to.as_str()),
            ("Lịch tiêm chủng", "18:30")
        );
        assert_eq!(back.valid_until, "2026-12-31");
    }

    #[test]
    fn each_problem_is_put_next_to_its_field() {
        let mut f = form(&"x".repeat(limits::TITLE_CHARS + 1));
        f.valid_from = "2026-12-10".into();
        f.valid_until = "31/02/2026".into();
        f.duration_s = "1".into();
        f.hours_from = "7h".into();
        f.hours_to = "18:00".into();
        let e = check(&f, "c1", None, Lang::Vi).unwrap_err();
        for field in ["title", "valid_until", "duration_s", "hours_from"] {
            assert!(e.contains_key(field), "{field}: {e:?}");
        }
        let mut f = form("");
        f.body.clear();
        assert!(check(&f, "c1", None, Lang::Vi).unwrap_err()["title"][0].contains("Cần có"));
        let mut f = form("a");
        f.valid_from = "2026-12-10".into();
        f.valid_until = "2026-12-01".into();
        assert!(check(&f, "c1", None, Lang::Vi).unwrap_err()["valid_until"][0].contains("sau"));
        // In English for a user who chose it.
        assert!(check(&f, "c1", None, Lang::En).unwrap_err()["valid_until"][0].contains("after"));
    }

    #[test]
    fn legacy_text_is_repaired_and_said() {
        // "Thông báo" typed in TCVN3.
        let c = check(&form("Th«ng b¸o"), "c1", None, Lang::Vi).unwrap();
        match &c.item.kind {
            bangtin_protocol::content::ItemKind::Announcement { title, .. } => {
                assert_eq!(title.as_deref(), Some("Thông báo"))
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(c.repairs.len(), 1);
    }

    #[test]
    fn a_script_title_is_kept_as_text() {
        let c = check(&form("<script>alert(1)</script>"), "c1", None, Lang::Vi).unwrap();
        let json = serde_json::to_string(&c.item).unwrap();
        assert!(json.contains("<script>"), "{json}");
    }
}
