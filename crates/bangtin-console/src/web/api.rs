//! The JSON API for provincial source systems (`/api/v1`, described by `openapi.json`, served
//! at `/api/v1/openapi.json`): submit content (into the approval queue unless the token may
//! publish), list and withdraw items, a publication's delivery, boards, proof of play, CAP
//! alerts. Every request has passed the same guard as the pages, with the token's one grant.

use super::alert_form::{enter, Entry};
use super::alerts::{delivery as alert_delivery, load_alert, new_alert_id};
use super::items::{delivery, load, new_item_id, topic_of, STATES};
use super::pages::{item_title, visible_rows};
use super::steps::api_step;
use super::Ctx;
use crate::alerts::{self, Confirm, Kind};
use crate::db::{self, now_s};
use crate::items::{self, Action, Facts, Status};
use crate::policy::{Grant, Role};
use crate::tokens::Holder;
use crate::{channel, App};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use bangtin_protocol::content::{self, channel_from_value, limits, MsgType};
use rusqlite::params;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// The API's description, checked against the route table by a test and against the running
/// console by the contract test (`tests/api_contract.py`).
pub const OPENAPI: &str = include_str!("../../openapi.json");

pub async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        OPENAPI.to_owned(),
    )
        .into_response()
}

/// An answer that says what went wrong, with the status it goes with.
pub fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

fn rfc3339(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|t| t.with_timezone(&bangtin_vi::calendar::VIETNAM).to_rfc3339())
        .unwrap_or_default()
}

#[derive(Deserialize)]
pub struct AreaQuery {
    #[serde(default)]
    area: String,
}

// ---- Items ------------------------------------------------------------------------------------

/// `POST /api/v1/items?area=…` with `{"item": ITEM}` (a channel item as the protocol writes
/// it; `id` is made when missing).
pub async fn submit(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Extension(holder): Extension<Holder>,
    Query(q): Query<AreaQuery>,
    body: Bytes,
) -> Response {
    if body.len() > limits::MESSAGE_BYTES {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "larger than a message may be",
        );
    }
    let Ok(Value::Object(mut doc)) = serde_json::from_slice::<Value>(&body) else {
        return error(StatusCode::BAD_REQUEST, "the body is not a JSON object");
    };
    let Some(Value::Object(mut item)) = doc.remove("item") else {
        return error(StatusCode::BAD_REQUEST, "the body has no \"item\" object");
    };
    if !item.contains_key("id") {
        item.insert("id".into(), new_item_id().into());
    }
    let channel = match channel_from_value(&json!({ "items": [item] }), "") {
        Ok(c) => c,
        Err(p) => {
            let problems: Vec<String> = p.iter().map(|x| x.to_string()).collect();
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(json!({"error": "the item is not valid", "problems": problems})),
            )
                .into_response();
        }
    };
    let Some(item) = channel.items.into_iter().next() else {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "no item");
    };
    if matches!(item.kind, content::ItemKind::Video { .. }) {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "video items are published with `bangtin publish` for now, not through the console",
        );
    }
    let Some((topic, area)) = topic_of(&app, &ctx, &q.area) else {
        return error(StatusCode::NOT_FOUND, "the console does not publish there");
    };
    // The token's role decides: an approver's token publishes, an editor's waits in the
    // queue (or publishes where the area needs no approval, as an editor's submit does).
    let needs_approval = app.config.area_for(&area).is_none_or(|a| a.approval);
    let facts = Facts {
        status: Status::Draft,
        actor_is_author: true,
        needs_approval: needs_approval && holder.role < Role::Approver,
        live: false,
    };
    let publish = items::step(Action::Submit, facts).is_some_and(|s| s.republish);
    let draft = serde_json::to_string(&item).unwrap_or_default();
    let managed = app.config.area_for(&area).cloned();
    let user = ctx.user();
    let mut conn = app.db.lock();
    let result = (|| -> Result<(i64, Option<channel::Signed>), (StatusCode, String)> {
        let e500 = |e: rusqlite::Error| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
        let tx = conn.transaction().map_err(e500)?;
        let exists: bool = tx
            .query_row(
                "SELECT count(*) FROM items WHERE topic = ?1 AND item_id = ?2",
                params![topic, item.id],
                |r| r.get::<_, i64>(0),
            )
            .map_err(e500)?
            > 0;
        if exists {
            return Err((
                StatusCode::CONFLICT,
                format!("an item {:?} exists on this topic already", item.id),
            ));
        }
        let notes = json!([format!("{}", user.username)]).to_string();
        tx.execute(
            "INSERT INTO items (item_id, topic, area, status, draft, notes, created_at, updated_at)
             VALUES (?1, ?2, ?3, 'submitted', ?4, ?5, ?6, ?6)",
            params![item.id, topic, area, draft, notes, now_s()],
        )
        .map_err(e500)?;
        let id = tx.last_insert_rowid();
        let signed = match (&managed, publish) {
            (Some(m), true) => {
                tx.execute(
                    "UPDATE items SET status = 'published', live = draft WHERE id = ?1",
                    [id],
                )
                .map_err(e500)?;
                let s = channel::republish(&tx, m, &topic)
                    .map_err(|e| (StatusCode::UNPROCESSABLE_ENTITY, e))?;
                tx.execute(
                    "UPDATE items SET published_seq = ?1 WHERE id = ?2",
                    params![s.seq as i64, id],
                )
                .map_err(e500)?;
                Some(s)
            }
            _ => None,
        };
        let action = if signed.is_some() {
            "publish"
        } else {
            "submit"
        };
        let sha = signed.as_ref().map(|s| s.sha256.as_str());
        db::audit(
            &tx,
            &ctx.audit_entry(action, &format!("item {id}"), Some(&area), sha),
        )
        .map_err(e500)?;
        tx.commit().map_err(e500)?;
        Ok((id, signed))
    })();
    drop(conn);
    match result {
        Ok((id, signed)) => {
            if signed.is_some() {
                app.outbox.notify_one();
            }
            (
                StatusCode::CREATED,
                Json(json!({
                    "id": id,
                    "item_id": item.id,
                    "topic": topic,
                    "status": if signed.is_some() { "published" } else { "submitted" },
                    "seq": signed.map(|s| s.seq),
                })),
            )
                .into_response()
        }
        Err((status, e)) => error(status, e),
    }
}

