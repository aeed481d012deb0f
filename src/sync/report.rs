//! What the board tells district staff: status, acknowledgements, proof of play and command
//! replies (docs/protocol.md §6–§9).
//!
//! One tokio task, the [`Reporter`], publishes all of it. The sync task and the board's thread
//! tell it what happened through [`Reports`] (an unbounded channel: they never wait on the
//! network). It publishes:
//!
//! - **status** (retained) at every connection, on every change of what is shown, and every
//!   60 s; the last will (set by `mqtt_options`) replaces it with `online: false`;
//! - an **ack** when a channel or alert is accepted (`shown_at: null`), and another when it
//!   first reaches the screen (`shown_at` from the presented frame);
//! - **played** batches of the proof-of-play log, oldest first. A batch counts as sent only
//!   when the broker delivers it back to the board on its own `played` topic (the board
//!   subscribes to it): then the broker has it. Until then it is sent again, after 30 s or
//!   after a reconnect, so a record may arrive twice but is never lost; records carry their
//!   number `n` for receivers to drop repeats;
//! - **replies** to commands, prepared by the board's thread.
//!
//! Nothing is published while the broker is away: status is sent afresh at the next
//! connection, acks made meanwhile (an alert shown during an outage) are held (at most 64) and
//! sent then, and played records wait on disk. A message the board receives again after a
//! restart (retained, already accepted) is not acked again.

use crate::content::Timestamp;
use crate::store::{PlayedLog, Record};
use crate::sync::BoardState;
use crate::trust::{board_topic, BoardIdentity};
use chrono::Utc;
use rumqttc::{AsyncClient, QoS};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// How often status is published when nothing changes.
pub const STATUS_EVERY: Duration = Duration::from_secs(60);
/// How soon a new `last_error` is published, at most one status per this period.
pub const ERROR_STATUS_EVERY: Duration = Duration::from_secs(5);
/// How often buffered proof-of-play records are synced to disk.
pub const FLUSH_EVERY: Duration = Duration::from_secs(5);
/// How often a batch of unsent records goes out (when there are any).
pub const PLAYED_EVERY: Duration = Duration::from_secs(10);
/// A batch not seen back from the broker in this time is sent again.
pub const ECHO_TIMEOUT: Duration = Duration::from_secs(30);
/// Records per played batch.
pub const BATCH: usize = 100;
/// Acks waiting for their `shown_at` remembered at most.
const RECEIVED_KEPT: usize = 256;

/// What the board's parts tell the reporter.
#[derive(Debug, Clone)]
pub enum Report {
    /// Connected and subscribed.
    Connected,
    /// The connection is gone.
    Disconnected,
    /// A channel, alert or command was accepted.
    Received {
        topic: String,
        seq: u64,
        at: Timestamp,
        /// The alert's id, for alerts.
        alert: Option<String>,
    },
    /// A message was refused (kept as `last_error`).
    Rejected { topic: String, reason: String },
    /// What fills the screen changed (first frame with it presented at `at`).
    Showing {
        at: Timestamp,
        item: Option<String>,
        alert: Option<String>,
    },
    /// An accepted message first reached the screen.
    Shown {
        topic: String,
        seq: u64,
        at: Timestamp,
    },
    /// A command's reply, ready to publish.
    Reply(Value),
    /// Something went wrong on the board (kept as `last_error`).
    Error(String),
    /// A `played` batch came back from the broker.
    Echo(Vec<u8>),
}

/// Where reports go; cheap to clone, never blocks.
#[derive(Debug, Clone)]
pub struct Reports(mpsc::UnboundedSender<Report>);

impl Reports {
    pub fn send(&self, report: Report) {
        let _ = self.0.send(report);
    }
}

/// Counters the board's thread keeps and status shows.
#[derive(Debug, Default)]
pub struct Live {
    pub frames: AtomicU64,
    pub clock_synced: AtomicBool,
}

/// What the board gives the reporter (the sync task adds the client and the state).
pub struct ReportSetup {
    /// The board's name, as the header shows it.
    pub name: String,
    pub played: Arc<Mutex<PlayedLog>>,
    pub live: Arc<Live>,
}

/// Everything the reporter needs from the board.
pub struct Reporter {
    pub client: AsyncClient,
    pub identity: BoardIdentity,
    pub name: String,
    pub state: Arc<Mutex<BoardState>>,
    pub played: Arc<Mutex<PlayedLog>>,
    pub live: Arc<Live>,
}

