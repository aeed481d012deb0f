//! Emergency alerts in a real browser (Chromium over WebDriver, 360x740) against a real
//! console, Mosquitto and a headless board: a drill from the drill page, a live extreme alert
//! that waits for the second officer, the live tally, the ready cancel. Screenshots in
//! tests/artefacts/console/.

use crate::console_browser::{body, fill, login, look, runtime, submit};
use bangtin_testkit::board::{self, share, Board};
use bangtin_testkit::browser::Driver;
use bangtin_testkit::console::{Console, AREA, PASSWORD};
use bangtin_testkit::{temp_dir, Mosquitto};
use fantoccini::{Client, Locator};
use std::time::{Duration, Instant};

/// Waits until the page's live tally (updated by server-sent events, no reload) says `want`.
async fn tally_reaches(c: &Client, want: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let shown = match c.find(Locator::Css("#shown")).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if shown == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the tally says {shown:?}, not {want}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

async fn fill_alert(c: &Client, headline: &str) {
    fill(c, "input[name=headline]", headline).await;
    c.find(Locator::Css("select[name=severity] option[value=extreme]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

#[test]
fn in_a_browser_a_drill_and_a_live_alert_confirmed_by_a_second_officer_then_cancelled() {
    let dir = temp_dir("console-browser-alerts");
    let broker = Mosquitto::start(&dir);
    let cfg = board::write_config(&dir, broker.port, (640, 360), "");
    let board = Board::start(&cfg, &dir.join("frames"));
    board.wait_for("idle", |f| share(f, board::IDLE) > 0.3);
    let config = Console::configure(&dir, broker.port, "");
    Console::add_user(&config, "bien-tap", "editor", AREA);
    let first = Console::add_user(&config, "duyet", "approver", AREA).unwrap();
    let second = Console::add_user(&config, "truc-ban", "approver", AREA).unwrap();
    let console = Console::start(&config);
    let url = console.url.clone();
    let driver = Driver::start();

    runtime().block_on(async {
        // An officer without the alert right cannot open the live page.
        let e = driver.browser(360, 740).await;
        login(&e, &url, "bien-tap", PASSWORD, None).await;
        e.goto(&format!("{url}/alerts/live")).await.unwrap();
        assert!(body(&e).await.contains("Không tìm thấy"));
        e.close().await.unwrap();

        let a = driver.browser(360, 740).await;
        login(&a, &url, "duyet", PASSWORD, Some(&first)).await;
        a.goto(&format!("{url}/alerts")).await.unwrap();
        look(&a, "10-alerts").await;

        // A drill, from the drill page, with a template.
        a.goto(&format!("{url}/alerts/drill?area={AREA}&template=chay"))
            .await
            .unwrap();
        assert!(body(&a)
            .await
            .contains("DIỄN TẬP — không phải cảnh báo thật"));
        submit(&a, "button[value=preview]").await;
        look(&a, "11-drill-preview").await;
        submit(&a, "button[value=send]").await;
        board.wait_for("the drill", |f| share(f, board::DRILL) > 0.02);
        tally_reaches(&a, "1/1").await;
        look(&a, "12-drill-sent").await;
        submit(&a, "#cancel").await;
        board.wait_for("idle after the drill", |f| share(f, board::IDLE) > 0.3);

        // A live extreme alert: sent by one officer, it waits for the second.
        a.goto(&format!("{url}/alerts/live?area={AREA}"))
            .await
            .unwrap();
        assert!(body(&a).await.contains("THẬT · LIVE"));
        fill_alert(&a, "LŨ QUÉT: Di chuyển ngay lên chỗ cao").await;
        look(&a, "13-live-form").await;
        submit(&a, "button[value=send]").await;
        let alert_url = a.current_url().await.unwrap().to_string();
        assert!(body(&a).await.contains("Chờ người thứ hai xác nhận"));
        look(&a, "14-live-waiting").await;
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let f = board.frame().unwrap();
        assert!(
            share(&f, board::EXTREME) < 0.05,
            "sent before the second officer"
        );

        let b = driver.browser(360, 740).await;
        login(&b, &url, "truc-ban", PASSWORD, Some(&second)).await;
        b.goto(&alert_url).await.unwrap();
        submit(&b, "#confirm").await;
        board.wait_for("the live alert", |f| share(f, board::EXTREME) > 0.3);
        // The first officer's page shows the tally reach 1/1 without a reload.
        tally_reaches(&a, "1/1").await;
        a.execute(
            "document.querySelector('.actions.ready').scrollIntoView();",
            vec![],
        )
        .await
        .unwrap();
        look(&a, "15-live-shown").await;

        // The ready cancel: one step; the board returns to its programme.
        submit(&b, "#cancel").await;
        assert!(body(&b).await.contains("Đã hủy"));
        board.wait_for("idle after the cancel", |f| share(f, board::IDLE) > 0.3);
        b.close().await.unwrap();
        a.close().await.unwrap();
    });
}
