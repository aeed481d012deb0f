//! An item's pages: compose and edit (multipart, with a picture), the item with its exact
//! previews, the approval steps, and its delivery to the boards, live.

use super::pages::{internal, layout, local_rfc3339, page, visible_rows, Layout};
use super::Ctx;
use crate::db::{self, now_s};
use crate::i18n::{t, Lang};
use crate::items::{self, Action, Facts, FieldErrors, Form, Status};
use crate::policy::{self, Role};
use crate::{channel, App};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use bangtin_protocol::content::Item;
use bangtin_staff::fleet::State as BoardState;
use rusqlite::{params, OptionalExtension};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

const DAYS: [(&str, &str); 7] = [
    ("mon", "T2"),
    ("tue", "T3"),
    ("wed", "T4"),
    ("thu", "T5"),
    ("fri", "T6"),
    ("sat", "T7"),
    ("sun", "CN"),
];

#[derive(Template)]
#[template(path = "item_form.html")]
struct FormPage {
    l: Layout,
    /// The item being edited and the revision the form was made from; `None` for a new one.
    editing: Option<(i64, i64)>,
    /// Empty: choose an area first.
    area: String,
    areas: Vec<String>,
    f: Form,
    errors: FieldErrors,
    has_image: bool,
    had_image: bool,
    days: [(&'static str, &'static str); 7],
}

impl FormPage {
    fn err(&self, field: &str) -> &[String] {
        self.errors.get(field).map_or(&[], Vec::as_slice)
    }

    fn day_checked(&self, day: &str) -> bool {
        self.f.days.iter().any(|d| d == day)
    }
}

/// The areas a user may compose for: their editor grants inside managed areas, and the areas
/// of boards seen inside those.
fn compose_areas(app: &App, ctx: &Ctx) -> Vec<String> {
    areas_with(app, ctx, Role::Editor)
}

/// The managed areas where the user holds `role`: their grants inside managed areas, and the
/// areas of boards seen inside those.
pub(super) fn areas_with(app: &App, ctx: &Ctx, role: Role) -> Vec<String> {
    let grants = &ctx.user().grants;
    let mut out = BTreeSet::new();
    for g in grants.iter().filter(|g| g.role >= role) {
        for a in &app.config.areas {
            if bangtin_staff::fleet::area_covers(&a.path, &g.area) {
                out.insert(g.area.clone());
            } else if bangtin_staff::fleet::area_covers(&g.area, &a.path) {
                out.insert(a.path.clone());
            }
        }
    }
    for s in app
        .boards
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .values()
    {
        if let Some(area) = &s.area {
            if policy::role_on(grants, area) >= Some(role) && app.config.area_for(area).is_some() {
                out.insert(area.clone());
            }
        }
    }
    out.into_iter().collect()
}

/// A target of one board (`board/ID`) the user may compose for: the board's area.
fn board_target(app: &App, ctx: &Ctx, target: &str) -> Option<String> {
    let area = super::board_area(app, target.strip_prefix("board/")?)?;
    (policy::role_on(&ctx.user().grants, &area) >= Some(Role::Editor)
        && app.config.area_for(&area).is_some())
    .then_some(area)
}

/// The topic an item for `target` (an area or `board/ID`) goes to, and the area that decides
/// who may see it; `None` when the console does not publish there.
pub(super) fn topic_of(app: &App, ctx: &Ctx, target: &str) -> Option<(String, String)> {
    match target.strip_prefix("board/") {
        Some(id) => {
            let area = board_target(app, ctx, target)?;
            let topic = bangtin_staff::Target::Board(id.to_owned())
                .content_topic(&app.config.broker.prefix);
            Some((topic, area))
        }
        None => channel::target(&app.config, target).map(|(_, topic)| (topic, target.to_owned())),
    }
}

/// The board an item's topic is for, if it is for one board.
pub(super) fn board_of_topic(topic: &str) -> Option<&str> {
    topic
        .split_once("/content/board/")
        .or_else(|| topic.split_once("/alert/board/"))
        .map(|(_, id)| id)
}

