//! The Vietnamese lunar calendar (Âm lịch), computed from astronomy.
//!
//! # Rules
//!
//! The calendar is lunisolar and is reckoned in Vietnam's civil time, UTC+7
//! (the meridian 105° E), as fixed by the decision of 8 August 1967:
//!
//! 1. A lunar month begins on the civil day that contains the new moon
//!    (conjunction of the Moon and the Sun, *sóc*); it has 29 or 30 days.
//! 2. Month 11 is the month that contains the December solstice (the Sun's
//!    apparent longitude reaches 270°, *Đông chí*).
//! 3. When 13 months, rather than 12, begin between one month 11 and the
//!    next, that stretch has a leap month: the first month after month 11
//!    during which the Sun's longitude crosses no multiple of 30° (it holds no
//!    major solar term, *trung khí*). It repeats the number of the month
//!    before it ("tháng 4 nhuận").
//! 4. Month 1 starts the new year (Tết Nguyên Đán). The year is numbered
//!    by the Gregorian year in which its Tết falls and named (Can Chi) by the
//!    sexagenary cycle.
//!
//! The same rules with UTC+8 give the Chinese calendar, which is why Tết and
//! the Chinese New Year sometimes fall on different days (2007, 2030), or
//! even a month apart (1985); [`lunar_date_in`] shows this.
//!
//! # Sources and accuracy
//!
//! The algorithms are written from the published astronomical formulas in
//! Jean Meeus, *Astronomical Algorithms* (2nd ed., 1998):
//!
//! * true new moons from chapter 49 (mean phase, periodic terms and the 14
//!   planetary arguments), within about 20 seconds of the full lunar theory;
//! * the Sun's apparent longitude from chapter 25's low-accuracy method,
//!   accurate to about 0.01°, i.e. about a quarter of an hour in time;
//! * ΔT (TT − UT) from the polynomial fits of Espenak and Meeus (NASA, *Five
//!   Millennium Canon of Solar Eclipses*, 2006); these are within seconds of
//!   the observed values in the 20th century, but are extrapolations for the
//!   future, uncertain by minutes towards 2200.
//!
//! The calendar rules are those described by Hồ Ngọc Đức ("Thuật toán tính
//! âm lịch"); no code of his was used. A computed date can only differ from
//! the official calendar when a new moon falls within a minute or so of local
//! midnight (a few minutes, in the 22nd century), or a major solar term
//! within about a quarter of an hour of the midnight that begins a month;
//! such coincidences are rare.
//!
//! # Range
//!
//! Civil dates from 1900-01-01 to 2199-12-31 are supported; outside that
//! range the functions return `None`. Nothing here panics or allocates beyond
//! the returned strings; a conversion evaluates a few dozen new moons and
//! takes microseconds.

use chrono::{Datelike, NaiveDate};

/// A date of the Vietnamese lunar calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LunarDate {
    /// Day of the month, 1..=30.
    pub day: u32,
    /// Month number, 1..=12; a leap month repeats the number of the month before it.
    pub month: u32,
    /// Lunar year, numbered like the Gregorian year in which its month 1 begins.
    pub year: i32,
    /// Whether this is the leap (intercalary) month, "tháng nhuận".
    pub leap: bool,
}

/// Vietnam's civil time, hours east of UTC.
const VIETNAM_UTC_OFFSET_HOURS: f64 = super::VIETNAM.local_minus_utc() as f64 / 3600.0;
/// First civil year supported.
const FIRST_YEAR: i32 = 1900;
/// Last civil year supported.
const LAST_YEAR: i32 = 2199;
/// Julian Day Number of 0000-12-31 (proleptic Gregorian), the day before chrono's day 1 of the CE.
const JDN_OF_CE_DAY_ZERO: i64 = 1_721_425;
/// Mean synodic month in days (Meeus, ch. 49).
const SYNODIC_MONTH: f64 = 29.530_588_861;
/// JDE of the mean new moon k = 0, 2000 January 6 (Meeus, eq. 49.1).
const NEW_MOON_EPOCH: f64 = 2_451_550.097_66;

