//! Content sync against real brokers over TCP: the embedded rumqttd and Mosquitto.
//!
//! A board state in a temporary store, the real sync task, and messages signed and published
//! the way staff publish them. Every refusal must leave the content exactly as it was.

use bangtin_board::storage::{Storage, MARKS};
use bangtin_board::sync::report::{self, Live, Report};
use bangtin_board::sync::{
    self, AssetEvent, Backoff, Change, ContentSet, Delivery, Events, Ingest, Network,
};
use bangtin_board::BoardEvent;
use bangtin_config as config;
use bangtin_protocol::content::{self, Payload};
use bangtin_protocol::trust::{self, TrustStore};
use bangtin_staff::keys as publish;
use bangtin_store::{self as store, PlayedLog};
use ed25519_dalek::SigningKey;
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

use bangtin_testkit::{embedded_broker, free_port, temp_dir, Mosquitto};

const DISTRICT: &str = "bangtin/v1/content/vn/ha-noi/dong-anh";
const COMMUNE: &str = "bangtin/v1/content/vn/ha-noi/dong-anh/xuan-non";
const PROVINCE: &str = "bangtin/v1/content/vn/ha-noi";
const BOARD: &str = "bangtin/v1/content/board/xuan-non-01";
const ALERT_COMMUNE: &str = "bangtin/v1/alert/vn/ha-noi/dong-anh/xuan-non";

fn key(n: u8) -> SigningKey {
    SigningKey::from_bytes(&[n; 32])
}

fn public(n: u8) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(key(n).verifying_key().as_bytes())
}

fn board_config(port: u16, store: &Path) -> config::Config {
    let text = format!(
        r#"
[board]
id = "xuan-non-01"
area = "vn/ha-noi/dong-anh/xuan-non"
name = "UBND xã Xuân Nộn"

[broker]
url = "mqtt://127.0.0.1:{port}"
keep_alive_s = 5

[[trust]]
key = "tinh-ha-noi"
public = "{p5}"
scopes = ["vn/ha-noi"]
alerts = true

[[trust]]
key = "huyen-dong-anh"
public = "{p1}"
scopes = ["vn/ha-noi/dong-anh"]
alerts = true

[[trust]]
key = "xa-xuan-non"
public = "{p2}"
scopes = ["vn/ha-noi/dong-anh/xuan-non"]
alerts = false

[[trust]]
key = "ky-thuat"
public = "{p3}"
scopes = ["board/xuan-non-01"]

[store]
dir = "{store}"
"#,
        p1 = public(1),
        p2 = public(2),
        p3 = public(3),
        p5 = public(5),
        store = store.display()
    );
    config::parse(&text, "board.toml").unwrap_or_else(|e| panic!("test config: {e}"))
}

/// The board's content state as a fresh start would open it from the store.
fn open_state(config: &config::Config) -> Ingest {
    let store = store::Store::open(&config.store.dir, config.store.max_bytes).unwrap();
    let trust = TrustStore::new(config.trust.clone(), config.revoked.clone());
    let marks = store.state(MARKS).unwrap();
    let (ingest, _) = Ingest::open(
        config.identity(),
        trust,
        marks.as_deref(),
        store.envelopes().unwrap(),
        |t| store.envelope_path(t),
    );
    ingest
}

/// Takes a message in the way the network task does: checked, stored with its marks, applied.
fn ingest_into(ingest: &mut Ingest, config: &config::Config, topic: &str, payload: &[u8]) {
    let store = store::Store::open(&config.store.dir, config.store.max_bytes).unwrap();
    let accepted = ingest.check(topic, payload).unwrap();
    ingest.accept(&accepted);
    store.put_envelope(topic, payload).unwrap();
    store.put_state(MARKS, &ingest.marks_json()).unwrap();
}

