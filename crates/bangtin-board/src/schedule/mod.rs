//! The programme (chương trình): what the board shows, second by second.
//!
//! Pure: [`Scheduler::tick`] takes the content, the alerts and the clock, and returns a
//! [`Program`]: what to show now, which page, until when, and what comes next. No timers and no
//! I/O inside; the clock is passed in, so tests run days of simulated time in milliseconds.
//!
//! Policy:
//! - Emergencies first. An active `actual`/`exercise` alert of severity `extreme` or `severe`
//!   takes the whole screen at once, preempting mid-slot; the most severe wins, then the
//!   newest; equals alternate every [`ALERT_ALTERNATE`]. `moderate`/`minor` alerts are a banner
//!   over the rotation. `test` alerts are never shown. The rotation is paused meanwhile and
//!   resumes, when the last alert ends, with the item it was showing.
//! - Rotation (luân phiên): each valid item for its `duration_s`; an item of several pages gives
//!   each page `duration_s / pages`, but never less than [`MIN_PAGE`]. A cycle shows the
//!   priority (ưu tiên) items first, then the first half of the normal ones, then the priority
//!   items again, then the second half: every priority item twice per cycle, before the normal
//!   ones, and every valid item within one cycle.
//! - The order is that of the merged content (widest area first), and an update does not
//!   restart the cycle: the rotation continues from the item it was showing. An item removed
//!   or no longer valid disappears at once, not at the end of its slot. Tickers go to the
//!   footer. Nothing valid: the idle slide (never a black screen).

pub mod alerts;
pub mod clock;
pub mod validity;

pub use alerts::{AlertChange, AlertSet, HeldAlert};
pub use clock::{Clock, ClockTrust};
pub use validity::{is_valid, Moment};

use bangtin_protocol::content::{Class, Item, ItemKind};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The shortest time a page of a long item stays on screen.
pub const MIN_PAGE: Duration = Duration::from_secs(6);
/// How long each of several equally severe full-screen alerts shows before the next.
pub const ALERT_ALTERNATE: Duration = Duration::from_secs(15);
/// How long each page of a long alert shows.
pub const ALERT_PAGE: Duration = Duration::from_secs(12);

/// An item by its channel topic and id (ids are unique within a channel).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ItemKey {
    pub topic: String,
    pub id: String,
}

impl ItemKey {
    pub fn new(topic: &str, id: &str) -> ItemKey {
        ItemKey {
            topic: topic.to_owned(),
            id: id.to_owned(),
        }
    }
}

/// What fills the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Show {
    Item { key: ItemKey, page: u32, pages: u32 },
    Alert { id: String, page: u32, pages: u32 },
    Idle,
}

/// The programme at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    pub show: Show,
    /// A moderate or minor alert shown as a banner over the rotation.
    pub banner: Option<String>,
    /// Ticker items for the footer, in content order.
    pub tickers: Vec<ItemKey>,
    /// Monotonic time at which the programme changes by itself, if nothing else happens.
    pub until: Duration,
    /// What comes after `show`, if known.
    pub next: Option<Show>,
}

/// Where the rotation is, persisted across restarts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RotationState {
    /// The item on screen (or paused under an alert) and its place in the cycle.
    pub current: Option<(ItemKey, usize)>,
    pub page: u32,
    /// Monotonic start of the current page (not persisted).
    #[serde(skip)]
    page_started: Option<Duration>,
    /// Monotonic moment a full-screen alert paused the rotation (not persisted).
    #[serde(skip)]
    paused_since: Option<Duration>,
}

/// The programme's state machine. All state is here; everything else is passed in.
#[derive(Debug, Clone, Default)]
pub struct Scheduler {
    pub rotation: RotationState,
}

/// One entry of the rotation cycle, borrowed (a tick allocates only for what it returns).
struct Entry<'a> {
    topic: &'a str,
    item: &'a Item,
}

impl Entry<'_> {
    fn is(&self, key: &ItemKey) -> bool {
        self.item.id == key.id && self.topic == key.topic
    }

    fn key(&self) -> ItemKey {
        ItemKey::new(self.topic, &self.item.id)
    }
}

impl Scheduler {
    pub fn new(rotation: RotationState) -> Scheduler {
        Scheduler { rotation }
    }