/// The reporter's own state while it runs.
struct Running {
    setup: Reporter,
    connected: bool,
    started_at: Timestamp,
    showing: Option<String>,
    alert: Option<String>,
    last_error: Option<String>,
    /// When each recent message was received, for the ack with `shown_at`.
    received: VecDeque<(String, u64, Timestamp, Option<String>)>,
    last_status: Option<Instant>,
    /// `last_error` changed since the last status.
    error_changed: bool,
    last_flush: Instant,
    last_batch: Option<Instant>,
    /// The first and last record numbers of the batch out, and when it went.
    in_flight: Option<(u64, u64, Instant)>,
    /// Batches sent again without their echo coming back.
    unconfirmed: u32,
    /// Acks made while the broker was away, sent at the next connection (at most 64).
    held_acks: VecDeque<Value>,
}

impl Reporter {
    /// Starts the reporter on the current tokio runtime.
    pub fn spawn(self) -> Reports {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(run(self, rx));
        Reports(tx)
    }
}

/// The board's time now.
fn now() -> Timestamp {
    Utc::now()
        .with_timezone(&crate::calendar::VIETNAM)
        .fixed_offset()
}

async fn run(setup: Reporter, mut rx: mpsc::UnboundedReceiver<Report>) {
    let mut r = Running {
        setup,
        connected: false,
        started_at: now(),
        showing: None,
        alert: None,
        last_error: None,
        received: VecDeque::new(),
        last_status: None,
        error_changed: false,
        last_flush: Instant::now(),
        last_batch: None,
        in_flight: None,
        unconfirmed: 0,
        held_acks: VecDeque::new(),
    };
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            report = rx.recv() => match report {
                Some(report) => r.take(report),
                None => break,
            },
            _ = tick.tick() => r.tick(),
        }
    }
    r.flush();
}

impl Running {
    fn topic(&self, leaf: &str) -> String {
        board_topic(&self.setup.identity.prefix, &self.setup.identity.id, leaf)
    }

    fn publish(&self, leaf: &str, retain: bool, payload: &Value) {
        if !self.connected {
            return;
        }
        let topic = self.topic(leaf);
        if let Err(e) =
            self.setup
                .client
                .try_publish(topic, QoS::AtLeastOnce, retain, payload.to_string())
        {
            log::warn!("could not publish the board's {leaf}: {e}");
        }
    }

    fn take(&mut self, report: Report) {
        match report {
            Report::Connected => {
                self.connected = true;
                self.in_flight = None;
                self.status();
                for ack in std::mem::take(&mut self.held_acks) {
                    self.publish("ack", false, &ack);
                }
                self.send_batch();
            }
            Report::Disconnected => {
                self.connected = false;
                self.in_flight = None;
            }
            Report::Received {
                topic,
                seq,
                at,
                alert,
            } => {
                self.ack(&topic, seq, at, None, alert.clone());
                if self.received.len() >= RECEIVED_KEPT {
                    self.received.pop_front();
                }
                self.received.push_back((topic, seq, at, alert));
            }
            Report::Shown { topic, seq, at } => {
                let found = self
                    .received
                    .iter()
                    .position(|(t, s, ..)| *t == topic && *s == seq);
                if let Some(i) = found {
                    if let Some((topic, seq, received, alert)) = self.received.remove(i) {
                        self.ack(&topic, seq, received, Some(at), alert);
                    }
                }
            }
            Report::Rejected { topic, reason } => {
                self.set_error(format!("rejected a message on {topic}: {reason}"));
            }
            Report::Error(e) => self.set_error(e),
            Report::Showing { item, alert, .. } => {
                if (&item, &alert) != (&self.showing, &self.alert) {
                    self.showing = item;
                    self.alert = alert;
                    self.status();
                }
            }
            Report::Reply(reply) => self.publish("reply", false, &reply),
            Report::Echo(payload) => self.echo(&payload),
        }
    }

    /// A new error shows in status within [`ERROR_STATUS_EVERY`]; a storm of refusals gives
    /// one status per period, not one per message.
    fn set_error(&mut self, e: String) {
        if self.last_error.as_ref() != Some(&e) {
            self.error_changed = true;
        }
        self.last_error = Some(e);
    }

    fn tick(&mut self) {
        let since = self.last_status.map(|t| t.elapsed());
        if since.is_none_or(|t| t >= STATUS_EVERY)
            || (self.error_changed && since.is_none_or(|t| t >= ERROR_STATUS_EVERY))
        {
            self.status();
        }
        if self.last_flush.elapsed() >= FLUSH_EVERY {
            self.flush();
        }
        if let Some((_, _, at)) = self.in_flight {
            if at.elapsed() >= ECHO_TIMEOUT {
                log::warn!(
                    "a proof-of-play batch was not confirmed by the broker; sending it again"
                );
                self.in_flight = None;
                self.unconfirmed += 1;
                if self.unconfirmed == 3 {
                    let topic = self.topic("played");
                    self.set_error(format!(
                        "proof of play: the broker does not deliver {topic} back to the board; \
                         its access rules must let the board read its own topics"
                    ));
                }
            }
        }
        if self.last_batch.is_none_or(|t| t.elapsed() >= PLAYED_EVERY) {
            self.send_batch();
        }
    }

