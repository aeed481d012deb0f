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
            (
                "body",
                "Trạm y tế xã tiêm vắc-xin sởi cho trẻ từ 9 tháng tuổi, sáng thứ Bảy.",
            ),
            ("class", "normal"),
        ],
        file,
    );
    assert_eq!(page.status, 303, "compose: {}", page.text());
    item_id(&page)
}

/// Posts an approval step as its button does: with the revision shown on the item's page.
fn post_action(c: &mut Client, id: &str, action: &str) -> u16 {
    let csrf = c.csrf();
    let revision = c
        .get(&format!("/items/{id}"))
        .field("revision")
        .unwrap_or_default();
    c.post(
        &format!("/items/{id}/{action}"),
        &[("csrf", &csrf), ("revision", &revision)],
    )
    .status
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
    let admin_secret =
        Console::add_user(&config, "quan-tri", "admin", AREA).expect("admins get TOTP");
    let console = Console::start(&config);

    let mut editor = Client::new(&console.url);
    assert_eq!(editor.get("/").location.as_deref(), Some("/login"));
    editor.login("bien-tap", None);
    assert!(
        eventually(10, || editor.get("/").text().contains("Tin cũ")),
        "the retained channel was not imported"
    );
    let id = compose(
        &mut editor,
        "<script>alert(1)</script> Lịch tiêm chủng",
        Some(("anh.png", &picture())),
    );

    let page = editor.get(&format!("/items/{id}"));
    let html = page.text();
    assert!(
        html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "{html}"
    );
    assert!(
        !html.contains("<script>alert"),
        "a title reached the page unescaped"
    );
    assert!(html.contains("Bản nháp"));
    assert!(
        html.contains("Sẽ hiển thị trên <strong>1</strong> bảng"),
        "{html}"
    );
    // The preview is drawn at the board's own display size, by the board's renderer.
    assert!(
        html.contains("preview.png?w=640&amp;h=360&amp;page=1"),
        "{html}"
    );
    let png = editor.get(&format!("/items/{id}/preview.png?w=640&h=360&page=1"));
    assert_eq!((png.status, png.content_type.as_str()), (200, "image/png"));
    let shot = image::load_from_memory(&png.body).unwrap().to_rgba8();
    assert_eq!(shot.dimensions(), (640, 360));
    assert!(
        share(&shot, PAPER) > 0.2,
        "the preview is not an announcement"
    );
    assert!(
        share(&shot, board::GREEN) > 0.005,
        "the picture is not in the preview"
    );

    assert_eq!(post_action(&mut editor, &id, "submit"), 303);
    assert!(editor
        .get(&format!("/items/{id}"))
        .text()
        .contains("Chờ duyệt"));
    // An editor cannot approve (the route needs an approver): not found, not forbidden.
    assert_eq!(post_action(&mut editor, &id, "approve"), 404);

    let mut approver = Client::new(&console.url);
    approver.login("duyet", Some(&secret));
    assert!(approver.get("/").text().contains("Lịch tiêm chủng"));
    assert_eq!(post_action(&mut approver, &id, "approve"), 303);
    let shown = board.wait_for("the approved announcement", |f| share(f, PAPER) > 0.3);
    assert!(
        share(&shown, board::GREEN) > 0.002,
        "the board shows no picture"
    );
    // The tally and the board's row (not the column titles): shown, with the time.
    assert!(
        eventually(30, || approver
            .get(&format!("/items/{id}"))
            .text()
            .contains("<strong>1</strong> đã hiện")),
        "the publication page never showed the board's ack with shown_at"
    );
    let delivery = approver.get(&format!("/items/{id}")).text();
    assert!(
        delivery.contains("<td>Đã hiện</td>") && delivery.contains("<td class=\"shown\">"),
        "{delivery}"
    );
    assert!(
        !delivery.contains("<td class=\"shown\"></td>"),
        "no shown_at time: {delivery}"
    );
    // Both the imported item and the new one are on the channel, under a later seq.
    let home = approver.get("/").text();
    assert!(home.contains("Đang phát"), "{home}");
    let audit = approver.get("/audit");
    assert_eq!(audit.status, 404, "an approver is not an admin");

    // One board alone: composed from its page, signed on the board's own topic.
    assert!(editor
        .get("/boards/xuan-non-01")
        .text()
        .contains("/items/new?area=board/xuan-non-01"));
    let csrf = editor.csrf();
    let page = editor.post_multipart(
        "/items?area=board/xuan-non-01",
        &[
            ("csrf", &csrf),
            ("kind", "ticker"),
            ("ticker", "Chỉ bảng Xuân Nộn: họp tổ dân phố lúc 19 giờ"),
        ],
        None,
    );
    assert_eq!(page.status, 303, "{}", page.text());
    let own = item_id(&page);
    assert!(editor
        .get(&format!("/items/{own}"))
        .text()
        .contains("bảng xuan-non-01"));
    assert_eq!(post_action(&mut editor, &own, "submit"), 303);
    assert_eq!(post_action(&mut approver, &own, "approve"), 303);
    assert!(
        eventually(30, || {
            let page = approver.get(&format!("/items/{own}")).text();
            page.contains("<strong>1</strong> đã nhận")
                || page.contains("<strong>1</strong> đã hiện")
        }),
        "the board never acknowledged its own channel"
    );
    // A board the console does not know is not a target.
    assert_eq!(
        editor
            .post_multipart(
                "/items?area=board/khong-co",
                &[("csrf", &csrf), ("title", "x")],
                None
            )
            .status,
        404
    );

    // A command to a whole area first lists the boards it reaches, then goes to each.
    let area = "vn/ha-noi/dong-anh/xuan-non";
    let list = editor.get(&format!("/boards/bulk?area={area}&action=identify"));
    assert_eq!(list.status, 200);
    assert!(
        list.text().contains("UBND xã Xuân Nộn")
            && list.text().contains("tới <strong>1</strong> bảng")
    );
    let csrf = editor.csrf();
    let done = editor.post(
        &format!("/boards/bulk?area={area}"),
        &[("csrf", &csrf), ("action", "identify"), ("level", "")],
    );
    assert!(done.text().contains("Đã làm theo lệnh"), "{}", done.text());
    let bright = editor.post(
        "/boards/xuan-non-01/command",
        &[("csrf", &csrf), ("action", "brightness"), ("level", "50")],
    );
    assert!(
        bright.text().contains("Bảng đã làm theo lệnh"),
        "{}",
        bright.text()
    );
    let bad = editor.post(
        "/boards/xuan-non-01/command",
        &[("csrf", &csrf), ("action", "brightness"), ("level", "0")],
    );
    assert!(
        bad.text().contains("Lệnh chưa thực hiện") || bad.text().contains("brightness"),
        "{}",
        bad.text()
    );
    // A screenshot on demand: the board's screen, on its page.
    let shot = editor.post(
        "/boards/xuan-non-01/command",
        &[("csrf", &csrf), ("action", "screenshot")],
    );
    assert!(
        shot.text().contains("src=\"data:image/png;base64,iVBOR"),
        "no screenshot"
    );

    // Proof of play: the board's batches collected into the console; the area's report. A
    // showing is recorded when it ends: a second, short announcement makes the first one end.
    let csrf = editor.csrf();
    let page = editor.post_multipart(
        &format!("/items?area={AREA}"),
        &[
            ("csrf", &csrf),
            ("kind", "announcement"),
            ("title", "Họp dân cuối năm"),
            ("duration_s", "3"),
        ],
        None,
    );
    let second = item_id(&page);
    assert_eq!(post_action(&mut editor, &second, "submit"), 303);
    assert_eq!(post_action(&mut approver, &second, "approve"), 303);
    let report = format!("/report?area={AREA}");
    assert!(
        eventually(60, || editor
            .get(&report)
            .text()
            .contains("Lịch tiêm chủng")),
        "the board's plays never reached the report: {}",
        editor.get(&report).text()
    );
    let csv = editor.get(&format!("/report.csv?area={AREA}"));
    assert!(csv.content_type.starts_with("text/csv"));
    assert!(
        csv.text().starts_with("board,item,topic,times_shown"),
        "{}",
        csv.text()
    );
    assert!(csv.text().contains("xuan-non-01"));
    let svg = editor.get(&format!("/report.svg?area={AREA}"));
    assert_eq!(svg.content_type, "image/svg+xml");
    assert!(svg.text().starts_with("<svg") && svg.text().contains("<rect"));
    assert_eq!(editor.get("/report?area=vn/ha-noi/soc-son").status, 404);
    // The board's time online, from its statuses.
    let page = editor.get(&report).text();
    let uptime = page
        .split("Thời gian hoạt động của bảng")
        .nth(1)
        .unwrap_or_else(|| panic!("no uptime section: {page}"));
    assert!(
        uptime.contains("<td>xuan-non-01</td>") && uptime.contains("<progress max=\"100\""),
        "{uptime}"
    );

    // The audit log: every step, who, from where, the envelope's sha256; as CSV for admins.
    let mut admin = Client::new(&console.url);
    admin.login("quan-tri", Some(&admin_secret));
    let csv = admin.get("/audit.csv");
    assert_eq!(csv.status, 200);
    assert!(csv.content_type.starts_with("text/csv"));
    let text = csv.text();
    assert!(
        text.starts_with("at,user,address,action,target,sha256"),
        "{text}"
    );
    let approve = text
        .lines()
        .find(|l| l.contains("\"approve\""))
        .unwrap_or_else(|| panic!("no approval in {text}"));
    assert!(
        approve.contains("\"duyet\"") && approve.contains("\"127.0.0.1\""),
        "{approve}"
    );
    let sha = approve.rsplit(',').next().unwrap().trim_matches('"');
    assert!(
        sha.len() == 64 && sha.chars().all(|c| c.is_ascii_hexdigit()),
        "{approve}"
    );
    for action in [
        "create",
        "submit",
        "login",
        "command identify",
        "command screenshot",
    ] {
        assert!(
            text.contains(&format!("\"{action}\"")),
            "{action} missing from the audit log"
        );
    }
}

