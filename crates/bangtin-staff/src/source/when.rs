//! Dates, times, days and hours as officers write them, read in Vietnam's time.

use super::*;

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Edge {
    Start,
    End,
}

pub(super) fn vn_offset() -> FixedOffset {
    bangtin_vi::calendar::VIETNAM
}

pub(super) fn rfc3339(t: &DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// A bare date: 00:00 +07:00 that day, or for an end, 00:00 +07:00 the next day.
pub(super) fn date_edge(d: NaiveDate, edge: Edge) -> Option<DateTime<FixedOffset>> {
    let d = match edge {
        Edge::Start => d,
        Edge::End => d.succ_opt()?,
    };
    d.and_time(NaiveTime::MIN)
        .and_local_timezone(vn_offset())
        .single()
}

pub(super) const TIME_EXPECTED: &str = "a date such as 2026-11-20, or a date and time such as \
                             2026-11-20 08:00 or 2026-11-20T08:00:00+07:00";

pub(super) fn read_time(
    ctx: &mut Ctx,
    item: Option<usize>,
    key: &str,
    v: &Toml,
    edge: Edge,
) -> Option<DateTime<FixedOffset>> {
    let parsed = match v {
        Toml::Datetime(dt) => toml_time(dt, edge),
        Toml::String(s) => string_time(s.trim(), edge),
        _ => None,
    };
    if parsed.is_none() {
        ctx.expected(item, key, TIME_EXPECTED, v);
    }
    parsed
}

pub(super) fn toml_time(dt: &toml::value::Datetime, edge: Edge) -> Option<DateTime<FixedOffset>> {
    let d = dt.date?;
    let date = NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into())?;
    let Some(t) = dt.time else {
        return date_edge(date, edge);
    };
    let time = NaiveTime::from_hms_nano_opt(
        t.hour.into(),
        t.minute.into(),
        t.second.into(),
        t.nanosecond,
    )?;
    let offset = match dt.offset {
        None => vn_offset(),
        Some(toml::value::Offset::Z) => FixedOffset::east_opt(0)?,
        Some(toml::value::Offset::Custom { minutes }) => {
            FixedOffset::east_opt(i32::from(minutes) * 60)?
        }
    };
    date.and_time(time).and_local_timezone(offset).single()
}

pub(super) fn string_time(s: &str, edge: Edge) -> Option<DateTime<FixedOffset>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t);
    }
    const LOCAL: [&str; 8] = [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M",
        "%H:%M %d/%m/%Y",
        "%Hh%M %d/%m/%Y",
    ];
    for f in LOCAL {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return t.and_local_timezone(vn_offset()).single();
        }
    }
    for f in ["%Y-%m-%d", "%d/%m/%Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return date_edge(d, edge);
        }
    }
    None
}

pub(super) const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A day name (English or Vietnamese, any case, with or without accents) as 0 (Monday) ..= 6.
pub(super) fn day_index(s: &str) -> Option<usize> {
    Some(match fold(s).as_str() {
        "mon" | "monday" | "t2" | "thu2" | "thuhai" => 0,
        "tue" | "tuesday" | "t3" | "thu3" | "thuba" => 1,
        "wed" | "wednesday" | "t4" | "thu4" | "thutu" => 2,
        "thu" | "thursday" | "t5" | "thu5" | "thunam" => 3,
        "fri" | "friday" | "t6" | "thu6" | "thusau" => 4,
        "sat" | "saturday" | "t7" | "thu7" | "thubay" => 5,
        "sun" | "sunday" | "cn" | "chunhat" => 6,
        _ => return None,
    })
}

pub(super) const DAYS_EXPECTED: &str =
    "days such as [\"t2\", \"t4\", \"cn\"], [\"mon\", \"wed\"] or \
                             [\"t2-t6\"] (t2..t7, cn or mon..sun)";

