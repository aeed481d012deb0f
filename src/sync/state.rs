//! The board's content state: what it has accepted, durably stored, and merged.
//!
//! [`BoardState::ingest`] is the one way in for a message from the broker: trust check, then
//! the store (the message as received, then the sequence marks), then memory. On start,
//! [`BoardState::open`] re-verifies every stored message against the trust store as it is now,
//! so a revoked key's content disappears and a tampered file is never shown. Opening never
//! touches the network: a board with no broker shows its cached programme at once.

use crate::content::{Alert, Channel, Command, ImageRef, Item, Payload};
use crate::store::{self, Store};
use crate::trust::{Accepted, BoardIdentity, Rejection, SeqMarks, TopicTarget, TrustStore};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Name of the seq marks in the store's state.
const MARKS: &str = "seq-marks";

/// The channel last accepted on one topic.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelEntry {
    pub key: String,
    pub seq: u64,
    pub target: TopicTarget,
    pub channel: Arc<Channel>,
}

/// The alert message last accepted on one topic.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertEntry {
    pub key: String,
    pub seq: u64,
    pub target: TopicTarget,
    pub alert: Arc<Alert>,
}

/// Everything a board has to show, merged from all its channels.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContentSet {
    /// By topic.
    pub channels: BTreeMap<String, ChannelEntry>,
    pub alerts: BTreeMap<String, AlertEntry>,
}

impl ContentSet {
    /// Every item, widest area first (country, province, district, commune, then the board's
    /// own channel), in channel order within each: (topic, item).
    pub fn items(&self) -> Vec<(&str, &Item)> {
        let mut channels: Vec<(&String, &ChannelEntry)> = self.channels.iter().collect();
        channels.sort_by_key(|(topic, e)| {
            let depth = match &e.target {
                TopicTarget::Area(segs) => segs.len(),
                TopicTarget::Board(_) => usize::MAX,
            };
            (depth, topic.as_str())
        });
        channels
            .into_iter()
            .flat_map(|(t, e)| e.channel.items.iter().map(move |i| (t.as_str(), i)))
            .collect()
    }

    /// The items that can be shown now: those whose image, if given by URL, is already in
    /// the store (`has_asset`). The others are held back until it arrives, never shown broken.
    pub fn items_ready(&self, has_asset: impl Fn(&str) -> bool) -> Vec<(&str, &Item)> {
        self.items()
            .into_iter()
            .filter(|(_, item)| match item.kind.image() {
                Some(ImageRef::Url { sha256, .. }) => has_asset(sha256),
                _ => true,
            })
            .collect()
    }

    /// Every image the content refers to (items and alerts), for the asset fetcher.
    pub fn images(&self) -> Vec<&ImageRef> {
        self.channels
            .values()
            .flat_map(|e| e.channel.items.iter().filter_map(|i| i.kind.image()))
            .chain(self.alerts.values().filter_map(|e| e.alert.image.as_ref()))
            .collect()
    }

    /// The seq of each channel and alert topic, for status reports.
    pub fn seqs(&self) -> BTreeMap<&str, u64> {
        self.channels
            .iter()
            .map(|(t, e)| (t.as_str(), e.seq))
            .chain(self.alerts.iter().map(|(t, e)| (t.as_str(), e.seq)))
            .collect()
    }
}

/// What an accepted message changed.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A channel was replaced (an empty one clears the topic).
    Channel { topic: String, seq: u64 },
    /// An alert message: the message itself, since a later one on the same topic may replace
    /// it in the content before the board applies this one.
    Alert {
        topic: String,
        seq: u64,
        alert: Arc<Alert>,
    },
    /// A command for this board; commands are not stored.
    Command { seq: u64, command: Command },
}

/// Why a message changed nothing.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("rejected: {0}")]
    Rejected(#[from] Rejection),
}

/// The board's trust, marks, store and merged content.
pub struct BoardState {
    identity: BoardIdentity,
    trust: TrustStore,
    store: Arc<Store>,
    marks: SeqMarks,
    content: ContentSet,
    /// The last store failure, for status (`last_error`); the board keeps running on memory.
    pub last_store_error: Option<String>,
    /// The latest `issued_at` of any message accepted (a clock earlier than it is wrong).
    newest_issued_at: Option<crate::content::Timestamp>,
}

