//! Console harness: the staff console (`bangtin console`, release build) with 2,000 boards'
//! retained statuses on a real Mosquitto and 10,000 items of history in its SQLite file, a real
//! headless board in the same area. It reports:
//! - each page's time as a browser on loopback sees it (request sent to body read), p50/p99
//!   over 200 loads (target p99 ≤ 20 ms), and its weight (target ≤ 100 KB without pictures);
//! - the exact preview at 1920x1080: the first one (GPU opened) and warm, p50/p99 (target warm
//!   ≤ 250 ms);
//! - approve → board presenting it (the board's ack with `shown_at` recorded by the console),
//!   p50/p99 over 20 approvals (target p99 ≤ 1 s);
//! - the console's RSS idle, and its peak under 50 concurrent staff sessions loading pages for
//!   10 s (with their request rate and p99).
//!
//! `bangtin-bench console [--rounds N]`; run with `cargo run --release` so the release
//! `bangtin` is the one measured.

use bangtin_console::db::Db;
use bangtin_protocol::trust::board_topic;
use bangtin_testkit::board::{self, share, PAPER};
use bangtin_testkit::console::{item_id, Client, Console, AREA};
use bangtin_testkit::Mosquitto;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BOARDS: usize = 2000;
const ITEMS: usize = 10_000;

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn summary(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    (pct(&v, 0.5), pct(&v, 0.99))
}

/// 2,000 boards' retained statuses, in 20 communes of the district.
fn seed_statuses(port: u16) {
    let rt = bangtin_staff::runtime().unwrap();
    rt.block_on(async {
        let mut s = board::session(port, "seed").await;
        let now = bangtin_staff::board_now().to_rfc3339();
        for i in 0..BOARDS {
            let id = format!("sim-{i:04}");
            let status = serde_json::json!({
                "board": id, "online": true, "version": "0.1.0", "at": now, "started_at": now,
                "showing": null, "alert": null, "clock_synced": true, "last_error": null,
                "area": format!("{AREA}/xa-{:02}", i % 20), "name": format!("Bảng {i}"),
                "display": {"width": 1920, "height": 1080, "rotation": 0},
            });
            s.publish(
                &board_topic("bangtin/v1", &id, "status"),
                status.to_string().into_bytes(),
                true,
            )
            .await
            .unwrap();
        }
        s.close().await;
    });
}

/// 10,000 items of history (withdrawn, rejected, drafts) and as many audit lines.
fn seed_items(db: &Db) {
    let mut conn = db.lock();
    let tx = conn.transaction().unwrap();
    let topic = format!("bangtin/v1/content/{AREA}");
    for i in 0..ITEMS {
        let status = ["withdrawn", "rejected", "draft", "withdrawn"][i % 4];
        let item = serde_json::json!({
            "id": format!("h-{i}"), "type": "announcement",
            "title": format!("Thông báo lịch sử số {i} về việc tổ chức hội nghị"),
            "body": "Ủy ban nhân dân xã thông báo đến toàn thể nhân dân được biết.",
        });
        tx.execute(
            "INSERT INTO items (item_id, topic, area, status, draft, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            rusqlite::params![
                format!("h-{i}"),
                topic,
                AREA,
                status,
                item.to_string(),
                1_700_000_000 + i as i64
            ],
        )
        .unwrap();
        tx.execute(
            "INSERT INTO audit (at, user, address, action, target, area) VALUES (?1, 'lich-su', '10.0.0.1', 'edit', ?2, ?3)",
            rusqlite::params![1_700_000_000 + i as i64, format!("item {i}"), AREA],
        )
        .unwrap();
    }
    tx.commit().unwrap();
}

fn rss_mib(pid: u32) -> f64 {
    crate::board::proc_field(&format!("/proc/{pid}/status"), "VmRSS:") as f64 / 1024.0
}

fn time_page(c: &mut Client, path: &str, n: usize) -> (f64, f64, usize) {
    let mut times = Vec::with_capacity(n);
    let mut bytes = 0;
    for _ in 0..n {
        let t = Instant::now();
        let page = c.get(path);
        times.push(ms(t.elapsed()));
        assert_eq!(page.status, 200, "{path}: {}", page.status);
        bytes = page.body.len();
    }
    let (p50, p99) = summary(times);
    (p50, p99, bytes)
}