fn ticker_channel(texts: &[&str]) -> Payload {
    let items: Vec<String> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| format!(r#"{{"id": "t{i}", "type": "ticker", "text": "{t}"}}"#))
        .collect();
    Payload::Channel(
        content::parse_channel(format!(r#"{{"items": [{}]}}"#, items.join(",")).as_bytes())
            .unwrap(),
    )
}

fn signed(key_id: &str, n: u8, topic: &str, seq: u64, payload: Payload) -> Vec<u8> {
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-24T08:00:00+07:00").unwrap();
    publish::envelope(key_id, &key(n), topic, seq, at, payload)
}

async fn send(port: u16, topic: &str, payload: Vec<u8>) {
    let broker =
        bangtin_staff::BrokerSpec::new(&format!("mqtt://127.0.0.1:{port}"), "bangtin/v1").unwrap();
    let options = broker.options("test", None).unwrap();
    bangtin_staff::net::publish_once(options, topic, payload, true, Duration::from_secs(5))
        .await
        .unwrap_or_else(|e| panic!("publishing to {topic}: {e}"));
}

/// What a test sees of the network task: what it tells the reporter and the board's thread.
#[derive(Debug, Clone, PartialEq)]
enum Seen {
    Connected,
    Disconnected { attempt: u32, retry_in: Duration },
    Content(Change),
    Rejected { topic: String, reason: String },
    Asset(AssetEvent),
    Other,
}

/// The real network task of a board, with its store, storage thread and asset fetcher.
struct Running {
    events: mpsc::UnboundedReceiver<Delivery>,
    reports: mpsc::Receiver<Report>,
    /// The content as last sent to the board's thread.
    content: Arc<ContentSet>,
    storage: Storage,
    handle: sync::SyncHandle,
}

fn start(config: &config::Config, backoff: Backoff) -> Running {
    start_fetching(config, backoff, false)
}

fn start_fetching(config: &config::Config, backoff: Backoff, fetch: bool) -> Running {
    let ingest = open_state(config);
    let content = ingest.content().clone();
    let store = Arc::new(store::Store::open(&config.store.dir, config.store.max_bytes).unwrap());
    let storage = Storage::start(store.clone(), PlayedLog::open(store).unwrap()).unwrap();
    let (tx, events) = mpsc::unbounded_channel();
    let events_out = Events::new(Arc::new(move |d| {
        let _ = tx.send(d);
    }));
    let (reports, reports_rx) = report::channel();
    let fetcher = fetch.then(|| {
        sync::AssetFetcher::new(
            storage.clone(),
            sync::assets::Limits {
                max_bytes: 1 << 20,
                timeout: Duration::from_secs(5),
            },
            2,
            events_out.clone(),
        )
    });
    let network = Network {
        ingest,
        storage: storage.clone(),
        events: events_out,
        reports,
        live: Arc::new(Live::default()),
        fetcher,
        backoff,
        timezone: config.board.timezone,
        channels: tokio::sync::watch::channel(serde_json::Map::new()).0,
    };
    let (handle, _client) = sync::spawn(sync::mqtt_options(config).unwrap(), network);
    Running {
        events,
        reports: reports_rx,
        content,
        storage,
        handle,
    }
}

fn fast_backoff() -> Backoff {
    Backoff::new(Duration::from_millis(200), Duration::from_secs(2), 7)
}

impl Running {
    async fn next(&mut self) -> Option<Seen> {
        tokio::select! {
            d = self.events.recv() => {
                let d = d?;
                Some(match d.event {
                    BoardEvent::Content { change, content } => {
                        self.content = content;
                        Seen::Content(change)
                    }
                    BoardEvent::Asset(a) => Seen::Asset(a),
                    _ => Seen::Other,
                })
            }
            r = self.reports.recv() => Some(match r? {
                Report::Connected => Seen::Connected,
                Report::Disconnected { attempt, retry_in } => Seen::Disconnected { attempt, retry_in },
                Report::Rejected { topic, reason } => Seen::Rejected { topic, reason },
                _ => Seen::Other,
            }),
        }
    }

    /// Waits for the first thing `pred` accepts, failing the test after `secs`.
    async fn wait(&mut self, secs: u64, what: &str, mut pred: impl FnMut(&Seen) -> bool) -> Seen {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            match tokio::time::timeout_at(deadline, self.next()).await {
                Ok(Some(e)) if pred(&e) => return e,
                Ok(Some(_)) => {}
                Ok(None) => panic!("the network task ended while waiting for {what}"),
                Err(_) => panic!("timed out after {secs} s waiting for {what}"),
            }
        }
    }

    fn texts(&self) -> Vec<String> {
        self.content
            .items()
            .into_iter()
            .map(|(_, item)| match &item.kind {
                content::ItemKind::Ticker { text } => text.clone(),
                other => format!("{other:?}"),
            })
            .collect()
    }
}

fn changed(topic: &str) -> impl FnMut(&Seen) -> bool + '_ {
    move |e| matches!(e, Seen::Content(Change::Channel { topic: t, .. } | Change::Alert { topic: t, .. }) if t == topic)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channels_from_every_area_level_merge_update_and_clear() {
    let port = embedded_broker();
    let dir = temp_dir("merge");
    let config = board_config(port, &dir);
    let mut board = start(&config, fast_backoff());
    board
        .wait(10, "the first connection", |e| *e == Seen::Connected)
        .await;

    send(
        port,
        BOARD,
        signed("ky-thuat", 3, BOARD, 1, ticker_channel(&["bảng"])),
    )
    .await;
    send(
        port,
        COMMUNE,
        signed("xa-xuan-non", 2, COMMUNE, 1, ticker_channel(&["xã"])),
    )
    .await;
    send(
        port,
        DISTRICT,
        signed(
            "huyen-dong-anh",
            1,
            DISTRICT,
            1,
            ticker_channel(&["huyện 1", "huyện 2"]),
        ),
    )
    .await;
    send(
        port,
        PROVINCE,
        signed("tinh-ha-noi", 5, PROVINCE, 1, ticker_channel(&["tỉnh"])),
    )
    .await;
    board
        .wait(10, "the province channel", changed(PROVINCE))
        .await;
    // Widest area first, the board's own channel last.
    assert_eq!(board.texts(), ["tỉnh", "huyện 1", "huyện 2", "xã", "bảng"]);

    // An update replaces that channel only.
    send(
        port,
        DISTRICT,
        signed(
            "huyen-dong-anh",
            1,
            DISTRICT,
            2,
            ticker_channel(&["huyện mới"]),
        ),
    )
    .await;
    board
        .wait(10, "the district update", changed(DISTRICT))
        .await;
    assert_eq!(board.texts(), ["tỉnh", "huyện mới", "xã", "bảng"]);

    // A signed empty channel clears it.
    send(
        port,
        COMMUNE,
        signed("xa-xuan-non", 2, COMMUNE, 2, ticker_channel(&[])),
    )
    .await;
    board.wait(10, "the commune clear", changed(COMMUNE)).await;
    assert_eq!(board.texts(), ["tỉnh", "huyện mới", "bảng"]);

    // What was accepted is in the store: a fresh state from it has the same content.
    let reopened = open_state(&config);
    assert_eq!(**reopened.content(), *board.content);
    board.handle.task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_messages_change_nothing_and_say_why() {
    let port = embedded_broker();
    let dir = temp_dir("reject");
    let config = board_config(port, &dir);
    let mut board = start(&config, fast_backoff());
    board
        .wait(10, "the first connection", |e| *e == Seen::Connected)
        .await;
    send(
        port,
        DISTRICT,
        signed("huyen-dong-anh", 1, DISTRICT, 10, ticker_channel(&["đúng"])),
    )
    .await;
    board.wait(10, "the good channel", changed(DISTRICT)).await;
    let good = board.content.clone();

    let alert = Payload::Alert(
        content::parse_alert(
            r#"{"id": "bao", "status": "actual", "severity": "extreme", "headline": "BÃO"}"#
                .as_bytes(),
        )
        .unwrap(),
    );
    let mut tampered: serde_json::Value = serde_json::from_slice(&signed(
        "huyen-dong-anh",
        1,
        DISTRICT,
        11,
        ticker_channel(&["thật"]),
    ))
    .unwrap();
    tampered["body"] = tampered["body"]
        .as_str()
        .unwrap()
        .replace("thật", "giả")
        .into();
    let cases: Vec<(&str, &str, Vec<u8>, &str)> = vec![
        (
            "bad signature",
            DISTRICT,
            serde_json::to_vec(&tampered).unwrap(),
            "signature does not verify",
        ),
        (
            "unknown key",
            DISTRICT,
            signed("la-mat", 9, DISTRICT, 11, ticker_channel(&["x"])),
            "not in this board's trust store",
        ),
        (
            "key out of scope",
            DISTRICT,
            signed("xa-xuan-non", 2, DISTRICT, 11, ticker_channel(&["x"])),
            "may publish to",
        ),
        (
            "alert without the right",
            ALERT_COMMUNE,
            signed("xa-xuan-non", 2, ALERT_COMMUNE, 1, alert),
            "no right to send alerts",
        ),
        (
            "topic mismatch",
            DISTRICT,
            signed("huyen-dong-anh", 1, COMMUNE, 11, ticker_channel(&["x"])),
            "is not the topic it arrived on",
        ),
        (
            "replayed lower seq",
            DISTRICT,
            signed("huyen-dong-anh", 1, DISTRICT, 9, ticker_channel(&["cũ"])),
            "replayed or out of order",
        ),
        (
            "same seq, other body",
            DISTRICT,
            signed("huyen-dong-anh", 1, DISTRICT, 10, ticker_channel(&["khác"])),
            "already used",
        ),
        (
            "oversized",
            DISTRICT,
            vec![b'{'; 1024 * 1024 + 10],
            "over the limit",
        ),
        (
            "malformed JSON",
            DISTRICT,
            b"{\"v\": 1, \"key\": ".to_vec(),
            "not a valid envelope",
        ),
        ("unsigned retained clear", DISTRICT, Vec::new(), "unsigned"),
    ];
    for (name, topic, payload, reason) in cases {
        send(port, topic, payload).await;
        let e = board
            .wait(10, name, |e| {
                matches!(e, Seen::Rejected { .. } | Seen::Content(_))
            })
            .await;
        match e {
            Seen::Rejected {
                topic: t,
                reason: r,
            } => {
                assert_eq!(t, topic, "{name}");
                assert!(r.contains(reason), "{name}: reason {r:?} lacks {reason:?}");
            }
            other => panic!("{name} was accepted: {other:?}"),
        }
        assert_eq!(board.content, good, "{name} changed the content");
    }
    // And none of it reached the store.
    assert_eq!(open_state(&config).content(), &good);
    board.handle.task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retained_envelope_published_by_mosquitto_pub_is_accepted() {
    let dir = temp_dir("mosq-pub");
    let _broker = Mosquitto::start(&dir);
    let port = _broker.port;
    let file = dir.join("envelope.json");
    std::fs::write(
        &file,
        signed(
            "huyen-dong-anh",
            1,
            DISTRICT,
            3,
            ticker_channel(&["từ mosquitto_pub"]),
        ),
    )
    .unwrap();
    let status = Command::new("mosquitto_pub")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-q",
            "1",
            "-r",
            "-t",
            DISTRICT,
            "-f",
        ])
        .arg(&file)
        .status()
        .expect("mosquitto_pub runs (apt-get install mosquitto-clients)");
    assert!(status.success());
    // The board connects after the fact and gets the retained message.
    let config = board_config(port, &dir.join("store"));
    let mut board = start(&config, fast_backoff());
    board
        .wait(10, "the retained channel", changed(DISTRICT))
        .await;
    assert_eq!(board.texts(), ["từ mosquitto_pub"]);
    board.handle.task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broker_killed_content_kept_reconnects_with_backoff_and_resyncs() {
    let dir = temp_dir("mosq-kill");
    let mut broker = Mosquitto::start(&dir);
    let port = broker.port;
    let config = board_config(port, &dir.join("store"));
    let mut board = start(&config, fast_backoff());
    board
        .wait(10, "the first connection", |e| *e == Seen::Connected)
        .await;
    send(
        port,
        DISTRICT,
        signed("huyen-dong-anh", 1, DISTRICT, 1, ticker_channel(&["trước"])),
    )
    .await;
    board.wait(10, "the first channel", changed(DISTRICT)).await;

    broker.kill();
    // Three failed tries in a row, each waiting longer than the one before (within jitter).
    let mut waits = Vec::new();
    while waits.len() < 3 {
        if let Seen::Disconnected { attempt, retry_in } = board
            .wait(15, "a failed reconnect", |e| {
                matches!(e, Seen::Disconnected { .. })
            })
            .await
        {
            waits.push((attempt, retry_in));
        }
    }
    assert_eq!(waits.iter().map(|w| w.0).collect::<Vec<_>>(), [1, 2, 3]);
    assert!(waits[2].1 > waits[0].1, "back-off grows: {waits:?}");
    assert_eq!(
        board.texts(),
        ["trước"],
        "content kept while the broker is down"
    );

    broker.restart();
    board
        .wait(15, "the reconnection", |e| *e == Seen::Connected)
        .await;
    send(
        port,
        DISTRICT,
        signed("huyen-dong-anh", 1, DISTRICT, 2, ticker_channel(&["sau"])),
    )
    .await;
    board
        .wait(10, "the channel after the restart", changed(DISTRICT))
        .await;
    assert_eq!(board.texts(), ["sau"]);
    board.handle.task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_board_restarted_with_the_broker_down_shows_its_cache_at_once() {
    let port = embedded_broker();
    let dir = temp_dir("offline");
    let config = board_config(port, &dir);
    let mut board = start(&config, fast_backoff());
    send(
        port,
        COMMUNE,
        signed("xa-xuan-non", 2, COMMUNE, 5, ticker_channel(&["đã lưu"])),
    )
    .await;
    board.wait(10, "the channel", changed(COMMUNE)).await;
    board.handle.task.abort();

    // The same store, a broker address where nothing listens.
    let offline = board_config(free_port(), &dir);
    let t0 = Instant::now();
    let state = open_state(&offline);
    let opened_in = t0.elapsed();
    let texts: Vec<String> = state
        .content()
        .items()
        .iter()
        .map(|(_, i)| format!("{:?}", i.kind))
        .collect();
    assert_eq!(texts.len(), 1);
    assert!(texts[0].contains("đã lưu"));
    eprintln!("content set ready from the cache in {opened_in:?}, no network needed");
    // Running the sync against the dead address keeps it.
    let mut board = start(&offline, fast_backoff());
    board
        .wait(10, "a failed connection", |e| {
            matches!(e, Seen::Disconnected { .. })
        })
        .await;
    assert_eq!(board.texts(), ["đã lưu"]);
    // The seq marks came back too: the old message replayed is refused.
    let replay = signed("xa-xuan-non", 2, COMMUNE, 4, ticker_channel(&["cũ"]));
    let err = open_state(&offline).check(COMMUNE, &replay).unwrap_err();
    assert!(err.to_string().contains("replayed"), "{err}");
    board.handle.task.abort();
}

#[test]
fn a_revoked_key_loses_its_cached_content_at_the_next_start() {
    let dir = temp_dir("revoke");
    let config = board_config(1, &dir);
    let mut state = open_state(&config);
    ingest_into(
        &mut state,
        &config,
        COMMUNE,
        &signed("xa-xuan-non", 2, COMMUNE, 1, ticker_channel(&["xã"])),
    );
    ingest_into(
        &mut state,
        &config,
        DISTRICT,
        &signed("huyen-dong-anh", 1, DISTRICT, 1, ticker_channel(&["huyện"])),
    );
    drop(state);
    let mut config = board_config(1, &dir);
    config.revoked.push("xa-xuan-non".into());
    let state = open_state(&config);
    let topics: Vec<&str> = state
        .content()
        .channels
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(topics, [DISTRICT]);
    // Its messages are refused from now on too.
    let err = state
        .check(
            COMMUNE,
            &signed("xa-xuan-non", 2, COMMUNE, 2, ticker_channel(&["xã"])),
        )
        .unwrap_err();
    assert!(err.to_string().contains("revoked"), "{err}");
}

/// Serves `body` at every path over HTTP/1.1 on a free loopback port.
fn serve_file(body: Vec<u8>) -> String {
    use std::io::{BufRead as _, Write as _};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 2 {
                line.clear();
            }
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        }
    });
    base
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_item_waits_for_its_image_and_the_image_is_stored_by_hash() {
    use sha2::Digest as _;
    let img = image::RgbaImage::from_pixel(64, 48, image::Rgba([20, 120, 200, 255]));
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let sha = hex::encode(sha2::Sha256::digest(&png));
    let base = serve_file(png.clone());

    let port = embedded_broker();
    let dir = temp_dir("assets");
    let config = board_config(port, &dir);
    let mut board = start_fetching(&config, fast_backoff(), true);
    let store = store::Store::open(&config.store.dir, config.store.max_bytes).unwrap();
    let channel = content::parse_channel(
        format!(
            r#"{{"items": [
                {{"id": "anh", "type": "image", "image": {{"url": "{base}/anh.png", "sha256": "{sha}", "bytes": {}}}}},
                {{"id": "chu", "type": "announcement", "title": "Chỉ có chữ"}}
            ]}}"#,
            png.len()
        )
        .as_bytes(),
    )
    .unwrap();
    send(
        port,
        COMMUNE,
        signed("xa-xuan-non", 2, COMMUNE, 1, Payload::Channel(channel)),
    )
    .await;
    board.wait(10, "the channel", changed(COMMUNE)).await;
    // The item with the picture is in the content; the picture comes by itself, checked
    // against its hash and stored under it.
    assert_eq!(board.content.items().len(), 2);
    let event = board
        .wait(10, "the picture", |e| matches!(e, Seen::Asset(_)))
        .await;
    assert_eq!(
        event,
        Seen::Asset(AssetEvent::Ready {
            sha256: sha.clone()
        })
    );
    assert_eq!(store.asset(&sha), Some(png));
    board.handle.task.abort();
}

