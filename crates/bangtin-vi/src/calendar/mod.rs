//! Vietnamese dates: weekday names and the date line of the header and idle slide.
//!
//! Pure functions of a calendar date; the caller converts "now" to the board's time zone.

pub mod lunar;

use chrono::{Datelike, FixedOffset, NaiveDate, Timelike};

/// Vietnam's time zone (Asia/Ho_Chi_Minh): UTC+7 all year, no daylight saving.
pub const VIETNAM: FixedOffset = match FixedOffset::east_opt(7 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+7 is a valid offset"),
};

/// "Chủ Nhật", "Thứ Hai", ... for a date.
pub fn weekday_name(date: NaiveDate) -> &'static str {
    match date.weekday() {
        chrono::Weekday::Mon => "Thứ Hai",
        chrono::Weekday::Tue => "Thứ Ba",
        chrono::Weekday::Wed => "Thứ Tư",
        chrono::Weekday::Thu => "Thứ Năm",
        chrono::Weekday::Fri => "Thứ Sáu",
        chrono::Weekday::Sat => "Thứ Bảy",
        chrono::Weekday::Sun => "Chủ Nhật",
    }
}

/// "Thứ Ba, ngày 24 tháng 11 năm 2026".
pub fn date_line(date: NaiveDate) -> String {
    format!(
        "{}, ngày {} tháng {} năm {}",
        weekday_name(date),
        date.day(),
        date.month(),
        date.year()
    )
}

/// "07:05": 24-hour clock, as Vietnamese public notices write it.
pub fn clock(time: impl Timelike) -> String {
    format!("{:02}:{:02}", time.hour(), time.minute())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_line_matches_the_reference_example() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        assert_eq!(date_line(d), "Thứ Ba, ngày 24 tháng 11 năm 2026");
    }

    #[test]
    fn sunday_is_chu_nhat() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        assert_eq!(weekday_name(d), "Chủ Nhật");
    }

    #[test]
    fn clock_is_zero_padded() {
        let t = chrono::NaiveTime::from_hms_opt(7, 5, 59).unwrap();
        assert_eq!(clock(t), "07:05");
    }
}
