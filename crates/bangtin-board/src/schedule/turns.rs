//! Whose turn it is among the active alerts (lượt hiển thị cảnh báo).
//!
//! The alerts take turns in one alternation, most severe first, then newest first. A new alert
//! at least as severe as every active one does not wait for its place: it is shown at the next
//! tick and keeps the screen for a first look, a whole turn ([`turn_length`]); then the
//! alternation goes on from it, each alert its whole turn, so with `N` alerts each is back
//! within `N` turns. An update is a new alert (a new arrival), so it restarts its first look. An
//! alert that ends while on screen hands over at once to the one after it. A less severe alert
//! that arrives meanwhile waits for its turn in the alternation, and says so
//! ([`AlertState::Waiting`]).
//!
//! The cost of a tick is one pass over the active alerts, which [`super::AlertSet::active`]
//! has already sorted.

use super::alerts::HeldAlert;
use super::{ALERT_ALTERNATE, ALERT_PAGE};
use bangtin_protocol::content::Severity;
use serde::Serialize;
use std::time::Duration;

/// How long an alert of `pages` pages keeps the screen at its turn: one alternation period, or
/// all its pages at [`ALERT_PAGE`] each if that is longer.
pub fn turn_length(pages: u32) -> Duration {
    ALERT_ALTERNATE.max(ALERT_PAGE * pages.max(1))
}

/// The alert whose turn it is.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Turn {
    id: String,
    severity: Severity,
    order: u64,
    /// Monotonic time its turn began.
    since: Duration,
}

/// Where an active alert stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum AlertState {
    /// It fills the screen.
    OnScreen,
    /// It is the banner over the rotation.
    Banner,
    /// It waits for its turn behind the alert `behind`.
    Waiting { behind: String },
}

/// The alternation's state (not persisted: after a restart the newest alert gets a first look).
#[derive(Debug, Clone, Default)]
pub struct Turns {
    current: Option<Turn>,
    /// The newest arrival that has had its turn: anything newer and at least as severe as the
    /// rest is shown first.
    seen: u64,
}

/// Whose turn it is now and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pick {
    /// Index into the active alerts.
    pub index: usize,
    /// The page to show.
    pub page: u32,
    /// The monotonic time at which the page or the turn changes by itself.
    pub until: Duration,
}

impl Turns {
    /// The alert to show among `active` (sorted most severe first, then newest first, and not
    /// empty) at monotonic time `now`; `pages` tells how many pages an alert has.
    pub fn pick(
        &mut self,
        active: &[&HeldAlert],
        pages: &dyn Fn(&HeldAlert) -> u32,
        now: Duration,
    ) -> Pick {
        debug_assert!(!active.is_empty());
        // The newest of the most severe is first; if nobody has seen it, it is shown now.
        let index = if active[0].order > self.seen {
            self.start(active, 0, now)
        } else {
            match &self.current {
                None => self.start(active, 0, now),
                Some(cur) => match active.iter().position(|a| a.order == cur.order) {
                    Some(i) => {
                        let over = now >= cur.since + turn_length(pages(active[i]));
                        if over && active.len() > 1 {
                            self.start(active, (i + 1) % active.len(), now)
                        } else {
                            i
                        }
                    }
                    // Ended, cancelled or replaced: the one after it in the alternation.
                    None => {
                        let key = (cur.severity, cur.order);
                        let next = active
                            .iter()
                            .position(|a| (a.alert.severity, a.order) < key)
                            .unwrap_or(0);
                        self.start(active, next, now)
                    }
                },
            }
        };
        let since = self.current.as_ref().map_or(now, |c| c.since);
        let n = pages(active[index]).max(1);
        let elapsed = now.saturating_sub(since);
        let step = elapsed.as_millis() / ALERT_PAGE.as_millis();
        let page = (step % u128::from(n)) as u32;
        let next_page = since + ALERT_PAGE * (step as u32).saturating_add(1);
        let turn_end = since + turn_length(n);
        let until = match (n > 1, active.len() > 1) {
            (true, true) => next_page.min(turn_end),
            (true, false) => next_page,
            (false, true) => turn_end,
            (false, false) => now + Duration::from_secs(60),
        };
        Pick { index, page, until }
    }

    fn start(&mut self, active: &[&HeldAlert], index: usize, now: Duration) -> usize {
        let a = active[index];
        self.seen = self.seen.max(a.order);
        self.current = Some(Turn {
            id: a.alert.id.clone(),
            severity: a.alert.severity,
            order: a.order,
            since: now,
        });
        index
    }

    /// The id of the alert whose turn it is, if any.
    pub fn current(&self) -> Option<&str> {
        self.current.as_ref().map(|c| c.id.as_str())
    }

    /// No alert is active: the next one to come is new.
    pub fn clear(&mut self) {
        self.current = None;
    }

    /// Where each of `active` stands, given whether the one whose turn it is fills the
    /// screen (else it is the banner).
    pub fn states(&self, active: &[&HeldAlert], full_screen: bool) -> Vec<(String, AlertState)> {
        let Some(cur) = &self.current else {
            return Vec::new();
        };
        active
            .iter()
            .map(|a| {
                let state = if a.order == cur.order {
                    if full_screen {
                        AlertState::OnScreen
                    } else {
                        AlertState::Banner
                    }
                } else {
                    AlertState::Waiting {
                        behind: cur.id.clone(),
                    }
                };
                (a.alert.id.clone(), state)
            })
            .collect()
    }
}
