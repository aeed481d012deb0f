//! Trust: who may change what a board shows.
//!
//! Every message staff publish is a signed envelope (docs/protocol.md). This module decides,
//! for one message on one topic, whether this board accepts it: a known, unrevoked key; a
//! strictly verified Ed25519 signature over the exact body bytes; the body bound to the topic
//! it arrived on; the key's scopes covering that topic; the alert right for alerts; and a
//! sequence number above the last one accepted for that key and topic.
//!
//! Pure: no I/O, no clock. It never panics on input; every refusal is a [`Rejection`] that
//! says why in words an operator can act on.

mod topic;

pub use topic::{board_topic, parse_topic, subscriptions, topic_for, TopicKind, TopicTarget};

use crate::content::{self, limits, Body, Envelope, Payload};
pub use crate::ids::{is_slug, parse_area};
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

/// Who this board is: the topics it listens to and the area its scopes are checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardIdentity {
    /// The board id, a slug: `xuan-non-01`.
    pub id: String,
    /// The area path, by segment: `["vn", "ha-noi", "dong-anh", "xuan-non"]`.
    pub area: Vec<String>,
    /// The topic prefix, default `bangtin/v1`.
    pub prefix: String,
}

/// What a key may publish to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    /// An area and everything under it: `vn/ha-noi/dong-anh`.
    Area(Vec<String>),
    /// One board: `board/xuan-non-01`.
    Board(String),
}

impl Scope {
    /// Parses `vn/ha-noi` or `board/xuan-non-01`.
    pub fn parse(s: &str) -> Option<Scope> {
        match s.strip_prefix("board/") {
            Some(id) if is_slug(id) => Some(Scope::Board(id.to_owned())),
            Some(_) => None,
            None => parse_area(s).map(Scope::Area),
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Area(segs) => f.write_str(&segs.join("/")),
            Scope::Board(id) => write!(f, "board/{id}"),
        }
    }
}

/// One entry of the trust store (board config `[[trust]]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedKey {
    pub id: String,
    pub public: VerifyingKey,
    pub scopes: Vec<Scope>,
    /// May publish alerts (khẩn cấp).
    pub alerts: bool,
}

/// Decodes a base64 Ed25519 public key, refusing malformed and weak (small-order) keys.
pub fn parse_public_key(b64: &str) -> Result<VerifyingKey, String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|e| format!("is not valid base64: {e}"))?;
    let bytes: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
        format!(
            "must be 32 bytes of Ed25519 public key, got {}",
            bytes.len()
        )
    })?;
    let key = VerifyingKey::from_bytes(&bytes)
        .map_err(|_| "is not a valid Ed25519 public key".to_owned())?;
    if key.is_weak() {
        return Err("is a weak Ed25519 key (small order) and can never be trusted".into());
    }
    Ok(key)
}

/// The keys a board trusts, and those it has revoked.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    keys: HashMap<String, TrustedKey>,
    revoked: HashSet<String>,
}

/// The last accepted message of one (key, topic).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    pub seq: u64,
    /// sha256 of the body text, to tell a redelivered duplicate from a replay.
    #[serde(with = "hex32")]
    pub body_sha256: [u8; 32],
}

/// Sequence high-water marks per (key, topic); persisted by the store across restarts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeqMarks {
    /// key id -> topic -> mark (nested maps keep the JSON readable and stable).
    marks: BTreeMap<String, BTreeMap<String, Mark>>,
}

impl SeqMarks {
    pub fn get(&self, key: &str, topic: &str) -> Option<Mark> {
        self.marks.get(key)?.get(topic).copied()
    }

    /// Records an accepted message; a mark never goes down.
    pub fn record(&mut self, key: &str, topic: &str, mark: Mark) {
        let slot = self
            .marks
            .entry(key.to_owned())
            .or_default()
            .entry(topic.to_owned());
        match slot {
            std::collections::btree_map::Entry::Occupied(mut o) => {
                if mark.seq > o.get().seq {
                    o.insert(mark);
                }
            }
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(mark);
            }
        }
    }

    /// Every mark, as (key, topic, mark).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str, Mark)> {
        self.marks.iter().flat_map(|(k, t)| {
            t.iter()
                .map(move |(topic, m)| (k.as_str(), topic.as_str(), *m))
        })
    }
}

