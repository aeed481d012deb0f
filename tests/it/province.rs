//! A province on real Mosquitto brokers, configured only by what `bangtin broker-config`
//! writes: per-account passwords and ACLs (a stolen credential can do only what its owner
//! does), and district brokers bridged to the province (content and alerts down, statuses and
//! acks up, a district broker's outage survived). Clients speak MQTT v5 so that the broker's
//! refusals come back as reason codes.

use crate::staff::{bangtin, key_file, text, wait_fleet_with, Watch, PREFIX};
use bangtin_testkit::board::{share, write_config, Board, EXTREME, PAPER};
use bangtin_testkit::{free_port, temp_dir, Dir, Mosquitto};
use rumqttc::v5::mqttbytes::v5::{Packet, PubAckReason};
use rumqttc::v5::mqttbytes::QoS;
use rumqttc::v5::{Client, Connection, ConnectionError, Event, MqttOptions};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

const BOARDS: &str = "id,area,broker
ubnd-tp,vn/ha-noi,
ubnd-tay-ho,vn/ha-noi/tay-ho,
xuan-non-01,vn/ha-noi/dong-anh/xuan-non,dong-anh
phu-linh-01,vn/ha-noi/soc-son/phu-linh,soc-son
";

/// A province generated in a test's folder: the province broker and two districts, on
/// loopback ports of their own.
struct Province {
    dir: Dir,
    /// Each broker's boards' listener.
    ports: BTreeMap<&'static str, u16>,
    /// Each broker's listener for staff, the monitor and bridges.
    staff_ports: BTreeMap<&'static str, u16>,
    secrets: toml::Table,
}

impl Province {
    /// Plain MQTT on 127.0.0.1.
    fn generate(name: &str) -> Province {
        Province::generate_with(name, false)
    }

    /// With `tls`, every broker is `mqtts://localhost` with a certificate of the test's own
    /// province CA, and the bridges check it.
    fn generate_with(name: &str, tls: bool) -> Province {
        let dir = temp_dir(name);
        let (scheme, host) = if tls {
            ("mqtts", "localhost")
        } else {
            ("mqtt", "127.0.0.1")
        };
        let certs = dir.join("certs");
        if tls {
            std::fs::create_dir_all(&certs).unwrap();
            crate::sync::make_certs(&certs);
            std::fs::copy(certs.join("ca.crt"), certs.join("province-ca.crt")).unwrap();
            for b in ["ha-noi", "dong-anh", "soc-son"] {
                std::fs::copy(certs.join("server.crt"), certs.join(format!("{b}.crt"))).unwrap();
                std::fs::copy(certs.join("server.key"), certs.join(format!("{b}.key"))).unwrap();
            }
        }
        let ports: BTreeMap<&str, u16> = ["ha-noi", "dong-anh", "soc-son"]
            .into_iter()
            .map(|b| (b, free_port()))
            .collect();
        let staff_ports: BTreeMap<&str, u16> = ports.keys().map(|b| (*b, free_port())).collect();
        let out = dir.join("out");
        std::fs::write(dir.join("boards.csv"), BOARDS).unwrap();
        std::fs::write(
            dir.join("province.toml"),
            format!(
                r#"[province]
name = "ha-noi"
area = "vn/ha-noi"
broker = "{scheme}://{host}:{}"
staff_port = {}
listen = "{host}"
boards = "boards.csv"
board_ca_file = "{certs}/province-ca.crt"

[mosquitto]
conf_dir = "{out}/brokers"
data_dir = "{data}"
certs_dir = "{certs}"

[[district]]
name = "dong-anh"
area = "vn/ha-noi/dong-anh"
broker = "{scheme}://{host}:{}"
staff_port = {}
listen = "{host}"

[[district]]
name = "soc-son"
area = "vn/ha-noi/soc-son"
broker = "{scheme}://{host}:{}"
staff_port = {}
listen = "{host}"

[[staff]]
user = "so-ttt"
areas = ["vn/ha-noi"]
alerts = true

[[staff]]
user = "huyen-dong-anh"
areas = ["vn/ha-noi/dong-anh"]
alerts = true

[[staff]]
user = "xa-xuan-non"
areas = ["vn/ha-noi/dong-anh/xuan-non"]
broker = "dong-anh"
"#,
                ports["ha-noi"],
                staff_ports["ha-noi"],
                ports["dong-anh"],
                staff_ports["dong-anh"],
                ports["soc-son"],
                staff_ports["soc-son"],
                out = out.display(),
                data = dir.join("data").display(),
                certs = certs.display(),
            ),
        )
        .unwrap();
        let o = bangtin(
            &dir,
            &[
                "broker-config",
                "--province",
                "province.toml",
                "--out",
                "out",
            ],
        );
        assert!(o.status.success(), "{}", text(&o));
        assert!(text(&o).contains("3 broker(s), 4 board(s), 3 staff account(s)"));
        for b in ports.keys() {
            std::fs::create_dir_all(dir.join("data").join(b)).unwrap();
        }
        let secrets: toml::Table =
            toml::from_str(&std::fs::read_to_string(out.join("secrets.toml")).unwrap()).unwrap();
        Province {
            dir,
            ports,
            staff_ports,
            secrets,
        }
    }

