//! What the board has accepted, and the one way in for a message from the broker.
//!
//! [`Ingest`] is owned by the network task alone (no lock): [`Ingest::check`] runs the trust
//! check (signature, scope, seq marks), the caller has the message stored durably, then
//! [`Ingest::accept`] records its mark and returns the new [`ContentSet`], an immutable
//! snapshot the board's thread receives. At start, [`Ingest::open`] re-verifies every stored
//! message against the trust store as it is now, so a revoked key's content is gone and a
//! tampered file is never shown; a config reload ([`Ingest::set_trust`]) drops at once what
//! the new trust store no longer allows.
//!
//! Pure: no I/O, no clock, no threads. It never panics on a message.

use bangtin_protocol::content::{self, Alert, Channel, ImageRef, Item, Payload, Timestamp};
use bangtin_protocol::trust::{
    Accepted, BoardIdentity, Rejection, SeqMarks, TopicKind, TopicTarget, TrustStore,
};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Who accepted a message: its key (and the public key that verified it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    pub key: String,
    pub public: [u8; 32],
}

/// The channel last accepted on one topic.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelEntry {
    pub signer: Signer,
    pub seq: u64,
    pub target: TopicTarget,
    pub channel: Arc<Channel>,
}

/// The alert message last accepted on one topic.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertEntry {
    pub signer: Signer,
    pub seq: u64,
    pub target: TopicTarget,
    /// When it was signed: an alert without `effective` lasts from here.
    pub issued_at: Timestamp,
    pub alert: Arc<Alert>,
}

/// Everything a board has to show, merged from all its channels: an immutable snapshot.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContentSet {
    /// By topic.
    pub channels: BTreeMap<String, ChannelEntry>,
    pub alerts: BTreeMap<String, AlertEntry>,
    /// The latest `issued_at` of any message accepted (a clock earlier than it is wrong).
    pub newest_issued_at: Option<Timestamp>,
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

    /// The item `id` of the channel on `topic`.
    pub fn item(&self, topic: &str, id: &str) -> Option<&Item> {
        self.channels
            .get(topic)?
            .channel
            .items
            .iter()
            .find(|i| i.id == id)
    }

    /// Every image the content refers to (items and alerts), for the asset fetcher.
    pub fn images(&self) -> Vec<&ImageRef> {
        self.channels
            .values()
            .flat_map(|e| e.channel.items.iter().filter_map(|i| i.kind.image()))
            .chain(self.alerts.values().filter_map(|e| e.alert.image.as_ref()))
            .collect()
    }

    /// Every video the channels name.
    pub fn videos(&self) -> Vec<&bangtin_protocol::content::VideoRef> {
        self.channels
            .values()
            .flat_map(|e| e.channel.items.iter())
            .filter_map(|i| match &i.kind {
                bangtin_protocol::content::ItemKind::Video { video, .. } => Some(video),
                _ => None,
            })
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
        signer: Signer,
        issued_at: Timestamp,
        alert: Arc<Alert>,
    },
    /// A command for this board; commands are not stored.
    Command { seq: u64, command: content::Command },
    /// The trust store changed (a reload): the content of these (topic, key) pairs is no
    /// longer allowed and is gone.
    Revoked { removed: Vec<(String, String)> },
}

/// The board's trust, marks and content, owned by the network task.
pub struct Ingest {
    identity: BoardIdentity,
    trust: TrustStore,
    marks: SeqMarks,
    content: Arc<ContentSet>,
}

/// What [`Ingest::open`] found in the store.
#[derive(Debug, Default)]
pub struct Opened {
    /// Stored messages accepted again.
    pub loaded: usize,
    /// Topics whose stored message is no longer accepted: to remove from the store.
    pub remove: Vec<String>,
}

