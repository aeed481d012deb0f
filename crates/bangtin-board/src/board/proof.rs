//! Proof of play and the acks' `shown_at`, from the frames the board presents. GPU-free.
//!
//! After each presented frame the board says what is on screen ([`Screen`]); this module
//! answers with what to report: the messages that first reached the screen (their ack gets
//! `shown_at`), what fills the screen now (status), and the plays that ended. A play is timed
//! on the monotonic clock; it is dated by the wall clock when it ends, if the wall clock is
//! trusted then, or as soon as it is (a Pi after a power cut, before NTP), so the district's
//! report never holds 1970. Plays still undated at shutdown are logged with the clock's time
//! and `clock_trusted: false`.

use crate::schedule::Clock;
use crate::sync::report::Report;
use bangtin_store::Play;
use chrono::TimeDelta;
use std::time::Instant;

/// Accepted messages waiting to reach the screen, remembered at most.
const PENDING_SHOWS: usize = 64;
/// Plays kept for the storage thread or for a trusted clock, at most (about a day of 10 s
/// slides); the oldest go first, logged.
const KEPT_PLAYS: usize = 10_000;

/// What an accepted message waits for on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Awaited {
    /// An item or ticker of the channel on screen.
    Channel,
    /// The alert on screen (full screen or banner).
    Alert(String),
    /// None of these alerts on screen any more (a cancel).
    Gone(Vec<String>),
}

#[derive(Debug, Clone)]
struct PendingShow {
    topic: String,
    seq: u64,
    what: Awaited,
}

/// Something on screen since `since`.
#[derive(Debug, Clone, PartialEq)]
struct OpenPlay {
    item: String,
    topic: String,
    seq: u64,
    since: Instant,
}

/// What one presented frame shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct Screen<'a> {
    /// What fills the screen: (item or alert id, topic, seq); `None` for the idle slide.
    pub main: Option<(&'a str, &'a str, u64)>,
    /// The alert banner over the rotation: (alert id, topic, seq).
    pub banner: Option<(&'a str, &'a str, u64)>,
    /// Whether `main` is an alert (full screen) rather than an item.
    pub main_is_alert: bool,
    /// The topics whose tickers scroll in the footer.
    pub tickers: &'a [&'a str],
}

impl Screen<'_> {
    fn alert_on(&self, id: &str) -> bool {
        (self.main_is_alert && self.main.is_some_and(|(m, ..)| m == id))
            || self.banner.is_some_and(|(b, ..)| b == id)
    }
}

/// Proof-of-play and ack bookkeeping.
#[derive(Debug, Default)]
pub struct Proof {
    pending: Vec<PendingShow>,
    /// What fills the screen and the banner now.
    on_screen: [Option<OpenPlay>; 2],
    /// Ended plays, dated, for the storage thread.
    finished: Vec<Play>,
    /// Ended plays waiting for a trusted clock: the play and when it ended.
    undated: Vec<(OpenPlay, Instant)>,
}

impl Proof {
    /// Waits to see a message's content on screen (its ack then gets `shown_at`). A newer
    /// message on a topic replaces the older one's wait.
    pub fn await_show(&mut self, topic: String, seq: u64, what: Awaited) {
        self.pending.retain(|p| p.topic != topic);
        if self.pending.len() >= PENDING_SHOWS {
            self.pending.remove(0);
        }
        self.pending.push(PendingShow { topic, seq, what });
    }

    /// Whether a message waits for the screen.
    pub fn waiting(&self) -> bool {
        !self.pending.is_empty()
    }