/// A message this board accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    pub key: String,
    /// The public key that verified it: a later trust store may give the id another key.
    pub public: [u8; 32],
    pub topic: String,
    pub kind: TopicKind,
    pub target: TopicTarget,
    pub seq: u64,
    pub body_sha256: [u8; 32],
    pub body: Body,
}

impl Accepted {
    pub fn mark(&self) -> Mark {
        Mark {
            seq: self.seq,
            body_sha256: self.body_sha256,
        }
    }
}

/// Why a message is refused. Every case but [`Rejection::Duplicate`] is logged as a warning;
/// none changes anything on screen.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Rejection {
    #[error("the same message again (seq {seq}); already applied")]
    Duplicate { seq: u64 },
    #[error("message is {size} bytes, over the limit of {limit}")]
    Oversized { size: usize, limit: usize },
    #[error("an empty (unsigned) retained clear; only a signed empty channel or a cancel may clear a board")]
    UnsignedClear,
    #[error("not a valid envelope: {0}")]
    Malformed(String),
    #[error("key {0:?} is not in this board's trust store")]
    UnknownKey(String),
    #[error("key {0:?} has been revoked")]
    RevokedKey(String),
    #[error("signature does not verify with key {0:?}")]
    BadSignature(String),
    #[error("body topic {body:?} is not the topic it arrived on ({topic:?})")]
    TopicMismatch { topic: String, body: String },
    #[error("topic {0:?} is not one this board listens to")]
    NotForThisBoard(String),
    #[error("a {payload} does not belong on the {topic_kind} topic {topic:?}")]
    KindMismatch {
        topic: String,
        topic_kind: &'static str,
        payload: &'static str,
    },
    #[error("key {key:?} may publish to {scopes}, not to {topic:?}")]
    OutOfScope {
        key: String,
        scopes: String,
        topic: String,
    },
    #[error("key {0:?} has no right to send alerts")]
    NoAlertRight(String),
    #[error("replayed or out of order: seq {got} is not above {last}, the last accepted for key {key:?} on this topic")]
    Replay { key: String, last: u64, got: u64 },
    #[error("seq {seq} was already used by key {key:?} on this topic with another body")]
    SameSeqOtherBody { key: String, seq: u64 },
}

impl Rejection {
    /// Duplicates are normal (a retained message redelivered after a reconnect): not logged.
    pub fn is_silent(&self) -> bool {
        matches!(self, Rejection::Duplicate { .. })
    }
}

impl TrustStore {
    pub fn new(keys: Vec<TrustedKey>, revoked: impl IntoIterator<Item = String>) -> TrustStore {
        TrustStore {
            keys: keys.into_iter().map(|k| (k.id.clone(), k)).collect(),
            revoked: revoked.into_iter().collect(),
        }
    }

    pub fn key(&self, id: &str) -> Option<&TrustedKey> {
        self.keys.get(id)
    }

