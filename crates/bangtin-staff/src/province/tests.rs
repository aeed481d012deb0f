use super::*;

const PROVINCE: &str = r#"
[province]
name = "ha-noi"
area = "vn/ha-noi"
broker = "mqtts://mqtt.ha-noi.example.vn:8883"
board_ca_file = "/etc/bangtin/province-ca.crt"

[[district]]
name = "dong-anh"
area = "vn/ha-noi/dong-anh"
broker = "mqtts://mqtt.dong-anh.example.vn"

[[district]]
name = "soc-son"
area = "vn/ha-noi/soc-son"
broker = "mqtt://10.0.0.7:1883"

[[staff]]
user = "huyen-dong-anh"
areas = ["vn/ha-noi/dong-anh"]
alerts = true

[[staff]]
user = "xa-xuan-non"
areas = ["vn/ha-noi/dong-anh/xuan-non"]
broker = "dong-anh"

[[staff]]
user = "so-ttt"
areas = ["vn/ha-noi"]
alerts = true
"#;

const BOARDS: &str = "id,area,broker
# the communes of Đông Anh
xuan-non-01,vn/ha-noi/dong-anh/xuan-non,dong-anh
xuan-non-02,vn/ha-noi/dong-anh/xuan-non,dong-anh
bang-tin-thon-dong-xuan-non,vn/ha-noi/dong-anh/xuan-non,dong-anh
phu-linh-01,vn/ha-noi/soc-son/phu-linh,soc-son
ubnd-tp,vn/ha-noi,
";

fn province() -> Province {
    input::from_str(PROVINCE, Some(BOARDS)).unwrap_or_else(|e| panic!("{e:?}"))
}

/// Both ACL files of broker `at`, one after the other.
fn acl_of(p: &Province, at: usize) -> String {
    mosquitto::acl_boards(p, at) + &mosquitto::acl_staff(p, at)
}

fn lines(text: &str, user: &str) -> Vec<String> {
    // The block of `user` in an ACL file.
    let mut out = Vec::new();
    let mut inside = false;
    for l in text.lines() {
        if let Some(u) = l.strip_prefix("user ") {
            inside = u == user;
        } else if inside && l.starts_with("topic ") {
            out.push(l.to_owned());
        }
    }
    out
}

#[test]
fn a_board_reads_only_its_areas_and_writes_only_its_own_reports() {
    let p = province();
    let acl = acl_of(&p, 1);
    let b = lines(&acl, "xuan-non-01");
    assert_eq!(
        b,
        [
            "topic read bangtin/v1/content/vn",
            "topic read bangtin/v1/content/vn/ha-noi",
            "topic read bangtin/v1/content/vn/ha-noi/dong-anh",
            "topic read bangtin/v1/content/vn/ha-noi/dong-anh/xuan-non",
            "topic read bangtin/v1/content/board/xuan-non-01",
            "topic read bangtin/v1/alert/vn",
            "topic read bangtin/v1/alert/vn/ha-noi",
            "topic read bangtin/v1/alert/vn/ha-noi/dong-anh",
            "topic read bangtin/v1/alert/vn/ha-noi/dong-anh/xuan-non",
            "topic read bangtin/v1/alert/board/xuan-non-01",
            "topic read bangtin/v1/board/xuan-non-01/cmd",
            "topic write bangtin/v1/board/xuan-non-01/status",
            "topic write bangtin/v1/board/xuan-non-01/ack",
            "topic readwrite bangtin/v1/board/xuan-non-01/played",
            "topic write bangtin/v1/board/xuan-non-01/reply",
        ]
    );
    // No wildcard a board could use, and the same topics the board subscribes to.
    assert!(b.iter().all(|l| !l.contains('+') && !l.contains('#')));
    let identity = bangtin_protocol::trust::BoardIdentity {
        id: "xuan-non-01".into(),
        area: p.boards[0].area.clone(),
        prefix: "bangtin/v1".into(),
    };
    for t in bangtin_protocol::trust::subscriptions(&identity) {
        assert!(b.contains(&format!("topic read {t}")), "{t}");
    }
    // A board is in the ACL of its own broker only.
    assert!(lines(&acl_of(&p, 0), "xuan-non-01").is_empty());
    assert!(lines(&acl_of(&p, 2), "xuan-non-01").is_empty());
}

