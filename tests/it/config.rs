//! The board config: real TOML text in, a typed config or EVERY problem out, each as
//! `FILE:LINE: KEY MESSAGE`; unknown keys refused with a did-you-mean; no input panics.

use bangtin_config::{self as config, Config, ConfigErrors};
use bangtin_protocol::trust::Scope;
use base64::Engine as _;
use chrono::FixedOffset;
use std::path::{Path, PathBuf};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/config");

fn fixture(name: &str) -> String {
    std::fs::read_to_string(Path::new(FIXTURES).join(name)).expect("fixture")
}

/// The base64 public key of `SigningKey::from_bytes(&[seed; 32])`.
fn public_b64(seed: u8) -> String {
    let key = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]).verifying_key();
    base64::engine::general_purpose::STANDARD.encode(key.to_bytes())
}

fn ok(text: &str) -> Config {
    match config::parse(text, "board.toml") {
        Ok(c) => c,
        Err(e) => panic!("expected a valid config, got:\n{e}"),
    }
}

fn errors(text: &str) -> Vec<String> {
    match config::parse(text, "board.toml") {
        Ok(c) => panic!("expected problems, parsed {c:?}"),
        Err(ConfigErrors(lines)) => {
            assert!(!lines.is_empty(), "an error with no problem in it");
            lines
        }
    }
}

#[track_caller]
fn assert_has(errors: &[String], needle: &str) {
    assert!(
        errors.iter().any(|e| e.contains(needle)),
        "no problem contains {needle:?}; got:\n{}",
        errors.join("\n")
    );
}

const BOARD: &str = r#"[board]
id = "xuan-non-01"
area = "vn/ha-noi/dong-anh/xuan-non"
name = "UBND xã Xuân Nộn"
"#;

fn trust_entry(key: &str, public: &str, scopes: &str) -> String {
    format!("[[trust]]\nkey = \"{key}\"\npublic = \"{public}\"\nscopes = {scopes}\n")
}

fn one_trust() -> String {
    trust_entry(
        "huyen-dong-anh",
        &public_b64(7),
        r#"["vn/ha-noi/dong-anh"]"#,
    )
}

/// A valid config but for the given `[broker]` body.
fn with_broker(broker_body: &str) -> String {
    format!("{BOARD}\n[broker]\n{broker_body}\n\n{}", one_trust())
}

/// A valid config but for the given `[[trust]]` tables.
fn with_trust(trust: &str) -> String {
    format!("{BOARD}\n[broker]\nurl = \"mqtt://127.0.0.1\"\n\n{trust}")
}

#[test]
fn a_complete_config_reads_into_the_right_values() {
    let c = ok(&fixture("board.toml"));
    assert_eq!(c.board.id, "xuan-non-01");
    assert_eq!(c.board.area, ["vn", "ha-noi", "dong-anh", "xuan-non"]);
    assert_eq!(c.board.name, "UBND xã Xuân Nộn");
    assert_eq!(c.board.timezone, FixedOffset::east_opt(7 * 3600).unwrap());

    assert!(c.broker.url.tls);
    assert_eq!(c.broker.url.host, "mqtt.dong-anh.example.vn");
    assert_eq!(c.broker.url.port, 8884);
    assert_eq!(c.broker.prefix, "bangtin/v1");
    assert_eq!(c.broker.username.as_deref(), Some("xuan-non-01"));
    assert_eq!(c.broker.password.as_deref(), Some("mật khẩu bí mật"));
    assert_eq!(c.broker.ca_file, Some(PathBuf::from("/etc/bangtin/ca.pem")));
    assert_eq!(
        c.broker.client_cert,
        Some(PathBuf::from("/etc/bangtin/xuan-non-01.crt"))
    );
    assert_eq!(
        c.broker.client_key,
        Some(PathBuf::from("/etc/bangtin/xuan-non-01.key"))
    );
    assert_eq!(c.broker.keep_alive_s, 60);
    assert_eq!(c.broker.client_id, "bangtin-xn01");

    assert_eq!(c.trust.len(), 2);
    let huyen = &c.trust[0];
    assert_eq!(huyen.id, "huyen-dong-anh");
    assert_eq!(
        huyen.public,
        ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]).verifying_key()
    );
    assert_eq!(
        huyen.scopes,
        [Scope::Area(vec![
            "vn".into(),
            "ha-noi".into(),
            "dong-anh".into()
        ])]
    );
    assert!(huyen.alerts);
    let xa = &c.trust[1];
    assert_eq!(xa.id, "xa-xuan-non");
    assert_eq!(xa.public.to_bytes(), {
        ed25519_dalek::SigningKey::from_bytes(&[8u8; 32])
            .verifying_key()
            .to_bytes()
    });
    assert_eq!(xa.scopes[1], Scope::Board("xuan-non-01".into()));
    assert!(!xa.alerts, "alerts defaults to false");

    assert_eq!(c.revoked, ["huyen-dong-anh-2023", "old.laptop_1"]);
    assert_eq!((c.display.width, c.display.height), (1080, 1920));
    assert_eq!(c.store.dir, PathBuf::from("/srv/bangtin"));
    assert_eq!(c.store.max_bytes, 1 << 30);
    assert_eq!(c.assets.max_bytes, 8 << 20);
    assert_eq!(c.assets.concurrency, 4);
    assert_eq!(c.assets.timeout_s, 60);

    let id = c.identity();
    assert_eq!(id.id, "xuan-non-01");
    assert_eq!(id.area, c.board.area);
    assert_eq!(id.prefix, "bangtin/v1");
}