fn bangtin_cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_bangtin"))
        .args(args)
        .output()
        .expect("bangtin runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keygen_then_publish_from_the_command_line_reaches_a_board() {
    let port = embedded_broker();
    let dir = temp_dir("cli");
    let name = dir.join("huyen-dong-anh");
    let out = bangtin_cli(&["keygen", "--out", name.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let public = std::fs::read_to_string(dir.join("huyen-dong-anh.pub")).unwrap();
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.join("huyen-dong-anh.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the secret key is private to its owner");
    }
    // Keygen never overwrites a key, and refuses a name that cannot be a key id.
    let again = bangtin_cli(&["keygen", "--out", name.to_str().unwrap()]);
    assert_eq!(
        again.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let bad = bangtin_cli(&[
        "keygen",
        "--out",
        dir.join("Huyện Đông Anh").to_str().unwrap(),
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(!dir.join("Huyện Đông Anh.key").exists());

    // A board that trusts the new key for the district.
    let mut config = board_config(port, &dir.join("store"));
    config.trust.push(trust::TrustedKey {
        id: "huyen-dong-anh-2".into(),
        public: trust::parse_public_key(public.trim()).unwrap(),
        scopes: vec![trust::Scope::parse("vn/ha-noi/dong-anh").unwrap()],
        alerts: true,
    });
    let mut board = start(&config, fast_backoff());
    board
        .wait(10, "the first connection", |e| *e == Seen::Connected)
        .await;

    let key = dir.join("huyen-dong-anh.key");
    let mut seqs = Vec::new();
    for file in [
        "examples/xa-xuan-non.channel.json",
        "examples/xa-xuan-non.channel.json",
    ] {
        let out = bangtin_cli(&[
            "publish",
            "--key",
            key.to_str().unwrap(),
            "--key-id",
            "huyen-dong-anh-2",
            "--topic",
            DISTRICT,
            "--broker",
            &format!("mqtt://127.0.0.1:{port}"),
            "--wait",
            "0",
            "--lang",
            "en",
            &format!("{}/{file}", env!("CARGO_MANIFEST_DIR")),
        ]);
        let said = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "{said}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // "Sent to TOPIC (seq N)."
        let seq: u64 = said
            .split("(seq ")
            .nth(1)
            .and_then(|rest| rest.split(')').next())
            .unwrap_or_else(|| panic!("no seq in {said:?}"))
            .parse()
            .unwrap();
        seqs.push(seq);
        board
            .wait(10, "the published channel", changed(DISTRICT))
            .await;
    }
    assert!(
        seqs[1] > seqs[0],
        "seq always increases for a key and topic: {seqs:?}"
    );
    assert_eq!(board.content.channels[DISTRICT].channel.items.len(), 8);

    // A channel file on an alert topic, and broken content, are refused before sending.
    let out = bangtin_cli(&[
        "publish",
        "--key",
        key.to_str().unwrap(),
        "--topic",
        ALERT_COMMUNE,
        "--broker",
        "mqtt://127.0.0.1:1",
        &format!(
            "{}/examples/xa-xuan-non.channel.json",
            env!("CARGO_MANIFEST_DIR")
        ),
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = bangtin_cli(&[
        "publish",
        "--key",
        key.to_str().unwrap(),
        "--topic",
        DISTRICT,
        "--broker",
        "mqtt://127.0.0.1:1",
        &format!(
            "{}/examples/bad/duration-out-of-range.json",
            env!("CARGO_MANIFEST_DIR")
        ),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("items[0].duration_s"));
    // No broker: a runtime failure, exit 1, said plainly.
    let out = bangtin_cli(&[
        "publish",
        "--key",
        key.to_str().unwrap(),
        "--topic",
        DISTRICT,
        "--broker",
        &format!("mqtt://127.0.0.1:{}", free_port()),
        &format!(
            "{}/examples/xa-xuan-non.channel.json",
            env!("CARGO_MANIFEST_DIR")
        ),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    board.handle.task.abort();
}

#[test]
fn check_config_reports_ok_or_every_problem() {
    let fixtures = format!("{}/tests/fixtures/config", env!("CARGO_MANIFEST_DIR"));
    let out = bangtin_cli(&["check", "--config", &format!("{fixtures}/board.toml")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(": OK, board"));
    let out = bangtin_cli(&[
        "check",
        "--config",
        &format!("{fixtures}/many-mistakes.toml"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.lines()
            .filter(|l| l.contains("many-mistakes.toml:"))
            .count()
            > 10,
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn images_no_item_shows_are_evicted_when_the_store_is_over_budget() {
    use sha2::Digest as _;
    let port = embedded_broker();
    let dir = temp_dir("evict");
    let mut config = board_config(port, &dir);
    config.store.max_bytes = 64 * 1024;
    let store = store::Store::open(&config.store.dir, config.store.max_bytes).unwrap();
    let blobs: Vec<Vec<u8>> = (0..4u8).map(|i| vec![i; 30 * 1024]).collect();
    let shas: Vec<String> = blobs
        .iter()
        .map(|b| hex::encode(sha2::Sha256::digest(b)))
        .collect();
    for (b, s) in blobs.iter().zip(&shas) {
        store.put_asset(s, b).unwrap();
    }
    let mut board = start(&config, fast_backoff());
    board
        .wait(10, "the first connection", |e| *e == Seen::Connected)
        .await;
    let channel = content::parse_channel(
        format!(
            r#"{{"items": [{{"id": "a", "type": "image", "image": {{"url": "https://x.example/a.png", "sha256": "{}", "bytes": 30720}}}}]}}"#,
            shas[2]
        )
        .as_bytes(),
    )
    .unwrap();
    send(
        port,
        COMMUNE,
        signed("xa-xuan-non", 2, COMMUNE, 1, Payload::Channel(channel)),
    )
    .await;
    board.wait(10, "the channel", changed(COMMUNE)).await;
    // The storage thread takes commands in order: once it answers this, the eviction is done.
    board
        .storage
        .ask(|reply| bangtin_board::storage::Command::Figures { reply })
        .await
        .unwrap();
    assert!(store.has_asset(&shas[2]), "the image an item shows is kept");
    assert!(
        store.size_bytes() <= 64 * 1024,
        "back within budget: {}",
        store.size_bytes()
    );
    assert_eq!(shas.iter().filter(|s| store.has_asset(s)).count(), 2);
    board.handle.task.abort();
}

/// A CA and a server certificate for localhost, made with the openssl command line.
pub(crate) fn make_certs(dir: &Path) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl runs (apt-get install openssl)");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "2",
        "-subj",
        "/CN=bangtin test CA",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ]);
    std::fs::write(
        dir.join("san.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.crt",
        "-days",
        "2",
        "-extfile",
        "san.ext",
    ]);
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "other.key",
        "-out",
        "other-ca.crt",
        "-days",
        "2",
        "-subj",
        "/CN=someone else",
    ]);
    // Mosquitto started as root drops to its own user: let it read these throwaway keys.
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(
        dir.join("server.key"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mqtts_with_the_provinces_ca_connects_and_a_stranger_ca_does_not() {
    sync::install_crypto_provider();
    let dir = temp_dir("tls");
    make_certs(&dir);
    // The testkit's Mosquitto, its listener with the province's certificate.
    let d = dir.display();
    let mut broker = Mosquitto::with_config(
        &dir,
        &format!("cafile {d}/ca.crt\ncertfile {d}/server.crt\nkeyfile {d}/server.key"),
    );
    let port = broker.port;
    let tls_config = |ca: &str| {
        let mut c = board_config(port, &dir.join(format!("store-{ca}")));
        c.broker.url.tls = true;
        c.broker.url.host = "localhost".into();
        c.broker.ca_file = Some(dir.join(ca));
        c
    };
    let mut good = start(&tls_config("ca.crt"), fast_backoff());
    good.wait(10, "a TLS connection", |e| *e == Seen::Connected)
        .await;
    let mut stranger = start(&tls_config("other-ca.crt"), fast_backoff());
    let e = stranger
        .wait(10, "a refused TLS connection", |e| {
            matches!(e, Seen::Disconnected { .. } | Seen::Connected)
        })
        .await;
    assert!(
        matches!(e, Seen::Disconnected { .. }),
        "a broker whose certificate our CA did not sign is refused: {e:?}"
    );
    good.handle.task.abort();
    stranger.handle.task.abort();
    // Staff tools too: `--broker mqtts://` with the province's CA connects; with another CA it
    // is refused and says why (so passwords never go to a broker that is not the province's).
    let fleet = |ca: &str| {
        Command::new(env!("CARGO_BIN_EXE_bangtin"))
            .args(["fleet", "--json", "--lang", "en", "--broker"])
            .arg(format!("mqtts://localhost:{port}"))
            .arg("--ca-file")
            .arg(dir.join(ca))
            .output()
            .expect("bangtin runs")
    };
    let out = fleet("ca.crt");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "staff over TLS: {said}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("fleet --json");
    // What the board that connected over TLS left there (its last will, once stopped).
    assert_eq!(json["boards"][0]["board"], "xuan-non-01", "{json}");
    let out = fleet("other-ca.crt");
    let said = String::from_utf8_lossy(&out.stderr).to_lowercase();
    assert!(
        !out.status.success(),
        "a stranger's broker accepted: {said}"
    );
    assert!(said.contains("certificate"), "says why: {said}");
    broker.kill();
}

#[test]
fn the_newest_issued_at_is_known_from_the_cache_and_from_new_messages() {
    let dir = temp_dir("newest-issued");
    let config = board_config(free_port(), &dir.join("store"));
    let mut state = open_state(&config);
    assert!(state.content().newest_issued_at.is_none());
    ingest_into(
        &mut state,
        &config,
        COMMUNE,
        &signed("xa-xuan-non", 2, COMMUNE, 1, ticker_channel(&["một"])),
    );
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-24T08:00:00+07:00").unwrap();
    assert_eq!(state.content().newest_issued_at, Some(at));
    // A board started from that cache knows it before any network: its clock cannot be
    // trusted while it reads earlier than that.
    drop(state);
    let state = open_state(&config);
    assert_eq!(state.content().newest_issued_at, Some(at));
}