#[test]
fn staff_write_only_in_their_areas_and_alerts_only_with_the_right() {
    let p = province();
    let acl0 = acl_of(&p, 0);
    let district = lines(&acl0, "huyen-dong-anh");
    assert!(district.contains(&"topic write bangtin/v1/content/vn/ha-noi/dong-anh/#".into()));
    assert!(district.contains(&"topic write bangtin/v1/alert/vn/ha-noi/dong-anh/#".into()));
    assert!(district.contains(&"topic write bangtin/v1/board/xuan-non-01/cmd".into()));
    assert_eq!(district[0], "topic read bangtin/v1/board/+/status");
    assert!(!district
        .iter()
        .any(|l| l.contains("soc-son") || l.contains("phu-linh")));
    assert!(!district.iter().any(|l| l.contains("ubnd-tp")));
    assert!(!district
        .iter()
        .any(|l| l.contains("status") && l.contains("write")));
    // The commune officer on the district broker: content only, its commune's boards only.
    let acl1 = acl_of(&p, 1);
    let commune = lines(&acl1, "xa-xuan-non");
    assert!(
        commune.contains(&"topic write bangtin/v1/content/vn/ha-noi/dong-anh/xuan-non/#".into())
    );
    assert!(!commune.iter().any(|l| l.contains("/alert/")));
    assert!(commune
        .iter()
        .all(|l| !l.contains("dong-anh/#") || l.contains("xuan-non")));
    // Province staff cover every board of the province.
    let so = lines(&acl0, "so-ttt");
    for b in &p.boards {
        assert!(so.contains(&format!("topic write bangtin/v1/board/{}/cmd", b.id)));
    }
    // Nobody writes the country's topics.
    assert!(!acl0.contains("write bangtin/v1/content/vn\n"));
    assert!(!acl0.contains("write bangtin/v1/content/vn/#"));
}