pub(super) fn read_days(ctx: &mut Ctx, item: Option<usize>, v: &Toml) -> Option<Vec<&'static str>> {
    let parts: Vec<&Toml> = match v {
        Toml::Array(a) if !a.is_empty() => a.iter().collect(),
        Toml::String(_) => vec![v],
        other => {
            ctx.expected(item, "days", DAYS_EXPECTED, other);
            return None;
        }
    };
    let mut set = [false; 7];
    let mut ok = true;
    for p in parts {
        let Toml::String(s) = p else {
            ctx.expected(item, "days", DAYS_EXPECTED, p);
            ok = false;
            continue;
        };
        for piece in s.split(',') {
            let range: Vec<&str> = piece.split(['-', '–', '—']).collect();
            let idx: Option<Vec<usize>> = range.iter().map(|d| day_index(d)).collect();
            match idx.as_deref() {
                Some([d]) => set[*d] = true,
                Some([a, b]) => {
                    // A range may wrap round the end of the week ("t7-t2").
                    let mut d = *a;
                    loop {
                        set[d] = true;
                        if d == *b {
                            break;
                        }
                        d = (d + 1) % 7;
                    }
                }
                _ => {
                    ctx.error(
                        item,
                        "days",
                        format!("expected {DAYS_EXPECTED}, found \"{}\"", piece.trim()),
                    );
                    ok = false;
                }
            }
        }
    }
    ok.then(|| {
        DAY_NAMES
            .iter()
            .zip(set)
            .filter(|(_, on)| *on)
            .map(|(d, _)| *d)
            .collect()
    })
}

/// "HH:MM", "H:MM", "6h", "6h30" as minutes after midnight (24:00 allowed).
pub(super) fn clock(s: &str) -> Option<u16> {
    let s = s.trim().to_ascii_lowercase();
    let (h, m) = match s.split_once(':') {
        Some(hm) => hm,
        None => {
            let (h, m) = s.split_once('h')?;
            (h, if m.is_empty() { "00" } else { m })
        }
    };
    let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || h.len() > 2 || !digits(m) || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return None;
    }
    Some(h * 60 + m)
}

pub(super) const HOURS_EXPECTED: &str = "times of day such as [\"06:00-11:00\", \"13:30-21:00\"]";

pub(super) fn read_hours(ctx: &mut Ctx, item: Option<usize>, v: &Toml) -> Option<Vec<(u16, u16)>> {
    let parts: Vec<&Toml> = match v {
        Toml::Array(a) => a.iter().collect(),
        Toml::String(_) => vec![v],
        other => {
            ctx.expected(item, "hours", HOURS_EXPECTED, other);
            return None;
        }
    };
    if parts.is_empty() || parts.len() > limits::HOUR_RANGES {
        ctx.error(
            item,
            "hours",
            format!(
                "must hold 1 to {} time ranges (leave it out for all day), found {}",
                limits::HOUR_RANGES,
                parts.len()
            ),
        );
        return None;
    }
    let mut out = Vec::new();
    let mut ok = true;
    for p in parts {
        let range = match p {
            Toml::String(s) => {
                let ends: Vec<&str> = s.split(['-', '–', '—']).collect();
                match ends.as_slice() {
                    [a, b] => clock(a).zip(clock(b)),
                    _ => None,
                }
            }
            Toml::Table(t) => {
                check_keys(ctx, item, "hours", t, &["from", "to"], |_| None);
                let get = |k: &str| match t.get(k) {
                    Some(Toml::String(s)) => clock(s),
                    _ => None,
                };
                get("from").zip(get("to"))
            }
            _ => None,
        };
        match range {
            Some((a, b)) if a == b => {
                ctx.error(
                    item,
                    "hours",
                    format!(
                        "a range must end at another time than it starts, found {} (leave \
                         hours out for all day)",
                        describe(p)
                    ),
                );
                ok = false;
            }
            Some(r) => out.push(r),
            None => {
                ctx.expected(item, "hours", HOURS_EXPECTED, p);
                ok = false;
            }
        }
    }
    ok.then_some(out)
}
