//! The board's clock as the programme sees it: wall time in the board's time zone, monotonic
//! time since start, and whether the wall time can be believed (`schedule::clock`).
//!
//! Read once per update, never per item. The system's NTP flag is a file; it is looked at
//! once a second at most.

use crate::schedule::clock::{Clock, ClockTrust, TrustAnchor};
use chrono::{DateTime, FixedOffset, Utc};
use std::time::{Duration, Instant};

/// Where systemd-timesyncd (Raspberry Pi OS and Debian's default) says NTP has synchronised
/// the clock: the file exists once it has.
const NTP_SYNCED: &str = "/run/systemd/timesync/synchronized";

/// A wall clock and a monotonic one other than the system's (simulations, tests).
pub type ClockSource = Box<dyn Fn() -> (DateTime<FixedOffset>, Duration) + Send>;

/// The board's clock and the trust it has in it.
pub struct BoardClock {
    policy: ClockTrust,
    timezone: FixedOffset,
    started: Instant,
    newest_issued_at: Option<DateTime<FixedOffset>>,
    /// Trust gained, and since when (it holds until the clock jumps).
    anchor: Option<TrustAnchor>,
    ntp: (Option<Instant>, bool),
    source: Option<ClockSource>,
}

impl BoardClock {
    pub fn new(policy: ClockTrust, timezone: FixedOffset) -> BoardClock {
        BoardClock {
            policy,
            timezone,
            started: Instant::now(),
            newest_issued_at: None,
            anchor: None,
            ntp: (None, false),
            source: None,
        }
    }

    /// Runs on another clock (the soak harness lives a day in minutes; tests set the hour).
    pub fn set_source(&mut self, source: ClockSource) {
        self.source = Some(source);
        self.anchor = None;
    }

    pub fn set_timezone(&mut self, timezone: FixedOffset) {
        self.timezone = timezone;
    }

    /// When the board's clock started (monotonic times count from here).
    pub fn started(&self) -> Instant {
        self.started
    }

    /// The newest `issued_at` of the accepted messages moved on (a new snapshot). A message
    /// signed well after the clock proves the clock behind: trust gained before is dropped.
    pub fn saw_issued_at(&mut self, newest: Option<DateTime<FixedOffset>>) {
        self.newest_issued_at = newest;
    }

    fn ntp_synced(&mut self) -> bool {
        let (checked, _) = self.ntp;
        if checked.is_none_or(|t| t.elapsed() >= Duration::from_secs(1)) {
            self.ntp = (
                Some(Instant::now()),
                std::path::Path::new(NTP_SYNCED).exists(),
            );
        }
        self.ntp.1
    }

    /// The time now, and whether it is trusted.
    pub fn now(&mut self) -> Clock {
        let (now, mono, ntp) = match &self.source {
            Some(source) => {
                let (now, mono) = source();
                (now, mono, false)
            }
            None => (
                Utc::now().with_timezone(&self.timezone).fixed_offset(),
                self.started.elapsed(),
                self.ntp_synced(),
            ),
        };
        let behind = self
            .newest_issued_at
            .is_some_and(|n| ClockTrust::proves_behind(&now, &n));
        let vouched = ntp
            || (!behind
                && self
                    .policy
                    .is_trusted(&now, false, self.newest_issued_at.as_ref()));
        let held = self
            .anchor
            .is_some_and(|a| a.holds(&now, mono) && (ntp || !behind));
        let always = self.policy == ClockTrust::Always;
        if always || (vouched && !held) {
            self.anchor = Some(TrustAnchor { wall: now, mono });
        } else if !vouched && !held {
            self.anchor = None;
        }
        Clock {
            now,
            mono,
            trusted: self.policy == ClockTrust::Always || vouched || held,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
    use std::sync::Arc;

    fn t(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    /// A clock whose wall time (as an offset from a base) and monotonic seconds the test sets.
    fn simulated() -> (BoardClock, Arc<AtomicI64>, Arc<AtomicU64>) {
        let wall = Arc::new(AtomicI64::new(0));
        let mono = Arc::new(AtomicU64::new(0));
        let base = t("2026-11-24T08:00:00+07:00");
        let mut clock = BoardClock::new(ClockTrust::NtpOrNewestMessage, *base.offset());
        let (w, m) = (wall.clone(), mono.clone());
        clock.set_source(Box::new(move || {
            (
                base + chrono::TimeDelta::seconds(w.load(Ordering::Relaxed)),
                Duration::from_secs(m.load(Ordering::Relaxed)),
            )
        }));
        (clock, wall, mono)
    }

    #[test]
    fn trust_needs_a_voucher_and_survives_a_publisher_slightly_ahead() {
        let (mut clock, wall, mono) = simulated();
        assert!(!clock.now().trusted, "nothing vouches for the clock yet");
        clock.saw_issued_at(Some(t("2026-11-24T07:00:00+07:00")));
        assert!(clock.now().trusted);
        // A message signed two minutes ahead of the board: no doubt.
        clock.saw_issued_at(Some(t("2026-11-24T08:02:00+07:00")));
        wall.store(10, Ordering::Relaxed);
        mono.store(10, Ordering::Relaxed);
        assert!(clock.now().trusted);
    }

    #[test]
    fn a_clock_hours_behind_is_proved_wrong_by_a_fresh_message() {
        let (mut clock, _wall, _mono) = simulated();
        clock.saw_issued_at(Some(t("2026-11-24T07:00:00+07:00")));
        assert!(clock.now().trusted, "the cached messages vouch for it");
        // The district's message is signed 8 hours after what the board's clock says.
        clock.saw_issued_at(Some(t("2026-11-24T16:00:00+07:00")));
        assert!(!clock.now().trusted);
    }

    #[test]
    fn a_jump_far_ahead_is_not_trusted_even_after_trust_was_gained() {
        let (mut clock, wall, mono) = simulated();
        clock.saw_issued_at(Some(t("2026-11-24T07:00:00+07:00")));
        assert!(clock.now().trusted);
        // The RTC comes back reading 2038, one second of monotonic time later.
        wall.store(12 * 365 * 86_400, Ordering::Relaxed);
        mono.store(1, Ordering::Relaxed);
        assert!(!clock.now().trusted);
    }
}
