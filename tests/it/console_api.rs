//! The console's API for source systems, from outside the Rust code: `tests/api_contract.py`
//! (Python's standard library) drives a real console through `/api/v1` with real tokens and
//! checks every answer against the OpenAPI document the console serves; then a CAP alert it
//! queued is sent by an officer from the alert page and reaches a real board.

use bangtin_testkit::board::{self, share, Board};
use bangtin_testkit::console::{Client, Console, AREA};
use bangtin_testkit::{temp_dir, Mosquitto};
use std::process::Command;

#[test]
fn the_api_keeps_its_contract_and_a_queued_cap_alert_waits_for_an_officer() {
    let dir = temp_dir("console-api");
    let broker = Mosquitto::start(&dir);
    let cfg = board::write_config(&dir, broker.port, (640, 360), "");
    let board = Board::start(&cfg, &dir.join("frames"));
    board.wait_for("idle", |f| share(f, board::IDLE) > 0.3);
    let config = Console::configure(&dir, broker.port, "");
    let secret = Console::add_user(&config, "duyet", "approver", AREA).unwrap();
    let token =
        |name: &str, area: &str, role: &str| Console::add_token(&config, name, area, role, false).1;
    let editor = token("so-tt-tt", AREA, "editor");
    let approver = token("cong-thong-tin", AREA, "approver");
    let other = token("soc-son", "vn/ha-noi/soc-son", "approver");
    let rate = token("dem", AREA, "viewer");
    let console = Console::start(&config);
    // The CAP fixture, its expiry moved to tomorrow (as it stands, it ended in September).
    let expired = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/cap/bao-so-3.xml"
    );
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let xml = std::fs::read_to_string(expired)
        .unwrap()
        .replace("2026-09-08T17:00:00+07:00", &tomorrow);
    let cap = dir.join("bao-so-3.xml");
    std::fs::write(&cap, xml).unwrap();

    let python = Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/api_contract.py"
        ))
        .env("BASE", &console.url)
        .env("AREA", AREA)
        .env("BOARD", "xuan-non-01")
        .env("TOKEN_EDITOR", &editor)
        .env("TOKEN_APPROVER", &approver)
        .env("TOKEN_OTHER", &other)
        .env("TOKEN_RATE", &rate)
        .env("CAP_FILE", &cap)
        .env("CAP_FILE_EXPIRED", expired)
        .output()
        .expect("python3 runs the contract test (Debian: apt-get install python3)");
    let out = String::from_utf8_lossy(&python.stdout).into_owned();
    let err = String::from_utf8_lossy(&python.stderr).into_owned();
    assert!(
        python.status.success(),
        "the API contract failed:\n{out}\n{err}"
    );
    let api_routes = bangtin_console::policy::RULES
        .iter()
        .filter(|r| r.path.starts_with("/api/"))
        .count();
    assert!(
        out.contains(&format!("contract ok: {api_routes} operations")),
        "{out}"
    );

    // The CAP alert the editor's token pushed waits in the queue: nothing reached the board.
    let queued = out
        .lines()
        .find_map(|l| l.strip_prefix("queued alert "))
        .expect("the script names the queued alert")
        .to_owned();
    let f = board.frame().unwrap();
    assert!(
        share(&f, board::EXTREME) < 0.05,
        "a queued CAP alert reached the board"
    );
    // An officer with the alert right sends it from its page; the board takes it over.
    let mut officer = Client::new(&console.url);
    officer.login("duyet", Some(&secret));
    let page = officer.get(&format!("/alerts/{queued}"));
    assert!(page.text().contains("Chờ cán bộ gửi"), "{}", page.text());
    let csrf = officer.csrf();
    let sent = officer.post(&format!("/alerts/{queued}/confirm"), &[("csrf", &csrf)]);
    assert_eq!(sent.status, 303, "{}", sent.text());
    board.wait_for("the CAP alert", |f| share(f, board::EXTREME) > 0.3);

    // Every use of a token is in the audit log, refusals too, under the token's name.
    let db = bangtin_console::db::Db::open(&dir.join("console.db")).unwrap();
    let conn = db.lock();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert!(
        count("SELECT count(*) FROM audit WHERE user = 'api:so-tt-tt' AND action = 'api'") >= 10
    );
    assert!(
        count("SELECT count(*) FROM audit WHERE user = 'api:soc-son' AND action = 'api-refused'")
            >= 5
    );
    assert_eq!(
        count(
            "SELECT count(*) FROM audit WHERE user = 'api:cong-thong-tin' AND action = 'publish'"
        ),
        1
    );
    // Tokens are kept hashed: no secret is in the database.
    let hashes = count(&format!(
        "SELECT count(*) FROM api_tokens WHERE token_hash IN ('{editor}', '{approver}')"
    ));
    assert_eq!(hashes, 0);
}
