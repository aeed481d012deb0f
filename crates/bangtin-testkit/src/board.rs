//! A whole board for end-to-end tests and harnesses: its config, the `bangtin run` process,
//! signed publishing, and reading what it shows by the colours slides are made of.

use crate::golden::failures_dir;
use bangtin_protocol::content::{self, Payload};
use bangtin_staff::{keys, net};
use ed25519_dalek::SigningKey;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

pub const CONTENT: &str = "bangtin/v1/content/vn/ha-noi/dong-anh";
pub const ALERTS: &str = "bangtin/v1/alert/vn/ha-noi/dong-anh";

/// Slide colours (layout's theme).
pub const IDLE: [u8; 3] = [0x0D, 0x3B, 0x66];
pub const PAPER: [u8; 3] = [0xFF, 0xFD, 0xF7];
pub const EXTREME: [u8; 3] = [0xB0, 0x00, 0x20];
pub const GREEN: [u8; 3] = [0x20, 0xA0, 0x40];
/// The yellow frame and bands of a drill (DIỄN TẬP).
pub const DRILL: [u8; 3] = [0xFF, 0xD6, 0x00];

pub fn key() -> SigningKey {
    SigningKey::from_bytes(&[7; 32])
}

/// A board config in `dir` for a `width` x `height` picture; `extra` is appended.
pub fn write_config(dir: &Path, port: u16, (width, height): (u32, u32), extra: &str) -> PathBuf {
    use base64::Engine as _;
    let public = base64::engine::general_purpose::STANDARD.encode(key().verifying_key().as_bytes());
    let path = dir.join("board.toml");
    std::fs::write(
        &path,
        format!(
            r#"[board]
id = "xuan-non-01"
area = "vn/ha-noi/dong-anh/xuan-non"
name = "UBND xã Xuân Nộn"

[broker]
url = "mqtt://127.0.0.1:{port}"
keep_alive_s = 5

[[trust]]
key = "huyen-dong-anh"
public = "{public}"
scopes = ["vn/ha-noi/dong-anh"]
alerts = true

[display]
width = {width}
height = {height}
fade_ms = 0

[store]
dir = "{}"

{extra}
"#,
            dir.join("store").display()
        ),
    )
    .unwrap();
    path
}

/// A running `bangtin run --headless`, killed (SIGKILL, like a power cut) when dropped.
pub struct Board {
    child: Child,
    frames: PathBuf,
}

impl Board {
    pub fn start(config: &Path, frames: &Path) -> Board {
        Board::start_with(config, frames, &[])
    }

    /// [`Board::start`] with more environment (a faked clock, say).
    pub fn start_with(config: &Path, frames: &Path, env: &[(&str, &str)]) -> Board {
        let _ = std::fs::remove_file(frames.join("latest.png"));
        let child = Command::new(crate::exe())
            .args(["run", "--headless", "--fps", "4", "--config"])
            .arg(config)
            .arg("--frames")
            .arg(frames)
            .env("RUST_LOG", "bangtin=info")
            .envs(env.iter().copied())
            .spawn()
            .expect("bangtin runs");
        Board {
            child,
            frames: frames.to_owned(),
        }
    }

    pub fn frames_dir(&self) -> &Path {
        &self.frames
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub fn frame(&self) -> Option<image::RgbaImage> {
        let bytes = std::fs::read(self.frames.join("latest.png")).ok()?;
        image::load_from_memory(&bytes).ok().map(|i| i.to_rgba8())
    }

    /// Waits until the frame satisfies `what`; panics with `name` and the last frame saved.
    pub fn wait_for(
        &self,
        name: &str,
        what: impl Fn(&image::RgbaImage) -> bool,
    ) -> image::RgbaImage {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut last = None;
        while Instant::now() < deadline {
            if let Some(f) = self.frame() {
                if what(&f) {
                    return f;
                }
                last = Some(f);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        if let Some(f) = last {
            let out = failures_dir().join(format!("board-{name}.png"));
            let _ = std::fs::create_dir_all(out.parent().unwrap());
            let _ = f.save(&out);
            panic!(
                "the board never showed {name}; its last frame is {}",
                out.display()
            );
        }
        panic!("the board wrote no frame while waiting for {name}");
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Board {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The share of pixels within a small distance of `rgb`.
pub fn share(img: &image::RgbaImage, rgb: [u8; 3]) -> f64 {
    let near = img
        .pixels()
        .filter(|p| (0..3).all(|i| p.0[i].abs_diff(rgb[i]) <= 6))
        .count();
    near as f64 / (img.width() * img.height()) as f64
}

/// Signs `payload` with the district key at `seq` and publishes it retained on `topic`.
pub fn send(port: u16, topic: &str, seq: u64, payload: Payload) {
    let envelope = keys::envelope(
        "huyen-dong-anh",
        &key(),
        topic,
        seq,
        bangtin_staff::board_now(),
        payload,
    );
    publish(port, topic, envelope);
}

/// Publishes raw bytes, retained, at QoS 1, and waits for the broker's acknowledgement.
/// A staff session on the broker at `port` (loopback), connected; `client` names it.
pub async fn session(port: u16, client: &str) -> net::Session {
    let broker = bangtin_staff::BrokerSpec::new(&format!("mqtt://127.0.0.1:{port}"), "bangtin/v1")
        .unwrap_or_else(|e| panic!("{e}"));
    let options = broker
        .options(client, None)
        .unwrap_or_else(|e| panic!("{e}"));
    net::Session::connect(options, Duration::from_secs(5))
        .await
        .unwrap_or_else(|e| panic!("connecting to the broker on port {port}: {e}"))
}

pub fn publish(port: u16, topic: &str, bytes: Vec<u8>) {
    let broker = bangtin_staff::BrokerSpec::new(&format!("mqtt://127.0.0.1:{port}"), "bangtin/v1")
        .unwrap_or_else(|e| panic!("{e}"));
    let options = broker
        .options("test", None)
        .unwrap_or_else(|e| panic!("{e}"));
    bangtin_staff::runtime()
        .unwrap_or_else(|e| panic!("{e}"))
        .block_on(net::publish_once(
            options,
            topic,
            bytes,
            true,
            Duration::from_secs(5),
        ))
        .unwrap_or_else(|e| panic!("publishing to {topic}: {e}"));
}

pub fn channel(json: &str) -> Payload {
    Payload::Channel(content::parse_channel(json.as_bytes()).unwrap())
}

pub fn alert(json: &str) -> Payload {
    Payload::Alert(content::parse_alert(json.as_bytes()).unwrap())
}

/// `bangtin run` in a window on the X display `display` (e.g. ":95").
pub fn start_window(config: &Path, display: &str) -> Child {
    Command::new(crate::exe())
        .args(["run", "--config"])
        .arg(config)
        .env("DISPLAY", display)
        .env_remove("WAYLAND_DISPLAY")
        .env("RUST_LOG", "bangtin=info")
        .spawn()
        .expect("bangtin runs")
}
