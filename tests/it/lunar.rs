//! The Vietnamese lunar calendar against published dates, and its structural
//! properties over every day from 1901 to 2100.

use bangtin_vi::calendar::lunar::*;
use chrono::{Datelike, NaiveDate};

fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("valid test date")
}

fn lunar(day: u32, month: u32, year: i32) -> LunarDate {
    LunarDate {
        day,
        month,
        year,
        leap: false,
    }
}

fn leap(day: u32, month: u32, year: i32) -> LunarDate {
    LunarDate {
        day,
        month,
        year,
        leap: true,
    }
}

/// Asserts the Vietnamese lunar date of a civil date, and the inverse.
#[track_caller]
fn check(civil: NaiveDate, expected: LunarDate) {
    assert_eq!(lunar_date(civil), Some(expected), "lunar date of {civil}");
    assert_eq!(
        solar_date(expected),
        Some(civil),
        "civil date of {expected:?}"
    );
}

#[test]
fn tet_dates() {
    // Vietnamese Tết (1/1). Between 2000 and 2099 the Vietnamese and Chinese
    // New Year differ only in 2007, 2030 and 2053 (Hồ Ngọc Đức, quoted at
    // kientruc2014.com/vietnam/cau-tra-loi-nhanh-chong-what-year-is-it-in-vietnam.html),
    // so for the other years the Chinese New Year dates are Tết's too.
    let cases = [
        // Chinese New Year 2000-2019: uchinavisa.com/chinese-new-year-calendar.html
        // (China Highlights); same list in encyclopedia.kids.net.au "Chinese New Year".
        (ymd(2000, 2, 5), 2000),
        (ymd(2001, 1, 24), 2001),
        (ymd(2002, 2, 12), 2002),
        (ymd(2003, 2, 1), 2003),
        (ymd(2004, 1, 22), 2004),
        (ymd(2005, 2, 9), 2005),
        (ymd(2006, 1, 29), 2006),
        (ymd(2008, 2, 7), 2008),
        (ymd(2009, 1, 26), 2009),
        (ymd(2010, 2, 14), 2010),
        (ymd(2011, 2, 3), 2011),
        (ymd(2012, 1, 23), 2012),
        (ymd(2013, 2, 10), 2013),
        (ymd(2014, 1, 31), 2014),
        (ymd(2015, 2, 19), 2015),
        (ymd(2016, 2, 8), 2016),
        (ymd(2017, 1, 28), 2017),
        // Also "Lunar New Year day is on Friday, February 16th 2018" (Tết):
        // meetbooberrybandit.com/2018/02/.
        (ymd(2018, 2, 16), 2018),
        (ymd(2019, 2, 5), 2019),
        // Mùng 1 Tết Canh Tý = 25/1/2020: giadinh.suckhoedoisong.vn (Tết 2020 holiday article).
        (ymd(2020, 1, 25), 2020),
        // 2021-2031: cny.blogspot.com/2017/03 ("The cycle resumes on January
        // 25th, 2020 ... 23January2031"); 2021-2026 also 4to40.com "When is
        // Chinese New Year?" (whose 2027 and 2028 entries are a day late).
        (ymd(2021, 2, 12), 2021),
        (ymd(2022, 2, 1), 2022),
        (ymd(2023, 1, 22), 2023),
        // Known-good (project brief); also alokhoai.com "Năm 2023 có nhuận không?".
        (ymd(2024, 2, 10), 2024),
        // Ất Tỵ runs 29/1/2025 to 16/2/2026: thanhnien.vn, 22/08/2025 (lịch âm hôm nay 22.8).
        (ymd(2025, 1, 29), 2025),
        (ymd(2026, 2, 17), 2026),
        (ymd(2027, 2, 6), 2027),
        (ymd(2028, 1, 26), 2028),
        (ymd(2029, 2, 13), 2029),
        // Vietnam 02/02/2030 (China 03/02/2030): kientruc2014.com, above.
        (ymd(2030, 2, 2), 2030),
        (ymd(2031, 1, 23), 2031),
    ];
    for (civil, year) in cases {
        check(civil, lunar(1, 1, year));
        // The day before is the last day (29 or 30) of month 12 of the year before.
        let eve = lunar_date(civil.pred_opt().expect("in range")).expect("in range");
        assert_eq!(
            (eve.month, eve.year, eve.leap),
            (12, year - 1, false),
            "{civil}"
        );
        assert!(eve.day == 29 || eve.day == 30, "{civil}: {eve:?}");
    }
}

