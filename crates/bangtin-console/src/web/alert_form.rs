//! The drill page and the live page (the same form, never the same page: the page decides
//! the alert's status), CAP files read into the form, the exact preview inline, and recording
//! an alert: waiting for its confirmation or signed into the outbox.

use super::alerts::{alert_target, new_alert_id};
use super::items::{areas_with, target_sizes};
use super::pages::{internal, layout, page, Layout};
use super::Ctx;
use crate::alerts::{self, Confirm, Form, Kind, State as AlertState};
use crate::db::{self, now_s};
use crate::i18n::{t, Lang};
use crate::policy::Role;
use crate::{channel, App};
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use bangtin_protocol::content::{self, Alert, MsgType, Payload};
use base64::Engine as _;
use rusqlite::{params, OptionalExtension};
use serde::Deserialize;
use std::sync::Arc;

// ---- The drill page and the live page -------------------------------------------------------

pub struct Template_ {
    pub hazard: String,
    pub name: String,
}

pub struct InlinePreview {
    pub w: u32,
    pub h: u32,
    pub data: String,
}

#[derive(Template)]
#[template(path = "alert_form.html")]
pub(super) struct FormPage {
    pub l: Layout,
    pub kind: &'static str,
    pub drill: bool,
    /// `Some(id)`: correcting alert `id`.
    pub correcting: Option<i64>,
    pub area: String,
    pub areas: Vec<String>,
    pub board_count: usize,
    pub f: Form,
    pub errors: Vec<(&'static str, &'static str)>,
    pub message: Option<String>,
    pub templates: Vec<Template_>,
    /// The template the form was filled from.
    pub template: String,
    pub severities: [(&'static str, &'static str); 4],
    pub max_hours: u32,
    pub two_person: bool,
    pub confirm_minutes: u32,
    pub previews: Vec<InlinePreview>,
}

impl FormPage {
    pub fn err(&self, field: &str) -> Vec<&'static str> {
        self.errors
            .iter()
            .filter(|e| e.0 == field)
            .map(|e| t(self.l.lang, e.1))
            .collect()
    }
}

#[derive(Deserialize)]
pub struct FormQuery {
    #[serde(default)]
    area: String,
    #[serde(default)]
    template: String,
}

fn templates(app: &App) -> Vec<Template_> {
    let conn = app.db.lock();
    let Ok(mut st) = conn.prepare_cached("SELECT hazard, name FROM alert_templates ORDER BY id")
    else {
        return Vec::new();
    };
    st.query_map([], |r| {
        Ok(Template_ {
            hazard: r.get(0)?,
            name: r.get(1)?,
        })
    })
    .map(|rows| rows.filter_map(Result::ok).collect())
    .unwrap_or_default()
}

/// A template's fields, prefilled into a new alert.
fn template_form(app: &App, hazard: &str) -> Option<Form> {
    app.db
        .lock()
        .query_row(
            "SELECT severity, headline, instruction FROM alert_templates WHERE hazard = ?1",
            [hazard],
            |r| {
                Ok(Form {
                    severity: r.get(0)?,
                    headline: r.get(1)?,
                    instruction: r.get(2)?,
                    ..Form::default()
                })
            },
        )
        .optional()
        .ok()
        .flatten()
}

/// What the form page shows besides the officer's fields.
#[derive(Default)]
pub(super) struct Filled {
    /// Correcting alert `id`.
    pub correcting: Option<i64>,
    pub errors: Vec<(&'static str, &'static str)>,
    pub message: Option<String>,
    /// Drawn inline, at the target boards' sizes.
    pub preview: Option<Alert>,
    /// The template the form was filled from.
    pub template: String,
}

