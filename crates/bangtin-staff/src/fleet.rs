//! The fleet view behind `bangtin fleet`: what every board last said about itself.
//!
//! Boards publish a retained status JSON on `P/board/ID/status` at start, on every change of
//! what they show and every 60 s; their last will replaces it with `{"board": ID, "online":
//! false}`. This module turns those payloads into rows a person can scan (state, how long ago,
//! what is on screen) and into a stable JSON for outside tools.
//!
//! It is pure: statuses and "now" come in, text and JSON go out. It never talks to the broker,
//! reads the clock or prints. A board's status is untrusted input: a field of the wrong type
//! reads as absent, so one odd board still shows up instead of hiding the fleet.

use super::i18n::{Lang, Msg};
use chrono::{DateTime, FixedOffset};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use unicode_width::{UnicodeWidthChar as _, UnicodeWidthStr};

/// A board that is online by its last status but has not reported for longer than this is
/// "not reporting" ([`State::Stale`]): boards report every 60 s, so this allows two missed
/// reports and some clock skew.
pub const STALE_AFTER_S: i64 = 150;

/// Longest name and last error shown in the table, in characters; longer ones end in "…".
const NAME_WIDTH: usize = 32;
const ERROR_WIDTH: usize = 40;
/// Longest single-channel cell ("vn/ha-noi/dong-anh:42"), cut from the left.
const CHANNEL_WIDTH: usize = 32;

/// One board's status payload. Only `board` is required; every other field may be missing
/// (the last will carries only `board` and `online`), and unknown fields are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct BoardStatus {
    pub board: String,
    #[serde(default, deserialize_with = "lenient")]
    pub online: Option<bool>,
    #[serde(default, deserialize_with = "lenient")]
    pub version: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub started_at: Option<DateTime<FixedOffset>>,
    /// When the board published this status, by its own clock.
    #[serde(default, deserialize_with = "lenient")]
    pub at: Option<DateTime<FixedOffset>>,
    /// The id of the item on screen.
    #[serde(default, deserialize_with = "lenient")]
    pub showing: Option<String>,
    /// The id of the alert on screen.
    #[serde(default, deserialize_with = "lenient")]
    pub alert: Option<String>,
    /// Last accepted seq per channel topic.
    #[serde(default, deserialize_with = "lenient")]
    pub channels: Option<BTreeMap<String, u64>>,
    #[serde(default, deserialize_with = "lenient")]
    pub clock_synced: Option<bool>,
    #[serde(default, deserialize_with = "lenient")]
    pub cache_bytes: Option<u64>,
    #[serde(default, deserialize_with = "lenient")]
    pub last_error: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub area: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub name: Option<String>,
    /// Frames presented since start.
    #[serde(default, deserialize_with = "lenient")]
    pub frames: Option<u64>,
    /// Every active alert and where it stands (`{"id", "state", "behind"}`), as the board says.
    #[serde(default, deserialize_with = "lenient")]
    pub alerts: Option<Vec<Value>>,
    /// The picture the board draws (docs/protocol.md): what a preview for it is rendered at.
    #[serde(default, deserialize_with = "lenient")]
    pub display: Option<Display>,
}

/// A board's picture size in pixels, after rotation, as its status says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Display {
    pub width: u32,
    pub height: u32,
    #[serde(default)]
    pub rotation: u32,
}

/// A value of the wrong type (or `null`) reads as `None` rather than failing the whole status.
fn lenient<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let v = Value::deserialize(d)?;
    Ok(serde_json::from_value(v).ok())
}

/// Reads one status payload. Fails only when it is not a JSON object with a non-empty string
/// `board` (an empty payload is what clearing a retained topic leaves).
pub fn parse_status(payload: &[u8]) -> Result<BoardStatus, String> {
    if payload.iter().all(u8::is_ascii_whitespace) {
        return Err("empty status payload".to_string());
    }
    let status: BoardStatus =
        serde_json::from_slice(payload).map_err(|e| format!("status is not valid: {e}"))?;
    if status.board.trim().is_empty() {
        return Err("status has an empty \"board\"".to_string());
    }
    Ok(status)
}

