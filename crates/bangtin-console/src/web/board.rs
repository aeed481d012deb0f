//! A board's page: what it shows now and why, its clock, screen and errors; and the commands
//! an editor may send it (identify, reload, a screenshot), signed with its area's key.

use super::pages::{internal, layout, page, BoardRow, Layout};
use super::Ctx;
use crate::i18n::{t, Lang};
use crate::policy::{self, Role};
use crate::App;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Form};
use bangtin_protocol::content::Action;
use bangtin_staff::fleet::{self, BoardStatus};
use bangtin_staff::Signer;
use base64::Engine as _;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

const COMMANDS: [(&str, &str); 3] = [
    ("identify", "Hiện mã bảng trên màn hình"),
    ("screenshot", "Chụp màn hình"),
    ("reload", "Nạp lại cấu hình"),
];

/// Brightness an officer may set: percentages, or back to the board's schedule.
const LEVELS: [(&str, &str); 5] = [
    ("auto", "Theo lịch của bảng"),
    ("100", "100 %"),
    ("80", "80 %"),
    ("50", "50 %"),
    ("30", "30 %"),
];

/// Commands sent to a whole area at most (each board answers on its own).
const BULK_MAX: usize = 500;
/// Commands in flight at once during a bulk action.
const BULK_PARALLEL: usize = 16;

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    l: Layout,
    b: BoardRow,
    why: String,
    clock: String,
    display: String,
    version: String,
    channels: Vec<String>,
    can_command: bool,
    /// The user holds the alert right here.
    can_alert: bool,
    commands: [(&'static str, &'static str); 3],
    levels: [(&'static str, &'static str); 5],
    message: Option<String>,
    screenshot: Option<String>,
}

fn board_page(
    app: &App,
    ctx: &Ctx,
    id: &str,
    message: Option<String>,
    screenshot: Option<String>,
) -> Response {
    let Some(status) = app
        .boards
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .get(id)
        .cloned()
    else {
        return super::not_found();
    };
    let row = fleet::rows(
        std::slice::from_ref(&status),
        bangtin_staff::board_now(),
        None,
    )
    .pop()
    .map(|r| BoardRow::of(&r));
    let Some(b) = row else {
        return super::not_found();
    };
    let lang = ctx.lang;
    let why = match (&status.alert, &status.showing) {
        (Some(a), _) => lang.pick(
            format!("Cảnh báo khẩn cấp {a} đang chiếm màn hình."),
            format!("Emergency alert {a} has the screen."),
        ),
        (None, Some(item)) => why_item(app, &status, item, lang),
        (None, None) => t(
            lang,
            "Không có tin nào đang hiệu lực: bảng hiện màn hình chờ (giờ, ngày).",
        )
        .into(),
    };
    let area = status.area.clone().unwrap_or_default();
    page(
        &BoardPage {
            l: layout(app, ctx, &b.name),
            why,
            clock: match status.clock_synced {
                Some(true) => t(lang, "Đã đồng bộ").into(),
                Some(false) => t(lang, "Chưa đồng bộ: lịch phát có thể lệch").into(),
                None => String::new(),
            },
            display: status
                .display
                .map(|d| format!("{}×{} (xoay {}°)", d.width, d.height, d.rotation))
                .unwrap_or_default(),
            version: status.version.clone().unwrap_or_default(),
            channels: status
                .channels
                .iter()
                .flatten()
                .map(|(t, s)| format!("{t}: {s}"))
                .collect(),
            can_command: policy::role_on(&ctx.user().grants, &area) >= Some(Role::Editor),
            can_alert: policy::role_on(&ctx.user().grants, &area) >= Some(Role::Approver),
            commands: COMMANDS,
            levels: LEVELS,
            message,
            screenshot,
            b,
        },
        StatusCode::OK,
    )
}

