//! Video on a board: clips made by the test (x264 through GStreamer), served over HTTP,
//! fetched, checked and probed by the board, played in the rotation through the GPU
//! (lavapipe here), and clips a board must not play refused with a reason while the rest
//! goes on.

use crate::assets::{serve, Route};
use crate::staff::wait_fleet;
use bangtin_board::output::{self, Services};
use bangtin_board::sync::Delivery;
use bangtin_board::{Board as Driven, Options};
use bangtin_render::{Gpu, Offscreen, TARGET_FORMAT};
use bangtin_testkit::board::{self, share, Board, PAPER};
use bangtin_testkit::{temp_dir, Mosquitto};
use bangtin_video::clip::{self, Codec, Frames, Spec};
use bangtin_video::Matrix;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const RED: [u8; 3] = [210, 40, 40];
const BLUE: [u8; 3] = [40, 60, 210];

/// A clip of `frames` frames of one colour, as its bytes.
fn clip_bytes(dir: &Path, name: &str, spec: Spec) -> Vec<u8> {
    let path = dir.join(name);
    clip::make(&path, &spec).unwrap_or_else(|e| {
        panic!("cannot make a test clip: {e}; install gstreamer1.0-plugins-ugly (scripts/setup.sh --test)")
    });
    std::fs::read(&path).unwrap()
}

fn solid(colour: [u8; 3], frames: usize, (w, h): (u32, u32), matrix: Matrix) -> Spec {
    Spec {
        width: w,
        height: h,
        fps: 30,
        frames: Frames::Colours(vec![colour; frames]),
        matrix,
        codec: Codec::H264Mp4,
    }
}

fn video_item(id: &str, base: &str, path: &str, bytes: &[u8], extra: &str) -> String {
    format!(
        r#"{{"id": "{id}", "type": "video", {extra}
            "video": {{"url": "{base}{path}", "sha256": "{}", "bytes": {}}}}}"#,
        hex::encode(Sha256::digest(bytes)),
        bytes.len()
    )
}

fn near(p: [u8; 3], want: [u8; 3]) -> bool {
    p.iter().zip(want).all(|(a, b)| a.abs_diff(b) <= 24)
}

/// What one presented frame showed, by its pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    Slide,
    Red,
    Blue,
    /// Neither the slide nor a clip: a black or a placeholder frame.
    Foreign,
}

/// The board in this process, presented to an offscreen target, each frame read back.
struct InProcess {
    board: Driven,
    gpu: Gpu,
    target: Offscreen,
    events: mpsc::Receiver<Delivery>,
    _services: Services,
}

impl InProcess {
    fn start(config: &Path) -> InProcess {
        let cfg = bangtin_config::load(config).expect("the config is valid");
        let (tx, events) = mpsc::channel();
        let tx = Mutex::new(tx);
        let sink = Arc::new(move |d: Delivery| {
            let _ = tx.lock().unwrap().send(d);
        });
        let services = output::start(cfg, None, sink, None).expect("the board starts");
        let gpu = Gpu::new().expect("a GPU (Mesa's lavapipe: mesa-vulkan-drivers)");
        let options = Options {
            fps: 30,
            ..Options::default()
        };
        let board = services.board(&gpu, TARGET_FORMAT, &options);
        let (w, h) = board.headless_size();
        let target = Offscreen::new(&gpu.device, w, h);
        InProcess {
            board,
            gpu,
            target,
            events,
            _services: services,
        }
    }

    /// One turn of the board's loop; the frame presented, if one was.
    fn turn(&mut self) -> Option<image::RgbaImage> {
        while let Ok(d) = self.events.try_recv() {
            self.board.handle(d.event);
        }
        if !self.board.update() {
            if let Some(wait) = self
                .board
                .next_wake()
                .checked_duration_since(Instant::now())
            {
                std::thread::sleep(wait.min(Duration::from_millis(20)));
            }
            return None;
        }
        self.board.prepare(&self.gpu);
        let placement = self
            .board
            .placement((self.target.width, self.target.height));
        let mut encoder = self
            .gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: None });
        self.board.render(
            &self.gpu,
            &mut encoder,
            &self.target.texture,
            &placement,
            false,
        );
        let frame = self.target.read_back(&self.gpu, encoder).ok();
        self.board.presented();
        frame
    }
}

