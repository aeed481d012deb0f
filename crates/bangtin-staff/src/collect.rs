//! Keeping the boards' proof of play: every `played` batch appended, with the board's area as
//! its status says, to a file of JSON lines, synced before the broker is told it was received.
//! The connection is a persistent session with a fixed client id, so the broker keeps the
//! batches that arrive while the collector is down. Repeats are kept; a report drops them.

use crate::fleet::BoardStatus;
use crate::net::{self, BrokerSpec, Session};
use crate::publish::CONNECT_TIMEOUT;
use crate::Error;
use bangtin_protocol::trust::board_topic;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use std::time::Duration;
use tokio::time::Instant;

/// What the collector tells its caller as it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Connected and subscribed: batches are being kept.
    Collecting,
    /// The broker could not be reached or the connection dropped; the next try is in 5 s.
    Retrying(String),
}

/// Collects into `out` until `duration` is over (or for ever), reconnecting after failures.
/// Only a failure to write the file ends it early.
pub async fn run(
    broker: &BrokerSpec,
    out: &Path,
    client_id: &str,
    duration: Option<Duration>,
    on: &mut dyn FnMut(Event),
) -> Result<(), Error> {
    let mut options = broker.options("collect", Some(client_id))?;
    options.set_clean_session(false);
    // A batch is acknowledged to the broker only once it is on disk: a collector killed in
    // between gets it again (boards have already counted it as delivered).
    options.set_manual_acks(true);
    let prefix = broker.prefix.as_str();
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(out)
        .map_err(|e| Error::Failed(format!("opening {}: {e}", out.display())))?;
    let end = duration.map(|d| Instant::now() + d);
    let mut areas: BTreeMap<String, BoardStatus> = BTreeMap::new();
    let retry = Duration::from_secs(5);
    loop {
        let mut session = match Session::connect(options.clone(), CONNECT_TIMEOUT).await {
            Ok(s) => s,
            Err(e) => {
                on(Event::Retrying(e));
                tokio::time::sleep(retry).await;
                continue;
            }
        };
        let topics = [
            board_topic(prefix, "+", "played"),
            board_topic(prefix, "+", "status"),
        ];
        if let Err(e) = session.subscribe(&topics).await {
            on(Event::Retrying(e));
            tokio::time::sleep(retry).await;
            continue;
        }
        on(Event::Collecting);
        loop {
            let deadline = end.unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
            match session.next_publish(deadline).await {
                Ok(Some(p)) => {
                    let (topic, payload) = (p.topic.clone(), p.payload.to_vec());
                    if !net::take_status(prefix, &topic, &payload, &mut areas) {
                        if let Some(line) = played_line(prefix, &topic, &payload, &areas) {
                            file.write_all(line.as_bytes())
                                .and_then(|()| file.sync_data())
                                .map_err(|e| {
                                    Error::Failed(format!("writing {}: {e}", out.display()))
                                })?;
                        }
                    }
                    if let Err(e) = session.ack(&p).await {
                        log::warn!("could not acknowledge a message: {e}");
                    }
                }
                Ok(None) if end.is_some_and(|e| Instant::now() >= e) => {
                    session.close().await;
                    return Ok(());
                }
                Ok(None) => {}
                Err(e) => {
                    on(Event::Retrying(e));
                    tokio::time::sleep(retry).await;
                    break;
                }
            }
        }
    }
}

/// The line kept for a `played` message on `topic` (with the board's area, when its status
/// said), or `None` (logged) if it is not one.
fn played_line(
    prefix: &str,
    topic: &str,
    payload: &[u8],
    areas: &BTreeMap<String, BoardStatus>,
) -> Option<String> {
    let board = net::board_of(prefix, topic, "played")?;
    let Ok(mut batch) = serde_json::from_slice::<Value>(payload) else {
        log::warn!("a played batch on {topic} is not JSON; skipped");
        return None;
    };
    if batch["board"] != board {
        log::warn!("a played batch on {topic} names another board; skipped");
        return None;
    }
    if let Some(area) = areas.get(board).and_then(|s| s.area.clone()) {
        batch["area"] = area.into();
    }
    // Plays a board recorded before its clock was set are reported in the period they were
    // collected in.
    batch["collected_at"] = serde_json::json!(crate::board_now());
    Some(format!("{batch}\n"))
}
