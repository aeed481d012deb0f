//! What the board tells district staff: status, acknowledgements, proof of play and command
//! replies (docs/protocol.md §6–§9).
//!
//! [`Reporter`] is a state machine without I/O: it is told what happened ([`Report`]s from the
//! network task and the board's thread, a tick every second, the proof-of-play records it asked
//! for, the figures of a status) and answers with [`Action`]s: messages to publish, and what
//! to ask the storage thread. [`run`] is the task that carries the actions out. It publishes:
//!
//! - **status** (retained) at every connection, on every change of what is shown, and every
//!   60 s; the last will (set by `mqtt_options`) replaces it with `online: false`;
//! - an **ack** when a channel or alert is accepted (`shown_at: null`), and another when it
//!   first reaches the screen (`shown_at` from the presented frame), each saying whether the
//!   board's clock was trusted when it was stamped;
//! - **played** batches of the proof-of-play log, oldest first. A batch counts as sent only
//!   when the broker delivers it back to the board on its own `played` topic (the board
//!   subscribes to it): then the broker has it. Until then it is sent again, after 30 s or
//!   after a reconnect, so a record may arrive twice but is never lost; records carry their
//!   number `n` for receivers to drop repeats;
//! - **replies** to commands, prepared by the board's thread.
//!
//! Nothing is published while the broker is away: status is sent afresh at the next
//! connection, acks made meanwhile (an alert shown during an outage) are held (at most 64) and
//! sent then, and played records wait on disk.

use crate::schedule::AlertState;
use crate::storage::{Command, Figures, Storage};
use bangtin_protocol::content::Timestamp;
use bangtin_protocol::trust::{board_topic, BoardIdentity};
use bangtin_store::Record;
use chrono::{FixedOffset, Utc};
use rumqttc::{AsyncClient, QoS};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

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
/// Acks held while the broker is away, at most.
const HELD_ACKS: usize = 64;
/// Reports waiting for the reporter, at most (the board's thread drops rather than wait).
pub const QUEUE: usize = 1024;

/// What the board's parts tell the reporter.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    /// Connected and subscribed.
    Connected,
    /// The connection is gone; the next try is the `attempt`-th, in `retry_in`.
    Disconnected { attempt: u32, retry_in: Duration },
    /// A channel, alert or command was accepted.
    Received {
        topic: String,
        seq: u64,
        at: Timestamp,
        clock_trusted: bool,
        /// The alert's id, for alerts.
        alert: Option<String>,
    },
    /// A message was refused (kept as `last_error`).
    Rejected { topic: String, reason: String },
    /// What fills the screen changed (first frame with it presented).
    Showing {
        item: Option<String>,
        alert: Option<String>,
    },
    /// An accepted message first reached the screen at `at`.
    Shown {
        topic: String,
        seq: u64,
        at: Timestamp,
        clock_trusted: bool,
    },
    /// Where each active alert stands now (on screen, banner, waiting behind another), most
    /// severe first.
    Alerts(Vec<(String, AlertState)>),
    /// A command's reply, ready to publish.
    Reply(Value),
    /// Something went wrong on the board (kept as `last_error`).
    Error(String),
    /// A `played` batch came back from the broker.
    Echo(Vec<u8>),
    /// Who the board is now (at start and after a config reload).
    Identity(Identity),
}

/// What status says of who the board is and what it draws.
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    pub board: BoardIdentity,
    /// The board's name, as the header shows it.
    pub name: String,
    /// The time zone the board stamps its times in.
    pub timezone: FixedOffset,
    /// The picture it lays out: width, height and rotation.
    pub display: (u32, u32, u32),
}

/// Where reports go; cheap to clone.
#[derive(Debug, Clone)]
pub struct Reports(mpsc::Sender<Report>);

impl Reports {
    /// A report from async code: waits for room (back-pressure on the network task).
    pub async fn send(&self, report: Report) {
        let _ = self.0.send(report).await;
    }

    /// A report from the board's thread, which never waits: dropped (and logged) when the
    /// reporter is a whole queue behind.
    pub fn post(&self, report: Report) {
        if let Err(mpsc::error::TrySendError::Full(r)) = self.0.try_send(report) {
            log::warn!("the reporter is {QUEUE} reports behind; dropped {r:?}");
        }
    }
}

/// Counters the board's thread keeps and status shows.
#[derive(Debug, Default)]
pub struct Live {
    pub frames: AtomicU64,
    pub clock_trusted: AtomicBool,
}

/// What the reporter asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Publish on the board's topic `leaf` (`status`, `ack`, `played`, `reply`).
    Publish {
        leaf: &'static str,
        retain: bool,
        payload: Value,
    },
    /// Sync the proof-of-play log.
    Flush,
    /// The oldest unsent records, at most `max`: answer with [`Reporter::batch`].
    FetchBatch { max: usize },
    /// Records up to `last` were delivered.
    MarkSent { last: u64 },
    /// A status is due: answer with [`Reporter::status`] and the figures.
    WantFigures,
}

