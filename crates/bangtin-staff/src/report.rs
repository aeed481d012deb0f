//! Proof-of-play reports: what each board showed, how often and for how long, over a window.
//!
//! Boards publish batches on `P/board/ID/played` (`{"board": ID, "items": [{"item", "topic",
//! "seq", "from", "to"}]}`); staff tools append each batch as one JSON line to a file. MQTT
//! QoS 1 may deliver a batch twice, and a board resends what it was not sure it sent after a
//! reconnect, so the same record can appear several times: a record is counted once per
//! (board, topic, item, seq, from). The periodic broadcast reports that provinces ask for
//! (báo cáo định kỳ) are made from these lines.
//!
//! It is pure but for [`from_files`]: text in, records and CSV out; it never reads the clock. A
//! bad line is reported with its number and skipped; it never stops the report.

use chrono::{DateTime, FixedOffset, SecondsFormat};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

/// One showing of one item on one board: on screen from `from` until `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Played {
    pub board: String,
    pub item: String,
    /// The channel topic the item came from.
    pub topic: String,
    /// The seq of the channel message that carried the item.
    pub seq: u64,
    pub from: DateTime<FixedOffset>,
    pub to: DateTime<FixedOffset>,
    /// Whether the board's clock was trusted when the play was stamped. A play recorded before
    /// the clock was set carries the clock's time as it was (1970, or days stale): its dates
    /// say nothing about when it was shown.
    pub clock_trusted: bool,
    /// When `bangtin collect` kept it (its own clock): what places an undated play in a period.
    pub collected_at: Option<DateTime<FixedOffset>>,
}

/// What makes two records the same showing. `from` compares as an instant, so the same moment
/// written with another offset is still the same record.
type Key<'a> = (&'a str, &'a str, &'a str, u64, DateTime<FixedOffset>);

impl Played {
    fn key(&self) -> Key<'_> {
        (&self.board, &self.topic, &self.item, self.seq, self.from)
    }
}

#[derive(Deserialize)]
struct Batch {
    board: String,
    items: Vec<Value>,
    #[serde(default)]
    collected_at: Option<DateTime<FixedOffset>>,
}

#[derive(Deserialize)]
struct Record {
    item: String,
    topic: String,
    seq: u64,
    from: DateTime<FixedOffset>,
    to: DateTime<FixedOffset>,
    /// Boards before this field always stamped with a trusted clock, or said nothing.
    #[serde(default = "trusted")]
    clock_trusted: bool,
}

fn trusted() -> bool {
    true
}

/// Reads JSON lines of played batches. Returns the records, each showing once (see
/// [`dedupe`]), and one problem per bad line or bad record, naming its line number (from 1):
/// "line 3: ...", "line 4, record 2: ...". Blank lines are skipped; a bad record does not
/// spoil the other records of its batch.
pub fn parse_batches(jsonl: &str) -> (Vec<Played>, Vec<String>) {
    let mut records = Vec::new();
    let mut problems = Vec::new();
    for (i, line) in jsonl.lines().enumerate() {
        let n = i + 1;
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.is_empty() {
            continue;
        }
        let batch: Batch = match serde_json::from_str(line) {
            Ok(b) => b,
            Err(e) => {
                problems.push(format!("line {n}: not a played batch: {e}"));
                continue;
            }
        };
        if batch.board.trim().is_empty() {
            problems.push(format!("line {n}: \"board\" is empty"));
            continue;
        }
        for (j, value) in batch.items.into_iter().enumerate() {
            let k = j + 1;
            let r: Record = match serde_json::from_value(value) {
                Ok(r) => r,
                Err(e) => {
                    problems.push(format!("line {n}, record {k}: {e}"));
                    continue;
                }
            };
            if r.item.trim().is_empty() || r.topic.trim().is_empty() {
                problems.push(format!("line {n}, record {k}: empty \"item\" or \"topic\""));
                continue;
            }
            if r.to < r.from {
                problems.push(format!(
                    "line {n}, record {k}: \"to\" ({}) is before \"from\" ({})",
                    r.to.to_rfc3339(),
                    r.from.to_rfc3339()
                ));
                continue;
            }
            records.push(Played {
                board: batch.board.clone(),
                item: r.item,
                topic: r.topic,
                seq: r.seq,
                from: r.from,
                to: r.to,
                clock_trusted: r.clock_trusted,
                collected_at: batch.collected_at,
            });
        }
    }
    (dedupe(records), problems)
}

