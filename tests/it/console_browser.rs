//! The console in a real browser (Chromium over WebDriver) at a phone's size, 360x740, against
//! a real console, Mosquitto and a headless board. Screenshots of each page are kept in
//! tests/artefacts/console/ for people to look at (docs/console.md shows some of them).

use bangtin_testkit::board::{self, share, Board, PAPER};
use bangtin_testkit::browser::{artefacts_dir, Driver};
use bangtin_testkit::console::{Console, AREA, PASSWORD};
use bangtin_testkit::{temp_dir, Mosquitto};
use fantoccini::{Client, Locator};
use std::time::{Duration, Instant};

pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Saves a screenshot and checks that the page does not scroll sideways at a phone's width.
pub(crate) async fn look(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    std::fs::write(artefacts_dir().join(format!("{name}.png")), png).unwrap();
    let widths = c
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            vec![],
        )
        .await
        .unwrap();
    let (scroll, inner) = (widths[0].as_u64().unwrap(), widths[1].as_u64().unwrap());
    assert!(
        scroll <= inner,
        "{name}: the page scrolls sideways ({scroll} > {inner} px)"
    );
}

pub(crate) async fn fill(c: &Client, css: &str, text: &str) {
    let field = c.find(Locator::Css(css)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

pub(crate) async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Clicks a button that submits a form and waits for the next page to have loaded.
pub(crate) async fn submit(c: &Client, css: &str) {
    c.execute("window.__before = true;", vec![]).await.unwrap();
    click(c, css).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let done = c
            .execute(
                "return typeof window.__before === 'undefined' && document.readyState === 'complete';",
                vec![],
            )
            .await
            .unwrap_or(serde_json::json!(false));
        if done == serde_json::json!(true) {
            return;
        }
        assert!(Instant::now() < deadline, "{css}: no new page after 30 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub(crate) async fn body(c: &Client) -> String {
    c.find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

pub(crate) async fn login(c: &Client, url: &str, user: &str, password: &str, totp: Option<&str>) {
    c.goto(&format!("{url}/login")).await.unwrap();
    fill(c, "input[name=username]", user).await;
    fill(c, "input[name=password]", password).await;
    if let Some(secret) = totp {
        let code = bangtin_console::auth::current_code(secret).unwrap();
        fill(c, "input[name=code]", &code).await;
    }
    submit(c, "form button").await;
}

#[test]
fn in_a_browser_an_editor_composes_an_approver_approves_and_the_board_shows_it() {
    let dir = temp_dir("console-browser");
    let broker = Mosquitto::start(&dir);
    let cfg = board::write_config(&dir, broker.port, (640, 360), "");
    let board = Board::start(&cfg, &dir.join("frames"));
    let config = Console::configure(&dir, broker.port, "");
    Console::add_user(&config, "bien-tap", "editor", AREA);
    Console::add_user(&config, "bien-tap-soc-son", "editor", "vn/ha-noi/soc-son");
    let secret = Console::add_user(&config, "duyet", "approver", AREA).unwrap();
    let console = Console::start(&config);
    let url = console.url.clone();
    let picture = dir.join("anh.png");
    image::RgbImage::from_pixel(320, 240, image::Rgb([0x20, 0xA0, 0x40]))
        .save(&picture)
        .unwrap();
    let driver = Driver::start();

    runtime().block_on(async {
        // The editor: the login page, then compose for the only area they have.
        let c = driver.browser(360, 740).await;
        c.goto(&url).await.unwrap();
        look(&c, "01-login").await;
        login(&c, &url, "bien-tap", PASSWORD, None).await;
        c.goto(&format!("{url}/items/new")).await.unwrap();
        look(&c, "02-choose-area").await;
        c.goto(&format!("{url}/items/new?area={AREA}"))
            .await
            .unwrap();
        look(&c, "03-compose").await;
        fill(&c, "input[name=title]", "Lịch tiêm chủng vắc-xin sởi").await;
        fill(
            &c,
            "textarea[name=body]",
            "Trạm y tế xã tiêm vắc-xin sởi cho trẻ từ 9 tháng tuổi, sáng thứ Bảy 12/12.",
        )
        .await;
        c.find(Locator::Css("input[name=image]"))
            .await
            .unwrap()
            .send_keys(&picture.display().to_string())
            .await
            .unwrap();
        submit(&c, "form.stack > button").await;
        // The item's page, with the exact preview loaded at the board's size.
        assert!(body(&c).await.contains("Lịch tiêm chủng vắc-xin sởi"));
        let loaded = c
            .execute(
                "const i = document.querySelector('.previews img'); \
                 return i ? [i.complete && i.naturalWidth, i.naturalHeight] : null;",
                vec![],
            )
            .await
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut loaded = loaded;
        while loaded[0] != serde_json::json!(640) && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(200)).await;
            loaded = c
                .execute(
                    "const i = document.querySelector('.previews img'); \
                     return [i.complete && i.naturalWidth, i.naturalHeight];",
                    vec![],
                )
                .await
                .unwrap();
        }
        assert_eq!(
            loaded,
            serde_json::json!([640, 360]),
            "the preview did not load"
        );
        look(&c, "04-draft-with-preview").await;
        let item_url = c.current_url().await.unwrap().to_string();
        submit(&c, "form[action$='/submit'] button").await;
        assert!(body(&c).await.contains("Chờ duyệt"));

        // An editor of another commune cannot open it.
        let other = driver.browser(360, 740).await;
        login(&other, &url, "bien-tap-soc-son", PASSWORD, None).await;
        other.goto(&item_url).await.unwrap();
        assert!(body(&other).await.contains("Không tìm thấy"));
        assert!(!body(&other).await.contains("Lịch tiêm"));
        other.close().await.unwrap();

        // The approver, with a one-time code, approves; the board shows it.
        let a = driver.browser(360, 740).await;
        login(&a, &url, "duyet", PASSWORD, Some(&secret)).await;
        look(&a, "05-approver-list").await;
        a.goto(&item_url).await.unwrap();
        submit(&a, "form[action$='/approve'] button").await;
        assert!(body(&a).await.contains("Đang phát"));
        board.wait_for("approved in a browser", |f| share(f, PAPER) > 0.3);
        // The delivery table updates by itself (server-sent events), no reload.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            // The board's row, not the column titles.
            let shown = a
                .find(Locator::Css("#delivery"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let row = match a
                .find(Locator::Css("#delivery tbody td:nth-child(2)"))
                .await
            {
                Ok(cell) => cell.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if row == "Đã hiện" {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "no shown_at on the page: {shown}"
            );
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        a.execute(
            "document.getElementById('delivery').scrollIntoView();",
            vec![],
        )
        .await
        .unwrap();
        look(&a, "06-published-and-shown").await;
        a.goto(&format!("{url}/boards")).await.unwrap();
        assert!(body(&a).await.contains("Trực tuyến"));
        look(&a, "07-boards").await;
        a.close().await.unwrap();
        c.close().await.unwrap();
    });
}

#[test]
fn in_a_browser_cross_site_forms_and_wrong_passwords_are_refused() {
    let dir = temp_dir("console-browser-refusals");
    let broker = Mosquitto::start(&dir);
    let config = Console::configure(&dir, broker.port, "");
    Console::add_user(&config, "bien-tap", "editor", AREA);
    let console = Console::start(&config);
    let url = console.url.clone();
    let driver = Driver::start();
    runtime().block_on(async {
        let c = driver.browser(360, 740).await;
        login(&c, &url, "bien-tap", PASSWORD, None).await;
        c.goto(&format!("{url}/items/new?area={AREA}"))
            .await
            .unwrap();
        // A title that is a script shows as text, and runs nowhere.
        fill(&c, "input[name=title]", "<script>window.__xss = 1</script> Tin không được gửi").await;
        submit(&c, "form.stack > button").await;
        let text = body(&c).await;
        assert!(text.contains("<script>window.__xss = 1</script> Tin không được gửi"), "{text}");
        let ran = c
            .execute(
                "return typeof window.__xss !== 'undefined' || document.querySelectorAll('main script').length > 0;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(ran, serde_json::json!(false), "the title ran as a script");
        let item_url = c.current_url().await.unwrap().to_string();
        let csrf = c
            .find(Locator::Css("input[name=csrf]"))
            .await
            .unwrap()
            .attr("value")
            .await
            .unwrap()
            .unwrap();
        // A page elsewhere posts a form to the console, even with the right token.
        let attack = format!(
            "data:text/html,<form method=post action='{item_url}/submit'>\
             <input name=csrf value={csrf}></form><script>document.forms[0].submit()</script>"
        );
        c.goto(&attack).await.unwrap();
        tokio::time::sleep(Duration::from_millis(800)).await;
        c.goto(&item_url).await.unwrap();
        assert!(
            body(&c).await.contains("Bản nháp"),
            "a cross-site form changed the item"
        );
        c.close().await.unwrap();

        let w = driver.browser(360, 740).await;
        for _ in 0..5 {
            login(&w, &url, "bien-tap", "sai mat khau", None).await;
            assert!(body(&w).await.contains("Sai tên đăng nhập"));
        }
        look(&w, "08-wrong-password").await;
        login(&w, &url, "bien-tap", PASSWORD, None).await;
        assert!(body(&w).await.contains("15 phút"), "not locked out");
        w.close().await.unwrap();
    });
}
