//! The programme's state on the board's thread: the rotation, the alerts it holds, which alert
//! messages they include, and where each alert came from. GPU-free: tests drive it with a
//! simulated clock.
//!
//! Alert messages are applied in the order the board accepted them, each once: a restart
//! applies, in seq order, the cached messages the saved alerts do not include yet (the power
//! went between accepting a message and saving the alerts). What is saved is handed back as
//! state blobs; the storage thread writes them.

use crate::schedule::{
    AlertChange, AlertSet, AlertState, Clock, HeldAlert, ItemKey, Program, Scheduler,
};
use crate::sync::ingest::{ContentSet, Signer};
use bangtin_protocol::content::{Alert, Item, Timestamp};
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

/// The state blob of the active alerts.
pub const ALERTS: &str = "alerts";
/// The state blob of the rotation's place.
pub const ROTATION: &str = "rotation";
/// The state blob naming, per alert topic, the last message the saved alerts include.
pub const APPLIED: &str = "alerts-applied";
/// The state blob of where each saved alert came from (its key, checked again at start).
pub const ORIGINS: &str = "alert-origins";

/// Where an alert came from: its topic, the seq of its message and the key that signed it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Origin {
    pub topic: String,
    pub seq: u64,
    pub key: String,
    /// The signing key's public half when it signed (a key id given a new public key is
    /// another key).
    pub public: [u8; 32],
}

/// The programme's saved state, as read from the store at start (`None`: never saved).
#[derive(Debug, Clone, Default)]
pub struct Saved {
    pub alerts: Option<Vec<u8>>,
    pub rotation: Option<Vec<u8>>,
    pub applied: Option<Vec<u8>>,
    pub origins: Option<Vec<u8>>,
}

/// The rotation, the alerts and their bookkeeping.
pub struct Programme {
    scheduler: Scheduler,
    alerts: AlertSet,
    /// Per alert topic, the seq of the last message applied to `alerts`.
    applied: BTreeMap<String, u64>,
    /// Per held alert id, where it came from (pruned with the alerts).
    origins: HashMap<String, Origin>,
    /// The alerts changed since they were last saved.
    changed: bool,
}

fn read<T: serde::de::DeserializeOwned>(bytes: Option<&[u8]>, name: &str) -> Option<T> {
    match serde_json::from_slice(bytes?) {
        Ok(v) => Some(v),
        Err(e) => {
            log::warn!("stored {name} unreadable ({e}); starting without it");
            None
        }
    }
}

impl Programme {
    /// The programme as it was saved, caught up with the alert messages of `content` it does
    /// not include yet, without the saved alerts whose key `trusted` no longer accepts for
    /// their topic (revoked while the board was off). Anything missing or unreadable starts
    /// empty: a board must come up whatever its disk holds.
    pub fn restore(
        saved: &Saved,
        content: &ContentSet,
        clock: &Clock,
        trusted: &dyn Fn(&Origin) -> bool,
    ) -> Programme {
        let alerts = read::<AlertSet>(saved.alerts.as_deref(), ALERTS)
            .map(|a| a.restored(clock))
            .unwrap_or_default();
        let rotation = read(saved.rotation.as_deref(), ROTATION).unwrap_or_default();
        let applied = read(saved.applied.as_deref(), APPLIED).unwrap_or_else(|| {
            // A store from before this record: take the cached alerts as already applied.
            content
                .alerts
                .iter()
                .map(|(t, e)| (t.clone(), e.seq))
                .collect()
        });
        if !alerts.is_empty() {
            log::info!("{} alert(s) restored from the store", alerts.len());
        }
        let mut programme = Programme {
            scheduler: Scheduler::new(rotation),
            alerts,
            applied,
            origins: read(saved.origins.as_deref(), ORIGINS).unwrap_or_default(),
            changed: false,
        };
        // Alerts restored from the saved state came from the cached messages: their origin is
        // known for proof of play before any message arrives.
        for (topic, entry) in &content.alerts {
            programme.origins.insert(
                entry.alert.id.clone(),
                Origin {
                    topic: topic.clone(),
                    seq: entry.seq,
                    key: entry.signer.key.clone(),
                    public: entry.signer.public,
                },
            );
        }
        // A key revoked while the board was off: what it alerted ends now, as at a reload.
        let revoked: Vec<String> = programme
            .origins
            .iter()
            .filter(|(id, o)| programme.alerts.get(id).is_some() && !trusted(o))
            .map(|(id, _)| id.clone())
            .collect();
        if !revoked.is_empty() {
            log::warn!(
                "saved alerts of a key no longer trusted ended: {}",
                revoked.join(", ")
            );
            programme.alerts.remove(&revoked);
            programme.changed = true;
        }
        let mut pending: Vec<_> = content
            .alerts
            .iter()
            .filter(|(topic, e)| programme.applied.get(*topic).is_none_or(|s| e.seq > *s))
            .collect();
        pending.sort_by_key(|(_, e)| e.seq);
        for (topic, e) in pending {
            log::info!(
                "applying the cached alert message {} on {topic}, newer than the saved alerts",
                e.seq
            );
            programme.take_alert(topic, e.seq, &e.signer, e.issued_at, &e.alert, clock);
        }
        programme.prune();
        programme
    }