    fn flush(&mut self) {
        self.last_flush = Instant::now();
        let mut log = lock(&self.setup.played);
        if let Err(e) = log.flush() {
            log::warn!("could not write the proof-of-play log: {e}");
            self.last_error = Some(format!("proof-of-play log: {e}"));
        }
    }

    fn status(&mut self) {
        if !self.connected {
            return;
        }
        self.last_status = Some(Instant::now());
        self.error_changed = false;
        let (channels, store, store_error) = {
            let state = super::lock(&self.setup.state);
            let seqs: serde_json::Map<String, Value> = state
                .content()
                .seqs()
                .into_iter()
                .map(|(t, s)| (t.to_owned(), json!(s)))
                .collect();
            (seqs, state.store().clone(), state.last_store_error.clone())
        };
        // The folder scan happens outside the state's lock: the board thread takes it often.
        let cache_bytes = store.size_bytes();
        let live = &self.setup.live;
        let status = json!({
            "board": self.setup.identity.id,
            "online": true,
            "version": env!("CARGO_PKG_VERSION"),
            "started_at": self.started_at,
            "at": now(),
            "showing": self.showing,
            "alert": self.alert,
            "channels": channels,
            "clock_synced": live.clock_synced.load(Ordering::Relaxed),
            "cache_bytes": cache_bytes,
            "last_error": store_error.or_else(|| self.last_error.clone()),
            "area": self.setup.identity.area.join("/"),
            "name": self.setup.name,
            "frames": live.frames.load(Ordering::Relaxed),
            "played_unsent": lock(&self.setup.played).unsent_count(),
        });
        self.publish("status", true, &status);
    }

    fn ack(
        &mut self,
        topic: &str,
        seq: u64,
        received: Timestamp,
        shown: Option<Timestamp>,
        alert: Option<String>,
    ) {
        let ack = json!({
            "board": self.setup.identity.id,
            "topic": topic,
            "seq": seq,
            "received_at": received,
            "shown_at": shown,
            "alert": alert,
        });
        if self.connected {
            self.publish("ack", false, &ack);
        } else {
            // An alert can reach the screen while the link is down: its ack goes at the next
            // connection, so the district learns it was shown.
            if self.held_acks.len() >= 64 {
                self.held_acks.pop_front();
            }
            self.held_acks.push_back(ack);
        }
    }

    fn send_batch(&mut self) {
        if !self.connected || self.in_flight.is_some() {
            return;
        }
        self.last_batch = Some(Instant::now());
        self.flush();
        let records = lock(&self.setup.played).unsent(BATCH);
        let Some(last) = records.last().map(|r| r.n) else {
            return;
        };
        let first = records.first().map_or(last, |r| r.n);
        self.publish("played", false, &batch(&self.setup.identity.id, &records));
        self.in_flight = Some((first, last, Instant::now()));
    }

    fn echo(&mut self, payload: &[u8]) {
        // Only the batch in flight is confirmed, by its own numbers: an echo of anything else
        // (a message forged on the broker, a second board given the same id) moves nothing.
        let Some((first, last, _)) = self.in_flight else {
            return;
        };
        let Ok(batch) = serde_json::from_slice::<Value>(payload) else {
            return;
        };
        if batch["board"] != self.setup.identity.id.as_str() {
            return;
        }
        let numbers: Vec<u64> = batch["items"]
            .as_array()
            .map(|items| items.iter().filter_map(|r| r["n"].as_u64()).collect())
            .unwrap_or_default();
        if numbers.first() != Some(&first) || numbers.last() != Some(&last) {
            return;
        }
        self.in_flight = None;
        self.unconfirmed = 0;
        if let Err(e) = lock(&self.setup.played).mark_sent(last) {
            log::warn!("could not note sent proof-of-play records: {e}");
            return;
        }
        // More waiting (after an offline period): the next batch at once.
        if lock(&self.setup.played).unsent_count() > 0 {
            self.send_batch();
        }
    }
}

/// A `played` message: the board and its records (with their numbers).
pub fn batch(board: &str, records: &[Record]) -> Value {
    json!({"board": board, "items": records})
}

fn lock(log: &Mutex<PlayedLog>) -> std::sync::MutexGuard<'_, PlayedLog> {
    log.lock().unwrap_or_else(|p| p.into_inner())
}
