//! Torture harness (issue: hostile input, power loss): the whole headless board (`bangtin run`)
//! under a storm of valid, forged, replayed and malformed messages, while the broker restarts,
//! the image server fails in turns, and the board itself is SIGKILLed (a power cut) every few
//! seconds. After every restart it checks:
//!
//! - the screen shows a slide (idle, announcement or alert colours), never black;
//! - the store loads: the first status after the restart lists, for every topic, at least the
//!   seq of the last message the board acknowledged before the cut (no accepted message lost);
//! - nothing refused ever showed: no status `showing` and no proof-of-play record names a
//!   forged item, at any time;
//! - the board never panicked (its log is read).
//!
//! `bangtin-bench torture [--rounds N] [--seed S]`; needs Mosquitto. Prints a summary
//! and exits non-zero on any violation.

use bangtin_protocol::content::{self, Payload};
use bangtin_protocol::trust;
use bangtin_staff::keys as publish;
use bangtin_testkit::board::{ALERTS, CONTENT, IDLE, PAPER};
use bangtin_vi::calendar;
use ed25519_dalek::SigningKey;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PREFIX: &str = "bangtin/v1";
/// The district's content topic (the testkit's).
const DISTRICT: &str = CONTENT;
const COMMUNE: &str = "bangtin/v1/content/vn/ha-noi/dong-anh/xuan-non";
const BOARD: &str = "bangtin/v1/content/board/xuan-non-01";
/// The background of a full-area picture slide.
const PHOTO_BG: [u8; 3] = [0x11, 0x11, 0x11];

fn district_key() -> SigningKey {
    bangtin_testkit::board::key()
}
/// Trusted, but scoped to another commune only.
fn other_commune_key() -> SigningKey {
    SigningKey::from_bytes(&[22; 32])
}
/// Not trusted at all.
fn stranger_key() -> SigningKey {
    SigningKey::from_bytes(&[23; 32])
}

/// xorshift64*: a repeatable storm from a seed, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The board's config: the testkit's, with a second key trusted for another commune only.
fn write_config(dir: &Path, port: u16) -> PathBuf {
    let other = format!(
        "[[trust]]\nkey = \"xa-nam-hong\"\npublic = \"{}\"\nscopes = [\"vn/ha-noi/dong-anh/nam-hong\"]\nalerts = false\n",
        b64(other_commune_key().verifying_key().as_bytes())
    );
    bangtin_testkit::board::write_config(dir, port, (320, 180), &other)
}

/// An image server that fails in turns: 0 serves, 1 answers 500, 2 hangs up, 3 is slow.
fn asset_server(png: Vec<u8>, mode: Arc<AtomicU8>) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let png = png.clone();
            let mode = mode.load(Ordering::Relaxed);
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut buf = [0u8; 1024];
                let _ = stream.read(&mut buf);
                match mode {
                    1 => {
                        let _ = stream.write_all(
                            b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n",
                        );
                    }
                    2 => {}
                    3 => std::thread::sleep(Duration::from_secs(8)),
                    _ => {
                        let head = format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: image/png\r\ncontent-length: {}\r\n\r\n",
                            png.len()
                        );
                        let _ = stream.write_all(head.as_bytes());
                        let _ = stream.write_all(&png);
                    }
                }
            });
        }
    });
    port
}

fn test_png() -> Vec<u8> {
    let img = image::RgbaImage::from_fn(64, 48, |x, y| {
        image::Rgba([x as u8 * 4, y as u8 * 5, 90, 255])
    });
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// What the district sees on the board's topics.
#[derive(Default)]
struct Seen {
    /// Every status, in order.
    statuses: Vec<Value>,
    /// Highest seq acknowledged per topic.
    acked: BTreeMap<String, u64>,
    /// Forged item ids seen in status or proof of play.
    violations: Vec<String>,
    played: u64,
}

fn observe(port: u16, seen: Arc<Mutex<Seen>>, stop: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        let mut options = rumqttc::MqttOptions::new("torture-district", "127.0.0.1", port);
        options.set_max_packet_size(4 << 20, 4 << 20);
        options.set_keep_alive(Duration::from_secs(5));
        let (client, mut connection) = rumqttc::Client::new(options, 256);
        for event in connection.iter() {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            match event {
                Ok(rumqttc::Event::Incoming(rumqttc::Packet::ConnAck(_))) => {
                    let _ =
                        client.subscribe(format!("{PREFIX}/board/#"), rumqttc::QoS::AtLeastOnce);
                }
                Ok(rumqttc::Event::Incoming(rumqttc::Packet::Publish(p))) => {
                    let v: Value = serde_json::from_slice(&p.payload).unwrap_or(Value::Null);
                    let mut s = seen.lock().unwrap();
                    if p.topic.ends_with("/status") {
                        if let Some(item) = v["showing"].as_str() {
                            if item.starts_with("forged") {
                                s.violations.push(format!("status showed {item}"));
                            }
                        }
                        s.statuses.push(v);
                    } else if p.topic.ends_with("/ack") {
                        if let (Some(t), Some(seq)) = (v["topic"].as_str(), v["seq"].as_u64()) {
                            let e = s.acked.entry(t.to_owned()).or_default();
                            *e = (*e).max(seq);
                        }
                    } else if p.topic.ends_with("/played") {
                        for r in v["items"].as_array().cloned().unwrap_or_default() {
                            s.played += 1;
                            if r["item"].as_str().is_some_and(|i| i.starts_with("forged")) {
                                s.violations.push(format!("played {}", r["item"]));
                            }
                        }
                    }
                }
                Ok(_) => {}
                Err(_) => std::thread::sleep(Duration::from_millis(300)),
            }
        }
    });
}