    fn password(&self, user: &str) -> String {
        self.secrets["account"][user]["password"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// `bangtin ARGS` as the province's staff account `so-ttt`, signing with `key`, at `url`.
    fn as_so_ttt(&self, key: &Path, url: &str, args: &[&str]) -> std::process::Output {
        let password = self.password("so-ttt");
        let mut all = args.to_vec();
        all.extend_from_slice(&[
            "--key",
            key.to_str().unwrap(),
            "--broker",
            url,
            "--username",
            "so-ttt",
            "--password",
            &password,
            "--lang",
            "en",
        ]);
        bangtin(&self.dir, &all)
    }

    fn start(&self, broker: &str) -> Mosquitto {
        let conf = self
            .dir
            .join("out/brokers")
            .join(broker)
            .join("mosquitto.conf");
        Mosquitto::with_conf_file(&conf, self.ports[broker])
    }

    fn login(&self, broker: &str, user: &str) -> V5 {
        // Boards log in on the boards' listener, everyone else on the other.
        let port = if BOARDS.contains(&format!("\n{user},")) {
            self.ports[broker]
        } else {
            self.staff_ports[broker]
        };
        V5::connect(port, Some((user, &self.password(user))))
            .unwrap_or_else(|e| panic!("{user} could not log in to {broker}: {e}"))
    }

    /// A board's config: the testkit's, with the generated `[broker]` section and a key the
    /// province signs with.
    fn board(&self, id: &str, area: &str) -> Board {
        let dir = self.dir.join(id);
        std::fs::create_dir_all(&dir).unwrap();
        let path = write_config(&dir, 0, (320, 180), "");
        let section: String =
            std::fs::read_to_string(self.dir.join("out/boards").join(format!("{id}.toml")))
                .unwrap()
                .lines()
                .filter(|l| !l.starts_with('#') && *l != "[broker]")
                .map(|l| format!("{l}\n"))
                .collect();
        let config = std::fs::read_to_string(&path)
            .unwrap()
            .replace("url = \"mqtt://127.0.0.1:0\"\n", &section)
            .replace("id = \"xuan-non-01\"", &format!("id = \"{id}\""))
            .replace(
                "area = \"vn/ha-noi/dong-anh/xuan-non\"",
                &format!("area = \"{area}\""),
            )
            .replace(
                "scopes = [\"vn/ha-noi/dong-anh\"]",
                "scopes = [\"vn/ha-noi\"]",
            );
        assert!(config.contains("password = "), "{config}");
        std::fs::write(&path, config).unwrap();
        Board::start(&path, &dir.join("frames"))
    }
}

/// An MQTT v5 client, driven by hand: each call waits for the broker's answer.
struct V5 {
    client: Client,
    connection: Connection,
    /// Messages that arrived while waiting for something else.
    inbox: Vec<(String, Vec<u8>)>,
}

impl V5 {
    fn connect(port: u16, login: Option<(&str, &str)>) -> Result<V5, String> {
        V5::connect_with_id(port, login, &format!("t-{}", free_port()))
    }

    fn connect_with_id(port: u16, login: Option<(&str, &str)>, id: &str) -> Result<V5, String> {
        let mut options = MqttOptions::new(id, "127.0.0.1", port);
        if let Some((user, password)) = login {
            options.set_credentials(user, password);
        }
        let (client, mut connection) = Client::new(options, 64);
        loop {
            match connection.recv_timeout(Duration::from_secs(5)) {
                Ok(Ok(Event::Incoming(Packet::ConnAck(_)))) => break,
                Ok(Ok(_)) => {}
                Ok(Err(ConnectionError::ConnectionRefused(code))) => {
                    return Err(format!("refused: {code:?}"))
                }
                Ok(Err(e)) => return Err(e.to_string()),
                Err(_) => return Err("no answer within 5 s".into()),
            }
        }
        Ok(V5 {
            client,
            connection,
            inbox: Vec::new(),
        })
    }

    fn next(&mut self, what: &str) -> Packet {
        loop {
            match self.connection.recv_timeout(Duration::from_secs(5)) {
                Ok(Ok(Event::Incoming(Packet::Publish(p)))) => self.inbox.push((
                    String::from_utf8_lossy(&p.topic).into_owned(),
                    p.payload.to_vec(),
                )),
                Ok(Ok(Event::Incoming(p))) => return p,
                Ok(Ok(Event::Outgoing(_))) => {}
                Ok(Err(e)) => panic!("waiting for {what}: {e}"),
                Err(_) => panic!("no {what} within 5 s"),
            }
        }
    }

    /// Publishes retained at QoS 1; the broker's answer.
    fn publish(&mut self, topic: &str) -> PubAckReason {
        self.client
            .publish(topic, QoS::AtLeastOnce, true, b"{}".to_vec())
            .unwrap();
        loop {
            if let Packet::PubAck(ack) = self.next("a PUBACK") {
                return ack.reason;
            }
        }
    }

    fn subscribe(&mut self, filter: &str) {
        self.client.subscribe(filter, QoS::AtLeastOnce).unwrap();
        while !matches!(self.next("a SUBACK"), Packet::SubAck(_)) {}
    }

    /// The topics of everything that arrived, after `quiet` with nothing more.
    fn received(&mut self, quiet: Duration) -> Vec<String> {
        while let Ok(event) = self.connection.recv_timeout(quiet) {
            if let Ok(Event::Incoming(Packet::Publish(p))) = event {
                self.inbox.push((
                    String::from_utf8_lossy(&p.topic).into_owned(),
                    p.payload.to_vec(),
                ));
            }
        }
        std::mem::take(&mut self.inbox)
            .into_iter()
            .map(|(t, _)| t)
            .collect()
    }
}

fn t(rest: &str) -> String {
    format!("{PREFIX}/{rest}")
}

#[test]
fn a_stolen_credential_can_do_only_what_its_owner_does() {
    let p = Province::generate("province-acl");
    let _top = p.start("ha-noi");
    let port = p.ports["ha-noi"];
    assert!(
        V5::connect(port, None).is_err(),
        "anonymous clients are refused"
    );
    assert!(
        V5::connect(port, Some(("ubnd-tp", "doan-mo"))).is_err(),
        "a wrong password is refused"
    );
    // Another board is listening, subscribed as a board does, to everything it may read.
    let mut other = p.login("ha-noi", "ubnd-tay-ho");
    for s in [
        "content/vn",
        "content/vn/ha-noi",
        "content/vn/ha-noi/tay-ho",
        "content/board/ubnd-tay-ho",
        "alert/vn",
        "alert/vn/ha-noi",
        "alert/vn/ha-noi/tay-ho",
        "alert/board/ubnd-tay-ho",
        "board/ubnd-tay-ho/cmd",
    ] {
        other.subscribe(&t(s));
    }
    // The board ubnd-tp's credential, stolen with its SD card. It does not open the
    // listener of staff and bridges.
    assert!(
        V5::connect(
            p.staff_ports["ha-noi"],
            Some(("ubnd-tp", &p.password("ubnd-tp")))
        )
        .is_err(),
        "a board's credential logged in where staff and bridges do"
    );
    let mut thief = p.login("ha-noi", "ubnd-tp");
    thief.subscribe(&t("board/ubnd-tay-ho/cmd"));
    thief.subscribe(&t("board/+/status"));
    thief.subscribe(&t("content/vn/ha-noi/tay-ho"));
    for topic in [
        "content/vn/ha-noi",
        "content/vn/ha-noi/tay-ho",
        "alert/vn/ha-noi",
        "alert/vn",
        "content/board/ubnd-tay-ho",
        "alert/board/ubnd-tp",
        "board/ubnd-tay-ho/cmd",
        "board/ubnd-tay-ho/status",
        "board/ubnd-tay-ho/ack",
        "board/ubnd-tp/cmd",
        "bridge/dong-anh/state",
    ] {
        assert_eq!(
            thief.publish(&t(topic)),
            PubAckReason::NotAuthorized,
            "a board's credential published to {topic}"
        );
    }
    // What the board itself does still works.
    for own in ["status", "ack", "played", "reply"] {
        let r = thief.publish(&t(&format!("board/ubnd-tp/{own}")));
        assert!(
            matches!(
                r,
                PubAckReason::Success | PubAckReason::NoMatchingSubscribers
            ),
            "{own}: {r:?}"
        );
    }
    // Sóc Sơn's side of the province: what its bridge takes down to its boards.
    let mut soc_son = p.login("ha-noi", "bridge-soc-son");
    for s in [
        "content/vn/ha-noi/soc-son/#",
        "alert/vn/ha-noi/soc-son/#",
        "content/vn/ha-noi",
    ] {
        soc_son.subscribe(&t(s));
    }
    // A district's staff account outside its district.
    let mut district = p.login("ha-noi", "huyen-dong-anh");
    for topic in [
        "content/vn/ha-noi",
        "content/vn/ha-noi/soc-son",
        "alert/vn/ha-noi/soc-son/phu-linh",
        "content/vn/ha-noi/tay-ho",
        "content/board/ubnd-tay-ho",
        "board/ubnd-tay-ho/cmd",
        "board/xuan-non-01/status",
    ] {
        assert_eq!(
            district.publish(&t(topic)),
            PubAckReason::NotAuthorized,
            "huyen-dong-anh published to {topic}"
        );
    }
    assert_ne!(
        district.publish(&t("alert/vn/ha-noi/dong-anh")),
        PubAckReason::NotAuthorized,
        "its own district"
    );
    // The province's staff reach the board.
    let mut so = p.login("ha-noi", "so-ttt");
    assert_eq!(
        so.publish(&t("content/vn/ha-noi/tay-ho")),
        PubAckReason::Success
    );
    assert_eq!(
        so.publish(&t("board/ubnd-tay-ho/cmd")),
        PubAckReason::Success
    );
    let mut got = other.received(Duration::from_millis(800));
    got.sort();
    assert_eq!(
        got,
        [t("board/ubnd-tay-ho/cmd"), t("content/vn/ha-noi/tay-ho")],
        "the other board got exactly the province's two messages"
    );
    assert_eq!(
        thief.received(Duration::from_millis(300)),
        Vec::<String>::new(),
        "the stolen credential read another board's cmd, content or status"
    );
    assert_eq!(
        soc_son.received(Duration::from_millis(300)),
        Vec::<String>::new(),
        "Đông Anh's staff reached Sóc Sơn"
    );
    // Nothing refused was kept: a board connecting now finds only the province's content.
    let mut late = p.login("ha-noi", "ubnd-tay-ho");
    late.subscribe(&t("content/vn/ha-noi"));
    late.subscribe(&t("alert/vn/ha-noi"));
    assert_eq!(
        late.received(Duration::from_millis(300)),
        Vec::<String>::new()
    );

    // On the district broker, the commune officer: content for the commune, no alerts.
    let _dong_anh = p.start("dong-anh");
    let mut commune = p.login("dong-anh", "xa-xuan-non");
    assert_eq!(
        commune.publish(&t("alert/vn/ha-noi/dong-anh/xuan-non")),
        PubAckReason::NotAuthorized
    );
    assert_eq!(
        commune.publish(&t("content/vn/ha-noi/dong-anh")),
        PubAckReason::NotAuthorized
    );
    assert_ne!(
        commune.publish(&t("content/vn/ha-noi/dong-anh/xuan-non")),
        PubAckReason::NotAuthorized
    );
    // A board of another broker has no account here.
    assert!(V5::connect(
        p.ports["dong-anh"],
        Some(("ubnd-tp", &p.password("ubnd-tp")))
    )
    .is_err());
}

/// Acks seen at the province, counted per (board, topic, seq, shown): a board acks a message
/// when it takes it, and again with `shown_at` when it is on screen.
type Acks = BTreeMap<(String, String, u64, bool), usize>;

fn acks(watch: &Watch) -> Acks {
    let mut out = BTreeMap::new();
    for (_, v) in watch.all() {
        let key = (
            v["board"].as_str().unwrap_or("").to_owned(),
            v["topic"].as_str().unwrap_or("").to_owned(),
            v["seq"].as_u64().unwrap_or(0),
            v["shown_at"].is_string(),
        );
        *out.entry(key).or_insert(0) += 1;
    }
    out
}

/// `bangtin publish` of an announcement for the whole province, as `so-ttt` at `url` (`extra`:
/// more arguments), waiting `wait` seconds for acknowledgements; whether it exited 0, and what
/// it said.
fn publish_md(
    p: &Province,
    key: &Path,
    (id, title): (&str, &str),
    url: &str,
    wait: u64,
    extra: &[&str],
) -> (bool, String) {
    let file = p.dir.join(format!("{id}.md"));
    std::fs::write(
        &file,
        format!(
            "+++\narea = \"vn/ha-noi\"\nid = \"{id}\"\nduration = 5\n+++\n# {title}\n\n\
             Thông báo của Sở Thông tin và Truyền thông.\n"
        ),
    )
    .unwrap();
    let wait = wait.to_string();
    let mut args = vec!["publish", file.to_str().unwrap(), "--wait", &wait];
    args.extend_from_slice(extra);
    let o = p.as_so_ttt(key, url, &args);
    (o.status.success(), text(&o))
}

#[test]
fn province_content_and_alerts_reach_every_district_and_survive_a_district_outage() {
    let p = Province::generate("province-bridges");
    let _top = p.start("ha-noi");
    let mut dong_anh = p.start("dong-anh");
    let _soc_son = p.start("soc-son");
    let xuan_non = p.board("xuan-non-01", "vn/ha-noi/dong-anh/xuan-non");
    let phu_linh = p.board("phu-linh-01", "vn/ha-noi/soc-son/phu-linh");
    let login = |user: &str| (user.to_owned(), p.password(user));
    // The province's monitoring: each bridge's state (1 up, 0 down).
    let bridges = Watch::start_as(
        p.staff_ports["ha-noi"],
        &t("bridge/+/state"),
        Some(login("monitor")),
    );
    for d in ["dong-anh", "soc-son"] {
        bridges.wait_for("the bridges up", 20, |t, v| {
            t.ends_with(&format!("/{d}/state")) && *v == 1
        });
    }
    // A board's stolen credential, connecting with the Đông Anh bridge's client id, does not
    // disconnect the bridge: on the boards' listener a client id is its user name.
    let thief = V5::connect_with_id(
        p.ports["ha-noi"],
        Some(("ubnd-tp", &p.password("ubnd-tp"))),
        "bridge-dong-anh",
    )
    .expect("the board's own credential works on its listener");
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        !bridges
            .all()
            .iter()
            .any(|(t, v)| t.ends_with("/dong-anh/state") && *v == 0),
        "a board's credential took the bridge's client id: {:?}",
        bridges.all()
    );
    drop(thief);
    let acks_at_province = Watch::start_as(
        p.staff_ports["ha-noi"],
        &t("board/+/ack"),
        Some(login("so-ttt")),
    );
    let url = format!("mqtt://127.0.0.1:{}", p.staff_ports["ha-noi"]);
    // Statuses come up both bridges: `bangtin fleet` at the province sees both boards.
    let so_ttt = p.password("so-ttt");
    let fleet = |want: &[(&str, &str)]| {
        wait_fleet_with(
            &p.dir,
            &url,
            &["--username", "so-ttt", "--password", &so_ttt],
            want,
        )
    };
    fleet(&[("xuan-non-01", "online"), ("phu-linh-01", "online")]);

    // A channel published at the province reaches both districts' boards.
    let key = key_file(&p.dir);
    let (ok, said) = publish_md(&p, &key, ("thong-bao-1", "Lịch cắt điện"), &url, 30, &[]);
    assert!(ok && said.contains("2/2 boards received it"), "{said}");
    xuan_non.wait_for("the province's announcement", |f| share(f, PAPER) > 0.3);
    phu_linh.wait_for("the province's announcement", |f| share(f, PAPER) > 0.3);

    // An alert from the province: both boards show it, their acks come back up.
    let o = p.as_so_ttt(
        &key,
        &url,
        &[
            "alert",
            "--area",
            "vn/ha-noi",
            "--severity",
            "extreme",
            "--headline",
            "BÃO SỐ 3: sơ tán khẩn cấp",
            "--confirm",
            "vn/ha-noi",
            "--wait",
            "30",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    xuan_non.wait_for("the alert", |f| share(f, EXTREME) > 0.3);
    phu_linh.wait_for("the alert", |f| share(f, EXTREME) > 0.3);
    // A command from the province crosses the bridge to one board, and its reply comes back.
    let o = p.as_so_ttt(
        &key,
        &url,
        &["command", "xuan-non-01", "identify", "--seconds", "2"],
    );
    assert!(o.status.success(), "{}", text(&o));

    // Đông Anh's broker goes down (and its bridge with it). Its board keeps the alert on
    // screen; the province publishes meanwhile; Sóc Sơn's board takes it at once.
    dong_anh.stop();
    bridges.wait_for("Đông Anh's bridge down", 20, |t, v| {
        t.ends_with("/dong-anh/state") && *v == 0
    });
    // The publisher names the board that cannot take it now (its last will came up).
    let (ok, said) = publish_md(
        &p,
        &key,
        ("thong-bao-2", "Lịch cắt điện (sửa)"),
        &url,
        5,
        &[],
    );
    assert!(ok, "{said}");
    assert!(
        said.contains("1/2 boards received it; offline: xuan-non-01"),
        "{said}"
    );
    let second = |board: &str| {
        acks(&acks_at_province)
            .iter()
            .filter(|((b, t, _, shown), _)| {
                b == board && t == &self::t("content/vn/ha-noi") && !shown
            })
            .count()
    };
    assert_eq!(second("phu-linh-01"), 2, "{:?}", acks(&acks_at_province));
    assert_eq!(
        second("xuan-non-01"),
        1,
        "the board heard nothing while its broker was down"
    );
    std::thread::sleep(Duration::from_secs(2));
    let frame = xuan_non.frame().expect("a frame");
    assert!(
        share(&frame, EXTREME) > 0.3,
        "the board kept the alert on screen"
    );

    // The broker returns: the board and the bridge reconnect, and what the province published
    // meanwhile arrives.
    dong_anh.start_again();
    let deadline = Instant::now() + Duration::from_secs(60);
    while second("xuan-non-01") < 2 {
        assert!(
            Instant::now() < deadline,
            "the content published during the outage never reached xuan-non-01: {:?}",
            acks(&acks_at_province)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    fleet(&[("xuan-non-01", "online"), ("phu-linh-01", "online")]);
    // Nothing was taken twice, nothing lost: each message taken once by each board (the
    // bridge's queued copy and the retained one it gets on subscribing again are one message).
    std::thread::sleep(Duration::from_secs(3));
    let all = acks(&acks_at_province);
    for b in ["xuan-non-01", "phu-linh-01"] {
        let taken: Vec<_> = all
            .iter()
            .filter(|((x, _, _, shown), _)| x == b && !shown)
            .collect();
        assert_eq!(
            taken.len(),
            3,
            "{b}: channel, alert, channel again: {all:?}"
        );
        assert!(
            all.iter()
                .filter(|((x, ..), _)| x == b)
                .all(|(_, n)| *n == 1),
            "{b} acked a message twice: {all:?}"
        );
    }
}

#[test]
fn the_province_runs_on_tls_with_its_own_ca_bridges_included() {
    let p = Province::generate_with("province-tls", true);
    let _top = p.start("ha-noi");
    let _dong_anh = p.start("dong-anh");
    let conf = std::fs::read_to_string(p.dir.join("out/brokers/dong-anh/mosquitto.conf")).unwrap();
    assert!(
        conf.contains("bridge_cafile ") && conf.contains("certfile "),
        "{conf}"
    );
    // The board's section names the province CA; the board speaks TLS to its district.
    let board = p.board("xuan-non-01", "vn/ha-noi/dong-anh/xuan-non");
    let url = format!("mqtts://localhost:{}", p.staff_ports["ha-noi"]);
    let ca = p.dir.join("certs/province-ca.crt");
    let key = key_file(&p.dir);
    // Published at the province over TLS, down the TLS bridge, acked back up it.
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let (ok, said) = publish_md(
            &p,
            &key,
            ("qua-tls", "Qua TLS"),
            &url,
            20,
            &["--ca-file", ca.to_str().unwrap()],
        );
        assert!(ok, "{said}");
        // Until the board's status has come up the bridge, there is nobody to wait for.
        if said.contains("1/1 boards received it") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "never acknowledged over TLS: {said}"
        );
        std::thread::sleep(Duration::from_secs(1));
    }
    board.wait_for("the announcement sent over TLS", |f| share(f, PAPER) > 0.3);
    // Without the province's CA, a staff tool refuses the broker.
    let o = bangtin(
        &p.dir,
        &[
            "fleet",
            "--broker",
            &url,
            "--username",
            "so-ttt",
            "--password",
            &p.password("so-ttt"),
            "--lang",
            "en",
        ],
    );
    assert!(!o.status.success(), "{}", text(&o));
}

#[test]
fn the_example_province_generates_and_a_second_run_changes_nothing() {
    let dir = temp_dir("province-example");
    let out = dir.join("out");
    let province = bangtin_testkit::repo().join("examples/province/province.toml");
    let run = |province: &Path, out: &Path| {
        bangtin(
            &dir,
            &[
                "broker-config",
                "--province",
                province.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
        )
    };
    let o = run(&province, &out);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("3 broker(s), 5 board(s), 4 staff account(s); 12 new account(s)"),
        "{}",
        text(&o)
    );
    // Every board's section makes a config `bangtin check` accepts.
    let section = std::fs::read_to_string(out.join("boards/xuan-non-01.toml")).unwrap();
    let config = dir.join("board.toml");
    std::fs::write(
        &config,
        format!(
            "[board]\nid = \"xuan-non-01\"\narea = \"vn/ha-noi/dong-anh/xuan-non\"\n\
             name = \"UBND xã Xuân Nộn\"\n{section}\n[[trust]]\nkey = \"so-ttt\"\n\
             public = \"{}\"\nscopes = [\"vn/ha-noi\"]\n",
            base64::Engine::encode(
                &base64::engine::general_purpose::STANDARD,
                bangtin_testkit::board::key().verifying_key().as_bytes()
            )
        ),
    )
    .unwrap();
    let o = bangtin(&dir, &["check", "--config", config.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("mqtt.dong-anh.example.vn:8883"),
        "{}",
        text(&o)
    );
    let again = run(&province, &out);
    assert!(again.status.success());
    assert!(text(&again).contains("nothing changed"), "{}", text(&again));
    // A list with a mistake writes nothing and says what is wrong, with its line.
    let bad = dir.join("bad");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::copy(&province, bad.join("province.toml")).unwrap();
    std::fs::write(
        bad.join("boards.csv"),
        "id,area,broker\nxuan-non-01,vn/ha-noi/soc-son/phu-linh,dong-anh\n",
    )
    .unwrap();
    let o = run(&bad.join("province.toml"), &dir.join("out-bad"));
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("boards.csv:2"), "{}", text(&o));
    assert!(!dir.join("out-bad").exists());
    // A folder of other files is refused, not made private.
    let o = run(&province, &bad);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("already holds other files"),
        "{}",
        text(&o)
    );
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(&bad).unwrap().permissions().mode() & 0o777;
    assert_ne!(mode, 0o700, "the folder was made private");
}