const CAN: [&str; 10] = [
    "Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ", "Canh", "Tân", "Nhâm", "Quý",
];
const CHI: [&str; 12] = [
    "Tý", "Sửu", "Dần", "Mão", "Thìn", "Tỵ", "Ngọ", "Mùi", "Thân", "Dậu", "Tuất", "Hợi",
];

/// The lunar date of a civil (solar) date in Vietnam (UTC+7).
///
/// Supports civil dates from 1900-01-01 to 2199-12-31 and returns `None`
/// outside that range. Lunar years are numbered by the Gregorian year in
/// which they begin, so January days before Tết belong to the previous
/// lunar year (2026-01-01 is 13/11 of lunar year 2025, Ất Tỵ).
pub fn lunar_date(date: NaiveDate) -> Option<LunarDate> {
    lunar_date_in(date, VIETNAM_UTC_OFFSET_HOURS)
}

/// The lunar date of a civil date, with the calendar reckoned in another time
/// zone, given in hours east of UTC (7.0 is Vietnam, 8.0 gives the Chinese
/// calendar).
///
/// Same range as [`lunar_date`]; also returns `None` when the offset is not
/// a finite number within −12..=14 hours.
pub fn lunar_date_in(date: NaiveDate, utc_offset_hours: f64) -> Option<LunarDate> {
    let zone = Zone::new(utc_offset_hours)?;
    if !(FIRST_YEAR..=LAST_YEAR).contains(&date.year()) {
        return None;
    }
    let day = julian_day_number(date);
    let lunation = zone.lunation_containing(day)?;

    // The stretch between the month 11 before the date and the next month 11.
    let year = date.year();
    let (solstice_year, first, next) = {
        let this = zone.month_eleven(year)?;
        if lunation >= this {
            (year, this, zone.month_eleven(year + 1)?)
        } else {
            (year - 1, zone.month_eleven(year - 1)?, this)
        }
    };
    let offset = lunation - first;
    if !(0..next - first).contains(&offset) {
        return None;
    }
    let leap_offset = if next - first == 13 {
        zone.leap_offset(first, offset)
    } else {
        None
    };
    let ordinal = match leap_offset {
        Some(leap) if offset >= leap => offset - 1,
        _ => offset,
    };
    let month = u32::try_from((ordinal + 10) % 12 + 1).ok()?;
    let day_of_month = u32::try_from(day - zone.new_moon_day(lunation) + 1).ok()?;
    Some(LunarDate {
        day: day_of_month,
        month,
        year: if month >= 11 {
            solstice_year
        } else {
            solstice_year + 1
        },
        leap: leap_offset == Some(offset),
    })
}

/// The civil date of a Vietnamese lunar date (the inverse of [`lunar_date`]).
///
/// Returns `None` for a date that does not exist (month outside 1..=12,
/// day 30 of a 29-day month, `leap` set on a month that is not repeated that
/// year) or whose civil date falls outside 1900-01-01..=2199-12-31.
pub fn solar_date(lunar: LunarDate) -> Option<NaiveDate> {
    let zone = Zone::new(VIETNAM_UTC_OFFSET_HOURS)?;
    if !(1..=12).contains(&lunar.month)
        || !(1..=30).contains(&lunar.day)
        || !(FIRST_YEAR - 1..=LAST_YEAR).contains(&lunar.year)
    {
        return None;
    }
    let solstice_year = if lunar.month >= 11 {
        lunar.year
    } else {
        lunar.year - 1
    };
    let first = zone.month_eleven(solstice_year)?;
    let next = zone.month_eleven(solstice_year + 1)?;
    // Months after month 11 without a leap month: 11 -> 0, 12 -> 1, 1 -> 2, ..., 10 -> 11.
    let ordinal = i64::from((lunar.month + 1) % 12);
    let leap_offset = if next - first == 13 {
        Some(zone.leap_offset(first, 12)?)
    } else {
        None
    };
    let offset = match (lunar.leap, leap_offset) {
        (false, None) => ordinal,
        (false, Some(leap)) if ordinal < leap => ordinal,
        (false, Some(_)) => ordinal + 1,
        (true, Some(leap)) if ordinal + 1 == leap => leap,
        (true, _) => return None,
    };
    let start = zone.new_moon_day(first + offset);
    let length = zone.new_moon_day(first + offset + 1) - start;
    if i64::from(lunar.day) > length {
        return None;
    }
    let date = date_from_julian_day_number(start + i64::from(lunar.day) - 1)?;
    (FIRST_YEAR..=LAST_YEAR)
        .contains(&date.year())
        .then_some(date)
}