/// Counts of what the storm sent, by class.
#[derive(Default)]
struct Sent {
    valid: AtomicU64,
    forged: AtomicU64,
    replayed: AtomicU64,
    malformed: AtomicU64,
}

fn now_vn() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::Utc::now()
        .with_timezone(&calendar::VIETNAM)
        .fixed_offset()
}

fn channel(id_prefix: &str, n: u64, image: Option<(&str, &str, usize)>) -> Payload {
    let mut items = vec![serde_json::json!({
        "id": format!("{id_prefix}-{n}"), "type": "announcement",
        "title": format!("Thông báo số {n}"), "body": "Đề nghị bà con chú ý.", "duration_s": 3
    })];
    if let Some((url, sha, bytes)) = image {
        items.push(serde_json::json!({
            "id": format!("{id_prefix}-anh-{n}"), "type": "image",
            "image": {"url": url, "sha256": sha, "bytes": bytes}, "duration_s": 3
        }));
    }
    items.push(
        serde_json::json!({"id": format!("{id_prefix}-tin-{n}"), "type": "ticker",
        "text": format!("Tin vắn {n}")}),
    );
    let doc = serde_json::json!({ "items": items }).to_string();
    Payload::Channel(content::parse_channel(doc.as_bytes()).unwrap())
}