/// Runs the board until `what` shows; returns how many frames it took.
fn until(b: &mut InProcess, name: &str, what: &dyn Fn(&image::RgbaImage) -> bool) -> usize {
    let t0 = Instant::now();
    let mut frames = 0;
    while t0.elapsed() < Duration::from_secs(30) {
        if let Some(f) = b.turn() {
            frames += 1;
            if what(&f) {
                return frames;
            }
        }
    }
    panic!("{name} never showed");
}

fn seen(frame: &image::RgbaImage) -> Seen {
    let (w, h) = frame.dimensions();
    let p = frame.get_pixel(w / 2, h / 2).0;
    let rgb = [p[0], p[1], p[2]];
    if near(rgb, RED) {
        Seen::Red
    } else if near(rgb, BLUE) {
        Seen::Blue
    } else if share(frame, PAPER) > 0.2 {
        Seen::Slide
    } else {
        Seen::Foreign
    }
}

#[test]
fn clips_play_in_the_rotation_and_every_switch_shows_old_or_new_never_black() {
    let dir = temp_dir("video-play");
    let broker = Mosquitto::start(&dir);
    // Red: 2 s in a 3 s slot (it loops), 322 pixels wide (161-pixel chroma rows); blue,
    // BT.709: as long as its clip.
    let red = clip_bytes(&dir, "red.mp4", solid(RED, 60, (322, 182), Matrix::Bt601));
    let blue = clip_bytes(
        &dir,
        "blue.mp4",
        solid(BLUE, 100, (330, 186), Matrix::Bt709),
    );
    let base = serve(HashMap::from([
        ("/red.mp4", Route::Bytes(red.clone())),
        ("/blue.mp4", Route::Bytes(blue.clone())),
    ]));
    let cfg = board::write_config(&dir, broker.port, (480, 270), "");
    let mut b = InProcess::start(&cfg);
    board::send(
        broker.port,
        board::CONTENT,
        4_100_000_000_000,
        board::channel(&format!(
            r#"{{"items": [
                {{"id": "lich", "type": "announcement", "title": "Lịch tiếp công dân",
                  "body": "Sáng thứ Năm hằng tuần.", "duration_s": 3}},
                {},
                {}
            ]}}"#,
            video_item("do", &base, "/red.mp4", &red, r#""duration_s": 3,"#),
            video_item("xanh", &base, "/blue.mp4", &blue, ""),
        )),
    );
    let t0 = Instant::now();
    let mut order: Vec<Seen> = Vec::new();
    let mut frames = 0;
    while t0.elapsed() < Duration::from_secs(40) {
        let Some(frame) = b.turn() else { continue };
        let s = seen(&frame);
        if s == Seen::Foreign {
            let out = bangtin_testkit::failures_dir().join("video-foreign.png");
            let _ = std::fs::create_dir_all(out.parent().unwrap());
            let _ = frame.save(&out);
            panic!(
                "a frame showed neither the slide nor a clip (after {order:?}); saved as {}",
                out.display()
            );
        }
        frames += 1;
        if order.last() != Some(&s) {
            order.push(s);
        }
        // Two whole rounds: slide, red, blue, slide, red, blue.
        if order.len() >= 6 {
            break;
        }
    }
    assert!(
        order.len() >= 6,
        "the rotation did not go round twice in 40 s: {order:?} over {frames} frames"
    );
    let round: Vec<Seen> = order
        .iter()
        .skip_while(|s| **s != Seen::Slide)
        .copied()
        .collect();
    assert_eq!(
        &round[..3],
        &[Seen::Slide, Seen::Red, Seen::Blue],
        "in the order of the channel: {order:?}"
    );
    assert!(
        b.board.video_frames() > 60,
        "frames decoded: {}",
        b.board.video_frames()
    );
}

