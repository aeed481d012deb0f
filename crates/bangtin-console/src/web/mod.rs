//! The HTTP side: every request passes [`guard`] first (the route table, the session, the one
//! authorization check, CSRF), then its handler; every response gets the security headers.
//! Pages are compiled templates (askama: everything escaped unless a template says otherwise,
//! and none does); the only script is a static file.

mod alert_form;
mod alert_steps;
mod alerts;
mod api;
mod board;
mod items;
mod live;
mod pages;
mod reports;
mod steps;
mod tokens;
pub mod video;

use crate::i18n::Lang;
use crate::policy::{self, Decision, Scope};
use crate::{auth, db, App};
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, FromRequest, Multipart, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;

/// The session cookie. `__Host-`: only from this host, over a secure origin, path `/`.
pub const COOKIE: &str = "__Host-bangtin";
/// The largest request body: a picture upload and its form.
pub const BODY_LIMIT: usize = 24 * 1024 * 1024;

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// What the guard found out about a request, for its handler.
#[derive(Clone)]
pub struct Ctx {
    pub user: Option<auth::User>,
    /// The user's language; Vietnamese before logging in.
    pub lang: Lang,
    pub address: String,
    /// The area of the resource the route names (item, board, `area` parameter).
    pub area: Option<String>,
}

impl Ctx {
    /// An audit line for what this user does now, from where they are.
    pub fn audit_entry<'a>(
        &'a self,
        action: &'a str,
        target: &'a str,
        area: Option<&'a str>,
        sha256: Option<&'a str>,
    ) -> db::AuditEntry<'a> {
        db::AuditEntry {
            user: self.user.as_ref().map_or("", |u| u.username.as_str()),
            address: &self.address,
            action,
            target,
            area,
            sha256,
        }
    }

    /// Appends an audit line on its own (not in a transaction with a change): a failure is
    /// logged; what it records has happened.
    pub fn audit(&self, app: &App, action: &str, target: &str, area: Option<&str>) {
        let entry = self.audit_entry(action, target, area, None);
        if let Err(e) = db::audit(&app.db.lock(), &entry) {
            log::error!("the audit log refused {action} {target}: {e}");
        }
    }

    /// The logged-in user (the guard lets no request without one reach a handler that needs it).
    pub fn user(&self) -> &auth::User {
        self.user
            .as_ref()
            .expect("the guard admits only logged-in users here")
    }
}

/// The console's router.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/login", get(pages::login_page).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/account/lang", post(pages::set_lang))
        .route("/healthz", get(|| async { "ok" }))
        .route("/static/{file}", get(pages::static_file))
        .route("/", get(pages::home))
        .route("/items/new", get(pages::new_item))
        .route("/items", post(pages::create_item))
        .route("/items/{id}", get(pages::item))
        .route("/items/{id}/preview.png", get(pages::preview))
        .route("/items/{id}/events", get(pages::item_events))
        .route(
            "/items/{id}/edit",
            get(pages::edit_item).post(pages::update_item),
        )
        .route("/items/{id}/submit", post(pages::submit))
        .route("/items/{id}/approve", post(pages::approve))
        .route("/items/{id}/reject", post(pages::reject))
        .route("/items/{id}/withdraw", post(pages::withdraw))
        .route("/boards", get(pages::boards))
        .route("/boards/bulk", get(pages::bulk_page).post(pages::bulk))
        .route("/boards/{id}", get(pages::board))
        .route("/boards/{id}/command", post(pages::board_command))
        .route("/reports", get(reports::reports))
        .route("/report", get(reports::report))
        .route("/report.csv", get(reports::report_csv))
        .route("/report.svg", get(reports::report_svg))
        .route("/alerts", get(alerts::list))
        .route(
            "/alerts/drill",
            get(alert_form::drill_page).post(alert_form::create_drill),
        )
        .route(
            "/alerts/live",
            get(alert_form::live_page).post(alert_form::create_live),
        )
        .route("/alerts/{id}", get(alerts::alert))
        .route("/alerts/{id}/preview.png", get(alerts::alert_preview))
        .route("/alerts/{id}/events", get(alerts::alert_events))
        .route("/alerts/{id}/confirm", post(alert_steps::confirm))
        .route("/alerts/{id}/discard", post(alert_steps::discard))
        .route("/alerts/{id}/cancel", post(alert_steps::cancel))
        .route(
            "/alerts/{id}/correct",
            get(alert_steps::correct_page).post(alert_steps::correct),
        )
        .route("/alert-templates", get(alert_steps::templates))
        .route("/alert-templates/{id}", post(alert_steps::save_template))
        .route("/tokens", get(tokens::list).post(tokens::create))
        .route("/tokens/{id}/revoke", post(tokens::revoke))
        .route("/api/v1/openapi.json", get(api::openapi))
        .route("/api/v1/items", get(api::list_items).post(api::submit))
        .route("/api/v1/items/{id}", get(api::get_item))
        .route("/api/v1/items/{id}/withdraw", post(api::withdraw))
        .route("/api/v1/boards", get(api::boards))
        .route("/api/v1/plays", get(api::plays))
        .route("/api/v1/cap", post(api::cap))
        .route("/api/v1/alerts/{id}", get(api::get_alert))
        .route("/audit", get(pages::audit))
        .route("/audit.csv", get(pages::audit_csv))
        .fallback(|| async { not_found() })
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        .layer(middleware::from_fn(headers))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(app)
}