/// The Can Chi (sexagenary) name of a lunar year: 2026 → "Bính Ngọ".
pub fn can_chi_year(year: i32) -> String {
    let year = i64::from(year);
    // rem_euclid keeps both indices in range for negative years too.
    let can = CAN[(year + 6).rem_euclid(10) as usize];
    let chi = CHI[(year + 8).rem_euclid(12) as usize];
    format!("{can} {chi}")
}

/// The lunar date in words: "16 tháng 10 năm Bính Ngọ"; a leap month:
/// "3 tháng 2 nhuận năm Quý Mão".
pub fn lunar_line(date: &LunarDate) -> String {
    format!(
        "{} tháng {}{} năm {}",
        date.day,
        date.month,
        if date.leap { " nhuận" } else { "" },
        can_chi_year(date.year)
    )
}

/// A short form for small screens: "16/10 ÂL"; a leap month: "3/2n ÂL".
pub fn lunar_short(date: &LunarDate) -> String {
    format!(
        "{}/{}{} ÂL",
        date.day,
        date.month,
        if date.leap { "n" } else { "" }
    )
}

/// The calendar's time zone, and the month arithmetic that depends on it.
///
/// Lunations are numbered as in Meeus ch. 49: k = 0 is the new moon of
/// 2000 January 6, and lunation k is the lunar month beginning on its day.
#[derive(Debug, Clone, Copy)]
struct Zone {
    /// Offset from UTC in days.
    offset_days: f64,
}

impl Zone {
    fn new(utc_offset_hours: f64) -> Option<Self> {
        (utc_offset_hours.is_finite() && (-12.0..=14.0).contains(&utc_offset_hours)).then_some(
            Self {
                offset_days: utc_offset_hours / 24.0,
            },
        )
    }

    /// Julian Day Number of the local civil day containing new moon `k`.
    fn new_moon_day(self, k: i64) -> i64 {
        let jde = true_new_moon(k);
        let jd_ut = jde - delta_t_days(jde);
        // A civil day runs from local midnight, JD x.5 in UT shifted by the offset.
        (jd_ut + 0.5 + self.offset_days).floor() as i64
    }

    /// The Sun's apparent longitude, degrees, at the local midnight that begins civil day `day`.
    fn sun_longitude_at_start_of(self, day: i64) -> f64 {
        let jd_ut = day as f64 - 0.5 - self.offset_days;
        sun_apparent_longitude(jd_ut + delta_t_days(jd_ut))
    }

    /// Which 30° sector of longitude (0..=11) the Sun is in as civil day `day` begins.
    fn sector_at_start_of(self, day: i64) -> i64 {
        (self.sun_longitude_at_start_of(day) / 30.0).floor() as i64
    }

    /// The lunation whose month contains civil day `day`.
    fn lunation_containing(self, day: i64) -> Option<i64> {
        let mut k = ((day as f64 - NEW_MOON_EPOCH) / SYNODIC_MONTH).floor() as i64;
        for _ in 0..4 {
            if self.new_moon_day(k) > day {
                k -= 1;
            } else if self.new_moon_day(k + 1) <= day {
                k += 1;
            } else {
                return Some(k);
            }
        }
        None
    }

    /// The lunation of month 11 of `year`: the month containing that year's December solstice.
    fn month_eleven(self, year: i32) -> Option<i64> {
        let december_21 = julian_day_number(NaiveDate::from_ymd_opt(year, 12, 21)?);
        let mut k = ((december_21 as f64 - NEW_MOON_EPOCH) / SYNODIC_MONTH).floor() as i64;
        for _ in 0..4 {
            // Near December the longitude runs from about 240° to 300°: no wrap-around.
            if self.sun_longitude_at_start_of(self.new_moon_day(k)) >= 270.0 {
                k -= 1;
            } else if self.sun_longitude_at_start_of(self.new_moon_day(k + 1)) < 270.0 {
                k += 1;
            } else {
                return Some(k);
            }
        }
        None
    }

