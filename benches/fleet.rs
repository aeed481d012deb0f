//! Fleet harness (DESIGN.md, Performance): N simulated boards on one Mosquitto on loopback;
//! one district alert; the time from publishing it until each board's ack with `shown_at`
//! reaches the district. Target: p99 ≤ 2 s at 2,000 boards.
//!
//! Each simulated board is the board's real sync core: its own trust store, seq marks and
//! on-disk store (`BoardState`), the MQTT task with its subscriptions, back-off and last will,
//! and the reporter that publishes status and acks. Only rendering is left out: a small task
//! stands in for the render thread and reports the alert shown as soon as the board applied
//! it. All boards share one process and one tokio runtime (2 worker threads).
//!
//! `cargo bench --bench fleet [-- --boards 100,500,2000] [--runs N]`; Mosquitto must be
//! installed. The harness raises its own open-file limit as far as the hard limit allows.

use bangtin::content::{self, Payload};
use bangtin::store::{PlayedLog, Store};
use bangtin::sync::{self, Backoff, BoardState, Change, Live, Report, ReportSetup, SyncEvent};
use bangtin::trust::TrustStore;
use bangtin::{calendar, config, publish};
use ed25519_dalek::SigningKey;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ALERTS: &str = "bangtin/v1/alert/vn/ha-noi/dong-anh";

fn key() -> SigningKey {
    SigningKey::from_bytes(&[11; 32])
}