/// The security headers on every response.
async fn headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let cache_set = h.contains_key(header::CACHE_CONTROL);
    let mut set = |k: &'static str, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    set("content-security-policy", CSP);
    set("x-content-type-options", "nosniff");
    // Not `no-referrer`: with it a browser sends `Origin: null` on its own forms.
    set("referrer-policy", "same-origin");
    set("x-frame-options", "DENY");
    set("cross-origin-opener-policy", "same-origin");
    set("cross-origin-resource-policy", "same-origin");
    set(
        "permissions-policy",
        "camera=(), microphone=(), geolocation=()",
    );
    if !cache_set {
        set("cache-control", "no-store");
    }
    res
}

/// The page every refusal shows: the same for "does not exist" and "not yours".
pub fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html("<!doctype html><meta charset=utf-8><meta name=viewport content=\"width=device-width, initial-scale=1\"><title>404</title><link rel=stylesheet href=/static/app.css><main><h1>Không tìm thấy · Not found</h1><p>Trang này không có, hoặc không thuộc khu vực của bạn.</p><p lang=en>This page does not exist, or is not in your areas.</p><p><a href=/>Về trang chính · Home</a></p></main>"),
    )
        .into_response()
}

fn forbidden(why: &str) -> Response {
    log::warn!("refused: {why}");
    (
        StatusCode::FORBIDDEN,
        "Yêu cầu bị từ chối (CSRF): hãy tải lại trang rồi thử lại. / Refused (CSRF): reload the page and try again.",
    )
        .into_response()
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn client_address(app: &App, req: &Request) -> String {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default();
    if app.config.behind_proxy {
        // The proxy appends the address it saw last.
        if let Some(ip) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(str::trim)
            .filter(|ip| ip.parse::<std::net::IpAddr>().is_ok())
        {
            return ip.to_owned();
        }
    }
    peer
}

/// The area a board says it is in.
pub fn board_area(app: &App, id: &str) -> Option<String> {
    app.board_area(id)
}

fn query_param(req: &Request, name: &str) -> Option<String> {
    form_urlencoded::parse(req.uri().query()?.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Every request passes [`gate`]. A post refused there is answered before its body is read,
/// so the connection is closed after the answer: a client never sends its next request on a
/// connection whose unread body the server is about to drop.
async fn guard(state: State<Arc<App>>, req: Request, next: Next) -> Response {
    let posted = req.method() == Method::POST;
    let mut res = gate(state, req, next).await;
    if posted && res.status().is_client_error() {
        res.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    res
}

/// The one gate: the route must be in the table, the user must hold its role where its
/// resource lives, and a state change must come from this console's own pages.
async fn gate(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let Some((rule, id)) = policy::find(req.method().as_str(), req.uri().path()) else {
        return not_found();
    };
    if req.uri().path().starts_with("/api/") {
        return api_gate(app, rule, id, req, next).await;
    }
    let user =
        cookie(req.headers(), COOKIE).and_then(|token| auth::session_user(&app.db.lock(), &token));
    let area = resource_area(&app, rule, id, &req);
    match policy::decide(
        rule,
        user.as_ref().map(|u| u.grants.as_slice()),
        area.as_deref(),
    ) {
        Decision::Allow => {}
        Decision::Login if req.method() == Method::GET => {
            return Redirect::to("/login").into_response()
        }
        Decision::Login => return (StatusCode::UNAUTHORIZED, "Hãy đăng nhập lại.").into_response(),
        Decision::NotFound => {
            log::info!(
                "{} {} refused to {}",
                req.method(),
                req.uri().path(),
                user.as_ref().map_or("nobody", |u| u.username.as_str())
            );
            return not_found();
        }
    }
    let address = client_address(&app, &req);
    let req = if req.method() == Method::POST {
        match check_csrf(req, user.as_ref()).await {
            Ok(req) => req,
            Err(res) => return res,
        }
    } else {
        req
    };
    // Vietnamese first: the login page is Vietnamese, English is a user's own choice.
    let lang = user.as_ref().map_or(Lang::Vi, |u| Lang::parse(&u.lang));
    let mut req = req;
    req.extensions_mut().insert(Ctx {
        lang,
        user,
        address,
        area,
    });
    next.run(req).await
}

/// Where the resource a route names lives (item, alert, board, token, `area` parameter).
fn resource_area(
    app: &App,
    rule: &policy::Rule,
    id: Option<String>,
    req: &Request,
) -> Option<String> {
    match rule.scope {
        Scope::Item => id
            .and_then(|id| id.parse::<i64>().ok())
            .and_then(|id| db::item_area(&app.db.lock(), id)),
        Scope::Board => id.and_then(|id| board_area(app, &id)),
        Scope::Alert => id
            .and_then(|id| id.parse::<i64>().ok())
            .and_then(|id| db::alert_area(&app.db.lock(), id)),
        Scope::Token => id
            .and_then(|id| id.parse::<i64>().ok())
            .and_then(|id| db::token_area(&app.db.lock(), id)),
        // An area, or `board/ID`: one board, where the board is.
        Scope::AreaParam => {
            query_param(req, "area").and_then(|a| match a.strip_prefix("board/") {
                Some(id) => board_area(app, id),
                // Only a well-formed area (slugs): `#`, `+` or `%` never reach a topic or a link.
                None => bangtin_protocol::ids::parse_area(&a).map(|_| a),
            })
        }
        _ => None,
    }
}

/// The gate of the API: the same route table and the same check as the pages, with the
/// token's one grant for the user's grants. A token comes only in `Authorization: Bearer`
/// (never a cookie, so no page of another site can use it, and no CSRF check is needed);
/// every use is audited and counted against the token's budget.
async fn api_gate(
    app: Arc<App>,
    rule: &'static policy::Rule,
    id: Option<String>,
    req: Request,
    next: Next,
) -> Response {
    if rule.scope == Scope::Public {
        return next.run(req).await;
    }
    let secret = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or("");
    let Some(holder) = crate::tokens::holder(&app.db.lock(), secret) else {
        log::info!("API {} {}: no valid token", req.method(), req.uri().path());
        let mut res = api::error(
            StatusCode::UNAUTHORIZED,
            "a valid API token is needed (Authorization: Bearer ...)",
        );
        res.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return res;
    };
    if let Err(wait) = app.api_calls.take(holder.id, db::now_s()) {
        log::warn!(
            "API token {} over {} requests a minute",
            holder.name,
            crate::tokens::PER_MINUTE
        );
        let mut res = api::error(
            StatusCode::TOO_MANY_REQUESTS,
            "too many requests: wait and try again",
        );
        if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return res;
    }
    let user = holder.user();
    let area = resource_area(&app, rule, id, &req);
    let address = client_address(&app, &req);
    let allowed = policy::decide(rule, Some(&user.grants), area.as_deref()) == Decision::Allow;
    let target = format!(
        "{} {}{}",
        req.method(),
        req.uri().path(),
        req.uri()
            .query()
            .map(|q| format!("?{q}"))
            .unwrap_or_default()
    );
    let ctx = Ctx {
        lang: Lang::En,
        user: Some(user),
        address,
        area,
    };
    let action = if allowed { "api" } else { "api-refused" };
    ctx.audit(&app, action, &target, ctx.area.as_deref());
    if !allowed {
        return api::error(
            StatusCode::NOT_FOUND,
            "not found, or not in this token's area and rights",
        );
    }
    let mut req = req;
    req.extensions_mut().insert(ctx);
    req.extensions_mut().insert(holder);
    next.run(req).await
}

/// A state change is accepted only from this console's own pages: the browser's Fetch
/// Metadata (or Origin) must say same-origin, and the form must carry the session's token.
async fn check_csrf(req: Request, user: Option<&auth::User>) -> Result<Request, Response> {
    let h = req.headers();
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if site != "same-origin" && site != "none" {
            return Err(forbidden(&format!("a form posted from a {site} page")));
        }
    }
    if let (Some(origin), Some(host)) = (
        h.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        h.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
        if origin_host != host {
            return Err(forbidden(&format!("a form posted from {origin} to {host}")));
        }
    }
    // Before logging in there is no session to hold a token; Fetch Metadata and Origin above
    // are the defence of the login form.
    let Some(user) = user else {
        return Ok(req);
    };
    let content_type = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let (parts, body) = req.into_parts();
    let bytes: Bytes = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .map_err(|_| (StatusCode::PAYLOAD_TOO_LARGE, "Tệp quá lớn.").into_response())?;
    let token = if content_type.starts_with("application/x-www-form-urlencoded") {
        form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.into_owned())
    } else if content_type.starts_with("multipart/form-data") {
        let copy = Request::from_parts(parts.clone(), Body::from(bytes.clone()));
        let mut token = None;
        if let Ok(mut form) = Multipart::from_request(copy, &()).await {
            while let Ok(Some(field)) = form.next_field().await {
                if field.name() == Some("csrf") {
                    token = field.text().await.ok();
                    break;
                }
            }
        }
        token
    } else {
        return Err((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Only forms are accepted.",
        )
            .into_response());
    };
    if token.as_deref() != Some(user.csrf.as_str()) {
        return Err(forbidden("a form without this session's token"));
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}