    /// The programme now. `items` is the merged content (topic, item) in content order, only
    /// items whose images are here; `pages` gives the page count layout found for an item;
    /// `alert_pages` the same for an alert.
    pub fn tick(
        &mut self,
        items: &[(&str, &Item)],
        pages: &dyn Fn(&str, &Item) -> u32,
        alerts: &AlertSet,
        alert_pages: &dyn Fn(&HeldAlert) -> u32,
        clock: &Clock,
    ) -> Program {
        let moment = Moment::new(&clock.now, clock.trusted);
        let tickers: Vec<ItemKey> = items
            .iter()
            .filter(|(_, i)| matches!(i.kind, ItemKind::Ticker { .. }))
            .filter(|(_, i)| moment.admits(i))
            .map(|(t, i)| ItemKey::new(t, &i.id))
            .collect();
        let active = alerts.active(clock);
        let banner = active
            .iter()
            .find(|a| !a.is_full_screen())
            .map(|a| a.alert.id.clone());

        // Emergencies first, at once.
        if let Some(top) = active.first().filter(|a| a.is_full_screen()) {
            let equals: Vec<&&HeldAlert> = active
                .iter()
                .filter(|a| a.alert.severity == top.alert.severity)
                .collect();
            let turn = (clock.mono.as_millis() / ALERT_ALTERNATE.as_millis()) as usize;
            let shown = equals[turn % equals.len()];
            let n = alert_pages(shown).max(1);
            let page = ((clock.mono.as_millis() / ALERT_PAGE.as_millis()) % u128::from(n)) as u32;
            self.rotation.paused_since.get_or_insert(clock.mono);
            let next_turn = Duration::from_millis(
                ((clock.mono.as_millis() / ALERT_PAGE.as_millis() + 1) * ALERT_PAGE.as_millis())
                    .min(u128::from(u64::MAX)) as u64,
            );
            let until = if equals.len() > 1 || n > 1 {
                next_turn.min(Duration::from_millis(
                    ((turn as u128 + 1) * ALERT_ALTERNATE.as_millis()) as u64,
                ))
            } else {
                clock.mono + Duration::from_secs(60)
            };
            return Program {
                show: Show::Alert {
                    id: shown.alert.id.clone(),
                    page,
                    pages: n,
                },
                banner: None,
                tickers,
                until,
                next: None,
            };
        }
        if let Some(since) = self.rotation.paused_since.take() {
            // Resume the item that was showing, with the time it had left.
            if let Some(started) = &mut self.rotation.page_started {
                *started += clock.mono.saturating_sub(since);
            }
        }

        let valid: Vec<Entry<'_>> = items
            .iter()
            .filter(|(_, i)| !matches!(i.kind, ItemKind::Ticker { .. }))
            .filter(|(_, i)| moment.admits(i))
            .map(|(t, i)| Entry { topic: t, item: i })
            .collect();
        let order = rotation_order(&valid);
        if order.is_empty() {
            self.rotation.current = None;
            self.rotation.page_started = None;
            return Program {
                show: Show::Idle,
                banner,
                tickers,
                until: clock.mono + Duration::from_secs(60),
                next: None,
            };
        }
        let page_time = |e: &Entry<'_>, n: u32| -> Duration {
            let total = Duration::from_secs(u64::from(e.item.duration_s));
            (total / n.max(1)).max(MIN_PAGE)
        };

        // Where are we? The current item at its place, or elsewhere in the new cycle, or (if it
        // is gone) whatever now stands at its place.
        let (mut index, mut fresh) = match &self.rotation.current {
            Some((key, at)) => {
                if order.get(*at).is_some_and(|&i| valid[i].is(key)) {
                    (*at, false)
                } else if let Some(p) = order.iter().position(|&i| valid[i].is(key)) {
                    (p, false)
                } else {
                    (*at % order.len(), true)
                }
            }
            None => (0, true),
        };
        if self.rotation.page_started.is_none() {
            fresh = true;
        }
        if fresh {
            self.rotation.page = 0;
            self.rotation.page_started = Some(clock.mono);
        }
        let mut entry = &valid[order[index]];
        let mut n = pages(entry.topic, entry.item).max(1);
        if self.rotation.page >= n {
            self.rotation.page = n - 1;
        }
        let started = self.rotation.page_started.unwrap_or(clock.mono);
        if clock.mono >= started + page_time(entry, n) {
            // The page is over: the next page, or the next item.
            if self.rotation.page + 1 < n {
                self.rotation.page += 1;
            } else {
                index = (index + 1) % order.len();
                entry = &valid[order[index]];
                n = pages(entry.topic, entry.item).max(1);
                self.rotation.page = 0;
            }
            self.rotation.page_started = Some(clock.mono);
        }
        let key = entry.key();
        self.rotation.current = Some((key.clone(), index));
        let started = self.rotation.page_started.unwrap_or(clock.mono);
        let until = started + page_time(entry, n);
        let next = if self.rotation.page + 1 < n {
            Show::Item {
                key: key.clone(),
                page: self.rotation.page + 1,
                pages: n,
            }
        } else {
            let e = &valid[order[(index + 1) % order.len()]];
            Show::Item {
                key: e.key(),
                page: 0,
                pages: pages(e.topic, e.item).max(1),
            }
        };
        Program {
            show: Show::Item {
                key,
                page: self.rotation.page,
                pages: n,
            },
            banner,
            tickers,
            until,
            next: Some(next),
        }
    }
}

/// The cycle as indices into `valid`: priority items, the first half of the normal items, the
/// priority items again, the second half.
fn rotation_order(valid: &[Entry<'_>]) -> Vec<usize> {
    let priority: Vec<usize> = (0..valid.len())
        .filter(|&i| valid[i].item.class == Class::Priority)
        .collect();
    let normal: Vec<usize> = (0..valid.len())
        .filter(|&i| valid[i].item.class == Class::Normal)
        .collect();
    if priority.is_empty() {
        return normal;
    }
    let half = normal.len().div_ceil(2);
    let mut out = Vec::with_capacity(priority.len() * 2 + normal.len());
    out.extend(&priority);
    out.extend(&normal[..half]);
    if !normal.is_empty() {
        out.extend(&priority);
        out.extend(&normal[half..]);
    }
    out
}
