//! The console as the source of truth of each channel it manages: the channel of a topic is
//! every item with a live revision there, signed with an always-increasing seq and written to
//! the outbox in the same transaction as the approval that changed it. A retained channel found
//! on the broker at start (published earlier with the CLI) is verified and imported, so its
//! items appear here and the seq continues after it.

use crate::config::{Area, Config};
use crate::db::{self, now_s};
use bangtin_protocol::content::{self, channel_from_value, limits, Channel, Item, Payload};
use base64::Engine as _;
use ed25519_dalek::Signature;
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

/// What a republish produced.
#[derive(Debug, Clone)]
pub struct Signed {
    pub topic: String,
    pub seq: u64,
    pub sha256: String,
}

/// Builds the channel of `topic` from the live revisions in the database, signs it with the
/// area's key and queues it in the outbox. Runs inside the caller's transaction: the approval
/// and the message to send commit together or not at all.
pub fn republish(conn: &Connection, area: &Area, topic: &str) -> Result<Signed, String> {
    let items = live_items(conn, topic)?;
    if items.len() > limits::ITEMS_PER_CHANNEL {
        return Err(format!(
            "Kênh này đã có {} tin, tối đa {}: hãy gỡ bớt tin cũ.",
            items.len(),
            limits::ITEMS_PER_CHANNEL
        ));
    }
    queue(conn, area, topic, Payload::Channel(Channel { items })).map_err(|e| match e {
        Queued::TooBig(kb) => format!(
            "Kênh này sẽ nặng {kb} KB, quá giới hạn {} KB của một bản tin: hãy gỡ bớt ảnh hoặc tin cũ.",
            limits::MESSAGE_BYTES / 1024
        ),
        Queued::Db(e) => e,
    })
}

/// Why a message could not be queued.
#[derive(Debug)]
pub enum Queued {
    /// The signed message would be this many KB, over the limit.
    TooBig(usize),
    Db(String),
}

/// Signs `payload` for `topic` with the area's key and the topic's next seq (always above the
/// last, and at least the time in milliseconds), and queues it in the outbox. In the caller's
/// transaction.
pub fn queue(
    conn: &Connection,
    area: &Area,
    topic: &str,
    payload: Payload,
) -> Result<Signed, Queued> {
    let db = |e: rusqlite::Error| Queued::Db(e.to_string());
    let last: Option<i64> = conn
        .query_row("SELECT seq FROM channels WHERE topic = ?1", [topic], |r| {
            r.get(0)
        })
        .optional()
        .map_err(db)?;
    let now = bangtin_staff::board_now();
    let now_ms = now.timestamp_millis().max(0) as u64;
    let seq = last.map_or(now_ms, |l| now_ms.max(l as u64 + 1));
    let envelope = bangtin_staff::keys::envelope(&area.key_id, &area.key, topic, seq, now, payload);
    if envelope.len() > limits::MESSAGE_BYTES {
        return Err(Queued::TooBig(envelope.len() / 1024));
    }
    let sha256 = hex::encode(Sha256::digest(&envelope));
    conn.execute(
        "INSERT INTO channels (topic, seq, sha256) VALUES (?1, ?2, ?3)
         ON CONFLICT (topic) DO UPDATE SET seq = excluded.seq, sha256 = excluded.sha256",
        params![topic, seq as i64, sha256],
    )
    .map_err(db)?;
    conn.execute(
        "INSERT INTO outbox (topic, seq, envelope, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![topic, seq as i64, envelope, now_s()],
    )
    .map_err(db)?;
    Ok(Signed {
        topic: topic.to_owned(),
        seq,
        sha256,
    })
}

