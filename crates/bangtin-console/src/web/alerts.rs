//! The alert pages: the list, the drill page and the live page (entered separately, styled
//! unmistakably differently), an alert's page with its tally, and its preview. The steps after
//! entering one (confirm, cancel, correct) are in `alert_steps`.

use super::items::{areas_with, target_sizes};
use super::live::{png, updates, PreviewQuery};
use super::pages::{internal, layout, local, page, visible_rows, Layout};
use super::Ctx;
use crate::alerts::{self, Confirm, Form, Kind, State as AlertState, Tally};
use crate::db::{self, now_s};
use crate::i18n::{t, Lang};
use crate::policy::{self, Grant, Role};
use crate::{channel, App};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use bangtin_protocol::content::{self, Alert, MsgType, Payload};
use bangtin_staff::fleet::State as BoardState;
use base64::Engine as _;
use rusqlite::{params, OptionalExtension};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// An alert row.
pub(super) struct AlertRow {
    pub id: i64,
    pub kind: Kind,
    pub area: String,
    pub topic: String,
    pub state: AlertState,
    pub alert: Alert,
    pub sender: Option<i64>,
    pub sender_name: String,
    pub confirmer: Option<String>,
    pub corrects: Option<i64>,
    pub seq: Option<i64>,
    pub created_at: i64,
    pub confirm_by: Option<i64>,
    pub sent_at_ms: Option<i64>,
}

pub(super) fn load_alert(conn: &rusqlite::Connection, id: i64) -> Option<AlertRow> {
    conn.query_row(
        "SELECT a.id, a.kind, a.area, a.topic, a.state, a.alert, a.sender, a.sender_name,
                u.username, a.corrects, a.seq, a.created_at, a.confirm_by, a.sent_at_ms
         FROM alerts a LEFT JOIN users u ON u.id = a.confirmer WHERE a.id = ?1",
        [id],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<i64>>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, Option<String>>(8)?,
                (r.get(9)?, r.get(10)?, r.get(11)?, r.get(12)?, r.get(13)?),
            ))
        },
    )
    .optional()
    .ok()
    .flatten()
    .and_then(
        |(id, kind, area, topic, state, alert, sender, sender_name, confirmer, rest)| {
            Some(AlertRow {
                id,
                kind: Kind::parse(&kind)?,
                area,
                topic,
                state: AlertState::parse(&state)?,
                alert: serde_json::from_str(&alert).ok()?,
                sender,
                sender_name,
                confirmer,
                corrects: rest.0,
                seq: rest.1,
                created_at: rest.2,
                confirm_by: rest.3,
                sent_at_ms: rest.4,
            })
        },
    )
}

pub(super) fn alert_id(s: &str) -> i64 {
    s.parse().unwrap_or(-1)
}

/// A new alert id on the wire: when, and a random part (two officers in the same second).
pub(super) fn new_alert_id(now: chrono::DateTime<chrono::FixedOffset>) -> String {
    use rand_core::RngCore;
    let mut b = [0u8; 3];
    rand_core::OsRng.fill_bytes(&mut b);
    format!("cb-{}-{}", now.format("%Y%m%d-%H%M%S"), hex::encode(b))
}

/// The board an alert's topic is for, if it is for one board.
fn board_of(topic: &str) -> Option<&str> {
    topic.split_once("/alert/board/").map(|(_, id)| id)
}

/// The topic an alert for `target` (an area or `board/ID`) goes to, its area, and the managed
/// area whose key and settings apply; `None` when the console does not publish there.
pub(super) fn alert_target(
    app: &App,
    ctx: &Ctx,
    target: &str,
) -> Option<(String, String, crate::config::Area)> {
    let area = match target.strip_prefix("board/") {
        Some(id) => super::board_area(app, id)?,
        None => target.to_owned(),
    };
    if policy::role_on(&ctx.user().grants, &area) < Some(Role::Approver) {
        return None;
    }
    let managed = app.config.area_for(&area)?.clone();
    Some((app.config.alert_topic(target), area, managed))
}

// ---- The list -------------------------------------------------------------------------------