/// What the fleet view makes of a board's last status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    Online,
    /// The last will, or a status saying `"online": false`.
    Offline,
    /// Online by its last status, but that status is older than [`STALE_AFTER_S`] (or carries
    /// no time at all, so nothing shows it is still reporting).
    Stale,
}

impl State {
    /// The word used in `--json`: `online`, `offline`, `stale`.
    pub fn code(self) -> &'static str {
        match self {
            State::Online => "online",
            State::Offline => "offline",
            State::Stale => "stale",
        }
    }

    fn msg(self) -> Msg {
        match self {
            State::Online => Msg::StateOnline,
            State::Offline => Msg::StateOffline,
            State::Stale => Msg::StateStale,
        }
    }
}

/// One board in the fleet view: its status plus what was derived from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub board: String,
    pub name: Option<String>,
    pub area: Option<String>,
    pub state: State,
    /// The status's own `at`.
    pub at: Option<DateTime<FixedOffset>>,
    /// Seconds from `at` to now; 0 when the board's clock is ahead of ours; `None` without `at`.
    pub last_seen_s: Option<u64>,
    pub version: Option<String>,
    pub started_at: Option<DateTime<FixedOffset>>,
    pub showing: Option<String>,
    pub alert: Option<String>,
    /// `None` when the status did not say (the last will never does).
    pub channels: Option<BTreeMap<String, u64>>,
    pub clock_synced: Option<bool>,
    pub cache_bytes: Option<u64>,
    pub last_error: Option<String>,
    pub frames: Option<u64>,
    pub alerts: Option<Vec<Value>>,
}

/// The rows of the boards in `area` (all boards when `None`), sorted by area then board id;
/// boards that did not say their area come last and only appear without a filter.
///
/// The filter is a segment-wise prefix: `vn/ha-noi` takes `vn/ha-noi` and
/// `vn/ha-noi/dong-anh/xuan-non`, never `vn/ha-noi-2`. Slashes around it are ignored, and an
/// empty filter is no filter.
pub fn rows(statuses: &[BoardStatus], now: DateTime<FixedOffset>, area: Option<&str>) -> Vec<Row> {
    let filter = area
        .map(|a| a.trim().trim_matches('/'))
        .filter(|a| !a.is_empty());
    let mut out: Vec<Row> = statuses
        .iter()
        .filter(|s| match filter {
            None => true,
            Some(f) => s.area.as_deref().is_some_and(|a| area_covers(f, a)),
        })
        .map(|s| row(s, now))
        .collect();
    // Areas compare segment by segment, so a district's communes stay under the district
    // ("vn/ha-noi/x" before "vn/ha-noi-2", which plain string order would reverse).
    let segments = |r: &Row| {
        r.area
            .as_ref()
            .map(|a| a.split('/').map(str::to_owned).collect::<Vec<_>>())
    };
    out.sort_by_cached_key(|r| (r.area.is_none(), segments(r), r.board.clone()));
    out
}

/// Whether area path `scope` is `area` or one of its ancestors, segment by segment.
pub fn area_covers(scope: &str, area: &str) -> bool {
    let mut board = area.trim_matches('/').split('/');
    scope
        .trim_matches('/')
        .split('/')
        .all(|segment| board.next() == Some(segment))
}

fn row(s: &BoardStatus, now: DateTime<FixedOffset>) -> Row {
    let last_seen_s =
        s.at.map(|at| u64::try_from((now - at).num_seconds()).unwrap_or(0));
    let state = if s.online == Some(false) {
        State::Offline
    } else {
        match last_seen_s {
            Some(age) if age <= STALE_AFTER_S as u64 => State::Online,
            _ => State::Stale,
        }
    };
    Row {
        board: s.board.clone(),
        name: s.name.clone(),
        area: s.area.clone(),
        state,
        at: s.at,
        last_seen_s,
        version: s.version.clone(),
        started_at: s.started_at,
        showing: s.showing.clone(),
        alert: s.alert.clone(),
        channels: s.channels.clone(),
        clock_synced: s.clock_synced,
        cache_bytes: s.cache_bytes,
        last_error: s.last_error.clone(),
        frames: s.frames,
        alerts: s.alerts.clone(),
    }
}

