//! The staff web console end to end over real HTTP: a real `bangtin console` process with its
//! SQLite file, a real Mosquitto, a real headless board. (The same in a real browser:
//! `console_browser.rs`.)

use bangtin_console::policy::{Scope, RULES};
use bangtin_testkit::board::{self, share, Board, PAPER};
use bangtin_testkit::console::{item_id, Client, Console, AREA};
use bangtin_testkit::{temp_dir, Mosquitto};
use std::time::{Duration, Instant};

/// A small picture to upload: green, 64x48.
fn picture() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(64, 48, image::Rgb([0x20, 0xA0, 0x40]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Polls `what` for up to `secs` seconds.
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

/// Composes an announcement as `c` and returns its id.
fn compose(c: &mut Client, title: &str, file: Option<(&str, &[u8])>) -> String {
    let csrf = c.csrf();
    let page = c.post_multipart(
        &format!("/items?area={AREA}"),
        &[
            ("csrf", &csrf),
            ("kind", "announcement"),
            ("title", title),
            ("body", "Trạm y tế xã tiêm vắc-xin sởi cho trẻ từ 9 tháng tuổi, sáng thứ Bảy."),
            ("class", "normal"),
        ],
        file,
    );
    assert_eq!(page.status, 303, "compose: {}", page.text());
    item_id(&page)
}

fn post_action(c: &mut Client, id: &str, action: &str) -> u16 {
    let csrf = c.csrf();
    c.post(&format!("/items/{id}/{action}"), &[("csrf", &csrf)]).status
}

#[test]
fn an_editor_composes_an_approver_approves_and_the_board_shows_it() {
    let dir = temp_dir("console-flow");
    let broker = Mosquitto::start(&dir);
    // A channel published before the console existed (the CLI's way): imported at start.
    board::send(
        broker.port,
        board::CONTENT,
        4_000_000_000_000,
        board::channel(r#"{"items": [{"id": "cu", "type": "ticker", "text": "Tin cũ"}]}"#),
    );
    let cfg = board::write_config(&dir, broker.port, (640, 360), "");
    let frames = dir.join("frames");
    let board = Board::start(&cfg, &frames);
    board.wait_for("idle", |f| share(f, board::IDLE) > 0.3);

    let config = Console::configure(&dir, broker.port, "");
    Console::add_user(&config, "bien-tap", "editor", AREA);
    let secret = Console::add_user(&config, "duyet", "approver", AREA).expect("approvers get TOTP");
    let console = Console::start(&config);

    let mut editor = Client::new(&console.url);
    assert_eq!(editor.get("/").location.as_deref(), Some("/login"));
    editor.login("bien-tap", None);
    assert!(
        eventually(10, || editor.get("/").text().contains("Tin cũ")),
        "the retained channel was not imported"
    );
    let id = compose(&mut editor, "<script>alert(1)</script> Lịch tiêm chủng", Some(("anh.png", &picture())));

    let page = editor.get(&format!("/items/{id}"));
    let html = page.text();
    assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"), "{html}");
    assert!(!html.contains("<script>alert"), "a title reached the page unescaped");
    assert!(html.contains("Bản nháp"));
    assert!(html.contains("Sẽ hiển thị trên <strong>1</strong> bảng"), "{html}");
    // The preview is drawn at the board's own display size, by the board's renderer.
    assert!(html.contains("preview.png?w=640&amp;h=360&amp;page=1"), "{html}");
    let png = editor.get(&format!("/items/{id}/preview.png?w=640&h=360&page=1"));
    assert_eq!((png.status, png.content_type.as_str()), (200, "image/png"));
    let shot = image::load_from_memory(&png.body).unwrap().to_rgba8();
    assert_eq!(shot.dimensions(), (640, 360));
    assert!(share(&shot, PAPER) > 0.2, "the preview is not an announcement");
    assert!(share(&shot, board::GREEN) > 0.005, "the picture is not in the preview");

    assert_eq!(post_action(&mut editor, &id, "submit"), 303);
    assert!(editor.get(&format!("/items/{id}")).text().contains("Chờ duyệt"));
    // An editor cannot approve (the route needs an approver): not found, not forbidden.
    assert_eq!(post_action(&mut editor, &id, "approve"), 404);

    let mut approver = Client::new(&console.url);
    approver.login("duyet", Some(&secret));
    assert!(approver.get("/").text().contains("Lịch tiêm chủng"));
    assert_eq!(post_action(&mut approver, &id, "approve"), 303);
    let shown = board.wait_for("the approved announcement", |f| share(f, PAPER) > 0.3);
    assert!(share(&shown, board::GREEN) > 0.002, "the board shows no picture");
    assert!(
        eventually(30, || approver.get(&format!("/items/{id}")).text().contains("Đã hiện")),
        "the publication page never showed the board's ack with shown_at"
    );
    // Both the imported item and the new one are on the channel, under a later seq.
    let home = approver.get("/").text();
    assert!(home.contains("Đang phát"), "{home}");
    let audit = approver.get("/audit");
    assert_eq!(audit.status, 404, "an approver is not an admin");
}

#[test]
fn every_route_refuses_users_of_another_area() {
    let dir = temp_dir("console-authz");
    let broker = Mosquitto::start(&dir);
    let config = Console::configure(&dir, broker.port, "[security]\nrequire_totp = false\n");
    Console::add_user(&config, "bien-tap", "editor", AREA);
    for role in ["viewer", "editor", "approver", "admin"] {
        Console::add_user(&config, &format!("soc-son-{role}"), role, "vn/ha-noi/soc-son");
    }
    Console::add_user(&config, "xem", "viewer", AREA);
    let console = Console::start(&config);
    let mut owner = Client::new(&console.url);
    owner.login("bien-tap", None);
    let id = compose(&mut owner, "Thông báo nội bộ Đông Anh", None);

    let mut checked = 0;
    for role in ["viewer", "editor", "approver", "admin"] {
        let mut c = Client::new(&console.url);
        c.login(&format!("soc-son-{role}"), None);
        let csrf = c.csrf();
        for rule in RULES {
            let scoped = matches!(rule.scope, Scope::Item | Scope::AreaParam | Scope::Board);
            if !scoped {
                continue;
            }
            let path = rule
                .path
                .replace("{id}", &id)
                .replace("/items", "/items")
                + if rule.scope == Scope::AreaParam { "?area=vn/ha-noi/dong-anh" } else { "" };
            let page = match rule.method {
                "GET" => c.get(&path),
                _ => c.post(&path, &[("csrf", &csrf), ("reason", "x"), ("action", "identify")]),
            };
            assert_eq!(page.status, 404, "{} {path} as soc-son-{role}: {}", rule.method, page.text());
            assert!(!page.text().contains("Thông báo nội bộ"), "{path} leaked the item");
            checked += 1;
        }
        // Their own lists do not show it either.
        assert!(!c.get("/").text().contains("Thông báo nội bộ"));
    }
    assert!(checked >= 4 * 10, "only {checked} route checks");
    // A viewer of the area sees it but cannot change it.
    let mut viewer = Client::new(&console.url);
    viewer.login("xem", None);
    assert_eq!(viewer.get(&format!("/items/{id}")).status, 200);
    for action in ["submit", "approve", "withdraw", "edit"] {
        assert_eq!(post_action(&mut viewer, &id, action), 404, "viewer {action}");
    }
    // Nobody logged in: to the login page, or 401 for a post.
    let mut anonymous = Client::new(&console.url);
    assert_eq!(anonymous.get(&format!("/items/{id}")).location.as_deref(), Some("/login"));
    assert_eq!(anonymous.post(&format!("/items/{id}/approve"), &[]).status, 401);
    assert_eq!(anonymous.get("/static/../console.db").status, 404);
}

#[test]
fn cross_site_posts_and_forged_tokens_are_refused() {
    let dir = temp_dir("console-csrf");
    let broker = Mosquitto::start(&dir);
    let config = Console::configure(&dir, broker.port, "[security]\nrequire_totp = false\n");
    Console::add_user(&config, "bien-tap", "editor", AREA);
    let console = Console::start(&config);
    let mut c = Client::new(&console.url);
    c.login("bien-tap", None);
    let id = compose(&mut c, "Tin thử CSRF", None);
    let csrf = c.csrf();

    c.fetch_site = "cross-site";
    let page = c.post(&format!("/items/{id}/submit"), &[("csrf", &csrf)]);
    assert_eq!(page.status, 403, "a cross-site post was accepted");
    c.fetch_site = "same-origin";
    assert_eq!(c.post(&format!("/items/{id}/submit"), &[("csrf", "forged")]).status, 403);
    assert_eq!(c.post(&format!("/items/{id}/submit"), &[]).status, 403);
    assert!(c.get(&format!("/items/{id}")).text().contains("Bản nháp"), "a refused post changed the item");
    assert_eq!(c.post(&format!("/items/{id}/submit"), &[("csrf", &csrf)]).status, 303);

    // The headers every page carries.
    let page = c.get("/");
    let csp = page.header("content-security-policy").unwrap_or("");
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    // The session cookie: host-only, secure, not readable by scripts, never sent cross-site.
    let mut fresh = Client::new(&console.url);
    let login = fresh.post(
        "/login",
        &[("username", "bien-tap"), ("password", bangtin_testkit::console::PASSWORD)],
    );
    let cookie = login.header("set-cookie").unwrap_or("");
    for part in ["__Host-bangtin=", "Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(part), "{cookie}");
    }
    assert_ne!(fresh.cookie, c.cookie, "a login must open a new session");
}

#[test]
fn wrong_passwords_lock_the_account_out() {
    let dir = temp_dir("console-lockout");
    let broker = Mosquitto::start(&dir);
    let config = Console::configure(&dir, broker.port, "");
    Console::add_user(&config, "bien-tap", "editor", AREA);
    let console = Console::start(&config);
    let mut c = Client::new(&console.url);
    for _ in 0..5 {
        let page = c.post("/login", &[("username", "bien-tap"), ("password", "sai mat khau")]);
        assert_eq!(page.status, 401);
        assert!(page.text().contains("Sai tên đăng nhập"));
    }
    let page = c.post(
        "/login",
        &[("username", "bien-tap"), ("password", bangtin_testkit::console::PASSWORD)],
    );
    assert_eq!(page.status, 429, "the right password right after five wrong ones");
    assert!(page.text().contains("15 phút"));
    assert!(c.cookie.is_none());
}