/// The storm: runs until `stop`, about 20 messages a second.
fn storm(
    port: u16,
    asset_port: u16,
    png: Vec<u8>,
    seed: u64,
    sent: Arc<Sent>,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut rng = Rng(seed | 1);
        let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&png));
        let url = format!("http://127.0.0.1:{asset_port}/img/{sha}.png");
        let mut options = rumqttc::MqttOptions::new("torture-storm", "127.0.0.1", port);
        options.set_max_packet_size(4 << 20, 4 << 20);
        options.set_keep_alive(Duration::from_secs(5));
        let (client, mut connection) = rumqttc::Client::new(options, 1024);
        std::thread::spawn(move || for _ in connection.iter() {});
        let mut history: Vec<(String, Vec<u8>)> = Vec::new();
        let mut n = 0u64;
        let mut alert_on = false;
        while !stop.load(Ordering::Relaxed) {
            n += 1;
            let seq = now_vn().timestamp_millis() as u64 * 10 + (n % 10);
            let topic = [DISTRICT, COMMUNE, BOARD][rng.below(3) as usize];
            let class = rng.below(100);
            let (topic, bytes, retain, counter): (String, Vec<u8>, bool, &AtomicU64) = if class < 35
            {
                let image = (rng.below(3) == 0).then_some((url.as_str(), sha.as_str(), png.len()));
                let env = publish::envelope(
                    "huyen-dong-anh",
                    &district_key(),
                    topic,
                    seq,
                    now_vn(),
                    channel("valid", n, image),
                );
                history.push((topic.to_owned(), env.clone()));
                (topic.to_owned(), env, true, &sent.valid)
            } else if class < 40 {
                // An alert, then its cancel.
                let json = if alert_on {
                    r#"{"id": "huy-chay", "msg_type": "cancel", "references": ["chay-1"], "status": "exercise", "severity": "extreme", "headline": "Hủy"}"#.to_string()
                } else {
                    r#"{"id": "chay-1", "msg_type": "alert", "status": "exercise", "severity": "extreme", "headline": "DIỄN TẬP: cháy chợ"}"#.to_string()
                };
                alert_on = !alert_on;
                let alert = Payload::Alert(content::parse_alert(json.as_bytes()).unwrap());
                let env = publish::envelope(
                    "huyen-dong-anh",
                    &district_key(),
                    ALERTS,
                    seq,
                    now_vn(),
                    alert,
                );
                (ALERTS.to_owned(), env, true, &sent.valid)
            } else if class < 48 {
                // An untrusted key.
                let env = publish::envelope(
                    "stranger",
                    &stranger_key(),
                    topic,
                    seq,
                    now_vn(),
                    channel("forged-stranger", n, None),
                );
                (topic.to_owned(), env, true, &sent.forged)
            } else if class < 56 {
                // A trusted key, out of its scope.
                let env = publish::envelope(
                    "xa-nam-hong",
                    &other_commune_key(),
                    topic,
                    seq,
                    now_vn(),
                    channel("forged-scope", n, None),
                );
                (topic.to_owned(), env, true, &sent.forged)
            } else if class < 64 {
                // The district's key id, someone else's signature.
                let body = content::Body {
                    topic: topic.to_owned(),
                    seq,
                    issued_at: now_vn(),
                    payload: channel("forged-sig", n, None),
                };
                let mut env = trust::sign("huyen-dong-anh", &stranger_key(), &body.to_json());
                env.key = "huyen-dong-anh".into();
                (
                    topic.to_owned(),
                    serde_json::to_vec(&env).unwrap(),
                    true,
                    &sent.forged,
                )
            } else if class < 70 {
                // A genuine body under another topic (moved by the broker).
                let env = publish::envelope(
                    "huyen-dong-anh",
                    &district_key(),
                    DISTRICT,
                    seq,
                    now_vn(),
                    channel("forged-moved", n, None),
                );
                (BOARD.to_owned(), env, true, &sent.forged)
            } else if class < 82 {
                // An old message again.
                match history.len() {
                    0 => continue,
                    len => {
                        let (t, env) = history[rng.below(len as u64) as usize].clone();
                        (t, env, true, &sent.replayed)
                    }
                }
            } else {
                let junk: Vec<u8> = match rng.below(6) {
                    0 => (0..rng.below(400)).map(|_| rng.next() as u8).collect(),
                    1 => b"{\"v\": 1, \"key\": \"huyen-dong-anh\", \"sig\": \"AAAA\", \"body\": \"{\\\"topic\\\"".to_vec(),
                    2 => vec![0xff, 0xfe, b'{', 0xc3, 0x28],
                    3 => vec![b'x'; 1_100_000],
                    4 => Vec::new(),
                    _ => format!("{{\"v\": 1, \"key\": \"../../etc\", \"sig\": \"{}\", \"body\": \"{{}}\"}}", "A".repeat(88)).into_bytes(),
                };
                (topic.to_owned(), junk, rng.below(2) == 0, &sent.malformed)
            };
            // Unsigned junk is never retained over a valid channel for long: the next valid
            // message on that topic replaces it on the broker.
            if client
                .publish(topic, rumqttc::QoS::AtLeastOnce, retain, bytes)
                .is_ok()
            {
                counter.fetch_add(1, Ordering::Relaxed);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    })
}

fn share(img: &image::RgbaImage, rgb: [u8; 3], d: u8) -> f64 {
    let near = img
        .pixels()
        .filter(|p| (0..3).all(|i| p.0[i].abs_diff(rgb[i]) <= d))
        .count();
    near as f64 / (img.width() * img.height()).max(1) as f64
}

fn start_board(config: &Path, frames: &Path, log: &Path) -> Child {
    let _ = std::fs::remove_file(frames.join("latest.png"));
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    Command::new(bangtin_testkit::exe())
        .args(["run", "--headless", "--fps", "4", "--config"])
        .arg(config)
        .arg("--frames")
        .arg(frames)
        .env("RUST_LOG", "bangtin=info")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("bangtin runs")
}

