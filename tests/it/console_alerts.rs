//! Emergency alerts from the console over real HTTP, to a real headless board through a real
//! Mosquitto: the drill page and the live page, the two-person rule, the ready correction and
//! cancel, one-officer areas, and CAP files. (The same flow in a browser: `console_browser.rs`.)

use bangtin_testkit::board::{self, share, Board};
use bangtin_testkit::console::{Client, Console, Page, AREA};
use bangtin_testkit::{temp_dir, Mosquitto};
use std::time::{Duration, Instant};

fn eventually(secs: u64, mut what: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < end {
        if what() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    false
}

/// The alert page a post was sent on to (`/alerts/N`).
fn alert_path(page: &Page) -> String {
    let loc = page
        .location
        .clone()
        .unwrap_or_else(|| panic!("no redirect ({}): {}", page.status, page.text()));
    assert!(loc.starts_with("/alerts/"), "{loc}");
    loc
}

fn alert_form<'a>(
    csrf: &'a str,
    headline: &'a str,
    severity: &'a str,
    action: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("headline", headline),
        ("severity", severity),
        (
            "instruction",
            "Di chuyển ngay lên chỗ cao, tránh xa bờ suối.",
        ),
        ("sender_name", "UBND huyện Đông Anh"),
        ("expires_h", "2"),
        ("action", action),
    ]
}

/// The first inline preview (a data: URL) on a page, decoded.
fn inline_preview(html: &str) -> image::RgbaImage {
    use base64::Engine as _;
    let start = html
        .find("data:image/png;base64,")
        .expect("an inline preview")
        + 22;
    let end = start + html[start..].find('"').unwrap();
    let png = base64::engine::general_purpose::STANDARD
        .decode(&html[start..end])
        .unwrap();
    image::load_from_memory(&png).unwrap().to_rgba8()
}

