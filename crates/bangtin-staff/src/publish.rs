//! Publishing: a channel (or an alert) checked the way a board will check it, signed with an
//! always-increasing seq, sent retained at QoS 1, and followed to the boards of its area until
//! each online board has acknowledged it (or shown it) or the wait is over.

use crate::acks::{Delivery, Want};
use crate::document::{self, Loaded};
use crate::fleet::BoardStatus;
use crate::i18n::Msg;
use crate::net::{self, BrokerSpec, Session};
use crate::repair::{repair_text, Repaired};
use crate::source::{self, Warning};
use crate::target::Target;
use crate::Error;
use bangtin_protocol::content::{AlertStatus, Document, Payload};
use bangtin_protocol::trust::{board_topic, parse_topic, TopicKind};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;
use tokio::time::Instant;

/// How long retained statuses may take to arrive after subscribing: the broker sends them at
/// once, so a short quiet spell means all are in.
pub const SETTLE: Duration = Duration::from_millis(700);
/// The longest the retained statuses are waited for.
pub const SETTLE_MAX: Duration = Duration::from_secs(5);
/// The longest a connection to the broker may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A channel or alert ready to sign: checked, repaired, with where it goes.
pub struct Draft {
    pub topic: String,
    pub payload: Payload,
    /// The content file as checked (its pictures, for a preview).
    pub loaded: Loaded,
    /// What the officer should know (pictures re-encoded and the like).
    pub warnings: Vec<Warning>,
    /// Text converted from a legacy encoding, before and after.
    pub repairs: Vec<Repaired>,
}

/// Whether `path` is in the officers' format (Markdown or TOML) rather than protocol JSON.
pub fn is_source(path: &Path) -> bool {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    matches!(ext.as_str(), "md" | "markdown" | "toml")
}

/// Reads what an officer wants to publish: several Markdown files of one area (one channel),
/// a TOML channel, or a channel or alert as protocol JSON (which needs `topic`). A source file
/// names its area itself; `topic` overrides it.
pub fn prepare<P: AsRef<Path>>(
    files: &[P],
    topic: Option<&str>,
    prefix: &str,
) -> Result<Draft, Error> {
    let Some(first) = files.first().map(AsRef::as_ref) else {
        return Err(Error::Input(vec!["nothing to publish: give a file".into()]));
    };
    let name = first.display().to_string();
    let (mut doc, topic, warnings) = if files.len() > 1 || is_source(first) {
        let source = source::load_all(files).map_err(Error::Input)?;
        let topic = topic
            .map(str::to_owned)
            .unwrap_or_else(|| source.target.content_topic(prefix));
        (source.channel, topic, source.warnings)
    } else {
        let bytes = std::fs::read(first)
            .map_err(|e| Error::Input(vec![format!("cannot read {name}: {e}")]))?;
        let doc: Value = serde_json::from_slice(&bytes)
            .map_err(|e| Error::Input(vec![format!("{name}: not JSON: {e}")]))?;
        let topic = topic.map(str::to_owned).ok_or_else(|| {
            Error::Input(vec![format!(
                "{name} is JSON: give --topic (a .md or .toml file names its area itself)"
            )])
        })?;
        (doc, topic, Vec::new())
    };
    let repairs = repair_text(&mut doc);
    let bytes = serde_json::to_vec(&doc).unwrap_or_default();
    let mut loaded = document::load_bytes(name.clone(), &bytes, None)?;
    for w in &warnings {
        if let source::Warning::VideoChecked { path, sha256, .. } = w {
            if let Err(e) = loaded.add_poster(sha256, path) {
                log::warn!("no poster for the clip {}: {e}", path.display());
            }
        }
    }
    let payload = match &loaded.document {
        Document::Channel(c) => Payload::Channel(c.clone()),
        Document::Alert(a) => Payload::Alert(a.clone()),
        Document::Envelope(..) => {
            return Err(Error::Input(vec![format!(
                "{name} is already a signed envelope; give the channel or alert itself"
            )]))
        }
    };
    check_topic(&topic, &payload)?;
    Ok(Draft {
        topic,
        payload,
        loaded,
        warnings,
        repairs,
    })
}

/// The prefix of a bangtin topic: everything before `/content/`, `/alert/` or `/board/`.
fn topic_prefix(topic: &str) -> &str {
    ["/content/", "/alert/", "/board/"]
        .iter()
        .filter_map(|m| topic.find(m))
        .min()
        .map_or(topic, |i| &topic[..i])
}

/// A channel goes to a content topic, an alert to an alert topic.
pub fn check_topic(topic: &str, payload: &Payload) -> Result<(), Error> {
    let kind_ok = matches!(
        (payload, parse_topic(topic_prefix(topic), topic)),
        (Payload::Channel(_), Some((TopicKind::Content, _)))
            | (Payload::Alert(_), Some((TopicKind::Alert, _)))
    );
    if kind_ok {
        Ok(())
    } else {
        Err(Error::Input(vec![format!(
            "topic {topic:?} does not take a {}: use PREFIX/content/AREA (or content/board/ID) \
             for a channel, PREFIX/alert/AREA for an alert",
            payload.kind()
        )]))
    }
}

/// What counts as delivered for `payload`: an alert is followed to the screen (a test alert
/// only to receipt), a channel to receipt (it waits for its turn in the rotation).
pub fn want_for(payload: &Payload) -> Want {
    match payload {
        Payload::Alert(a) if a.status != AlertStatus::Test => Want::Shown,
        _ => Want::Received,
    }
}