#[test]
fn fixture_keys_are_the_documented_test_keys() {
    let text = fixture("board.toml");
    assert!(text.contains(&public_b64(7)));
    assert!(text.contains(&public_b64(8)));
}

#[test]
fn defaults_fill_everything_left_out() {
    let c = ok(&fixture("minimal.toml"));
    assert_eq!(c.board.timezone, FixedOffset::east_opt(7 * 3600).unwrap());
    assert!(!c.broker.url.tls);
    assert_eq!(c.broker.url.host, "127.0.0.1");
    assert_eq!(c.broker.url.port, 1883);
    assert_eq!(c.broker.url.to_string(), "mqtt://127.0.0.1:1883");
    assert_eq!(c.broker.prefix, "bangtin/v1");
    assert_eq!(c.broker.username, None);
    assert_eq!(c.broker.password, None);
    assert_eq!(c.broker.ca_file, None);
    assert_eq!(c.broker.client_cert, None);
    assert_eq!(c.broker.client_key, None);
    assert_eq!(c.broker.keep_alive_s, 30);
    assert_eq!(c.broker.client_id, "bangtin-xuan-non-01");
    assert!(!c.trust[0].alerts);
    assert!(c.revoked.is_empty());
    assert_eq!((c.display.width, c.display.height), (1920, 1080));
    assert_eq!(c.store.dir, PathBuf::from("/var/lib/bangtin"));
    assert_eq!(c.store.max_bytes, 512 << 20);
    assert_eq!(c.assets.max_bytes, 16 << 20);
    assert_eq!(c.assets.concurrency, 2);
    assert_eq!(c.assets.timeout_s, 30);
}

#[test]
fn load_reads_a_file_and_names_it_in_problems() {
    let c = config::load(&Path::new(FIXTURES).join("board.toml")).unwrap();
    assert_eq!(c.board.id, "xuan-non-01");

    let path = Path::new(FIXTURES).join("many-mistakes.toml");
    let errs = config::load(&path).unwrap_err().0;
    let prefix = format!("{}:2: board.id", path.display());
    assert_has(&errs, &prefix);
}

#[test]
fn every_mistake_is_reported_with_its_key_and_line() {
    let errs = errors(&fixture("many-mistakes.toml"));
    let expected = [
        "board.toml:1: board.name is required",
        r#"board.toml:2: board.id must be a slug of 1..=64 characters a-z, 0-9 or '-', got "Xuan Non""#,
        r#"board.toml:3: board.area must be an area path"#,
        "board.toml:4: board.nmae is not a known setting; did you mean board.name?",
        r#"board.toml:5: board.timezone must be a UTC offset "+HH:MM" or "-HH:MM""#,
        "board.toml:8: broker.url must start with mqtt:// or mqtts://",
        r#"board.toml:9: broker.keep_alive_s must be an integer, got a string ("30")"#,
        r#"board.toml:10: broker.client_id must be 1..=23 characters"#,
        "board.toml:11: broker.password must be a string, got an integer",
        "board.toml:12: broker.prefix must not contain the MQTT wildcards",
        "board.toml:16: trust[0].public is not valid base64: ",
        r#"board.toml:17: trust[0].scopes[0] must be an area path of slugs such as "vn/ha-noi" or "board/BOARD-ID", got "vn/Ha Noi""#,
        r#"board.toml:17: trust[0].scopes[1] must be an area path"#,
        r#"board.toml:18: trust[0].alerts must be true or false, got a string ("yes")"#,
        r#"board.toml:21: trust[1].key "huyen" is already the id of trust[0]"#,
        "board.toml:22: trust[1].public must be 32 bytes of Ed25519 public key, got 3",
        "board.toml:23: trust[1].scopes must not be empty",
        "board.toml:25: dispaly is not a known setting; did you mean display?",
        "board.toml:29: display.width must be 16..=7680 pixels, got 10",
        "board.toml:30: display.height must be 16..=7680 pixels, got 9000",
        "board.toml:31: display.colour is not a known setting (known in display: width, height, rotation, region, header, ticker, ticker_speed, fade_ms, scaling, brightness)",
        "board.toml:34: store.max_bytes must be an integer, got a float (1.5)",
        "board.toml:35: store.revoked is not a known setting; top-level keys such as revoked must come before the first [table] header",
        "board.toml:38: assets.concurrency must be 1..=8",
        "board.toml:39: assets.timeout_s must be 1..=600 seconds, got 601",
        "board.toml:40: assets.max_bytes must be 1024..=67108864 bytes (1 KiB..=64 MiB), got -1",
    ];
    for needle in expected {
        assert_has(&errs, needle);
    }
    assert_eq!(
        errs.len(),
        expected.len(),
        "one problem per mistake, got:\n{}",
        errs.join("\n")
    );
    // In line order, so an operator can work down the file.
    let lines: Vec<usize> = errs
        .iter()
        .map(|e| e.split(':').nth(1).unwrap().parse().unwrap())
        .collect();
    assert!(lines.windows(2).all(|w| w[0] <= w[1]), "{lines:?}");
    // A password never appears, not even in a type error.
    assert!(!errs.iter().any(|e| e.contains("1234")));
}