/// The reporter's state.
#[derive(Debug)]
pub struct Reporter {
    identity: Identity,
    connected: bool,
    started_at: Timestamp,
    showing: Option<String>,
    alert: Option<String>,
    /// Every active alert and where it stands.
    alerts: Vec<(String, AlertState)>,
    last_error: Option<String>,
    /// When each recent message was received, for the ack with `shown_at`.
    received: VecDeque<Received>,
    last_status: Option<Instant>,
    /// `last_error` changed since the last status.
    error_changed: bool,
    last_flush: Instant,
    last_batch: Option<Instant>,
    /// A batch was asked for and has not come yet.
    fetching: bool,
    /// The first and last record numbers of the batch out, and when it went.
    in_flight: Option<(u64, u64, Instant)>,
    /// Batches sent again without their echo coming back.
    unconfirmed: u32,
    /// Acks made while the broker was away, sent at the next connection.
    held_acks: VecDeque<Value>,
}

#[derive(Debug, Clone)]
struct Received {
    topic: String,
    seq: u64,
    at: Timestamp,
    clock_trusted: bool,
    alert: Option<String>,
    /// Its ack already said it waits behind another alert.
    told_waiting: bool,
}

/// The alert `id` waits behind, if it waits.
fn behind(alerts: &[(String, AlertState)], id: &str) -> Option<String> {
    alerts.iter().find_map(|(a, state)| match state {
        AlertState::Waiting { behind } if a == id => Some(behind.clone()),
        _ => None,
    })
}

/// The figures a status needs that the reporter does not keep.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatusFigures {
    pub store: Figures,
    /// The seq of each content and alert topic.
    pub channels: serde_json::Map<String, Value>,
    pub frames: u64,
    pub clock_trusted: bool,
    /// The board's time when they were taken (the status's `at`).
    pub at: Option<Timestamp>,
}

impl Reporter {
    pub fn new(identity: Identity, started_at: Timestamp, now: Instant) -> Reporter {
        Reporter {
            identity,
            connected: false,
            started_at,
            showing: None,
            alert: None,
            alerts: Vec::new(),
            last_error: None,
            received: VecDeque::new(),
            last_status: None,
            error_changed: false,
            last_flush: now,
            last_batch: None,
            fetching: false,
            in_flight: None,
            unconfirmed: 0,
            held_acks: VecDeque::new(),
        }
    }

    /// The time zone the board stamps its times in.
    pub fn timezone(&self) -> FixedOffset {
        self.identity.timezone
    }

    fn publish(&self, out: &mut Vec<Action>, leaf: &'static str, retain: bool, payload: Value) {
        if self.connected {
            out.push(Action::Publish {
                leaf,
                retain,
                payload,
            });
        }
    }

    /// Takes one report in.
    pub fn handle(&mut self, report: Report, now: Instant) -> Vec<Action> {
        let mut out = Vec::new();
        match report {
            Report::Connected => {
                self.connected = true;
                self.in_flight = None;
                out.push(Action::WantFigures);
                for ack in std::mem::take(&mut self.held_acks) {
                    self.publish(&mut out, "ack", false, ack);
                }
                self.want_batch(&mut out, now);
            }
            Report::Disconnected { .. } => {
                self.connected = false;
                self.in_flight = None;
            }
            Report::Received {
                topic,
                seq,
                at,
                clock_trusted,
                alert,
            } => {
                let mut r = Received {
                    topic,
                    seq,
                    at,
                    clock_trusted,
                    alert,
                    told_waiting: false,
                };
                let behind = r.alert.as_deref().and_then(|id| behind(&self.alerts, id));
                r.told_waiting = behind.is_some();
                self.ack(&mut out, &r, None, behind.as_deref());
                if self.received.len() >= RECEIVED_KEPT {
                    self.received.pop_front();
                }
                self.received.push_back(r);
            }
            Report::Shown {
                topic,
                seq,
                at,
                clock_trusted,
            } => {
                let found = self
                    .received
                    .iter()
                    .position(|r| r.topic == topic && r.seq == seq);
                if let Some(r) = found.and_then(|i| self.received.remove(i)) {
                    self.ack(&mut out, &r, Some((at, clock_trusted)), None);
                }
            }
            Report::Rejected { topic, reason } => {
                self.set_error(format!("rejected a message on {topic}: {reason}"));
            }
            Report::Error(e) => self.set_error(e),
            Report::Showing { item, alert } => {
                if (&item, &alert) != (&self.showing, &self.alert) {
                    self.showing = item;
                    self.alert = alert;
                    out.push(Action::WantFigures);
                }
            }
            Report::Alerts(alerts) => {
                if alerts != self.alerts {
                    self.alerts = alerts;
                    self.tell_waiting(&mut out);
                    out.push(Action::WantFigures);
                }
            }
            Report::Reply(reply) => self.publish(&mut out, "reply", false, reply),
            Report::Echo(payload) => self.echo(&mut out, &payload, now),
            Report::Identity(identity) => {
                let changed = identity != self.identity;
                self.identity = identity;
                if changed {
                    out.push(Action::WantFigures);
                }
            }
        }
        // A status is only useful while connected; the figures are fetched for it.
        if !self.connected {
            out.retain(|a| *a != Action::WantFigures);
        }
        out
    }

