//! The console's two connections to the broker, each reconnecting on its own:
//! - the listener keeps every board's retained status, records acks (a publication's delivery)
//!   and imports the retained channels of the managed areas (verified) at start;
//! - the sender publishes the outbox, retained at QoS 1, and marks a row sent only on the
//!   broker's acknowledgement: with the broker down nothing is lost, it goes when it returns.

use crate::{channel, App, Event};
use bangtin_protocol::trust::board_topic;
use bangtin_staff::acks::Ack;
use bangtin_staff::fleet;
use bangtin_staff::net::{board_of, Session};
use rusqlite::params;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

const CONNECT: Duration = Duration::from_secs(10);
/// The largest status kept: a board's real status is a few hundred bytes; a bigger one (a
/// compromised board) would be copied on every page that lists boards.
const STATUS_BYTES: usize = 16 * 1024;
const PUBLISH: Duration = Duration::from_secs(30);

async fn backoff(failures: &mut u32, what: &str, e: &str) {
    *failures = (*failures + 1).min(5);
    let wait = Duration::from_secs(1 << *failures);
    log::warn!("{what}: {e}; trying again in {}s", wait.as_secs());
    tokio::time::sleep(wait).await;
}

/// Runs the listener for ever.
pub async fn listen(app: Arc<App>) {
    let mut failures = 0;
    loop {
        let e = listen_once(&app, &mut failures).await;
        app.broker_up.store(false, Ordering::Relaxed);
        backoff(&mut failures, "listening to the broker", &e).await;
    }
}

async fn listen_once(app: &App, failures: &mut u32) -> String {
    let prefix = app.config.broker.prefix.clone();
    let options = match app.config.broker.options("console", None) {
        Ok(o) => o,
        Err(e) => return e.to_string(),
    };
    let mut session = match Session::connect(options, CONNECT).await {
        Ok(s) => s,
        Err(e) => return e,
    };
    let mut filters = vec![
        board_topic(&prefix, "+", "status"),
        board_topic(&prefix, "+", "ack"),
    ];
    for a in &app.config.areas {
        let topic = app.config.content_topic(&a.path);
        filters.push(format!("{topic}/#"));
        filters.push(topic);
    }
    if let Err(e) = session.subscribe(&filters).await {
        return e;
    }
    *failures = 0;
    app.broker_up.store(true, Ordering::Relaxed);
    log::info!("listening to {}", app.config.broker.url);
    loop {
        match session.next(Instant::now() + Duration::from_secs(60)).await {
            Ok(Some((topic, payload))) => take(app, &prefix, &topic, &payload),
            Ok(None) => {}
            Err(e) => return e,
        }
    }
}

