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
    if !PREVIEW_SIDE.contains(&q.w) || !PREVIEW_SIDE.contains(&q.h) || q.page == 0 || q.page > 50 {
        return (StatusCode::BAD_REQUEST, "size 16..=3840, page 1..=50").into_response();
    }
    let Some(row) = load(&app.db.lock(), item_id(&id)) else {
        return super::not_found();
    };
    match app
        .previewer
        .render(preview_document(&row), (q.w, q.h), q.page - 1)
        .await
    {
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
        Err(e) => internal(&format!("preview of item {}: {e}", row.id)),
    }
}

/// Server-sent events for an item's page: one message whenever a board acknowledges something
/// on its topic or changes state; the page then fetches itself again.
pub async fn item_events(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let Some(row) = load(&app.db.lock(), item_id(&id)) else {
        return super::not_found();
    };
    let rx = app.events.subscribe();
    // The first message at once: what happened between the page being drawn and this stream
    // opening (an ack a few milliseconds after an approval) is then on the page too.
    let state = (rx, row.topic, row.area, app.clone(), true);
    let stream =
        futures_util::stream::unfold(state, |(mut rx, topic, area, app, first)| async move {
            if first {
                let update = sse::Event::default().data("update");
                return Some((Ok::<_, Infallible>(update), (rx, topic, area, app, false)));
            }
            loop {
                match rx.recv().await {
                    Ok(Event::Ack { topic: t, .. }) if t == topic => break,
                    Ok(Event::Board(b)) if reaches(&app, &topic, &area, &b) => break,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => break,
                    Ok(_) => continue,
                    Err(_) => return None,
                }
            }
            // At most one refresh a second, however many boards answer.
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
