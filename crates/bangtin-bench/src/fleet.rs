//! Fleet harness: N simulated boards on one Mosquitto on loopback;
//! one district alert; the time from publishing it until each board's ack with `shown_at`
//! reaches the district. Target: p99 ≤ 2 s at 2,000 boards.
//!
//! With `--districts D`, the province of `bangtin broker-config` instead: a province broker
//! and D district brokers bridged to it, configured by the generated files (passwords, ACLs,
//! bridges), the boards spread over the districts, each logged in with its own credential;
//! one province alert, timed until every ack with `shown_at` is back at the province (target
//! p99 ≤ 3 s at 10,000). It also reports each broker's memory per connection, the CPU the
//! simulation and the brokers spent on the alert, and how long the boards of one district
//! take to be back (status online again at the province) after that district's broker
//! restarts.
//!
//! Each simulated board is the board's real network side: its own trust store, seq marks and
//! on-disk store with its storage thread (every message fsynced), the MQTT task with its
//! subscriptions, back-off and last will, and the reporter that publishes status and acks.
//! Only rendering is left out: a small task stands in for the board's thread and reports the
//! alert shown as soon as it arrives. All boards share one process and one tokio runtime
//! (2 worker threads).
//!
//! `bangtin-bench fleet [--boards 100,500,2000] [--districts D]`; Mosquitto must be
//! installed. The harness raises the brokers' open-file limit as far as the hard limit allows;
//! its own process needs about two files per board (`ulimit -n` before 10,000 boards).

use bangtin_board::output;
use bangtin_board::sync::{self, Backoff, Change, Delivery, Report};
use bangtin_board::BoardEvent;
use bangtin_config as config;
use bangtin_protocol::content::{self, Payload};
use bangtin_staff::keys as publish;
use bangtin_staff::province::{self, secrets::Secrets, Board, Broker, Province, Staff};
use bangtin_testkit::Mosquitto;
use bangtin_vi::calendar;
use ed25519_dalek::SigningKey;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub(crate) fn key() -> SigningKey {
    SigningKey::from_bytes(&[11; 32])
}

/// A broker a client logs in to: its port and, on a generated province, a user and password.
#[derive(Clone)]
pub(crate) struct Login {
    pub(crate) port: u16,
    pub(crate) user: Option<(String, String)>,
}

impl Login {
    fn options(&self, client: &str) -> MqttOptions {
        let mut options = MqttOptions::new(client, "127.0.0.1", self.port);
        options.set_max_packet_size(1 << 20, 1 << 20);
        options.set_keep_alive(Duration::from_secs(60));
        if let Some((u, p)) = &self.user {
            options.set_credentials(u, p);
        }
        options
    }
}

/// One simulated board: its id, area (the key it trusts covers `scope`) and broker.
pub(crate) struct SimBoard {
    pub(crate) id: String,
    pub(crate) area: String,
    pub(crate) scope: String,
    pub(crate) login: Login,
}