    /// A new error shows in status within [`ERROR_STATUS_EVERY`]; a storm of refusals gives
    /// one status per period, not one per message.
    fn set_error(&mut self, e: String) {
        if self.last_error.as_ref() != Some(&e) {
            self.error_changed = true;
        }
        self.last_error = Some(e);
    }

    /// Once a second: status cadence, log syncs, batches and their echoes.
    pub fn tick(&mut self, now: Instant) -> Vec<Action> {
        let mut out = Vec::new();
        let since = self.last_status.map(|t| now.saturating_duration_since(t));
        if self.connected
            && (since.is_none_or(|t| t >= STATUS_EVERY)
                || (self.error_changed && since.is_none_or(|t| t >= ERROR_STATUS_EVERY)))
        {
            out.push(Action::WantFigures);
        }
        if now.saturating_duration_since(self.last_flush) >= FLUSH_EVERY {
            self.last_flush = now;
            out.push(Action::Flush);
        }
        if let Some((_, _, at)) = self.in_flight {
            if now.saturating_duration_since(at) >= ECHO_TIMEOUT {
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
        if self
            .last_batch
            .is_none_or(|t| now.saturating_duration_since(t) >= PLAYED_EVERY)
        {
            self.want_batch(&mut out, now);
        }
        out
    }

    fn topic(&self, leaf: &str) -> String {
        board_topic(&self.identity.board.prefix, &self.identity.board.id, leaf)
    }

    /// The status message, now that its figures are known.
    pub fn status(&mut self, figures: &StatusFigures, now: Instant) -> Vec<Action> {
        let mut out = Vec::new();
        if !self.connected {
            return out;
        }
        self.last_status = Some(now);
        self.error_changed = false;
        let (w, h, rotation) = self.identity.display;
        let status = json!({
            "board": self.identity.board.id,
            "online": true,
            "version": env!("CARGO_PKG_VERSION"),
            "started_at": self.started_at,
            "at": figures.at,
            "showing": self.showing,
            "alert": self.alert,
            "alerts": self.alerts.iter().map(|(id, state)| {
                let mut v = json!({"id": id});
                if let (Some(o), Value::Object(s)) = (v.as_object_mut(), json!(state)) {
                    o.extend(s);
                }
                v
            }).collect::<Vec<_>>(),
            "channels": figures.channels,
            "clock_synced": figures.clock_trusted,
            "cache_bytes": figures.store.cache_bytes,
            "last_error": figures.store.last_error.clone().or_else(|| self.last_error.clone()),
            "area": self.identity.board.area.join("/"),
            "name": self.identity.name,
            "frames": figures.frames,
            "played_unsent": figures.store.played_unsent,
            "display": {"width": w, "height": h, "rotation": rotation},
        });
        self.publish(&mut out, "status", true, status);
        out
    }

    /// An alert accepted but waiting for its turn behind another: its ack says so, once, so
    /// that staff see "waiting behind ..." rather than a board that does not answer.
    fn tell_waiting(&mut self, out: &mut Vec<Action>) {
        let mut acks = Vec::new();
        for r in self.received.iter_mut().filter(|r| !r.told_waiting) {
            if let Some(behind) = r.alert.as_deref().and_then(|id| behind(&self.alerts, id)) {
                r.told_waiting = true;
                acks.push((r.clone(), behind));
            }
        }
        for (r, behind) in acks {
            self.ack(out, &r, None, Some(&behind));
        }
    }

    fn ack(
        &mut self,
        out: &mut Vec<Action>,
        r: &Received,
        shown: Option<(Timestamp, bool)>,
        waiting_behind: Option<&str>,
    ) {
        let mut ack = json!({
            "board": self.identity.board.id,
            "topic": r.topic,
            "seq": r.seq,
            "received_at": r.at,
            "shown_at": shown.map(|(at, _)| at),
            "alert": r.alert,
            "clock_trusted": shown.map_or(r.clock_trusted, |(_, t)| t && r.clock_trusted),
        });
        if let Some(behind) = waiting_behind {
            ack["waiting_behind"] = json!(behind);
        }
        if self.connected {
            self.publish(out, "ack", false, ack);
        } else {
            // An alert can reach the screen while the link is down: its ack goes at the next
            // connection, so the district learns it was shown.
            if self.held_acks.len() >= HELD_ACKS {
                self.held_acks.pop_front();
            }
            self.held_acks.push_back(ack);
        }
    }

    fn want_batch(&mut self, out: &mut Vec<Action>, now: Instant) {
        if !self.connected || self.in_flight.is_some() || self.fetching {
            return;
        }
        self.last_batch = Some(now);
        self.fetching = true;
        out.push(Action::FetchBatch { max: BATCH });
    }

    /// The records asked for by [`Action::FetchBatch`].
    pub fn batch(&mut self, records: Vec<Record>, now: Instant) -> Vec<Action> {
        self.fetching = false;
        let mut out = Vec::new();
        let (Some(first), Some(last)) = (records.first(), records.last()) else {
            return out;
        };
        if !self.connected || self.in_flight.is_some() {
            return out;
        }
        let (first, last) = (first.n, last.n);
        let payload = batch(&self.identity.board.id, &records);
        self.publish(&mut out, "played", false, payload);
        self.in_flight = Some((first, last, now));
        out
    }

    fn echo(&mut self, out: &mut Vec<Action>, payload: &[u8], now: Instant) {
        // Only the batch in flight is confirmed, by its own numbers: an echo of anything else
        // (a message forged on the broker, a second board given the same id) moves nothing.
        let Some((first, last, _)) = self.in_flight else {
            return;
        };
        let Ok(batch) = serde_json::from_slice::<Value>(payload) else {
            return;
        };
        if batch["board"] != self.identity.board.id.as_str() {
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
        out.push(Action::MarkSent { last });
        // More may be waiting (after an offline period): the next batch at once.
        self.want_batch(out, now);
    }
}

/// A `played` message: the board and its records (with their numbers).
pub fn batch(board: &str, records: &[Record]) -> Value {
    json!({"board": board, "items": records})
}

/// What the reporter task needs besides its reports.
pub struct Setup {
    pub client: AsyncClient,
    pub storage: Storage,
    pub live: Arc<Live>,
    /// The content's seqs, as the network task last saw them.
    pub channels: watch::Receiver<serde_json::Map<String, Value>>,
}

/// The reporter's channel: the sender for the board's parts, the receiver for [`run`].
pub fn channel() -> (Reports, mpsc::Receiver<Report>) {
    let (tx, rx) = mpsc::channel(QUEUE);
    (Reports(tx), rx)
}

/// The reporter task: reports in, actions carried out, until every sender is gone.
pub async fn run(mut reporter: Reporter, setup: Setup, mut rx: mpsc::Receiver<Report>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let actions = tokio::select! {
            report = rx.recv() => match report {
                Some(report) => reporter.handle(report, Instant::now()),
                None => break,
            },
            _ = tick.tick() => reporter.tick(Instant::now()),
        };
        carry_out(&mut reporter, &setup, actions).await;
    }
    setup.storage.send(Command::Flush).await;
}

async fn carry_out(reporter: &mut Reporter, setup: &Setup, actions: Vec<Action>) {
    let mut queue: VecDeque<Action> = actions.into();
    while let Some(action) = queue.pop_front() {
        let more = match action {
            Action::Publish {
                leaf,
                retain,
                payload,
            } => {
                let topic = reporter.topic(leaf);
                if let Err(e) =
                    setup
                        .client
                        .try_publish(topic, QoS::AtLeastOnce, retain, payload.to_string())
                {
                    log::warn!("could not publish the board's {leaf}: {e}");
                }
                Vec::new()
            }
            Action::Flush => {
                setup.storage.send(Command::Flush).await;
                Vec::new()
            }
            Action::MarkSent { last } => {
                setup.storage.send(Command::MarkSent { last }).await;
                Vec::new()
            }
            Action::FetchBatch { max } => {
                let records = setup
                    .storage
                    .ask(|reply| Command::Unsent { max, reply })
                    .await
                    .unwrap_or_default();
                reporter.batch(records, Instant::now())
            }
            Action::WantFigures => {
                let store = setup
                    .storage
                    .ask(|reply| Command::Figures { reply })
                    .await
                    .unwrap_or_default();
                let figures = StatusFigures {
                    store,
                    channels: setup.channels.borrow().clone(),
                    frames: setup.live.frames.load(Ordering::Relaxed),
                    clock_trusted: setup.live.clock_trusted.load(Ordering::Relaxed),
                    at: Some(
                        Utc::now()
                            .with_timezone(&reporter.timezone())
                            .fixed_offset(),
                    ),
                };
                reporter.status(&figures, Instant::now())
            }
        };
        queue.extend(more);
    }
}

#[cfg(test)]
mod tests;