/// Keeps the first of each set of records with the same (board, topic, item, seq, from), in
/// the order given.
pub fn dedupe(records: Vec<Played>) -> Vec<Played> {
    let mut seen: HashSet<Key<'_>> = HashSet::with_capacity(records.len());
    let keep: Vec<bool> = records.iter().map(|r| seen.insert(r.key())).collect();
    drop(seen);
    records
        .into_iter()
        .zip(keep)
        .filter_map(|(r, keep)| keep.then_some(r))
        .collect()
}

/// One line of the report: one item of one channel topic on one board, within the window.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub board: String,
    pub item: String,
    pub topic: String,
    /// Showings that overlap the window, each counted once however it was delivered.
    pub times_shown: u64,
    /// Seconds on screen inside the window (showings are clipped to it), to the millisecond.
    pub seconds_on_screen: f64,
    /// The start of the earliest showing, clipped to the window.
    pub first_shown: DateTime<FixedOffset>,
    /// The end of the latest showing, clipped to the window.
    pub last_shown: DateTime<FixedOffset>,
    /// False for the showings recorded before the board's clock was set: whatever their dates
    /// (they are not clipped to the window, nor left out for being outside it), they are
    /// reported on lines of their own, so that none is lost and none passes for a real date.
    pub clock_trusted: bool,
}

/// Sums the records per (board, item, topic) over the window [`from`, `to`), optionally only
/// for the boards in `area_boards`. A showing counts when it overlaps the window (a
/// zero-length one when its moment is inside it). Records are deduplicated first, so
/// concatenated or overlapping collections are safe to pass. Showings recorded before the
/// board's clock was set are summed whole, on lines of their own (`clock_trusted: false`), in
/// the period in which they were collected (always, when that is not known).
/// Sorted by board, item, topic.
pub fn aggregate(
    records: &[Played],
    from: DateTime<FixedOffset>,
    to: DateTime<FixedOffset>,
    area_boards: Option<&HashSet<String>>,
) -> Vec<Line> {
    struct Acc<'a> {
        topic: &'a str,
        times: u64,
        millis: i64,
        first: DateTime<FixedOffset>,
        last: DateTime<FixedOffset>,
    }
    let mut seen: HashSet<Key<'_>> = HashSet::new();
    let mut groups: BTreeMap<(&str, &str, &str, bool), Acc<'_>> = BTreeMap::new();
    for r in records {
        if area_boards.is_some_and(|set| !set.contains(&r.board)) {
            continue;
        }
        let (start, end) = if r.clock_trusted {
            (r.from.max(from), r.to.min(to))
        } else {
            (r.from, r.to)
        };
        let overlaps = if r.clock_trusted {
            start < end || (r.from == r.to && from <= r.from && r.from < to)
        } else {
            r.collected_at.is_none_or(|c| from <= c && c < to)
        };
        if !overlaps || !seen.insert(r.key()) {
            continue;
        }
        let millis = (end - start).num_milliseconds();
        groups
            .entry((&r.board, &r.item, &r.topic, !r.clock_trusted))
            .and_modify(|a| {
                a.times += 1;
                a.millis += millis;
                a.first = a.first.min(start);
                a.last = a.last.max(end);
            })
            .or_insert(Acc {
                topic: &r.topic,
                times: 1,
                millis,
                first: start,
                last: end,
            });
    }
    groups
        .into_iter()
        .map(|((board, item, _, untrusted), a)| Line {
            board: board.to_string(),
            item: item.to_string(),
            topic: a.topic.to_string(),
            times_shown: a.times,
            seconds_on_screen: a.millis as f64 / 1000.0,
            first_shown: a.first,
            last_shown: a.last,
            clock_trusted: !untrusted,
        })
        .collect()
}

/// The header of [`csv`], a stable column order outside tools rely on.
pub const CSV_HEADER: &str =
    "board,item,topic,times_shown,seconds_on_screen,first_shown,last_shown,clock_trusted";