fn board_config(dir: &Path, b: &SimBoard) -> config::Config {
    use base64::Engine as _;
    let public = base64::engine::general_purpose::STANDARD.encode(key().verifying_key().as_bytes());
    let credentials = match &b.login.user {
        Some((u, p)) => format!("username = {u:?}\npassword = {p:?}\n"),
        None => String::new(),
    };
    config::parse(
        &format!(
            r#"[board]
id = "{id}"
area = "{area}"
name = "Bảng tin {id}"
[broker]
url = "mqtt://127.0.0.1:{port}"
keep_alive_s = 60
{credentials}[[trust]]
key = "huyen-dong-anh"
public = "{public}"
scopes = ["{scope}"]
alerts = true
[store]
dir = "{dir}"
"#,
            id = b.id,
            area = b.area,
            port = b.login.port,
            scope = b.scope,
            dir = dir.display()
        ),
        "fleet.toml",
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Starts one simulated board.
pub(crate) fn spawn_board(dir: &Path, b: &SimBoard, seed: u64) {
    let dir = dir.join(&b.id);
    let config = board_config(&dir, b);
    let opened = output::open(&config).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Delivery>();
    let sink: sync::Sink = Arc::new(move |d| {
        let _ = tx.send(d);
    });
    let backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(60), seed);
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

/// The brokers of one run and who talks to them.
struct Net {
    brokers: Vec<Mosquitto>,
    boards: Vec<SimBoard>,
    /// Where statuses are watched (the province's monitor account on a province).
    watch: Login,
    /// Where the alert is published and the acks are read (the province's staff).
    staff: Login,
    alert_topic: String,
}

/// One Mosquitto, anonymous, as a district runs a single broker.
fn single(root: &Path, boards: usize) -> Net {
    let m = Mosquitto::start(root);
    let login = Login {
        port: m.port,
        user: None,
    };
    Net {
        boards: (0..boards)
            .map(|i| SimBoard {
                id: format!("sim-{i:05}"),
                area: format!("vn/ha-noi/dong-anh/xa-{}", i % 20),
                scope: "vn/ha-noi/dong-anh".into(),
                login: login.clone(),
            })
            .collect(),
        brokers: vec![m],
        watch: login.clone(),
        staff: login,
        alert_topic: "bangtin/v1/alert/vn/ha-noi/dong-anh".into(),
    }
}

fn loopback(port: u16) -> Option<config::BrokerUrl> {
    config::BrokerUrl::parse(&format!("mqtt://127.0.0.1:{port}")).ok()
}

/// The province of `bangtin broker-config`: its generated files, its brokers started on them.
fn hierarchy(root: &Path, boards: usize, districts: usize) -> Net {
    let ports: Vec<u16> = (0..=districts)
        .map(|_| bangtin_testkit::free_port())
        .collect();
    let staff_ports: Vec<u16> = (0..=districts)
        .map(|_| bangtin_testkit::free_port())
        .collect();
    let area = |rest: &[String]| -> Vec<String> {
        ["vn", "ha-noi"]
            .iter()
            .map(|s| s.to_string())
            .chain(rest.iter().cloned())
            .collect()
    };
    let mut brokers = vec![Broker {
        name: "ha-noi".into(),
        area: area(&[]),
        url: loopback(ports[0]),
        listen: Some("127.0.0.1".into()),
        staff_port: staff_ports[0],
        parent: None,
    }];
    for (d, port) in ports.iter().enumerate().skip(1) {
        brokers.push(Broker {
            name: format!("huyen-{d}"),
            area: area(&[format!("huyen-{d}")]),
            url: loopback(*port),
            listen: Some("127.0.0.1".into()),
            staff_port: staff_ports[d],
            parent: Some(0),
        });
    }
    let out = root.join("out");
    let p = Province {
        prefix: "bangtin/v1".into(),
        brokers,
        boards: (0..boards)
            .map(|i| {
                let d = 1 + i % districts;
                Board {
                    id: format!("sim-{i:05}"),
                    area: area(&[format!("huyen-{d}"), format!("xa-{}", i / districts % 20)]),
                    broker: d,
                }
            })
            .collect(),
        staff: vec![Staff {
            user: "so-ttt".into(),
            areas: vec![area(&[])],
            alerts: true,
            broker: 0,
        }],
        board_ca_file: None,
        conf_dir: out.join("brokers").display().to_string(),
        data_dir: root.join("data").display().to_string(),
        certs_dir: String::new(),
    };
    let (files, secrets) = province::generate(&p, &Secrets::new());
    province::write(&out, &files).unwrap_or_else(|e| panic!("{e}"));
    let mut started = Vec::new();
    for (b, port) in p.brokers.iter().zip(&ports) {
        std::fs::create_dir_all(root.join("data").join(&b.name)).unwrap();
        let conf = out.join("brokers").join(&b.name).join("mosquitto.conf");
        started.push(Mosquitto::with_conf_file(&conf, *port));
    }
    let login = |port: u16, user: &str| Login {
        port,
        user: Some((user.to_owned(), secrets[user].password.clone())),
    };
    Net {
        boards: p
            .boards
            .iter()
            .map(|b| SimBoard {
                id: b.id.clone(),
                area: b.area.join("/"),
                scope: "vn/ha-noi".into(),
                login: login(ports[b.broker], &b.id),
            })
            .collect(),
        brokers: started,
        watch: login(staff_ports[0], "monitor"),
        staff: login(staff_ports[0], "so-ttt"),
        alert_topic: "bangtin/v1/alert/vn/ha-noi".into(),
    }
}

struct RunResult {
    boards: usize,
    acked: usize,
    latencies: Vec<Duration>,
    connect: Duration,
    /// CPU seconds during the alert round: this process (the simulated boards), the brokers.
    cpu: (f64, f64),
    /// Per broker: name, connections, RSS before the boards and after (KiB).
    memory: Vec<(String, usize, u64, u64)>,
    /// After one district broker's restart: boards back online, of how many, and when the
    /// last one was.
    resync: Option<(usize, usize, Duration)>,
}

fn rss_kib(pid: u32) -> u64 {
    crate::board::proc_field(&format!("/proc/{pid}/status"), "VmRSS:")
}

/// utime + stime of a process, in seconds.
fn cpu_s(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces), from field 3 on.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    // utime and stime are fields 14 and 15: 11 and 12 after the name.
    (f.get(11).unwrap_or(&0.0) + f.get(12).unwrap_or(&0.0)) / 100.0
}

fn run(boards: usize, districts: usize) -> RunResult {
    let root = bangtin_testkit::temp_dir(&format!("fleet-{boards}"));
    let mut net = if districts == 0 {
        single(&root, boards)
    } else {
        hierarchy(&root, boards, districts)
    };
    let rss_before: Vec<u64> = net.brokers.iter().map(|m| rss_kib(m.pid())).collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let t0 = Instant::now();
    {
        let _guard = rt.enter();
        for (i, b) in net.boards.iter().enumerate() {
            spawn_board(&root, b, i as u64);
            // Boards come up over a few seconds, as a real fleet does after a broker restart
            // (their back-off jitter), not all in the same millisecond.
            if i % 50 == 49 {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
    // Connected and subscribed: each board's status says so (the reporter publishes it at
    // every connection).
    let all: HashSet<String> = net.boards.iter().map(|b| b.id.clone()).collect();
    let online = rt.block_on(wait_online(
        &net.watch,
        &all,
        Duration::from_secs(300),
        None,
    ));
    assert_eq!(
        online, boards,
        "only {online} of {boards} boards came online"
    );
    let connect = t0.elapsed();
    // Let the first status messages drain.
    std::thread::sleep(Duration::from_secs(2));
    let memory = net
        .brokers
        .iter()
        .zip(&rss_before)
        .enumerate()
        .map(|(i, (m, before))| {
            let name = if districts == 0 {
                "district".to_owned()
            } else if i == 0 {
                "province".to_owned()
            } else {
                format!("district {i}")
            };
            let on = net.boards.iter().filter(|b| b.login.port == m.port).count();
            (name, on, *before, rss_kib(m.pid()))
        })
        .collect();
    let pids: Vec<String> = net.brokers.iter().map(|m| m.pid().to_string()).collect();
    let brokers_cpu = || pids.iter().map(|p| cpu_s(p)).sum::<f64>();
    let (me0, them0) = (cpu_s("self"), brokers_cpu());
    let (latencies, acked) = rt.block_on(alert_round(&net.staff, &net.alert_topic, boards));
    let cpu = (cpu_s("self") - me0, brokers_cpu() - them0);
    let resync = (districts > 0).then(|| {
        let port = net.brokers[1].port;
        let mine: HashSet<String> = net
            .boards
            .iter()
            .filter(|b| b.login.port == port)
            .map(|b| b.id.clone())
            .collect();
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
        let watch = net.watch.clone();
        let want = mine.clone();
        let back = rt.spawn(async move {
            wait_online(&watch, &want, Duration::from_secs(300), Some(ready_tx)).await
        });
        let _ = rt.block_on(ready_rx);
        let t = Instant::now();
        net.brokers[1].stop();
        net.brokers[1].start_again();
        let n = rt.block_on(back).unwrap_or(0);
        (n, mine.len(), t.elapsed())
    });
    drop(rt);
    RunResult {
        boards,
        acked,
        latencies,
        connect,
        cpu,
        memory,
        resync,
    }
}

/// Waits until every board of `boards` has said it is online; returns how many did. With
/// `ready`, the statuses already retained are skipped: only boards that come online again
/// after `ready` is signalled count.
pub(crate) async fn wait_online(
    at: &Login,
    boards: &HashSet<String>,
    within: Duration,
    ready: Option<tokio::sync::oneshot::Sender<()>>,
) -> usize {
    let (client, mut eventloop) = AsyncClient::new(at.options("fleet-watch"), 64);
    client
        .subscribe("bangtin/v1/board/+/status", QoS::AtLeastOnce)
        .await
        .unwrap();
    if let Some(ready) = ready {
        // The retained statuses come at once; a quiet second means they are all in.
        while let Ok(Ok(_)) = tokio::time::timeout(Duration::from_secs(1), eventloop.poll()).await {
        }
        let _ = ready.send(());
    }
    let mut online = HashSet::new();
    let deadline = tokio::time::Instant::now() + within;
    while online.len() < boards.len() {
        match tokio::time::timeout_at(deadline, eventloop.poll()).await {
            Err(_) | Ok(Err(_)) => break,
            Ok(Ok(Event::Incoming(Packet::Publish(p)))) => {
                let v: serde_json::Value = serde_json::from_slice(&p.payload).unwrap_or_default();
                let id = v["board"].as_str().unwrap_or_default();
                if v["online"] == true && boards.contains(id) {
                    online.insert(id.to_owned());
                }
            }
            Ok(Ok(_)) => {}
        }
    }
    let _ = client.disconnect().await;
    online.len()
}

/// Publishes one extreme alert on `topic` and times each board's ack with `shown_at`.
async fn alert_round(at: &Login, topic: &str, boards: usize) -> (Vec<Duration>, usize) {
    let (client, mut eventloop) = AsyncClient::new(at.options("fleet-staff"), 64);
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
        topic,
        seq,
        at,
        Payload::Alert(alert),
    );
    let sent = Instant::now();
    client
        .publish(topic, QoS::AtLeastOnce, true, envelope)
        .await
        .unwrap();
    let mut shown: HashMap<String, Duration> = HashMap::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while shown.len() < boards {
        match tokio::time::timeout_at(deadline, eventloop.poll()).await {
            Err(_) => break,
            Ok(Err(e)) => panic!("the staff connection: {e}"),
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
    let districts: usize = arg("--districts").map_or(0, |s| s.parse().expect("--districts D"));
    if districts == 0 {
        println!("fleet: one district alert, ack with shown_at per board (Mosquitto, loopback)");
    } else {
        println!(
            "fleet: one province alert through {districts} district brokers bridged to the \
             province (bangtin broker-config, per-board credentials and ACLs; Mosquitto, \
             loopback), ack with shown_at per board back at the province"
        );
    }
    println!("| boards | acked | p50 ms | p90 ms | p99 ms | max ms | all connected in | CPU during the alert: simulation / brokers |");
    println!("|---|---|---|---|---|---|---|---|");
    let mut details = Vec::new();
    for &n in &sizes {
        for _ in 0..runs {
            let r = run(n, districts);
            println!(
                "| {} | {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.1} s | {:.2} s / {:.2} s |",
                r.boards,
                r.acked,
                pct(&r.latencies, 0.50),
                pct(&r.latencies, 0.90),
                pct(&r.latencies, 0.99),
                pct(&r.latencies, 1.0),
                r.connect.as_secs_f64(),
                r.cpu.0,
                r.cpu.1
            );
            for (name, on, before, after) in &r.memory {
                let per = if *on > 0 {
                    format!(
                        ", {:.1} KiB per board connection",
                        after.saturating_sub(*before) as f64 / *on as f64
                    )
                } else {
                    String::new()
                };
                let with = if *on > 0 {
                    format!("{on} boards")
                } else {
                    "the bridges and the staff's connections".to_owned()
                };
                details.push(format!(
                    "{} boards: {name} broker RSS {:.1} MiB idle, {:.1} MiB with {with}{per}",
                    r.boards,
                    *before as f64 / 1024.0,
                    *after as f64 / 1024.0
                ));
            }
            if let Some((back, of, t)) = r.resync {
                details.push(format!(
                    "{} boards: district 1's broker restarted (stop, start): {back} of its {of} \
                     boards online again at the province {:.1} s after the stop",
                    r.boards,
                    t.as_secs_f64()
                ));
            }
        }
    }
    for d in details {
        println!("{d}");
    }
}
