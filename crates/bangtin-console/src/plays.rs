//! Proof of play in the console's database: the boards' `played` batches, collected on a
//! persistent MQTT session (the broker keeps them while the console is down) and acknowledged
//! to the broker only after they are committed; and the report of an area over a period, as
//! lines per item and board, a chart and CSV. The sums are the staff library's
//! (`bangtin_staff::report`), the same as `bangtin report` makes from a collector's file.

use crate::{db::Db, App};
use bangtin_protocol::trust::board_topic;
use bangtin_staff::net::{board_of, Session};
use bangtin_staff::report::{self, Line, Played};
use chrono::{DateTime, FixedOffset};
use rusqlite::{params, Connection};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// The client id of the console's collector: one per console database (a second console on
/// the same broker must use another database, and gets its own queue).
pub fn client_id(db_path: &std::path::Path) -> String {
    use sha2::Digest as _;
    let h = sha2::Sha256::digest(db_path.to_string_lossy().as_bytes());
    format!("bangtin-console-plays-{}", &hex::encode(h)[..8])
}

/// Keeps the records of one batch (the board's area as its status says now); repeats of a
/// record already kept are ignored. Returns how many were new.
pub fn keep(
    conn: &mut Connection,
    area: Option<&str>,
    records: &[Played],
) -> rusqlite::Result<usize> {
    let tx = conn.transaction()?;
    let mut new = 0;
    for r in records {
        let added = tx.execute(
            "INSERT INTO plays (board, area, item, topic, seq, from_ms, to_ms, from_at, to_at,
                                clock_trusted, collected_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT DO NOTHING",
            params![
                r.board,
                area,
                r.item,
                r.topic,
                r.seq as i64,
                r.from.timestamp_millis(),
                r.to.timestamp_millis(),
                r.from.to_rfc3339(),
                r.to.to_rfc3339(),
                r.clock_trusted,
                r.collected_at.map(|t| t.timestamp_millis()),
            ],
        )?;
        if added == 1 {
            add_to_day(&tx, area, r)?;
        }
        new += added;
    }
    tx.commit()?;
    Ok(new)
}

