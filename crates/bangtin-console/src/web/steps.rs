//! The approval steps of an item: submit, approve, reject, withdraw. Each is one transaction
//! on the revision the officer saw; a change of the channel is signed into the outbox in it.

use super::items::{facts, item_id, item_page, load, Row, CHANGED};
use super::Ctx;
use crate::db::{self, now_s};
use crate::i18n::t;
use crate::items::{self, Action, Status};
use crate::{channel, App};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form as UrlForm};
use rusqlite::params;
use serde::Deserialize;
use std::sync::Arc;

/// An approval step as posted: the revision the officer saw (a step on any other revision is
/// refused: nobody approves what they did not see), and a rejection's reason.
#[derive(Deserialize)]
pub struct ActForm {
    #[serde(default)]
    revision: i64,
    #[serde(default)]
    reason: String,
}

pub async fn submit(
    state: State<Arc<App>>,
    ctx: Extension<Ctx>,
    id: Path<String>,
    f: UrlForm<ActForm>,
) -> Response {
    act(state, ctx, id, Action::Submit, f.0).await
}

pub async fn approve(
    state: State<Arc<App>>,
    ctx: Extension<Ctx>,
    id: Path<String>,
    f: UrlForm<ActForm>,
) -> Response {
    act(state, ctx, id, Action::Approve, f.0).await
}

pub async fn withdraw(
    state: State<Arc<App>>,
    ctx: Extension<Ctx>,
    id: Path<String>,
    f: UrlForm<ActForm>,
) -> Response {
    act(state, ctx, id, Action::Withdraw, f.0).await
}

pub async fn reject(
    state: State<Arc<App>>,
    ctx: Extension<Ctx>,
    id: Path<String>,
    f: UrlForm<ActForm>,
) -> Response {
    act(state, ctx, id, Action::Reject, f.0).await
}

/// What an approval step came to.
enum Outcome {
    Done(i64, Option<channel::Signed>),
    Refused(Box<Row>, String, StatusCode),
    NotFound,
}

async fn act(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    action: Action,
    form: ActForm,
) -> Response {
    match act_now(&app, &ctx, item_id(&id), action, &form) {
        Outcome::Done(id, signed) => {
            if signed.is_some() {
                app.outbox.notify_one();
            }
            Redirect::to(&format!("/items/{id}")).into_response()
        }
        Outcome::Refused(row, message, status) => {
            item_page(&app, &ctx, &row, Some(message), status).await
        }
        Outcome::NotFound => super::not_found(),
    }
}

/// One approval step, in one transaction: the item's new status, the audit line and, when the
/// channel changes, the signed channel in the outbox. The caller wakes the sender after.
fn act_now(app: &App, ctx: &Ctx, id: i64, action: Action, form: &ActForm) -> Outcome {
    let user = ctx.user();
    let mut conn = app.db.lock();
    let Some(row) = load(&conn, id) else {
        return Outcome::NotFound;
    };
    if form.revision != row.revision {
        let why = t(ctx.lang, CHANGED).to_owned();
        return Outcome::Refused(Box::new(row), why, StatusCode::CONFLICT);
    }
    let reason = (action == Action::Reject).then(|| form.reason.clone());
    let f = facts(app, &row, user.id);
    let Some(step) = items::step(action, f) else {
        let why = t(ctx.lang, items::refusal(action, f)).to_owned();
        return Outcome::Refused(Box::new(row), why, StatusCode::CONFLICT);
    };
    let reason = reason.map(|r| r.trim().chars().take(500).collect::<String>());
    if action == Action::Reject && reason.as_deref().is_none_or(str::is_empty) {
        let why = t(ctx.lang, "Hãy ghi lý do từ chối.").to_owned();
        return Outcome::Refused(Box::new(row), why, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let Some((managed, _)) = channel::target(&app.config, &row.area) else {
        let why = t(
            ctx.lang,
            "Khu vực này không còn do bảng điều khiển quản lý.",
        )
        .to_owned();
        return Outcome::Refused(Box::new(row), why, StatusCode::CONFLICT);
    };
    let result = (|| -> Result<Option<channel::Signed>, String> {
        let tx = conn.transaction().map_err(|e| e.to_string())?;
        let now = now_s();
        let draft = serde_json::to_string(&row.draft).map_err(|e| e.to_string())?;
        match step.status {
            Status::Published => tx.execute(
                "UPDATE items SET status = 'published', live = ?1, approver = ?2, updated_at = ?3 WHERE id = ?4",
                params![draft, user.id, now, row.id],
            ),
            Status::Withdrawn => tx.execute(
                "UPDATE items SET status = 'withdrawn', live = NULL, updated_at = ?1 WHERE id = ?2",
                params![now, row.id],
            ),
            Status::Rejected => tx.execute(
                "UPDATE items SET status = 'rejected', reason = ?1, approver = ?2, updated_at = ?3 WHERE id = ?4",
                params![reason, user.id, now, row.id],
            ),
            s => tx.execute(
                "UPDATE items SET status = ?1, updated_at = ?2 WHERE id = ?3",
                params![s.code(), now, row.id],
            ),
        }
        .map_err(|e| e.to_string())?;
        let signed = if step.republish {
            let signed = channel::republish(&tx, &managed, &row.topic)?;
            if step.status == Status::Published {
                tx.execute(
                    "UPDATE items SET published_seq = ?1 WHERE id = ?2",
                    params![signed.seq as i64, row.id],
                )
                .map_err(|e| e.to_string())?;
            }
            Some(signed)
        } else {
            None
        };
        let action_name = match action {
            Action::Submit if step.status == Status::Published => "publish",
            Action::Submit => "submit",
            Action::Approve => "approve",
            Action::Reject => "reject",
            Action::Withdraw => "withdraw",
            Action::Edit => "edit",
        };
        let target = match &signed {
            Some(s) => format!("item {} → {} seq {}", row.id, s.topic, s.seq),
            None => format!("item {}", row.id),
        };
        db::audit(
            &tx,
            &ctx.audit_entry(
                action_name,
                &target,
                Some(&row.area),
                signed.as_ref().map(|s| s.sha256.as_str()),
            ),
        )
        .map_err(|e| e.to_string())?;
        tx.commit().map_err(|e| e.to_string())?;
        Ok(signed)
    })();
    match result {
        Ok(signed) => Outcome::Done(row.id, signed),
        Err(e) => {
            log::warn!("item {}: {e}", row.id);
            Outcome::Refused(Box::new(row), e, StatusCode::CONFLICT)
        }
    }
}

/// An approval step asked for through the API, on the item's current revision. The refusal
/// says why, with the HTTP status to answer.
pub(super) fn api_step(
    app: &App,
    ctx: &Ctx,
    id: i64,
    action: Action,
) -> Result<Option<channel::Signed>, (StatusCode, String)> {
    let Some(revision) = load(&app.db.lock(), id).map(|r| r.revision) else {
        return Err((StatusCode::NOT_FOUND, "not found".into()));
    };
    let form = ActForm {
        revision,
        reason: String::new(),
    };
    match act_now(app, ctx, id, action, &form) {
        Outcome::Done(_, signed) => {
            if signed.is_some() {
                app.outbox.notify_one();
            }
            Ok(signed)
        }
        Outcome::Refused(_, why, status) => Err((status, why)),
        Outcome::NotFound => Err((StatusCode::NOT_FOUND, "not found".into())),
    }
}
