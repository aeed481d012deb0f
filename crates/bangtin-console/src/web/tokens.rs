//! API tokens, for admins: made for one area and right, the secret shown once on the page that
//! made it; listed with their last use; revoked in one step.

use super::pages::{layout, local, page, Layout};
use super::Ctx;
use crate::db;
use crate::i18n::t;
use crate::policy::{self, Role};
use crate::tokens;
use crate::App;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::Deserialize;
use std::sync::Arc;

pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub area: String,
    pub role: String,
    pub cap_send: bool,
    pub created: String,
    pub used: String,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    l: Layout,
    rows: Vec<TokenRow>,
    areas: Vec<String>,
    /// The area a new token is made for.
    area: String,
    /// A token just made: its name and secret, shown this once.
    made: Option<(String, String)>,
    message: Option<String>,
}

fn tokens_page(
    app: &App,
    ctx: &Ctx,
    area: &str,
    made: Option<(String, String)>,
    message: Option<String>,
    status: StatusCode,
) -> Response {
    let grants = &ctx.user().grants;
    let rows = tokens::list(&app.db.lock())
        .into_iter()
        .filter(|r| policy::role_on(grants, &r.area) >= Some(Role::Admin))
        .map(|r| TokenRow {
            id: r.id,
            name: r.name,
            area: r.area,
            role: r.role,
            cap_send: r.cap_send,
            created: format!("{}, {}", r.created_by, local(r.created_at)),
            used: r.used_at.map(local).unwrap_or_default(),
            revoked: r.revoked,
        })
        .collect();
    let mut areas: Vec<String> = grants
        .iter()
        .filter(|g| g.role >= Role::Admin)
        .map(|g| g.area.clone())
        .collect();
    areas.sort();
    areas.dedup();
    let area = if policy::role_on(grants, area) >= Some(Role::Admin) {
        area.to_owned()
    } else if areas.len() == 1 {
        areas[0].clone()
    } else {
        String::new()
    };
    page(
        &TokensPage {
            l: layout(app, ctx, "Khóa API"),
            rows,
            areas,
            area,
            made,
            message,
        },
        status,
    )
}

pub async fn list(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<AreaQuery>,
) -> Response {
    tokens_page(&app, &ctx, &q.area, None, None, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct AreaQuery {
    #[serde(default)]
    area: String,
}

#[derive(Deserialize)]
pub struct NewToken {
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    cap_send: Option<String>,
}

pub async fn create(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<AreaQuery>,
    Form(f): Form<NewToken>,
) -> Response {
    let role = Role::parse(&f.role).filter(|r| *r < Role::Admin);
    let Some(role) = role else {
        let why = t(ctx.lang, "Hãy chọn quyền của khóa.");
        return tokens_page(
            &app,
            &ctx,
            &q.area,
            None,
            Some(why.into()),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let user = &ctx.user().username;
    let cap_send = f.cap_send.is_some();
    let result = {
        let mut conn = app.db.lock();
        (|| -> Result<(i64, String), String> {
            let tx = conn.transaction().map_err(|e| e.to_string())?;
            let made = tokens::create(&tx, &f.name, &q.area, role, cap_send, user)?;
            let target = format!(
                "token {} ({}, {role}, cap_send {cap_send})",
                made.0,
                f.name.trim()
            );
            db::audit(
                &tx,
                &ctx.audit_entry("token-create", &target, Some(&q.area), None),
            )
            .map_err(|e| e.to_string())?;
            tx.commit().map_err(|e| e.to_string())?;
            Ok(made)
        })()
    };
    match result {
        Ok((_, secret)) => tokens_page(
            &app,
            &ctx,
            &q.area,
            Some((f.name.trim().to_owned(), secret)),
            None,
            StatusCode::OK,
        ),
        Err(e) => tokens_page(
            &app,
            &ctx,
            &q.area,
            None,
            Some(e),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    }
}

pub async fn revoke(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> Response {
    let id: i64 = id.parse().unwrap_or(-1);
    let revoked = tokens::revoke(&app.db.lock(), id);
    if revoked {
        ctx.audit(
            &app,
            "token-revoke",
            &format!("token {id}"),
            ctx.area.as_deref(),
        );
        Redirect::to("/tokens").into_response()
    } else {
        (
            StatusCode::CONFLICT,
            "Khóa này đã bị thu hồi. / This token is revoked already.",
        )
            .into_response()
    }
}