    /// Applies one alert message; `None` when it was already applied (caught up from the
    /// cache, then delivered again as an event).
    pub fn take_alert(
        &mut self,
        topic: &str,
        seq: u64,
        signer: &Signer,
        issued_at: Timestamp,
        alert: &Alert,
        clock: &Clock,
    ) -> Option<AlertChange> {
        if self.applied.get(topic) == Some(&seq) {
            return None;
        }
        let change = self.alerts.apply(alert, issued_at, clock);
        log::info!("alert on {topic}: {change:?}");
        self.applied.insert(topic.to_owned(), seq);
        self.origins.insert(
            alert.id.clone(),
            Origin {
                topic: topic.to_owned(),
                seq,
                key: signer.key.clone(),
                public: signer.public,
            },
        );
        self.changed = true;
        self.prune();
        Some(change)
    }

    /// Ends the alerts that the messages of these (topic, key) pairs brought (their key was
    /// revoked); returns their ids.
    pub fn revoke(&mut self, removed: &[(String, String)]) -> Vec<String> {
        let gone: Vec<String> = self
            .origins
            .iter()
            .filter(|(_, o)| removed.iter().any(|(t, k)| *t == o.topic && *k == o.key))
            .map(|(id, _)| id.clone())
            .collect();
        let ended = self.alerts.remove(&gone);
        if !ended.is_empty() {
            log::warn!("alerts of a revoked key ended: {}", ended.join(", "));
            self.changed = true;
        }
        for (topic, _) in removed {
            self.applied.remove(topic);
        }
        self.prune();
        ended
    }

    /// Forgets the origins of alerts no longer held: the map never outgrows the alerts.
    fn prune(&mut self) {
        let alerts = &self.alerts;
        self.origins.retain(|id, _| alerts.get(id).is_some());
    }

    /// Drops the alerts whose time is over; returns their ids.
    pub fn expire(&mut self, clock: &Clock) -> Vec<String> {
        let gone = self.alerts.expire(clock);
        if !gone.is_empty() {
            self.changed = true;
            self.prune();
        }
        gone
    }

    /// The programme now (see [`Scheduler::tick`]).
    pub fn tick(
        &mut self,
        items: &[(&str, &Item)],
        pages: &dyn Fn(&str, &Item) -> u32,
        alert_pages: &dyn Fn(&HeldAlert) -> u32,
        clock: &Clock,
    ) -> Program {
        self.scheduler
            .tick(items, pages, &self.alerts, alert_pages, clock)
    }

    pub fn alerts(&self) -> &AlertSet {
        &self.alerts
    }

    /// Where each active alert stands after the last tick (see [`Scheduler::alert_states`]).
    pub fn alert_states(&self, clock: &Clock) -> Vec<(String, AlertState)> {
        self.scheduler.alert_states(&self.alerts, clock)
    }

    /// Where the alert `id` came from, while it is held.
    pub fn origin(&self, id: &str) -> Option<&Origin> {
        self.origins.get(id)
    }

    /// The monotonic time of the next start or end of a held alert.
    pub fn next_change(&self, clock: &Clock) -> Option<Duration> {
        self.alerts.next_change(clock)
    }