    /// In a 13-month stretch that starts with month 11 at lunation `first`,
    /// the offset (1..=`up_to`) of the leap month, if it comes that early: the
    /// first month in which the Sun crosses no multiple of 30°.
    fn leap_offset(self, first: i64, up_to: i64) -> Option<i64> {
        let mut start_sector = self.sector_at_start_of(self.new_moon_day(first + 1));
        for offset in 1..=up_to.min(12) {
            let end_sector = self.sector_at_start_of(self.new_moon_day(first + offset + 1));
            if end_sector == start_sector {
                return Some(offset);
            }
            start_sector = end_sector;
        }
        None
    }
}

/// Julian Day Number (the JD at noon) of a civil date.
fn julian_day_number(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) + JDN_OF_CE_DAY_ZERO
}

fn date_from_julian_day_number(jdn: i64) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(i32::try_from(jdn - JDN_OF_CE_DAY_ZERO).ok()?)
}

fn sin_deg(degrees: f64) -> f64 {
    degrees.to_radians().sin()
}

/// Additional corrections for the new moon from the planetary arguments A1..A14
/// (Meeus, ch. 49): (A at k = 0, degrees per lunation, coefficient in days).
const PLANETARY: [(f64, f64, f64); 14] = [
    (299.77, 0.107_408, 0.000_325),
    (251.88, 0.016_321, 0.000_165),
    (251.83, 26.651_886, 0.000_164),
    (349.42, 36.412_478, 0.000_126),
    (84.66, 18.206_239, 0.000_110),
    (141.74, 53.303_771, 0.000_062),
    (207.14, 2.453_732, 0.000_060),
    (154.84, 7.306_860, 0.000_056),
    (34.52, 27.261_239, 0.000_047),
    (207.19, 0.121_824, 0.000_042),
    (291.34, 1.844_379, 0.000_040),
    (161.72, 24.198_154, 0.000_037),
    (239.56, 25.513_099, 0.000_035),
    (331.55, 3.592_518, 0.000_023),
];

/// JDE (Terrestrial Time) of the true new moon of lunation `k` (Meeus, ch. 49).
fn true_new_moon(k: i64) -> f64 {
    let k = k as f64;
    let t = k / 1236.85;
    let t2 = t * t;
    let t3 = t2 * t;
    let t4 = t3 * t;

    // Mean phase (eq. 49.1).
    let mean = NEW_MOON_EPOCH + SYNODIC_MONTH * k + 0.000_154_37 * t2 - 0.000_000_150 * t3
        + 0.000_000_000_73 * t4;

    // Eccentricity of the Earth's orbit (eq. 47.6).
    let e = 1.0 - 0.002_516 * t - 0.000_007_4 * t2;
    // Sun's mean anomaly (49.4), Moon's mean anomaly (49.5), Moon's argument
    // of latitude (49.6) and longitude of the ascending node (49.7), degrees.
    let m = 2.5534 + 29.105_356_70 * k - 0.000_001_4 * t2 - 0.000_000_11 * t3;
    let mp =
        201.5643 + 385.816_935_28 * k + 0.010_758_2 * t2 + 0.000_012_38 * t3 - 0.000_000_058 * t4;
    let f =
        160.7108 + 390.670_502_84 * k - 0.001_611_8 * t2 - 0.000_002_27 * t3 + 0.000_000_011 * t4;
    let omega = 124.7746 - 1.563_755_88 * k + 0.002_067_2 * t2 + 0.000_002_15 * t3;

    // Periodic terms for the new moon.
    let periodic = -0.407_20 * sin_deg(mp)
        + 0.172_41 * e * sin_deg(m)
        + 0.016_08 * sin_deg(2.0 * mp)
        + 0.010_39 * sin_deg(2.0 * f)
        + 0.007_39 * e * sin_deg(mp - m)
        - 0.005_14 * e * sin_deg(mp + m)
        + 0.002_08 * e * e * sin_deg(2.0 * m)
        - 0.001_11 * sin_deg(mp - 2.0 * f)
        - 0.000_57 * sin_deg(mp + 2.0 * f)
        + 0.000_56 * e * sin_deg(2.0 * mp + m)
        - 0.000_42 * sin_deg(3.0 * mp)
        + 0.000_42 * e * sin_deg(m + 2.0 * f)
        + 0.000_38 * e * sin_deg(m - 2.0 * f)
        - 0.000_24 * e * sin_deg(2.0 * mp - m)
        - 0.000_17 * sin_deg(omega)
        - 0.000_07 * sin_deg(mp + 2.0 * m)
        + 0.000_04 * sin_deg(2.0 * mp - 2.0 * f)
        + 0.000_04 * sin_deg(3.0 * m)
        + 0.000_03 * sin_deg(mp + m - 2.0 * f)
        + 0.000_03 * sin_deg(2.0 * mp + 2.0 * f)
        - 0.000_03 * sin_deg(mp + m + 2.0 * f)
        + 0.000_03 * sin_deg(mp - m + 2.0 * f)
        - 0.000_02 * sin_deg(mp - m - 2.0 * f)
        - 0.000_02 * sin_deg(3.0 * mp + m)
        + 0.000_02 * sin_deg(4.0 * mp);

    // Additional corrections from the planetary arguments.
    let planetary: f64 = PLANETARY
        .iter()
        .enumerate()
        .map(|(i, &(a0, rate, coefficient))| {
            // Only A1 has a T² term.
            let quadratic = if i == 0 { -0.009_173 * t2 } else { 0.0 };
            coefficient * sin_deg(a0 + rate * k + quadratic)
        })
        .sum();

    mean + periodic + planetary
}

