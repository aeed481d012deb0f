//! Clock trust. A Raspberry Pi has no battery-backed clock: after a power cut it may start in
//! 1970 or wherever its last saved time was, until NTP corrects it. Until the clock is trusted,
//! validity windows drop nothing and alert lifetimes run on monotonic time.

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
    /// Once the system says NTP has synchronised it, or once it reads later than the newest
    /// `issued_at` of any accepted message (a clock that far along cannot be stuck in the past).
    #[default]
    NtpOrNewestMessage,
    /// Only once NTP has synchronised it.
    NtpOnly,
    /// Always (a board with a battery-backed real-time clock).
    Always,
}

impl ClockTrust {
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
                ntp_synced || newest_issued_at.is_some_and(|newest| now >= newest)
            }
        }
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

/// Whether the system says NTP has synchronised the clock: systemd-timesyncd (Raspberry Pi OS
/// and Debian's default) creates this file once it has.
pub fn system_clock_synchronized() -> bool {
    std::path::Path::new("/run/systemd/timesync/synchronized").exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_rules() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
        let newest = t("2026-11-24T08:00:00+07:00");
        let rule = ClockTrust::NtpOrNewestMessage;
        assert!(rule.is_trusted(&t("1970-01-01T00:00:00Z"), true, Some(&newest)));
        assert!(!rule.is_trusted(&t("1970-01-01T00:00:00Z"), false, Some(&newest)));
        assert!(rule.is_trusted(&t("2026-11-24T09:00:00+07:00"), false, Some(&newest)));
        assert!(!rule.is_trusted(&t("2026-11-24T09:00:00+07:00"), false, None));
        assert!(!ClockTrust::NtpOnly.is_trusted(&t("2030-01-01T00:00:00Z"), false, Some(&newest)));
        assert!(ClockTrust::Always.is_trusted(&t("1970-01-01T00:00:00Z"), false, None));
    }
}