    /// After a presented frame: the reports it makes (acks with `shown_at`, a new `showing`),
    /// and the plays it ends kept for [`Proof::take_finished`]. Nothing is allocated when
    /// nothing changed (every frame of a scrolling ticker comes here).
    pub fn presented(&mut self, screen: &Screen<'_>, clock: &Clock, now: Instant) -> Vec<Report> {
        let same = |open: &Option<OpenPlay>, shown: Option<(&str, &str, u64)>| match (open, shown) {
            (Some(o), Some((item, topic, _))) => o.item == item && o.topic == topic,
            (None, None) => true,
            _ => false,
        };
        let changed =
            !same(&self.on_screen[0], screen.main) || !same(&self.on_screen[1], screen.banner);
        if clock.trusted && !self.undated.is_empty() {
            self.date_undated(clock, now);
        }
        if !changed && self.pending.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        let item_topic = screen.main.filter(|_| !screen.main_is_alert).map(|m| m.1);
        self.pending.retain(|p| {
            let on = match &p.what {
                Awaited::Channel => {
                    item_topic == Some(p.topic.as_str()) || screen.tickers.contains(&&*p.topic)
                }
                Awaited::Alert(id) => screen.alert_on(id),
                Awaited::Gone(ids) => !ids.iter().any(|id| screen.alert_on(id)),
            };
            if on {
                out.push(Report::Shown {
                    topic: p.topic.clone(),
                    seq: p.seq,
                    at: clock.now,
                    clock_trusted: clock.trusted,
                });
            }
            !on
        });
        if !changed {
            return out;
        }
        for (i, shown) in [screen.main, screen.banner].into_iter().enumerate() {
            if same(&self.on_screen[i], shown) {
                continue;
            }
            if let Some(open) = self.on_screen[i].take() {
                self.end(open, clock, now);
            }
            self.on_screen[i] = shown.map(|(item, topic, seq)| OpenPlay {
                item: item.to_owned(),
                topic: topic.to_owned(),
                seq,
                since: now,
            });
        }
        let alert = if screen.main_is_alert {
            screen.main.map(|m| m.0.to_owned())
        } else {
            screen.banner.map(|b| b.0.to_owned())
        };
        out.push(Report::Showing {
            item: screen
                .main
                .filter(|_| !screen.main_is_alert)
                .map(|m| m.0.to_owned()),
            alert,
        });
        out
    }

    /// A play ends: dated now if the clock is trusted, else when it is.
    fn end(&mut self, open: OpenPlay, clock: &Clock, now: Instant) {
        if clock.trusted {
            let play = dated(&open, now, clock, now, true);
            self.keep(play);
        } else {
            if self.undated.len() >= KEPT_PLAYS {
                let (old, ended) = self.undated.remove(0);
                let play = dated(&old, ended, clock, now, false);
                self.keep(play);
            }
            self.undated.push((open, now));
        }
    }

    /// The clock is trusted now: the plays that ended before it was get their real times.
    fn date_undated(&mut self, clock: &Clock, now: Instant) {
        for (open, ended) in std::mem::take(&mut self.undated) {
            let play = dated(&open, ended, clock, now, true);
            self.keep(play);
        }
    }

    fn keep(&mut self, play: Play) {
        if self.finished.len() >= KEPT_PLAYS {
            log::warn!(
                "proof of play: the storage thread is far behind; the oldest play is dropped"
            );
            self.finished.remove(0);
        }
        self.finished.push(play);
    }

    /// The plays ended and dated since the last call, for the storage thread.
    pub fn take_finished(&mut self) -> Vec<Play> {
        std::mem::take(&mut self.finished)
    }

    /// Plays the storage thread had no room for: kept for the next try, at most
    /// [`KEPT_PLAYS`] (the oldest go first, logged).
    pub fn give_back(&mut self, mut plays: Vec<Play>) {
        plays.append(&mut self.finished);
        if plays.len() > KEPT_PLAYS {
            let dropped = plays.len() - KEPT_PLAYS;
            log::warn!(
                "proof of play: the storage thread is far behind; the {dropped} oldest plays are dropped"
            );
            plays.drain(..dropped);
        }
        self.finished = plays;
    }

    /// At shutdown: what is on screen ends now; plays still waiting for a trusted clock are
    /// dated by the clock as it is, and say so.
    pub fn close(&mut self, clock: &Clock, now: Instant) -> Vec<Play> {
        for slot in 0..2 {
            if let Some(open) = self.on_screen[slot].take() {
                self.end(open, clock, now);
            }
        }
        for (open, ended) in std::mem::take(&mut self.undated) {
            let play = dated(&open, ended, clock, now, clock.trusted);
            self.keep(play);
        }
        self.take_finished()
    }
}

