//! The board in a real window: an X server (Xvfb), winit, and wgpu presenting to the window's
//! surface on the software GPU. The X screen is read back with the X protocol itself and must
//! match what the same board renders headless.

use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};
use x11rb::connection::Connection as _;
use x11rb::protocol::xproto::{ConnectionExt as _, ImageFormat};

use bangtin_testkit::board::*;
use bangtin_testkit::{embedded_broker, free_port, temp_dir};

const W: u16 = 640;
const H: u16 = 360;

/// An X server of its own, killed when dropped.
struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    fn start() -> Xvfb {
        // A display number nobody uses (no lock file, no socket, even a stale one), picked
        // with the port allocator's randomness.
        let n = (0..100)
            .map(|_| 100 + free_port() % 400)
            .find(|n| {
                !Path::new(&format!("/tmp/.X{n}-lock")).exists()
                    && !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
            })
            .expect("a free X display number");
        let display = format!(":{n}");
        let child = Command::new("Xvfb")
            .arg(&display)
            // -noreset: an X server resets when its last client leaves, refusing connections
            // meanwhile; the readiness check below is such a client.
            .args([
                "-screen",
                "0",
                &format!("{W}x{H}x24"),
                "-nolisten",
                "tcp",
                "-noreset",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("Xvfb is needed for the window test (apt-get install xvfb): {e}")
            });
        // Ready when it answers, not when its socket appears.
        let deadline = Instant::now() + Duration::from_secs(10);
        while x11rb::connect(Some(&display)).is_err() {
            assert!(Instant::now() < deadline, "Xvfb did not start on {display}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Xvfb { child, display }
    }

    /// The whole X screen as RGBA.
    fn screenshot(&self) -> image::RgbaImage {
        let (conn, screen) = x11rb::connect(Some(&self.display)).expect("X connection");
        let root = conn.setup().roots[screen].root;
        let reply = conn
            .get_image(ImageFormat::Z_PIXMAP, root, 0, 0, W, H, !0)
            .expect("get_image")
            .reply()
            .expect("get_image reply");
        // Depth 24 in 32-bit pixels, little-endian: B, G, R, unused.
        let mut img = image::RgbaImage::new(u32::from(W), u32::from(H));
        for (i, px) in reply.data.chunks_exact(4).enumerate() {
            let (x, y) = (i as u32 % u32::from(W), i as u32 / u32::from(W));
            if y < u32::from(H) {
                img.put_pixel(x, y, image::Rgba([px[2], px[1], px[0], 255]));
            }
        }
        img
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        // SIGTERM, so that it removes its lock file and socket.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_window_under_xvfb_shows_what_headless_rendering_shows() {
    let x = Xvfb::start();
    let dir = temp_dir("window");
    let port = embedded_broker();
    send(port, CONTENT, 1, channel(NOTICE_FOR_WINDOW));

    let window_dir = dir.join("window");
    std::fs::create_dir_all(&window_dir).unwrap();
    let size = (u32::from(W), u32::from(H));
    let config = write_config(&window_dir, port, size, "");
    let _window = Killed(start_window(&config, &x.display));

    let deadline = Instant::now() + Duration::from_secs(40);
    let shown = loop {
        let shot = x.screenshot();
        if share(&shot, PAPER) > 0.3 {
            break shot;
        }
        if Instant::now() > deadline {
            let out = bangtin_testkit::failures_dir().join("window-screen.png");
            let _ = std::fs::create_dir_all(out.parent().unwrap());
            shot.save(&out).unwrap();
            panic!(
                "the window never showed the notice; the X screen is in {}",
                out.display()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    };

    // The same board, headless, with its own store and broker session.
    let headless_dir = dir.join("headless");
    std::fs::create_dir_all(&headless_dir).unwrap();
    let config = write_config(&headless_dir, port, size, "");
    let config_text = std::fs::read_to_string(&config).unwrap().replace(
        "keep_alive_s = 5",
        "keep_alive_s = 5\nclient_id = \"bangtin-twin\"",
    );
    std::fs::write(&config, config_text).unwrap();
    let board = Board::start(&config, &headless_dir.join("frames"));
    let frame = board.wait_for("the notice headless", |f| share(f, PAPER) > 0.3);

    assert_eq!(shown.dimensions(), frame.dimensions());
    let differing = shown
        .pixels()
        .zip(frame.pixels())
        .filter(|(a, b)| (0..3).any(|i| a.0[i].abs_diff(b.0[i]) > 24))
        .count();
    let ratio = differing as f64 / f64::from(u32::from(W) * u32::from(H));
    if ratio > 0.02 {
        let out = bangtin_testkit::failures_dir();
        let _ = std::fs::create_dir_all(&out);
        shown.save(out.join("window-screen.png")).unwrap();
        frame.save(out.join("window-headless.png")).unwrap();
        panic!(
            "{:.1}% of the window's pixels differ from the headless frame (see {})",
            ratio * 100.0,
            out.display()
        );
    }
}

const NOTICE_FOR_WINDOW: &str = r#"{"items": [{"id": "hop-dan", "type": "announcement",
    "title": "Họp dân", "body": "Họp dân thôn Đông lúc 19 giờ 30 tại nhà văn hoá.",
    "duration_s": 10}]}"#;