#[derive(Deserialize)]
pub struct AreaQuery {
    #[serde(default)]
    area: String,
}

pub async fn new_item(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<AreaQuery>,
) -> Response {
    let areas = compose_areas(&app, &ctx);
    let area = if areas.contains(&q.area) || board_target(&app, &ctx, &q.area).is_some() {
        q.area
    } else if areas.len() == 1 {
        areas[0].clone()
    } else {
        String::new()
    };
    form_page(
        &app,
        &ctx,
        None,
        area,
        areas,
        Form::default(),
        FieldErrors::new(),
        false,
        false,
        StatusCode::OK,
    )
}

#[allow(clippy::too_many_arguments)]
fn form_page(
    app: &App,
    ctx: &Ctx,
    editing: Option<(i64, i64)>,
    area: String,
    areas: Vec<String>,
    f: Form,
    errors: FieldErrors,
    has_image: bool,
    had_image: bool,
    status: StatusCode,
) -> Response {
    page(
        &FormPage {
            l: layout(app, ctx, "Soạn tin"),
            editing,
            area,
            areas,
            f,
            errors,
            has_image,
            had_image,
            days: DAYS,
        },
        status,
    )
}

/// The compose form as posted: its fields and the picture's bytes.
/// The compose form as posted, its picture, and the revision it edits (an edit form).
async fn read_form(mut mp: Multipart) -> Result<(Form, Uploads, i64), String> {
    let mut f = Form::default();
    let mut uploads = Uploads::default();
    let mut revision = 0;
    while let Some(field) = mp.next_field().await.map_err(|e| e.to_string())? {
        let name = field.name().unwrap_or("").to_owned();
        if name == "image" || name == "video" {
            let bytes = field.bytes().await.map_err(|e| e.to_string())?;
            if !bytes.is_empty() {
                let slot = if name == "image" {
                    &mut uploads.image
                } else {
                    &mut uploads.video
                };
                *slot = Some(bytes.to_vec());
            }
            continue;
        }
        let text = field.text().await.map_err(|e| e.to_string())?;
        match name.as_str() {
            "kind" => f.kind = text,
            "title" => f.title = text,
            "body" => f.body = text,
            "qr" => f.qr = text,
            "caption" => f.caption = text,
            "ticker" => f.ticker = text,
            "class" => f.class = text,
            "duration_s" => f.duration_s = text,
            "valid_from" => f.valid_from = text,
            "valid_until" => f.valid_until = text,
            "days" => f.days.push(text),
            "hours_from" => f.hours_from = text,
            "hours_to" => f.hours_to = text,
            "video_url" => f.video_url = text,
            "audio" => f.audio = !text.is_empty(),
            "revision" => revision = text.trim().parse().unwrap_or(-1),
            _ => {}
        }
    }
    Ok((f, uploads, revision))
}

/// The files posted with the compose form.
#[derive(Default)]
struct Uploads {
    image: Option<Vec<u8>>,
    video: Option<Vec<u8>>,
}

