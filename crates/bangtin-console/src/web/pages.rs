//! The pages other than an item's: login, the list of items, boards, the audit log, static
//! files. Every handler runs after the guard: the user holds the route's role where it applies.

use super::{not_found, Ctx, COOKIE};
use crate::auth::{self, LoginError};
use crate::i18n::Lang;
use crate::items::Status;
use crate::policy::{self, Grant, Role};
use crate::App;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use bangtin_protocol::content::{Item, ItemKind};
use bangtin_staff::fleet::{self, Row, State as BoardState};
use serde::Deserialize;
use std::sync::atomic::Ordering;
use std::sync::Arc;

pub use super::board::*;
pub use super::items::*;
pub use super::live::*;
pub use super::steps::*;

/// A note about an uploaded picture, in the user's language.
pub fn warning_text(w: &bangtin_staff::source::Warning, lang: Lang) -> String {
    w.text(lang.staff())
}

/// What every page's frame shows.
pub struct Layout {
    pub lang: Lang,
    pub title: String,
    pub user: Option<String>,
    pub csrf: String,
    pub admin: bool,
    pub broker_up: bool,
    pub totp_required: bool,
}

impl Layout {
    /// A phrase of the page in the user's language.
    pub fn t(&self, vi: &'static str) -> &'static str {
        crate::i18n::t(self.lang, vi)
    }
}

pub fn layout(app: &App, ctx: &Ctx, title: &str) -> Layout {
    Layout {
        lang: ctx.lang,
        title: crate::i18n::any(ctx.lang, title),
        user: ctx.user.as_ref().map(|u| u.username.clone()),
        csrf: ctx
            .user
            .as_ref()
            .map(|u| u.csrf.clone())
            .unwrap_or_default(),
        admin: ctx
            .user
            .as_ref()
            .is_some_and(|u| policy::has_any(&u.grants, Role::Admin)),
        broker_up: app.broker_up.load(Ordering::Relaxed),
        totp_required: app.config.security.require_totp,
    }
}

/// A template rendered into a page (a template error is a bug, said as a 500 and logged).
pub fn page(t: &impl Template, status: StatusCode) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            log::error!("template: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Day and time as officers read them: dd/mm/yyyy HH:MM, Vietnam time.
pub fn local(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|t| {
            t.with_timezone(&bangtin_vi::calendar::VIETNAM)
                .format("%d/%m/%Y %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// An RFC 3339 stamp (from a board) as officers read it.
pub fn local_rfc3339(s: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| local(t.timestamp()))
        .unwrap_or_else(|_| s.to_owned())
}

/// SQL that keeps rows whose `area` column is inside one of `grants` (parameters only), and its
/// parameters.
pub fn area_filter(grants: &[Grant], min: Role) -> (String, Vec<String>) {
    let mut sql = Vec::new();
    let mut args = Vec::new();
    for g in grants.iter().filter(|g| g.role >= min) {
        let n = args.len();
        sql.push(format!(
            "(area = ?{} OR area LIKE ?{} ESCAPE '\\')",
            n + 1,
            n + 2
        ));
        args.push(g.area.clone());
        let escaped = g
            .area
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        args.push(format!("{escaped}/%"));
    }
    if sql.is_empty() {
        ("0".into(), args)
    } else {
        (sql.join(" OR "), args)
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    l: Layout,
    error: Option<String>,
    username: String,
}

pub async fn login_page(State(app): State<Arc<App>>, Extension(ctx): Extension<Ctx>) -> Response {
    if ctx.user.is_some() {
        return Redirect::to("/").into_response();
    }
    page(
        &LoginPage {
            l: layout(&app, &ctx, "Đăng nhập"),
            error: None,
            username: String::new(),
        },
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    code: String,
}

pub async fn login(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Form(f): Form<LoginForm>,
) -> Response {
    // Argon2 on a blocking thread: the two request threads go on serving pages meanwhile.
    let (db, address, totp) = (
        app.db.clone(),
        ctx.address.clone(),
        app.config.security.require_totp,
    );
    let (username, password, code) = (f.username.trim().to_owned(), f.password, f.code);
    let Ok(_permit) = app.logins.acquire().await else {
        return internal("the login queue is closed");
    };
    let result = tokio::task::spawn_blocking(move || {
        auth::login(&db, &username, &password, &code, &address, totp)
    })
    .await
    .unwrap_or(Err(LoginError::Wrong));
    match result {
        Ok(token) => {
            // A new session at every login: a token planted before cannot be carried over.
            let cookie = format!("{COOKIE}={token}; Path=/; Secure; HttpOnly; SameSite=Strict");
            ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
        }
        Err(e) => {
            let (status, error) = match e {
                LoginError::Wrong => (
                    StatusCode::UNAUTHORIZED,
                    crate::i18n::t(ctx.lang, "Sai tên đăng nhập, mật khẩu hoặc mã xác thực."),
                ),
                LoginError::Locked => (
                    StatusCode::TOO_MANY_REQUESTS,
                    crate::i18n::t(
                        ctx.lang,
                        "Đăng nhập sai quá nhiều lần: hãy đợi 15 phút rồi thử lại.",
                    ),
                ),
            };
            page(
                &LoginPage {
                    l: layout(&app, &ctx, "Đăng nhập"),
                    error: Some(error.into()),
                    username: f.username.chars().take(64).collect(),
                },
                status,
            )
        }
    }
}

#[derive(Deserialize)]
pub struct LangForm {
    lang: String,
}

/// The user's language, kept with their account.
pub async fn set_lang(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Form(f): Form<LangForm>,
) -> Response {
    let lang = Lang::parse(&f.lang);
    let _ = app.db.lock().execute(
        "UPDATE users SET lang = ?1 WHERE id = ?2",
        rusqlite::params![lang.code(), ctx.user().id],
    );
    Redirect::to("/").into_response()
}

pub async fn logout(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if let Some(token) = super::cookie(&headers, COOKIE) {
        auth::logout(&app.db.lock(), &token);
    }
    let clear = format!("{COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
    ([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response()
}

pub async fn static_file(Path(file): Path<String>) -> Response {
    let (body, kind): (&'static str, &str) = match file.as_str() {
        "app.css" => (
            include_str!("../../static/app.css"),
            "text/css; charset=utf-8",
        ),
        "app.js" => (
            include_str!("../../static/app.js"),
            "text/javascript; charset=utf-8",
        ),
        _ => return not_found(),
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// One line of the list of items.
pub struct ItemRow {
    pub id: i64,
    pub title: String,
    pub area: String,
    pub status: &'static str,
    pub status_vi: &'static str,
    pub updated: String,
    pub author: Option<String>,
}

/// The words an item goes by in lists.
pub fn item_title(item: &Item) -> String {
    let t = match &item.kind {
        ItemKind::Announcement { title, body, .. } => {
            title.clone().or_else(|| body.clone()).unwrap_or_default()
        }
        ItemKind::Image { caption, .. } => caption.clone().unwrap_or_else(|| "(ảnh)".into()),
        ItemKind::Ticker { text } => text.clone(),
        ItemKind::Video { caption, .. } => caption.clone().unwrap_or_else(|| "(video)".into()),
    };
    let mut short: String = t.chars().take(80).collect();
    if t.chars().count() > 80 {
        short.push('…');
    }
    if short.trim().is_empty() {
        item.id.clone()
    } else {
        short
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    rows: Vec<ItemRow>,
    can_edit: bool,
}

pub async fn home(State(app): State<Arc<App>>, Extension(ctx): Extension<Ctx>) -> Response {
    let user = ctx.user();
    let (filter, args) = area_filter(&user.grants, Role::Viewer);
    // Waiting for approval first, then the newest: two walks of an index, each stopping at
    // its limit (10,000 items of history are never sorted whole).
    let mut rows = Vec::new();
    for (status, limit) in [("= 'submitted'", 100), ("<> 'submitted'", 100)] {
        let sql = format!(
            "SELECT i.id, i.area, i.status, i.draft, i.updated_at, u.username FROM items i
             LEFT JOIN users u ON u.id = i.author WHERE i.status {status} AND ({filter})
             ORDER BY i.updated_at DESC, i.id DESC LIMIT {limit}"
        );
        match home_rows(&app, &sql, &args) {
            Ok(mut r) => rows.append(&mut r),
            Err(e) => return internal(&e),
        }
    }
    page(
        &HomePage {
            l: layout(&app, &ctx, "Tin"),
            rows,
            can_edit: policy::has_any(&user.grants, Role::Editor),
        },
        StatusCode::OK,
    )
}

fn home_rows(app: &App, sql: &str, args: &[String]) -> Result<Vec<ItemRow>, String> {
    let conn = app.db.lock();
    let mut st = conn.prepare_cached(sql).map_err(|e| e.to_string())?;
    let rows = st
        .query_map(rusqlite::params_from_iter(args.iter()), |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        })
        .map_err(|e| e.to_string())?;
    Ok(rows
        .filter_map(Result::ok)
        .map(|(id, area, status, draft, updated, author)| {
            let status = Status::parse(&status).unwrap_or(Status::Draft);
            ItemRow {
                id,
                title: serde_json::from_str::<Item>(&draft)
                    .map(|i| item_title(&i))
                    .unwrap_or_default(),
                area,
                status: status.code(),
                status_vi: status.vi(),
                updated: local(updated),
                author,
            }
        })
        .collect())
}

pub fn internal(e: &str) -> Response {
    log::error!("{e}");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "Lỗi máy chủ; việc chưa được thực hiện. Hãy thử lại.",
    )
        .into_response()
}

/// A board as the pages show it.
pub struct BoardRow {
    pub board: String,
    pub name: String,
    pub area: String,
    pub state: &'static str,
    pub state_vi: &'static str,
    pub seen: String,
    pub showing: String,
    pub error: String,
}

impl BoardRow {
    pub fn of(r: &Row) -> BoardRow {
        BoardRow {
            board: r.board.clone(),
            name: r.name.clone().unwrap_or_else(|| r.board.clone()),
            area: r.area.clone().unwrap_or_default(),
            state: r.state.code(),
            state_vi: match r.state {
                BoardState::Online => "Trực tuyến",
                BoardState::Offline => "Mất kết nối",
                BoardState::Stale => "Không báo cáo",
            },
            seen: r.at.map(|t| local(t.timestamp())).unwrap_or_default(),
            showing: r
                .alert
                .as_ref()
                .map(|a| format!("Cảnh báo: {a}"))
                .or_else(|| r.showing.clone())
                .unwrap_or_default(),
            error: r.last_error.clone().unwrap_or_default(),
        }
    }
}

/// The boards the user may see, as fleet rows.
pub fn visible_rows(app: &App, grants: &[Grant]) -> Vec<Row> {
    let statuses: Vec<_> = app
        .boards
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .values()
        .filter(|s| {
            s.area
                .as_deref()
                .is_some_and(|a| policy::role_on(grants, a).is_some())
        })
        .cloned()
        .collect();
    fleet::rows(&statuses, bangtin_staff::board_now(), None)
}

/// The item a board says it shows (by its protocol id), looked up only on the topics that
/// board receives (its areas from the country down, and its own): ids are unique per topic.
pub fn shown_item(app: &App, board: &str, area: Option<&str>, item_id: &str) -> Option<Item> {
    let prefix = app.config.broker.prefix.as_str();
    let mut topics = vec![bangtin_staff::Target::Board(board.to_owned()).content_topic(prefix)];
    if let Some(area) = area {
        let segs: Vec<&str> = area.split('/').collect();
        for n in 1..=segs.len() {
            topics.push(bangtin_staff::Target::Area(segs[..n].join("/")).content_topic(prefix));
        }
    }
    let marks = vec!["?"; topics.len()].join(", ");
    let sql = format!(
        "SELECT live FROM items WHERE item_id = ? AND live IS NOT NULL AND topic IN ({marks})"
    );
    let mut args = vec![item_id.to_owned()];
    args.extend(topics);
    let live: String = app
        .db
        .lock()
        .query_row(&sql, rusqlite::params_from_iter(args.iter()), |r| r.get(0))
        .ok()?;
    serde_json::from_str::<Item>(&live).ok()
}

/// Boards on one page of the list (a light page on a phone over 3G).
pub const BOARDS_PER_PAGE: usize = 50;

#[derive(Template)]
#[template(path = "boards.html")]
struct BoardsPage {
    l: Layout,
    rows: Vec<BoardRow>,
    online: usize,
    offline: usize,
    stale: usize,
    /// The area the list is narrowed to ("" for all).
    area: String,
    /// Areas to narrow to, with their number of boards.
    areas: Vec<(String, usize)>,
    page: usize,
    pages: usize,
    /// The user may send a command to every board of the chosen area.
    can_bulk: bool,
}

#[derive(Deserialize)]
pub struct BoardsQuery {
    #[serde(default)]
    area: String,
    #[serde(default)]
    page: usize,
}

pub async fn boards(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<BoardsQuery>,
) -> Response {
    let all = visible_rows(&app, &ctx.user().grants);
    let mut areas: std::collections::BTreeMap<String, usize> = Default::default();
    for r in &all {
        *areas.entry(r.area.clone().unwrap_or_default()).or_default() += 1;
    }
    let mut rows: Vec<Row> = all
        .into_iter()
        .filter(|r| {
            q.area.is_empty()
                || r.area
                    .as_deref()
                    .is_some_and(|a| fleet::area_covers(&q.area, a))
        })
        .collect();
    let count = |s| rows.iter().filter(|r| r.state == s).count();
    let (online, offline, stale) = (
        count(BoardState::Online),
        count(BoardState::Offline),
        count(BoardState::Stale),
    );
    // What needs someone's attention first: offline, silent, or reporting an error.
    rows.sort_by_key(|r| {
        (
            r.state == BoardState::Online && r.last_error.is_none(),
            r.area.clone(),
            r.board.clone(),
        )
    });
    let pages = rows.len().div_ceil(BOARDS_PER_PAGE).max(1);
    let page_no = q.page.clamp(1, pages);
    let mut shown: Vec<Row> = rows
        .into_iter()
        .skip((page_no - 1) * BOARDS_PER_PAGE)
        .take(BOARDS_PER_PAGE)
        .collect();
    for r in &mut shown {
        let item = r
            .showing
            .as_deref()
            .and_then(|id| shown_item(&app, &r.board, r.area.as_deref(), id));
        if let Some(title) = item.as_ref().map(item_title) {
            r.showing = Some(title);
        }
    }
    page(
        &BoardsPage {
            l: layout(&app, &ctx, "Bảng tin"),
            online,
            offline,
            stale,
            rows: shown.iter().map(BoardRow::of).collect(),
            can_bulk: !q.area.is_empty()
                && policy::role_on(&ctx.user().grants, &q.area) >= Some(Role::Editor),
            area: q.area,
            areas: areas.into_iter().collect(),
            page: page_no,
            pages,
        },
        StatusCode::OK,
    )
}

/// The words an officer reads for an audit action (the CSV keeps the codes).
fn action_vi(code: &str) -> String {
    let word = match code {
        "login" => "Đăng nhập",
        "create" => "Soạn tin",
        "edit" => "Sửa tin",
        "submit" => "Gửi duyệt",
        "approve" => "Duyệt và đăng",
        "publish" => "Đăng (không cần duyệt)",
        "reject" => "Từ chối",
        "withdraw" => "Gỡ khỏi bảng",
        "import" => "Nhập kênh có sẵn",
        "audit-export" => "Tải nhật ký",
        c if c.starts_with("command ") => return format!("Lệnh tới bảng: {}", &c[8..]),
        c => c,
    };
    word.to_owned()
}

pub struct AuditRow {
    pub at: String,
    pub user: String,
    pub address: String,
    pub action: String,
    pub target: String,
    pub sha256: Option<String>,
}

fn audit_rows(app: &App, ctx: &Ctx, limit: i64) -> Result<Vec<AuditRow>, String> {
    let user = ctx.user();
    let (filter, mut args) = area_filter(&user.grants, Role::Admin);
    // Entries of an area the admin holds, and their own logins.
    let n = args.len();
    args.push(user.username.clone());
    let sql = format!(
        "SELECT at, user, address, action, target, sha256 FROM audit
         WHERE ({filter}) OR (area IS NULL AND user = ?{}) ORDER BY id DESC LIMIT {limit}",
        n + 1
    );
    let conn = app.db.lock();
    let mut st = conn.prepare(&sql).map_err(|e| e.to_string())?;
    let rows = st
        .query_map(rusqlite::params_from_iter(args.iter()), |r| {
            Ok(AuditRow {
                at: local(r.get(0)?),
                user: r.get(1)?,
                address: r.get(2)?,
                action: r.get(3)?,
                target: r.get(4)?,
                sha256: r.get(5)?,
            })
        })
        .map_err(|e| e.to_string())?;
    Ok(rows.filter_map(Result::ok).collect())
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    l: Layout,
    rows: Vec<AuditRow>,
}

pub async fn audit(State(app): State<Arc<App>>, Extension(ctx): Extension<Ctx>) -> Response {
    match audit_rows(&app, &ctx, 500) {
        Ok(mut rows) => page(
            &AuditPage {
                l: layout(&app, &ctx, "Nhật ký"),
                rows: {
                    if ctx.lang == Lang::Vi {
                        for r in &mut rows {
                            r.action = action_vi(&r.action);
                        }
                    }
                    rows
                },
            },
            StatusCode::OK,
        ),
        Err(e) => internal(&e),
    }
}

/// A CSV cell: quoted, and a leading `= + - @` defused so a spreadsheet never runs it.
fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

pub async fn audit_csv(State(app): State<Arc<App>>, Extension(ctx): Extension<Ctx>) -> Response {
    let rows = match audit_rows(&app, &ctx, 1_000_000) {
        Ok(rows) => rows,
        Err(e) => return internal(&e),
    };
    ctx.audit(&app, "audit-export", "", None);
    let mut out = String::from("at,user,address,action,target,sha256\r\n");
    for r in rows {
        let cells = [
            r.at,
            r.user,
            r.address,
            r.action,
            r.target,
            r.sha256.unwrap_or_default(),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"nhat-ky.csv\"",
            ),
        ],
        out,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_cannot_run_formulas() {
        assert_eq!(csv_cell("=cmd()"), "\"'=cmd()\"");
        assert_eq!(csv_cell("a\"b"), "\"a\"\"b\"");
    }

    #[test]
    fn the_area_filter_escapes_like_wildcards() {
        let (sql, args) = area_filter(
            &[Grant {
                area: "vn/a_b".into(),
                role: Role::Admin,
            }],
            Role::Admin,
        );
        assert!(sql.contains("?1") && sql.contains("?2"));
        assert_eq!(args, ["vn/a_b", "vn/a\\_b/%"]);
        assert_eq!(area_filter(&[], Role::Viewer).0, "0");
    }
}
