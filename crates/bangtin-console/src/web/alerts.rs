//! The alert pages: the list, an alert's page with its tally, and its preview. The drill and
//! live pages (entered separately, styled unmistakably differently) are in `alert_form`; the
//! steps after entering one (confirm, cancel, correct) in `alert_steps`.

use super::items::target_sizes;
use super::live::{png, updates, PreviewQuery};
use super::pages::{internal, layout, local, page, visible_rows, Layout};
use super::Ctx;
use crate::alerts::{self, Kind, State as AlertState, Tally};
use crate::db::now_s;
use crate::policy::{self, Grant, Role};
use crate::App;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use bangtin_protocol::content::Alert;
use bangtin_staff::fleet::State as BoardState;
use rusqlite::{params, OptionalExtension};
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
                (
                    r.get(9)?,
                    r.get(10)?,
                    r.get(11)?,
                    r.get::<_, Option<i64>>(12)?,
                    r.get(13)?,
                ),
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
                state: AlertState::parse(&state)?.at(rest.3, now_s()),
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
            "SELECT id, kind, area, state, alert, created_at, confirm_by FROM alerts
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
                r.get::<_, Option<i64>>(6)?,
            ))
        });
        let Ok(rows) = rows else {
            return internal("alerts: the list query failed");
        };
        rows.filter_map(Result::ok)
            .filter(|r| policy::role_on(&grants, &r.2).is_some())
            .filter_map(|(id, kind, area, state, alert, at, confirm_by)| {
                let alert: Alert = serde_json::from_str(&alert).ok()?;
                let state = AlertState::parse(&state)?.at(confirm_by, now_s());
                Some(ListRow {
                    id,
                    drill: kind == "drill",
                    state: state_vi(state, &alert),
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
