//! An item's exact preview (a PNG drawn by the board's renderer) and the live stream its page
//! listens to.

use super::items::{item_id, load, preview_document, reaches, PREVIEW_SIDE};
use super::pages::internal;
use crate::{App, Event};
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::sse::{self, Sse};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::convert::Infallible;
use std::sync::Arc;

#[derive(Deserialize)]
pub struct PreviewQuery {
    w: u32,
    h: u32,
    #[serde(default = "one")]
    page: u32,
}

fn one() -> u32 {
    1
}

pub async fn preview(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Query(q): Query<PreviewQuery>,
) -> Response {
    let Some(row) = load(&app.db.lock(), item_id(&id)) else {
        return super::not_found();
    };
    let what = format!("item {}", row.id);
    png(&app, preview_document(&row), &q, &what).await
}

/// A preview as a PNG response: `document` at the size and page asked for.
pub(super) async fn png(app: &App, document: Vec<u8>, q: &PreviewQuery, what: &str) -> Response {
    if !PREVIEW_SIDE.contains(&q.w) || !PREVIEW_SIDE.contains(&q.h) || q.page == 0 || q.page > 50 {
        return (StatusCode::BAD_REQUEST, "size 16..=3840, page 1..=50").into_response();
    }
    match app.previewer.render(document, (q.w, q.h), q.page - 1).await {
        Ok(p) => (
            [
                (header::CONTENT_TYPE, "image/png"),
                (header::CACHE_CONTROL, "private, no-cache"),
            ],
            p.png,
        )
            .into_response(),
        Err(e) if e.starts_with("too many") => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "2")],
            e,
        )
            .into_response(),
        Err(e) => internal(&format!("preview of {what}: {e}")),
    }
}

/// Server-sent events for an item's page: one message whenever a board acknowledges something
/// on its topic or changes state; the page then fetches itself again.
pub async fn item_events(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let Some(row) = load(&app.db.lock(), item_id(&id)) else {
        return super::not_found();
    };
    updates(app, row.topic, row.area, None)
}

/// The stream a page listens to: "update" at once, then whenever a board acknowledges
/// something on `topic`, a board of `area` changes state, or the outbox sends something; at
/// most once a second however many boards answer; and every `tick` when given (a page whose
/// words change with time alone, such as "not shown after 10 s").
pub(super) fn updates(
    app: Arc<App>,
    topic: String,
    area: String,
    tick: Option<std::time::Duration>,
) -> Response {
    let rx = app.events.subscribe();
    // The first message at once: what happened between the page being drawn and this stream
    // opening (an ack a few milliseconds after an approval) is then on the page too.
    let state = (rx, topic, area, app, true);
    let stream =
        futures_util::stream::unfold(state, move |(mut rx, topic, area, app, first)| async move {
            if first {
                let update = sse::Event::default().data("update");
                return Some((Ok::<_, Infallible>(update), (rx, topic, area, app, false)));
            }
            let wait = tick.unwrap_or(std::time::Duration::from_secs(86400 * 365));
            let deadline = tokio::time::Instant::now() + wait;
            loop {
                let next = tokio::time::timeout_at(deadline, rx.recv()).await;
                let Ok(next) = next else { break };
                match next {
                    Ok(Event::Ack { topic: t, .. }) if t == topic => break,
                    Ok(Event::Board(b)) if reaches(&app, &topic, &area, &b) => break,
                    Ok(Event::Sent(_)) => break,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => break,
                    Ok(_) => continue,
                    Err(_) => return None,
                }
            }
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            while rx.try_recv().is_ok() {}
            Some((
                Ok::<_, Infallible>(sse::Event::default().data("update")),
                (rx, topic, area, app, false),
            ))
        });
    Sse::new(stream)
        .keep_alive(sse::KeepAlive::default())
        .into_response()
}