impl BoardState {
    /// Opens the state from the store: marks, then every stored envelope, re-verified.
    pub fn open(identity: BoardIdentity, trust: TrustStore, store: Store) -> BoardState {
        let mut marks: SeqMarks = match store.state(MARKS) {
            Ok(Some(bytes)) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                log::warn!("seq marks in the store are unreadable ({e}); rebuilding them from the stored messages");
                SeqMarks::default()
            }),
            Ok(None) => SeqMarks::default(),
            Err(e) => {
                log::warn!("cannot read seq marks: {e}; rebuilding them from the stored messages");
                SeqMarks::default()
            }
        };
        let mut state = BoardState {
            identity,
            trust,
            store: Arc::new(store),
            marks: SeqMarks::default(),
            content: ContentSet::default(),
            last_store_error: None,
            newest_issued_at: None,
        };
        let stored = match state.store.envelopes() {
            Ok(list) => list,
            Err(e) => {
                log::error!("cannot list the stored messages: {e}; starting empty");
                state.last_store_error = Some(e.to_string());
                Vec::new()
            }
        };
        let mut loaded = 0;
        for (path, raw) in stored {
            // The topic is inside the signed body; the file name is only a hash of it.
            let topic = crate::content::parse_envelope(&raw)
                .ok()
                .and_then(|e| crate::content::parse_body(&e.body).ok())
                .map(|b| b.topic);
            let verdict = match &topic {
                Some(t) => state
                    .trust
                    .check(&state.identity, t, &raw, &SeqMarks::default()),
                None => Err(Rejection::Malformed("unreadable stored message".into())),
            };
            match verdict {
                Ok(accepted) if state.store.envelope_path(&accepted.topic) == path => {
                    marks.record(&accepted.key, &accepted.topic, accepted.mark());
                    state.apply(&accepted);
                    loaded += 1;
                }
                Ok(accepted) => {
                    // A file under another topic's name (copied by hand?): authentic, but
                    // not where it belongs; the file for its own topic is the one that counts.
                    log::warn!(
                        "{} holds a message for {}, not its own topic; ignored",
                        path.display(),
                        accepted.topic
                    );
                }
                Err(reason) => {
                    log::warn!(
                        "stored message {} is no longer accepted: {reason}; removed",
                        path.display()
                    );
                    if let Some(t) = topic {
                        if let Err(e) = state.store.remove_envelope(&t) {
                            log::warn!("could not remove {}: {e}", path.display());
                        }
                    }
                }
            }
        }
        state.marks = marks;
        log::info!(
            "loaded {loaded} stored message(s) from {}",
            state.store.dir().display()
        );
        state
    }

    pub fn identity(&self) -> &BoardIdentity {
        &self.identity
    }

    pub fn content(&self) -> &ContentSet {
        &self.content
    }

    /// The store, shared (the asset fetcher writes to it from its own tasks).
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    pub fn marks(&self) -> &SeqMarks {
        &self.marks
    }

    /// Replaces the trust store (a config reload); content already accepted stays until the
    /// next start re-verifies it.
    pub fn set_trust(&mut self, trust: TrustStore) {
        self.trust = trust;
    }

    /// Takes one message from the broker. Stored durably before it counts: the message as
    /// received, then its mark. A store failure is logged and kept for status, and the change
    /// still applies in memory (showing new content beats showing none).
    pub fn ingest(&mut self, topic: &str, payload: &[u8]) -> Result<Change, IngestError> {
        let accepted = self
            .trust
            .check(&self.identity, topic, payload, &self.marks)?;
        if let Payload::Command(command) = &accepted.body.payload {
            self.marks
                .record(&accepted.key, &accepted.topic, accepted.mark());
            self.save_marks();
            return Ok(Change::Command {
                seq: accepted.seq,
                command: command.clone(),
            });
        }
        if let Err(e) = self.store.put_envelope(topic, payload) {
            log::error!("could not store the message for {topic}: {e}");
            self.last_store_error = Some(e.to_string());
        }
        self.marks
            .record(&accepted.key, &accepted.topic, accepted.mark());
        self.save_marks();
        let change = self.apply(&accepted);
        self.evict_unused_assets();
        Ok(change)
    }

    /// Keeps the store within its budget: assets no current item or alert shows may go.
    fn evict_unused_assets(&mut self) {
        let keep: std::collections::HashSet<String> = self
            .content
            .images()
            .into_iter()
            .map(|i| i.sha256().to_owned())
            .collect();
        match self.store.evict_assets(&keep) {
            Ok(0) => {}
            Ok(freed) => log::info!("store: evicted {freed} bytes of images no longer shown"),
            Err(e) => {
                log::warn!("store: eviction failed: {e}");
                self.last_store_error = Some(e.to_string());
            }
        }
    }

    fn save_marks(&mut self) {
        let result = serde_json::to_vec(&self.marks)
            .map_err(|e| e.to_string())
            .and_then(|json| {
                self.store
                    .put_state(MARKS, &json)
                    .map_err(|e| e.to_string())
            });
        if let Err(e) = result {
            log::error!("could not store the seq marks: {e}");
            self.last_store_error = Some(e);
        }
    }

    /// The latest `issued_at` of the messages accepted (cache and network): a clock that reads
    /// at least this late is not stuck in the past.
    pub fn newest_issued_at(&self) -> Option<&crate::content::Timestamp> {
        self.newest_issued_at.as_ref()
    }

    fn apply(&mut self, a: &Accepted) -> Change {
        if self.newest_issued_at.is_none_or(|t| a.body.issued_at > t) {
            self.newest_issued_at = Some(a.body.issued_at);
        }
        match &a.body.payload {
            Payload::Channel(channel) => {
                self.content.channels.insert(
                    a.topic.clone(),
                    ChannelEntry {
                        key: a.key.clone(),
                        seq: a.seq,
                        target: a.target.clone(),
                        channel: Arc::new(channel.clone()),
                    },
                );
                Change::Channel {
                    topic: a.topic.clone(),
                    seq: a.seq,
                }
            }
            Payload::Alert(alert) => {
                let alert = Arc::new(alert.clone());
                self.content.alerts.insert(
                    a.topic.clone(),
                    AlertEntry {
                        key: a.key.clone(),
                        seq: a.seq,
                        target: a.target.clone(),
                        alert: alert.clone(),
                    },
                );
                Change::Alert {
                    topic: a.topic.clone(),
                    seq: a.seq,
                    alert,
                }
            }
            Payload::Command(command) => Change::Command {
                seq: a.seq,
                command: command.clone(),
            },
        }
    }
}

/// Re-exported for callers that only need the store's error type.
pub type StoreError = store::Error;

impl super::assets::AssetSink for Store {
    fn has(&self, sha256: &str) -> bool {
        self.has_asset(sha256)
    }

    fn put(&self, sha256: &str, bytes: &[u8]) -> Result<(), String> {
        self.put_asset(sha256, bytes).map_err(|e| e.to_string())
    }
}