/// The `LIKE` pattern of the areas inside `area` (its wildcards escaped, with `\\`).
fn inside(area: &str) -> String {
    format!(
        "{}/%",
        area.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

/// Days each showing is kept one by one, to recognise a batch a board sends again; after
/// that only its day's sum is kept (a month of 2,000 boards is some hundred million showings).
pub const KEEP_RAW_DAYS: i64 = 7;

/// Removes the showings collected more than [`KEEP_RAW_DAYS`] before `now_ms`, some
/// thousands at a time (the database is free between batches); returns how many.
pub fn prune(db: &Db, now_ms: i64) -> usize {
    let before = now_ms - KEEP_RAW_DAYS * 86_400_000;
    let mut total = 0;
    loop {
        let n = db
            .lock()
            .execute(
                "DELETE FROM plays WHERE rowid IN
                   (SELECT rowid FROM plays WHERE collected_ms < ?1 LIMIT 5000)",
                [before],
            )
            .unwrap_or(0);
        total += n;
        if n < 5000 {
            return total;
        }
        std::thread::yield_now();
    }
}

/// Vietnam's offset (+07:00, no summer time): the report's days are its days.
const VIETNAM_S: i64 = 7 * 3600;

/// The day (`YYYY-MM-DD`, Vietnam) a showing is counted on: when it started; a showing stamped
/// before the board's clock was set counts on the day it was collected.
fn day_of(r: &Played) -> String {
    let ms = match (r.clock_trusted, r.collected_at) {
        (false, Some(c)) => c.timestamp_millis(),
        _ => r.from.timestamp_millis(),
    };
    DateTime::from_timestamp(ms.div_euclid(1000) + VIETNAM_S, 0)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// Adds a new showing to its day's sum.
fn add_to_day(tx: &Connection, area: Option<&str>, r: &Played) -> rusqlite::Result<()> {
    let (from, to) = (r.from.timestamp_millis(), r.to.timestamp_millis());
    tx.execute(
        "INSERT INTO plays_daily (board, area, item, topic, day, trusted, times, ms, first_ms, last_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?8, ?9)
         ON CONFLICT (board, item, topic, trusted, day) DO UPDATE SET
            area = excluded.area, times = times + 1, ms = ms + excluded.ms,
            first_ms = min(first_ms, excluded.first_ms), last_ms = max(last_ms, excluded.last_ms)",
        params![
            r.board,
            area,
            r.item,
            r.topic,
            day_of(r),
            r.clock_trusted,
            (to - from).max(0),
            from,
            to
        ],
    )?;
    Ok(())
}

/// The report of `area` (the boards whose status placed them in it when their plays were
/// collected) over the days of `[from, to)`, from the daily sums: each showing counts on the
/// day it started (a showing across midnight is not split), a showing recorded before the
/// board's clock was set on the day it was collected.
pub fn lines(
    db: &Db,
    area: &str,
    from: DateTime<FixedOffset>,
    to: DateTime<FixedOffset>,
) -> rusqlite::Result<Vec<Line>> {
    let day = |t: DateTime<FixedOffset>| {
        DateTime::from_timestamp(t.timestamp() + VIETNAM_S, 0)
            .map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    };
    let (first_day, last_day) = (day(from), day(to - chrono::Duration::milliseconds(1)));
    let like = inside(area);
    let conn = db.lock();
    let mut st = conn.prepare_cached(
        "SELECT board, item, topic, trusted, sum(times), sum(ms), min(first_ms), max(last_ms)
         FROM plays_daily
         WHERE (area = ?1 OR area LIKE ?2 ESCAPE '\\') AND day >= ?3 AND day <= ?4
         GROUP BY board, item, topic, trusted
         ORDER BY board, item, topic, trusted DESC",
    )?;
    let offset = FixedOffset::east_opt(VIETNAM_S as i32).unwrap_or(*from.offset());
    let at = |ms: i64| {
        DateTime::from_timestamp_millis(ms)
            .map(|t| t.with_timezone(&offset))
            .unwrap_or(from)
    };
    let rows = st.query_map(params![area, like, first_day, last_day], |r| {
        Ok(Line {
            board: r.get(0)?,
            item: r.get(1)?,
            topic: r.get(2)?,
            clock_trusted: r.get(3)?,
            times_shown: r.get::<_, i64>(4)?.max(0) as u64,
            seconds_on_screen: r.get::<_, i64>(5)? as f64 / 1000.0,
            first_shown: at(r.get(6)?),
            last_shown: at(r.get(7)?),
        })
    })?;
    rows.collect()
}

/// Records that `board` went online or offline now (as its status says; the broker's last
/// will says offline when a board disappears).
pub fn state_changed(db: &Db, board: &str, area: Option<&str>, online: bool) {
    let now = chrono::Utc::now().timestamp_millis();
    if let Err(e) = db.lock().execute(
        "INSERT INTO board_states (board, area, online, at_ms) VALUES (?1, ?2, ?3, ?4)",
        params![board, area, online, now],
    ) {
        log::error!(
            "cannot record {board} going {}: {e}",
            if online { "online" } else { "offline" }
        );
    }
}

/// Milliseconds online within `[from, to)`, from a board's changes sorted by time (`at`,
/// online), the first of them the last change before `from` if there is one. Online until an
/// offline change (or the end of the window, or now, whichever is first).
pub fn online_ms(changes: &[(i64, bool)], from: i64, to: i64) -> i64 {
    let mut total = 0;
    for (i, &(at, online)) in changes.iter().enumerate() {
        if !online {
            continue;
        }
        let end = changes.get(i + 1).map_or(to, |&(next, _)| next);
        let (a, b) = (at.max(from), end.min(to));
        if b > a {
            total += b - a;
        }
    }
    total
}

/// Each board of `area` with its hours online over `[from, to)` (clipped to now), and the
/// share of the window that is.
pub fn uptime(
    db: &Db,
    area: &str,
    from: DateTime<FixedOffset>,
    to: DateTime<FixedOffset>,
) -> rusqlite::Result<Vec<(String, f64, f64)>> {
    let (from, to) = (
        from.timestamp_millis(),
        to.timestamp_millis()
            .min(chrono::Utc::now().timestamp_millis()),
    );
    let like = inside(area);
    let conn = db.lock();
    let mut st = conn.prepare_cached(
        "SELECT board, online, at_ms FROM board_states s
         WHERE (area = ?1 OR area LIKE ?2 ESCAPE '\\') AND at_ms < ?4
           AND at_ms >= coalesce((SELECT max(at_ms) FROM board_states b
                                  WHERE b.board = s.board AND b.at_ms <= ?3), 0)
         ORDER BY board, at_ms",
    )?;
    let mut per_board: std::collections::BTreeMap<String, Vec<(i64, bool)>> = Default::default();
    for row in st.query_map(params![area, like, from, to], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, bool>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })? {
        let (board, online, at) = row?;
        per_board.entry(board).or_default().push((at, online));
    }
    let window = (to - from).max(1) as f64;
    Ok(per_board
        .into_iter()
        .map(|(board, changes)| {
            let ms = online_ms(&changes, from, to) as f64;
            (board, ms / 3_600_000.0, ms / window)
        })
        .collect())
}

/// Runs the collector for ever, reconnecting after failures.
pub async fn collect(app: Arc<App>) {
    loop {
        if let Err(e) = collect_once(&app).await {
            log::warn!("collecting proof of play: {e}; trying again in 5 s");
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}

async fn collect_once(app: &App) -> Result<(), String> {
    let prefix = app.config.broker.prefix.clone();
    let mut options = app
        .config
        .broker
        .options("plays", Some(&client_id(&app.config.database)))
        .map_err(|e| e.to_string())?;
    options.set_clean_session(false);
    // A batch is acknowledged to the broker once it is committed: a console killed in between
    // gets it again, and the repeat is ignored.
    options.set_manual_acks(true);
    let mut session = Session::connect(options, Duration::from_secs(10)).await?;
    session
        .subscribe(&[board_topic(&prefix, "+", "played")])
        .await?;
    let mut pruned: Option<Instant> = None;
    loop {
        if pruned.is_none_or(|t| t.elapsed() >= Duration::from_secs(3600)) {
            pruned = Some(Instant::now());
            let db = app.db.clone();
            let now = chrono::Utc::now().timestamp_millis();
            let n = tokio::task::spawn_blocking(move || prune(&db, now))
                .await
                .unwrap_or(0);
            if n > 0 {
                log::info!(
                    "{n} showings older than {KEEP_RAW_DAYS} days removed (their daily sums stay)"
                );
            }
        }
        let Some(p) = session
            .next_publish(Instant::now() + Duration::from_secs(3600))
            .await?
        else {
            continue;
        };
        take(app, &prefix, &p.topic, &p.payload);
        session.ack(&p).await?;
    }
}

/// One batch: checked (it names the board of its topic; its records parse), kept.
fn take(app: &App, prefix: &str, topic: &str, payload: &[u8]) {
    let Some(board) = board_of(prefix, topic, "played") else {
        return;
    };
    if payload.len() > 256 * 1024 || !bangtin_protocol::ids::is_valid_id(board) {
        return log::warn!("{topic}: not a played batch this console keeps; skipped");
    }
    let Ok(mut batch) = serde_json::from_slice::<serde_json::Value>(payload) else {
        return log::warn!("{topic}: a played batch that is not JSON; skipped");
    };
    if batch["board"] != board {
        return log::warn!("{topic}: a played batch naming another board; skipped");
    }
    batch["collected_at"] = serde_json::json!(bangtin_staff::board_now());
    let (records, problems) = report::parse_batches(&batch.to_string());
    for p in problems {
        log::warn!("{topic}: {p}");
    }
    let area = app.board_area(board);
    match keep(&mut app.db.lock(), area.as_deref(), &records) {
        Ok(n) => log::debug!("{topic}: {n} of {} plays new", records.len()),
        Err(e) => log::error!("{topic}: cannot keep the plays: {e}"),
    }
}

/// A horizontal bar chart of seconds on screen per item (the longest first, at most `max`),
/// as SVG text: numbers and escaped words only.
pub fn chart(lines: &[Line], max: usize) -> String {
    let mut per_item: std::collections::BTreeMap<&str, f64> = Default::default();
    for l in lines {
        *per_item.entry(l.item.as_str()).or_default() += l.seconds_on_screen;
    }
    let mut bars: Vec<(&str, f64)> = per_item.into_iter().collect();
    bars.sort_by(|a, b| b.1.total_cmp(&a.1));
    bars.truncate(max);
    let top = bars.first().map_or(1.0, |b| b.1.max(1.0));
    let row = 28;
    let height = row * bars.len().max(1) + 8;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 340 {height}\" role=\"img\" \
         aria-label=\"seconds on screen per item\" width=\"100%\">"
    );
    for (i, (item, secs)) in bars.iter().enumerate() {
        let y = i * row + 4;
        let w = (secs / top * 200.0).max(1.0);
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-size=\"11\">{}</text>\
             <rect x=\"130\" y=\"{}\" width=\"{w:.1}\" height=\"16\" fill=\"#0b57d0\"/>\
             <text x=\"{:.1}\" y=\"{}\" font-size=\"11\">{}</text>",
            y + 13,
            escape(&shorten(item, 20)),
            y + 2,
            134.0 + w,
            y + 13,
            duration(*secs),
        ));
    }
    svg.push_str("</svg>");
    svg
}

fn shorten(s: &str, n: usize) -> String {
    let mut t: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        t.push('…');
    }
    t
}