#[test]
fn around_tet_2020() {
    // giadinh.suckhoedoisong.vn: the holiday ran from 23/1/2020 "(tức ngày
    // 29/12/2019 Âm lịch)" to 29/1/2020 "(tức ngày mùng 5 tháng Giêng năm 2020
    // Canh Tý)"; 25 and 26/1/2020 were mùng 1 and mùng 2.
    check(ymd(2020, 1, 23), lunar(29, 12, 2019));
    check(ymd(2020, 1, 24), lunar(30, 12, 2019));
    check(ymd(2020, 1, 26), lunar(2, 1, 2020));
    check(ymd(2020, 1, 29), lunar(5, 1, 2020));
}

#[test]
fn known_good_examples() {
    // Project brief: 24/11/2026 is 16/10 Bính Ngọ.
    check(ymd(2026, 11, 24), lunar(16, 10, 2026));
    // Giỗ Tổ Hùng Vương (10/3) "rơi vào ngày 21/4 Dương lịch" in 2021:
    // cafedautu.vn, 22/03/2021.
    check(ymd(2021, 4, 21), lunar(10, 3, 2021));
    // Giỗ Tổ Hùng Vương 2016 "vào thứ 7": meohaybotui.com (lịch nghỉ 2016);
    // the Saturday is 16/4/2016.
    check(ymd(2016, 4, 16), lunar(10, 3, 2016));
    // January days before Tết belong to the previous lunar year: lunar month 11
    // of Ất Tỵ began 20/12/2025 (new moon 01:43 UTC), so 1/1/2026 is 13/11.
    check(ymd(2026, 1, 1), lunar(13, 11, 2025));
}

#[test]
fn leap_fourth_month_2020() {
    // 闰四月初一 = 23/5/2020: yhsp.net/post/31856.html; Vietnam's 2020 leap
    // month is the 4th too (wiindi.net "Năm 2020 có phải là năm Nhuận").
    // The leap month ended with the new moon of the annular solar eclipse of
    // 21/6/2020 (06:41 UTC), which began month 5.
    check(ymd(2020, 5, 22), lunar(30, 4, 2020));
    check(ymd(2020, 5, 23), leap(1, 4, 2020));
    check(ymd(2020, 6, 20), leap(29, 4, 2020));
    check(ymd(2020, 6, 21), lunar(1, 5, 2020));
}

#[test]
fn leap_second_month_2023() {
    // 2023 (Quý Mão) has a leap 2nd month, months "1-2-2-3-4-...":
    // tobitu.com "Năm 2023 có 2 tháng 2 phải không?", luatduonggia.edu.vn.
    // Its first day follows the new moon of 21/3/2023 17:23 UTC (00:23 on
    // 22/3 in Vietnam); month 3 began with the new moon of the hybrid solar
    // eclipse of 20/4/2023 (04:12 UTC).
    check(ymd(2023, 3, 21), lunar(30, 2, 2023));
    check(ymd(2023, 3, 22), leap(1, 2, 2023));
    check(ymd(2023, 4, 19), leap(29, 2, 2023));
    check(ymd(2023, 4, 20), lunar(1, 3, 2023));
}

#[test]
fn leap_sixth_month_2025() {
    // thanhnien.vn, 22/08/2025: the first month 6 had 30 days, 25/6-24/7; the
    // leap month 6 had 29 days, 25/7-22/8; 23/8 is the first day of month 7.
    check(ymd(2025, 6, 25), lunar(1, 6, 2025));
    check(ymd(2025, 7, 24), lunar(30, 6, 2025));
    check(ymd(2025, 7, 25), leap(1, 6, 2025));
    check(ymd(2025, 8, 22), leap(29, 6, 2025));
    check(ymd(2025, 8, 23), lunar(1, 7, 2025));
}