/// The report as CSV (RFC 4180: CRLF line ends, fields with a comma, quote, CR or LF quoted
/// with quotes doubled), [`CSV_HEADER`] first. Seconds have one decimal; times are RFC 3339
/// in +07:00 (fractions of a second only when there are some).
pub fn csv(lines: &[Line]) -> String {
    let tz = bangtin_vi::calendar::VIETNAM;
    let time = |t: DateTime<FixedOffset>| {
        t.with_timezone(&tz)
            .to_rfc3339_opts(SecondsFormat::AutoSi, false)
    };
    let mut out = String::with_capacity(64 * (lines.len() + 1));
    out.push_str(CSV_HEADER);
    out.push_str("\r\n");
    for l in lines {
        let fields = [
            field(&l.board),
            field(&l.item),
            field(&l.topic),
            l.times_shown.to_string(),
            format!("{:.1}", l.seconds_on_screen),
            time(l.first_shown),
            time(l.last_shown),
            l.clock_trusted.to_string(),
        ];
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

fn field(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A report bound: a date (its start in Vietnam's time, or with `end` the start of the next
/// day, so the whole day is in) or an RFC 3339 time.
pub fn parse_bound(s: &str, end: bool) -> Result<DateTime<FixedOffset>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s.trim()) {
        return Ok(t);
    }
    let date = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a date (2026-11-01) or an RFC 3339 time"))?;
    let date = if end {
        date.succ_opt().ok_or("date out of range")?
    } else {
        date
    };
    date.and_hms_opt(0, 0, 0)
        .and_then(|t| {
            t.and_local_timezone(bangtin_vi::calendar::VIETNAM)
                .single()
                .map(|t| t.fixed_offset())
        })
        .ok_or_else(|| format!("{s:?} is out of range"))
}

/// The report of the played batches in `files` (as `bangtin collect` writes them) over
/// `[from, to)`, for the boards of `area` (as their status said when the batches were
/// collected) or all. Returns its lines and a note for every line of the files it skipped.
pub fn from_files<P: AsRef<std::path::Path>>(
    files: &[P],
    from: DateTime<FixedOffset>,
    to: DateTime<FixedOffset>,
    area: Option<&str>,
) -> Result<(Vec<Line>, Vec<String>), crate::Error> {
    if to <= from {
        return Err(crate::Error::Input(vec![format!(
            "the end of the period ({to}) must be after its start ({from})"
        )]));
    }
    let mut records = Vec::new();
    let mut notes = Vec::new();
    let mut in_area: HashSet<String> = HashSet::new();
    for path in files {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| {
            crate::Error::Input(vec![format!("cannot read {}: {e}", path.display())])
        })?;
        let (mut found, problems) = parse_batches(&text);
        notes.extend(
            problems
                .into_iter()
                .map(|p| format!("{}: {p}", path.display())),
        );
        records.append(&mut found);
        if let Some(area) = area {
            in_area.extend(boards_in_area(&text, area));
        }
    }
    let lines = aggregate(&records, from, to, area.map(|_| &in_area));
    Ok((lines, notes))
}

/// The boards whose batches in `jsonl` were collected with an area inside `area`.
fn boards_in_area(jsonl: &str, area: &str) -> HashSet<String> {
    jsonl
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter_map(|v| match (v["board"].as_str(), v["area"].as_str()) {
            (Some(board), Some(a)) if crate::fleet::area_covers(area.trim_matches('/'), a) => {
                Some(board.to_owned())
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_bounds_take_whole_days() {
        assert_eq!(
            parse_bound("2026-11-01", false).unwrap().to_rfc3339(),
            "2026-11-01T00:00:00+07:00"
        );
        assert_eq!(
            parse_bound("2026-11-30", true).unwrap().to_rfc3339(),
            "2026-12-01T00:00:00+07:00"
        );
        assert!(parse_bound("30/11/2026", false).is_err());
    }

    fn t(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn rec(board: &str, item: &str, seq: u64, from: &str, to: &str) -> Played {
        Played {
            board: board.into(),
            item: item.into(),
            topic: "bangtin/v1/content/vn/ha-noi".into(),
            seq,
            from: t(from),
            to: t(to),
            clock_trusted: true,
            collected_at: None,
        }
    }

    const DAY_FROM: &str = "2026-11-24T00:00:00+07:00";
    const DAY_TO: &str = "2026-11-25T00:00:00+07:00";

    fn day(records: &[Played]) -> Vec<Line> {
        aggregate(records, t(DAY_FROM), t(DAY_TO), None)
    }

    const BATCH: &str = r#"{"board": "xuan-non-01", "items": [{"item": "tiem-chung", "topic": "bangtin/v1/content/vn/ha-noi", "seq": 42, "from": "2026-11-24T08:00:00+07:00", "to": "2026-11-24T08:00:15+07:00"}, {"item": "le-hoi", "topic": "bangtin/v1/content/vn/ha-noi", "seq": 42, "from": "2026-11-24T08:00:15+07:00", "to": "2026-11-24T08:00:25+07:00"}]}"#;

    #[test]
    fn parses_batches_and_drops_a_redelivered_line() {
        let text = format!("{BATCH}\n\n{BATCH}\r\n");
        let (records, problems) = parse_batches(&text);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].board, "xuan-non-01");
        assert_eq!(records[0].item, "tiem-chung");
        assert_eq!(records[1].from, t("2026-11-24T08:00:15+07:00"));
        let lines = day(&records);
        assert_eq!(lines.len(), 2);
        assert!(lines.iter().all(|l| l.times_shown == 1));
    }

    #[test]
    fn the_same_moment_in_another_offset_is_the_same_record() {
        let a = rec(
            "b",
            "i",
            1,
            "2026-11-24T08:00:00+07:00",
            "2026-11-24T08:00:10+07:00",
        );
        let b = rec(
            "b",
            "i",
            1,
            "2026-11-24T01:00:00+00:00",
            "2026-11-24T01:00:10+00:00",
        );
        let other_seq = rec(
            "b",
            "i",
            2,
            "2026-11-24T08:00:00+07:00",
            "2026-11-24T08:00:10+07:00",
        );
        assert_eq!(dedupe(vec![a.clone(), b.clone(), other_seq]).len(), 2);
        // aggregate dedupes too, so two collections may simply be concatenated.
        let lines = day(&[a.clone(), b, a]);
        assert_eq!(lines[0].times_shown, 1);
        assert_eq!(lines[0].seconds_on_screen, 10.0);
    }

    #[test]
    fn bad_lines_are_reported_with_their_numbers() {
        let text = [
            BATCH,
            "not json",
            r#"{"items": []}"#,
            "",
            r#"{"board": "b", "items": [{"item": "x", "topic": "t", "seq": 1, "from": "2026-11-24T08:00:00+07:00", "to": "2026-11-24T07:00:00+07:00"}, {"item": "y"}, {"item": "z", "topic": "t", "seq": 2, "from": "2026-11-24T08:00:00+07:00", "to": "2026-11-24T08:00:05+07:00"}]}"#,
            r#"{"board": "", "items": []}"#,
            r#"{"board": "b", "items": [{"item": "w", "topic": "t", "seq": -1, "from": "2026-11-24T08:00:00+07:00", "to": "2026-11-24T08:00:05+07:00"}]}"#,
        ]
        .join("\n");
        let (records, problems) = parse_batches(&text);
        assert_eq!(records.len(), 3, "{records:?}");
        assert!(records.iter().any(|r| r.item == "z"));
        assert_eq!(problems.len(), 6, "{problems:#?}");
        assert!(problems[0].starts_with("line 2: "), "{problems:?}");
        assert!(problems[1].starts_with("line 3: "), "{problems:?}");
        assert!(
            problems[2].starts_with("line 5, record 1: ") && problems[2].contains("before"),
            "{problems:?}"
        );
        assert!(
            problems[3].starts_with("line 5, record 2: "),
            "{problems:?}"
        );
        assert!(problems[4].starts_with("line 6: "), "{problems:?}");
        assert!(
            problems[5].starts_with("line 7, record 1: "),
            "{problems:?}"
        );
    }

    #[test]
    fn sums_per_board_item_and_topic_sorted() {
        let mut other_topic = rec(
            "a",
            "x",
            1,
            "2026-11-24T09:00:00+07:00",
            "2026-11-24T09:00:05+07:00",
        );
        other_topic.topic = "bangtin/v1/content/vn".into();
        let records = [
            rec(
                "b",
                "x",
                1,
                "2026-11-24T08:00:00+07:00",
                "2026-11-24T08:00:10+07:00",
            ),
            rec(
                "a",
                "y",
                1,
                "2026-11-24T08:00:00+07:00",
                "2026-11-24T08:00:10+07:00",
            ),
            rec(
                "a",
                "x",
                1,
                "2026-11-24T10:00:00+07:00",
                "2026-11-24T10:00:10.5+07:00",
            ),
            rec(
                "a",
                "x",
                1,
                "2026-11-24T08:00:00+07:00",
                "2026-11-24T08:00:10+07:00",
            ),
            other_topic,
        ];
        let lines = day(&records);
        let keys: Vec<(&str, &str, &str)> = lines
            .iter()
            .map(|l| (l.board.as_str(), l.item.as_str(), l.topic.as_str()))
            .collect();
        assert_eq!(
            keys,
            [
                ("a", "x", "bangtin/v1/content/vn"),
                ("a", "x", "bangtin/v1/content/vn/ha-noi"),
                ("a", "y", "bangtin/v1/content/vn/ha-noi"),
                ("b", "x", "bangtin/v1/content/vn/ha-noi"),
            ]
        );
        let ax = &lines[1];
        assert_eq!(ax.times_shown, 2);
        assert_eq!(ax.seconds_on_screen, 20.5);
        assert_eq!(ax.first_shown, t("2026-11-24T08:00:00+07:00"));
        assert_eq!(ax.last_shown, t("2026-11-24T10:00:10.5+07:00"));
    }

    #[test]
    fn showings_are_clipped_to_the_window() {
        let from = "2026-11-24T08:00:00+07:00";
        let to = "2026-11-24T09:00:00+07:00";
        let records = [
            // Straddles the start: 10 s inside.
            rec(
                "b",
                "i",
                1,
                "2026-11-24T07:59:50+07:00",
                "2026-11-24T08:00:10+07:00",
            ),
            // Inside: 30 s.
            rec(
                "b",
                "i",
                1,
                "2026-11-24T08:30:00+07:00",
                "2026-11-24T08:30:30+07:00",
            ),
            // Straddles the end: 5 s inside.
            rec(
                "b",
                "i",
                1,
                "2026-11-24T08:59:55+07:00",
                "2026-11-24T09:00:20+07:00",
            ),
            // Ends exactly at the start, starts exactly at the end: the window is half-open.
            rec("b", "i", 1, "2026-11-24T07:59:00+07:00", from),
            rec("b", "i", 1, to, "2026-11-24T09:00:10+07:00"),
            // Longer than the window, on another board.
            rec(
                "c",
                "i",
                1,
                "2026-11-24T07:00:00+07:00",
                "2026-11-24T10:00:00+07:00",
            ),
        ];
        let lines = aggregate(&records, t(from), t(to), None);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].times_shown, 3);
        assert_eq!(lines[0].seconds_on_screen, 45.0);
        assert_eq!(lines[0].first_shown, t(from));
        assert_eq!(lines[0].last_shown, t(to));
        assert_eq!(lines[1].times_shown, 1);
        assert_eq!(lines[1].seconds_on_screen, 3600.0);
    }

    #[test]
    fn overlapping_windows_share_a_straddling_showing() {
        let r = [rec(
            "b",
            "i",
            1,
            "2026-11-24T08:59:00+07:00",
            "2026-11-24T09:01:00+07:00",
        )];
        let morning = aggregate(
            &r,
            t("2026-11-24T08:00:00+07:00"),
            t("2026-11-24T09:00:00+07:00"),
            None,
        );
        let overlap = aggregate(
            &r,
            t("2026-11-24T08:30:00+07:00"),
            t("2026-11-24T09:30:00+07:00"),
            None,
        );
        let later = aggregate(
            &r,
            t("2026-11-24T09:00:00+07:00"),
            t("2026-11-24T10:00:00+07:00"),
            None,
        );
        assert_eq!(morning[0].seconds_on_screen, 60.0);
        assert_eq!(overlap[0].seconds_on_screen, 120.0);
        assert_eq!(later[0].seconds_on_screen, 60.0);
        assert!([&morning, &overlap, &later]
            .iter()
            .all(|l| l[0].times_shown == 1));
        // An empty or reversed window shows nothing.
        let at = t("2026-11-24T09:00:00+07:00");
        assert!(aggregate(&r, at, at, None).is_empty());
        assert!(aggregate(&r, at, t("2026-11-24T08:00:00+07:00"), None).is_empty());
        // A zero-length showing counts only inside the window, with no time.
        let blink = [rec(
            "b",
            "i",
            1,
            "2026-11-24T08:00:00+07:00",
            "2026-11-24T08:00:00+07:00",
        )];
        let inside = aggregate(
            &blink,
            t("2026-11-24T08:00:00+07:00"),
            t("2026-11-24T09:00:00+07:00"),
            None,
        );
        assert_eq!(
            (inside[0].times_shown, inside[0].seconds_on_screen),
            (1, 0.0)
        );
        assert!(aggregate(
            &blink,
            t("2026-11-24T07:00:00+07:00"),
            t("2026-11-24T08:00:00+07:00"),
            None
        )
        .is_empty());
    }

    #[test]
    fn area_boards_filter() {
        let records = [
            rec(
                "a",
                "i",
                1,
                "2026-11-24T08:00:00+07:00",
                "2026-11-24T08:00:10+07:00",
            ),
            rec(
                "b",
                "i",
                1,
                "2026-11-24T08:00:00+07:00",
                "2026-11-24T08:00:10+07:00",
            ),
        ];
        let only_b = HashSet::from(["b".to_string()]);
        let lines = aggregate(&records, t(DAY_FROM), t(DAY_TO), Some(&only_b));
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].board, "b");
        assert!(aggregate(&records, t(DAY_FROM), t(DAY_TO), Some(&HashSet::new())).is_empty());
    }

    #[test]
    fn csv_quotes_per_rfc_4180_and_writes_times_in_vietnam() {
        let lines = [
            Line {
                board: "xuan-non-01".into(),
                item: "tiem-chung, \"đợt 2\"".into(),
                topic: "bangtin/v1/content/vn".into(),
                times_shown: 3,
                seconds_on_screen: 45.26,
                first_shown: t("2026-11-24T01:00:00+00:00"),
                last_shown: t("2026-11-24T08:30:10.5+07:00"),
                clock_trusted: true,
            },
            Line {
                board: "b".into(),
                item: "two\nlines".into(),
                topic: "t\r".into(),
                times_shown: 1,
                seconds_on_screen: 10.0,
                first_shown: t("2026-11-24T08:00:00+07:00"),
                last_shown: t("2026-11-24T08:00:10+07:00"),
                clock_trusted: false,
            },
        ];
        let text = csv(&lines);
        let expected = "board,item,topic,times_shown,seconds_on_screen,first_shown,last_shown,\
             clock_trusted\r\n\
             xuan-non-01,\"tiem-chung, \"\"đợt 2\"\"\",bangtin/v1/content/vn,3,45.3,\
             2026-11-24T08:00:00+07:00,2026-11-24T08:30:10.500+07:00,true\r\n\
             b,\"two\nlines\",\"t\r\",1,10.0,2026-11-24T08:00:00+07:00,2026-11-24T08:00:10+07:00,\
             false\r\n";
        assert_eq!(text, expected);
        assert_eq!(csv(&[]), format!("{CSV_HEADER}\r\n"));
    }

    #[test]
    fn plays_recorded_before_the_clock_was_set_are_neither_dropped_nor_passed_off_as_dated() {
        // A board after a power cut, before NTP: its clock said 1970.
        let before_ntp = r#"{"board": "xn", "items": [{"item": "a", "topic": "t", "seq": 1, "from": "1970-01-01T07:00:00+07:00", "to": "1970-01-01T07:00:10+07:00", "clock_trusted": false}, {"item": "a", "topic": "t", "seq": 1, "from": "2026-11-24T08:00:00+07:00", "to": "2026-11-24T08:00:10+07:00"}]}"#;
        let (records, problems) = parse_batches(before_ntp);
        assert!(problems.is_empty(), "{problems:?}");
        let lines = day(&records);
        assert_eq!(lines.len(), 2, "{lines:?}");
        let undated = lines.iter().find(|l| !l.clock_trusted).unwrap();
        assert_eq!((undated.times_shown, undated.seconds_on_screen), (1, 10.0));
        assert!(lines.iter().any(|l| l.clock_trusted && l.times_shown == 1));
        assert!(csv(&lines).contains(",false\r\n"));
        // Collected on another day, it belongs to that day's report.
        let collected = before_ntp.replacen(
            r#"{"board": "xn","#,
            r#"{"board": "xn", "collected_at": "2026-11-26T09:00:00+07:00","#,
            1,
        );
        let (records, _) = parse_batches(&collected);
        assert!(day(&records).iter().all(|l| l.clock_trusted));
    }

    #[test]
    fn parsed_records_flow_into_the_csv() {
        let (records, _) = parse_batches(BATCH);
        let text = csv(&day(&records));
        assert_eq!(text.lines().count(), 3);
        assert!(text.contains(
            "xuan-non-01,tiem-chung,bangtin/v1/content/vn/ha-noi,1,15.0,\
             2026-11-24T08:00:00+07:00,2026-11-24T08:00:15+07:00,true"
        ));
    }
}
