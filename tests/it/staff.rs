//! District staff and their boards, end to end: real brokers (embedded rumqttd, Mosquitto),
//! headless `bangtin run` boards, and the `bangtin` staff commands as officers run them.

use bangtin_testkit::board::{self, key, share, write_config, Board, EXTREME, IDLE, PAPER};
use bangtin_testkit::{embedded_broker, free_port, temp_dir, Mosquitto};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub(crate) const PREFIX: &str = "bangtin/v1";

/// Everything published under `filter`, as it arrives (a subscriber on its own thread).
pub(crate) struct Watch {
    seen: Arc<Mutex<Vec<(String, Value)>>>,
}

impl Watch {
    pub(crate) fn start(port: u16, filter: &str) -> Watch {
        Watch::start_as(port, filter, None)
    }

    /// [`Watch::start`] logged in as a user (user name, password).
    pub(crate) fn start_as(port: u16, filter: &str, login: Option<(String, String)>) -> Watch {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let theirs = seen.clone();
        let id = format!("watch-{}", free_port());
        let mut options = rumqttc::MqttOptions::new(id, "127.0.0.1", port);
        options.set_max_packet_size(4 << 20, 4 << 20);
        if let Some((user, password)) = login {
            options.set_credentials(user, password);
        }
        let (client, mut connection) = rumqttc::Client::new(options, 64);
        client.subscribe(filter, rumqttc::QoS::AtLeastOnce).unwrap();
        let subscribed = Arc::new(Mutex::new(false));
        let flag = subscribed.clone();
        std::thread::spawn(move || {
            for event in connection.iter() {
                match event {
                    Ok(rumqttc::Event::Incoming(rumqttc::Packet::SubAck(_))) => {
                        *flag.lock().unwrap() = true;
                    }
                    Ok(rumqttc::Event::Incoming(rumqttc::Packet::Publish(p))) => {
                        let v = serde_json::from_slice(&p.payload).unwrap_or(Value::Null);
                        theirs.lock().unwrap().push((p.topic.clone(), v));
                    }
                    Ok(_) => {}
                    Err(_) => std::thread::sleep(Duration::from_millis(200)),
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(10);
        while !*subscribed.lock().unwrap() {
            assert!(Instant::now() < deadline, "the watcher could not subscribe");
            std::thread::sleep(Duration::from_millis(20));
        }
        Watch { seen }
    }

    pub(crate) fn all(&self) -> Vec<(String, Value)> {
        self.seen.lock().unwrap().clone()
    }

    /// Waits for a message `what` accepts.
    pub(crate) fn wait_for(
        &self,
        name: &str,
        secs: u64,
        what: impl Fn(&str, &Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some((_, v)) = self.all().iter().find(|(t, v)| what(t, v)) {
                return v.clone();
            }
            assert!(
                Instant::now() < deadline,
                "never saw {name}; saw: {:#?}",
                self.all()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A board with its own id, area and folder.
fn board_config(dir: &Path, port: u16, id: &str, area: &str, extra: &str) -> PathBuf {
    let path = write_config(dir, port, (320, 180), extra);
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("id = \"xuan-non-01\"", &format!("id = \"{id}\""))
        .replace(
            "area = \"vn/ha-noi/dong-anh/xuan-non\"",
            &format!("area = \"{area}\""),
        );
    std::fs::write(&path, text).unwrap();
    path
}

pub(crate) fn start_board(root: &Path, port: u16, id: &str, area: &str) -> Board {
    let dir = root.join(id);
    std::fs::create_dir_all(&dir).unwrap();
    let config = board_config(&dir, port, id, area, "");
    Board::start(&config, &dir.join("frames"))
}

/// The officer's key file (the key the boards trust as `huyen-dong-anh`).
pub(crate) fn key_file(dir: &Path) -> PathBuf {
    use base64::Engine as _;
    let path = dir.join("huyen-dong-anh.key");
    std::fs::write(
        &path,
        base64::engine::general_purpose::STANDARD.encode(key().as_bytes()),
    )
    .unwrap();
    path
}

/// Runs `bangtin ARGS` (with --broker and --lang en unless given) and returns its output.
pub(crate) fn bangtin(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_bangtin"))
        .args(args)
        .current_dir(dir)
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("RUST_LOG", "warn")
        .output()
        .expect("bangtin runs");
    eprintln!(
        "$ bangtin {}\n{}{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub(crate) fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Waits until `bangtin fleet --json` lists `ids` in the states wanted.
pub(crate) fn wait_fleet(dir: &Path, broker: &str, want: &[(&str, &str)]) -> Value {
    wait_fleet_with(dir, broker, &[], want)
}

/// [`wait_fleet`] with more arguments (a user name and password, say).
pub(crate) fn wait_fleet_with(
    dir: &Path,
    broker: &str,
    extra: &[&str],
    want: &[(&str, &str)],
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mut args = vec!["fleet", "--json", "--broker", broker];
        args.extend_from_slice(extra);
        let out = bangtin(dir, &args);
        assert!(out.status.success());
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let states: BTreeMap<String, String> = v["boards"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                (
                    b["board"].as_str().unwrap().to_owned(),
                    b["state"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
        if want
            .iter()
            .all(|(id, state)| states.get(*id).map(String::as_str) == Some(*state))
        {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "the fleet never showed {want:?}: {v:#}"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

const ANNOUNCEMENT: &str = r#"+++
area = "vn/ha-noi/dong-anh"
id = "tiem-chung-2411"
duration = 5
+++
# Lịch tiêm chủng

Đề nghị bà con đưa trẻ dưới 5 tuổi đến trạm y tế xã.
"#;

#[test]
fn publish_from_markdown_is_received_and_acked_with_shown_at() {
    let dir = temp_dir("staff-publish");
    let port = embedded_broker();
    let url = format!("mqtt://127.0.0.1:{port}");
    let b = start_board(&dir, port, "xuan-non-01", "vn/ha-noi/dong-anh/xuan-non");
    wait_fleet(&dir, &url, &[("xuan-non-01", "online")]);
    b.wait_for("the idle slide", |f| share(f, IDLE) > 0.3);
    let acks = Watch::start(port, &format!("{PREFIX}/board/+/ack"));
    let key = key_file(&dir);
    std::fs::write(dir.join("tiem-chung.md"), ANNOUNCEMENT).unwrap();
    let out = bangtin(
        &dir,
        &[
            "publish",
            "tiem-chung.md",
            "--key",
            key.to_str().unwrap(),
            "--broker",
            &url,
            "--lang",
            "en",
        ],
    );
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("1/1 boards received it"), "{said}");
    let topic = format!("{PREFIX}/content/vn/ha-noi/dong-anh");
    let shown = acks.wait_for("an ack with shown_at", 30, |_, v| {
        v["topic"] == topic.as_str() && v["shown_at"].is_string()
    });
    assert_eq!(shown["board"], "xuan-non-01");
    let received: chrono::DateTime<chrono::FixedOffset> =
        shown["received_at"].as_str().unwrap().parse().unwrap();
    let shown_at: chrono::DateTime<chrono::FixedOffset> =
        shown["shown_at"].as_str().unwrap().parse().unwrap();
    assert!(shown_at >= received, "{shown}");
    b.wait_for("the announcement", |f| share(f, PAPER) > 0.3);
}

#[test]
fn nothing_is_sent_when_validation_fails() {
    let dir = temp_dir("staff-invalid");
    let port = embedded_broker();
    let url = format!("mqtt://127.0.0.1:{port}");
    let watch = Watch::start(port, &format!("{PREFIX}/content/#"));
    let key = key_file(&dir);
    // A duration out of range and an unknown key: both reported, nothing sent.
    std::fs::write(
        dir.join("bad.md"),
        "+++\narea = \"vn/ha-noi/dong-anh\"\nduration = 9999\ncolour = \"red\"\n+++\n# Tiêu đề\n\nNội dung.\n",
    )
    .unwrap();
    let out = bangtin(
        &dir,
        &[
            "publish",
            "bad.md",
            "--key",
            key.to_str().unwrap(),
            "--broker",
            &url,
            "--lang",
            "en",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let said = text(&out);
    assert!(said.contains("colour"), "{said}");
    std::thread::sleep(Duration::from_millis(500));
    assert!(watch.all().is_empty(), "{:?}", watch.all());
}

#[test]
fn dry_run_renders_a_preview_and_sends_nothing() {
    let dir = temp_dir("staff-dry-run");
    let port = embedded_broker();
    let url = format!("mqtt://127.0.0.1:{port}");
    let watch = Watch::start(port, &format!("{PREFIX}/#"));
    let key = key_file(&dir);
    // Pasted from a .VnTime document: TCVN3 bytes read as Windows-1252.
    std::fs::write(
        dir.join("hop.md"),
        "+++\narea = \"vn/ha-noi/dong-anh\"\n+++\n# Th«ng b¸o häp d©n\n\nHäp lóc 8 giê s¸ng.\n",
    )
    .unwrap();
    let out = bangtin(
        &dir,
        &[
            "publish",
            "hop.md",
            "--key",
            key.to_str().unwrap(),
            "--broker",
            &url,
            "--dry-run",
            "--size",
            "640x360",
            "--lang",
            "en",
        ],
    );
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("Th«ng b¸o") && said.contains("Thông báo"),
        "{said}"
    );
    let preview = image::open(dir.join("hop.md.preview.png"))
        .unwrap()
        .to_rgba8();
    assert_eq!(preview.dimensions(), (640, 360));
    assert!(share(&preview, PAPER) > 0.3, "the preview shows the slide");
    std::thread::sleep(Duration::from_millis(500));
    assert!(watch.all().is_empty(), "a dry run sent {:?}", watch.all());
}

/// Alert to a district on Mosquitto: two boards online show it and ack, the one offline is
/// named; the cancel brings both back; a live alert without confirmation is refused.
#[test]
fn alert_reaches_every_online_board_and_names_the_offline_one() {
    let dir = temp_dir("staff-alert");
    let _mosquitto = Mosquitto::start(&dir);
    let port = _mosquitto.port;
    let url = format!("mqtt://127.0.0.1:{port}");
    let a = start_board(&dir, port, "xuan-non-01", "vn/ha-noi/dong-anh/xuan-non");
    let b = start_board(&dir, port, "van-ha-01", "vn/ha-noi/dong-anh/van-ha");
    let mut gone = start_board(&dir, port, "nam-hong-01", "vn/ha-noi/dong-anh/nam-hong");
    let _elsewhere = start_board(&dir, port, "ba-vi-01", "vn/ha-noi/ba-vi/tan-linh");
    wait_fleet(
        &dir,
        &url,
        &[
            ("xuan-non-01", "online"),
            ("van-ha-01", "online"),
            ("nam-hong-01", "online"),
            ("ba-vi-01", "online"),
        ],
    );
    // Power cut at Nam Hồng: the broker publishes its last will.
    gone.kill();
    let fleet = wait_fleet(&dir, &url, &[("nam-hong-01", "offline")]);
    let nam_hong = fleet["boards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["board"] == "nam-hong-01")
        .unwrap();
    assert_eq!(
        nam_hong["area"], "vn/ha-noi/dong-anh/nam-hong",
        "the will keeps the area"
    );
    let table = text(&bangtin(
        &dir,
        &[
            "fleet",
            "--broker",
            &url,
            "--area",
            "vn/ha-noi/dong-anh",
            "--lang",
            "en",
        ],
    ));
    assert!(
        table.contains("xuan-non-01") && table.contains("nam-hong-01"),
        "{table}"
    );
    assert!(!table.contains("ba-vi-01"), "filtered by area: {table}");
    let key = key_file(&dir);
    let key = key.to_str().unwrap();
    let common = [
        "alert",
        "--key",
        key,
        "--broker",
        &url,
        "--area",
        "vn/ha-noi/dong-anh",
        "--lang",
        "en",
    ];
    // No confirmation and no terminal: refused, nothing sent.
    let mut args = common.to_vec();
    args.extend([
        "--severity",
        "extreme",
        "--headline",
        "BÃO SỐ 3: Sơ tán khẩn cấp",
        "--id",
        "bao-so-3",
    ]);
    let out = bangtin(&dir, &args);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    std::thread::sleep(Duration::from_secs(1));
    assert!(
        share(&a.frame().unwrap(), EXTREME) < 0.05,
        "refused, not shown"
    );
    // The wrong area typed: refused.
    let mut wrong = args.clone();
    wrong.extend(["--confirm", "ba-vi"]);
    assert_eq!(bangtin(&dir, &wrong).status.code(), Some(2));
    // Confirmed.
    args.extend(["--confirm", "dong-anh", "--wait", "30"]);
    let out = bangtin(&dir, &args);
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("2/3 boards showing it; offline: nam-hong-01"),
        "{said}"
    );
    assert!(said.contains("All 2"), "{said}");
    for board in [&a, &b] {
        board.wait_for("the storm alert", |f| share(f, EXTREME) > 0.3);
    }
    let mut cancel = common.to_vec();
    cancel.extend(["--cancel", "bao-so-3", "--wait", "30"]);
    let out = bangtin(&dir, &cancel);
    assert!(out.status.success(), "{}", text(&out));
    for board in [&a, &b] {
        board.wait_for("the programme again", |f| share(f, EXTREME) < 0.05);
    }
    // The whole district loses power: nobody can confirm; the officer is told so, exit 1.
    let (mut a, mut b) = (a, b);
    a.kill();
    b.kill();
    wait_fleet(
        &dir,
        &url,
        &[("xuan-non-01", "offline"), ("van-ha-01", "offline")],
    );
    let mut drill = common.to_vec();
    drill.extend([
        "--drill",
        "--severity",
        "severe",
        "--headline",
        "Diễn tập",
        "--wait",
        "5",
    ]);
    let out = bangtin(&dir, &drill);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("No board of the area is online"), "{said}");
    assert!(said.contains("Do not send it again"), "{said}");
}

#[test]
fn an_alert_not_acknowledged_in_time_exits_non_zero() {
    let dir = temp_dir("staff-alert-late");
    let port = embedded_broker();
    let url = format!("mqtt://127.0.0.1:{port}");
    let b = start_board(&dir, port, "xuan-non-01", "vn/ha-noi/dong-anh/xuan-non");
    wait_fleet(&dir, &url, &[("xuan-non-01", "online")]);
    b.wait_for("the idle slide", |f| share(f, IDLE) > 0.3);
    let key = key_file(&dir);
    // Effective tomorrow: received now, shown only then; the wait runs out.
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let cap = format!(
        r#"<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>ktv-2026-1</identifier><sender>kttv@vn</sender><sent>2026-11-27T08:00:00+07:00</sent>
  <status>Exercise</status><msgType>Alert</msgType><scope>Public</scope>
  <info><language>vi-VN</language><category>Met</category><event>Lũ</event>
    <urgency>Expected</urgency><severity>Severe</severity><certainty>Likely</certainty>
    <effective>{tomorrow}</effective>
    <headline>Diễn tập: lũ trên sông Cà Lồ</headline></info>
</alert>"#
    );
    std::fs::write(dir.join("lu.xml"), cap).unwrap();
    let out = bangtin(
        &dir,
        &[
            "alert",
            "--key",
            key.to_str().unwrap(),
            "--broker",
            &url,
            "--area",
            "vn/ha-noi/dong-anh",
            "--cap",
            "lu.xml",
            "--wait",
            "4",
            "--lang",
            "vi",
        ],
    );
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("xuan-non-01"), "names the board: {said}");
    assert!(said.contains("bảng tin"), "in Vietnamese: {said}");
}

#[test]
fn screenshot_and_commands_round_trip() {
    let dir = temp_dir("staff-commands");
    let port = embedded_broker();
    let url = format!("mqtt://127.0.0.1:{port}");
    let b = start_board(&dir, port, "xuan-non-01", "vn/ha-noi/dong-anh/xuan-non");
    wait_fleet(&dir, &url, &[("xuan-non-01", "online")]);
    let idle = b.wait_for("the idle slide", |f| share(f, IDLE) > 0.3);
    let key = key_file(&dir);
    let key = key.to_str().unwrap();
    let out = bangtin(
        &dir,
        &[
            "screenshot",
            "xuan-non-01",
            "--out",
            "shot.png",
            "--key",
            key,
            "--broker",
            &url,
            "--lang",
            "en",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let shot = image::open(dir.join("shot.png")).unwrap().to_rgba8();
    assert_eq!(shot.dimensions(), idle.dimensions());
    assert!(share(&shot, IDLE) > 0.3, "the screenshot is the screen");
    // identify: the board's id in a blue box across the middle.
    let out = bangtin(
        &dir,
        &[
            "command",
            "xuan-non-01",
            "identify",
            "--seconds",
            "5",
            "--key",
            key,
            "--broker",
            &url,
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let blue = [10, 60, 160];
    b.wait_for("the identify overlay", |f| share(f, blue) > 0.15);
    b.wait_for("the overlay gone after 5 s", |f| share(f, blue) < 0.01);
    // set_brightness: half as bright.
    let out = bangtin(
        &dir,
        &[
            "command",
            "xuan-non-01",
            "set-brightness",
            "--percent",
            "50",
            "--key",
            key,
            "--broker",
            &url,
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let dim = [IDLE[0] / 2, IDLE[1] / 2, IDLE[2] / 2];
    b.wait_for("the dimmed screen", |f| share(f, dim) > 0.3);
    // A value out of range never leaves the officer's machine.
    let out = bangtin(
        &dir,
        &[
            "command",
            "xuan-non-01",
            "set-brightness",
            "--percent",
            "0",
            "--key",
            key,
            "--broker",
            &url,
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    // reload: the config file read again.
    let out = bangtin(
        &dir,
        &[
            "command",
            "xuan-non-01",
            "reload",
            "--key",
            key,
            "--broker",
            &url,
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn a_command_signed_by_an_unknown_key_gets_no_reply() {
    let dir = temp_dir("staff-stranger");
    let port = embedded_broker();
    let url = format!("mqtt://127.0.0.1:{port}");
    let _b = start_board(&dir, port, "xuan-non-01", "vn/ha-noi/dong-anh/xuan-non");
    wait_fleet(&dir, &url, &[("xuan-non-01", "online")]);
    let stranger = dir.join("stranger.key");
    std::fs::write(&stranger, "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=").unwrap();
    let out = bangtin(
        &dir,
        &[
            "screenshot",
            "xuan-non-01",
            "--out",
            "shot.png",
            "--key",
            stranger.to_str().unwrap(),
            "--broker",
            &url,
            "--timeout",
            "3",
            "--lang",
            "en",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("did not answer"), "{}", text(&out));
    assert!(!dir.join("shot.png").exists());
}

/// Proof of play while the broker is away reaches the district once it is back: every
/// record exactly once, none missing. Then `collect` and `report` make the CSV.
#[test]
fn proof_of_play_after_an_offline_period_arrives_exactly_once() {
    let dir = temp_dir("staff-played");
    let mut mosquitto = Mosquitto::start(&dir);
    let port = mosquitto.port;
    let url = format!("mqtt://127.0.0.1:{port}");
    let b = start_board(&dir, port, "xuan-non-01", "vn/ha-noi/dong-anh/xuan-non");
    wait_fleet(&dir, &url, &[("xuan-non-01", "online")]);
    let items = r#"{"items": [
        {"id": "mot", "type": "announcement", "title": "Một", "duration_s": 3},
        {"id": "hai", "type": "announcement", "title": "Hai", "duration_s": 3}]}"#;
    board::send(port, board::CONTENT, 1, board::channel(items));
    b.wait_for("the first item", |f| share(f, PAPER) > 0.3);
    let first = Watch::start(port, &format!("{PREFIX}/board/+/played"));
    // The broker dies just after a batch has come (the next is `PLAYED_EVERY`, 10 s, away),
    // not while one is on its way: a watcher can miss a message its broker sent as it died.
    first.wait_for("a first batch of proof of play", 30, |_, _| true);
    mosquitto.kill();
    // Offline for a while: the board goes on rotating and logging.
    std::thread::sleep(Duration::from_secs(12));
    mosquitto.restart();
    let second = Watch::start(port, &format!("{PREFIX}/board/+/played"));
    let mut records: Vec<u64> = Vec::new();
    // A batch sent just before the broker died is sent again once its echo is overdue
    // (`ECHO_TIMEOUT`, 30 s): wait for it as well as for the batches made while offline.
    let deadline = Instant::now() + Duration::from_secs(50);
    let collect = |w: &Watch, out: &mut Vec<u64>| {
        for (_, batch) in w.all() {
            for r in batch["items"].as_array().unwrap() {
                out.push(r["n"].as_u64().unwrap());
            }
        }
    };
    // Wait until the records of the offline period (n after what the first watcher saw,
    // about four of them) have come, and none is missing between them.
    loop {
        records.clear();
        collect(&first, &mut records);
        let before = records.iter().copied().max().unwrap_or(0);
        collect(&second, &mut records);
        let after = records.iter().copied().max().unwrap_or(0);
        let mut distinct = records.clone();
        distinct.sort_unstable();
        distinct.dedup();
        if after >= before + 5 && distinct.len() as u64 == after {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "records after the broker came back: {records:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let mut sorted = records.clone();
    sorted.sort_unstable();
    let expected: Vec<u64> = (1..=*sorted.last().unwrap()).collect();
    assert_eq!(sorted, expected, "every record exactly once: {records:?}");
    // Items alternate and each play lasts its duration.
    let batches = second.all();
    let record = &batches[0].1["items"][0];
    assert!(["mot", "hai"].contains(&record["item"].as_str().unwrap()));
    assert_eq!(record["topic"], board::CONTENT);
    assert_eq!(record["seq"], 1);

    // The district's collector and its report.
    let collector = std::thread::spawn({
        let dir = dir.to_path_buf();
        let url = url.clone();
        move || {
            bangtin(
                &dir,
                &[
                    "collect",
                    "--broker",
                    &url,
                    "--out",
                    "played.jsonl",
                    "--duration",
                    "14",
                ],
            )
        }
    });
    let out = collector.join().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let today = chrono::Utc::now()
        .with_timezone(&bangtin_vi::calendar::VIETNAM)
        .format("%Y-%m-%d")
        .to_string();
    let out = bangtin(
        &dir,
        &[
            "report",
            "--from",
            &today,
            "--to",
            &today,
            "--area",
            "vn/ha-noi",
            "--played",
            "played.jsonl",
            "--lang",
            "en",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let csv = String::from_utf8_lossy(&out.stdout).to_string();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("board,item,topic,times_shown,seconds_on_screen,first_shown,last_shown,clock_trusted")
    );
    let rows: Vec<&str> = lines.collect();
    assert!(!rows.is_empty(), "{csv}");
    for row in &rows {
        let cols: Vec<&str> = row.split(',').collect();
        assert_eq!(cols[0], "xuan-non-01", "{row}");
        assert!(["mot", "hai"].contains(&cols[1]), "{row}");
        let times: u64 = cols[3].parse().unwrap();
        let secs: f64 = cols[4].parse().unwrap();
        assert!(times >= 1 && secs >= 2.0 * times as f64, "{row}");
        // The board's clock was right all along: every play is dated.
        assert_eq!(cols[7], "true", "{row}");
    }
    // Another area: nothing.
    let out = bangtin(
        &dir,
        &[
            "report",
            "--from",
            &today,
            "--to",
            &today,
            "--area",
            "vn/ha-noi/ba-vi",
            "--played",
            "played.jsonl",
        ],
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
}

/// A power cut (SIGKILL) with proof of play on disk: after the restart the records already
/// synced are sent, numbering goes on without reusing a sent number, and none comes twice.
#[test]
fn proof_of_play_survives_a_power_cut() {
    let dir = temp_dir("staff-played-cut");
    let port = embedded_broker();
    let url = format!("mqtt://127.0.0.1:{port}");
    let watch = Watch::start(port, &format!("{PREFIX}/board/+/played"));
    let board_dir = dir.join("xuan-non-01");
    std::fs::create_dir_all(&board_dir).unwrap();
    let config = board_config(
        &board_dir,
        port,
        "xuan-non-01",
        "vn/ha-noi/dong-anh/xuan-non",
        "",
    );
    let mut b = Board::start(&config, &board_dir.join("frames"));
    wait_fleet(&dir, &url, &[("xuan-non-01", "online")]);
    let items = r#"{"items": [
        {"id": "mot", "type": "announcement", "title": "Một", "duration_s": 3},
        {"id": "hai", "type": "announcement", "title": "Hai", "duration_s": 3}]}"#;
    board::send(port, board::CONTENT, 1, board::channel(items));
    b.wait_for("the first item", |f| share(f, PAPER) > 0.3);
    // Long enough for records to be synced (every 5 s), some sent and some not yet.
    std::thread::sleep(Duration::from_secs(16));
    b.kill();
    let on_disk = std::fs::read_dir(board_dir.join("store/played"))
        .unwrap()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect::<String>();
    let logged = on_disk.lines().count() as u64;
    assert!(logged >= 1, "records on disk before the cut: {on_disk}");
    let b = Board::start(&config, &board_dir.join("frames"));
    b.wait_for("the programme from cache", |f| share(f, PAPER) > 0.3);
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let ns: Vec<u64> = watch
            .all()
            .iter()
            .flat_map(|(_, batch)| {
                batch["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["n"].as_u64().unwrap())
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut sorted = ns.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), ns.len(), "a record came twice: {ns:?}");
        // Every record synced before the cut has arrived, and new ones follow them.
        if sorted.len() as u64 > logged + 1 {
            let expected: Vec<u64> = (1..=*sorted.last().unwrap()).collect();
            assert_eq!(
                sorted, expected,
                "records are numbered without gaps: {ns:?}"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "records after the restart: {ns:?} ({logged} on disk at the cut)"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A stolen key: revoked in the config, reloaded by a remote command, refused at once.
#[test]
fn a_key_revoked_by_a_reload_is_refused_without_a_restart() {
    let dir = temp_dir("staff-revoke");
    let port = embedded_broker();
    let url = format!("mqtt://127.0.0.1:{port}");
    let board_dir = dir.join("xuan-non-01");
    std::fs::create_dir_all(&board_dir).unwrap();
    let config = board_config(
        &board_dir,
        port,
        "xuan-non-01",
        "vn/ha-noi/dong-anh/xuan-non",
        "",
    );
    let b = Board::start(&config, &board_dir.join("frames"));
    wait_fleet(&dir, &url, &[("xuan-non-01", "online")]);
    b.wait_for("the idle slide", |f| share(f, IDLE) > 0.3);
    let key = key_file(&dir);
    let key = key.to_str().unwrap();
    // A second trusted key for the district: the one that stays.
    use base64::Engine as _;
    let spare = ed25519_dalek::SigningKey::from_bytes(&[8; 32]);
    let spare_file = dir.join("huyen-du-phong.key");
    std::fs::write(
        &spare_file,
        base64::engine::general_purpose::STANDARD.encode(spare.as_bytes()),
    )
    .unwrap();
    let spare_entry = format!(
        "\n[[trust]]\nkey = \"huyen-du-phong\"\npublic = \"{}\"\nscopes = [\"vn/ha-noi/dong-anh\"]\nalerts = true\n",
        base64::engine::general_purpose::STANDARD.encode(spare.verifying_key().as_bytes())
    );
    let toml = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{toml}{spare_entry}")).unwrap();
    let spare_file = spare_file.to_str().unwrap();
    let out = bangtin(
        &dir,
        &[
            "command",
            "xuan-non-01",
            "reload",
            "--key",
            key,
            "--broker",
            &url,
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    // The laptop with huyen-dong-anh.key is stolen: revoke it and reload.
    let toml = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("revoked = [\"huyen-dong-anh\"]\n{toml}")).unwrap();
    let out = bangtin(
        &dir,
        &[
            "command",
            "xuan-non-01",
            "reload",
            "--key",
            spare_file,
            "--broker",
            &url,
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    std::fs::write(dir.join("gia-mao.md"), ANNOUNCEMENT).unwrap();
    let out = bangtin(
        &dir,
        &[
            "publish",
            "gia-mao.md",
            "--key",
            key,
            "--broker",
            &url,
            "--wait",
            "5",
            "--lang",
            "en",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("0/1 boards received it"),
        "{}",
        text(&out)
    );
    let fleet = wait_fleet(&dir, &url, &[("xuan-non-01", "online")]);
    let error = fleet["boards"][0]["last_error"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(error.contains("revoked"), "{fleet:#}");
    assert!(
        share(&b.frame().unwrap(), IDLE) > 0.3,
        "nothing from the revoked key shows"
    );
    // The district's other key still works.
    let out = bangtin(
        &dir,
        &[
            "publish",
            "gia-mao.md",
            "--key",
            spare_file,
            "--broker",
            &url,
            "--lang",
            "en",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    b.wait_for("the announcement from the good key", |f| {
        share(f, PAPER) > 0.3
    });
}
