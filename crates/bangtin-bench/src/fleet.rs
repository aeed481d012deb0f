//! Fleet harness: N simulated boards on one Mosquitto on loopback;
//! one district alert; the time from publishing it until each board's ack with `shown_at`
//! reaches the district. Target: p99 ≤ 2 s at 2,000 boards.
//!
//! Each simulated board is the board's real network side: its own trust store, seq marks and
//! on-disk store with its storage thread (every message fsynced), the MQTT task with its
//! subscriptions, back-off and last will, and the reporter that publishes status and acks.
//! Only rendering is left out: a small task stands in for the board's thread and reports the
//! alert shown as soon as it arrives. All boards share one process and one tokio runtime
//! (2 worker threads).
//!
//! `bangtin-bench fleet [--boards 100,500,2000]`; Mosquitto must be installed. The harness
//! raises the broker's open-file limit as far as the hard limit allows.

use bangtin_board::output;
use bangtin_board::sync::{self, Backoff, Change, Delivery, Report};
use bangtin_board::BoardEvent;
use bangtin_config as config;
use bangtin_protocol::content::{self, Payload};
use bangtin_staff::keys as publish;
use bangtin_testkit::Mosquitto;
use bangtin_vi::calendar;
use ed25519_dalek::SigningKey;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
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

/// Starts one simulated board; `connected` counts boards subscribed.
fn spawn_board(dir: &Path, port: u16, i: usize) {
    let dir = dir.join(format!("b{i}"));
    let config = board_config(&dir, port, i);
    let opened = output::open(&config).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Delivery>();
    let sink: sync::Sink = Arc::new(move |d| {
        let _ = tx.send(d);
    });
    let backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(60), i as u64);
    let (links, _) =
        output::launch(&config, opened.ingest, &opened.storage, sink, backoff).unwrap();
    // The board's thread's part: the alert is on screen as soon as it arrives.
    tokio::spawn(async move {
        while let Some(d) = rx.recv().await {
            if let BoardEvent::Content {
                change: Change::Alert { topic, seq, .. },
                ..
            } = d.event
            {
                links
                    .reports
                    .send(Report::Shown {
                        topic,
                        seq,
                        at: chrono::Utc::now()
                            .with_timezone(&calendar::VIETNAM)
                            .fixed_offset(),
                        clock_trusted: true,
                    })
                    .await;
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
    let root = bangtin_testkit::temp_dir(&format!("fleet-{boards}"));
    let mosquitto = Mosquitto::start(&root);
    let port = mosquitto.port;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let t0 = Instant::now();
    {
        let _guard = rt.enter();
        for i in 0..boards {
            spawn_board(&root, port, i);
            // Boards come up over a few seconds, as a real fleet does after a broker restart
            // (their back-off jitter), not all in the same millisecond.
            if i % 50 == 49 {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
    // Connected and subscribed: each board's status says so (the reporter publishes it at
    // every connection).
    let online = rt.block_on(wait_online(port, boards, Duration::from_secs(120)));
    assert_eq!(
        online, boards,
        "only {online} of {boards} boards came online"
    );
    let connect = t0.elapsed();
    // Let the first status messages drain.
    std::thread::sleep(Duration::from_secs(2));
    let (latencies, acked) = rt.block_on(alert_round(port, boards));
    drop(rt);
    RunResult {
        boards,
        acked,
        latencies,
        connect,
    }
}

/// Waits until `boards` boards have said they are online; returns how many did.
async fn wait_online(port: u16, boards: usize, within: Duration) -> usize {
    let mut options = MqttOptions::new("fleet-watch", "127.0.0.1", port);
    options.set_max_packet_size(1 << 20, 1 << 20);
    let (client, mut eventloop) = AsyncClient::new(options, 64);
    client
        .subscribe("bangtin/v1/board/+/status", QoS::AtLeastOnce)
        .await
        .unwrap();
    let mut online = std::collections::HashSet::new();
    let deadline = tokio::time::Instant::now() + within;
    while online.len() < boards {
        match tokio::time::timeout_at(deadline, eventloop.poll()).await {
            Err(_) | Ok(Err(_)) => break,
            Ok(Ok(Event::Incoming(Packet::Publish(p)))) => {
                let v: serde_json::Value = serde_json::from_slice(&p.payload).unwrap_or_default();
                if v["online"] == true {
                    online.insert(p.topic.clone());
                }
            }
            Ok(Ok(_)) => {}
        }
    }
    let _ = client.disconnect().await;
    online.len()
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

pub fn main(args: &[String]) {
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