/// `open`, which ended at `ended`, dated by `clock` read at `now`.
fn dated(open: &OpenPlay, ended: Instant, clock: &Clock, now: Instant, trusted: bool) -> Play {
    let delta = |d: std::time::Duration| TimeDelta::from_std(d).unwrap_or_default();
    let to = clock.now - delta(now.saturating_duration_since(ended));
    let from = to - delta(ended.saturating_duration_since(open.since));
    Play {
        item: open.item.clone(),
        topic: open.topic.clone(),
        seq: open.seq,
        from,
        to,
        clock_trusted: trusted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use std::time::Duration;

    fn clock(now: &str, trusted: bool) -> Clock {
        Clock {
            now: DateTime::parse_from_rfc3339(now).unwrap(),
            mono: Duration::ZERO,
            trusted,
        }
    }

    fn item<'a>(id: &'a str, topic: &'a str) -> Screen<'a> {
        Screen {
            main: Some((id, topic, 7)),
            ..Screen::default()
        }
    }

    #[test]
    fn plays_the_storage_thread_cannot_take_wait_bounded_oldest_dropped_first() {
        let mut p = Proof::default();
        let c = clock("2026-11-24T08:00:00+07:00", true);
        let play = |seq: u64| Play {
            item: "a".into(),
            topic: "c/a".into(),
            seq,
            from: c.now,
            to: c.now,
            clock_trusted: true,
        };
        // A storage thread that refuses everything, frame after frame.
        for round in 0..3u64 {
            let mut refused = p.take_finished();
            refused.extend((0..KEPT_PLAYS as u64 / 2).map(|i| play(round * 100_000 + i)));
            p.give_back(refused);
        }
        let kept = p.take_finished();
        assert_eq!(kept.len(), KEPT_PLAYS);
        assert_eq!(kept[0].seq, 100_000, "the oldest round went first");
        assert_eq!(
            kept.last().unwrap().seq,
            200_000 + KEPT_PLAYS as u64 / 2 - 1
        );
    }

    #[test]
    fn a_channel_is_shown_when_one_of_its_items_fills_the_screen() {
        let mut p = Proof::default();
        p.await_show("c/a".into(), 7, Awaited::Channel);
        let c = clock("2026-11-24T08:00:00+07:00", true);
        let t0 = Instant::now();
        let out = p.presented(&item("x", "c/b"), &c, t0);
        assert!(!out.iter().any(|r| matches!(r, Report::Shown { .. })));
        let out = p.presented(&item("y", "c/a"), &c, t0);
        assert!(out.contains(&Report::Shown {
            topic: "c/a".into(),
            seq: 7,
            at: c.now,
            clock_trusted: true
        }));
        // Nothing changes on the next frame: nothing is reported.
        assert!(p.presented(&item("y", "c/a"), &c, t0).is_empty());
    }

    #[test]
    fn a_cancel_is_shown_when_its_alerts_have_left_the_screen() {
        let mut p = Proof::default();
        let c = clock("2026-11-24T08:00:00+07:00", true);
        let t0 = Instant::now();
        let alert = Screen {
            main: Some(("lu", "a/x", 3)),
            main_is_alert: true,
            ..Screen::default()
        };
        p.presented(&alert, &c, t0);
        p.await_show("a/x".into(), 4, Awaited::Gone(vec!["lu".into()]));
        assert!(p.presented(&alert, &c, t0).is_empty(), "still on screen");
        let out = p.presented(&item("y", "c/a"), &c, t0);
        assert!(matches!(&out[0], Report::Shown { seq: 4, .. }));
    }

    #[test]
    fn plays_before_ntp_are_dated_when_the_clock_is_set() {
        let mut p = Proof::default();
        let t0 = Instant::now();
        // A Pi after a power cut: its clock says 1970.
        let wrong = clock("1970-01-01T07:00:10+07:00", false);
        p.presented(&item("a", "c/a"), &wrong, t0);
        p.presented(&item("b", "c/a"), &wrong, t0 + Duration::from_secs(10));
        assert!(
            p.take_finished().is_empty(),
            "not dated by a clock nobody trusts"
        );
        // NTP sets the clock 5 s later.
        let right = clock("2026-11-24T08:00:00+07:00", true);
        p.presented(&item("b", "c/a"), &right, t0 + Duration::from_secs(15));
        let plays = p.take_finished();
        assert_eq!(plays.len(), 1);
        assert!(plays[0].clock_trusted);
        assert_eq!(plays[0].to.to_rfc3339(), "2026-11-24T07:59:55+07:00");
        assert_eq!(plays[0].from.to_rfc3339(), "2026-11-24T07:59:45+07:00");
    }

    #[test]
    fn plays_still_undated_at_shutdown_say_their_clock_was_not_trusted() {
        let mut p = Proof::default();
        let t0 = Instant::now();
        let wrong = clock("1970-01-01T07:00:10+07:00", false);
        p.presented(&item("a", "c/a"), &wrong, t0);
        let plays = p.close(&wrong, t0 + Duration::from_secs(3));
        assert_eq!(plays.len(), 1);
        assert!(!plays[0].clock_trusted);
    }
}
