//! The whole board, headless, end to end: the `bangtin run --headless --frames` process, a
//! real broker over TCP (the embedded rumqttd, and Mosquitto where the broker must die), and
//! signed messages published the way staff publish them. What the board shows is read from
//! the `latest.png` it writes, by the colours each kind of slide is made of.

use bangtin_testkit::board::*;
use bangtin_testkit::golden::failures_dir;
use bangtin_testkit::{embedded_broker, free_port, temp_dir, Mosquitto};

const NOTICE: &str = r#"{"items": [{"id": "hop-dan", "type": "announcement",
    "title": "Họp dân", "body": "Họp dân thôn Đông lúc 19 giờ 30 tại nhà văn hoá.",
    "duration_s": 10}]}"#;

const FLOOD: &str = r#"{"id": "lu-song-ca-lo", "msg_type": "alert", "status": "actual",
    "severity": "extreme", "headline": "LŨ KHẨN CẤP TRÊN SÔNG CÀ LỒ",
    "instruction": "Di chuyển ngay lên vùng cao."}"#;

const CANCEL: &str = r#"{"id": "huy-lu-song-ca-lo", "msg_type": "cancel", "status": "actual",
    "severity": "extreme", "references": ["lu-song-ca-lo"], "headline": "Hết cảnh báo lũ"}"#;

#[test]
fn headless_board_follows_the_broker_idle_content_alert_and_back() {
    let dir = temp_dir("board-e2e");
    let port = embedded_broker();
    let config = write_config(&dir, port, (480, 270), "");
    let board = Board::start(&config, &dir.join("frames"));

    // Nothing published yet: the idle slide, never a black screen.
    board.wait_for("the idle slide", |f| share(f, IDLE) > 0.5);

    send(port, CONTENT, 1, channel(NOTICE));
    let notice = board.wait_for("the notice", |f| share(f, PAPER) > 0.3);
    // The header stays on top of the programme.
    assert_eq!(&notice.get_pixel(2, 2).0[..3], &[0x0D, 0x3B, 0x66]);
    // A static slide draws nothing until something changes: over 4 s, at most one new frame
    // (the clock's minute may turn meanwhile).
    let written = |b: &Board| {
        std::fs::metadata(b.frames_dir().join("latest.png"))
            .and_then(|m| m.modified())
            .ok()
    };
    std::thread::sleep(std::time::Duration::from_millis(500));
    let mut seen = vec![written(&board)];
    for _ in 0..40 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        let w = written(&board);
        if seen.last() != Some(&w) {
            seen.push(w);
        }
    }
    assert!(
        seen.len() <= 2,
        "{} frames written in 4 s on a static slide",
        seen.len() - 1
    );

    send(port, ALERTS, 2, alert(FLOOD));
    let takeover = board.wait_for("the flood alert", |f| share(f, EXTREME) > 0.4);
    // The alert takes the whole screen: no header, no paper left.
    assert!(share(&takeover, PAPER) < 0.01);
    assert_eq!(&takeover.get_pixel(2, 2).0[..3], &EXTREME);

    send(port, ALERTS, 3, alert(CANCEL));
    board.wait_for("the notice again after the cancel", |f| {
        share(f, PAPER) > 0.3 && share(f, EXTREME) < 0.01
    });
}

/// A small solid-colour PNG as an inline image item.
fn image_item(id: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let img =
        image::RgbaImage::from_pixel(64, 36, image::Rgba([GREEN[0], GREEN[1], GREEN[2], 255]));
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let sha = hex::encode(sha2::Sha256::digest(&png));
    let data = base64::engine::general_purpose::STANDARD.encode(&png);
    format!(
        r#"{{"id": "{id}", "type": "image", "duration_s": 3,
            "image": {{"inline": "{data}", "sha256": "{sha}"}}}}"#
    )
}