/// Seconds as officers read them: `2 h 05 min`, `12 min 30 s`, `45 s`.
pub fn duration(secs: f64) -> String {
    let s = secs.round() as u64;
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min {:02} s", s / 60, s % 60),
        _ => format!("{} h {:02} min", s / 3600, s % 3600 / 60),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn played(item: &str, from: &str, to: &str) -> Played {
        Played {
            board: "b1".into(),
            item: item.into(),
            topic: "bangtin/v1/content/vn/a".into(),
            seq: 1,
            from: DateTime::parse_from_rfc3339(from).unwrap(),
            to: DateTime::parse_from_rfc3339(to).unwrap(),
            clock_trusted: true,
            collected_at: Some(DateTime::parse_from_rfc3339(to).unwrap()),
        }
    }

    #[test]
    fn plays_are_kept_once_and_summed_per_area_and_period() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("c.db")).unwrap();
        let batch = [
            played(
                "lich-tiem",
                "2026-12-01T08:00:00+07:00",
                "2026-12-01T08:00:10+07:00",
            ),
            played(
                "lich-tiem",
                "2026-12-01T09:00:00+07:00",
                "2026-12-01T09:00:10+07:00",
            ),
            played(
                "<b>x</b>",
                "2026-12-02T09:00:00+07:00",
                "2026-12-02T09:00:05+07:00",
            ),
        ];
        assert_eq!(keep(&mut db.lock(), Some("vn/a/x"), &batch).unwrap(), 3);
        // The same batch again (the console killed before acknowledging it): nothing new.
        assert_eq!(keep(&mut db.lock(), Some("vn/a/x"), &batch).unwrap(), 0);
        let from = report::parse_bound("2026-12-01", false).unwrap();
        let to = report::parse_bound("2026-12-01", true).unwrap();
        let day = lines(&db, "vn/a", from, to).unwrap();
        assert_eq!(day.len(), 1);
        assert_eq!((day[0].times_shown, day[0].seconds_on_screen), (2, 20.0));
        assert!(lines(&db, "vn/b", from, to).unwrap().is_empty());
        // A week after they were collected the showings themselves go; the report stays.
        let later = DateTime::parse_from_rfc3339("2027-01-01T00:00:00+07:00").unwrap();
        assert_eq!(prune(&db, later.timestamp_millis()), 3);
        assert_eq!(lines(&db, "vn/a", from, to).unwrap()[0].times_shown, 2);
        assert!(lines(&db, "vn/a_", from, to).unwrap().is_empty());
        let to = report::parse_bound("2026-12-31", true).unwrap();
        let month = lines(&db, "vn/a", from, to).unwrap();
        let svg = chart(&month, 10);
        assert!(
            svg.contains("&lt;b&gt;x&lt;/b&gt;") && !svg.contains("<b>"),
            "{svg}"
        );
        assert!(svg.contains("20 s") && svg.contains("5 s"));
        assert_eq!(duration(3725.0), "1 h 02 min");
    }

    #[test]
    fn online_time_is_summed_between_changes_and_clipped_to_the_window() {
        // Online before the window, offline 10..20, online again from 30 to the end.
        let changes = [(0, true), (10, false), (20, false), (30, true)];
        assert_eq!(online_ms(&changes, 5, 50), 5 + 20);
        assert_eq!(online_ms(&[], 0, 100), 0);
        assert_eq!(online_ms(&[(200, true)], 0, 100), 0);
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("c.db")).unwrap();
        state_changed(&db, "b1", Some("vn/a/x"), true);
        let from = DateTime::parse_from_rfc3339("2020-01-01T00:00:00+07:00").unwrap();
        let to = DateTime::parse_from_rfc3339("2100-01-01T00:00:00+07:00").unwrap();
        std::thread::sleep(Duration::from_millis(20));
        let up = uptime(&db, "vn/a", from, to).unwrap();
        assert_eq!(up.len(), 1);
        assert_eq!(up[0].0, "b1");
        assert!(up[0].1 > 0.0);
        assert!(uptime(&db, "vn/b", from, to).unwrap().is_empty());
    }
}
