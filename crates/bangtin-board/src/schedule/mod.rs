//! The programme (chương trình): what the board shows, second by second.
//!
//! Pure: [`Scheduler::tick`] takes the content, the alerts and the clock, and returns a
//! [`Program`]: what to show now, which page, until when, and what comes next. No timers and no
//! I/O inside; the clock is passed in, so tests run days of simulated time in milliseconds.
//!
//! Policy:
//! - Emergencies first. An active `actual`/`exercise` alert of severity `extreme` or `severe`
//!   takes the whole screen at once, preempting mid-slot. A new alert at least as severe as
//!   every active one is shown at the next tick, whatever else is on screen, and keeps it for
//!   a first look; then all active alerts take turns, most severe first, then newest first,
//!   each for [`turn_length`] ([`turns`]). While a full-screen alert is active, the less
//!   severe ones (a `moderate` one too) take their turns full screen in the same alternation
//!   rather than cover the warning with a banner; otherwise `moderate`/`minor` alerts are a
//!   banner over the rotation, taking turns the same way. `test` alerts are never shown. The
//!   rotation is paused under a full-screen alert and resumes, when the last one ends, with the
//!   item it was showing.
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
pub mod turns;
pub mod validity;

pub use alerts::{AlertChange, AlertSet, HeldAlert};
pub use clock::{Clock, ClockTrust};
pub use turns::{turn_length, AlertState};
pub use validity::{is_valid, Moment};

use bangtin_protocol::content::{Class, Item, ItemKind};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The shortest time a page of a long item stays on screen.
pub const MIN_PAGE: Duration = Duration::from_secs(6);
/// How long each of several active alerts keeps the screen at its turn, at least.
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
    /// Whose turn it is among the active alerts.
    turns: turns::Turns,
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
        Scheduler {
            rotation,
            turns: turns::Turns::default(),
        }
    }

    /// Where each active alert stands after the last tick: on screen, the banner, or waiting
    /// behind the one whose turn it is. Most severe first, then newest first.
    pub fn alert_states(&self, alerts: &AlertSet, clock: &Clock) -> Vec<(String, AlertState)> {
        let active = alerts.active(clock);
        let full_screen = active.first().is_some_and(|a| a.is_full_screen());
        self.turns.states(&active, full_screen)
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
        let mut banner = None;
        let mut banner_until = None;
        if active.is_empty() {
            self.turns.clear();
        } else {
            // A banner scrolls its headline: it has no pages.
            let full_screen = active[0].is_full_screen();
            let pages: &dyn Fn(&HeldAlert) -> u32 = if full_screen { alert_pages } else { &|_| 1 };
            let pick = self.turns.pick(&active, pages, clock.mono);
            let shown = active[pick.index];
            if full_screen {
                // Emergencies first, at once: the rotation waits under them.
                self.rotation.paused_since.get_or_insert(clock.mono);
                return Program {
                    show: Show::Alert {
                        id: shown.alert.id.clone(),
                        page: pick.page,
                        pages: pages(shown).max(1),
                    },
                    banner: None,
                    tickers,
                    until: pick.until,
                    next: None,
                };
            }
            banner = Some(shown.alert.id.clone());
            banner_until = (active.len() > 1).then_some(pick.until);
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
                until: (clock.mono + Duration::from_secs(60))
                    .min(banner_until.unwrap_or(Duration::MAX)),
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
        let until = (started + page_time(entry, n)).min(banner_until.unwrap_or(Duration::MAX));
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