#[test]
fn hostile_uploads_and_forms_change_nothing() {
    let dir = temp_dir("console-hostile");
    let broker = Mosquitto::start(&dir);
    let config = Console::configure(&dir, broker.port, "[security]\nrequire_totp = false\n");
    Console::add_user(&config, "bien-tap", "editor", AREA);
    let console = Console::start(&config);
    let mut c = Client::new(&console.url);
    c.login("bien-tap", None);
    let csrf = c.csrf();
    let fields = [
        ("csrf", csrf.as_str()),
        ("kind", "image"),
        ("caption", "Ảnh"),
    ];
    // A web page named .png, and a PNG header declaring 60000x60000 pixels (a decompression bomb).
    let mut bomb = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    bomb.extend_from_slice(b"IHDR");
    bomb.extend_from_slice(&60_000u32.to_be_bytes());
    bomb.extend_from_slice(&60_000u32.to_be_bytes());
    bomb.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
    for (name, bytes) in [
        (
            "anh.png",
            b"<html><script>alert(1)</script></html>".to_vec(),
        ),
        ("bom.png", bomb),
    ] {
        let page = c.post_multipart(
            &format!("/items?area={AREA}"),
            &fields,
            Some((name, &bytes)),
        );
        assert_eq!(page.status, 422, "{name}: {}", page.text());
        assert!(
            page.text().contains("Ảnh không dùng được"),
            "{name}: {}",
            page.text()
        );
    }
    // Over the size limit: refused before it is all read. The server answers 413 and closes
    // the connection; a client still sending may see the connection reset before it reads
    // the answer. Either way nothing is kept (checked below).
    let huge = vec![0u8; 25 * 1024 * 1024];
    match c.try_post_files(
        &format!("/items?area={AREA}"),
        &fields,
        &[("image", "to.jpg", &huge)],
    ) {
        Ok(page) => assert_eq!(page.status, 413),
        Err(e) => assert!(
            e.to_string().starts_with("io:"),
            "not a refusal of the body: {e}"
        ),
    }
    // A duration out of range; an area outside the console's.
    let page = c.post_multipart(
        &format!("/items?area={AREA}"),
        &[("csrf", &csrf), ("title", "a"), ("duration_s", "-5")],
        None,
    );
    assert_eq!(page.status, 422);
    assert!(page.text().contains("Thời lượng phải là số giây"));
    assert_eq!(
        c.post_multipart(
            "/items?area=vn/ha-noi/soc-son",
            &[("csrf", &csrf), ("title", "a")],
            None
        )
        .status,
        404
    );
    let db = bangtin_console::db::Db::open(&dir.join("console.db")).unwrap();
    let items: i64 = db
        .lock()
        .query_row("SELECT count(*) FROM items", [], |r| r.get(0))
        .unwrap();
    assert_eq!(items, 0, "a refused form left an item behind");
}