#[test]
fn a_clip_that_fails_its_checks_is_left_out_with_a_reason_and_the_rest_shows() {
    let dir = temp_dir("video-refused");
    let broker = Mosquitto::start(&dir);
    let good = clip_bytes(&dir, "good.mp4", solid(RED, 10, (160, 90), Matrix::Bt601));
    let mut tampered = good.clone();
    let n = tampered.len();
    tampered[n / 2] ^= 0xFF;
    let base = serve(HashMap::from([("/clip.mp4", Route::Bytes(tampered))]));
    let cfg = board::write_config(&dir, broker.port, (640, 360), "");
    let b = Board::start(&cfg, &dir.join("frames"));
    b.wait_for("idle", |f| share(f, board::IDLE) > 0.3);
    board::send(
        broker.port,
        board::CONTENT,
        4_100_000_000_000,
        board::channel(&format!(
            r#"{{"items": [
                {},
                {{"id": "lich", "type": "announcement", "title": "Lịch tiếp công dân",
                  "body": "Sáng thứ Năm hằng tuần."}}
            ]}}"#,
            // Served with one byte changed: its sha256 is not the one the channel gives.
            video_item(
                "clip",
                &base,
                "/clip.mp4",
                &good,
                r#""caption": "Phòng chống sốt xuất huyết","#
            ),
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
        std::thread::sleep(Duration::from_millis(500));
    }
    assert!(
        error.contains("\"clip\"") && error.contains("sha256"),
        "status: {error:?}"
    );
    // Over several rotations only the announcement is on screen, and nothing was stored.
    for _ in 0..6 {
        std::thread::sleep(Duration::from_millis(500));
        assert!(
            share(&b.frame().unwrap(), PAPER) > 0.3,
            "something else showed"
        );
    }
    let stored = std::fs::read_dir(dir.join("store/assets"))
        .map(|d| d.flatten().count())
        .unwrap_or(0);
    assert_eq!(stored, 0, "a clip that failed its checks is not kept");
}

#[test]
fn an_alert_takes_the_screen_from_a_playing_clip_and_the_clip_comes_back_after() {
    let dir = temp_dir("video-alert");
    let broker = Mosquitto::start(&dir);
    let red = clip_bytes(&dir, "red.mp4", solid(RED, 45, (320, 180), Matrix::Bt601));
    let base = serve(HashMap::from([("/red.mp4", Route::Bytes(red.clone()))]));
    let cfg = board::write_config(&dir, broker.port, (480, 270), "");
    let mut b = InProcess::start(&cfg);
    board::send(
        broker.port,
        board::CONTENT,
        4_100_000_000_000,
        board::channel(&format!(
            r#"{{"items": [{}]}}"#,
            video_item("do", &base, "/red.mp4", &red, r#""duration_s": 60,"#)
        )),
    );
    until(&mut b, "the clip", &|f| seen(f) == Seen::Red);
    let alert = r#"{"id": "lu", "msg_type": "alert", "status": "actual", "severity": "extreme",
        "headline": "LŨ KHẨN CẤP", "instruction": "Di chuyển ngay lên vùng cao."}"#;
    board::send(
        broker.port,
        board::ALERTS,
        4_100_000_000_001,
        board::alert(alert),
    );
    until(&mut b, "the alert", &|f| share(f, board::EXTREME) > 0.2);
    // Under the alert, the clip is not drawn over it.
    for _ in 0..10 {
        if let Some(f) = b.turn() {
            assert!(share(&f, board::EXTREME) > 0.2, "the alert lost the screen");
            assert_ne!(seen(&f), Seen::Red, "the clip shows through the alert");
        }
    }
    let cancel = r#"{"id": "huy-lu", "msg_type": "cancel", "status": "actual",
        "severity": "extreme", "references": ["lu"], "headline": "Hết cảnh báo"}"#;
    board::send(
        broker.port,
        board::ALERTS,
        4_100_000_000_002,
        board::alert(cancel),
    );
    until(&mut b, "the clip again", &|f| seen(f) == Seen::Red);
}

