//! Video items (protocol v1) on a board that does not play video yet: the channel that holds
//! one is accepted, the video is left out of the rotation with a logged reason and its status
//! says so, and everything else in the channel shows as usual. (Playback itself is issue work
//! still open; this is the protocol's rule for a board that cannot play a video.)

use crate::staff::wait_fleet;
use bangtin_testkit::board::{self, share, Board, PAPER};
use bangtin_testkit::{temp_dir, Mosquitto};

#[test]
fn a_board_without_video_skips_the_clip_says_so_and_shows_the_rest() {
    let dir = temp_dir("video-skip");
    let broker = Mosquitto::start(&dir);
    let cfg = board::write_config(&dir, broker.port, (640, 360), "");
    let b = Board::start(&cfg, &dir.join("frames"));
    b.wait_for("idle", |f| share(f, board::IDLE) > 0.3);
    let sha = "ab".repeat(32);
    board::send(
        broker.port,
        board::CONTENT,
        4_100_000_000_000,
        board::channel(&format!(
            r#"{{"items": [
                {{"id": "clip", "type": "video", "caption": "Phòng chống sốt xuất huyết",
                  "video": {{"url": "http://127.0.0.1:9/clip.mp4", "sha256": "{sha}", "bytes": 1000}}}},
                {{"id": "lich", "type": "announcement", "title": "Lịch tiếp công dân",
                  "body": "Sáng thứ Năm hằng tuần."}}
            ]}}"#
        )),
    );
    b.wait_for("the announcement", |f| share(f, PAPER) > 0.3);
    let url = format!("mqtt://127.0.0.1:{}", broker.port);
    let mut error = String::new();
    for _ in 0..30 {
        let fleet = wait_fleet(&dir, &url, &[("xuan-non-01", "online")]);
        error = fleet["boards"][0]["last_error"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if !error.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    assert!(
        error.contains("\"clip\"") && error.contains("does not play video"),
        "status: {error:?}"
    );
    // Over several rotations only the announcement is on screen.
    for _ in 0..6 {
        std::thread::sleep(std::time::Duration::from_millis(500));
        assert!(
            share(&b.frame().unwrap(), PAPER) > 0.3,
            "something else showed"
        );
    }
}