    /// Decides whether `board` accepts `payload` arriving on `topic`, given the marks so far.
    /// The caller stores an accepted message durably first, then records its mark.
    pub fn check(
        &self,
        board: &BoardIdentity,
        topic: &str,
        payload: &[u8],
        marks: &SeqMarks,
    ) -> Result<Accepted, Rejection> {
        if payload.len() > limits::MESSAGE_BYTES {
            return Err(Rejection::Oversized {
                size: payload.len(),
                limit: limits::MESSAGE_BYTES,
            });
        }
        if payload.is_empty() {
            return Err(Rejection::UnsignedClear);
        }
        let envelope =
            content::parse_envelope(payload).map_err(|p| Rejection::Malformed(p.to_string()))?;
        let key = self.verify_signature(&envelope)?;
        // Only now, with the signature good, is the body parsed in depth.
        let body = content::parse_body(&envelope.body)
            .map_err(|p| Rejection::Malformed(format!("body: {p}")))?;
        if body.topic != topic {
            return Err(Rejection::TopicMismatch {
                topic: topic.to_owned(),
                body: body.topic.clone(),
            });
        }
        let (kind, target) = parse_topic(&board.prefix, topic)
            .filter(|(_, target)| target.concerns(board))
            .ok_or_else(|| Rejection::NotForThisBoard(topic.to_owned()))?;
        let payload_kind = body.payload.kind();
        let fits = matches!(
            (kind, &body.payload),
            (TopicKind::Content, Payload::Channel(_))
                | (TopicKind::Alert, Payload::Alert(_))
                | (TopicKind::Command, Payload::Command(_))
        );
        if !fits {
            return Err(Rejection::KindMismatch {
                topic: topic.to_owned(),
                topic_kind: kind.name(),
                payload: payload_kind,
            });
        }
        if !key.scopes.iter().any(|s| target.covered_by(s, board)) {
            return Err(Rejection::OutOfScope {
                key: key.id.clone(),
                scopes: key
                    .scopes
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                topic: topic.to_owned(),
            });
        }
        if kind == TopicKind::Alert && !key.alerts {
            return Err(Rejection::NoAlertRight(key.id.clone()));
        }
        let body_sha256: [u8; 32] = Sha256::digest(envelope.body.as_bytes()).into();
        if let Some(last) = marks.get(&key.id, topic) {
            if body.seq == last.seq {
                return Err(if last.body_sha256 == body_sha256 {
                    Rejection::Duplicate { seq: body.seq }
                } else {
                    Rejection::SameSeqOtherBody {
                        key: key.id.clone(),
                        seq: body.seq,
                    }
                });
            }
            if body.seq < last.seq {
                return Err(Rejection::Replay {
                    key: key.id.clone(),
                    last: last.seq,
                    got: body.seq,
                });
            }
        }
        Ok(Accepted {
            key: key.id.clone(),
            public: key.public.to_bytes(),
            topic: topic.to_owned(),
            kind,
            target,
            seq: body.seq,
            body_sha256,
            body,
        })
    }

    /// Whether a message accepted earlier, signed by `key` (whose public key was `public`) on
    /// a topic of `kind` for `target`, would still be accepted by this trust store and
    /// `board` (after a config reload): the key known, not revoked, the same public key, its
    /// scopes covering the target, the alert right for alerts, the topic still this board's.
    pub fn still_allows(
        &self,
        board: &BoardIdentity,
        key: &str,
        public: &[u8; 32],
        kind: TopicKind,
        target: &TopicTarget,
    ) -> bool {
        let Some(k) = self.keys.get(key) else {
            return false;
        };
        !self.revoked.contains(key)
            && k.public.as_bytes() == public
            && target.concerns(board)
            && k.scopes.iter().any(|s| target.covered_by(s, board))
            && (kind != TopicKind::Alert || k.alerts)
    }

    fn verify_signature(&self, envelope: &Envelope) -> Result<&TrustedKey, Rejection> {
        if self.revoked.contains(&envelope.key) {
            return Err(Rejection::RevokedKey(envelope.key.clone()));
        }
        let key = self
            .keys
            .get(&envelope.key)
            .ok_or_else(|| Rejection::UnknownKey(envelope.key.clone()))?;
        let sig = base64::engine::general_purpose::STANDARD
            .decode(&envelope.sig)
            .ok()
            .and_then(|b| Signature::from_slice(&b).ok())
            .ok_or_else(|| Rejection::Malformed("sig is not a 64-byte signature".into()))?;
        key.public
            .verify_strict(envelope.body.as_bytes(), &sig)
            .map_err(|_| Rejection::BadSignature(key.id.clone()))?;
        Ok(key)
    }
}

/// Signs a body (its exact JSON text) into the wire envelope, for publishers and tests.
pub fn sign(key_id: &str, signing_key: &SigningKey, body_json: &str) -> Envelope {
    let sig = signing_key.sign(body_json.as_bytes());
    Envelope {
        v: 1,
        key: key_id.to_owned(),
        sig: base64::engine::general_purpose::STANDARD.encode(sig.to_bytes()),
        body: body_json.to_owned(),
    }
}

mod hex32 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let s = String::deserialize(d)?;
        let mut out = [0u8; 32];
        hex::decode_to_slice(&s, &mut out).map_err(serde::de::Error::custom)?;
        Ok(out)
    }
}