#[test]
fn board_keeps_rotating_from_cache_when_the_broker_dies_and_after_a_restart() {
    let dir = temp_dir("board-offline");
    let mut mosquitto = Mosquitto::start(&dir);
    let port = mosquitto.port;
    let config = write_config(&dir, port, (480, 270), "");
    let mut board = Board::start(&config, &dir.join("frames"));
    board.wait_for("the idle slide", |f| share(f, IDLE) > 0.5);

    let two = format!(
        r#"{{"items": [{{"id": "hop-dan", "type": "announcement", "title": "Họp dân",
            "body": "Họp dân thôn Đông lúc 19 giờ 30.", "duration_s": 3}}, {}]}}"#,
        image_item("anh")
    );
    send(port, CONTENT, 1, channel(&two));
    board.wait_for("the notice", |f| share(f, PAPER) > 0.3);
    board.wait_for("the image", |f| share(f, GREEN) > 0.2);

    // The broker dies: the board keeps its rotation going from what it has.
    mosquitto.kill();
    let _ = std::fs::remove_file(dir.join("frames/latest.png"));
    board.wait_for("the notice, broker down", |f| share(f, PAPER) > 0.3);
    board.wait_for("the image, broker down", |f| share(f, GREEN) > 0.2);

    // Power cut, and the board comes back with the broker still down: the cached programme
    // is on screen, not the idle slide.
    board.kill();
    let board = Board::start(&config, &dir.join("frames-2"));
    board.wait_for("the cached notice after a restart", |f| {
        share(f, PAPER) > 0.3 || share(f, GREEN) > 0.2
    });
    assert!(share(&board.frame().unwrap(), IDLE) < 0.5);
}

fn hang_up(board: &Board) {
    let status = std::process::Command::new("kill")
        .args(["-HUP", &board.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn sighup_reloads_the_config_and_a_bad_one_keeps_the_board_as_it_was() {
    let dir = temp_dir("board-reload");
    let port = embedded_broker();
    let config = write_config(&dir, port, (480, 270), "");
    let good = std::fs::read_to_string(&config).unwrap();
    let mut board = Board::start(&config, &dir.join("frames"));
    send(port, CONTENT, 1, channel(NOTICE));
    board.wait_for("the notice under the header", |f| {
        share(f, PAPER) > 0.3 && f.get_pixel(2, 2).0[..3] == IDLE
    });

    // A broken file: logged, and the board goes on exactly as it was.
    std::fs::write(&config, good.replace("width = 480", "width = \"wide\"")).unwrap();
    hang_up(&board);
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert!(
        board.is_running(),
        "a bad config on SIGHUP must not stop the board"
    );
    let f = board.frame().unwrap();
    assert!(share(&f, PAPER) > 0.3 && f.get_pixel(2, 2).0[..3] == IDLE);

    // A good one: the header goes away at once.
    std::fs::write(
        &config,
        good.replace("fade_ms = 0", "fade_ms = 0\nheader = false"),
    )
    .unwrap();
    hang_up(&board);
    board.wait_for("the notice without a header", |f| {
        share(f, PAPER) > 0.3 && f.get_pixel(2, 2).0[..3] != IDLE
    });
    board.kill();
}

#[test]
fn an_alert_on_screen_survives_a_power_cut_with_the_network_down() {
    let dir = temp_dir("board-alert-restart");
    let port = embedded_broker();
    let config = write_config(&dir, port, (480, 270), "");
    let mut board = Board::start(&config, &dir.join("frames"));
    send(port, CONTENT, 1, channel(NOTICE));
    board.wait_for("the notice", |f| share(f, PAPER) > 0.3);
    send(port, ALERTS, 2, alert(FLOOD));
    board.wait_for("the flood alert", |f| share(f, EXTREME) > 0.4);
    // The alert is saved right after the frame that shows it.
    std::thread::sleep(std::time::Duration::from_millis(500));
    board.kill();

    // Back on a network that has no broker at all.
    let text = std::fs::read_to_string(&config).unwrap().replace(
        &format!("127.0.0.1:{port}"),
        &format!("127.0.0.1:{}", free_port()),
    );
    std::fs::write(&config, text).unwrap();
    let board = Board::start(&config, &dir.join("frames-2"));
    board.wait_for("the flood alert after the restart", |f| {
        share(f, EXTREME) > 0.4
    });
}

#[test]
fn a_cancelled_alert_stays_cancelled_after_a_power_cut_while_the_ticker_scrolls() {
    let dir = temp_dir("board-cancel-restart");
    let port = embedded_broker();
    let config = write_config(&dir, port, (480, 270), "");
    let mut board = Board::start(&config, &dir.join("frames"));
    // With a ticker the board draws frames all the time; saving must not wait for a still one.
    let with_ticker = r#"{"items": [{"id": "hop-dan", "type": "announcement", "title": "Họp dân",
        "body": "Họp dân thôn Đông lúc 19 giờ 30.", "duration_s": 10},
        {"id": "tin-van", "type": "ticker", "text": "Tin vắn: cắt điện thôn Đông từ 8 giờ."}]}"#;
    send(port, CONTENT, 1, channel(with_ticker));
    board.wait_for("the notice", |f| share(f, PAPER) > 0.3);
    send(port, ALERTS, 2, alert(FLOOD));
    board.wait_for("the flood alert", |f| share(f, EXTREME) > 0.4);
    send(port, ALERTS, 3, alert(CANCEL));
    board.wait_for("the notice after the cancel", |f| {
        share(f, PAPER) > 0.3 && share(f, EXTREME) < 0.01
    });
    std::thread::sleep(std::time::Duration::from_millis(500));
    board.kill();

    let text = std::fs::read_to_string(&config).unwrap().replace(
        &format!("127.0.0.1:{port}"),
        &format!("127.0.0.1:{}", free_port()),
    );
    std::fs::write(&config, text).unwrap();
    let board = Board::start(&config, &dir.join("frames-2"));
    board.wait_for("the notice after the restart", |f| share(f, PAPER) > 0.3);
    // And it stays so: the cancelled alert does not come back.
    for _ in 0..10 {
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert!(share(&board.frame().unwrap(), EXTREME) < 0.01);
    }
}