    /// Whether the alerts changed since the last [`Programme::saved`].
    pub fn alerts_changed(&self) -> bool {
        self.changed
    }

    /// What to save, in this order: the alerts, then the seqs they include (a power cut
    /// between the two leaves seqs too old, so the next start applies a message again,
    /// never one not at all), then the rotation's place.
    pub fn saved(&mut self) -> Vec<(&'static str, Vec<u8>)> {
        self.changed = false;
        [
            (ALERTS, serde_json::to_vec(&self.alerts)),
            (ORIGINS, serde_json::to_vec(&self.origins)),
            (APPLIED, serde_json::to_vec(&self.applied)),
            (ROTATION, serde_json::to_vec(&self.scheduler.rotation)),
        ]
        .into_iter()
        .filter_map(|(name, bytes)| bytes.ok().map(|b| (name, b)))
        .collect()
    }

    /// The item a programme shows, looked up in `content`.
    pub fn item<'c>(content: &'c ContentSet, key: &ItemKey) -> Option<&'c Item> {
        content.item(&key.topic, &key.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::Show;
    use bangtin_protocol::content::parse_alert;
    use chrono::DateTime;

    fn t(s: &str) -> Timestamp {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn signer(key: &str) -> Signer {
        Signer {
            key: key.into(),
            public: [0; 32],
        }
    }

    fn clock(now: &str, mono: u64, trusted: bool) -> Clock {
        Clock {
            now: t(now),
            mono: Duration::from_secs(mono),
            trusted,
        }
    }

    fn show(p: &mut Programme, c: &Clock) -> Show {
        p.tick(&[], &|_, _| 1, &|_| 1, c).show
    }

    /// The review's finding, reproduced: an extreme alert received while the board's clock
    /// was 8 hours behind, then the clock set right by NTP. Its lifetime counts from when it
    /// was signed, so it stays on screen; counted from the board's clock at receipt it would
    /// have ended at once.
    #[test]
    fn an_alert_received_with_the_clock_8h_behind_survives_the_clock_being_set_right() {
        let real = "2026-11-24T20:00:00+07:00";
        let board_at_receipt = clock("2026-11-24T12:00:00+07:00", 100, false);
        let flood = parse_alert(
            r#"{"id": "lu-quet", "status": "actual", "severity": "extreme", "headline": "LŨ QUÉT"}"#
                .as_bytes(),
        )
        .unwrap();
        let mut p = Programme::restore(
            &Saved::default(),
            &ContentSet::default(),
            &board_at_receipt,
            &|_| true,
        );
        p.take_alert(
            "bangtin/v1/alert/vn",
            1,
            &signer("huyen"),
            t(real),
            &flood,
            &board_at_receipt,
        );
        assert!(matches!(
            show(&mut p, &board_at_receipt),
            Show::Alert { .. }
        ));
        // NTP corrects the clock: 8 hours forward, trusted, a minute of monotonic time later.
        let corrected = clock("2026-11-24T20:01:00+07:00", 160, true);
        assert!(p.expire(&corrected).is_empty(), "the alert must not end");
        assert!(matches!(show(&mut p, &corrected), Show::Alert { id, .. } if id == "lu-quet"));
        // It ends 6 hours after it was signed, by the corrected clock.
        let later = clock("2026-11-25T02:00:01+07:00", 160 + 6 * 3600, true);
        assert_eq!(p.expire(&later), vec!["lu-quet".to_owned()]);
    }

    #[test]
    fn a_message_is_applied_once_and_origins_never_outgrow_the_alerts() {
        let c = clock("2026-11-24T08:00:00+07:00", 0, true);
        let mut p = Programme::restore(&Saved::default(), &ContentSet::default(), &c, &|_| true);
        for i in 0..1000u64 {
            let a = parse_alert(
                format!(
                    r#"{{"id": "a{i}", "status": "actual", "severity": "minor", "headline": "x"}}"#
                )
                .as_bytes(),
            )
            .unwrap();
            p.take_alert("t", i + 1, &signer("k"), c.now, &a, &c);
            let cancel = parse_alert(
                format!(r#"{{"id": "c{i}", "msg_type": "cancel", "references": ["a{i}"], "status": "actual", "severity": "minor", "headline": "x"}}"#)
                    .as_bytes(),
            )
            .unwrap();
            p.take_alert("t", 10_000 + i, &signer("k"), c.now, &cancel, &c);
        }
        assert!(p.alerts().is_empty());
        assert!(p.origins.is_empty(), "{} origins kept", p.origins.len());
        let a = parse_alert(
            br#"{"id": "z", "status": "actual", "severity": "minor", "headline": "x"}"#,
        )
        .unwrap();
        assert!(p.take_alert("u", 5, &signer("k"), c.now, &a, &c).is_some());
        assert!(p.take_alert("u", 5, &signer("k"), c.now, &a, &c).is_none());
    }

    #[test]
    fn revoking_a_key_ends_the_alerts_it_brought_and_only_those() {
        let c = clock("2026-11-24T08:00:00+07:00", 0, true);
        let mut p = Programme::restore(&Saved::default(), &ContentSet::default(), &c, &|_| true);
        let a = |id: &str| {
            parse_alert(
                format!(r#"{{"id": "{id}", "status": "actual", "severity": "extreme", "headline": "x"}}"#)
                    .as_bytes(),
            )
            .unwrap()
        };
        p.take_alert("alert/huyen", 1, &signer("stolen"), c.now, &a("gia"), &c);
        p.take_alert("alert/tinh", 1, &signer("tinh"), c.now, &a("that"), &c);
        let ended = p.revoke(&[("alert/huyen".into(), "stolen".into())]);
        assert_eq!(ended, vec!["gia".to_owned()]);
        assert!(p.alerts().get("that").is_some());
        assert!(p.alerts_changed());
    }

    #[test]
    fn saved_state_restores_the_same_alerts() {
        let c = clock("2026-11-24T08:00:00+07:00", 0, true);
        let mut p = Programme::restore(&Saved::default(), &ContentSet::default(), &c, &|_| true);
        let a = parse_alert(
            br#"{"id": "bao", "status": "actual", "severity": "severe", "headline": "x"}"#,
        )
        .unwrap();
        p.take_alert("t", 3, &signer("k"), c.now, &a, &c);
        let blobs: HashMap<&str, Vec<u8>> = p.saved().into_iter().collect();
        assert!(!p.alerts_changed());
        let saved = Saved {
            alerts: blobs.get(ALERTS).cloned(),
            rotation: blobs.get(ROTATION).cloned(),
            applied: blobs.get(APPLIED).cloned(),
            origins: blobs.get(ORIGINS).cloned(),
        };
        let restored = Programme::restore(&saved, &ContentSet::default(), &c, &|_| true);
        assert!(restored.alerts().get("bao").is_some());
        assert_eq!(restored.applied.get("t"), Some(&3));
        assert_eq!(restored.origin("bao").map(|o| o.key.as_str()), Some("k"));
    }

    #[test]
    fn a_key_revoked_while_the_board_was_off_ends_its_saved_alerts_at_start() {
        let c = clock("2026-11-24T08:00:00+07:00", 10, true);
        let mut p = Programme::restore(&Saved::default(), &ContentSet::default(), &c, &|_| true);
        let alert = |id: &str| {
            bangtin_protocol::content::parse_alert(
                format!(r#"{{"id": "{id}", "status": "actual", "severity": "extreme", "headline": "x"}}"#)
                    .as_bytes(),
            )
            .unwrap()
        };
        p.take_alert("huyen", 1, &signer("lost"), c.now, &alert("gia"), &c);
        p.take_alert("xa", 2, &signer("good"), c.now, &alert("that"), &c);
        let blobs: HashMap<&str, Vec<u8>> = p.saved().into_iter().collect();
        let saved = Saved {
            alerts: blobs.get(ALERTS).cloned(),
            rotation: None,
            applied: blobs.get(APPLIED).cloned(),
            origins: blobs.get(ORIGINS).cloned(),
        };
        // The cache no longer holds the revoked key's message: only the saved origins know.
        let restored = Programme::restore(&saved, &ContentSet::default(), &c, &|o| o.key != "lost");
        assert!(
            restored.alerts().get("gia").is_none(),
            "the revoked key's alert"
        );
        assert!(
            restored.alerts().get("that").is_some(),
            "the other key's alert"
        );
        assert!(restored.alerts_changed(), "saved again without it");
    }
}