#[test]
fn drills_and_live_alerts_reach_the_board_with_two_officers_and_end_with_one_step() {
    let dir = temp_dir("console-alerts");
    let broker = Mosquitto::start(&dir);
    let cfg = board::write_config(&dir, broker.port, (640, 360), "");
    let board = Board::start(&cfg, &dir.join("frames"));
    board.wait_for("idle", |f| share(f, board::IDLE) > 0.3);
    let config = Console::configure(&dir, broker.port, "");
    Console::add_user(&config, "bien-tap", "editor", AREA);
    let first = Console::add_user(&config, "duyet", "approver", AREA).unwrap();
    let second = Console::add_user(&config, "duyet-2", "approver", AREA).unwrap();
    let console = Console::start(&config);

    // An editor has no alert right: neither page exists for them.
    let mut editor = Client::new(&console.url);
    editor.login("bien-tap", None);
    for path in ["/alerts/live", "/alerts/drill"] {
        assert_eq!(editor.get(path).status, 404, "{path}");
    }
    let csrf = editor.csrf();
    let refused = editor.post_multipart(
        &format!("/alerts/live?area={AREA}"),
        &alert_form(&csrf, "x", "extreme", "send"),
        None,
    );
    assert_eq!(refused.status, 404);

    let mut a = Client::new(&console.url);
    a.login("duyet", Some(&first));
    assert!(eventually(10, || a
        .get(&format!("/alerts/drill?area={AREA}"))
        .text()
        .contains("Sẽ hiện trên <strong>1</strong>")));
    // A template prefills the form; the drill page is marked as a drill and nowhere live.
    let drill_page = a
        .get(&format!("/alerts/drill?area={AREA}&template=lu-quet"))
        .text();
    assert!(
        drill_page.contains("LŨ QUÉT: Di chuyển ngay lên chỗ cao"),
        "{drill_page}"
    );
    assert!(drill_page.contains("DIỄN TẬP — không phải cảnh báo thật"));
    assert!(!drill_page.contains("THẬT · LIVE"));
    let live_page = a.get(&format!("/alerts/live?area={AREA}")).text();
    assert!(live_page.contains("THẬT · LIVE"));
    assert!(!live_page.contains("DIỄN TẬP —"));

    // The exact preview before sending: the board's renderer, with the drill's yellow bands.
    let csrf = a.csrf();
    let page = a.post_multipart(
        &format!("/alerts/drill?area={AREA}"),
        &alert_form(&csrf, "DIỄN TẬP LŨ QUÉT", "extreme", "preview"),
        None,
    );
    assert_eq!(page.status, 200, "{}", page.text());
    let preview = inline_preview(&page.text());
    assert_eq!(preview.dimensions(), (640, 360));
    assert!(
        share(&preview, board::DRILL) > 0.02,
        "no drill marking in the preview"
    );

    // Sent: a drill needs no second officer; the board shows it marked DIỄN TẬP.
    let sent = a.post_multipart(
        &format!("/alerts/drill?area={AREA}"),
        &alert_form(&csrf, "DIỄN TẬP LŨ QUÉT", "extreme", "send"),
        None,
    );
    let drill = alert_path(&sent);
    board.wait_for("the drill", |f| share(f, board::DRILL) > 0.02);
    assert!(
        eventually(15, || a.get(&drill).text().contains("1/1</strong>")),
        "the tally never reached 1/1: {}",
        a.get(&drill).text()
    );
    // The ready cancel, one step: the board returns to its programme.
    assert_eq!(
        a.post(&format!("{drill}/cancel"), &[("csrf", &csrf)])
            .status,
        303
    );
    board.wait_for("idle after the drill", |f| share(f, board::IDLE) > 0.3);
    assert!(a.get(&drill).text().contains("Đã hủy"));

    // A live extreme alert waits for a second officer; its sender cannot confirm it.
    let sent = a.post_multipart(
        &format!("/alerts/live?area={AREA}"),
        &alert_form(
            &csrf,
            "LŨ QUÉT: Di chuyển ngay lên chỗ cao",
            "extreme",
            "send",
        ),
        None,
    );
    let live = alert_path(&sent);
    let html = a.get(&live).text();
    assert!(html.contains("Chờ người thứ hai xác nhận"), "{html}");
    assert!(
        !html.contains("id=\"confirm\""),
        "the sender was offered the confirmation"
    );
    let own = a.post(&format!("{live}/confirm"), &[("csrf", &csrf)]);
    assert_eq!(own.status, 409);
    assert!(own.text().contains("Người thứ hai phải là cán bộ khác"));
    std::thread::sleep(Duration::from_millis(1500));
    let f = board.frame().unwrap();
    assert!(
        share(&f, board::EXTREME) < 0.05,
        "a live alert went out unconfirmed"
    );

    let mut b = Client::new(&console.url);
    b.login("duyet-2", Some(&second));
    let csrf_b = b.csrf();
    assert!(b.get(&live).text().contains("id=\"confirm\""));
    assert_eq!(
        b.post(&format!("{live}/confirm"), &[("csrf", &csrf_b)])
            .status,
        303
    );
    board.wait_for("the live alert", |f| share(f, board::EXTREME) > 0.3);
    assert!(eventually(15, || b
        .get(&live)
        .text()
        .contains("1/1</strong>")));
    // Confirmed once only.
    assert_eq!(
        b.post(&format!("{live}/confirm"), &[("csrf", &csrf_b)])
            .status,
        409
    );

    // The ready correction: the alert's own form; new text on every screen, so the second
    // officer confirms it as a new one.
    let form = b.get(&format!("{live}/correct"));
    assert_eq!(form.status, 200);
    assert!(form.text().contains("LŨ QUÉT: Di chuyển ngay lên chỗ cao"));
    let corrected = b.post_multipart(
        &format!("{live}/correct"),
        &alert_form(&csrf_b, "LŨ QUÉT: Xã Uy Nỗ sơ tán ngay", "extreme", "send"),
        None,
    );
    let correction = alert_path(&corrected);
    assert_ne!(correction, live);
    assert!(b
        .get(&correction)
        .text()
        .contains("Chờ người thứ hai xác nhận"));
    assert_eq!(
        a.post(&format!("{correction}/confirm"), &[("csrf", &csrf)])
            .status,
        303
    );
    assert!(b.get(&live).text().contains("Đã đính chính"));
    assert!(eventually(15, || b
        .get(&correction)
        .text()
        .contains("1/1</strong>")));
    // And the ready cancel ends it: the board returns to its programme.
    assert_eq!(
        b.post(&format!("{correction}/cancel"), &[("csrf", &csrf_b)])
            .status,
        303
    );
    board.wait_for("idle after the cancel", |f| share(f, board::IDLE) > 0.3);
    // A cancelled alert cannot be corrected back onto the screens, nor cancelled twice.
    assert_eq!(b.get(&format!("{correction}/correct")).status, 409);
    let again = b.post_multipart(
        &format!("{correction}/correct"),
        &alert_form(&csrf_b, "LŨ QUÉT: lại", "extreme", "send"),
        None,
    );
    assert_eq!(again.status, 409);
    assert_eq!(
        b.post(&format!("{correction}/cancel"), &[("csrf", &csrf_b)])
            .status,
        409
    );

    // One board only, from the board's page: a drill on the board's own alert topic.
    let board_page = b.get("/boards/xuan-non-01").text();
    assert!(board_page.contains("/alerts/drill?area=board/xuan-non-01"));
    let sent = b.post_multipart(
        "/alerts/drill?area=board/xuan-non-01",
        &alert_form(&csrf_b, "DIỄN TẬP tại bảng Xuân Nộn", "extreme", "send"),
        None,
    );
    let one = alert_path(&sent);
    assert!(b
        .get(&one)
        .text()
        .contains("xuan-non-01 (vn/ha-noi/dong-anh"));
    board.wait_for("the board's own drill", |f| share(f, board::DRILL) > 0.02);
    assert!(eventually(15, || b
        .get(&one)
        .text()
        .contains("1/1</strong>")));
    assert_eq!(
        b.post(&format!("{one}/cancel"), &[("csrf", &csrf_b)])
            .status,
        303
    );
    board.wait_for("idle after the board's drill", |f| {
        share(f, board::IDLE) > 0.3
    });

    // Every step is in the audit log: entered, confirmed by the second officer, corrected, cancelled.
    let db = bangtin_console::db::Db::open(&dir.join("console.db")).unwrap();
    let conn = db.lock();
    let actions: Vec<(String, String)> = conn
        .prepare("SELECT user, action FROM audit WHERE action LIKE 'alert-%' ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let want = [
        ("duyet", "alert-send"),
        ("duyet", "alert-cancel"),
        ("duyet", "alert-enter"),
        ("duyet-2", "alert-confirm"),
        ("duyet-2", "alert-enter"),
        ("duyet", "alert-confirm"),
        ("duyet-2", "alert-cancel"),
        ("duyet-2", "alert-send"),
        ("duyet-2", "alert-cancel"),
    ];
    let got: Vec<(&str, &str)> = actions
        .iter()
        .map(|(u, a)| (u.as_str(), a.as_str()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn one_officer_areas_type_the_area_and_cap_files_fill_the_form_of_their_own_page() {
    let dir = temp_dir("console-alerts-one");
    let broker = Mosquitto::start(&dir);
    let config = Console::configure(
        &dir,
        broker.port,
        "alert_two_person = false\n[security]\nrequire_totp = false\n",
    );
    Console::add_user(&config, "mot-minh", "approver", AREA);
    let console = Console::start(&config);
    let mut c = Client::new(&console.url);
    c.login("mot-minh", None);
    let csrf = c.csrf();

    // A CAP file uploaded on the live page fills its form (and shows the preview); a drill
    // document is refused there: the page decides, never the file.
    let cap = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/cap/bao-so-3.xml"
    ))
    .expect("the CAP fixture");
    let page = c.post_files(
        &format!("/alerts/live?area={AREA}"),
        &[("csrf", &csrf), ("action", "preview")],
        &[("cap", "bao.xml", cap.as_bytes())],
    );
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(page.text().contains("Đã đọc tệp CAP"), "{}", page.text());
    assert!(page.text().contains("data:image/png;base64,"));
    let drill = cap.replace("<status>Actual</status>", "<status>Exercise</status>");
    let page = c.post_files(
        &format!("/alerts/live?area={AREA}"),
        &[("csrf", &csrf), ("action", "preview")],
        &[("cap", "diễn-tập.xml", drill.as_bytes())],
    );
    assert_eq!(page.status, 422);
    assert!(
        page.text().contains("hãy dùng đúng trang"),
        "{}",
        page.text()
    );

    // One officer: the confirmation is the area typed out, by the sender.
    let sent = c.post_multipart(
        &format!("/alerts/live?area={AREA}"),
        &alert_form(&csrf, "BÃO: Sơ tán khẩn cấp", "severe", "send"),
        None,
    );
    let live = alert_path(&sent);
    assert!(c.get(&live).text().contains("name=\"typed\""));
    let wrong = c.post(
        &format!("{live}/confirm"),
        &[("csrf", &csrf), ("typed", "ha-noi")],
    );
    assert_eq!(wrong.status, 409);
    let right = c.post(
        &format!("{live}/confirm"),
        &[("csrf", &csrf), ("typed", "dong-anh")],
    );
    assert_eq!(right.status, 303, "{}", right.text());
    assert!(c.get(&live).text().contains("Đã gửi"));

    // The alert is on the broker, retained on the area's alert topic, signed by the area key.
    let rt = bangtin_staff::runtime().unwrap();
    let headline = rt.block_on(async {
        let mut s = board::session(broker.port, "test").await;
        s.subscribe(&[board::ALERTS.to_owned()]).await.unwrap();
        let (_, payload) = s
            .next(tokio::time::Instant::now() + Duration::from_secs(10))
            .await
            .unwrap()
            .expect("a retained alert");
        let env = bangtin_protocol::content::parse_envelope(&payload).unwrap();
        match bangtin_protocol::content::parse_body(&env.body)
            .unwrap()
            .payload
        {
            bangtin_protocol::content::Payload::Alert(a) => a.headline,
            other => panic!("{other:?}"),
        }
    });
    assert_eq!(headline, "BÃO: Sơ tán khẩn cấp");
}