#[test]
fn a_district_is_bridged_with_its_own_topics_down_and_its_boards_reports_up() {
    let p = province();
    let conf = mosquitto::conf(&p, 1, &generate(&p, &Secrets::new()).1);
    // The bridge logs in at the province's staff listener (the boards' port + 1 by default).
    assert!(conf.contains("connection ha-noi\naddress mqtt.ha-noi.example.vn:8884\n"));
    // Two listeners, each with its own accounts; on the boards' one a client id is its user.
    assert!(conf.contains("per_listener_settings true"));
    assert!(conf.contains("listener 8883\nallow_anonymous false\npassword_file /etc/mosquitto/bangtin/dong-anh/passwd-boards\nacl_file /etc/mosquitto/bangtin/dong-anh/acl-boards\nuse_username_as_clientid true\n"), "{conf}");
    assert!(conf.contains("listener 8884\nallow_anonymous false\npassword_file /etc/mosquitto/bangtin/dong-anh/passwd-staff\nacl_file /etc/mosquitto/bangtin/dong-anh/acl-staff\ncafile"), "{conf}");
    assert!(conf.contains("bridge_protocol_version mqttv50\ntry_private true\n"));
    assert!(conf.contains("bridge_cafile /etc/mosquitto/certs/province-ca.crt"));
    assert!(conf.contains("remote_username bridge-dong-anh\n"));
    let topics: Vec<&str> = conf.lines().filter(|l| l.starts_with("topic ")).collect();
    assert!(topics.contains(&"topic content/vn in 1 bangtin/v1/ bangtin/v1/"));
    assert!(topics.contains(&"topic content/vn/ha-noi in 1 bangtin/v1/ bangtin/v1/"));
    assert!(topics.contains(&"topic alert/vn/ha-noi/dong-anh/# in 1 bangtin/v1/ bangtin/v1/"));
    assert!(topics.contains(&"topic board/+/cmd in 1 bangtin/v1/ bangtin/v1/"));
    assert!(topics.contains(&"topic content/board/+ in 1 bangtin/v1/ bangtin/v1/"));
    assert!(topics.contains(&"topic board/+/ack out 1 bangtin/v1/ bangtin/v1/"));
    // No `both`, nothing of another district, no pattern both in and out (no loops).
    assert!(!topics
        .iter()
        .any(|t| t.contains(" both ") || t.contains("soc-son")));
    let ins: Vec<&str> = topics
        .iter()
        .filter(|t| t.contains(" in "))
        .map(|t| t.split(' ').nth(1).unwrap())
        .collect();
    assert!(!ins
        .iter()
        .any(|t| t.ends_with("status") || t.ends_with("ack")));
    // The province lets the bridge read what it takes down and write its boards' reports.
    let bridge = lines(&acl_of(&p, 0), "bridge-dong-anh");
    assert!(bridge.contains(&"topic read bangtin/v1/alert/vn/ha-noi/dong-anh/#".into()));
    assert_eq!(bridge[0], "topic write bangtin/v1/board/+/status");
    // It subscribes to every board's topics, but reads only its own boards'.
    assert!(bridge.contains(&"topic read bangtin/v1/board/xuan-non-01/cmd".into()));
    assert!(bridge.contains(&"topic read bangtin/v1/content/board/xuan-non-01".into()));
    assert!(!bridge
        .iter()
        .any(|l| l.contains('+') && l.starts_with("topic read")));
    assert!(!bridge.iter().any(|l| l.contains("phu-linh")));
    // The province's own conf has no bridge; a plain-MQTT district gets no TLS lines.
    assert!(!mosquitto::conf(&p, 0, &Secrets::new()).contains("connection "));
    let soc_son = mosquitto::conf(&p, 2, &Secrets::new());
    assert!(soc_son.contains("listener 1883\n") && soc_son.contains("listener 1884\n"));
    assert!(!soc_son.contains("certfile"));
}

#[test]
fn each_broker_knows_only_the_accounts_that_log_in_there() {
    let p = province();
    let (files, secrets) = generate(&p, &Secrets::new());
    let users = |name: &str, which: &str| -> Vec<String> {
        files[&PathBuf::from(format!("brokers/{name}/passwd-{which}"))]
            .text
            .lines()
            .map(|l| l.split(':').next().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        users("ha-noi", "staff"),
        [
            "bridge-dong-anh",
            "bridge-soc-son",
            "huyen-dong-anh",
            "monitor",
            "so-ttt"
        ]
    );
    assert_eq!(users("ha-noi", "boards"), ["ubnd-tp"]);
    assert_eq!(users("dong-anh", "staff"), ["monitor", "xa-xuan-non"]);
    assert_eq!(
        users("dong-anh", "boards"),
        ["bang-tin-thon-dong-xuan-non", "xuan-non-01", "xuan-non-02"]
    );
    for (user, s) in &secrets {
        assert!(secrets::verify(&s.password, &s.hash), "{user}");
        // Passwords are never in an ACL or a broker conf other than the bridge's own.
        for (path, f) in &files {
            let allowed = path.ends_with("secrets.toml")
                || path == &PathBuf::from(format!("boards/{user}.toml"))
                || (user.starts_with("bridge-") && path.ends_with("mosquitto.conf"));
            assert!(
                allowed || !f.text.contains(&s.password),
                "{user} in {path:?}"
            );
        }
    }
    assert!(files.iter().all(|(p, f)| f.secret
        || p.to_string_lossy().contains("/acl-")
        || p.ends_with("mosquitto.conf")));
}

#[test]
fn a_board_section_is_a_board_config_that_checks() {
    let p = province();
    let (files, secrets) = generate(&p, &Secrets::new());
    let section = &files[&PathBuf::from("boards/bang-tin-thon-dong-xuan-non.toml")].text;
    assert!(section.contains("url = \"mqtts://mqtt.dong-anh.example.vn:8883\""));
    assert!(section.contains("ca_file = \"/etc/bangtin/province-ca.crt\""));
    let config = format!(
        "[board]\nid = \"bang-tin-thon-dong-xuan-non\"\narea = \"vn/ha-noi/dong-anh/xuan-non\"\n\
         name = \"Thôn Đông\"\n{section}\n[[trust]]\nkey = \"so\"\n\
         public = \"{}\"\nscopes = [\"vn/ha-noi\"]\n",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, [1u8; 32])
    );
    let c = bangtin_config::parse(&config, "board.toml").unwrap_or_else(|e| panic!("{e}"));
    let broker = c.broker;
    assert_eq!(
        broker.username.as_deref(),
        Some("bang-tin-thon-dong-xuan-non")
    );
    assert_eq!(
        broker.password.as_deref(),
        Some(secrets["bang-tin-thon-dong-xuan-non"].password.as_str())
    );
    assert!(broker.client_id.len() <= 23);
    // A plain-MQTT broker gets no CA file.
    let plain = &files[&PathBuf::from("boards/phu-linh-01.toml")].text;
    assert!(!plain.contains("ca_file"));
}