#[test]
fn leap_month_numbers() {
    // Leap months 2014: 9, 2017: 6, 2020: 4, 2023: 2, 2025: 6, 2028: 5,
    // 2031: 3 (wiindi.net "Năm Nhuận là gì? Năm 2020 có phải là năm Nhuận").
    // 2001 and 2012: leap 4th months, 2006: 7th, 2009: 5th (yhsp.net, above).
    let expected = [
        (2001, 4),
        (2006, 7),
        (2009, 5),
        (2012, 4),
        (2014, 9),
        (2017, 6),
        (2020, 4),
        (2023, 2),
        (2025, 6),
        (2028, 5),
        (2031, 3),
    ];
    for (year, month) in expected {
        assert_eq!(leap_months_of(year), vec![month], "lunar year {year}");
    }
    for year in [2018, 2019, 2021, 2022, 2024, 2026, 2027] {
        assert_eq!(leap_months_of(year), Vec::<u32>::new(), "lunar year {year}");
    }
}

#[test]
fn leap_eleventh_month_2033() {
    // "In 2033, the Leap Month comes after the 11th month ... in the year 2034,
    // Chinese Lunar New Year will begin on the 3rd new moon following the
    // Winter Solstice": singaporeanlifestyle.com "Year 2033 - The Unusual Leap
    // Month" (after H. Aslaksen). The Vietnamese calendar agrees.
    assert_eq!(leap_months_of(2033), vec![11]);
    for zone in [7.0, 8.0] {
        let mut civil = ymd(2033, 12, 21);
        let mut new_moons = 0;
        let mut saw_leap_eleven = false;
        loop {
            civil = civil.succ_opt().expect("in range");
            let date = lunar_date_in(civil, zone).expect("in range");
            saw_leap_eleven |= date.leap && date.month == 11;
            if date.day == 1 {
                new_moons += 1;
                if date.month == 1 {
                    break;
                }
            }
        }
        assert!(saw_leap_eleven, "UTC+{zone}");
        assert_eq!((new_moons, civil.year()), (3, 2034), "UTC+{zone}");
    }
}

/// The leap months of a lunar year, found by walking its days.
fn leap_months_of(year: i32) -> Vec<u32> {
    let mut day = solar_date(lunar(1, 1, year)).expect("in range");
    let mut found = Vec::new();
    while let Some(date) = lunar_date(day).filter(|date| date.year == year) {
        if date.leap && date.day == 1 {
            found.push(date.month);
        }
        day = day.succ_opt().expect("in range");
    }
    found
}

#[test]
fn vietnam_and_china_differ() {
    // 1985: Vietnam's month 11 was 23/11-21/12/1984, so Tết was 21/1/1985;
    // China's was 22/12/1984-20/1/1985 and its New Year 20/2/1985
    // (en.wikipedia.org/wiki/Vietnamese_calendar; oreateai.com/blog/1985-lunar-new-year).
    check(ymd(1985, 1, 21), lunar(1, 1, 1985));
    assert_eq!(lunar_date(ymd(1985, 2, 20)).map(|d| d.month), Some(2));
    assert_eq!(
        lunar_date_in(ymd(1985, 2, 20), 8.0),
        Some(lunar(1, 1, 1985))
    );
    assert_eq!(
        lunar_date_in(ymd(1985, 1, 21), 8.0),
        Some(lunar(1, 12, 1984))
    );
    assert_eq!(lunar_date(ymd(1984, 12, 21)), Some(lunar(29, 11, 1984)));
    assert_eq!(lunar_date(ymd(1984, 12, 22)), Some(lunar(1, 12, 1984)));
    assert_eq!(
        lunar_date_in(ymd(1984, 12, 22), 8.0),
        Some(lunar(1, 11, 1984))
    );

    // 2007: Tết on 17/2 in Vietnam, 18/2 in China (vccinews.com/news/7877,
    // 29/09/2006, misprinted calendars; China: uchinavisa.com, above).
    check(ymd(2007, 2, 17), lunar(1, 1, 2007));
    assert_eq!(
        lunar_date_in(ymd(2007, 2, 17), 8.0),
        Some(lunar(30, 12, 2006))
    );
    assert_eq!(
        lunar_date_in(ymd(2007, 2, 18), 8.0),
        Some(lunar(1, 1, 2007))
    );

    // 1968: the new moon at 16:29 UTC on 29/1 made Tết 29/1 in North Vietnam
    // (UTC+7) and 30/1 under UTC+8 (H. Aslaksen, "The Mathematics of the
    // Chinese Calendar", quoted at wiki.suikawiki.org "黄暦").
    check(ymd(1968, 1, 29), lunar(1, 1, 1968));
    assert_eq!(
        lunar_date_in(ymd(1968, 1, 30), 8.0),
        Some(lunar(1, 1, 1968))
    );

    // 2030 and 2053: Vietnam 02/02/2030 and 18/02/2053, China 03/02/2030 and
    // 19/02/2053 (kientruc2014.com, above; scienceinfo.net "Why is the
    // Vietnamese and Chinese New Year a day different?").
    check(ymd(2053, 2, 18), lunar(1, 1, 2053));
    assert_eq!(lunar_date_in(ymd(2030, 2, 3), 8.0), Some(lunar(1, 1, 2030)));
    assert_eq!(
        lunar_date_in(ymd(2053, 2, 19), 8.0),
        Some(lunar(1, 1, 2053))
    );
}