pub struct ListRow {
    pub id: i64,
    pub drill: bool,
    pub headline: String,
    pub area: String,
    pub state: &'static str,
    pub when: String,
}

#[derive(Template)]
#[template(path = "alerts.html")]
struct ListPage {
    l: Layout,
    can_send: bool,
    rows: Vec<ListRow>,
}

/// How the pages say an alert's state (a sent alert past its end has ended).
fn state_vi(row_state: AlertState, alert: &Alert) -> &'static str {
    let ended = alert
        .expires
        .is_some_and(|e| e < bangtin_staff::board_now());
    match row_state {
        AlertState::Sent if ended => "Đã hết hạn",
        s => s.vi(),
    }
}

pub async fn list(State(app): State<Arc<App>>, Extension(ctx): Extension<Ctx>) -> Response {
    let grants = ctx.user().grants.clone();
    let rows: Vec<ListRow> = {
        let conn = app.db.lock();
        let Ok(mut st) = conn.prepare_cached(
            "SELECT id, kind, area, state, alert, created_at FROM alerts
             ORDER BY id DESC LIMIT 500",
        ) else {
            return internal("alerts: the list query failed");
        };
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?,
            ))
        });
        let Ok(rows) = rows else {
            return internal("alerts: the list query failed");
        };
        rows.filter_map(Result::ok)
            .filter(|r| policy::role_on(&grants, &r.2).is_some())
            .filter_map(|(id, kind, area, state, alert, at)| {
                let alert: Alert = serde_json::from_str(&alert).ok()?;
                Some(ListRow {
                    id,
                    drill: kind == "drill",
                    state: state_vi(AlertState::parse(&state)?, &alert),
                    headline: alert.headline,
                    area,
                    when: local(at),
                })
            })
            .take(100)
            .collect()
    };
    page(
        &ListPage {
            l: layout(&app, &ctx, "Cảnh báo khẩn cấp"),
            can_send: policy::has_any(&grants, Role::Approver),
            rows,
        },
        StatusCode::OK,
    )
}

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

#[allow(clippy::too_many_arguments)]
pub(super) async fn form_page(
    app: &App,
    ctx: &Ctx,
    kind: Kind,
    correcting: Option<i64>,
    area: String,
    f: Form,
    errors: Vec<(&'static str, &'static str)>,
    message: Option<String>,
    preview: Option<Alert>,
    status: StatusCode,
) -> Response {
    form_page_with(
        app,
        ctx,
        kind,
        correcting,
        area,
        f,
        errors,
        message,
        preview,
        String::new(),
        status,
    )
    .await
}

/// [`form_page`] filled from `template`.
#[allow(clippy::too_many_arguments)]
async fn form_page_with(
    app: &App,
    ctx: &Ctx,
    kind: Kind,
    correcting: Option<i64>,
    area: String,
    f: Form,
    errors: Vec<(&'static str, &'static str)>,
    message: Option<String>,
    preview: Option<Alert>,
    template: String,
    status: StatusCode,
) -> Response {
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
    form_page_with(
        &app,
        &ctx,
        kind,
        None,
        area,
        f,
        Vec::new(),
        None,
        None,
        q.template,
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
                    None,
                    target,
                    form,
                    errors,
                    Some(note.into()),
                    preview,
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
                    None,
                    target,
                    f,
                    Vec::new(),
                    Some(e),
                    None,
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
            return form_page(&app, &ctx, kind, None, target, f, errors, None, None, bad).await
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
            None,
            target,
            f,
            Vec::new(),
            None,
            Some(alert),
            StatusCode::OK,
        )
        .await;
    }
    let confirm = alerts::confirmation(kind, alert.severity, managed.alert_two_person);
    let window = i64::from(managed.alert_confirm_minutes) * 60;
    match enter(
        &app, &ctx, kind, &topic, &area, &managed, &alert, None, confirm, window, false,
    ) {
        Ok(row) => Redirect::to(&format!("/alerts/{row}")).into_response(),
        Err(e) => internal(&format!("alert {id}: {e}")),
    }
}