fn live_items(conn: &Connection, topic: &str) -> Result<Vec<Item>, String> {
    let mut st = conn
        .prepare_cached("SELECT live FROM items WHERE topic = ?1 AND live IS NOT NULL ORDER BY id")
        .map_err(|e| e.to_string())?;
    let rows = st
        .query_map([topic], |r| r.get::<_, String>(0))
        .map_err(|e| e.to_string())?;
    let mut items = Vec::new();
    for json in rows {
        let json = json.map_err(|e| e.to_string())?;
        items.push(serde_json::from_str(&json).map_err(|e| e.to_string())?);
    }
    Ok(items)
}

/// The next message the sender should publish: the newest pending one of some topic (older
/// pending ones of the same topic are marked superseded: the channel is retained, only the
/// latest counts).
pub fn next_pending(conn: &Connection) -> Option<(i64, String, Vec<u8>)> {
    let row: Option<(i64, String, Vec<u8>)> = conn
        .query_row(
            "SELECT id, topic, envelope FROM outbox WHERE state = 'pending' ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()
        .ok()
        .flatten();
    let (id, topic, _) = row.as_ref()?;
    // Alerts go out one by one, in order: each is a message of its own (a cancel after an
    // alert, two alerts for two hazards), not a newer state of the same thing.
    if is_alert_topic(topic) {
        return row;
    }
    let newest: (i64, Vec<u8>) = conn
        .query_row(
            "SELECT id, envelope FROM outbox WHERE state = 'pending' AND topic = ?1
             ORDER BY id DESC LIMIT 1",
            [topic],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .ok()?;
    if newest.0 != *id {
        let _ = conn.execute(
            "UPDATE outbox SET state = 'superseded' WHERE state = 'pending' AND topic = ?1 AND id < ?2",
            params![topic, newest.0],
        );
    }
    Some((newest.0, topic.clone(), newest.1))
}

/// Whether `topic` is an alert topic (`P/alert/...`).
pub fn is_alert_topic(topic: &str) -> bool {
    // The kind is the first of the two words after the prefix (an area may have a segment
    // named `alert` or `content` further on).
    match (topic.find("/alert/"), topic.find("/content/")) {
        (Some(a), Some(c)) => a < c,
        (a, _) => a.is_some(),
    }
}

/// How long sent messages are kept in the outbox (acks name them; a channel with pictures is
/// up to a megabyte, so they are not kept for ever). The latest of each topic always stays.
pub const KEEP_SENT_S: i64 = 30 * 24 * 3600;

/// Removes sent, superseded and failed messages older than [`KEEP_SENT_S`], except the latest
/// of each topic. Returns how many went.
pub fn prune(conn: &Connection) -> usize {
    conn.execute(
        "DELETE FROM outbox WHERE state <> 'pending' AND created_at < ?1
           AND id NOT IN (SELECT max(id) FROM outbox GROUP BY topic)",
        [now_s() - KEEP_SENT_S],
    )
    .unwrap_or(0)
}

/// Marks an outbox row that can never be sent (its topic is not a valid topic), so that it
/// does not hold up the rows after it.
pub fn mark_failed(conn: &Connection, id: i64) {
    let _ = conn.execute("UPDATE outbox SET state = 'failed' WHERE id = ?1", [id]);
}

pub fn mark_sent(conn: &Connection, id: i64) {
    let _ = conn.execute(
        "UPDATE outbox SET state = 'sent', sent_at = ?1 WHERE id = ?2",
        params![now_s(), id],
    );
}

/// Verifies a retained envelope found on `topic` with the area's key: the channel in it, or
/// why it is not ours to import.
pub fn verify(area: &Area, topic: &str, payload: &[u8]) -> Result<(u64, Channel), String> {
    let env = content::parse_envelope(payload).map_err(|p| format!("malformed: {p}"))?;
    if env.key != area.key_id {
        return Err(format!("signed by {}, not by {}", env.key, area.key_id));
    }
    let sig = base64::engine::general_purpose::STANDARD
        .decode(&env.sig)
        .ok()
        .and_then(|b| Signature::from_slice(&b).ok())
        .ok_or("the signature is malformed")?;
    area.key
        .verifying_key()
        .verify_strict(env.body.as_bytes(), &sig)
        .map_err(|_| "the signature does not verify".to_owned())?;
    let body = content::parse_body(&env.body).map_err(|p| format!("body: {p}"))?;
    if body.topic != topic {
        return Err(format!("its body is for {}", body.topic));
    }
    match body.payload {
        Payload::Channel(c) => Ok((body.seq, c)),
        _ => Err("not a channel".into()),
    }
}

/// What importing a retained channel did.
#[derive(Debug, Default)]
pub struct Imported {
    /// Items the console did not know, now published items here.
    pub new: usize,
    /// The channel signed again (queued in the outbox): the broker's copy and the console's
    /// differ, and the console's (with what the broker's adds) must win.
    pub republished: Option<Signed>,
}

/// Imports a verified channel found retained on the broker. Items the console does not know
/// become published items (their author is nobody: they came from outside the console); the
/// seq continues after the broker's. When the console's channel and the broker's then differ
/// (an approval made while the broker was away, or items published with the CLI meanwhile),
/// the merged channel is signed again, so nothing of either is lost and its seq is above both.
/// Items the console withdrew stay withdrawn. The console's own publications, echoed back,
/// are left alone (an older one arriving after a newer approval is not a difference).
pub fn import(
    conn: &mut Connection,
    managed: &Area,
    topic: &str,
    area: &str,
    seq: u64,
    channel: &Channel,
) -> Result<Imported, String> {
    let tx = conn.transaction().map_err(|e| e.to_string())?;
    // The console's own publication coming back (every one is echoed): nothing to import.
    let ours: bool = tx
        .query_row(
            "SELECT count(*) > 0 FROM outbox WHERE topic = ?1 AND seq = ?2",
            params![topic, seq as i64],
            |r| r.get(0),
        )
        .map_err(|e| e.to_string())?;
    if ours {
        return Ok(Imported::default());
    }
    let mut new = 0;
    let now = now_s();
    for item in &channel.items {
        let json = serde_json::to_string(item).map_err(|e| e.to_string())?;
        new += tx
            .execute(
                "INSERT INTO items (item_id, topic, area, status, draft, live, published_seq,
                                    created_at, updated_at)
                 VALUES (?1, ?2, ?3, 'published', ?4, ?4, ?5, ?6, ?6)
                 ON CONFLICT (topic, item_id) DO NOTHING",
                params![item.id, topic, area, json, seq as i64, now],
            )
            .map_err(|e| e.to_string())?;
    }
    tx.execute(
        "INSERT INTO channels (topic, seq) VALUES (?1, ?2)
         ON CONFLICT (topic) DO UPDATE SET seq = max(seq, excluded.seq)",
        params![topic, seq as i64],
    )
    .map_err(|e| e.to_string())?;
    let ours = live_items(&tx, topic)?;
    let republished = if ours != channel.items {
        Some(republish(&tx, managed, topic)?)
    } else {
        None
    };
    if new > 0 || republished.is_some() {
        db::audit(
            &tx,
            &db::AuditEntry {
                user: "console",
                address: "",
                action: "import",
                target: topic,
                area: Some(area),
                sha256: republished.as_ref().map(|s| s.sha256.as_str()),
            },
        )
        .map_err(|e| e.to_string())?;
    }
    tx.commit().map_err(|e| e.to_string())?;
    Ok(Imported { new, republished })
}

/// Checks that a channel of these items would be accepted by a board (every limit).
pub fn check_channel(items: &[Item]) -> Result<(), String> {
    let value = serde_json::json!({ "items": items });
    channel_from_value(&value, "")
        .map(|_| ())
        .map_err(|p| p.to_string())
}

/// The area and topic an item goes to (a managed area or one inside it).
pub fn target(config: &Config, area: &str) -> Option<(Area, String)> {
    bangtin_protocol::ids::parse_area(area)?;
    let managed = config.area_for(area)?.clone();
    Some((managed, config.content_topic(area)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;

    fn area() -> Area {
        Area {
            path: "vn/a".into(),
            name: "A".into(),
            key_id: "k".into(),
            key: ed25519_dalek::SigningKey::from_bytes(&[7; 32]),
            key_path: "k.key".into(),
            approval: true,
            alert_two_person: true,
            alert_confirm_minutes: 10,
            alert_max_hours: 24,
        }
    }

    #[test]
    fn alert_topics_are_told_by_their_kind_not_by_an_area_segment() {
        assert!(is_alert_topic("bangtin/v1/alert/vn/ha-noi"));
        assert!(is_alert_topic("bangtin/v1/alert/vn/content/x"));
        assert!(!is_alert_topic("bangtin/v1/content/vn/alert/x"));
        assert!(!is_alert_topic("bangtin/v1/content/vn/ha-noi"));
    }

    #[test]
    fn seq_always_increases_and_only_the_newest_pending_goes_out() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("c.db")).unwrap();
        let mut conn = db.lock();
        let a = area();
        let topic = "bangtin/v1/content/vn/a";
        // A channel published earlier with a seq far in the future.
        let far = u64::MAX / 4;
        let item: Item = serde_json::from_value(
            serde_json::json!({"id": "old", "type": "ticker", "text": "Chào"}),
        )
        .unwrap();
        let channel = Channel { items: vec![item] };
        let env = bangtin_staff::keys::envelope(
            "k",
            &a.key,
            topic,
            far,
            bangtin_staff::board_now(),
            Payload::Channel(channel),
        );
        let (seq, ch) = verify(&a, topic, &env).unwrap();
        assert!(verify(&a, "bangtin/v1/content/vn/b", &env).is_err());
        let mut forged = env.clone();
        let n = forged.len() - 10;
        forged[n] ^= 1;
        assert!(verify(&a, topic, &forged).is_err());
        let first = import(&mut conn, &a, topic, "vn/a", seq, &ch).unwrap();
        assert_eq!((first.new, first.republished.is_none()), (1, true));
        let again = import(&mut conn, &a, topic, "vn/a", seq, &ch).unwrap();
        assert_eq!((again.new, again.republished.is_none()), (0, true));

        let s1 = republish(&conn, &a, topic).unwrap();
        let s2 = republish(&conn, &a, topic).unwrap();
        assert_eq!((s1.seq, s2.seq), (far + 1, far + 2));
        // An older copy without an item the console has: signed again, above everything.
        let extra: Item = serde_json::from_value(
            serde_json::json!({"id": "moi", "type": "ticker", "text": "Mới"}),
        )
        .unwrap();
        let merged = import(
            &mut conn,
            &a,
            topic,
            "vn/a",
            5,
            &Channel { items: vec![extra] },
        )
        .unwrap();
        assert_eq!(merged.new, 1);
        assert_eq!(merged.republished.unwrap().seq, far + 3);
        let (_, _, env) = next_pending(&conn).unwrap();
        let ids: Vec<String> = verify(&a, topic, &env)
            .unwrap()
            .1
            .items
            .into_iter()
            .map(|i| i.id)
            .collect();
        assert_eq!(ids, ["old", "moi"]);
        let (id, t, envelope) = next_pending(&conn).unwrap();
        assert_eq!(t, topic);
        let (seq, ch) = verify(&a, topic, &envelope).unwrap();
        assert_eq!((seq, ch.items.len()), (far + 3, 2));
        mark_sent(&conn, id);
        assert!(next_pending(&conn).is_none());
        // Old messages go, the latest of the topic and anything pending stay.
        republish(&conn, &a, topic).unwrap();
        conn.execute("UPDATE outbox SET created_at = 0", [])
            .unwrap();
        assert!(prune(&conn) >= 1);
        let left: Vec<String> = conn
            .prepare("SELECT state FROM outbox")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(left, ["pending"]);
    }
}