#[test]
fn a_second_run_changes_only_what_the_list_changed() {
    let dir = tempfile::tempdir().unwrap();
    let p = province();
    let (files, secrets) = generate(&p, &Secrets::new());
    let first = write(dir.path(), &files).unwrap();
    assert!(first.iter().all(|(_, c)| *c == Change::New));
    assert_eq!(first.len(), files.len());
    // The same list again: nothing changes, passwords included.
    let again =
        secrets::from_toml(&std::fs::read_to_string(dir.path().join("secrets.toml")).unwrap())
            .unwrap();
    assert_eq!(again, secrets);
    let (files2, _) = generate(&p, &again);
    assert_eq!(write(dir.path(), &files2).unwrap(), []);
    // One board added in Sóc Sơn, one removed in Đông Anh: ACLs and password files change (a
    // reload), no broker's configuration (no restart).
    let csv = BOARDS.replace("xuan-non-02,vn/ha-noi/dong-anh/xuan-non,dong-anh\n", "")
        + "phu-linh-02,vn/ha-noi/soc-son/phu-linh,soc-son\n";
    let p3 = input::from_str(PROVINCE, Some(&csv)).unwrap();
    let (files3, secrets3) = generate(&p3, &again);
    let changes = write(dir.path(), &files3).unwrap();
    let changed: Vec<String> = changes
        .iter()
        .map(|(p, c)| format!("{c:?} {}", p.display()))
        .collect();
    assert_eq!(
        changed,
        [
            "New boards/phu-linh-02.toml",
            "Removed boards/xuan-non-02.toml",
            "Changed brokers/dong-anh/acl-boards",
            "Changed brokers/dong-anh/acl-staff",
            "Changed brokers/dong-anh/passwd-boards",
            "Changed brokers/ha-noi/acl-staff",
            "Changed brokers/soc-son/acl-boards",
            "Changed brokers/soc-son/passwd-boards",
            "Changed secrets.toml",
        ],
        "{changes:?}"
    );
    assert_eq!(secrets3["xuan-non-01"], secrets["xuan-non-01"]);
    assert!(!secrets3.contains_key("xuan-non-02"));
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |p: &str| {
        std::fs::metadata(dir.path().join(p))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode("secrets.toml"), 0o600);
    assert_eq!(mode("boards/phu-linh-02.toml"), 0o600);
    assert_eq!(mode("brokers/ha-noi/acl-staff"), 0o644);
    assert_eq!(mode("brokers/ha-noi/passwd-boards"), 0o600);
    assert_eq!(mode("."), 0o700);
}

