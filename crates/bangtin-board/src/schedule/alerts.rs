//! The active alerts (khẩn cấp): alert, update, cancel and expiry, modelled on CAP 1.2.

use super::Clock;
use bangtin_protocol::content::{Alert, AlertStatus, MsgType};
use chrono::{DateTime, FixedOffset, TimeDelta};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// Without `expires`, an alert lasts this long from `effective` (or when it was signed).
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(6 * 3600);

/// One alert the board holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeldAlert {
    pub alert: Arc<Alert>,
    /// When its message was signed (the envelope's `issued_at`): its lifetime without
    /// `effective` counts from here, never from the board's clock at receipt, which may be
    /// hours wrong after a power cut. (Stores from before this field keep their receipt time.)
    #[serde(alias = "received_at")]
    pub issued_at: DateTime<FixedOffset>,
    /// Monotonic time when it arrived (not persisted: a restart counts from the restart).
    #[serde(skip)]
    pub received_mono: Duration,
    /// Arrival order, for "newest first".
    pub order: u64,
}

impl HeldAlert {
    /// When it ends: `expires`, else `effective` (or when it was signed) + 6 h.
    pub fn end(&self) -> DateTime<FixedOffset> {
        let a = &self.alert;
        a.expires
            .unwrap_or_else(|| a.effective.unwrap_or(self.issued_at) + delta(DEFAULT_LIFETIME))
    }

    /// Whether its lifetime is over. With a trusted clock: at [`HeldAlert::end`]. With an
    /// untrusted clock the wall time means nothing: the lifetime (`expires - effective`, or
    /// 6 h) runs on monotonic time since receipt.
    pub fn expired(&self, clock: &Clock) -> bool {
        let a = &self.alert;
        if clock.trusted {
            clock.now >= self.end()
        } else {
            let lifetime = match (a.effective, a.expires) {
                (Some(e), Some(x)) => (x - e).to_std().unwrap_or(Duration::ZERO),
                _ => DEFAULT_LIFETIME,
            };
            clock.mono >= self.received_mono + lifetime
        }
    }

    /// Whether it has begun (`effective` reached); always true with an untrusted clock.
    pub fn started(&self, clock: &Clock) -> bool {
        !clock.trusted || self.alert.effective.is_none_or(|e| clock.now >= e)
    }

    pub fn is_full_screen(&self) -> bool {
        self.alert.severity.is_full_screen()
    }

    /// The monotonic time at which it next starts or ends, if that is still ahead.
    pub fn next_change(&self, clock: &Clock) -> Option<Duration> {
        let a = &self.alert;
        let ahead = |t: chrono::DateTime<chrono::FixedOffset>| {
            (t > clock.now).then(|| clock.mono + (t - clock.now).to_std().unwrap_or_default())
        };
        if clock.trusted {
            let start = a.effective.and_then(ahead);
            [start, ahead(self.end())].into_iter().flatten().min()
        } else {
            let lifetime = match (a.effective, a.expires) {
                (Some(e), Some(x)) => (x - e).to_std().unwrap_or(Duration::ZERO),
                _ => DEFAULT_LIFETIME,
            };
            let end = self.received_mono + lifetime;
            (end > clock.mono).then_some(end)
        }
    }
}

fn delta(d: Duration) -> TimeDelta {
    TimeDelta::from_std(d).unwrap_or(TimeDelta::MAX)
}

/// What applying an alert message did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertChange {
    Added(String),
    /// The new alert, and the ones it replaced.
    Updated {
        id: String,
        replaced: Vec<String>,
    },
    Cancelled(Vec<String>),
    /// `status: test`: logged and acknowledged, never shown.
    TestOnly(String),
}

/// Every alert the board holds, by id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertSet {
    alerts: BTreeMap<String, HeldAlert>,
    next_order: u64,
}

impl AlertSet {
    /// Applies an accepted alert message, signed at `issued_at`.
    pub fn apply(
        &mut self,
        alert: &Alert,
        issued_at: DateTime<FixedOffset>,
        clock: &Clock,
    ) -> AlertChange {
        if alert.status == AlertStatus::Test {
            log::info!("test alert {:?} received; not shown", alert.id);
            return AlertChange::TestOnly(alert.id.clone());
        }
        match alert.msg_type {
            MsgType::Cancel => {
                let gone: Vec<String> = alert
                    .references
                    .iter()
                    .filter(|r| self.alerts.remove(*r).is_some())
                    .cloned()
                    .collect();
                AlertChange::Cancelled(gone)
            }
            MsgType::Alert | MsgType::Update => {
                let replaced: Vec<String> = if alert.msg_type == MsgType::Update {
                    alert
                        .references
                        .iter()
                        .filter(|r| self.alerts.remove(*r).is_some())
                        .cloned()
                        .collect()
                } else {
                    Vec::new()
                };
                self.next_order += 1;
                self.alerts.insert(
                    alert.id.clone(),
                    HeldAlert {
                        alert: Arc::new(alert.clone()),
                        issued_at,
                        received_mono: clock.mono,
                        order: self.next_order,
                    },
                );
                if alert.msg_type == MsgType::Update {
                    AlertChange::Updated {
                        id: alert.id.clone(),
                        replaced,
                    }
                } else {
                    AlertChange::Added(alert.id.clone())
                }
            }
        }
    }

    /// Drops the alerts `ids` names (their key was revoked); returns those it held.
    pub fn remove(&mut self, ids: &[String]) -> Vec<String> {
        ids.iter()
            .filter(|id| self.alerts.remove(id.as_str()).is_some())
            .cloned()
            .collect()
    }

    /// Drops expired alerts; returns their ids.
    pub fn expire(&mut self, clock: &Clock) -> Vec<String> {
        let gone: Vec<String> = self
            .alerts
            .iter()
            .filter(|(_, a)| a.expired(clock))
            .map(|(id, _)| id.clone())
            .collect();
        for id in &gone {
            self.alerts.remove(id);
        }
        gone
    }

    /// The alerts to show now, most severe first, then newest first.
    pub fn active(&self, clock: &Clock) -> Vec<&HeldAlert> {
        let mut v: Vec<&HeldAlert> = self
            .alerts
            .values()
            .filter(|a| a.started(clock) && !a.expired(clock))
            .collect();
        v.sort_by(|a, b| {
            b.alert
                .severity
                .cmp(&a.alert.severity)
                .then(b.order.cmp(&a.order))
        });
        v
    }

    /// The monotonic time of the next start or end of any held alert.
    pub fn next_change(&self, clock: &Clock) -> Option<Duration> {
        self.alerts
            .values()
            .filter_map(|a| a.next_change(clock))
            .min()
    }

    pub fn get(&self, id: &str) -> Option<&HeldAlert> {
        self.alerts.get(id)
    }

    pub fn len(&self) -> usize {
        self.alerts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.alerts.is_empty()
    }

    /// After a restart the monotonic clock starts again: lifetimes counted on it restart too.
    pub fn restored(mut self, clock: &Clock) -> AlertSet {
        for a in self.alerts.values_mut() {
            a.received_mono = clock.mono;
        }
        self
    }
}