/// Counts by state, as the summary line says them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    pub total: usize,
    pub online: usize,
    pub offline: usize,
    pub stale: usize,
}

pub fn summary(rows: &[Row]) -> Summary {
    let count = |state| rows.iter().filter(|r| r.state == state).count();
    Summary {
        total: rows.len(),
        online: count(State::Online),
        offline: count(State::Offline),
        stale: count(State::Stale),
    }
}

impl Summary {
    pub fn msg(self) -> Msg {
        Msg::FleetSummary {
            total: self.total,
            online: self.online,
            offline: self.offline,
            stale: self.stale,
        }
    }
}

/// The fleet as an aligned plain-text table (header, a rule, one line per board, every line
/// padded to the same width), a blank line, then the summary line. Widths count characters,
/// not bytes, and combining marks take no column, so Vietnamese in NFC or NFD lines up.
/// Missing values show as "-".
pub fn table(rows: &[Row], lang: Lang) -> String {
    let headers = [
        Msg::HeaderBoard,
        Msg::HeaderName,
        Msg::HeaderArea,
        Msg::HeaderState,
        Msg::HeaderLastSeen,
        Msg::HeaderShowing,
        Msg::HeaderAlert,
        Msg::HeaderChannels,
        Msg::HeaderClock,
        Msg::HeaderLastError,
    ]
    .map(|m| m.text(lang));
    let mut grid: Vec<Vec<String>> = Vec::with_capacity(rows.len() + 1);
    grid.push(headers.to_vec());
    for r in rows {
        grid.push(cells(r, lang));
    }
    let columns = headers.len();
    let widths: Vec<usize> = (0..columns)
        .map(|c| grid.iter().map(|line| width(&line[c])).max().unwrap_or(0))
        .collect();

    let mut out = String::new();
    for (i, line) in grid.iter().enumerate() {
        push_line(&mut out, line, &widths);
        if i == 0 {
            let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
            push_line(&mut out, &rule, &widths);
        }
    }
    out.push('\n');
    out.push_str(&summary(rows).msg().text(lang));
    out.push('\n');
    out
}

fn push_line(out: &mut String, cells: &[String], widths: &[usize]) {
    for (c, (cell, w)) in cells.iter().zip(widths).enumerate() {
        if c > 0 {
            out.push_str("  ");
        }
        out.push_str(cell);
        out.extend(std::iter::repeat_n(' ', w - width(cell)));
    }
    out.push('\n');
}

fn cells(r: &Row, lang: Lang) -> Vec<String> {
    let text = |v: &Option<String>, max: usize| match v {
        Some(s) if !s.trim().is_empty() => truncate(&clean(s), max),
        _ => "-".to_string(),
    };
    let last_seen = match r.last_seen_s {
        Some(seconds) => Msg::Duration { seconds }.text(lang),
        None => "-".to_string(),
    };
    let channels = match &r.channels {
        None => "-".to_string(),
        Some(map) if map.len() == 1 => {
            let (topic, seq) = map.iter().next().map_or(("", &0), |(t, s)| (t.as_str(), s));
            truncate_left(
                &format!("{}:{seq}", short_topic(&clean(topic))),
                CHANNEL_WIDTH,
            )
        }
        Some(map) => map.len().to_string(),
    };
    let clock = match r.clock_synced {
        Some(true) => Msg::ClockSynced.text(lang),
        Some(false) => Msg::ClockNotSynced.text(lang),
        None => "-".to_string(),
    };
    vec![
        clean(&r.board),
        text(&r.name, NAME_WIDTH),
        text(&r.area, usize::MAX),
        r.state.msg().text(lang),
        last_seen,
        text(&r.showing, NAME_WIDTH),
        text(&r.alert, NAME_WIDTH),
        channels,
        clock,
        text(&r.last_error, ERROR_WIDTH),
    ]
}

/// A channel topic without the prefix: `bangtin/v1/content/vn/ha-noi` -> `vn/ha-noi`,
/// `bangtin/v1/content/board/x` -> `board/x`, `bangtin/v1/alert/vn` -> `alert/vn`. Topics of
/// another shape are kept whole.
fn short_topic(topic: &str) -> String {
    let segments: Vec<&str> = topic.split('/').collect();
    match segments
        .iter()
        .position(|s| *s == "content" || *s == "alert")
    {
        Some(i) if i + 1 < segments.len() => {
            let rest = segments[i + 1..].join("/");
            if segments[i] == "alert" {
                format!("alert/{rest}")
            } else {
                rest
            }
        }
        _ => topic.to_string(),
    }
}