pub(super) async fn form_page(
    app: &App,
    ctx: &Ctx,
    kind: Kind,
    area: String,
    f: Form,
    filled: Filled,
    status: StatusCode,
) -> Response {
    let Filled {
        correcting,
        errors,
        message,
        preview,
        template,
    } = filled;
    let areas = areas_with(app, ctx, Role::Approver);
    let managed = app
        .config
        .area_for(area.strip_prefix("board/").unwrap_or(&area));
    let real_area = match area.strip_prefix("board/") {
        Some(id) => super::board_area(app, id).unwrap_or_default(),
        None => area.clone(),
    };
    let (board_count, sizes) = target_sizes(app, &real_area, area.strip_prefix("board/"));
    let mut previews = Vec::new();
    if let Some(alert) = preview {
        let doc = serde_json::to_vec(&alert).unwrap_or_default();
        for (w, h) in sizes.into_iter().take(2) {
            match app.previewer.render(doc.clone(), (w, h), 0).await {
                Ok(p) => previews.push(InlinePreview {
                    w,
                    h,
                    data: format!(
                        "data:image/png;base64,{}",
                        base64::engine::general_purpose::STANDARD.encode(&p.png)
                    ),
                }),
                Err(e) => log::warn!("alert preview {w}x{h}: {e}"),
            }
        }
    }
    let title = match kind {
        Kind::Drill => "Diễn tập cảnh báo",
        Kind::Live => "CẢNH BÁO THẬT",
    };
    page(
        &FormPage {
            l: layout(app, ctx, title),
            kind: kind.code(),
            drill: kind == Kind::Drill,
            correcting,
            area,
            areas,
            board_count,
            f,
            errors,
            message,
            templates: templates(app),
            template,
            severities: alerts::SEVERITIES,
            max_hours: managed.map_or(24, |a| a.alert_max_hours),
            two_person: managed.is_none_or(|a| a.alert_two_person),
            confirm_minutes: managed.map_or(10, |a| a.alert_confirm_minutes),
            previews,
        },
        status,
    )
}

async fn new_page(app: Arc<App>, ctx: Ctx, kind: Kind, q: FormQuery) -> Response {
    let areas = areas_with(&app, &ctx, Role::Approver);
    let area = if alert_target(&app, &ctx, &q.area).is_some() {
        q.area
    } else if areas.len() == 1 {
        areas[0].clone()
    } else {
        String::new()
    };
    let mut f = template_form(&app, &q.template).unwrap_or_default();
    f.expires_h = alerts::DEFAULT_HOURS.to_string();
    form_page(
        &app,
        &ctx,
        kind,
        area,
        f,
        Filled {
            template: q.template,
            ..Filled::default()
        },
        StatusCode::OK,
    )
    .await
}

pub async fn drill_page(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<FormQuery>,
) -> Response {
    new_page(app, ctx, Kind::Drill, q).await
}

pub async fn live_page(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<FormQuery>,
) -> Response {
    new_page(app, ctx, Kind::Live, q).await
}

