//! Clock trust. A Raspberry Pi has no battery-backed clock: after a power cut it may start in
//! 1970 or wherever its last saved time was, until NTP corrects it; a cheap RTC may read 2038.
//! Until the clock is trusted, validity windows drop nothing and alert lifetimes run on
//! monotonic time. Trust comes from NTP or from the signed messages ([`ClockTrust`]) and holds
//! while the clock runs on without a jump ([`TrustAnchor`]); a message signed well after the
//! clock proves it behind. Pure: the caller reads the clocks and the NTP flag.

use chrono::{DateTime, FixedOffset};
use std::time::Duration;

/// The time as the programme sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// Wall time in the board's time zone.
    pub now: DateTime<FixedOffset>,
    /// Monotonic time (since any fixed start): slot lengths and untrusted lifetimes.
    pub mono: Duration,
    /// Whether `now` can be believed (see [`ClockTrust`]).
    pub trusted: bool,
}

/// When a board believes its clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClockTrust {
    /// Once the system says NTP has synchronised it, or once it reads no earlier than the
    /// newest `issued_at` of any accepted message (give or take [`TOLERANCE`]) and no more than
    /// [`MAX_AHEAD`] later: a clock that far along is not stuck in the past, and one that far
    /// ahead of every signed message is a bad RTC reading, not the time.
    #[default]
    NtpOrNewestMessage,
    /// Only once NTP has synchronised it.
    NtpOnly,
    /// Always (a board with a battery-backed real-time clock).
    Always,
}

/// How far a publisher's clock may run ahead of a board's without the board doubting its own.
pub const TOLERANCE: chrono::TimeDelta = chrono::TimeDelta::minutes(5);
/// How much later than the newest signed message a clock without NTP may read and still be
/// believed: a board may go weeks without a new message, but not years.
pub const MAX_AHEAD: chrono::TimeDelta = chrono::TimeDelta::days(31);
/// A wall clock that moves this much more or less than the monotonic clock has jumped (NTP
/// correcting it, a bad RTC reading): trust gained before the jump no longer holds.
pub const JUMP: Duration = Duration::from_secs(120);

impl ClockTrust {
    /// Whether `now` is vouched for: by NTP, or by the newest signed message (see the variants).
    pub fn is_trusted(
        self,
        now: &DateTime<FixedOffset>,
        ntp_synced: bool,
        newest_issued_at: Option<&DateTime<FixedOffset>>,
    ) -> bool {
        match self {
            ClockTrust::Always => true,
            ClockTrust::NtpOnly => ntp_synced,
            ClockTrust::NtpOrNewestMessage => {
                ntp_synced
                    || newest_issued_at
                        .is_some_and(|n| *now >= *n - TOLERANCE && *now <= *n + MAX_AHEAD)
            }
        }
    }

    /// Whether a message signed at `issued_at` proves `now` behind (and so not trustworthy,
    /// unless NTP says otherwise).
    pub fn proves_behind(now: &DateTime<FixedOffset>, issued_at: &DateTime<FixedOffset>) -> bool {
        *issued_at > *now + TOLERANCE
    }
}

/// Trust once gained, kept while the clock runs on without a jump: the wall time and the
/// monotonic time at which it was gained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustAnchor {
    pub wall: DateTime<FixedOffset>,
    pub mono: Duration,
}

impl TrustAnchor {
    /// Whether the wall clock still moves with the monotonic one since the anchor.
    pub fn holds(&self, now: &DateTime<FixedOffset>, mono: Duration) -> bool {
        let wall = (*now - self.wall).num_milliseconds();
        let elapsed = mono.saturating_sub(self.mono).as_millis() as i64;
        (wall - elapsed).unsigned_abs() <= JUMP.as_millis() as u64
    }
}

impl Clock {
    /// A clock `secs` later (tests and simulations).
    pub fn later(&self, secs: u64) -> Clock {
        Clock {
            now: self.now + chrono::TimeDelta::seconds(secs as i64),
            mono: self.mono + Duration::from_secs(secs),
            trusted: self.trusted,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn trust_rules() {
        let newest = t("2026-11-24T08:00:00+07:00");
        let rule = ClockTrust::NtpOrNewestMessage;
        assert!(rule.is_trusted(&t("1970-01-01T00:00:00Z"), true, Some(&newest)));
        assert!(!rule.is_trusted(&t("1970-01-01T00:00:00Z"), false, Some(&newest)));
        assert!(rule.is_trusted(&t("2026-11-24T09:00:00+07:00"), false, Some(&newest)));
        // A publisher a minute ahead of the board does not make the board doubt itself.
        assert!(rule.is_trusted(&t("2026-11-24T07:59:00+07:00"), false, Some(&newest)));
        assert!(!rule.is_trusted(&t("2026-11-24T09:00:00+07:00"), false, None));
        assert!(!ClockTrust::NtpOnly.is_trusted(&t("2030-01-01T00:00:00Z"), false, Some(&newest)));
        assert!(ClockTrust::Always.is_trusted(&t("1970-01-01T00:00:00Z"), false, None));
    }

    #[test]
    fn a_clock_far_ahead_of_every_signed_message_is_not_trusted_on_its_own() {
        // A bad RTC reading 2038: later than the newest message, but by years.
        let newest = t("2026-11-24T08:00:00+07:00");
        let rule = ClockTrust::NtpOrNewestMessage;
        assert!(!rule.is_trusted(&t("2038-01-19T03:14:07Z"), false, Some(&newest)));
        assert!(rule.is_trusted(&t("2026-12-20T08:00:00+07:00"), false, Some(&newest)));
        assert!(!rule.is_trusted(&t("2027-01-01T08:00:00+07:00"), false, Some(&newest)));
        // NTP is believed whatever the messages say.
        assert!(rule.is_trusted(&t("2038-01-19T03:14:07Z"), true, Some(&newest)));
    }

    #[test]
    fn a_message_signed_well_after_the_clock_proves_it_behind() {
        let now = t("2026-11-24T00:00:00+07:00");
        assert!(ClockTrust::proves_behind(
            &now,
            &t("2026-11-24T08:00:00+07:00")
        ));
        assert!(!ClockTrust::proves_behind(
            &now,
            &t("2026-11-24T00:04:00+07:00")
        ));
    }

    #[test]
    fn trust_holds_until_the_wall_clock_jumps() {
        let anchor = TrustAnchor {
            wall: t("2026-11-24T08:00:00+07:00"),
            mono: Duration::from_secs(100),
        };
        let later = t("2026-11-24T09:00:00+07:00");
        assert!(anchor.holds(&later, Duration::from_secs(100 + 3600)));
        assert!(anchor.holds(&later, Duration::from_secs(100 + 3600 + 60)));
        // NTP set the clock 8 hours forward: a jump.
        let jumped = t("2026-11-24T17:00:00+07:00");
        assert!(!anchor.holds(&jumped, Duration::from_secs(100 + 3600)));
        // Set back: a jump too.
        assert!(!anchor.holds(&anchor.wall, Duration::from_secs(100 + 3600)));
    }
}