/// Records a new alert (or correction of `corrects`) in one transaction: waiting for
/// confirmation (or, `queued`, for an officer to send it, for `window_s`), or signed into the
/// outbox at once. Returns its row id.
#[allow(clippy::too_many_arguments)]
pub(super) fn enter(
    app: &App,
    ctx: &Ctx,
    kind: Kind,
    topic: &str,
    area: &str,
    managed: &crate::config::Area,
    alert: &Alert,
    corrects: Option<i64>,
    confirm: Confirm,
    window_s: i64,
    queued: bool,
) -> Result<i64, String> {
    let user = ctx.user();
    let json = serde_json::to_string(alert).map_err(|e| e.to_string())?;
    let mut conn = app.db.lock();
    let tx = conn.transaction().map_err(|e| e.to_string())?;
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
    let signed =
        channel::queue(tx, managed, topic, Payload::Alert(alert.clone())).map_err(|e| match e {
            channel::Queued::TooBig(kb) => format!("the alert would be {kb} KB"),
            channel::Queued::Db(e) => e,
        })?;
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
        tx.execute(
            "UPDATE alerts SET state = 'corrected', updated_at = ?1 WHERE id = ?2 AND state = 'sent'",
            params![now_s(), old],
        )
        .map_err(|e| e.to_string())?;
    }
    Ok(signed)
}

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

// ---- An alert's page ------------------------------------------------------------------------

pub struct BoardLine {
    pub board: String,
    pub state: &'static str,
    /// `shown`, `received`, `sending` or `offline` (the API's words).
    pub state_code: &'static str,
    pub received: String,
    pub shown: String,
}

#[derive(Template)]
#[template(path = "alert.html")]
struct AlertPage {
    l: Layout,
    id: i64,
    drill: bool,
    a: Alert,
    severity: &'static str,
    area: String,
    state: &'static str,
    pending: bool,
    sent: bool,
    /// The officer may confirm (a second officer, or the sender typing the area).
    can_confirm: bool,
    type_area: bool,
    confirm_until: String,
    can_act: bool,
    sender: String,
    confirmer: String,
    created: String,
    expires: String,
    message: Option<String>,
    previews: Vec<(u32, u32)>,
    tally: Tally,
    late: bool,
    lines: Vec<BoardLine>,
    corrects: Option<i64>,
}

/// Every board the alert reaches, with its acknowledgement, and the tally.
pub(super) fn delivery(app: &App, row: &AlertRow) -> (Tally, Vec<BoardLine>) {
    let mut acks: BTreeMap<String, (Option<String>, Option<String>)> = BTreeMap::new();
    if let Some(seq) = row.seq {
        let conn = app.db.lock();
        if let Ok(mut st) = conn.prepare_cached(
            "SELECT board, received_at, shown_at FROM acks WHERE topic = ?1 AND seq = ?2",
        ) {
            if let Ok(rows) = st.query_map(params![row.topic, seq], |r| {
                Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?))
            }) {
                for (b, rcv, shown) in rows.filter_map(Result::ok) {
                    acks.insert(b, (rcv, shown));
                }
            }
        };
    }
    let grants = [Grant {
        area: row.area.clone(),
        role: Role::Viewer,
    }];
    let only = board_of(&row.topic);
    let mut tally = Tally::default();
    let mut lines = Vec::new();
    for r in visible_rows(app, &grants)
        .into_iter()
        .filter(|r| only.is_none_or(|id| r.board == id))
    {
        let (rcv, shown) = acks.remove(&r.board).unwrap_or_default();
        let online = r.state == BoardState::Online;
        tally.boards += 1;
        tally.received += usize::from(rcv.is_some());
        tally.shown += usize::from(shown.is_some());
        tally.offline += usize::from(!online && rcv.is_none());
        tally.not_shown_online += usize::from(online && shown.is_none());
        let (state, state_code) = match (&shown, &rcv, online) {
            (Some(_), _, _) => ("Đang hiện", "shown"),
            (None, Some(_), _) => ("Đã nhận", "received"),
            (None, None, true) => ("Đang gửi", "sending"),
            (None, None, false) => ("Mất kết nối", "offline"),
        };
        lines.push(BoardLine {
            board: r.board,
            state,
            state_code,
            received: rcv
                .as_deref()
                .map(super::pages::local_rfc3339)
                .unwrap_or_default(),
            shown: shown
                .as_deref()
                .map(super::pages::local_rfc3339)
                .unwrap_or_default(),
        });
    }
    lines.sort_by_key(|l| (l.state == "Đang hiện", l.board.clone()));
    lines.truncate(50);
    (tally, lines)
}