/// The alert form as posted: its fields, what the officer pressed, and a CAP file if one was
/// chosen.
pub(super) async fn read_form(mut mp: Multipart) -> Result<(Form, String, Option<String>), String> {
    let mut f = Form::default();
    let mut action = String::new();
    let mut cap = None;
    while let Some(field) = mp.next_field().await.map_err(|e| e.to_string())? {
        let name = field.name().unwrap_or("").to_owned();
        let bytes = field.bytes().await.map_err(|e| e.to_string())?;
        if name == "cap" {
            if !bytes.is_empty() {
                cap = Some(
                    String::from_utf8(bytes.to_vec())
                        .map_err(|_| "the CAP file is not UTF-8 text".to_owned())?,
                );
            }
            continue;
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        match name.as_str() {
            "headline" => f.headline = text,
            "severity" => f.severity = text,
            "description" => f.description = text,
            "instruction" => f.instruction = text,
            "sender_name" => f.sender_name = text,
            "expires_h" => f.expires_h = text,
            "action" => action = text,
            _ => {}
        }
    }
    Ok((f, action, cap))
}

/// A CAP document read into the form of the page it was uploaded on. A drill document on the
/// live page (or the reverse) is refused: the page decides, never the file.
pub(super) fn cap_form(xml: &str, kind: Kind, lang: Lang) -> Result<Form, String> {
    let alert = content::alert_from_cap(xml, "CAP").map_err(|p| {
        lang.pick(
            format!("Tệp CAP không đọc được: {p}"),
            format!("The CAP file cannot be read: {p}"),
        )
    })?;
    let want = kind.wire_status();
    let got = bangtin_staff::command::wire_name(&alert.status);
    if got != want {
        return Err(lang.pick(
            format!("Tệp CAP này có trạng thái “{got}”, trang này chỉ gửi “{want}”: hãy dùng đúng trang (diễn tập hoặc thật)."),
            format!("This CAP file's status is “{got}”; this page sends only “{want}”: use the right page (drill or live)."),
        ));
    }
    Ok(alerts::form_of(&alert, bangtin_staff::board_now()))
}

async fn create(app: Arc<App>, ctx: Ctx, kind: Kind, target: String, mp: Multipart) -> Response {
    let Some((topic, area, managed)) = alert_target(&app, &ctx, &target) else {
        return super::not_found();
    };
    let (mut f, action, cap) = match read_form(mp).await {
        Ok(x) => x,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("Biểu mẫu hỏng: {e}")).into_response(),
    };
    let now = bangtin_staff::board_now();
    let id = new_alert_id(now);
    let bad = StatusCode::UNPROCESSABLE_ENTITY;
    if let Some(xml) = cap {
        // A CAP file fills the form; the officer checks it and sends it.
        return match cap_form(&xml, kind, ctx.lang) {
            Ok(form) => {
                let built = alerts::build(
                    kind,
                    &form,
                    &id,
                    (MsgType::Alert, &[]),
                    now,
                    managed.alert_max_hours,
                );
                let note = t(
                    ctx.lang,
                    "Đã đọc tệp CAP: hãy kiểm tra nội dung và bản xem trước rồi gửi.",
                );
                let (errors, preview) = match built {
                    Ok(a) => (Vec::new(), Some(a)),
                    Err(e) => (e, None),
                };
                form_page(
                    &app,
                    &ctx,
                    kind,
                    target,
                    form,
                    Filled {
                        errors,
                        message: Some(note.into()),
                        preview,
                        ..Filled::default()
                    },
                    StatusCode::OK,
                )
                .await
            }
            Err(e) => {
                log::info!("CAP upload refused: {e}");
                form_page(
                    &app,
                    &ctx,
                    kind,
                    target,
                    f,
                    Filled {
                        message: Some(e),
                        ..Filled::default()
                    },
                    bad,
                )
                .await
            }
        };
    }
    let alert = match alerts::build(
        kind,
        &f,
        &id,
        (MsgType::Alert, &[]),
        now,
        managed.alert_max_hours,
    ) {
        Ok(a) => a,
        Err(errors) => {
            return form_page(
                &app,
                &ctx,
                kind,
                target,
                f,
                Filled {
                    errors,
                    ..Filled::default()
                },
                bad,
            )
            .await
        }
    };
    if action != "send" {
        if f.expires_h.trim().is_empty() {
            f.expires_h = alerts::DEFAULT_HOURS.to_string();
        }
        return form_page(
            &app,
            &ctx,
            kind,
            target,
            f,
            Filled {
                preview: Some(alert),
                ..Filled::default()
            },
            StatusCode::OK,
        )
        .await;
    }
    let confirm = alerts::confirmation(kind, alert.severity, managed.alert_two_person);
    let window = i64::from(managed.alert_confirm_minutes) * 60;
    match enter(
        &app,
        &ctx,
        Entry {
            kind,
            topic: &topic,
            area: &area,
            managed: &managed,
            alert: &alert,
            corrects: None,
            confirm,
            window_s: window,
            queued: false,
        },
    ) {
        Ok(row) => Redirect::to(&format!("/alerts/{row}")).into_response(),
        Err(e) => internal(&format!("alert {id}: {e}")),
    }
}

/// A new alert (or correction of `corrects`) to record.
pub(super) struct Entry<'a> {
    pub kind: Kind,
    pub topic: &'a str,
    pub area: &'a str,
    pub managed: &'a crate::config::Area,
    pub alert: &'a Alert,
    pub corrects: Option<i64>,
    pub confirm: Confirm,
    /// How long it may wait for confirmation (or, queued, for an officer to send it).
    pub window_s: i64,
    /// A source system's alert: it waits for an officer whatever its severity.
    pub queued: bool,
}