pub fn main(args: &[String]) {
    let rounds: usize = args
        .iter()
        .position(|a| a == "--rounds")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let dir = bangtin_testkit::temp_dir("bench-console");
    let broker = Mosquitto::start(&dir);
    let t = Instant::now();
    seed_statuses(broker.port);
    let config = Console::configure(&dir, broker.port, "[security]\nrequire_totp = false\n");
    Console::add_user(&config, "bien-tap", "editor", AREA);
    Console::add_user(&config, "duyet", "approver", AREA);
    Console::add_user(&config, "quan-tri", "admin", AREA);
    seed_items(&Db::open(&dir.join("console.db")).unwrap());
    eprintln!(
        "seeded {BOARDS} statuses and {ITEMS} items in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    // A real board in the area, drawing at 30 frames a second.
    let cfg = board::write_config(&dir, broker.port, (1920, 1080), "");
    let frames = dir.join("frames");
    let mut board = Command::new(bangtin_testkit::exe())
        .args(["run", "--headless", "--fps", "30", "--config"])
        .arg(&cfg)
        .arg("--frames")
        .arg(&frames)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();

    let console = Console::start(&config);
    std::thread::sleep(Duration::from_secs(3));
    let idle = rss_mib(console.pid());
    let mut editor = Client::new(&console.url);
    editor.login("bien-tap", None);
    let mut approver = Client::new(&console.url);
    approver.login("duyet", None);
    let mut admin = Client::new(&console.url);
    admin.login("quan-tri", None);

    // One item to look at.
    let csrf = editor.csrf();
    let page = editor.post_multipart(
        &format!("/items?area={AREA}"),
        &[
            ("csrf", &csrf),
            ("kind", "announcement"),
            ("title", "Lịch tiếp công dân tháng 12"),
            (
                "body",
                "Chủ tịch UBND xã tiếp công dân vào sáng thứ Năm hằng tuần tại trụ sở UBND xã.",
            ),
        ],
        None,
    );
    let item = item_id(&page);

    println!("console: {BOARDS} boards' statuses, {ITEMS} items and audit lines of history");
    println!("page                      p50 ms   p99 ms   bytes");
    let css = editor.get("/static/app.css").body.len();
    let js = editor.get("/static/app.js").body.len();
    for (who, path) in [
        ("editor", "/".to_owned()),
        ("editor", "/boards".to_owned()),
        ("editor", format!("/items/{item}")),
        ("editor", "/boards/sim-0007".to_owned()),
        ("editor", format!("/items/new?area={AREA}")),
        ("admin", "/audit".to_owned()),
    ] {
        let c = match who {
            "admin" => &mut admin,
            _ => &mut editor,
        };
        let (p50, p99, bytes) = time_page(c, &path, 200);
        println!("{path:<25} {p50:>7.2} {p99:>8.2} {bytes:>7}");
    }
    println!("(every page also loads app.css {css} bytes and app.js {js} bytes, cached an hour)");

    // The exact preview, at 1920x1080: the first opens the GPU.
    let preview = format!("/items/{item}/preview.png?w=1920&h=1080&page=1");
    let t = Instant::now();
    assert_eq!(editor.get(&preview).status, 200);
    let first = ms(t.elapsed());
    let warm: Vec<f64> = (0..20)
        .map(|_| {
            let t = Instant::now();
            assert_eq!(editor.get(&preview).status, 200);
            ms(t.elapsed())
        })
        .collect();
    let (w50, w99) = summary(warm);
    println!("preview 1920x1080: first {first:.0} ms; warm p50 {w50:.0} ms, p99 {w99:.0} ms (target warm <= 250)");
    let after_previews = rss_mib(console.pid());

    // Approve → the board presents it.
    let db = Db::open(&dir.join("console.db")).unwrap();
    let mut latencies = Vec::new();
    let mut previous: Option<String> = None;
    for round in 0..rounds {
        let csrf = editor.csrf();
        let page = editor.post_multipart(
            &format!("/items?area={AREA}"),
            &[
                ("csrf", &csrf),
                ("kind", "announcement"),
                ("title", &format!("Thông báo số {round}")),
                ("body", "Nội dung"),
            ],
            None,
        );
        let id = item_id(&page);
        assert_eq!(
            editor
                .post(
                    &format!("/items/{id}/submit"),
                    &[("csrf", &csrf), ("revision", "1")]
                )
                .status,
            303
        );
        // The channel holds only the new item, so the board switches to it at once.
        let acsrf = approver.csrf();
        if let Some(prev) = previous.take() {
            assert_eq!(
                approver
                    .post(
                        &format!("/items/{prev}/withdraw"),
                        &[("csrf", &acsrf), ("revision", "1")]
                    )
                    .status,
                303
            );
            std::thread::sleep(Duration::from_millis(300));
        }
        let t = Instant::now();
        assert_eq!(
            approver
                .post(
                    &format!("/items/{id}/approve"),
                    &[("csrf", &acsrf), ("revision", "1")]
                )
                .status,
            303
        );
        let seq: i64 = db
            .lock()
            .query_row(
                "SELECT published_seq FROM items WHERE id = ?1",
                [id.parse::<i64>().unwrap()],
                |r| r.get(0),
            )
            .unwrap();
        loop {
            let shown: i64 = db
                .lock()
                .query_row(
                    "SELECT count(*) FROM acks WHERE board = 'xuan-non-01' AND seq = ?1 AND shown_at IS NOT NULL",
                    [seq],
                    |r| r.get(0),
                )
                .unwrap_or(0);
            if shown > 0 {
                break;
            }
            assert!(
                t.elapsed() < Duration::from_secs(30),
                "round {round}: never shown"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        latencies.push(ms(t.elapsed()));
        previous = Some(id);
    }
    // A publication's page: its delivery to the 2,001 boards of the area.
    if let Some(published) = &previous {
        let path = format!("/items/{published}");
        let (p50, p99, bytes) = time_page(&mut approver, &path, 200);
        println!(
            "{path:<25} {p50:>7.2} {p99:>8.2} {bytes:>7}   (published: delivery to every board)"
        );
    }
    let (a50, a99) = summary(latencies);
    println!("approve -> board shows it (ack shown_at in the console): p50 {a50:.0} ms, p99 {a99:.0} ms over {rounds} (target p99 <= 1000)");
    if let Ok(bytes) = std::fs::read(frames.join("latest.png")) {
        let f = image::load_from_memory(&bytes).unwrap().to_rgba8();
        println!(
            "(the board's last frame is an announcement: {:.0} % paper)",
            share(&f, PAPER) * 100.0
        );
    }

    // 50 officers at once, each in their own session, loading pages for 10 s.
    let url = console.url.clone();
    let pid = console.pid();
    let stop = Instant::now() + Duration::from_secs(10);
    let workers: Vec<_> = (0..50)
        .map(|i| {
            let url = url.clone();
            let item = item.clone();
            std::thread::spawn(move || {
                let mut c = Client::new(&url);
                c.login(if i % 2 == 0 { "bien-tap" } else { "duyet" }, None);
                let mut times = Vec::new();
                let paths = [
                    "/".to_owned(),
                    "/boards".to_owned(),
                    format!("/items/{item}"),
                ];
                let mut k = 0;
                while Instant::now() < stop {
                    let t = Instant::now();
                    let _ = c.get(&paths[k % 3]);
                    times.push(ms(t.elapsed()));
                    k += 1;
                }
                times
            })
        })
        .collect();
    let mut peak: f64 = 0.0;
    while Instant::now() < stop {
        peak = peak.max(rss_mib(pid));
        std::thread::sleep(Duration::from_millis(100));
    }
    let all: Vec<f64> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    let n = all.len();
    let (c50, c99) = summary(all);
    println!(
        "RSS: idle {idle:.1} MiB; with the preview's GPU open {after_previews:.1} MiB; 50 concurrent sessions: peak {peak:.1} MiB, {:.0} pages/s, p50 {c50:.1} ms, p99 {c99:.1} ms",
        n as f64 / 10.0
    );
    let _ = board.kill();
    let _ = board.wait();
}