/// The end of following a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Every board known to be online acknowledged it (or there was none to ask); an alert
    /// counts as acknowledged by a board that holds it and waits to show it at its turn
    /// behind another alert (said through `on` as [`Msg::WaitingBehind`]).
    pub complete: bool,
    /// Boards that were online and did not acknowledge in time.
    pub missing: Vec<String>,
}

/// Publishes `envelope` (retained) on `topic` and follows it: which boards of its area
/// acknowledge it (`want`), reporting progress through `on` as acks come, until all have or
/// `wait` is over. With a zero `wait` it only publishes.
pub async fn deliver(
    broker: &BrokerSpec,
    topic: &str,
    envelope: Vec<u8>,
    seq: u64,
    want: Want,
    wait: Duration,
    on: &mut dyn FnMut(Msg),
) -> Result<Outcome, Error> {
    let prefix = broker.prefix.as_str();
    let target = Target::of_topic(prefix, topic).ok_or_else(|| {
        Error::Input(vec![format!(
            "{topic} is not a content or alert topic under the prefix {prefix:?} (--prefix)"
        )])
    })?;
    let options = broker.options("publish", None)?;
    let mut session = Session::connect(options, CONNECT_TIMEOUT)
        .await
        .map_err(Error::Failed)?;
    let mut statuses = BTreeMap::new();
    if !wait.is_zero() {
        statuses = net::statuses(&mut session, prefix, SETTLE, SETTLE_MAX)
            .await
            .map_err(Error::Failed)?;
        session
            .subscribe(&[board_topic(prefix, "+", "ack")])
            .await
            .map_err(Error::Failed)?;
    }
    session
        .publish(topic, envelope, true)
        .await
        .map_err(Error::Failed)?;
    on(Msg::Sent {
        topic: topic.to_owned(),
        seq,
    });
    if wait.is_zero() {
        session.close().await;
        return Ok(Outcome {
            complete: true,
            missing: Vec::new(),
        });
    }
    let result = follow(
        &mut session,
        prefix,
        topic,
        seq,
        want,
        &target,
        &statuses,
        wait,
        on,
    )
    .await;
    session.close().await;
    result
}

/// Follows acks of (`topic`, `seq`) on a session subscribed to them.
#[allow(clippy::too_many_arguments)]
async fn follow(
    session: &mut Session,
    prefix: &str,
    topic: &str,
    seq: u64,
    want: Want,
    target: &Target,
    statuses: &BTreeMap<String, BoardStatus>,
    wait: Duration,
    on: &mut dyn FnMut(Msg),
) -> Result<Outcome, Error> {
    let mut delivery = Delivery::new(topic, seq, want, target, statuses, crate::board_now());
    if delivery.expected.is_empty() {
        // A whole area without power or network, or no board there at all.
        let none_online = !delivery.offline.is_empty();
        on(if none_online {
            Msg::NoneOnline {
                offline: delivery.offline.iter().cloned().collect(),
            }
        } else {
            Msg::NoBoardsInArea {
                area: target.describe().to_owned(),
            }
        });
        return Ok(Outcome {
            complete: !none_online,
            missing: Vec::new(),
        });
    }
    let progress = |d: &Delivery| match want {
        Want::Shown => d.progress(),
        Want::Received => Msg::ReceivedBy {
            received: d.done_boards().len(),
            total: d.expected.len() + d.offline.len(),
            offline: d.offline.iter().cloned().collect(),
        },
    };
    // A message each time the count changes (receipts alone do not change "showing").
    let mut last = progress(&delivery);
    on(last.clone());
    let end = Instant::now() + wait.min(Duration::from_secs(24 * 3600));
    let mut next_note = Instant::now() + Duration::from_secs(5);
    let mut told = std::collections::BTreeSet::new();
    // Done when every board showed it or, at the end, said it waits for its turn.
    while !delivery.complete() && Instant::now() < end {
        match session
            .next(next_note.min(end))
            .await
            .map_err(Error::Failed)?
        {
            Some((t, payload)) if delivery.take(prefix, &t, &payload) => {
                for (board, behind) in delivery.waiting_behind() {
                    if told.insert((board.clone(), behind.clone())) {
                        on(Msg::WaitingBehind { board, behind });
                    }
                }
                let now = progress(&delivery);
                if now != last {
                    on(now.clone());
                    last = now;
                }
            }
            Some(_) => {}
            None if Instant::now() >= next_note => {
                next_note = Instant::now() + Duration::from_secs(5);
                let left = end.saturating_duration_since(Instant::now()).as_secs();
                on(Msg::Waiting { seconds_left: left });
            }
            None => {}
        }
    }
    if delivery.complete() {
        on(Msg::AllAcknowledged {
            total: delivery.expected.len(),
        });
        Ok(Outcome {
            complete: true,
            missing: Vec::new(),
        })
    } else {
        // A board that holds the alert behind another is not a board that did not answer.
        for (board, behind) in delivery.waiting_behind() {
            on(Msg::WaitingBehind { board, behind });
        }
        let missing = delivery.missing();
        if !missing.is_empty() {
            on(Msg::NotAcknowledged {
                boards: missing.clone(),
            });
        }
        Ok(Outcome {
            complete: missing.is_empty(),
            missing,
        })
    }
}