/// Checks a posted form into an item: the picture (re-encoded to fit, turned upright) and every
/// field. `kept` is the picture the item had, kept when no new one is chosen.
fn build(
    app: &App,
    form: &Form,
    uploads: Uploads,
    kept: Option<Value>,
    id: &str,
    lang: Lang,
) -> Result<(Item, Vec<String>), FieldErrors> {
    let mut notes = Vec::new();
    if form.kind == "video" {
        let posters = super::video::posters_dir(&app.config.database);
        let video = match (uploads.video, kept) {
            (Some(bytes), _) => {
                let (value, note) = super::video::checked(&bytes, &form.video_url, &posters, lang)
                    .map_err(|(field, e)| FieldErrors::from([(field.to_owned(), vec![e])]))?;
                notes.push(note);
                Some(value)
            }
            // The clip kept; its address may have changed.
            (None, Some(mut kept)) if kept.get("url").is_some() => {
                let url = form.video_url.trim();
                if let Some(e) = super::video::url_error(url, lang) {
                    return Err(FieldErrors::from([("video_url".to_owned(), vec![e])]));
                }
                kept["url"] = Value::from(url);
                Some(kept)
            }
            (None, _) => None,
        };
        let checked = items::check(form, id, video.as_ref(), lang)?;
        notes.extend(checked.repairs.iter().map(|r| r.text(lang.staff())));
        return Ok((checked.item, notes));
    }
    let image = match uploads.image {
        Some(bytes) => match bangtin_staff::source::inline_image_from_bytes(bytes, "ảnh") {
            Ok((value, warning)) => {
                if let Some(w) = warning {
                    notes.push(crate::web::pages::warning_text(&w, lang));
                }
                Some(value)
            }
            Err(e) => {
                return Err(FieldErrors::from([(
                    "image".to_owned(),
                    vec![lang.pick(
                        format!("Ảnh không dùng được: {e}"),
                        format!("This picture cannot be used: {e}"),
                    )],
                )]))
            }
        },
        None if form.kind != "ticker" => kept,
        None => None,
    };
    let checked = items::check(form, id, image.as_ref(), lang)?;
    notes.extend(checked.repairs.iter().map(|r| r.text(lang.staff())));
    Ok((checked.item, notes))
}

pub(super) fn new_item_id() -> String {
    use rand_core::RngCore;
    let mut b = [0u8; 6];
    rand_core::OsRng.fill_bytes(&mut b);
    format!("c-{}", hex::encode(b))
}

pub async fn create_item(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<AreaQuery>,
    mp: Multipart,
) -> Response {
    let areas = compose_areas(&app, &ctx);
    let target = q.area;
    let Some((topic, area)) = topic_of(&app, &ctx, &target) else {
        return super::not_found();
    };
    let (form, upload, _) = match read_form(mp).await {
        Ok(x) => x,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("Biểu mẫu hỏng: {e}")).into_response(),
    };
    let had_image = upload.image.is_some() || upload.video.is_some();
    let item_id = new_item_id();
    let (item, notes) = match build(&app, &form, upload, None, &item_id, ctx.lang) {
        Ok(x) => x,
        Err(errors) => {
            return form_page(
                &app,
                &ctx,
                None,
                area,
                areas,
                form,
                errors,
                false,
                had_image,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    };
    let user = ctx.user();
    let draft = serde_json::to_string(&item).unwrap_or_default();
    let mut conn = app.db.lock();
    let result = (|| -> rusqlite::Result<i64> {
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO items (item_id, topic, area, status, draft, author, notes, created_at, updated_at)
             VALUES (?1, ?2, ?3, 'draft', ?4, ?5, ?6, ?7, ?7)",
            params![item_id, topic, area, draft, user.id, serde_json::to_string(&notes).unwrap_or_default(), now_s()],
        )?;
        let id = tx.last_insert_rowid();
        db::audit(
            &tx,
            &ctx.audit_entry("create", &format!("item {id}"), Some(&area), None),
        )?;
        tx.commit()?;
        Ok(id)
    })();
    match result {
        Ok(id) => Redirect::to(&format!("/items/{id}")).into_response(),
        Err(e) => internal(&e.to_string()),
    }
}

/// An item row.
pub(super) struct Row {
    pub(super) id: i64,
    pub(super) topic: String,
    pub(super) area: String,
    pub(super) status: Status,
    pub(super) revision: i64,
    pub(super) draft: Item,
    pub(super) live: Option<Item>,
    pub(super) author: Option<i64>,
    pub(super) reason: Option<String>,
    pub(super) notes: Vec<String>,
    pub(super) published_seq: Option<i64>,
}