/// `GET /api/v1/items?area=…`: the items of the area and of the areas inside it.
pub async fn list_items(State(app): State<Arc<App>>, Query(q): Query<AreaQuery>) -> Response {
    let (filter, args) = super::pages::area_filter(
        &[Grant {
            area: q.area.clone(),
            role: Role::Viewer,
        }],
        Role::Viewer,
    );
    let sql =
        format!("SELECT id FROM items WHERE {filter} ORDER BY updated_at DESC, id DESC LIMIT 500");
    let ids: Vec<i64> = {
        let conn = app.db.lock();
        let Ok(mut st) = conn.prepare(&sql) else {
            return error(StatusCode::INTERNAL_SERVER_ERROR, "query");
        };
        st.query_map(rusqlite::params_from_iter(args.iter()), |r| r.get(0))
            .map(|rows| rows.filter_map(Result::ok).collect())
            .unwrap_or_default()
    };
    let conn = app.db.lock();
    let items: Vec<Value> = ids
        .into_iter()
        .filter_map(|id| load(&conn, id))
        .map(|row| {
            json!({
                "id": row.id,
                "item_id": row.draft.id,
                "area": row.area,
                "topic": row.topic,
                "status": row.status.code(),
                "revision": row.revision,
                "title": item_title(&row.draft),
            })
        })
        .collect();
    Json(json!({ "items": items })).into_response()
}

const STATE_CODES: [&str; 4] = ["shown", "received", "sending", "offline"];

/// `GET /api/v1/items/{id}`: the item, and where its publication has reached.
pub async fn get_item(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let Some(row) = load(&app.db.lock(), super::items::item_id(&id)) else {
        return error(StatusCode::NOT_FOUND, "not found");
    };
    let rows = delivery(&app, &row);
    let code = |s: &str| {
        STATES
            .iter()
            .position(|x| *x == s)
            .map_or("offline", |i| STATE_CODES[i])
    };
    let mut tally = json!({"shown": 0, "received": 0, "sending": 0, "offline": 0});
    for d in &rows {
        if let Some(n) = tally.get_mut(code(d.state)) {
            *n = json!(n.as_u64().unwrap_or(0) + 1);
        }
    }
    let boards: Vec<Value> = rows
        .iter()
        .map(|d| {
            json!({
                "board": d.board,
                "state": code(d.state),
                "received_at": d.received_at,
                "shown_at": d.shown_at,
            })
        })
        .collect();
    Json(json!({
        "id": row.id,
        "item_id": row.draft.id,
        "area": row.area,
        "topic": row.topic,
        "status": row.status.code(),
        "revision": row.revision,
        "published_seq": row.published_seq,
        "item": row.draft,
        "delivery": {"tally": tally, "boards": boards},
    }))
    .into_response()
}