/// Which item a board shows, and why it may: its class and validity, from this console's data.
fn why_item(app: &App, status: &BoardStatus, item_id: &str, lang: Lang) -> String {
    let live = super::pages::shown_item(app, &status.board, status.area.as_deref(), item_id);
    let Some(item) = live else {
        return lang.pick(
            format!("Tin {item_id} (không do bảng điều khiển này đăng)."),
            format!("Item {item_id} (not published by this console)."),
        );
    };
    let priority = item.class == bangtin_protocol::content::Class::Priority;
    let until = item
        .valid_until
        .map(|t| t.format("%d/%m/%Y %H:%M").to_string());
    let title = super::pages::item_title(&item);
    lang.pick(
        format!(
            "«{title}»: tin {}{}, đến lượt trong lịch phát.",
            if priority {
                "ưu tiên"
            } else {
                "thông thường"
            },
            until
                .as_ref()
                .map(|u| format!(", hiệu lực đến {u}"))
                .unwrap_or_default()
        ),
        format!(
            "“{title}”: a {} item{}, its turn in the programme.",
            if priority { "priority" } else { "normal" },
            until
                .as_ref()
                .map(|u| format!(" valid until {u}"))
                .unwrap_or_default()
        ),
    )
}

pub async fn board(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> Response {
    board_page(&app, &ctx, &id, None, None)
}

#[derive(Deserialize)]
pub struct CommandForm {
    action: String,
    #[serde(default)]
    level: String,
}

/// The command an officer picked, checked as the board checks it.
fn action_of(f: &CommandForm) -> Result<Action, String> {
    match f.action.as_str() {
        "identify" => Ok(Action::Identify { seconds: 30 }),
        "screenshot" => Ok(Action::Screenshot),
        "reload" => Ok(Action::Reload),
        "brightness" => {
            bangtin_staff::command::brightness(&f.level, None).map_err(|e| e.to_string())
        }
        _ => Err("Lệnh không hợp lệ.".into()),
    }
}

fn signer_for(app: &App, area: &str) -> Result<Signer, String> {
    let managed = app
        .config
        .area_for(area)
        .ok_or("Bảng này ở ngoài các khu vực bảng điều khiển quản lý.")?;
    Signer::load(&managed.key_path, Some(&managed.key_id)).map_err(|e| e.to_string())
}

pub async fn board_command(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(f): Form<CommandForm>,
) -> Response {
    let action = match action_of(&f) {
        Ok(a) => a,
        Err(e) => return board_page(&app, &ctx, &id, Some(crate::i18n::any(ctx.lang, &e)), None),
    };
    let area = ctx.area.clone().unwrap_or_default();
    let signer = match signer_for(&app, &area) {
        Ok(s) => s,
        Err(e) => return board_page(&app, &ctx, &id, Some(crate::i18n::any(ctx.lang, &e)), None),
    };
    ctx.audit(
        &app,
        &format!("command {}", f.action),
        &format!("board {id}"),
        Some(&area),
    );
    let timeout = Duration::from_secs(if action == Action::Screenshot { 20 } else { 10 });
    let result = if action == Action::Screenshot {
        bangtin_staff::command::screenshot(&app.config.broker, &signer, &id, timeout)
            .await
            .map(|s| Some(base64::engine::general_purpose::STANDARD.encode(s.png)))
    } else {
        bangtin_staff::command::send(&app.config.broker, &signer, &id, action, timeout)
            .await
            .map(|_| None)
    };
    match result {
        Ok(shot) => board_page(
            &app,
            &ctx,
            &id,
            Some(t(ctx.lang, "Bảng đã làm theo lệnh.").into()),
            shot,
        ),
        Err(e) => board_page(
            &app,
            &ctx,
            &id,
            Some(ctx.lang.pick(
                format!("Lệnh chưa thực hiện được: {e}"),
                format!("Not done: {e}"),
            )),
            None,
        ),
    }
}

#[derive(Template)]
#[template(path = "bulk.html")]
struct BulkPage {
    l: Layout,
    area: String,
    action: String,
    level: String,
    label: String,
    boards: Vec<BoardRow>,
    /// After sending: each board and what came of it.
    results: Vec<(String, String)>,
    too_many: bool,
}

#[derive(Deserialize)]
pub struct BulkQuery {
    area: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    level: String,
}

/// The boards a bulk action on `area` reaches (those the console knows in that area).
fn bulk_boards(app: &App, area: &str) -> Vec<BoardRow> {
    let grants = [policy::Grant {
        area: area.to_owned(),
        role: Role::Viewer,
    }];
    super::pages::visible_rows(app, &grants)
        .iter()
        .map(BoardRow::of)
        .collect()
}

fn label(f: &CommandForm, lang: Lang) -> String {
    match f.action.as_str() {
        "brightness" => format!("{}: {}", t(lang, "Đặt độ sáng"), f.level),
        a => COMMANDS
            .iter()
            .find(|c| c.0 == a)
            .map_or_else(|| a.to_owned(), |c| t(lang, c.1).to_owned()),
    }
}

/// Before a command goes to a whole area: the boards it will reach, and a button to confirm.
pub async fn bulk_page(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    axum::extract::Query(q): axum::extract::Query<BulkQuery>,
) -> Response {
    let f = CommandForm {
        action: q.action.clone(),
        level: q.level.clone(),
    };
    if action_of(&f).is_err() || f.action == "screenshot" {
        return super::not_found();
    }
    let boards = bulk_boards(&app, &q.area);
    page(
        &BulkPage {
            l: layout(&app, &ctx, "Lệnh cho cả khu vực"),
            too_many: boards.len() > BULK_MAX,
            label: label(&f, ctx.lang),
            area: q.area,
            action: q.action,
            level: q.level,
            boards,
            results: Vec::new(),
        },
        StatusCode::OK,
    )
}

/// Sends the confirmed command to every board of the area, a few at a time.
pub async fn bulk(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    axum::extract::Query(q): axum::extract::Query<BulkQuery>,
    Form(f): Form<CommandForm>,
) -> Response {
    use futures_util::StreamExt as _;
    let action = match action_of(&f) {
        Ok(Action::Screenshot) | Err(_) => return super::not_found(),
        Ok(a) => a,
    };
    let boards = bulk_boards(&app, &q.area);
    if boards.len() > BULK_MAX {
        return super::not_found();
    }
    let signer = match signer_for(&app, &q.area) {
        Ok(s) => s,
        Err(e) => return internal(&e),
    };
    let target = format!("{} boards of {}", boards.len(), q.area);
    ctx.audit(
        &app,
        &format!("command {}", f.action),
        &target,
        Some(&q.area),
    );
    let lang = ctx.lang;
    let ids: Vec<String> = boards.into_iter().map(|b| b.board).collect();
    let results: Vec<(String, String)> = futures_util::stream::iter(ids.into_iter().map(|id| {
        let (broker, signer) = (app.config.broker.clone(), signer.clone());
        async move {
            let r = bangtin_staff::command::send(
                &broker,
                &signer,
                &id,
                action,
                Duration::from_secs(10),
            )
            .await;
            (
                id,
                match r {
                    Ok(_) => t(lang, "Đã làm theo lệnh").to_owned(),
                    Err(e) => lang.pick(format!("Chưa thực hiện: {e}"), format!("Not done: {e}")),
                },
            )
        }
    }))
    .buffer_unordered(BULK_PARALLEL)
    .collect()
    .await;
    page(
        &BulkPage {
            l: layout(&app, &ctx, "Lệnh cho cả khu vực"),
            too_many: false,
            label: label(&f, ctx.lang),
            area: q.area,
            action: f.action,
            level: f.level,
            boards: Vec::new(),
            results,
        },
        StatusCode::OK,
    )
}