#[test]
fn display_is_one_problem_per_line() {
    let e = config::parse(&fixture("many-mistakes.toml"), "board.toml").unwrap_err();
    let shown = e.to_string();
    assert_eq!(shown.lines().count(), e.0.len());
    assert!(shown.lines().all(|l| l.starts_with("board.toml:")));
}

#[test]
fn a_typo_gets_a_did_you_mean() {
    let errs = errors(&with_broker("url = \"mqtt://h\"\nkeep_alive = 30"));
    assert_eq!(
        errs,
        ["board.toml:8: broker.keep_alive is not a known setting; did you mean broker.keep_alive_s?"]
    );

    let errs = errors(&format!(
        "{}\n[display]\nwidht = 800\n",
        with_broker("url = \"mqtt://h\"")
    ));
    assert_has(
        &errs,
        "display.widht is not a known setting; did you mean display.width?",
    );

    let errs = errors(&with_trust(&format!("{}alert = true\n", one_trust())));
    assert_has(
        &errs,
        "trust[0].alert is not a known setting; did you mean trust[0].alerts?",
    );

    // Nothing close: the known keys are listed instead.
    let errs = errors(&format!(
        "{}\n[display]\ncontrast = 80\n",
        with_broker("url = \"mqtt://h\"")
    ));
    assert_has(
        &errs,
        "display.contrast is not a known setting (known in display: width, height, rotation, region, header, ticker, ticker_speed, fade_ms, scaling, brightness)",
    );
    let errs = errors(&format!(
        "{}\n[network]\nwifi = \"x\"\n",
        with_broker("url = \"mqtt://h\"")
    ));
    assert_has(
        &errs,
        "network is not a known setting (known: board, broker, trust",
    );
    // An odd key is quoted, and still found on its line.
    let errs = errors(&format!(
        "{}\n[display]\n\"full screen\" = true\n",
        with_broker("url = \"mqtt://h\"")
    ));
    assert_has(
        &errs,
        "board.toml:15: display.\"full screen\" is not a known setting",
    );
}

#[test]
fn keep_alive_under_five_seconds_is_refused_not_a_panic() {
    let errs = errors(&with_broker("url = \"mqtt://h\"\nkeep_alive_s = 1"));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_has(
        &errs,
        "board.toml:8: broker.keep_alive_s must be 5..=3600 seconds, got 1",
    );
    assert_has(&errs, "less than 5 s");
    assert_has(
        &errors(&with_broker("url = \"mqtt://h\"\nkeep_alive_s = 3601")),
        "broker.keep_alive_s must be 5..=3600 seconds, got 3601",
    );
    assert_has(
        &errors(&with_broker(
            "url = \"mqtt://h\"\nkeep_alive_s = 99999999999999",
        )),
        "got 99999999999999",
    );
    let c = ok(&with_broker("url = \"mqtt://h\"\nkeep_alive_s = 5"));
    assert_eq!(c.broker.keep_alive_s, 5);
}