/// `POST /api/v1/items/{id}/withdraw`.
pub async fn withdraw(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> Response {
    match api_step(&app, &ctx, super::items::item_id(&id), Action::Withdraw) {
        Ok(signed) => Json(json!({
            "status": "withdrawn",
            "seq": signed.map(|s| s.seq),
        }))
        .into_response(),
        Err((status, why)) => error(status, why),
    }
}

// ---- Boards and proof of play -----------------------------------------------------------------

/// `GET /api/v1/boards?area=…`
pub async fn boards(State(app): State<Arc<App>>, Query(q): Query<AreaQuery>) -> Response {
    let grants = [Grant {
        area: q.area,
        role: Role::Viewer,
    }];
    let boards: Vec<Value> = visible_rows(&app, &grants)
        .into_iter()
        .map(|r| {
            json!({
                "board": r.board,
                "name": r.name,
                "area": r.area,
                "state": r.state.code(),
                "at": r.at.map(|t| t.to_rfc3339()),
                "version": r.version,
                "showing": r.showing,
                "alert": r.alert,
                "last_error": r.last_error,
            })
        })
        .collect();
    Json(json!({ "boards": boards })).into_response()
}

#[derive(Deserialize)]
pub struct PlaysQuery {
    #[serde(default)]
    area: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// `GET /api/v1/plays?area=…&from=YYYY-MM-DD&to=YYYY-MM-DD`: times shown and seconds on screen
/// per item and board (the report page's numbers).
pub async fn plays(State(app): State<Arc<App>>, Query(q): Query<PlaysQuery>) -> Response {
    let bounds = bangtin_staff::report::parse_bound(&q.from, false)
        .and_then(|f| Ok((f, bangtin_staff::report::parse_bound(&q.to, true)?)));
    let (from, to) = match bounds {
        Ok((f, t)) if t > f => (f, t),
        Ok(_) => return error(StatusCode::BAD_REQUEST, "to is before from"),
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("from/to: {e}")),
    };
    match crate::plays::lines(&app.db, &q.area, from, to) {
        Ok(lines) => {
            let lines: Vec<Value> = lines
                .iter()
                .map(|l| {
                    json!({
                        "board": l.board,
                        "item": l.item,
                        "topic": l.topic,
                        "times_shown": l.times_shown,
                        "seconds_on_screen": l.seconds_on_screen,
                        "first_shown": l.first_shown.to_rfc3339(),
                        "last_shown": l.last_shown.to_rfc3339(),
                        "clock_trusted": l.clock_trusted,
                    })
                })
                .collect();
            Json(json!({
                "from": from.to_rfc3339(),
                "to": to.to_rfc3339(),
                "lines": lines,
            }))
            .into_response()
        }
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

// ---- CAP alerts -------------------------------------------------------------------------------

/// `POST /api/v1/cap?area=…` with a CAP 1.2 document (`application/xml`). Into the queue of
/// the alert page (an officer sends it), or, for a token allowed to, sent at once.
pub async fn cap(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Extension(holder): Extension<Holder>,
    Query(q): Query<AreaQuery>,
    body: Bytes,
) -> Response {
    if body.len() > limits::CAP_XML_BYTES {
        let why = format!("a CAP document is at most {} bytes", limits::CAP_XML_BYTES);
        log::info!("CAP from {} refused: {why}", holder.name);
        return error(StatusCode::PAYLOAD_TOO_LARGE, why);
    }
    let Ok(xml) = std::str::from_utf8(&body) else {
        return error(StatusCode::BAD_REQUEST, "the document is not UTF-8");
    };
    let parsed = match content::alert_from_cap(xml, "CAP") {
        Ok(a) => a,
        Err(p) => {
            let why = p.to_string();
            log::info!("CAP from {} refused: {why}", holder.name);
            return error(StatusCode::UNPROCESSABLE_ENTITY, why);
        }
    };
    let kind = match bangtin_staff::command::wire_name(&parsed.status).as_str() {
        "actual" => Kind::Live,
        "exercise" => Kind::Drill,
        other => {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("status {other:?}: only Actual and Exercise are shown on boards"),
            )
        }
    };
    if parsed.msg_type != MsgType::Alert {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "only msgType Alert is taken here; updates and cancels are made on the alert's page",
        );
    }
    let Some((topic, area, managed)) = cap_target(&app, &holder, &q.area) else {
        return error(StatusCode::NOT_FOUND, "the console does not publish there");
    };
    let now = bangtin_staff::board_now();
    if parsed.expires.is_some_and(|e| e <= now) {
        let why = "the document's expires is past: an alert that ended is not sent again";
        log::info!("CAP from {} refused: {why}", holder.name);
        return error(StatusCode::UNPROCESSABLE_ENTITY, why);
    }
    let mut form = alerts::form_of(&parsed, now);
    let max = managed.alert_max_hours;
    if form.expires_h.parse::<u32>().is_ok_and(|h| h > max) {
        form.expires_h = max.to_string();
    }
    if parsed.sender_name.is_none() {
        form.sender_name = holder.name.clone();
    }
    let id = new_alert_id(now);
    let alert = match alerts::build(kind, &form, &id, (MsgType::Alert, &[]), now, max) {
        Ok(a) => a,
        Err(errors) => {
            let fields: Vec<&str> = errors.iter().map(|e| e.0).collect();
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("the alert is not valid: {}", fields.join(", ")),
            );
        }
    };
    let send_now = holder.cap_send && holder.role >= Role::Approver;
    let window = alert
        .expires
        .map_or(6 * 3600, |e| (e - now).num_seconds().max(60));
    let confirm = if send_now {
        Confirm::None
    } else {
        Confirm::SecondOfficer
    };
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
            queued: !send_now,
        },
    ) {
        Ok(row) => (
            StatusCode::ACCEPTED,
            Json(json!({
                "id": row,
                "alert_id": id,
                "state": if send_now { "sent" } else { "queued" },
                "page": format!("/alerts/{row}"),
            })),
        )
            .into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e),
    }
}