/// One message from the broker. Everything in it is untrusted: what does not parse is logged
/// and dropped.
fn take(app: &App, prefix: &str, topic: &str, payload: &[u8]) {
    if let Some(board) = board_of(prefix, topic, "status") {
        if !bangtin_protocol::ids::is_valid_id(board) {
            return log::warn!("{topic}: not a board id; ignored");
        }
        if payload.len() > STATUS_BYTES {
            return log::warn!("{topic}: a status of {} bytes; ignored", payload.len());
        }
        if payload.is_empty() {
            app.boards
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .remove(board);
            return;
        }
        match fleet::parse_status(payload) {
            Ok(s)
                if s.area
                    .as_deref()
                    .is_some_and(|a| bangtin_protocol::ids::parse_area(a).is_none()) =>
            {
                log::warn!("{topic}: a status whose area is not an area path; ignored")
            }
            Ok(s) if s.board == board => {
                let online = s.online != Some(false);
                let area = s.area.clone();
                let before = app
                    .boards
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(board.to_owned(), s);
                // Uptime: every change between online and offline (and a board's first status).
                if before.is_none_or(|b| (b.online != Some(false)) != online) {
                    crate::plays::state_changed(&app.db, board, area.as_deref(), online);
                }
                let _ = app.events.send(Event::Board(board.to_owned()));
            }
            Ok(s) => log::warn!("{topic}: a status that names board {:?}; ignored", s.board),
            Err(e) => log::warn!("{topic}: {e}"),
        }
    } else if let Some(board) = board_of(prefix, topic, "ack") {
        let ack: Ack = match serde_json::from_slice(payload) {
            Ok(a) => a,
            Err(e) => return log::warn!("{topic}: not an ack: {e}"),
        };
        if ack.board != board || ack.seq > i64::MAX as u64 {
            return log::warn!("{topic}: an ack that names board {:?}; ignored", ack.board);
        }
        let stamp = |t: Option<chrono::DateTime<chrono::FixedOffset>>| t.map(|t| t.to_rfc3339());
        let conn = app.db.lock();
        // Only acks of messages this console sent are kept.
        let ours: bool = conn
            .query_row(
                "SELECT count(*) > 0 FROM outbox WHERE topic = ?1 AND seq = ?2",
                params![ack.topic, ack.seq as i64],
                |r| r.get(0),
            )
            .unwrap_or(false);
        if !ours {
            return;
        }
        let _ = conn.execute(
            "INSERT INTO acks (topic, seq, board, received_at, shown_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (topic, seq, board) DO UPDATE SET
                 received_at = coalesce(acks.received_at, excluded.received_at),
                 shown_at = coalesce(acks.shown_at, excluded.shown_at)",
            params![ack.topic, ack.seq as i64, board, stamp(ack.received_at), stamp(ack.shown_at)],
        );
        drop(conn);
        let _ = app.events.send(Event::Ack {
            topic: ack.topic,
            seq: ack.seq,
        });
    } else if let Some(rest) = topic.strip_prefix(&format!("{prefix}/content/")) {
        if payload.is_empty() || rest.starts_with("board/") {
            return;
        }
        let Some(area) = app.config.area_for(rest) else {
            return;
        };
        match channel::verify(area, topic, payload) {
            Ok((seq, ch)) => {
                let mut conn = app.db.lock();
                match channel::import(&mut conn, area, topic, rest, seq, &ch) {
                    Ok(done) => {
                        if done.new > 0 {
                            log::info!(
                                "{topic}: {} items published elsewhere imported (seq {seq})",
                                done.new
                            );
                        }
                        if let Some(s) = done.republished {
                            log::info!(
                                "{topic}: the broker's channel differs; signed again as seq {}",
                                s.seq
                            );
                            app.outbox.notify_one();
                        }
                    }
                    Err(e) => log::warn!("{topic}: cannot import: {e}"),
                }
            }
            Err(e) => log::warn!("{topic}: the retained channel is not imported: {e}"),
        }
    }
}

/// Runs the sender for ever.
pub async fn send(app: Arc<App>) {
    let mut failures = 0;
    loop {
        let e = send_once(&app, &mut failures).await;
        backoff(&mut failures, "publishing the outbox", &e).await;
    }
}

async fn send_once(app: &App, failures: &mut u32) -> String {
    let options = match app.config.broker.options("console-out", None) {
        Ok(o) => o,
        Err(e) => return e.to_string(),
    };
    let mut session = match Session::connect(options, CONNECT).await {
        Ok(s) => s,
        Err(e) => return e,
    };
    *failures = 0;
    let mut pruned: Option<Instant> = None;
    loop {
        if pruned.is_none_or(|t| t.elapsed() >= Duration::from_secs(3600)) {
            pruned = Some(Instant::now());
            let n = channel::prune(&app.db.lock());
            if n > 0 {
                log::info!("{n} old sent messages removed from the outbox");
            }
        }
        let next = channel::next_pending(&app.db.lock());
        if let Some((id, topic, _)) = next.as_ref().filter(|(_, t, _)| !rumqttc::valid_topic(t)) {
            log::error!("outbox {id}: {topic:?} is not a topic; never sent");
            channel::mark_failed(&app.db.lock(), *id);
            continue;
        }
        let Some((id, topic, envelope)) = next else {
            tokio::select! {
                _ = app.outbox.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(5)) => {}
            }
            continue;
        };
        match tokio::time::timeout(PUBLISH, session.publish(&topic, envelope, true)).await {
            Ok(Ok(())) => {
                channel::mark_sent(&app.db.lock(), id);
                log::info!("sent {topic} (outbox {id})");
                let _ = app.events.send(Event::Sent(id));
            }
            Ok(Err(e)) => return e,
            Err(_) => {
                return format!(
                    "no acknowledgement from the broker in {}s",
                    PUBLISH.as_secs()
                )
            }
        }
    }
}