pub(super) async fn alert_page(
    app: &App,
    ctx: &Ctx,
    row: &AlertRow,
    message: Option<String>,
    status: StatusCode,
) -> Response {
    let user = ctx.user();
    let role = policy::role_on(&user.grants, &row.area);
    let managed = app.config.area_for(&row.area);
    let two_person = managed.is_none_or(|a| a.alert_two_person);
    let can_act = role >= Some(Role::Approver) && managed.is_some();
    let can_confirm = can_act
        && alerts::may_confirm(
            row.state,
            row.sender,
            user.id,
            row.confirm_by,
            now_s(),
            two_person,
        )
        .is_ok();
    let (tally, lines) = delivery(app, row);
    let since = row
        .sent_at_ms
        .map_or(0, |ms| (chrono::Utc::now().timestamp_millis() - ms) / 1000);
    let (_, sizes) = target_sizes(app, &row.area, board_of(&row.topic));
    page(
        &AlertPage {
            l: layout(app, ctx, "Cảnh báo khẩn cấp"),
            id: row.id,
            drill: row.kind == Kind::Drill,
            severity: severity_words(&row.alert),
            a: row.alert.clone(),
            area: match board_of(&row.topic) {
                Some(id) => format!("{id} ({})", row.area),
                None => row.area.clone(),
            },
            state: state_vi(row.state, &row.alert),
            pending: row.state.is_pending(),
            sent: row.state == AlertState::Sent,
            can_confirm,
            type_area: row.state == AlertState::Awaiting && !two_person,
            confirm_until: row.confirm_by.map(local_time).unwrap_or_default(),
            can_act,
            sender: row.sender_name.clone(),
            confirmer: row.confirmer.clone().unwrap_or_default(),
            created: local(row.created_at),
            expires: row
                .alert
                .expires
                .map(|e| local(e.timestamp()))
                .unwrap_or_default(),
            message,
            previews: sizes.into_iter().take(2).collect(),
            late: row.state == AlertState::Sent && tally.late(since),
            tally,
            lines,
            corrects: row.corrects,
        },
        status,
    )
}

/// How the pages name an alert's severity (the form's words).
fn severity_words(alert: &Alert) -> &'static str {
    let code = bangtin_staff::command::wire_name(&alert.severity);
    alerts::SEVERITIES
        .iter()
        .find(|s| s.0 == code)
        .map_or("", |s| s.1)
}

/// A time of day with seconds (the confirmation deadline).
fn local_time(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|t| {
            t.with_timezone(&bangtin_vi::calendar::VIETNAM)
                .format("%H:%M:%S %d/%m/%Y")
                .to_string()
        })
        .unwrap_or_default()
}

pub async fn alert(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> Response {
    let row = load_alert(&app.db.lock(), alert_id(&id));
    match row {
        Some(row) => alert_page(&app, &ctx, &row, None, StatusCode::OK).await,
        None => super::not_found(),
    }
}

pub async fn alert_preview(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Query(q): Query<PreviewQuery>,
) -> Response {
    let Some(row) = load_alert(&app.db.lock(), alert_id(&id)) else {
        return super::not_found();
    };
    let doc = serde_json::to_vec(&row.alert).unwrap_or_default();
    png(&app, doc, &q, &format!("alert {}", row.id)).await
}

pub async fn alert_events(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let Some(row) = load_alert(&app.db.lock(), alert_id(&id)) else {
        return super::not_found();
    };
    updates(
        app,
        row.topic,
        row.area,
        Some(std::time::Duration::from_secs(5)),
    )
}