/// Records `e` in one transaction: waiting for confirmation, or signed into the outbox at
/// once. Returns its row id.
pub(super) fn enter(app: &App, ctx: &Ctx, e: Entry<'_>) -> Result<i64, String> {
    let Entry {
        kind,
        topic,
        area,
        managed,
        alert,
        corrects,
        confirm,
        window_s,
        queued,
    } = e;
    let user = ctx.user();
    let json = serde_json::to_string(alert).map_err(|e| e.to_string())?;
    let mut conn = app.db.lock();
    let tx = conn.transaction().map_err(|e| e.to_string())?;
    if let Some(old) = corrects {
        let state: Option<String> = tx
            .query_row("SELECT state FROM alerts WHERE id = ?1", [old], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| e.to_string())?;
        if state.as_deref() != Some(AlertState::Sent.code()) {
            return Err(NOT_IN_FORCE.to_owned());
        }
    }
    let now = now_s();
    let state = match confirm {
        _ if queued => AlertState::Queued,
        Confirm::None => AlertState::Sent,
        _ => AlertState::Awaiting,
    };
    tx.execute(
        "INSERT INTO alerts (alert_id, kind, area, topic, state, alert, sender, sender_name,
                             corrects, created_at, confirm_by, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?10)",
        params![
            alert.id,
            kind.code(),
            area,
            topic,
            state.code(),
            json,
            (user.id > 0).then_some(user.id),
            user.username,
            corrects,
            now,
            state.is_pending().then_some(now + window_s),
        ],
    )
    .map_err(|e| e.to_string())?;
    let row = tx.last_insert_rowid();
    let (action, sha) = if state == AlertState::Sent {
        let signed = send_in(&tx, managed, row, topic, alert, corrects)?;
        ("alert-send", Some(signed.sha256))
    } else {
        ("alert-enter", None)
    };
    let target = format!("alert {row} ({} {}) → {topic}", kind.code(), alert.id);
    db::audit(
        &tx,
        &ctx.audit_entry(action, &target, Some(area), sha.as_deref()),
    )
    .map_err(|e| e.to_string())?;
    tx.commit().map_err(|e| e.to_string())?;
    drop(conn);
    if state == AlertState::Sent {
        app.outbox.notify_one();
    }
    Ok(row)
}

/// Signs alert row `row` into the outbox and marks it sent (and what it corrects, corrected).
pub(super) fn send_in(
    tx: &rusqlite::Connection,
    managed: &crate::config::Area,
    row: i64,
    topic: &str,
    alert: &Alert,
    corrects: Option<i64>,
) -> Result<channel::Signed, String> {
    let signed = sign(tx, managed, topic, alert)?;
    tx.execute(
        "UPDATE alerts SET state = 'sent', seq = ?1, sha256 = ?2,
                sent_at_ms = ?3, updated_at = ?4 WHERE id = ?5",
        params![
            signed.seq as i64,
            signed.sha256,
            chrono::Utc::now().timestamp_millis(),
            now_s(),
            row
        ],
    )
    .map_err(|e| e.to_string())?;
    if let Some(old) = corrects {
        // The alert it corrects must still be in force: a correction never brings back an
        // alert cancelled (or corrected by someone else) in the meantime.
        let n = tx
            .execute(
                "UPDATE alerts SET state = 'corrected', updated_at = ?1 WHERE id = ?2 AND state = 'sent'",
                params![now_s(), old],
            )
            .map_err(|e| e.to_string())?;
        if n != 1 {
            return Err(NOT_IN_FORCE.to_owned());
        }
    }
    Ok(signed)
}

/// Signs `alert` for `topic` into the outbox (in the caller's transaction).
pub(super) fn sign(
    tx: &rusqlite::Connection,
    managed: &crate::config::Area,
    topic: &str,
    alert: &Alert,
) -> Result<channel::Signed, String> {
    channel::queue(tx, managed, topic, Payload::Alert(alert.clone())).map_err(|e| match e {
        channel::Queued::TooBig(kb) => format!("the alert would be {kb} KB"),
        channel::Queued::Db(e) => e,
    })
}

/// The audit line of a step that signed a message for alert `row` (in the transaction).
pub(super) fn audit_signed(
    tx: &rusqlite::Connection,
    ctx: &Ctx,
    action: &str,
    row: (i64, &str, &str),
    area: &str,
    signed: &channel::Signed,
) -> Result<(), String> {
    let (id, alert_id, topic) = row;
    let target = format!("alert {id} ({alert_id}) → {topic} seq {}", signed.seq);
    db::audit(
        tx,
        &ctx.audit_entry(action, &target, Some(area), Some(&signed.sha256)),
    )
    .map_err(|e| e.to_string())
}

/// Why a correction is refused when what it corrects was cancelled or corrected meanwhile.
pub(super) const NOT_IN_FORCE: &str = "Chỉ đính chính được cảnh báo đang có hiệu lực.";

pub async fn create_drill(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<FormQuery>,
    mp: Multipart,
) -> Response {
    create(app, ctx, Kind::Drill, q.area, mp).await
}

pub async fn create_live(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<FormQuery>,
    mp: Multipart,
) -> Response {
    create(app, ctx, Kind::Live, q.area, mp).await
}