/// Control characters (a newline in a last error) would break the table; they become spaces.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Terminal columns a string takes (East Asian wide characters and emoji take two, combining
/// marks none).
fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Keeps the first `max` columns, the last of them "…" when something was cut. Combining
/// marks stay with their letter; a wide character never straddles the edge.
fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w >= max && w > 0 {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// Keeps the last `max` columns, the first of them "…": the end of a topic says the most.
fn truncate_left(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let mut kept: Vec<char> = Vec::new();
    let mut used = 0;
    for c in s.chars().rev() {
        let w = c.width().unwrap_or(0);
        if used + w >= max && w > 0 {
            break;
        }
        used += w;
        kept.push(c);
    }
    // A mark is kept only with the letter before it.
    while kept.last().is_some_and(|c| c.width() == Some(0)) {
        kept.pop();
    }
    std::iter::once('…').chain(kept.into_iter().rev()).collect()
}

/// The fleet for `--json`; every key is always present, `null` when the board did not say:
///
/// ```text
/// {"boards": [{
///    "board": "xuan-non-01",            // id
///    "name": "UBND xã Xuân Nộn",        // string | null
///    "area": "vn/ha-noi/dong-anh/xuan-non", // string | null
///    "state": "online",                 // "online" | "offline" | "stale"
///    "at": "2026-11-24T08:00:00+07:00", // the status's own time | null
///    "last_seen_s": 12,                 // seconds since "at", >= 0 | null
///    "version": "0.1.0", "started_at": RFC3339 | null,
///    "showing": ITEM_ID | null, "alert": ALERT_ID | null,
///    "channels": {TOPIC: SEQ} | null,
///    "clock_synced": bool | null, "cache_bytes": N | null,
///    "last_error": string | null, "frames": N | null}],
///  "summary": {"total": 15, "online": 12, "offline": 2, "stale": 1}}
/// ```
///
/// Boards come in the table's order. New keys may be added; these keep their meaning.
pub fn to_json(rows: &[Row]) -> Value {
    let time = |t: &Option<DateTime<FixedOffset>>| t.map(|t| t.to_rfc3339());
    let boards: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "board": r.board,
                "name": r.name,
                "area": r.area,
                "state": r.state.code(),
                "at": time(&r.at),
                "last_seen_s": r.last_seen_s,
                "version": r.version,
                "started_at": time(&r.started_at),
                "showing": r.showing,
                "alert": r.alert,
                "channels": r.channels,
                "clock_synced": r.clock_synced,
                "cache_bytes": r.cache_bytes,
                "last_error": r.last_error,
                "frames": r.frames,
                "alerts": r.alerts,
            })
        })
        .collect();
    let s = summary(rows);
    json!({
        "boards": boards,
        "summary": {
            "total": s.total,
            "online": s.online,
            "offline": s.offline,
            "stale": s.stale,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    const NOW: &str = "2026-11-24T08:00:00+07:00";

    fn status(board: &str, area: Option<&str>, at: Option<&str>) -> BoardStatus {
        BoardStatus {
            board: board.into(),
            online: Some(true),
            area: area.map(Into::into),
            at: at.map(t),
            ..BoardStatus::default()
        }
    }

    fn ids(rows: &[Row]) -> Vec<&str> {
        rows.iter().map(|r| r.board.as_str()).collect()
    }

    #[test]
    fn parses_a_full_status_and_ignores_unknown_fields() {
        let s = parse_status(
            r#"{"board": "xuan-non-01", "online": true, "version": "0.1.0",
                "started_at": "2026-11-24T06:00:00+07:00", "at": "2026-11-24T07:59:30+07:00",
                "showing": "tiem-chung-2411", "alert": null,
                "channels": {"bangtin/v1/content/vn/ha-noi": 42}, "clock_synced": true,
                "cache_bytes": 123456, "last_error": null, "area": "vn/ha-noi/dong-anh/xuan-non",
                "name": "UBND xã Xuân Nộn", "frames": 9000, "future_field": [1, 2],
                "alerts": [{"id": "lu", "state": "on_screen"},
                           {"id": "duong", "state": "waiting", "behind": "lu"}]}"#
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(s.board, "xuan-non-01");
        assert_eq!(s.at, Some(t("2026-11-24T07:59:30+07:00")));
        assert_eq!(s.showing.as_deref(), Some("tiem-chung-2411"));
        assert_eq!(s.alert, None);
        assert_eq!(
            s.channels.as_ref().unwrap()["bangtin/v1/content/vn/ha-noi"],
            42
        );
        assert_eq!(s.name.as_deref(), Some("UBND xã Xuân Nộn"));
        assert_eq!(s.frames, Some(9000));
        let alerts = s.alerts.clone().unwrap();
        assert_eq!(alerts[1]["behind"], "lu");
        // Passed on as is by `bangtin fleet --json`.
        let rows = rows(&[s], t("2026-11-24T08:00:00+07:00"), None);
        assert_eq!(to_json(&rows)["boards"][0]["alerts"][1]["state"], "waiting");
    }

    #[test]
    fn parses_the_last_will_and_tolerates_bad_fields() {
        let will = parse_status(br#"{"board": "b1", "online": false}"#).unwrap();
        assert_eq!(will.online, Some(false));
        assert_eq!(will.at, None);
        let odd = parse_status(br#"{"board": "b2", "at": "yesterday", "frames": -3}"#).unwrap();
        assert_eq!((odd.at, odd.frames), (None, None));
    }

    #[test]
    fn rejects_what_is_not_a_status() {
        assert!(parse_status(b"").unwrap_err().contains("empty"));
        assert!(parse_status(b"not json").is_err());
        assert!(parse_status(br#"{"online": true}"#).is_err());
        assert!(parse_status(br#"{"board": ""}"#).is_err());
        assert!(parse_status(br#"{"board": 7}"#).is_err());
        assert!(parse_status(br#"[1]"#).is_err());
    }

    #[test]
    fn area_filter_is_a_segment_wise_prefix() {
        let all = vec![
            status("a", Some("vn/ha-noi/dong-anh/xuan-non"), Some(NOW)),
            status("b", Some("vn/ha-noi"), Some(NOW)),
            status("c", Some("vn/ha-noi-2/x"), Some(NOW)),
            status("d", None, Some(NOW)),
            status("e", Some("vn/hai-phong"), Some(NOW)),
        ];
        let now = t(NOW);
        assert_eq!(ids(&rows(&all, now, Some("vn/ha-noi"))), ["b", "a"]);
        assert_eq!(ids(&rows(&all, now, Some("/vn/ha-noi/"))), ["b", "a"]);
        assert_eq!(ids(&rows(&all, now, Some("vn/ha"))), Vec::<&str>::new());
        assert_eq!(ids(&rows(&all, now, Some("vn/ha-noi-2"))), ["c"]);
        assert_eq!(
            ids(&rows(&all, now, Some("vn/ha-noi/dong-anh/xuan-non/thon-1"))),
            Vec::<&str>::new()
        );
        assert_eq!(ids(&rows(&all, now, Some("vn"))), ["b", "a", "c", "e"]);
        // Without a filter (or with an empty one) the board without an area comes last.
        assert_eq!(ids(&rows(&all, now, None)), ["b", "a", "c", "e", "d"]);
        assert_eq!(ids(&rows(&all, now, Some(""))), ["b", "a", "c", "e", "d"]);
    }

    #[test]
    fn sorted_by_area_then_board() {
        let all = vec![
            status("z", Some("vn/b"), Some(NOW)),
            status("y", Some("vn/a"), Some(NOW)),
            status("x", Some("vn/b"), Some(NOW)),
        ];
        assert_eq!(ids(&rows(&all, t(NOW), None)), ["y", "x", "z"]);
    }

    #[test]
    fn state_is_online_offline_or_stale() {
        let now = t(NOW);
        let mut will = status("will", None, None);
        will.online = Some(false);
        let mut off_with_time = status("off", None, Some("2026-11-24T07:59:59+07:00"));
        off_with_time.online = Some(false);
        let all = vec![
            will,
            off_with_time,
            status("fresh", None, Some("2026-11-24T07:59:00+07:00")),
            status("edge", None, Some("2026-11-24T07:57:30+07:00")), // exactly 150 s
            status("late", None, Some("2026-11-24T07:57:29+07:00")), // 151 s
            status("untimed", None, None),
            // Same instant as "fresh", another offset.
            status("utc", None, Some("2026-11-24T00:59:00+00:00")),
            // The board's clock runs ahead of ours.
            status("ahead", None, Some("2026-11-24T08:00:30+07:00")),
        ];
        let r = rows(&all, now, None);
        let get = |id: &str| r.iter().find(|x| x.board == id).unwrap();
        assert_eq!(get("will").state, State::Offline);
        assert_eq!(get("will").last_seen_s, None);
        assert_eq!(get("off").state, State::Offline);
        assert_eq!(get("fresh").state, State::Online);
        assert_eq!(get("fresh").last_seen_s, Some(60));
        assert_eq!(get("edge").state, State::Online);
        assert_eq!(get("late").state, State::Stale);
        assert_eq!(get("untimed").state, State::Stale);
        assert_eq!(get("utc").state, State::Online);
        assert_eq!(get("utc").last_seen_s, Some(60));
        assert_eq!(get("ahead").state, State::Online);
        assert_eq!(get("ahead").last_seen_s, Some(0));
        let mut missing_online = status("m", None, Some(NOW));
        missing_online.online = None;
        assert_eq!(rows(&[missing_online], now, None)[0].state, State::Online);
    }

    fn sample() -> Vec<Row> {
        let now = t(NOW);
        let mut a = status(
            "xuan-non-01",
            Some("vn/ha-noi/dong-anh/xuan-non"),
            Some("2026-11-24T07:59:48+07:00"),
        );
        a.name = Some("UBND xã Xuân Nộn".into());
        a.showing = Some("tiem-chung-2411".into());
        a.channels = Some(BTreeMap::from([(
            "bangtin/v1/content/vn/ha-noi/dong-anh".to_string(),
            42,
        )]));
        a.clock_synced = Some(true);
        let mut b = status(
            "uy-no-01",
            Some("vn/ha-noi/dong-anh/uy-no"),
            Some("2026-11-24T07:58:00+07:00"),
        );
        // NFD on purpose: "Uy Nỗ" with combining marks, as some senders write it.
        b.name = Some("Nha\u{0300} va\u{0306}n ho\u{0301}a Uy No\u{0302}\u{0303}".into());
        b.alert = Some("bao-so-3-001".into());
        b.channels = Some(BTreeMap::from([
            ("bangtin/v1/content/vn".to_string(), 1),
            ("bangtin/v1/alert/vn/ha-noi".to_string(), 7),
        ]));
        b.clock_synced = Some(false);
        b.last_error = Some(
            "image https://example.org/a.png:\nsha256 mismatch, expected 0123456789abcdef".into(),
        );
        let mut c = status("co-loa-01", Some("vn/ha-noi/dong-anh/co-loa"), None);
        c.online = Some(false);
        rows(&[a, b, c], now, None)
    }

    #[test]
    fn table_lines_have_the_same_width_in_both_languages() {
        for lang in [Lang::Vi, Lang::En] {
            let text = table(&sample(), lang);
            let (grid, tail) = text.split_once("\n\n").unwrap();
            let lines: Vec<&str> = grid.lines().collect();
            assert_eq!(lines.len(), 5, "{text}");
            let w = width(lines[0]);
            for line in &lines {
                assert_eq!(width(line), w, "{lang:?}:\n{text}");
            }
            // The NFC lines have exactly that many chars.
            for line in lines.iter().filter(|l| !l.contains("Uy No")) {
                assert_eq!(line.chars().count(), w, "{line}");
            }
            assert_eq!(tail.lines().count(), 1, "{text}");
        }
    }

    #[test]
    fn table_cells_are_localised_shortened_and_cleaned() {
        let vi = table(&sample(), Lang::Vi);
        assert!(vi.starts_with("bảng tin   "), "{vi}");
        assert!(vi.contains("UBND xã Xuân Nộn"), "{vi}");
        assert!(
            vi.contains("trực tuyến") && vi.contains("ngoại tuyến"),
            "{vi}"
        );
        assert!(vi.contains("12 giây") && vi.contains("2 phút"), "{vi}");
        assert!(
            vi.contains("đã đồng bộ") && vi.contains("chưa đồng bộ"),
            "{vi}"
        );
        let en = table(&sample(), Lang::En);
        assert!(en.contains(" vn/ha-noi/dong-anh:42 "), "{en}");
        // Two channels: a count.
        let line = en.lines().find(|l| l.starts_with("uy-no-01")).unwrap();
        assert!(line.contains(" 2 "), "{line}");
        // The newline in the error became a space, and the error was cut to 40 columns.
        assert!(
            line.contains("image https://example.org/a.png: sha256…"),
            "{line}"
        );
        assert!(!line.contains("0123456789"), "{line}");
        // The offline board shows dashes for what its will does not say.
        let line = en.lines().find(|l| l.starts_with("co-loa-01")).unwrap();
        assert!(line.contains("offline") && line.contains("  -  "), "{line}");
    }

    #[test]
    fn summary_counts_each_state() {
        let mut rs = sample();
        rs.push(rows(&[status("s", None, None)], t(NOW), None).remove(0));
        assert_eq!(
            summary(&rs),
            Summary {
                total: 4,
                online: 2,
                offline: 1,
                stale: 1
            }
        );
        let en = table(&rs, Lang::En);
        assert!(
            en.ends_with("\n\n4 boards: 2 online, 1 offline, 1 not reporting\n"),
            "{en}"
        );
        let vi = table(&rs, Lang::Vi);
        assert!(
            vi.ends_with("\n4 bảng tin: 2 trực tuyến, 1 ngoại tuyến, 1 không báo cáo\n"),
            "{vi}"
        );
        let empty = table(&[], Lang::En);
        assert!(empty.ends_with("0 boards: 0 online, 0 offline, 0 not reporting\n"));
    }

    #[test]
    fn truncation_counts_characters_and_keeps_marks_with_letters() {
        assert_eq!(truncate("Xuân Nộn", 8), "Xuân Nộn");
        assert_eq!(truncate("Xuân Nộn", 5), "Xuân…");
        assert_eq!(truncate("No\u{0302}\u{0323}ng", 3), "No\u{0302}\u{0323}…");
        assert_eq!(
            width(&truncate("Nhà văn hóa xã Xuân Nộn, huyện Đông Anh", 12)),
            12
        );
        assert_eq!(truncate_left("bangtin/v1/content/vn", 8), "…tent/vn");
        assert_eq!(short_topic("bangtin/v1/content/board/x-01"), "board/x-01");
        assert_eq!(short_topic("bangtin/v1/alert/vn/ha-noi"), "alert/vn/ha-noi");
        assert_eq!(short_topic("odd/topic"), "odd/topic");
    }

    #[test]
    fn json_has_stable_keys_and_nulls() {
        let v = to_json(&sample());
        let boards = v["boards"].as_array().unwrap();
        assert_eq!(boards.len(), 3);
        let mut keys: Vec<&String> = boards[0].as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "alert",
                "alerts",
                "area",
                "at",
                "board",
                "cache_bytes",
                "channels",
                "clock_synced",
                "frames",
                "last_error",
                "last_seen_s",
                "name",
                "showing",
                "started_at",
                "state",
                "version"
            ]
        );
        let off = boards.iter().find(|b| b["board"] == "co-loa-01").unwrap();
        assert_eq!(off["state"], "offline");
        assert!(off["at"].is_null() && off["last_seen_s"].is_null() && off["channels"].is_null());
        let on = boards.iter().find(|b| b["board"] == "xuan-non-01").unwrap();
        assert_eq!(on["state"], "online");
        assert_eq!(on["last_seen_s"], 12);
        assert_eq!(on["at"], "2026-11-24T07:59:48+07:00");
        assert_eq!(on["channels"]["bangtin/v1/content/vn/ha-noi/dong-anh"], 42);
        assert_eq!(
            v["summary"],
            json!({"total": 3, "online": 2, "offline": 1, "stale": 0})
        );
    }
}