pub fn main(args: &[String]) {
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let rounds: u64 = arg("--rounds").map_or(15, |s| s.parse().expect("--rounds N"));
    let seed: u64 = arg("--seed").map_or(20261128, |s| s.parse().expect("--seed S"));
    let dir = std::env::temp_dir().join(format!("bangtin-torture-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut mosquitto = bangtin_testkit::Mosquitto::start(&dir);
    let port = mosquitto.port;
    let png = test_png();
    let mode = Arc::new(AtomicU8::new(0));
    let asset_port = asset_server(png.clone(), mode.clone());
    let config = write_config(&dir, port);
    let frames = dir.join("frames");
    let log = dir.join("board.log");
    let seen = Arc::new(Mutex::new(Seen::default()));
    let stop = Arc::new(AtomicBool::new(false));
    observe(port, seen.clone(), stop.clone());
    let sent = Arc::new(Sent::default());
    let storm = storm(port, asset_port, png, seed, sent.clone(), stop.clone());
    let mut rng = Rng(seed ^ 0x9E37_79B9_7F4A_7C15);
    let mut problems: Vec<String> = Vec::new();
    let mut first_frames: Vec<Duration> = Vec::new();
    let mut broker_restarts = 0;
    for round in 1..=rounds {
        let acked_before = seen.lock().unwrap().acked.clone();
        let statuses_before = seen.lock().unwrap().statuses.len();
        let t0 = Instant::now();
        let mut board = start_board(&config, &frames, &log);
        // The first frame: a slide, never black.
        let frame = loop {
            if let Some(img) = std::fs::read(frames.join("latest.png"))
                .ok()
                .and_then(|b| image::load_from_memory(&b).ok())
            {
                break Some(img.to_rgba8());
            }
            if t0.elapsed() > Duration::from_secs(20) {
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        match frame {
            None => problems.push(format!("round {round}: no frame within 20 s")),
            Some(f) => {
                first_frames.push(t0.elapsed());
                let black = share(&f, [0, 0, 0], 8);
                // Idle, announcement, alert or picture slide (the picture itself varies).
                let slide = share(&f, IDLE, 8)
                    + share(&f, PAPER, 8)
                    + share(&f, [0xB0, 0, 0x20], 8)
                    + share(&f, PHOTO_BG, 4);
                if black > 0.5 || slide < 0.2 {
                    let out = dir.join(format!("round-{round}.png"));
                    let _ = f.save(&out);
                    problems.push(format!(
                        "round {round}: the first frame is not a slide (black {black:.2}, slide {slide:.2}): {}",
                        out.display()
                    ));
                }
            }
        }
        // The first status after the restart comes from the cache: it must hold every
        // message acknowledged before the cut.
        let deadline = Instant::now() + Duration::from_secs(30);
        let first_status = loop {
            let s = seen.lock().unwrap();
            if let Some(v) = s.statuses[statuses_before..]
                .iter()
                .find(|v| v["online"] == true && v["started_at"].is_string())
            {
                break Some(v.clone());
            }
            drop(s);
            if Instant::now() > deadline {
                break None;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        match first_status {
            None => problems.push(format!("round {round}: no status after the restart")),
            Some(status) => {
                for (topic, seq) in &acked_before {
                    let had = status["channels"][topic].as_u64().unwrap_or(0);
                    if had < *seq {
                        problems.push(format!(
                            "round {round}: {topic} acknowledged at seq {seq} before the cut, the store gave {had}"
                        ));
                    }
                }
            }
        }
        // Run a while, with the world misbehaving.
        mode.store(rng.below(4) as u8, Ordering::Relaxed);
        std::thread::sleep(Duration::from_millis(2000 + rng.below(5000)));
        if rng.below(3) == 0 {
            mosquitto.restart();
            broker_restarts += 1;
            std::thread::sleep(Duration::from_millis(500 + rng.below(2000)));
        }
        // Let the acks of the last messages come, then the power cut.
        std::thread::sleep(Duration::from_millis(rng.below(1500)));
        let _ = board.kill();
        let _ = board.wait();
        println!(
            "round {round}/{rounds}: first frame after {:?}, {} problem(s) so far",
            first_frames.last().copied().unwrap_or_default(),
            problems.len()
        );
    }
    stop.store(true, Ordering::Relaxed);
    let _ = storm.join();
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let panics = text.lines().filter(|l| l.contains("panicked")).count();
    if panics > 0 {
        problems.push(format!(
            "the board panicked {panics} time(s); see {}",
            log.display()
        ));
    }
    let refused = text
        .lines()
        .filter(|l| l.contains("rejected a message"))
        .count();
    let seen = seen.lock().unwrap();
    problems.extend(seen.violations.iter().cloned());
    first_frames.sort();
    let median = first_frames
        .get(first_frames.len() / 2)
        .copied()
        .unwrap_or_default();
    let max = first_frames.last().copied().unwrap_or_default();
    println!();
    println!("torture: {rounds} power cuts, {broker_restarts} broker restarts, image server failing in turns");
    println!(
        "sent: {} valid, {} forged, {} replayed, {} malformed; the board logged {refused} refusals",
        sent.valid.load(Ordering::Relaxed),
        sent.forged.load(Ordering::Relaxed),
        sent.replayed.load(Ordering::Relaxed),
        sent.malformed.load(Ordering::Relaxed)
    );
    println!(
        "first frame after a restart: median {:.1} ms, max {:.1} ms; {} statuses and {} proof-of-play records seen",
        median.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3,
        seen.statuses.len(),
        seen.played
    );
    if problems.is_empty() {
        println!("violations: none");
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        println!("violations ({}):", problems.len());
        for p in &problems {
            println!("  {p}");
        }
        std::process::exit(1);
    }
}
