//! When an item may be shown: its validity window, days of the week and hours of the day, all
//! read in the board's time zone.

use bangtin_protocol::content::{HourRange, Item, TimeOfDay, Weekday};
use chrono::{DateTime, Datelike, FixedOffset, Timelike};

/// Whether `item` may show at `now` (board time). With an untrusted clock (a Pi after a power
/// cut, before NTP), nothing is dropped for being out of its window: the clock may be years off.
pub fn is_valid(item: &Item, now: &DateTime<FixedOffset>, clock_trusted: bool) -> bool {
    Moment::new(now, clock_trusted).admits(item)
}

/// `now` read once for many items: the time of day and weekday are computed a single time.
#[derive(Debug, Clone, Copy)]
pub struct Moment {
    now: DateTime<FixedOffset>,
    trusted: bool,
    minute: TimeOfDay,
    weekday: Weekday,
}

impl Moment {
    pub fn new(now: &DateTime<FixedOffset>, trusted: bool) -> Moment {
        Moment {
            now: *now,
            trusted,
            minute: TimeOfDay((now.hour() * 60 + now.minute()) as u16),
            weekday: weekday(now.weekday()),
        }
    }

    /// Whether `item` may show at this moment (see [`is_valid`]).
    pub fn admits(&self, item: &Item) -> bool {
        if !self.trusted {
            return true;
        }
        admits_at(item, &self.now, self.minute, self.weekday)
    }
}

fn admits_at(
    item: &Item,
    now: &DateTime<FixedOffset>,
    minute: TimeOfDay,
    weekday: Weekday,
) -> bool {
    if item.valid_from.is_some_and(|from| *now < from) {
        return false;
    }
    if item.valid_until.is_some_and(|until| *now >= until) {
        return false;
    }
    match &item.hours {
        None => item
            .days
            .as_ref()
            .is_none_or(|days| days.contains(&weekday)),
        Some(ranges) => ranges.iter().any(|r| in_range(r, minute, weekday, item)),
    }
}

/// A range crossing midnight ("21:00"-"06:00") belongs, after midnight, to the day it started:
/// a Saturday-only night shift still shows early on Sunday.
fn in_range(r: &HourRange, t: TimeOfDay, today: Weekday, item: &Item) -> bool {
    let day_ok = |d: Weekday| item.days.as_ref().is_none_or(|days| days.contains(&d));
    if r.from < r.to {
        r.from <= t && t < r.to && day_ok(today)
    } else {
        (t >= r.from && day_ok(today)) || (t < r.to && day_ok(previous(today)))
    }
}

fn weekday(w: chrono::Weekday) -> Weekday {
    Weekday::ALL[w.num_days_from_monday() as usize]
}

fn previous(d: Weekday) -> Weekday {
    let i = Weekday::ALL.iter().position(|x| *x == d).unwrap_or(0);
    Weekday::ALL[(i + 6) % 7]
}

#[cfg(test)]
mod tests {
    use super::*;
    use bangtin_protocol::content::parse_channel;

    fn item(extra: &str) -> Item {
        parse_channel(
            format!(r#"{{"items": [{{"id": "a", "type": "ticker", "text": "x"{extra}}}]}}"#)
                .as_bytes(),
        )
        .unwrap()
        .items
        .remove(0)
    }

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn validity_window_is_half_open() {
        let i = item(
            r#", "valid_from": "2026-11-20T00:00:00+07:00", "valid_until": "2026-11-25T00:00:00+07:00""#,
        );
        assert!(!is_valid(&i, &at("2026-11-19T23:59:59+07:00"), true));
        assert!(is_valid(&i, &at("2026-11-20T00:00:00+07:00"), true));
        assert!(is_valid(&i, &at("2026-11-24T16:59:59Z"), true));
        assert!(!is_valid(&i, &at("2026-11-25T00:00:00+07:00"), true));
        // An untrusted clock drops nothing.
        assert!(is_valid(&i, &at("1970-01-01T00:00:00+07:00"), false));
    }

    #[test]
    fn hours_and_days_in_board_time_including_overnight_ranges() {
        let i = item(r#", "days": ["sat"], "hours": [{"from": "21:00", "to": "06:00"}]"#);
        // 2026-11-28 is a Saturday.
        assert!(!is_valid(&i, &at("2026-11-28T20:59:00+07:00"), true));
        assert!(is_valid(&i, &at("2026-11-28T21:00:00+07:00"), true));
        assert!(
            is_valid(&i, &at("2026-11-29T05:59:00+07:00"), true),
            "Saturday night goes on into Sunday"
        );
        assert!(
            !is_valid(&i, &at("2026-11-29T21:30:00+07:00"), true),
            "but Sunday night is not Saturday's"
        );
        let day = item(
            r#", "hours": [{"from": "06:00", "to": "11:00"}, {"from": "13:30", "to": "21:00"}]"#,
        );
        assert!(is_valid(&day, &at("2026-11-27T06:00:00+07:00"), true));
        assert!(!is_valid(&day, &at("2026-11-27T12:00:00+07:00"), true));
        assert!(is_valid(&day, &at("2026-11-27T20:59:00+07:00"), true));
        assert!(!is_valid(&day, &at("2026-11-27T21:00:00+07:00"), true));
        let weekdays = item(r#", "days": ["mon", "tue", "wed", "thu", "fri"]"#);
        assert!(is_valid(&weekdays, &at("2026-11-27T10:00:00+07:00"), true)); // Friday
        assert!(!is_valid(&weekdays, &at("2026-11-28T10:00:00+07:00"), true)); // Saturday
    }
}