#[test]
fn chinese_new_year_under_utc8() {
    // Chinese New Year: uchinavisa.com (1996-2019), cny.blogspot.com/2017/03 (2020-2031).
    let cases = [
        ymd(1996, 2, 19),
        ymd(1997, 2, 7),
        ymd(1998, 1, 28),
        ymd(1999, 2, 16),
        ymd(2007, 2, 18),
        ymd(2023, 1, 22),
        ymd(2027, 2, 6),
        ymd(2028, 1, 26),
        ymd(2030, 2, 3),
        ymd(2031, 1, 23),
    ];
    for civil in cases {
        assert_eq!(
            lunar_date_in(civil, 8.0),
            Some(lunar(1, 1, civil.year())),
            "{civil}"
        );
    }
}

#[test]
fn can_chi_years() {
    // Project brief: 2024 Giáp Thìn, 2025 Ất Tỵ, 2026 Bính Ngọ. Well-known
    // years: 1945 Ất Dậu (the famine), 1968 Mậu Thân (the Tết offensive),
    // 1789 Kỷ Dậu (Ngọc Hồi-Đống Đa), 2020 Canh Tý, 2023 Quý Mão, 1900 Canh Tý.
    let cases = [
        (2024, "Giáp Thìn"),
        (2025, "Ất Tỵ"),
        (2026, "Bính Ngọ"),
        (2027, "Đinh Mùi"),
        (2023, "Quý Mão"),
        (2020, "Canh Tý"),
        (2000, "Canh Thìn"),
        (1984, "Giáp Tý"),
        (1968, "Mậu Thân"),
        (1945, "Ất Dậu"),
        (1900, "Canh Tý"),
        (1789, "Kỷ Dậu"),
    ];
    for (year, name) in cases {
        assert_eq!(can_chi_year(year), name, "{year}");
    }
}

#[test]
fn formats() {
    let date = lunar(16, 10, 2026);
    assert_eq!(lunar_line(&date), "16 tháng 10 năm Bính Ngọ");
    assert_eq!(lunar_short(&date), "16/10 ÂL");
    let date = leap(3, 2, 2023);
    assert_eq!(lunar_line(&date), "3 tháng 2 nhuận năm Quý Mão");
    assert_eq!(lunar_short(&date), "3/2n ÂL");
    assert_eq!(lunar_date(ymd(2023, 3, 24)), Some(date));
}

