//! Alerts harness: emergency alerts sent from the staff console (`bangtin console`, release
//! build) over real HTTP, through a real Mosquitto on loopback.
//! - press → board presenting it: the second officer's confirmation of a live extreme alert
//!   (the last button pressed at 2 a.m.) until the real headless board's ack with `shown_at`
//!   is in the console's database, p50/p99 over N alerts (target p99 ≤ 150 ms); each alert is
//!   cancelled before the next;
//! - the tally for 2,000 simulated boards (the fleet harness's boards: the board's real
//!   network side, trust store and on-disk store, rendering left out): from the press until
//!   the console has every board's ack with `shown_at` (target ≤ 2 s), and the alert page's
//!   time with 2,000 boards on it.
//!
//! `bangtin-bench alerts [--rounds N] [--boards N]`.

use crate::fleet::{self, Login, SimBoard};
use bangtin_console::db::Db;
use bangtin_testkit::board::{self, share};
use bangtin_testkit::console::{Client, Console, AREA};
use bangtin_testkit::Mosquitto;
use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn pct(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

/// Two approvers of the area, without one-time codes; the console signs with `key` when given.
fn console(
    dir: &Path,
    port: u16,
    key: Option<&ed25519_dalek::SigningKey>,
) -> (Console, Client, Client) {
    let config = Console::configure(dir, port, "[security]\nrequire_totp = false\n");
    if let Some(key) = key {
        use base64::Engine as _;
        let key = base64::engine::general_purpose::STANDARD.encode(key.as_bytes());
        std::fs::write(dir.join("huyen-dong-anh.key"), format!("{key}\n")).unwrap();
    }
    Console::add_user(&config, "duyet", "approver", AREA);
    Console::add_user(&config, "truc-ban", "approver", AREA);
    let console = Console::start(&config);
    let mut a = Client::new(&console.url);
    a.login("duyet", None);
    let mut b = Client::new(&console.url);
    b.login("truc-ban", None);
    (console, a, b)
}

/// The first officer enters a live extreme alert; returns its page.
fn enter(a: &mut Client, csrf: &str, n: usize) -> String {
    let page = a.post_multipart(
        &format!("/alerts/live?area={AREA}"),
        &[
            ("csrf", csrf),
            (
                "headline",
                &format!("LŨ QUÉT số {n}: Di chuyển ngay lên chỗ cao"),
            ),
            ("severity", "extreme"),
            ("instruction", "Rời khỏi bờ suối, khe, ngầm tràn."),
            ("expires_h", "1"),
            ("action", "send"),
        ],
        None,
    );
    page.location
        .clone()
        .unwrap_or_else(|| panic!("the alert was not entered: {}", page.text()))
}

/// The acks with `shown_at` the console has for alert row `id`.
fn shown(db: &Db, id: &str) -> i64 {
    db.lock()
        .query_row(
            "SELECT count(*) FROM acks k JOIN alerts a ON a.topic = k.topic AND a.seq = k.seq
             WHERE a.id = ?1 AND k.shown_at IS NOT NULL",
            [id.parse::<i64>().unwrap_or(-1)],
            |r| r.get(0),
        )
        .unwrap_or(0)
}

/// Confirms `page` as the second officer and waits until `want` boards showed it; returns the
/// time from the press.
fn press(b: &mut Client, csrf: &str, db: &Db, page: &str, want: i64, within: Duration) -> Duration {
    let id = page.trim_start_matches("/alerts/").to_owned();
    let t = Instant::now();
    let res = b.post(&format!("{page}/confirm"), &[("csrf", csrf)]);
    assert_eq!(res.status, 303, "confirm: {}", res.text());
    while shown(db, &id) < want {
        assert!(
            t.elapsed() < within,
            "{page}: only {} of {want} shown",
            shown(db, &id)
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    t.elapsed()
}

fn latency(rounds: usize) {
    let dir = bangtin_testkit::temp_dir("bench-alerts");
    let broker = Mosquitto::start(&dir);
    let cfg = board::write_config(&dir, broker.port, (1920, 1080), "");
    let frames = dir.join("frames");
    let mut board_proc = Command::new(bangtin_testkit::exe())
        .args(["run", "--headless", "--fps", "30", "--config"])
        .arg(&cfg)
        .arg("--frames")
        .arg(&frames)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (console, mut a, mut b) = console(&dir, broker.port, None);
    let db = Db::open(&dir.join("console.db")).unwrap();
    std::thread::sleep(Duration::from_secs(2));
    let (csrf_a, csrf_b) = (a.csrf(), b.csrf());
    let mut times = Vec::new();
    for n in 0..rounds {
        let page = enter(&mut a, &csrf_a, n);
        times.push(
            press(&mut b, &csrf_b, &db, &page, 1, Duration::from_secs(30)).as_secs_f64() * 1000.0,
        );
        // Cancelled (one step) before the next, so that each alert takes over a programme.
        assert_eq!(
            a.post(&format!("{page}/cancel"), &[("csrf", &csrf_a)])
                .status,
            303
        );
        std::thread::sleep(Duration::from_millis(150));
    }
    times.sort_by(f64::total_cmp);
    println!(
        "press (second officer confirms a live extreme alert) -> the board's ack with shown_at in the console: \
         p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms over {rounds} (target p99 <= 150)",
        pct(&times, 0.5),
        pct(&times, 0.99),
        pct(&times, 1.0)
    );
    if let Ok(bytes) = std::fs::read(frames.join("latest.png")) {
        let f = image::load_from_memory(&bytes).unwrap().to_rgba8();
        println!(
            "(the board's last frame: {:.0} % idle programme after the last cancel)",
            share(&f, board::IDLE) * 100.0
        );
    }
    drop(console);
    let _ = board_proc.kill();
    let _ = board_proc.wait();
}

fn tally(boards: usize) {
    let dir = bangtin_testkit::temp_dir("bench-alerts-tally");
    let broker = Mosquitto::start(&dir);
    let login = Login {
        port: broker.port,
        user: None,
    };
    let sims: Vec<SimBoard> = (0..boards)
        .map(|i| SimBoard {
            id: format!("sim-{i:05}"),
            area: format!("{AREA}/xa-{}", i % 20),
            scope: AREA.into(),
            login: login.clone(),
        })
        .collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let t = Instant::now();
    {
        let _guard = rt.enter();
        for (i, s) in sims.iter().enumerate() {
            fleet::spawn_board(&dir, s, i as u64);
            if i % 50 == 49 {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
    let all: HashSet<String> = sims.iter().map(|s| s.id.clone()).collect();
    let online = rt.block_on(fleet::wait_online(
        &login,
        &all,
        Duration::from_secs(300),
        None,
    ));
    assert_eq!(
        online, boards,
        "only {online} of {boards} boards came online"
    );
    eprintln!(
        "{boards} simulated boards online in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    // The console signs with the key the simulated boards trust.
    let (console, mut a, mut b) = console(&dir, broker.port, Some(&fleet::key()));
    let db = Db::open(&dir.join("console.db")).unwrap();
    let (csrf_a, csrf_b) = (a.csrf(), b.csrf());
    // The console has heard every board's status.
    let want = format!("Sẽ hiện trên <strong>{boards}</strong>");
    let t = Instant::now();
    while !a
        .get(&format!("/alerts/live?area={AREA}"))
        .text()
        .contains(&want)
    {
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "the console never saw every board"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let page = enter(&mut a, &csrf_a, 0);
    let took = press(
        &mut b,
        &csrf_b,
        &db,
        &page,
        boards as i64,
        Duration::from_secs(60),
    );
    println!(
        "tally: press -> every one of {boards} simulated boards' ack with shown_at in the console: {:.2} s (target <= 2 s)",
        took.as_secs_f64()
    );
    let mut times: Vec<f64> = (0..50)
        .map(|_| {
            let t = Instant::now();
            let p = a.get(&page);
            assert!(p.text().contains(&format!("{boards}/{boards}</strong>")));
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "the alert's page with {boards} boards ({boards}/{boards} shown): p50 {:.1} ms, p99 {:.1} ms",
        pct(&times, 0.5),
        pct(&times, 0.99)
    );
    drop(console);
    drop(rt);
}

pub fn main(args: &[String]) {
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|s| s.parse().ok())
    };
    println!("alerts: the staff console over HTTP, Mosquitto on loopback");
    latency(arg("--rounds").unwrap_or(100));
    tally(arg("--boards").unwrap_or(2000));
}