#[test]
fn a_picture_larger_than_the_gpu_can_draw_is_refused_with_the_reason_not_a_panic() {
    let dir = temp_dir("board-too-large");
    let config = write_config(&dir, free_port(), (480, 270), "");
    let text = std::fs::read_to_string(&config).unwrap().replace(
        "fade_ms = 0",
        "fade_ms = 0\nregion = { x = 16000, y = 0, width = 16384, height = 270 }",
    );
    std::fs::write(&config, text).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bangtin"))
        .args(["run", "--headless", "--config"])
        .arg(&config)
        .arg("--frames")
        .arg(dir.join("frames"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("draws pictures of at most"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// libfaketime, which lets a test set the board's wall clock while it runs.
fn libfaketime() -> std::path::PathBuf {
    let found = ["x86_64-linux-gnu", "aarch64-linux-gnu"]
        .iter()
        .map(|a| std::path::PathBuf::from(format!("/usr/lib/{a}/faketime/libfaketimeMT.so.1")))
        .find(|p| p.exists());
    found.expect(
        "libfaketime is missing: install it with `apt-get install faketime` \
         (scripts/setup.sh --test does)",
    )
}

/// The board's clock is 8 hours behind (no NTP yet) when a flood alert with no `effective`
/// or `expires` arrives; then NTP sets the clock right and a fresh message comes. The alert's
/// lifetime runs from its signed `issued_at`, not from the wrong clock at receipt, so it is
/// still on screen (a lifetime counted from receipt would have ended 2 hours ago).
#[test]
fn an_alert_received_while_the_clock_was_8_hours_behind_stays_after_ntp_sets_it_right() {
    let lib = libfaketime();
    let dir = temp_dir("board-clock-behind");
    let port = embedded_broker();
    let config = write_config(&dir, port, (480, 270), "");
    let clock = dir.join("clock");
    std::fs::write(&clock, "-8h\n").unwrap();
    let board = Board::start_with(
        &config,
        &dir.join("frames"),
        &[
            ("LD_PRELOAD", lib.to_str().unwrap()),
            ("FAKETIME_TIMESTAMP_FILE", clock.to_str().unwrap()),
            ("FAKETIME_CACHE_DURATION", "1"),
            // Slot lengths and frame pacing keep running on real monotonic time.
            ("FAKETIME_DONT_FAKE_MONOTONIC", "1"),
        ],
    );
    board.wait_for("the idle slide", |f| share(f, IDLE) > 0.5);
    send(port, CONTENT, 1, channel(NOTICE));
    board.wait_for("the notice", |f| share(f, PAPER) > 0.3);
    send(port, ALERTS, 2, alert(FLOOD));
    board.wait_for("the flood alert", |f| share(f, EXTREME) > 0.4);

    // NTP: the clock jumps 8 hours forward. A fresh message follows.
    std::fs::write(&clock, "+0\n").unwrap();
    std::thread::sleep(std::time::Duration::from_secs(2));
    let later = NOTICE.replace("19 giờ 30", "20 giờ");
    send(port, CONTENT, 3, channel(&later));
    // For the next 6 s, every frame is still the alert.
    let until = std::time::Instant::now() + std::time::Duration::from_secs(6);
    while std::time::Instant::now() < until {
        std::thread::sleep(std::time::Duration::from_millis(250));
        let Some(f) = board.frame() else { continue };
        if share(&f, EXTREME) <= 0.4 {
            let out = failures_dir().join("board-after-ntp.png");
            let _ = std::fs::create_dir_all(out.parent().unwrap());
            f.save(&out).unwrap();
            panic!("the alert left the screen once the clock was set right: {out:?}");
        }
    }
}