fn board_config(dir: &Path, port: u16, i: usize) -> config::Config {
    use base64::Engine as _;
    let public = base64::engine::general_purpose::STANDARD.encode(key().verifying_key().as_bytes());
    config::parse(
        &format!(
            r#"[board]
id = "sim-{i:04}"
area = "vn/ha-noi/dong-anh/xa-{}"
name = "Bảng tin {i}"
[broker]
url = "mqtt://127.0.0.1:{port}"
keep_alive_s = 60
[[trust]]
key = "huyen-dong-anh"
public = "{public}"
scopes = ["vn/ha-noi/dong-anh"]
alerts = true
[store]
dir = "{}"
"#,
            i % 20,
            dir.display()
        ),
        "fleet.toml",
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

struct Mosquitto(Child);

impl Mosquitto {
    fn start(port: u16, dir: &Path) -> Mosquitto {
        let conf = dir.join("mosquitto.conf");
        std::fs::write(
            &conf,
            format!("listener {port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 10000\n"),
        )
        .unwrap();
        // Raise the broker's open-file limit: one socket per board.
        let child = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "ulimit -n $(ulimit -Hn) 2>/dev/null; exec mosquitto -c {}",
                conf.display()
            ))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Mosquitto is needed (apt-get install mosquitto)");
        let deadline = Instant::now() + Duration::from_secs(5);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "mosquitto did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Mosquitto(child)
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts one simulated board; `connected` counts boards subscribed.
fn spawn_board(dir: &Path, port: u16, i: usize, connected: Arc<std::sync::atomic::AtomicUsize>) {
    let dir = dir.join(format!("b{i}"));
    let config = board_config(&dir, port, i);
    let store = Store::open(&config.store.dir, config.store.max_bytes).unwrap();
    let trust = TrustStore::new(config.trust.clone(), config.revoked.clone());
    let state = Arc::new(Mutex::new(BoardState::open(
        config.identity(),
        trust,
        store,
    )));
    let played = PlayedLog::open(sync::lock(&state).store().clone()).unwrap();
    let options = sync::mqtt_options(&config).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let handle = sync::spawn_reporting(
        options,
        state,
        tx,
        Backoff::new(Duration::from_secs(1), Duration::from_secs(60), i as u64),
        None,
        Some(ReportSetup {
            name: config.board.name.clone(),
            played: Arc::new(Mutex::new(played)),
            live: Arc::new(Live::default()),
        }),
    );
    let reports = handle.reports.expect("reporting");
    // The render thread's part: the alert is on screen as soon as it is applied.
    tokio::spawn(async move {
        while let Some(event) = rx.recv().await {
            match event {
                SyncEvent::Connected => {
                    connected.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                SyncEvent::Changed(Change::Alert { topic, seq, .. }) => {
                    reports.send(Report::Shown {
                        topic,
                        seq,
                        at: chrono::Utc::now()
                            .with_timezone(&calendar::VIETNAM)
                            .fixed_offset(),
                    });
                }
                _ => {}
            }
        }
    });
}

struct RunResult {
    boards: usize,
    acked: usize,
    latencies: Vec<Duration>,
    connect: Duration,
}

fn run(boards: usize) -> RunResult {
    let root = std::env::temp_dir().join(format!("bangtin-fleet-{}-{boards}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let port = free_port();
    let _mosquitto = Mosquitto::start(port, &root);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let connected = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let t0 = Instant::now();
    {
        let _guard = rt.enter();
        for i in 0..boards {
            spawn_board(&root, port, i, connected.clone());
            // Boards come up over a few seconds, as a real fleet does after a broker restart
            // (their back-off jitter), not all in the same millisecond.
            if i % 50 == 49 {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    while connected.load(std::sync::atomic::Ordering::Relaxed) < boards {
        assert!(
            Instant::now() < deadline,
            "only {} of {boards} boards connected",
            connected.load(std::sync::atomic::Ordering::Relaxed)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let connect = t0.elapsed();
    // Let the first status messages drain.
    std::thread::sleep(Duration::from_secs(2));
    let (latencies, acked) = rt.block_on(alert_round(port, boards));
    drop(rt);
    let _ = std::fs::remove_dir_all(&root);
    RunResult {
        boards,
        acked,
        latencies,
        connect,
    }
}

/// Publishes one extreme alert to the district and times each board's ack with `shown_at`.
async fn alert_round(port: u16, boards: usize) -> (Vec<Duration>, usize) {
    let mut options = MqttOptions::new("fleet-district", "127.0.0.1", port);
    options.set_max_packet_size(1 << 20, 1 << 20);
    let (client, mut eventloop) = AsyncClient::new(options, 64);
    client
        .subscribe("bangtin/v1/board/+/ack", QoS::AtLeastOnce)
        .await
        .unwrap();
    loop {
        if let Event::Incoming(Packet::SubAck(_)) = eventloop.poll().await.unwrap() {
            break;
        }
    }
    let alert = content::parse_alert(
        r#"{"id": "bao-so-3", "msg_type": "alert", "status": "actual", "severity": "extreme",
             "headline": "BÃO SỐ 3: Sơ tán khẩn cấp"}"#
            .as_bytes(),
    )
    .unwrap();
    let at = chrono::Utc::now()
        .with_timezone(&calendar::VIETNAM)
        .fixed_offset();
    let seq = at.timestamp_millis() as u64;
    let envelope = publish::envelope(
        "huyen-dong-anh",
        &key(),
        ALERTS,
        seq,
        at,
        Payload::Alert(alert),
    );
    let sent = Instant::now();
    client
        .publish(ALERTS, QoS::AtLeastOnce, true, envelope)
        .await
        .unwrap();
    let mut shown: HashMap<String, Duration> = HashMap::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while shown.len() < boards {
        match tokio::time::timeout_at(deadline, eventloop.poll()).await {
            Err(_) => break,
            Ok(Err(e)) => panic!("the district's connection: {e}"),
            Ok(Ok(Event::Incoming(Packet::Publish(p)))) => {
                let v: serde_json::Value = serde_json::from_slice(&p.payload).unwrap_or_default();
                if v["seq"] == seq && v["shown_at"].is_string() {
                    if let Some(b) = v["board"].as_str() {
                        shown.entry(b.to_owned()).or_insert_with(|| sent.elapsed());
                    }
                }
            }
            Ok(Ok(_)) => {}
        }
    }
    let acked = shown.len();
    let mut latencies: Vec<Duration> = shown.into_values().collect();
    latencies.sort();
    (latencies, acked)
}

fn pct(v: &[Duration], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let i = ((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1;
    v[i].as_secs_f64() * 1000.0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let sizes: Vec<usize> = arg("--boards")
        .unwrap_or_else(|| "100,500,2000".into())
        .split(',')
        .map(|s| s.parse().expect("--boards 100,500,2000"))
        .collect();
    let runs: usize = arg("--runs").map_or(1, |s| s.parse().expect("--runs N"));
    println!("fleet: one district alert, ack with shown_at per board (Mosquitto, loopback)");
    println!("| boards | acked | p50 ms | p90 ms | p99 ms | max ms | all connected in |");
    println!("|---|---|---|---|---|---|---|");
    for &n in &sizes {
        for _ in 0..runs {
            let r = run(n);
            println!(
                "| {} | {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.1} s |",
                r.boards,
                r.acked,
                pct(&r.latencies, 0.50),
                pct(&r.latencies, 0.90),
                pct(&r.latencies, 0.99),
                pct(&r.latencies, 1.0),
                r.connect.as_secs_f64()
            );
        }
    }
}
