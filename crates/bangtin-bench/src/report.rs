//! Report harness: the console's report page for a month of 2,000 boards' proof of play
//! (six items each, every day of November: the daily sums a month of collecting leaves, about
//! 160 million showings), with the boards' online/offline history, timed over real HTTP:
//! p50/p99 of the page, its CSV and its chart (target: the page ≤ 300 ms).
//!
//! `bangtin-bench report [--boards N] [--loads N]`.

use bangtin_console::db::Db;
use bangtin_testkit::console::{Client, Console, AREA};
use bangtin_testkit::Mosquitto;
use rusqlite::params;
use std::time::{Duration, Instant};

fn pct(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

const ITEMS: usize = 6;
const DAYS: u32 = 30;

fn seed(db: &Db, boards: usize) -> u64 {
    let mut conn = db.lock();
    let tx = conn.transaction().unwrap();
    let mut showings = 0u64;
    {
        let mut daily = tx
            .prepare(
                "INSERT INTO plays_daily (board, area, item, topic, day, trusted, times, ms, first_ms, last_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?8, ?9)",
            )
            .unwrap();
        let mut states = tx
            .prepare(
                "INSERT INTO board_states (board, area, online, at_ms) VALUES (?1, ?2, ?3, ?4)",
            )
            .unwrap();
        let nov1 = chrono::DateTime::parse_from_rfc3339("2026-11-01T06:00:00+07:00")
            .unwrap()
            .timestamp_millis();
        for b in 0..boards {
            let board = format!("sim-{b:05}");
            let area = format!("{AREA}/xa-{:02}", b % 20);
            for day in 0..DAYS {
                let start = nov1 + i64::from(day) * 86_400_000;
                for i in 0..ITEMS {
                    // 15 hours a day, each item 10 s in a rotation of six.
                    let times = 15 * 3600 / (10 * ITEMS as i64);
                    showings += times as u64;
                    daily
                        .execute(params![
                            board,
                            area,
                            format!("tin-{i}"),
                            format!("bangtin/v1/content/{AREA}"),
                            format!("2026-11-{:02}", day + 1),
                            times,
                            times * 10_000,
                            start + i as i64 * 10_000,
                            start + 15 * 3_600_000,
                        ])
                        .unwrap();
                }
            }
            // Online all month but one night's outage.
            states
                .execute(params![board, area, 1, nov1 - 86_400_000])
                .unwrap();
            let night = nov1 + i64::from(b as u32 % DAYS) * 86_400_000 + 16 * 3_600_000;
            states.execute(params![board, area, 0, night]).unwrap();
            states
                .execute(params![board, area, 1, night + 8 * 3_600_000])
                .unwrap();
        }
    }
    tx.commit().unwrap();
    showings
}

fn time(c: &mut Client, path: &str, loads: usize) -> (f64, f64, usize) {
    let mut times = Vec::new();
    let mut bytes = 0;
    for _ in 0..loads {
        let t = Instant::now();
        let p = c.get(path);
        assert_eq!(p.status, 200, "{path}");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        bytes = p.body.len();
    }
    times.sort_by(f64::total_cmp);
    (pct(&times, 0.5), pct(&times, 0.99), bytes)
}

pub fn main(args: &[String]) {
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|s| s.parse().ok())
    };
    let boards: usize = arg("--boards").unwrap_or(2000);
    let loads: usize = arg("--loads").unwrap_or(20);
    let dir = bangtin_testkit::temp_dir("bench-report");
    let broker = Mosquitto::start(&dir);
    let config = Console::configure(&dir, broker.port, "[security]\nrequire_totp = false\n");
    Console::add_user(&config, "xem", "viewer", AREA);
    let t = Instant::now();
    let showings = seed(&Db::open(&dir.join("console.db")).unwrap(), boards);
    eprintln!("seeded in {:.1} s", t.elapsed().as_secs_f64());
    let console = Console::start(&config);
    std::thread::sleep(Duration::from_secs(1));
    let mut c = Client::new(&console.url);
    c.login("xem", None);
    println!(
        "report: {boards} boards x {ITEMS} items x {DAYS} days ({showings} showings, {} daily sums), loopback",
        boards * ITEMS * DAYS as usize
    );
    println!("| what | p50 ms | p99 ms | bytes |");
    println!("|---|---|---|---|");
    let q = format!("area={AREA}&from=2026-11-01&to=2026-11-30");
    for (name, path) in [
        ("report page (target p99 <= 300 ms)", format!("/report?{q}")),
        ("CSV", format!("/report.csv?{q}")),
        ("chart (SVG)", format!("/report.svg?{q}")),
    ] {
        let (p50, p99, bytes) = time(&mut c, &path, loads);
        println!("| {name} | {p50:.0} | {p99:.0} | {bytes} |");
    }
    drop(console);
}