#[test]
fn every_route_refuses_users_of_another_area() {
    let dir = temp_dir("console-authz");
    let broker = Mosquitto::start(&dir);
    let config = Console::configure(&dir, broker.port, "[security]\nrequire_totp = false\n");
    Console::add_user(&config, "bien-tap", "editor", AREA);
    for role in ["viewer", "editor", "approver", "admin"] {
        Console::add_user(
            &config,
            &format!("soc-son-{role}"),
            role,
            "vn/ha-noi/soc-son",
        );
    }
    Console::add_user(&config, "xem", "viewer", AREA);
    Console::add_user(&config, "duyet", "approver", AREA);
    let (token, _) = Console::add_token(&config, "he-thong-nguon", AREA, "editor", false);
    // A board of the area, known from its retained status.
    board::publish(
        broker.port,
        "bangtin/v1/board/dong-anh-01/status",
        r#"{"board": "dong-anh-01", "online": true, "area": "vn/ha-noi/dong-anh/xa-a", "name": "Bảng Đông Anh 01"}"#.as_bytes().to_vec(),
    );
    let console = Console::start(&config);
    let mut owner = Client::new(&console.url);
    owner.login("bien-tap", None);
    let id = compose(&mut owner, "Thông báo nội bộ Đông Anh", None);
    assert!(
        eventually(10, || owner.get("/boards/dong-anh-01").status == 200),
        "the board's status never reached the console"
    );
    // An alert of the area (a drill, as a banner).
    let mut approver = Client::new(&console.url);
    approver.login("duyet", None);
    let csrf = approver.csrf();
    let sent = approver.post_multipart(
        "/alerts/drill?area=vn/ha-noi/dong-anh",
        &[
            ("csrf", &csrf),
            ("headline", "Diễn tập nội bộ Đông Anh"),
            ("severity", "minor"),
            ("action", "send"),
        ],
        None,
    );
    let alert = sent
        .location
        .clone()
        .unwrap_or_else(|| panic!("{}", sent.text()))
        .trim_start_matches("/alerts/")
        .to_owned();

    let mut checked = 0;
    for role in ["viewer", "editor", "approver", "admin"] {
        let mut c = Client::new(&console.url);
        c.login(&format!("soc-son-{role}"), None);
        let csrf = c.csrf();
        for rule in RULES {
            let scoped = matches!(
                rule.scope,
                Scope::Item | Scope::AreaParam | Scope::Board | Scope::Alert | Scope::Token
            );
            // The API is walked with tokens (`console_api.rs`): a session is never a token.
            if !scoped || rule.path.starts_with("/api/") {
                continue;
            }
            // An item's id, or the id of a board, an alert or a token that is in the area.
            let token = token.to_string();
            let target = match rule.scope {
                Scope::Board => "dong-anh-01",
                Scope::Alert => alert.as_str(),
                Scope::Token => token.as_str(),
                _ => id.as_str(),
            };
            let path = rule.path.replace("{id}", target)
                + if rule.scope == Scope::AreaParam {
                    "?area=vn/ha-noi/dong-anh"
                } else {
                    ""
                };
            let page = match rule.method {
                "GET" => c.get(&path),
                _ => c.post(
                    &path,
                    &[("csrf", &csrf), ("reason", "x"), ("action", "identify")],
                ),
            };
            assert_eq!(
                page.status,
                404,
                "{} {path} as soc-son-{role}: {}",
                rule.method,
                page.text()
            );
            assert!(
                !page.text().contains("nội bộ"),
                "{path} leaked the item or the alert"
            );
            checked += 1;
        }
        // Their own lists do not show it either.
        assert!(!c.get("/").text().contains("Thông báo nội bộ"));
    }
    assert!(checked >= 4 * 25, "only {checked} route checks");
    // A viewer of the area sees it but cannot change it.
    let mut viewer = Client::new(&console.url);
    viewer.login("xem", None);
    assert_eq!(viewer.get(&format!("/items/{id}")).status, 200);
    for action in ["submit", "approve", "withdraw", "edit"] {
        assert_eq!(
            post_action(&mut viewer, &id, action),
            404,
            "viewer {action}"
        );
    }
    // Nobody logged in: to the login page, or 401 for a post.
    let mut anonymous = Client::new(&console.url);
    assert_eq!(
        anonymous.get(&format!("/items/{id}")).location.as_deref(),
        Some("/login")
    );
    assert_eq!(
        anonymous.post(&format!("/items/{id}/approve"), &[]).status,
        401
    );
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
    let page = c.post(
        &format!("/items/{id}/submit"),
        &[("csrf", &csrf), ("revision", "1")],
    );
    assert_eq!(page.status, 403, "a cross-site post was accepted");
    c.fetch_site = "same-origin";
    assert_eq!(
        c.post(&format!("/items/{id}/submit"), &[("csrf", "forged")])
            .status,
        403
    );
    assert_eq!(c.post(&format!("/items/{id}/submit"), &[]).status, 403);
    assert!(
        c.get(&format!("/items/{id}")).text().contains("Bản nháp"),
        "a refused post changed the item"
    );
    assert_eq!(
        c.post(
            &format!("/items/{id}/submit"),
            &[("csrf", &csrf), ("revision", "1")]
        )
        .status,
        303
    );

    // The headers every page carries.
    let page = c.get("/");
    let csp = page.header("content-security-policy").unwrap_or("");
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    // The session cookie: host-only, secure, not readable by scripts, never sent cross-site.
    let mut fresh = Client::new(&console.url);
    let login = fresh.post(
        "/login",
        &[
            ("username", "bien-tap"),
            ("password", bangtin_testkit::console::PASSWORD),
        ],
    );
    let cookie = login.header("set-cookie").unwrap_or("");
    for part in [
        "__Host-bangtin=",
        "Secure",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/",
    ] {
        assert!(cookie.contains(part), "{cookie}");
    }
    assert_ne!(fresh.cookie, c.cookie, "a login must open a new session");

    // A step is on the revision its page showed: an edit in between refuses it, and two
    // editors working from one revision never overwrite each other.
    let edited = compose(&mut fresh, "Bản một", None);
    let csrf = fresh.csrf();
    let edit = |c: &mut Client, title: &str| {
        c.post_multipart(
            &format!("/items/{edited}/edit"),
            &[
                ("csrf", &csrf),
                ("revision", "1"),
                ("kind", "announcement"),
                ("title", title),
            ],
            None,
        )
        .status
    };
    assert_eq!(edit(&mut fresh, "Bản hai"), 303);
    assert_eq!(edit(&mut fresh, "Bản hai, sửa từ bản một cũ"), 409);
    let stale = fresh.post(
        &format!("/items/{edited}/submit"),
        &[("csrf", &csrf), ("revision", "1")],
    );
    assert_eq!(stale.status, 409);
    assert!(stale.text().contains("đã được sửa"), "{}", stale.text());
    let page = fresh.get(&format!("/items/{edited}")).text();
    assert!(
        page.contains("Bản hai") && page.contains("Bản nháp"),
        "{page}"
    );

    // English is each user's own choice, kept with the account.
    let csrf = fresh.csrf();
    assert_eq!(
        fresh
            .post("/account/lang", &[("csrf", &csrf), ("lang", "en")])
            .status,
        303
    );
    let home = fresh.get("/").text();
    assert!(
        home.contains("<html lang=\"en\">") && home.contains("New item"),
        "{home}"
    );
    let item = fresh.get(&format!("/items/{id}")).text();
    assert!(
        item.contains("Waiting for approval") && item.contains("To the boards"),
        "{item}"
    );
    let mut other = Client::new(&console.url);
    other.login("bien-tap", None);
    assert!(
        other.get("/").text().contains("New item"),
        "the choice was not kept"
    );
    let csrf = other.csrf();
    other.post("/account/lang", &[("csrf", &csrf), ("lang", "vi")]);
    assert!(other.get("/").text().contains("Soạn tin mới"));
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
        let page = c.post(
            "/login",
            &[("username", "bien-tap"), ("password", "sai mat khau")],
        );
        assert_eq!(page.status, 401);
        assert!(page.text().contains("Sai tên đăng nhập"));
    }
    let page = c.post(
        "/login",
        &[
            ("username", "bien-tap"),
            ("password", bangtin_testkit::console::PASSWORD),
        ],
    );
    assert_eq!(
        page.status, 429,
        "the right password right after five wrong ones"
    );
    assert!(page.text().contains("15 phút"));
    assert!(c.cookie.is_none());
}

