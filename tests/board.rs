//! The whole board, headless, end to end: the `bangtin run --headless --frames` process, a
//! real broker over TCP (the embedded rumqttd, and Mosquitto where the broker must die), and
//! signed messages published the way staff publish them. What the board shows is read from
//! the `latest.png` it writes, by the colours each kind of slide is made of.

use bangtin::broker;

mod common;
use common::board::*;
use common::{free_port, temp_dir, Mosquitto};

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
    let port = free_port();
    broker::start(([127, 0, 0, 1], port).into()).unwrap();
    let config = write_config(&dir, port, (480, 270), "");
    let board = Board::start(&config, &dir.join("frames"));

    // Nothing published yet: the idle slide, never a black screen.
    board.wait_for("the idle slide", |f| share(f, IDLE) > 0.5);

    send(port, CONTENT, 1, channel(NOTICE));
    let notice = board.wait_for("the notice", |f| share(f, PAPER) > 0.3);
    // The header stays on top of the programme.
    assert_eq!(&notice.get_pixel(2, 2).0[..3], &[0x0D, 0x3B, 0x66]);

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
    let port = free_port();
    let mut mosquitto = Mosquitto::start(port, &dir);
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
