//! A board's page: what it shows now and why, its clock, screen and errors; and the commands
//! an editor may send it (identify, reload, a screenshot), signed with its area's key.

use super::pages::{internal, layout, page, BoardRow, Layout};
use super::Ctx;
use crate::db::{self, AuditEntry};
use crate::policy::{self, Role};
use crate::App;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Form};
use bangtin_protocol::content::{Action, Item};
use bangtin_staff::{fleet, Signer};
use base64::Engine as _;
use rusqlite::OptionalExtension;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

const COMMANDS: [(&str, &str); 3] = [
    ("identify", "Hiện mã bảng trên màn hình"),
    ("screenshot", "Chụp màn hình"),
    ("reload", "Nạp lại cấu hình"),
];

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
    commands: [(&'static str, &'static str); 3],
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
    let why = match (&status.alert, &status.showing) {
        (Some(a), _) => format!("Cảnh báo khẩn cấp {a} đang chiếm màn hình."),
        (None, Some(item)) => why_item(app, item),
        (None, None) => {
            "Không có tin nào đang hiệu lực: bảng hiện màn hình chờ (giờ, ngày).".into()
        }
    };
    let area = status.area.clone().unwrap_or_default();
    page(
        &BoardPage {
            l: layout(app, ctx, &b.name),
            why,
            clock: match status.clock_synced {
                Some(true) => "Đã đồng bộ".into(),
                Some(false) => "Chưa đồng bộ: lịch phát có thể lệch".into(),
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
            commands: COMMANDS,
            message,
            screenshot,
            b,
        },
        StatusCode::OK,
    )
}

/// Which item a board shows, and why it may: its class and validity, from this console's data.
fn why_item(app: &App, item_id: &str) -> String {
    let live: Option<String> = app
        .db
        .lock()
        .query_row(
            "SELECT live FROM items WHERE item_id = ?1 AND live IS NOT NULL",
            [item_id],
            |r| r.get(0),
        )
        .optional()
        .ok()
        .flatten();
    let Some(item) = live.and_then(|l| serde_json::from_str::<Item>(&l).ok()) else {
        return format!("Tin {item_id} (không do bảng điều khiển này đăng).");
    };
    let class = match item.class {
        bangtin_protocol::content::Class::Priority => "ưu tiên",
        _ => "thông thường",
    };
    let until = item
        .valid_until
        .map(|t| format!(", hiệu lực đến {}", t.format("%d/%m/%Y %H:%M")))
        .unwrap_or_default();
    format!(
        "«{}»: tin {class}{until}, đến lượt trong lịch phát.",
        super::pages::item_title(&item)
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
}

pub async fn board_command(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(f): Form<CommandForm>,
) -> Response {
    let action = match f.action.as_str() {
        "identify" => Action::Identify { seconds: 30 },
        "screenshot" => Action::Screenshot,
        "reload" => Action::Reload,
        _ => return board_page(&app, &ctx, &id, Some("Lệnh không hợp lệ.".into()), None),
    };
    let area = ctx.area.clone().unwrap_or_default();
    let Some(managed) = app.config.area_for(&area) else {
        return board_page(
            &app,
            &ctx,
            &id,
            Some("Bảng này ở ngoài các khu vực bảng điều khiển quản lý.".into()),
            None,
        );
    };
    let signer = match Signer::load(&managed.key_path, Some(&managed.key_id)) {
        Ok(s) => s,
        Err(e) => return internal(&e.to_string()),
    };
    let _ = db::audit(
        &app.db.lock(),
        &AuditEntry {
            user: &ctx.user().username,
            address: &ctx.address,
            action: &format!("command {}", f.action),
            target: &format!("board {id}"),
            area: Some(&area),
            sha256: None,
        },
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
        Ok(shot) => board_page(&app, &ctx, &id, Some("Bảng đã làm theo lệnh.".into()), shot),
        Err(e) => board_page(
            &app,
            &ctx,
            &id,
            Some(format!("Lệnh chưa thực hiện được: {e}")),
            None,
        ),
    }
}
