//! What happens to an alert after it is entered: the second officer's confirmation (or the
//! area typed out, where one officer is allowed), discarding it unsent, the ready cancel and
//! the ready correction; and the hazard templates an admin edits.

use super::alert_form::{
    audit_signed, enter, form_page, read_form, send_in, sign, Entry, Filled, NOT_IN_FORCE,
};
use super::alerts::{alert_id, alert_page, alert_target, load_alert, new_alert_id, AlertRow};
use super::pages::{internal, layout, page, Layout};
use super::Ctx;
use crate::alerts::{self, State as AlertState};
use crate::db::{self, now_s};
use crate::i18n::t;
use crate::App;
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form as UrlForm};
use bangtin_protocol::content::MsgType;
use rusqlite::params;
use serde::Deserialize;
use std::sync::Arc;

#[derive(Deserialize)]
pub struct ConfirmForm {
    /// The area typed out (an area with one officer).
    #[serde(default)]
    typed: String,
}

/// The target an alert row was sent to, as the CLI names it (for the typed confirmation).
fn target_of(row: &AlertRow) -> bangtin_staff::Target {
    match row.topic.split_once("/alert/board/") {
        Some((_, id)) => bangtin_staff::Target::Board(id.to_owned()),
        None => bangtin_staff::Target::Area(row.area.clone()),
    }
}

async fn refuse(app: &App, ctx: &Ctx, row: &AlertRow, why: &str) -> Response {
    log::info!("alert {}: {why}", row.id);
    alert_page(app, ctx, row, Some(why.to_owned()), StatusCode::CONFLICT).await
}

pub async fn confirm(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    UrlForm(f): UrlForm<ConfirmForm>,
) -> Response {
    let outcome = confirm_now(&app, &ctx, alert_id(&id), &f.typed);
    finish(&app, &ctx, outcome, true).await
}