#[test]
fn the_console_checks_an_uploaded_clip_and_previews_its_first_frame() {
    use bangtin_testkit::console::{item_id, Client, Console, AREA};
    let dir = temp_dir("video-console");
    let broker = Mosquitto::start(&dir);
    let config = Console::configure(&dir, broker.port, "");
    Console::add_user(&config, "bien-tap", "editor", AREA);
    let console = Console::start(&config);
    let mut c = Client::new(&console.url);
    c.login("bien-tap", None);
    let red = clip_bytes(&dir, "red.mp4", solid(RED, 15, (320, 180), Matrix::Bt601));
    let csrf = c.csrf();
    let url = "https://cdn.dong-anh.example.vn/video/sxh.mp4";
    let fields = |url: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("kind", "video".to_owned()),
            ("caption", "Phòng chống sốt xuất huyết".to_owned()),
            ("video_url", url.to_owned()),
        ]
    };
    let post = |c: &mut Client, fields: &[(&str, String)], file: &[u8]| {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        c.post_files(
            &format!("/items?area={AREA}"),
            &fields,
            &[("video", "clip.mp4", file)],
        )
    };
    let page = post(&mut c, &fields(url), &red);
    assert_eq!(page.status, 303, "{}", page.text());
    let id = item_id(&page);
    let html = c.get(&format!("/items/{id}")).text();
    assert!(
        html.contains("MP4 H.264 320x180"),
        "says what the clip is: {html}"
    );
    assert!(html.contains(url), "says where boards fetch it: {html}");
    // The preview is the board's layout with the clip's first frame where it will play.
    let png = c.get(&format!("/items/{id}/preview.png?w=640&h=360&page=1"));
    assert_eq!(png.status, 200);
    let shot = image::load_from_memory(&png.body).unwrap().to_rgba8();
    let reds = shot
        .pixels()
        .filter(|p| near([p.0[0], p.0[1], p.0[2]], RED))
        .count() as f64
        / f64::from(640 * 360);
    assert!(
        reds > 0.2,
        "the poster is not in the preview ({reds:.2} red)"
    );
    // The item names the clip by its hash and size, and lasts as long as it.
    let db = bangtin_console::db::Db::open(&dir.join("console.db")).unwrap();
    let draft: String = db
        .lock()
        .query_row("SELECT draft FROM items", [], |r| r.get(0))
        .unwrap();
    let draft: serde_json::Value = serde_json::from_str(&draft).unwrap();
    assert_eq!(draft["video"]["sha256"], hex::encode(Sha256::digest(&red)));
    assert_eq!(draft["video"]["bytes"], red.len() as u64);
    assert!(draft.get("duration_s").is_none(), "{draft}");
    // A codec boards do not play, a file that is no video, no web address: refused, said why.
    let old = clip_bytes(&dir, "old.mkv", {
        let mut s = solid(RED, 5, (160, 90), Matrix::Bt601);
        s.codec = Codec::Mpeg4Mkv;
        s
    });
    let page = post(&mut c, &fields(url), &old);
    assert_eq!(page.status, 422);
    assert!(page.text().contains("Video không dùng được") && page.text().contains("H.264"));
    let page = post(&mut c, &fields(url), b"<html>not a clip</html>");
    assert_eq!(page.status, 422);
    let page = post(&mut c, &fields("ftp://x.vn/a.mp4"), &red);
    assert_eq!(page.status, 422);
    assert!(page.text().contains("Nhập địa chỉ web"), "{}", page.text());
    let items: i64 = db
        .lock()
        .query_row("SELECT count(*) FROM items", [], |r| r.get(0))
        .unwrap();
    assert_eq!(items, 1, "nothing refused was kept");
}