/// The retained channel on the broker: its seq and item ids.
fn retained_channel(port: u16) -> (u64, Vec<String>) {
    use bangtin_protocol::content::{parse_body, parse_envelope, Payload};
    let rt = bangtin_staff::runtime().unwrap();
    rt.block_on(async {
        let mut s = board::session(port, "test").await;
        s.subscribe(&[board::CONTENT.to_owned()]).await.unwrap();
        let (_, payload) = s
            .next(tokio::time::Instant::now() + Duration::from_secs(5))
            .await
            .unwrap()
            .expect("a retained channel");
        let env = parse_envelope(&payload).unwrap();
        let body = parse_body(&env.body).unwrap();
        match body.payload {
            Payload::Channel(c) => (body.seq, c.items.into_iter().map(|i| i.id).collect()),
            other => panic!("{other:?}"),
        }
    })
}

#[test]
fn approvals_survive_sigkill_and_a_broker_outage_and_nothing_goes_out_twice() {
    let dir = temp_dir("console-kill");
    let mut broker = Mosquitto::start(&dir);
    let config = Console::configure(&dir, broker.port, "[security]\nrequire_totp = false\n");
    Console::add_user(&config, "bien-tap", "editor", AREA);
    Console::add_user(&config, "duyet", "approver", AREA);
    let mut console = Console::start(&config);
    let mut editor = Client::new(&console.url);
    editor.login("bien-tap", None);
    const ROUNDS: usize = 20;
    let ids: Vec<String> = (0..ROUNDS)
        .map(|i| {
            let id = compose(&mut editor, &format!("Thông báo số {i}"), None);
            assert_eq!(post_action(&mut editor, &id, "submit"), 303);
            id
        })
        .collect();
    let mut approver = Client::new(&console.url);
    approver.login("duyet", None);
    let mut acknowledged = Vec::new();
    for (round, id) in ids.iter().enumerate() {
        // A third of the rounds with the broker down: approvals queue in the outbox.
        if round == ROUNDS / 3 {
            broker.stop();
        }
        if round == 2 * ROUNDS / 3 {
            broker.start_again();
        }
        approver.base = console.url.clone();
        let csrf = approver.csrf();
        let pid = console.pid();
        // The kill lands before, during or after the approval's transaction.
        let delay = Duration::from_micros((round as u64 * 150) % 2500);
        let killer = std::thread::spawn(move || {
            std::thread::sleep(delay);
            let _ = std::process::Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status();
        });
        let result = approver.try_post(
            &format!("/items/{id}/approve"),
            &[("csrf", &csrf), ("revision", "1")],
        );
        killer.join().unwrap();
        if let Ok(page) = result {
            if page.status == 303 {
                acknowledged.push(format!("item {id}"));
            }
        }
        console.kill();
        // Sessions are in the database: the officer stays logged in across the restart.
        console = Console::start(&config);
    }
    approver.base = console.url.clone();
    // What was not approved before a kill is approved now; nothing is approved twice.
    for id in &ids {
        let page = approver.get(&format!("/items/{id}"));
        assert_eq!(page.status, 200, "logged out by a restart?");
        if page.text().contains("Chờ duyệt") {
            assert_eq!(post_action(&mut approver, id, "approve"), 303);
        }
        assert!(approver
            .get(&format!("/items/{id}"))
            .text()
            .contains("Đang phát"));
    }
    let db = bangtin_console::db::Db::open(&dir.join("console.db")).unwrap();
    let outbox_empty = eventually(30, || {
        let conn = db.lock();
        conn.query_row(
            "SELECT count(*) FROM outbox WHERE state = 'pending'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
            == 0
    });
    assert!(
        outbox_empty,
        "the outbox never emptied after the broker came back"
    );
    let (seq, items) = retained_channel(broker.port);
    let conn = db.lock();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let last: i64 = conn
        .query_row(
            "SELECT seq FROM channels WHERE topic = ?1",
            [board::CONTENT],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        seq as i64, last,
        "the broker holds an older channel than the console signed"
    );
    let mut unique = items.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        items.len(),
        "an item is on the channel twice: {items:?}"
    );
    assert_eq!(items.len(), ROUNDS, "{items:?}");
    // Every acknowledged approval is in the audit log once.
    for target in &acknowledged {
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM audit WHERE action = 'approve' AND target LIKE ?1 || ' %'",
                [target],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1, "{target} approved {n} times in the audit log");
    }
    eprintln!(
        "{} of {ROUNDS} approvals acknowledged before the kill",
        acknowledged.len()
    );
    assert!(!acknowledged.is_empty());
}