pub(super) fn load(conn: &rusqlite::Connection, id: i64) -> Option<Row> {
    conn.query_row(
        "SELECT id, topic, area, status, revision, draft, live, author, reason, notes, published_seq
         FROM items WHERE id = ?1",
        [id],
        |r| {
            Ok(Row {
                id: r.get(0)?,
                topic: r.get(1)?,
                area: r.get(2)?,
                status: Status::parse(&r.get::<_, String>(3)?).unwrap_or(Status::Draft),
                revision: r.get(4)?,
                draft: serde_json::from_str(&r.get::<_, String>(5)?).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(5, rusqlite::types::Type::Text, Box::new(e))
                })?,
                live: r
                    .get::<_, Option<String>>(6)?
                    .and_then(|s| serde_json::from_str(&s).ok()),
                author: r.get(7)?,
                reason: r.get(8)?,
                notes: r
                    .get::<_, Option<String>>(9)?
                    .and_then(|s| serde_json::from_str(&s).ok())
                    .unwrap_or_default(),
                published_seq: r.get(10)?,
            })
        },
    )
    .optional()
    .ok()
    .flatten()
}

pub(super) fn item_id(id: &str) -> i64 {
    id.parse().unwrap_or(-1)
}

pub async fn edit_item(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> Response {
    let Some(row) = load(&app.db.lock(), item_id(&id)) else {
        return super::not_found();
    };
    let has_image = row.draft.kind.image().is_some();
    form_page(
        &app,
        &ctx,
        Some((row.id, row.revision)),
        row.area,
        Vec::new(),
        items::form_of(&row.draft),
        FieldErrors::new(),
        has_image,
        false,
        StatusCode::OK,
    )
}

pub async fn update_item(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    mp: Multipart,
) -> Response {
    let Some(row) = load(&app.db.lock(), item_id(&id)) else {
        return super::not_found();
    };
    let (form, upload, revision) = match read_form(mp).await {
        Ok(x) => x,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("Biểu mẫu hỏng: {e}")).into_response(),
    };
    let had_image = upload.image.is_some() || upload.video.is_some();
    // What the item had stays unless replaced: its picture, or its clip (only for a video).
    let kept = match (&row.draft.kind, form.kind == "video") {
        (bangtin_protocol::content::ItemKind::Video { video, .. }, true) => {
            serde_json::to_value(video).ok()
        }
        (bangtin_protocol::content::ItemKind::Video { .. }, false) | (_, true) => None,
        (kind, false) => kind.image().and_then(|i| serde_json::to_value(i).ok()),
    };
    let has_image = kept.is_some();
    let (item, notes) = match build(&app, &form, upload, kept, &row.draft.id, ctx.lang) {
        Ok(x) => x,
        Err(errors) => {
            return form_page(
                &app,
                &ctx,
                Some((row.id, revision)),
                row.area,
                Vec::new(),
                form,
                errors,
                has_image,
                had_image,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    };
    let user = ctx.user();
    let facts = facts(&app, &row, user.id);
    if items::step(Action::Edit, facts).is_none() {
        return item_page(
            &app,
            &ctx,
            &row,
            Some(t(ctx.lang, items::refusal(Action::Edit, facts)).into()),
            StatusCode::CONFLICT,
        )
        .await;
    }
    let result = {
        let mut conn = app.db.lock();
        (|| -> rusqlite::Result<usize> {
            let tx = conn.transaction()?;
            // Only over the revision the form was made from: two editors never overwrite each other.
            let changed = tx.execute(
            "UPDATE items SET draft = ?1, status = 'draft', revision = revision + 1, author = ?2,
                    approver = NULL, reason = NULL, notes = ?3, updated_at = ?4
             WHERE id = ?5 AND revision = ?6",
            params![
                serde_json::to_string(&item).unwrap_or_default(),
                user.id,
                serde_json::to_string(&notes).unwrap_or_default(),
                now_s(),
                row.id,
                revision
            ],
        )?;
            if changed == 0 {
                return Ok(0);
            }
            db::audit(
                &tx,
                &ctx.audit_entry("edit", &format!("item {}", row.id), Some(&row.area), None),
            )?;
            tx.commit()?;
            Ok(changed)
        })()
    };
    match result {
        Ok(0) => {
            let why = t(ctx.lang, CHANGED).to_owned();
            item_page(&app, &ctx, &row, Some(why), StatusCode::CONFLICT).await
        }
        Ok(_) => Redirect::to(&format!("/items/{}", row.id)).into_response(),
        Err(e) => internal(&e.to_string()),
    }
}

pub(super) fn facts(app: &App, row: &Row, actor: i64) -> Facts {
    Facts {
        status: row.status,
        actor_is_author: row.author == Some(actor),
        needs_approval: app.config.area_for(&row.area).is_none_or(|a| a.approval),
        live: row.live.is_some(),
    }
}

/// One preview on the item's page.
pub struct PreviewRef {
    pub w: u32,
    pub h: u32,
    pub page: u32,
    pub pages: u32,
}

pub struct DeliveryRow {
    pub board: String,
    pub state: &'static str,
    pub received: String,
    pub shown: String,
    /// As the board stamped them (RFC 3339), for the API.
    pub received_at: Option<String>,
    pub shown_at: Option<String>,
}

#[derive(Template)]
#[template(path = "item.html")]
struct ItemPage {
    l: Layout,
    id: i64,
    title: String,
    status: &'static str,
    status_vi: &'static str,
    area: String,
    revision: i64,
    live_differs: bool,
    message: Option<String>,
    reason: Option<String>,
    notes: Vec<String>,
    board_count: usize,
    previews: Vec<PreviewRef>,
    can_edit: bool,
    can_submit: bool,
    can_approve: bool,
    can_withdraw: bool,
    needs_approval: bool,
    /// At most [`DELIVERY_ROWS`] boards, those not showing it yet first.
    delivery: Vec<DeliveryRow>,
    /// How many boards are in each state: shown, received, sending, offline.
    tally: [usize; 4],
}

/// Boards listed on a publication's page (the counts cover all of them).
const DELIVERY_ROWS: usize = 50;

/// The display sizes of the boards an item reaches (1920x1080 when none says).
fn sizes(app: &App, row: &Row) -> (usize, Vec<(u32, u32)>) {
    target_sizes(app, &row.area, board_of_topic(&row.topic))
}

/// How many boards are in `area` (or are board `only`), and their display sizes (at most four;
/// 1920x1080 when none says).
pub(super) fn target_sizes(app: &App, area: &str, only: Option<&str>) -> (usize, Vec<(u32, u32)>) {
    let boards = app.boards.read().unwrap_or_else(|e| e.into_inner());
    let reached: Vec<_> = boards
        .values()
        .filter(|s| match only {
            Some(id) => s.board == id,
            None => s
                .area
                .as_deref()
                .is_some_and(|a| bangtin_staff::fleet::area_covers(area, a)),
        })
        .collect();
    let mut sizes: Vec<(u32, u32)> = reached
        .iter()
        .filter_map(|s| s.display.map(|d| (d.width, d.height)))
        .filter(|&(w, h)| PREVIEW_SIDE.contains(&w) && PREVIEW_SIDE.contains(&h))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if sizes.is_empty() {
        sizes.push((1920, 1080));
    }
    sizes.truncate(4);
    (reached.len(), sizes)
}

pub(super) async fn item_page(
    app: &App,
    ctx: &Ctx,
    row: &Row,
    message: Option<String>,
    status: StatusCode,
) -> Response {
    let user = ctx.user();
    let role = policy::role_on(&user.grants, &row.area);
    let f = facts(app, row, user.id);
    let allowed = |a: Action, r: Role| role >= Some(r) && items::step(a, f).is_some();
    let (board_count, sizes) = sizes(app, row);
    let mut delivery = delivery(app, row);
    delivery.sort_by_key(|d| (d.state == SHOWN, d.board.clone()));
    let doc = preview_document(row);
    let mut previews = Vec::new();
    for (w, h) in sizes {
        // Laid out on the preview thread; a busy one does not hold the page up.
        let pages = app.previewer.pages(doc.clone(), (w, h));
        let n = tokio::time::timeout(std::time::Duration::from_secs(2), pages)
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or(1)
            .min(20);
        previews.extend((1..=n).map(|page| PreviewRef {
            w,
            h,
            page,
            pages: n,
        }));
    }
    page(
        &ItemPage {
            l: layout(app, ctx, "Tin"),
            id: row.id,
            title: super::pages::item_title(&row.draft),
            status: row.status.code(),
            status_vi: row.status.vi(),
            area: match board_of_topic(&row.topic) {
                Some(id) => ctx.lang.pick(
                    format!("bảng {id} ({})", row.area),
                    format!("board {id} ({})", row.area),
                ),
                None => row.area.clone(),
            },
            revision: row.revision,
            live_differs: row.live.as_ref().is_some_and(|l| *l != row.draft),
            message,
            reason: row
                .reason
                .clone()
                .filter(|_| row.status == Status::Rejected),
            notes: row.notes.clone(),
            board_count,
            previews,
            can_edit: role >= Some(Role::Editor),
            can_submit: allowed(Action::Submit, Role::Editor),
            can_approve: allowed(Action::Approve, Role::Approver),
            can_withdraw: allowed(Action::Withdraw, Role::Approver),
            needs_approval: f.needs_approval,
            tally: tally(&delivery),
            delivery: delivery.into_iter().take(DELIVERY_ROWS).collect(),
        },
        status,
    )
}

/// The sides a preview may have, in pixels (a 4K screen at most).
pub(super) const PREVIEW_SIDE: std::ops::RangeInclusive<u32> = 16..=3840;

/// Whether an item on `topic` for `area` reaches `board`.
pub(super) fn reaches(app: &App, topic: &str, area: &str, board: &str) -> bool {
    match board_of_topic(topic) {
        Some(id) => id == board,
        None => super::board_area(app, board)
            .is_some_and(|a| bangtin_staff::fleet::area_covers(area, &a)),
    }
}

/// What a preview draws: a channel of the item's current revision alone.
pub(super) fn preview_document(row: &Row) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "items": [row.draft] })).unwrap_or_default()
}