/// Where a token's CAP alert goes: inside its area (the guard checked the editor right; an
/// editor's alert waits in the queue for an officer with the alert right).
fn cap_target(
    app: &App,
    holder: &Holder,
    target: &str,
) -> Option<(String, String, crate::config::Area)> {
    let area = match target.strip_prefix("board/") {
        Some(id) => super::board_area(app, id)?,
        None => target.to_owned(),
    };
    if !bangtin_staff::fleet::area_covers(&holder.area, &area) || holder.role < Role::Editor {
        return None;
    }
    let managed = app.config.area_for(&area)?.clone();
    Some((app.config.alert_topic(target), area, managed))
}

/// `GET /api/v1/alerts/{id}`: an alert's state and the boards showing it.
pub async fn get_alert(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let Some(row) = load_alert(&app.db.lock(), super::alerts::alert_id(&id)) else {
        return error(StatusCode::NOT_FOUND, "not found");
    };
    let (tally, lines) = alert_delivery(&app, &row);
    let boards: Vec<Value> = lines
        .iter()
        .map(|l| json!({"board": l.board, "state": l.state_code}))
        .collect();
    Json(json!({
        "id": row.id,
        "alert_id": row.alert.id,
        "kind": row.kind.code(),
        "state": row.state.code(),
        "area": row.area,
        "topic": row.topic,
        "created_at": rfc3339(row.created_at),
        "alert": row.alert,
        "tally": {
            "boards": tally.boards,
            "received": tally.received,
            "shown": tally.shown,
            "offline": tally.offline,
        },
        "boards": boards,
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn the_document_describes_every_api_route_and_nothing_else() {
        let doc: Value = serde_json::from_str(OPENAPI).unwrap();
        let mut documented = BTreeSet::new();
        for (path, ops) in doc["paths"].as_object().unwrap() {
            for method in ops.as_object().unwrap().keys() {
                documented.insert((method.to_uppercase(), path.clone()));
            }
        }
        let served: BTreeSet<(String, String)> = crate::policy::RULES
            .iter()
            .filter(|r| r.path.starts_with("/api/"))
            .map(|r| (r.method.to_owned(), r.path.to_owned()))
            .collect();
        assert_eq!(documented, served);
    }
}