#[test]
fn out_of_range() {
    assert_eq!(lunar_date(ymd(1899, 12, 31)), None);
    assert_eq!(lunar_date(ymd(2200, 1, 1)), None);
    assert_eq!(lunar_date_in(ymd(2026, 1, 1), f64::NAN), None);
    assert_eq!(lunar_date_in(ymd(2026, 1, 1), -13.0), None);
    assert_eq!(solar_date(lunar(1, 1, 2200)), None);
    assert_eq!(solar_date(lunar(30, 13, 2026)), None);
    assert!(lunar_date(ymd(1900, 1, 1)).is_some());
    assert!(lunar_date(ymd(2199, 12, 31)).is_some());
}

/// Walks every day of 1901-2100 and checks the calendar's structure.
#[test]
fn properties_1901_to_2100() {
    let mut civil = ymd(1901, 1, 1);
    let last = ymd(2100, 12, 31);
    let mut previous = lunar_date(civil.pred_opt().expect("in range")).expect("in range");
    let mut leap_months_this_year = 0;
    let mut months_this_year = 1;
    let mut days_this_year = 0;
    let mut first_year = true;
    while civil <= last {
        let today = lunar_date(civil).expect("in range");
        assert!((1..=12).contains(&today.month), "{civil}: {today:?}");
        if today.day == 1 {
            // A new month: the previous one had 29 or 30 days.
            assert!(
                previous.day == 29 || previous.day == 30,
                "{civil}: {previous:?} -> {today:?}"
            );
            if today.leap {
                // A leap month repeats the number of the ordinary month before it.
                assert!(!previous.leap, "{civil}");
                assert_eq!(today.month, previous.month, "{civil}");
                assert_eq!(today.year, previous.year, "{civil}");
                leap_months_this_year += 1;
                assert_eq!(leap_months_this_year, 1, "{civil}: two leap months");
            } else {
                assert_eq!(today.month, previous.month % 12 + 1, "{civil}");
            }
            if today.month == 1 && !today.leap {
                // A new year, and only here.
                assert_eq!(today.year, previous.year + 1, "{civil}");
                if !first_year {
                    let expected = if leap_months_this_year == 1 {
                        (13, 383..=385)
                    } else {
                        (12, 353..=355)
                    };
                    assert_eq!(months_this_year, expected.0, "{civil}");
                    assert!(expected.1.contains(&days_this_year), "{civil}");
                }
                first_year = false;
                leap_months_this_year = 0;
                months_this_year = 0;
                days_this_year = 0;
            } else {
                assert_eq!(today.year, previous.year, "{civil}");
            }
            months_this_year += 1;
        } else {
            assert_eq!(today.day, previous.day + 1, "{civil}");
            assert_eq!(
                (today.month, today.year, today.leap),
                (previous.month, previous.year, previous.leap),
                "{civil}"
            );
        }
        days_this_year += 1;

        // The December solstice (21 or 22 December in UTC+7 throughout
        // 1901-2100) falls in month 11.
        if civil.month() == 12 && civil.day() == 22 {
            let december_21 = lunar_date(ymd(civil.year(), 12, 21)).expect("in range");
            let eleven = |date: &LunarDate| date.month == 11 && !date.leap;
            assert!(eleven(&december_21) || eleven(&today), "{civil}");
            // Month 11 of lunar year Y is the one in December of civil year Y.
            assert_eq!(today.year, civil.year(), "{civil}");
        }
        // The inverse agrees on the first and the middle of each month.
        if today.day == 1 || today.day == 15 {
            assert_eq!(solar_date(today), Some(civil), "{today:?}");
        }

        previous = today;
        civil = civil.succ_opt().expect("in range");
    }
}

#[test]
fn solar_date_round_trips_whole_months() {
    // Every day of 2019-2032 round-trips, and day 30 exists only in 30-day months.
    let mut civil = ymd(2019, 1, 1);
    while civil.year() <= 2032 {
        let date = lunar_date(civil).expect("in range");
        assert_eq!(solar_date(date), Some(civil), "{date:?}");
        if date.day == 29 {
            let thirtieth = LunarDate { day: 30, ..date };
            let next = civil.succ_opt().expect("in range");
            let is_long = lunar_date(next).expect("in range").day == 30;
            assert_eq!(solar_date(thirtieth).is_some(), is_long, "{thirtieth:?}");
        }
        civil = civil.succ_opt().expect("in range");
    }
}