impl Ingest {
    /// Rebuilds the state from the store's stored envelopes (`(path, raw)`, as the store lists
    /// them) and saved marks. `envelope_path` tells the file a topic's envelope belongs in: a
    /// file under another topic's name is ignored.
    pub fn open(
        identity: BoardIdentity,
        trust: TrustStore,
        saved_marks: Option<&[u8]>,
        stored: Vec<(std::path::PathBuf, Vec<u8>)>,
        envelope_path: impl Fn(&str) -> std::path::PathBuf,
    ) -> (Ingest, Opened) {
        let mut marks: SeqMarks = match saved_marks.map(serde_json::from_slice) {
            Some(Ok(m)) => m,
            Some(Err(e)) => {
                log::warn!("seq marks in the store are unreadable ({e}); rebuilding them from the stored messages");
                SeqMarks::default()
            }
            None => SeqMarks::default(),
        };
        let mut ingest = Ingest {
            identity,
            trust,
            marks: SeqMarks::default(),
            content: Arc::new(ContentSet::default()),
        };
        let mut opened = Opened::default();
        for (path, raw) in stored {
            // The topic is inside the signed body; the file name is only a hash of it.
            let topic = content::parse_envelope(&raw)
                .ok()
                .and_then(|e| content::parse_body(&e.body).ok())
                .map(|b| b.topic);
            let verdict = match &topic {
                Some(t) => ingest
                    .trust
                    .check(&ingest.identity, t, &raw, &SeqMarks::default()),
                None => Err(Rejection::Malformed("unreadable stored message".into())),
            };
            match verdict {
                Ok(accepted) if envelope_path(&accepted.topic) == path => {
                    marks.record(&accepted.key, &accepted.topic, accepted.mark());
                    ingest.apply(&accepted);
                    opened.loaded += 1;
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
                    opened.remove.extend(topic);
                }
            }
        }
        ingest.marks = marks;
        (ingest, opened)
    }

    pub fn identity(&self) -> &BoardIdentity {
        &self.identity
    }

    /// The content now, shared.
    pub fn content(&self) -> &Arc<ContentSet> {
        &self.content
    }

    /// The marks, as the store keeps them.
    pub fn marks_json(&self) -> Vec<u8> {
        serde_json::to_vec(&self.marks).unwrap_or_default()
    }

    /// The trust check of one message from the broker (CPU only; nothing changes).
    pub fn check(&self, topic: &str, payload: &[u8]) -> Result<Accepted, Rejection> {
        self.trust
            .check(&self.identity, topic, payload, &self.marks)
    }

    /// Takes a checked message in, once it is stored (or failed to be: showing new content
    /// beats showing none). Returns what changed; [`Ingest::content`] is the new snapshot.
    pub fn accept(&mut self, accepted: &Accepted) -> Change {
        self.marks
            .record(&accepted.key, &accepted.topic, accepted.mark());
        self.apply(accepted)
    }

    fn apply(&mut self, a: &Accepted) -> Change {
        let content = Arc::make_mut(&mut self.content);
        if content
            .newest_issued_at
            .is_none_or(|t| a.body.issued_at > t)
        {
            content.newest_issued_at = Some(a.body.issued_at);
        }
        let signer = Signer {
            key: a.key.clone(),
            public: a.public,
        };
        match &a.body.payload {
            Payload::Channel(channel) => {
                content.channels.insert(
                    a.topic.clone(),
                    ChannelEntry {
                        signer,
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
                content.alerts.insert(
                    a.topic.clone(),
                    AlertEntry {
                        signer: signer.clone(),
                        seq: a.seq,
                        target: a.target.clone(),
                        issued_at: a.body.issued_at,
                        alert: alert.clone(),
                    },
                );
                Change::Alert {
                    topic: a.topic.clone(),
                    seq: a.seq,
                    signer,
                    issued_at: a.body.issued_at,
                    alert,
                }
            }
            Payload::Command(command) => Change::Command {
                seq: a.seq,
                command: command.clone(),
            },
        }
    }

    /// A new identity and trust store (a config reload). Content the new ones no longer allow
    /// leaves the snapshot at once; returns its (topic, key) pairs, for the store and the
    /// board (the alerts they brought end too). `None` when nothing was removed.
    pub fn set_trust(&mut self, identity: BoardIdentity, trust: TrustStore) -> Option<Change> {
        self.identity = identity;
        self.trust = trust;
        let (board, trust) = (&self.identity, &self.trust);
        let allowed = |signer: &Signer, kind: TopicKind, target: &TopicTarget| {
            trust.still_allows(board, &signer.key, &signer.public, kind, target)
        };
        let mut removed = Vec::new();
        for (topic, e) in &self.content.channels {
            if !allowed(&e.signer, TopicKind::Content, &e.target) {
                removed.push((topic.clone(), e.signer.key.clone()));
            }
        }
        for (topic, e) in &self.content.alerts {
            if !allowed(&e.signer, TopicKind::Alert, &e.target) {
                removed.push((topic.clone(), e.signer.key.clone()));
            }
        }
        if removed.is_empty() {
            return None;
        }
        let content = Arc::make_mut(&mut self.content);
        for (topic, _) in &removed {
            content.channels.remove(topic);
            content.alerts.remove(topic);
        }
        Some(Change::Revoked { removed })
    }
}