pub(super) const SHOWN: &str = "Đã hiện";
pub(super) const STATES: [&str; 4] = [SHOWN, "Đã nhận", "Đang gửi", "Mất kết nối"];

fn tally(rows: &[DeliveryRow]) -> [usize; 4] {
    STATES.map(|s| rows.iter().filter(|d| d.state == s).count())
}

/// Every board the live revision reaches: received and shown (from acks of the channel that
/// carried it, or a later one), or offline.
pub(super) fn delivery(app: &App, row: &Row) -> Vec<DeliveryRow> {
    let Some(seq) = row.published_seq.filter(|_| row.live.is_some()) else {
        return Vec::new();
    };
    let mut acks: BTreeMap<String, (Option<String>, Option<String>)> = BTreeMap::new();
    {
        let conn = app.db.lock();
        if let Ok(mut st) = conn.prepare_cached(
            "SELECT board, min(received_at), min(shown_at) FROM acks WHERE topic = ?1 AND seq >= ?2
             GROUP BY board",
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
    let grants = [policy::Grant {
        area: row.area.clone(),
        role: Role::Viewer,
    }];
    let only = board_of_topic(&row.topic);
    visible_rows(app, &grants)
        .into_iter()
        .filter(|r| only.is_none_or(|id| r.board == id))
        .map(|r| {
            let (rcv, shown) = acks.remove(&r.board).unwrap_or_default();
            DeliveryRow {
                state: match (r.state, &shown, &rcv) {
                    (_, Some(_), _) => STATES[0],
                    (_, None, Some(_)) => STATES[1],
                    (BoardState::Online, None, None) => STATES[2],
                    _ => STATES[3],
                },
                board: r.board,
                received: rcv.as_deref().map(local_rfc3339).unwrap_or_default(),
                shown: shown.as_deref().map(local_rfc3339).unwrap_or_default(),
                received_at: rcv,
                shown_at: shown,
            }
        })
        .collect()
}

pub async fn item(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> Response {
    let row = load(&app.db.lock(), item_id(&id));
    match row {
        Some(row) => item_page(&app, &ctx, &row, None, StatusCode::OK).await,
        None => super::not_found(),
    }
}

/// Said when the item changed after the officer opened its page.
pub(super) const CHANGED: &str =
    "Tin đã được sửa sau khi anh chị mở trang: hãy xem lại bản mới rồi làm lại.";