#[test]
fn every_problem_of_a_province_file_is_named() {
    let bad = PROVINCE.replace("name = \"soc-son\"", "name = \"dong-anh\"");
    let csv = "id,area,broker
xuan-non-01,vn/ha-noi/dong-anh/xuan-non,dong-anh
xuan-non-01,vn/ha-noi/dong-anh/xuan-non,dong-anh
Xuan Non,vn/ha-noi,
tay-ho-01,vn/ha-noi/tay-ho,dong-anh
ngoai-tinh,vn/bac-ninh,
monitor,vn/ha-noi,
a,vn/ha-noi,dong-ah
\"q\",vn/ha-noi,
";
    let e = input::from_str(&bad, Some(csv)).unwrap_err();
    let all = e.join("\n");
    for needle in [
        "district \"dong-anh\": the name is used twice",
        "the board id is listed twice",
        "(\"Xuan Non\"): the board id must be",
        "(\"tay-ho-01\"): area \"vn/ha-noi/tay-ho\" is outside the area \"vn/ha-noi/dong-anh\"",
        "(\"ngoai-tinh\"): area \"vn/bac-ninh\" is outside the area \"vn/ha-noi\"",
        "(\"monitor\"): the names \"monitor\"",
        "no broker \"dong-ah\"; the brokers are ha-noi, dong-anh, dong-anh",
        "boards.csv:9: expected 2 or 3 columns",
    ] {
        assert!(all.contains(needle), "{needle:?} not in:\n{all}");
    }
    let e = input::from_str(PROVINCE, Some("board,area\nx,vn/ha-noi\n")).unwrap_err();
    assert!(e[0].contains("the first line must be the header"), "{e:?}");
    let e = input::from_str(&PROVINCE.replace("[[staff]]", "[[staf]]"), None).unwrap_err();
    assert!(e[0].contains("staf"), "{e:?}");
}

#[test]
fn nothing_from_the_file_can_add_a_line_to_a_broker_configuration() {
    let bad = PROVINCE.replace(
        "board_ca_file = \"/etc/bangtin/province-ca.crt\"",
        "board_ca_file = \"ca.crt\"\nlisten = \"0.0.0.0\\nallow_anonymous true\"",
    )
        + "\n[mosquitto]\nconf_dir = \"/etc/x\\nallow_anonymous true\"\ndata_dir = \"relative\"\n";
    let e = input::from_str(&bad, Some(BOARDS)).unwrap_err().join("\n");
    let more = PROVINCE
        .replace(
            "name = \"ha-noi\"",
            "name = \"ha-noi\"\nprefix = \"bangtin/v1\\nx\"",
        )
        .replace(
            "broker = \"mqtt://10.0.0.7:1883\"",
            "broker = \"mqtt://10.0.0.7:1883\"\nlisten = \"10.0.0.7\\nuser root\"",
        )
        + "\n[mosquitto]\ncerts_dir = \"/etc/c\\npassword_file /tmp/p\"\n";
    let e2 = input::from_str(&more, Some(BOARDS)).unwrap_err().join("\n");
    for needle in [
        "province.prefix \"bangtin/v1\\nx\"",
        "district \"soc-son\": listen \"10.0.0.7\\nuser root\" must not",
        "mosquitto.certs_dir \"/etc/c\\npassword_file /tmp/p\" must not",
    ] {
        assert!(e2.contains(needle), "{needle:?} not in:\n{e2}");
    }
    for needle in [
        "province.listen \"0.0.0.0\\nallow_anonymous true\" must not",
        "mosquitto.conf_dir \"/etc/x\\nallow_anonymous true\" must not",
        "mosquitto.data_dir \"relative\" must be an absolute path",
        "province.board_ca_file \"ca.crt\" must be an absolute path",
    ] {
        assert!(e.contains(needle), "{needle:?} not in:\n{e}");
    }
}