#[test]
fn client_id_must_be_portable() {
    let errs = errors(&with_broker(
        "url = \"mqtt://h\"\nclient_id = \"bangtin-xuan-non-01-main-screen\"",
    ));
    assert_has(
        &errs,
        "board.toml:8: broker.client_id must be 1..=23 characters",
    );
    assert_has(&errs, "(31 characters)");
    assert_has(
        &errors(&with_broker("url = \"mqtt://h\"\nclient_id = \"bảng tin\"")),
        "broker.client_id must be 1..=23",
    );
    assert_has(
        &errors(&with_broker("url = \"mqtt://h\"\nclient_id = \"\"")),
        "broker.client_id must be 1..=23",
    );
    // 23 is fine.
    let c = ok(&with_broker(
        "url = \"mqtt://h\"\nclient_id = \"ABCDEFGHIJ_0123456789-x\"",
    ));
    assert_eq!(c.broker.client_id.len(), 23);

    // A long board id makes the default too long: said, with the fix.
    let text = format!(
        "[board]\nid = \"ubnd-xa-xuan-non-cong-chinh\"\narea = \"vn\"\nname = \"X\"\n\n\
         [broker]\nurl = \"mqtt://h\"\n\n{}",
        one_trust()
    );
    let errs = errors(&text);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_has(&errs, "board.toml:6: broker.client_id is not set, and its default \"bangtin-ubnd-xa-xuan-non-cong-chinh\"");
    assert_has(&errs, "set broker.client_id");
}

#[test]
fn tls_options_need_mqtts() {
    let errs = errors(&with_broker(
        "url = \"mqtt://h:1883\"\nca_file = \"/etc/ca.pem\"\nclient_cert = \"c.pem\"\nclient_key = \"k.pem\"",
    ));
    assert_eq!(errs.len(), 3, "{errs:?}");
    assert_has(
        &errs,
        "board.toml:8: broker.ca_file is only for TLS (mqtts://), but broker.url is mqtt://h:1883",
    );
    assert_has(&errs, "board.toml:9: broker.client_cert is only for TLS");
    assert_has(&errs, "board.toml:10: broker.client_key is only for TLS");

    let c = ok(&with_broker(
        "url = \"mqtts://h\"\nca_file = \"/etc/ca.pem\"",
    ));
    assert_eq!(c.broker.url.port, 8883);
    assert_eq!(c.broker.ca_file, Some(PathBuf::from("/etc/ca.pem")));

    assert_eq!(
        errors(&with_broker("url = \"mqtts://h\"\nclient_cert = \"c.pem\"")),
        ["board.toml:8: broker.client_cert needs broker.client_key too: a client certificate is used with its key"]
    );
    assert_has(
        &errors(&with_broker("url = \"mqtts://h\"\nclient_key = \"k.pem\"")),
        "broker.client_key needs broker.client_cert too",
    );
    assert_has(
        &errors(&with_broker("url = \"mqtts://h\"\nca_file = \"\"")),
        "broker.ca_file must not be empty",
    );
}

#[test]
fn broker_urls() {
    let c = ok(&with_broker("url = \"mqtt://[::1]:1884\""));
    assert_eq!(
        (c.broker.url.host.as_str(), c.broker.url.port),
        ("[::1]", 1884)
    );
    for (url, needle) in [
        ("ws://h:80", "must start with mqtt:// or mqtts://"),
        ("mqtt://", "has no host"),
        ("mqtt://h:0", "a port must be 1..=65535"),
        ("mqtt://h:70000", "a port must be 1..=65535"),
        (
            "mqtt://h:1883/bangtin",
            "must have nothing after the host and port",
        ),
        ("mqtt://h h", "is not a host name or IP address"),
    ] {
        assert_has(&errors(&with_broker(&format!("url = \"{url}\""))), needle);
    }
    // Credentials belong in username/password, and are never echoed back.
    let errs = errors(&with_broker("url = \"mqtt://admin:hunter2@h\""));
    assert_has(&errs, "broker.url must not hold a user name or password");
    assert!(!errs.iter().any(|e| e.contains("hunter2")));
    assert_has(
        &errors(&with_broker("")),
        "board.toml:6: broker.url is required",
    );
}