/// The Sun's apparent geocentric longitude in degrees, 0..360, at JDE `jde`
/// (Meeus, ch. 25, low accuracy: about 0.01°).
fn sun_apparent_longitude(jde: f64) -> f64 {
    let t = (jde - 2_451_545.0) / 36_525.0;
    let t2 = t * t;
    let mean_longitude = 280.466_46 + 36_000.769_83 * t + 0.000_303_2 * t2;
    let mean_anomaly = 357.529_11 + 35_999.050_29 * t - 0.000_153_7 * t2;
    let centre = (1.914_602 - 0.004_817 * t - 0.000_014 * t2) * sin_deg(mean_anomaly)
        + (0.019_993 - 0.000_101 * t) * sin_deg(2.0 * mean_anomaly)
        + 0.000_289 * sin_deg(3.0 * mean_anomaly);
    let omega = 125.04 - 1_934.136 * t;
    // Nutation and aberration.
    let apparent = mean_longitude + centre - 0.005_69 - 0.004_78 * sin_deg(omega);
    apparent.rem_euclid(360.0)
}

/// ΔT = TT − UT in days at Julian Day `jd`, from the Espenak–Meeus
/// polynomials for 1900–2200 (clamped to their end pieces outside).
fn delta_t_days(jd: f64) -> f64 {
    let y = 2000.0 + (jd - 2_451_545.0) / 365.25;
    let seconds = if y < 1920.0 {
        let t = y - 1900.0;
        -2.79 + 1.494_119 * t - 0.059_893_9 * t * t + 0.006_196_6 * t.powi(3)
            - 0.000_197 * t.powi(4)
    } else if y < 1941.0 {
        let t = y - 1920.0;
        21.20 + 0.844_93 * t - 0.076_100 * t * t + 0.002_093_6 * t.powi(3)
    } else if y < 1961.0 {
        let t = y - 1950.0;
        29.07 + 0.407 * t - t * t / 233.0 + t.powi(3) / 2547.0
    } else if y < 1986.0 {
        let t = y - 1975.0;
        45.45 + 1.067 * t - t * t / 260.0 - t.powi(3) / 718.0
    } else if y < 2005.0 {
        let t = y - 2000.0;
        63.86 + 0.334_5 * t - 0.060_374 * t * t
            + 0.001_727_5 * t.powi(3)
            + 0.000_651_814 * t.powi(4)
            + 0.000_023_735_99 * t.powi(5)
    } else if y < 2050.0 {
        let t = y - 2000.0;
        62.92 + 0.322_17 * t + 0.005_589 * t * t
    } else if y < 2150.0 {
        let u = (y - 1820.0) / 100.0;
        -20.0 + 32.0 * u * u - 0.562_8 * (2150.0 - y)
    } else {
        let u = (y - 1820.0) / 100.0;
        -20.0 + 32.0 * u * u
    };
    seconds / 86_400.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("valid test date")
    }

    #[test]
    fn julian_day_numbers() {
        // Meeus ch. 7: 2000 January 1.5 is JD 2451545.0.
        assert_eq!(julian_day_number(ymd(2000, 1, 1)), 2_451_545);
        // Meeus example 7.a: 1957 October 4.81 is JD 2436116.31.
        assert_eq!(julian_day_number(ymd(1957, 10, 4)), 2_436_116);
        assert_eq!(
            date_from_julian_day_number(2_451_545),
            Some(ymd(2000, 1, 1))
        );
    }

    #[test]
    fn meeus_example_49a_new_moon() {
        // The new moon of 1977 February (k = -283): JDE 2443192.65118.
        assert!((true_new_moon(-283) - 2_443_192.651_18).abs() < 1e-4);
    }

    #[test]
    fn meeus_example_25a_sun() {
        // 1992 October 13.0 TD: apparent longitude 199.90895° (low-accuracy method).
        assert!((sun_apparent_longitude(2_448_908.5) - 199.908_95).abs() < 1e-3);
    }

    #[test]
    fn delta_t_is_plausible() {
        // About 64 s in 2000 and 24 s in 1930 (observed values 63.8 s and 24.1 s).
        let d2000 = delta_t_days(2_451_545.0) * 86_400.0;
        assert!((d2000 - 63.9).abs() < 0.5, "{d2000}");
        let d1930 = delta_t_days(2_425_977.0) * 86_400.0;
        assert!((d1930 - 24.0).abs() < 1.0, "{d1930}");
    }

    #[test]
    fn rejects_bad_zones_and_ranges() {
        assert_eq!(lunar_date_in(ymd(2026, 1, 1), f64::NAN), None);
        assert_eq!(lunar_date_in(ymd(2026, 1, 1), f64::INFINITY), None);
        assert_eq!(lunar_date_in(ymd(2026, 1, 1), 25.0), None);
        assert_eq!(lunar_date(ymd(1899, 12, 31)), None);
        assert_eq!(lunar_date(ymd(2200, 1, 1)), None);
        assert!(lunar_date(ymd(1900, 1, 1)).is_some());
        assert!(lunar_date(ymd(2199, 12, 31)).is_some());
        assert_eq!(lunar_date(NaiveDate::MIN), None);
        assert_eq!(lunar_date(NaiveDate::MAX), None);
    }

    #[test]
    fn can_chi_extremes_do_not_panic() {
        assert_eq!(can_chi_year(4), "Giáp Tý");
        assert!(!can_chi_year(i32::MIN).is_empty());
        assert!(!can_chi_year(i32::MAX).is_empty());
    }

    #[test]
    fn solar_date_rejects_nonsense() {
        let lunar = |day, month, year, leap| LunarDate {
            day,
            month,
            year,
            leap,
        };
        assert_eq!(solar_date(lunar(1, 0, 2026, false)), None);
        assert_eq!(solar_date(lunar(1, 13, 2026, false)), None);
        assert_eq!(solar_date(lunar(0, 1, 2026, false)), None);
        assert_eq!(solar_date(lunar(31, 1, 2026, false)), None);
        // 2026 has no leap month.
        assert_eq!(solar_date(lunar(1, 4, 2026, true)), None);
        assert_eq!(solar_date(lunar(1, 1, i32::MAX, false)), None);
        assert_eq!(solar_date(lunar(1, 1, i32::MIN, false)), None);
        assert_eq!(solar_date(lunar(1, 1, 2026, false)), Some(ymd(2026, 2, 17)));
    }
}