/// What a step on an alert came to.
enum Outcome {
    Done(i64),
    Refused(Box<AlertRow>, &'static str),
    NotFound,
    Failed(String),
}

async fn finish(app: &App, ctx: &Ctx, outcome: Outcome, sent: bool) -> Response {
    match outcome {
        Outcome::Done(id) => {
            if sent {
                app.outbox.notify_one();
            }
            Redirect::to(&format!("/alerts/{id}")).into_response()
        }
        Outcome::Refused(row, why) => refuse(app, ctx, &row, t(ctx.lang, why)).await,
        Outcome::NotFound => super::not_found(),
        Outcome::Failed(e) => internal(&e),
    }
}

/// The confirmation, in one transaction with the signed alert in the outbox and its audit line.
fn confirm_now(app: &App, ctx: &Ctx, id: i64, typed: &str) -> Outcome {
    let user = ctx.user();
    let mut conn = app.db.lock();
    let Some(row) = load_alert(&conn, id) else {
        return Outcome::NotFound;
    };
    let Some(managed) = app.config.area_for(&row.area).cloned() else {
        return Outcome::Refused(
            Box::new(row),
            "Khu vực này không còn do bảng điều khiển quản lý.",
        );
    };
    let two_person = managed.alert_two_person;
    if let Err(why) = alerts::may_confirm(
        row.state,
        row.sender,
        user.id,
        row.confirm_by,
        now_s(),
        two_person,
    ) {
        if row.state == AlertState::Lapsed {
            let _ = conn.execute(
                "UPDATE alerts SET state = 'lapsed', updated_at = ?1
                 WHERE id = ?2 AND state IN ('awaiting', 'queued')",
                params![now_s(), row.id],
            );
        }
        return Outcome::Refused(Box::new(row), why);
    }
    if row.state == AlertState::Awaiting
        && !two_person
        && !bangtin_staff::alert::confirms(typed, &target_of(&row))
    {
        return Outcome::Refused(
            Box::new(row),
            "Hãy gõ đúng tên khu vực để xác nhận gửi cảnh báo thật.",
        );
    }
    let result = (|| -> Result<(), String> {
        let tx = conn.transaction().map_err(|e| e.to_string())?;
        let signed = send_in(&tx, &managed, row.id, &row.topic, &row.alert, row.corrects)?;
        tx.execute(
            "UPDATE alerts SET confirmer = ?1 WHERE id = ?2",
            params![(user.id > 0).then_some(user.id), row.id],
        )
        .map_err(|e| e.to_string())?;
        let step = (row.id, row.alert.id.as_str(), row.topic.as_str());
        audit_signed(&tx, ctx, "alert-confirm", step, &row.area, &signed)?;
        tx.commit().map_err(|e| e.to_string())
    })();
    match result {
        Ok(()) => Outcome::Done(row.id),
        Err(e) if e == NOT_IN_FORCE => Outcome::Refused(Box::new(row), NOT_IN_FORCE),
        Err(e) => Outcome::Failed(format!("alert {}: {e}", row.id)),
    }
}

/// Drops an alert that is still waiting: it is never sent.
pub async fn discard(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> Response {
    let outcome = discard_now(&app, &ctx, alert_id(&id));
    finish(&app, &ctx, outcome, false).await
}

fn discard_now(app: &App, ctx: &Ctx, id: i64) -> Outcome {
    let mut conn = app.db.lock();
    let Some(row) = load_alert(&conn, id) else {
        return Outcome::NotFound;
    };
    if !row.state.is_pending() {
        return Outcome::Refused(Box::new(row), "Cảnh báo này không còn chờ xác nhận.");
    }
    let result = (|| -> rusqlite::Result<()> {
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE alerts SET state = 'discarded', updated_at = ?1 WHERE id = ?2",
            params![now_s(), row.id],
        )?;
        let target = format!("alert {} ({})", row.id, row.alert.id);
        db::audit(
            &tx,
            &ctx.audit_entry("alert-discard", &target, Some(&row.area), None),
        )?;
        tx.commit()
    })();
    match result {
        Ok(()) => Outcome::Done(row.id),
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

/// Every alert id of the chain that ends in `row` (the alert and what it corrected): a cancel
/// names them all, so a board that missed a correction still ends the alert.
fn chain(conn: &rusqlite::Connection, row: &AlertRow) -> Vec<String> {
    let mut ids = vec![row.alert.id.clone()];
    let mut next = row.corrects;
    while let Some(id) = next.filter(|_| ids.len() < 50) {
        match load_alert(conn, id) {
            Some(r) => {
                ids.push(r.alert.id.clone());
                next = r.corrects;
            }
            None => break,
        }
    }
    ids
}

/// The ready cancel: one step, never a second officer.
pub async fn cancel(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> Response {
    let outcome = cancel_now(&app, &ctx, alert_id(&id));
    finish(&app, &ctx, outcome, true).await
}

fn cancel_now(app: &App, ctx: &Ctx, id: i64) -> Outcome {
    let mut conn = app.db.lock();
    let Some(row) = load_alert(&conn, id) else {
        return Outcome::NotFound;
    };
    let managed = app.config.area_for(&row.area).cloned();
    let (Some(managed), AlertState::Sent) = (managed, row.state) else {
        return Outcome::Refused(
            Box::new(row),
            "Chỉ hủy được cảnh báo đã gửi và chưa bị hủy.",
        );
    };
    let now = bangtin_staff::board_now();
    let mut cancel = alerts::cancel_of(&row.alert, &new_alert_id(now), now);
    cancel.references = chain(&conn, &row);
    let result = (|| -> Result<(), String> {
        let tx = conn.transaction().map_err(|e| e.to_string())?;
        let signed = sign(&tx, &managed, &row.topic, &cancel)?;
        tx.execute(
            "UPDATE alerts SET state = 'cancelled', updated_at = ?1 WHERE id = ?2",
            params![now_s(), row.id],
        )
        .map_err(|e| e.to_string())?;
        let step = (row.id, row.alert.id.as_str(), row.topic.as_str());
        audit_signed(&tx, ctx, "alert-cancel", step, &row.area, &signed)?;
        tx.commit().map_err(|e| e.to_string())
    })();
    match result {
        Ok(()) => Outcome::Done(row.id),
        Err(e) => Outcome::Failed(format!("cancel of alert {}: {e}", row.id)),
    }
}

/// The target form value of an alert row (its area, or `board/ID`).
fn target_value(row: &AlertRow) -> String {
    match row.topic.split_once("/alert/board/") {
        Some((_, id)) => format!("board/{id}"),
        None => row.area.clone(),
    }
}

/// The ready correction: the alert's own form, prefilled; its kind cannot change.
pub async fn correct_page(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> Response {
    let Some(row) = load_alert(&app.db.lock(), alert_id(&id)) else {
        return super::not_found();
    };
    if row.state != AlertState::Sent {
        return refuse(
            &app,
            &ctx,
            &row,
            t(ctx.lang, "Chỉ đính chính được cảnh báo đang có hiệu lực."),
        )
        .await;
    }
    let f = alerts::form_of(&row.alert, bangtin_staff::board_now());
    form_page(
        &app,
        &ctx,
        row.kind,
        target_value(&row),
        f,
        Filled {
            correcting: Some(row.id),
            ..Filled::default()
        },
        StatusCode::OK,
    )
    .await
}

/// The correction (an `update` naming the alert and what it corrected): sent at once, or, for
/// a live full-screen alert, after a second officer's confirmation like a new one. It is
/// refused if the alert was cancelled or corrected meanwhile.
pub async fn correct(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    mp: Multipart,
) -> Response {
    let Some(row) = load_alert(&app.db.lock(), alert_id(&id)) else {
        return super::not_found();
    };
    if row.state != AlertState::Sent {
        return refuse(
            &app,
            &ctx,
            &row,
            t(ctx.lang, "Chỉ đính chính được cảnh báo đang có hiệu lực."),
        )
        .await;
    }
    let target = target_value(&row);
    let Some((topic, area, managed)) = alert_target(&app, &ctx, &target) else {
        return super::not_found();
    };
    let (f, action, _) = match read_form(mp).await {
        Ok(x) => x,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("Biểu mẫu hỏng: {e}")).into_response(),
    };
    let now = bangtin_staff::board_now();
    let references = chain(&app.db.lock(), &row);
    let built = alerts::build(
        row.kind,
        &f,
        &new_alert_id(now),
        (MsgType::Update, &references),
        now,
        managed.alert_max_hours,
    );
    let alert = match built {
        Ok(a) => a,
        Err(errors) => {
            return form_page(
                &app,
                &ctx,
                row.kind,
                target,
                f,
                Filled {
                    correcting: Some(row.id),
                    errors,
                    ..Filled::default()
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    if action != "send" {
        return form_page(
            &app,
            &ctx,
            row.kind,
            target,
            f,
            Filled {
                correcting: Some(row.id),
                preview: Some(alert),
                ..Filled::default()
            },
            StatusCode::OK,
        )
        .await;
    }
    // The same rule as a new alert: a live full-screen correction is new text on every
    // screen, so it waits for a second officer too (the one who starts it takes one step).
    let confirm = alerts::confirmation(row.kind, alert.severity, managed.alert_two_person);
    let window = i64::from(managed.alert_confirm_minutes) * 60;
    match enter(
        &app,
        &ctx,
        Entry {
            kind: row.kind,
            topic: &topic,
            area: &area,
            managed: &managed,
            alert: &alert,
            corrects: Some(row.id),
            confirm,
            window_s: window,
            queued: false,
        },
    ) {
        Ok(new) => Redirect::to(&format!("/alerts/{new}")).into_response(),
        Err(e) if e == NOT_IN_FORCE => refuse(&app, &ctx, &row, t(ctx.lang, NOT_IN_FORCE)).await,
        Err(e) => internal(&format!("correction of alert {}: {e}", row.id)),
    }
}

// ---- Templates --------------------------------------------------------------------------------

pub struct TemplateRow {
    pub id: i64,
    pub name: String,
    pub severity: String,
    pub headline: String,
    pub instruction: String,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "alert_templates.html")]
struct TemplatesPage {
    l: Layout,
    rows: Vec<TemplateRow>,
    severities: [(&'static str, &'static str); 4],
    message: Option<String>,
}

fn templates_page(app: &App, ctx: &Ctx, message: Option<String>, status: StatusCode) -> Response {
    let rows = {
        let conn = app.db.lock();
        let Ok(mut st) = conn.prepare_cached(
            "SELECT id, name, severity, headline, instruction, updated_by, updated_at
             FROM alert_templates ORDER BY id",
        ) else {
            return internal("templates query");
        };
        st.query_map([], |r| {
            let by: Option<String> = r.get(5)?;
            let at: i64 = r.get(6)?;
            Ok(TemplateRow {
                id: r.get(0)?,
                name: r.get(1)?,
                severity: r.get(2)?,
                headline: r.get(3)?,
                instruction: r.get(4)?,
                updated: by
                    .map(|b| format!("{b}, {}", super::pages::local(at)))
                    .unwrap_or_default(),
            })
        })
        .map(|rows| rows.filter_map(Result::ok).collect::<Vec<_>>())
        .unwrap_or_default()
    };
    page(
        &TemplatesPage {
            l: layout(app, ctx, "Mẫu cảnh báo"),
            rows,
            severities: alerts::SEVERITIES,
            message,
        },
        status,
    )
}

pub async fn templates(State(app): State<Arc<App>>, Extension(ctx): Extension<Ctx>) -> Response {
    templates_page(&app, &ctx, None, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct TemplateForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    headline: String,
    #[serde(default)]
    instruction: String,
}

pub async fn save_template(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    UrlForm(f): UrlForm<TemplateForm>,
) -> Response {
    let (name, headline, instruction) = (f.name.trim(), f.headline.trim(), f.instruction.trim());
    let ok = !name.is_empty()
        && name.chars().count() <= 60
        && !headline.is_empty()
        && headline.chars().count() <= 200
        && instruction.chars().count() <= 2000
        && alerts::SEVERITIES.iter().any(|s| s.0 == f.severity);
    if !ok {
        let why = t(
            ctx.lang,
            "Mẫu chưa lưu: cần tên (tối đa 60 ký tự), tiêu đề (tối đa 200) và mức độ.",
        );
        return templates_page(
            &app,
            &ctx,
            Some(why.into()),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let id = alert_id(&id);
    let mut conn = app.db.lock();
    let result =
        (|| -> rusqlite::Result<usize> {
            let tx = conn.transaction()?;
            let n = tx.execute(
            "UPDATE alert_templates SET name = ?1, severity = ?2, headline = ?3, instruction = ?4,
                    updated_by = ?5, updated_at = ?6 WHERE id = ?7",
            params![name, f.severity, headline, instruction, ctx.user().username, now_s(), id],
        )?;
            db::audit(
                &tx,
                &ctx.audit_entry("alert-template", &format!("template {id}"), None, None),
            )?;
            tx.commit()?;
            Ok(n)
        })();
    drop(conn);
    match result {
        Ok(0) => super::not_found(),
        Ok(_) => Redirect::to("/alert-templates").into_response(),
        Err(e) => internal(&e.to_string()),
    }
}