#[test]
fn credentials_and_prefix() {
    let c = ok(&with_broker(
        "url = \"mqtt://h\"\nusername = \"u\"\npassword = \"p\"\nprefix = \"dong-anh/bangtin/v1\"",
    ));
    assert_eq!(c.broker.username.as_deref(), Some("u"));
    assert_eq!(c.broker.password.as_deref(), Some("p"));
    assert_eq!(c.identity().prefix, "dong-anh/bangtin/v1");

    let errs = errors(&with_broker("url = \"mqtt://h\"\npassword = \"s3cret\""));
    assert_eq!(
        errs,
        ["board.toml:8: broker.password is set without broker.username; the broker needs both"]
    );
    for (prefix, needle) in [
        ("", "must not be empty"),
        ("bangtin/+", "must not contain the MQTT wildcards"),
        ("/bangtin", "must not start or end with '/'"),
        ("bangtin/v1/", "must not start or end with '/'"),
        ("bangtin//v1", "must not contain an empty level"),
    ] {
        assert_has(
            &errors(&with_broker(&format!(
                "url = \"mqtt://h\"\nprefix = \"{prefix}\""
            ))),
            &format!("broker.prefix {needle}"),
        );
    }
}

#[test]
fn duplicate_trust_key_ids_are_refused() {
    let text = with_trust(&format!(
        "{}\n{}",
        trust_entry(
            "huyen-dong-anh",
            &public_b64(7),
            r#"["vn/ha-noi/dong-anh"]"#
        ),
        trust_entry("huyen-dong-anh", &public_b64(8), r#"["vn/ha-noi"]"#),
    ));
    let errs = errors(&text);
    assert_eq!(
        errs,
        [
            r#"board.toml:15: trust[1].key "huyen-dong-anh" is already the id of trust[0]; each key id must be unique"#
        ]
    );
}

#[test]
fn bad_public_keys_are_refused_with_the_reason() {
    let errs = errors(&with_trust(&trust_entry("k", "not base64!", r#"["vn"]"#)));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_has(
        &errs,
        "board.toml:11: trust[0].public is not valid base64: ",
    );

    let short = base64::engine::general_purpose::STANDARD.encode([1u8; 16]);
    assert_has(
        &errors(&with_trust(&trust_entry("k", &short, r#"["vn"]"#))),
        "board.toml:11: trust[0].public must be 32 bytes of Ed25519 public key, got 16",
    );
    // The identity point: small order, so anyone could forge for it.
    let mut weak = [0u8; 32];
    weak[0] = 1;
    let weak = base64::engine::general_purpose::STANDARD.encode(weak);
    assert_has(
        &errors(&with_trust(&trust_entry("k", &weak, r#"["vn"]"#))),
        "trust[0].public is a weak Ed25519 key",
    );
    assert_has(
        &errors(&with_trust("[[trust]]\nkey = \"k\"\nscopes = [\"vn\"]\n")),
        "board.toml:9: trust[0].public is required",
    );
}

#[test]
fn bad_scopes_are_named() {
    let errs = errors(&with_trust(&trust_entry(
        "k",
        &public_b64(7),
        r#"["vn/ha-noi", "vn/Hà Nội", "board/", 7]"#,
    )));
    assert_has(
        &errs,
        r#"board.toml:12: trust[0].scopes[1] must be an area path of slugs such as "vn/ha-noi" or "board/BOARD-ID", got "vn/Hà Nội""#,
    );
    assert_has(
        &errs,
        r#"trust[0].scopes[2] must be an area path of slugs such as "vn/ha-noi" or "board/BOARD-ID", got "board/""#,
    );
    assert_has(
        &errs,
        "trust[0].scopes[3] must be a string, got an integer (7)",
    );
    assert_eq!(errs.len(), 3, "{errs:?}");

    assert_has(
        &errors(&with_trust(&trust_entry("k", &public_b64(7), "[]"))),
        "trust[0].scopes must not be empty",
    );
    assert_has(
        &errors(&with_trust(&trust_entry("k", &public_b64(7), "\"vn\""))),
        "trust[0].scopes must be a list of strings, got a string (\"vn\")",
    );
}

#[test]
fn no_trust_key_is_a_problem() {
    let errs = errors(&with_trust(""));
    assert_eq!(
        errs,
        ["board.toml: no [[trust]] key: this board would accept nothing; add at least one [[trust]] table with key, public and scopes"]
    );
    assert_has(
        &errors(&format!("trust = []\n{}", with_trust(""))),
        "board.toml:1: no [[trust]] key",
    );
    // A single-bracket [trust] is the classic slip.
    assert_has(
        &errors(&with_trust(&one_trust().replace("[[trust]]", "[trust]"))),
        "board.toml:9: trust must be written [[trust]], with double brackets",
    );
}

#[test]
fn revoked_is_a_top_level_list_of_key_ids() {
    let c = ok(&format!(
        "revoked = [\"old-key\"]\n\n{}",
        with_trust(&one_trust())
    ));
    assert_eq!(c.revoked, ["old-key"]);
    let errs = errors(&format!(
        "revoked = [\"ok\", \"not ok\", 3]\n\n{}",
        with_trust(&one_trust())
    ));
    assert_has(
        &errs,
        "board.toml:1: revoked[2] must be a string, got an integer (3)",
    );
    let errs = errors(&format!(
        "revoked = [\"ok\", \"not ok\"]\n\n{}",
        with_trust(&one_trust())
    ));
    assert_has(
        &errs,
        r#"board.toml:1: revoked[1] must be a key id of 1..=64 characters"#,
    );
    assert_has(
        &errors(&format!(
            "revoked = \"old-key\"\n\n{}",
            with_trust(&one_trust())
        )),
        "board.toml:1: revoked must be a list of strings, got a string",
    );
}

#[test]
fn board_values() {
    let text = |board: &str| {
        format!(
            "[board]\n{board}\n\n[broker]\nurl = \"mqtt://h\"\n\n{}",
            one_trust()
        )
    };
    let c = ok(&text(
        "id = \"a\"\narea = \"vn\"\nname = \"A\"\ntimezone = \"-03:30\"",
    ));
    assert_eq!(
        c.board.timezone,
        FixedOffset::west_opt(3 * 3600 + 1800).unwrap()
    );
    let errs = errors(&text(
        "id = 1\narea = \"vn/\"\nname = \"  \"\ntimezone = \"+07\"",
    ));
    assert_has(
        &errs,
        "board.toml:2: board.id must be a string, got an integer (1)",
    );
    assert_has(
        &errs,
        r#"board.toml:3: board.area must be an area path of '/'-separated slugs (a-z, 0-9, '-') such as "vn/ha-noi/dong-anh/xuan-non", got "vn/""#,
    );
    assert_has(&errs, "board.toml:4: board.name must not be empty");
    assert_has(
        &errs,
        r#"board.toml:5: board.timezone must be a UTC offset "+HH:MM" or "-HH:MM" from -12:00 to +14:00 (Vietnam: "+07:00"), got "+07""#,
    );
    let long = "Ủ".repeat(101);
    assert_has(
        &errors(&text(&format!(
            "id = \"a\"\narea = \"vn\"\nname = \"{long}\""
        ))),
        "board.name must be at most 100 characters, got 101",
    );
    // Multi-line strings neither confuse the line numbers nor pass as a one-line name.
    let errs = errors(&text(
        "name = \"\"\"\nline one\nid = \"fake\"\n\"\"\"\nid = \"B\"\narea = \"vn\"",
    ));
    assert_has(&errs, "board.toml:2: board.name must be one line of text");
    assert_has(&errs, "board.toml:6: board.id must be a slug");
}

#[test]
fn sizes_and_limits() {
    let base = with_broker("url = \"mqtt://h\"");
    let c = ok(&format!("{base}\n[display]\nwidth = 16\nheight = 7680\n\n[store]\nmax_bytes = 1048576\n\n[assets]\nmax_bytes = 1024\nconcurrency = 8\ntimeout_s = 600\n"));
    assert_eq!((c.display.width, c.display.height), (16, 7680));
    assert_eq!(c.store.max_bytes, 1 << 20);
    assert_eq!(
        (c.assets.max_bytes, c.assets.concurrency, c.assets.timeout_s),
        (1024, 8, 600)
    );

    let errs = errors(&format!("{base}\n[display]\nwidth = 0\nheight = \"1080\"\n\n[store]\ndir = \"\"\nmax_bytes = 68719476737\n"));
    assert_has(&errs, "display.width must be 16..=7680 pixels, got 0");
    assert_has(
        &errs,
        r#"display.height must be an integer, got a string ("1080")"#,
    );
    assert_has(&errs, "store.dir must not be empty");
    assert_has(
        &errs,
        "store.max_bytes must be 1048576..=68719476736 bytes (1 MiB..=64 GiB), got 68719476737",
    );
    assert_has(
        // (a top-level key: before the first header, or it would belong to [[trust]])
        &errors(&format!("display = 5\n{base}")),
        "display must be a table ([display]), got an integer (5)",
    );
    // Written after [[trust]], the same line is trust[0].display: said so, with the TOML rule.
    assert_has(
        &errors(&format!("{base}\ndisplay = 5\n")),
        "board.toml:14: trust[0].display is not a known setting; top-level keys such as display must come before the first [table] header",
    );
}

#[test]
fn a_syntax_error_gives_its_line() {
    let errs = errors("[board]\nid = \"xuan-non-01\"\nname = \"unterminated\narea = \"vn\"\n");
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with("board.toml:3: is not valid TOML: "),
        "{errs:?}"
    );

    let errs = errors("[board]\nid = \"a\"\nid = \"b\"\n");
    assert!(
        errs[0].starts_with("board.toml:3: is not valid TOML: "),
        "{errs:?}"
    );
    assert_has(&errs, "duplicate key");

    let errs = errors("\n\n\n\n[board\n");
    assert!(errs[0].starts_with("board.toml:5: "), "{errs:?}");
}

#[test]
fn an_empty_file_lists_what_is_required() {
    for text in ["", "\n\n# nothing yet\n"] {
        let errs = errors(text);
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert_has(
            &errs,
            "board.toml: board is required: a [board] table with id, area and name",
        );
        assert_has(&errs, "board.toml: broker is required");
        assert_has(&errs, "board.toml: no [[trust]] key");
    }
}

#[test]
fn a_file_that_is_not_utf8_is_an_error_not_a_panic() {
    let dir = std::env::temp_dir().join(format!("bangtin-config-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("board.toml");
    // "Xuân" in Windows-1258 / Latin-1, as an old editor might save it.
    std::fs::write(&path, b"[board]\nname = \"Xu\xe2n N\xf4n\"\n").unwrap();
    let result = config::load(&path);
    std::fs::remove_dir_all(&dir).ok();
    let errs = result.unwrap_err().0;
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(
        errs[0],
        format!(
            "{}:2: is not UTF-8 text (byte 0xE2 at column 11); save the file as UTF-8",
            path.display()
        )
    );
}

#[test]
fn an_unreadable_file_is_one_error() {
    let path = Path::new(FIXTURES).join("no-such-file.toml");
    let errs = config::load(&path).unwrap_err().0;
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with(&format!("{}: cannot read: ", path.display())),
        "{errs:?}"
    );
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let c = ok(&format!("\u{feff}{}", fixture("minimal.toml")));
    assert_eq!(c.board.id, "xuan-non-01");
}

#[test]
fn inline_and_dotted_forms_are_read_too() {
    let text = format!(
        "board = {{ id = \"a\", area = \"vn\", name = \"A\" }}\nbroker.url = \"mqtt://h\"\nbroker.keep_alive_s = 2\n\n{}",
        one_trust()
    );
    assert_eq!(
        errors(&text),
        ["board.toml:3: broker.keep_alive_s must be 5..=3600 seconds, got 2 (the MQTT client cannot keep a connection alive with less than 5 s)"]
    );
}

#[test]
fn no_input_panics() {
    // Every prefix and every one-line deletion of a real config: parse may refuse, never panic.
    let text = fixture("board.toml");
    for (i, _) in text.char_indices() {
        let _ = config::parse(&text[..i], "board.toml");
    }
    let lines: Vec<&str> = text.lines().collect();
    for skip in 0..lines.len() {
        let cut: Vec<&str> = lines
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, l)| *l)
            .collect();
        let _ = config::parse(&cut.join("\n"), "board.toml");
    }
    for odd in [
        "[[board]]\n[[board]]",
        "board = []",
        "trust = [1, \"x\", {}]",
        "[broker]\nurl = \"mqtt://[\"",
        "[broker]\nurl = \"mqtts://\"\nkeep_alive_s = -9223372036854775808",
        "[board]\n\"\" = 1\n\"a b\" = 2",
        "[display]\nwidth = 1e400",
        "[board]\ntimezone = 1979-05-27T07:32:00Z",
    ] {
        let _ = config::parse(odd, "board.toml");
    }
}

#[test]
fn key_ids_follow_the_envelope_id_rule_so_every_trusted_key_can_sign() {
    let text = fixture("minimal.toml").replace(r#"key = "huyen-dong-anh""#, r#"key = ".an""#);
    let text = format!("revoked = [\"-cu\"]\n{text}");
    let errs = errors(&text);
    assert_has(&errs, "trust[0].key must be a key id");
    assert_has(&errs, "revoked[0] must be a key id");
}

#[test]
fn display_geometry_chrome_and_brightness() {
    let base = with_broker("url = \"mqtt://h\"");
    let c = ok(&format!(
        "{base}\n[display]\nwidth = 192\nheight = 96\nrotation = 270\nheader = false\nticker_speed = 30\nfade_ms = 0\nscaling = \"nearest\"\nregion = {{ x = 8, y = 16, width = 384, height = 192 }}\nbrightness = [{{ from = \"22:00\", percent = 40 }}, {{ from = \"06:00\", percent = 100 }}]\n"
    ));
    let d = &c.display;
    assert_eq!((d.width, d.height, d.rotation), (192, 96, 270));
    assert!(!d.header && d.ticker);
    assert_eq!((d.ticker_speed, d.fade_ms), (30, 0));
    assert_eq!(d.scaling, config::Scaling::Nearest);
    assert_eq!(
        d.region,
        Some(config::Region {
            x: 8,
            y: 16,
            width: 384,
            height: 192
        })
    );
    // Sorted by time; before the first entry of the day, the last one (over midnight) holds.
    assert_eq!(d.brightness, vec![(360, 100), (1320, 40)]);
    assert_eq!(d.brightness_at(5 * 60), 40);
    assert_eq!(d.brightness_at(6 * 60), 100);
    assert_eq!(d.brightness_at(21 * 60 + 59), 100);
    assert_eq!(d.brightness_at(23 * 60), 40);

    // The same written as sub-tables, as kiosk/board.example.toml does.
    let c = ok(&format!(
        "{base}\n[display]\nwidth = 192\nheight = 96\n[display.region]\nx = 0\ny = 0\nwidth = 192\nheight = 96\n[[display.brightness]]\nfrom = \"06:00\"\npercent = 90\n"
    ));
    assert_eq!(c.display.region.map(|r| r.width), Some(192));
    assert_eq!(c.display.brightness_at(12 * 60), 90);

    // Defaults: full screen, header and ticker on.
    let c = ok(&base);
    assert_eq!(c.display, config::Display::sized(1920, 1080));

    let errs = errors(&format!(
        "{base}\n[display]\nrotation = 45\nscaling = \"blurry\"\nfade_ms = 2000\nregion = {{ x = 0, y = 0, width = 8 }}\nbrightness = [{{ from = \"25:00\", percent = 50 }}, {{ from = \"06:00\", percent = 0 }}]\n"
    ));
    assert_has(&errs, "display.rotation must be 0, 90, 180 or 270, got 45");
    assert_has(
        &errs,
        r#"display.scaling must be "auto", "nearest" or "smooth", got "blurry""#,
    );
    assert_has(
        &errs,
        "display.fade_ms must be 0..=300 milliseconds, got 2000",
    );
    assert_has(
        &errs,
        "display.region width must be 16..=16384 pixels, got 8",
    );
    assert_has(&errs, "display.region needs height");
    assert_has(
        &errs,
        "display.brightness [0] must be { from = \"HH:MM\", percent = 5..=100 }",
    );
    assert_has(&errs, "display.brightness [1] must be");
    let errs = errors(&format!(
        "{base}\n[display]\nbrightness = [{{ from = \"06:00\", percent = 50 }}, {{ from = \"06:00\", percent = 90 }}]\n"
    ));
    assert_has(
        &errs,
        "display.brightness has two entries from 06:00; each time of day may appear once",
    );
}

/// Found by fuzzing (tests/fixtures/fuzz/config-brightness-hour-overflow.toml): an hour with
/// many digits made the minute of the day overflow before the range check.
#[test]
fn a_brightness_hour_too_large_for_the_clock_is_an_error_not_a_panic() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/fuzz/config-brightness-hour-overflow.toml"
    ))
    .unwrap();
    assert!(bangtin_config::parse(&text, "board.toml").is_err());
    let config = format!(
        "{BOARD}\n[broker]\nurl = \"mqtt://127.0.0.1:1883\"\n\n{}\n[display]\nbrightness = [{{ from = \"235512505:00\", percent = 50 }}]\n",
        one_trust()
    );
    let e = bangtin_config::parse(&config, "board.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("brightness"), "{e}");
}

#[test]
fn the_provinces_time_servers_are_host_names_nothing_else() {
    let with_ntp = |ntp: &str| {
        format!(
            "{BOARD}ntp = {ntp}\n\n[broker]\nurl = \"mqtt://127.0.0.1\"\n\n{}",
            one_trust()
        )
    };
    assert!(ok(&with_ntp("[]")).board.ntp.is_empty());
    assert_eq!(
        ok(&with_ntp(r#"["ntp.ha-noi.gov.vn", "10.1.2.3"]"#))
            .board
            .ntp,
        ["ntp.ha-noi.gov.vn", "10.1.2.3"]
    );
    // Handed to a system file by the install: nothing but a host name or an address.
    assert_has(
        &errors(&with_ntp(r#"["ntp.ha-noi.gov.vn", "x; reboot"]"#)),
        "board.toml:5: board.ntp[1] must be a host name or address",
    );
    assert_has(
        &errors(&with_ntp(r#""ntp.ha-noi.gov.vn""#)),
        "board.ntp must be a list of strings",
    );
    let nine = ["\"ntp.vn\""; 9].join(", ");
    assert_has(
        &errors(&with_ntp(&format!("[{nine}]"))),
        "board.ntp may name at most 8 servers, got 9",
    );
}
