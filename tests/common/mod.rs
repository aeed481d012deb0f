//! Helpers shared by the integration tests: content fixtures, the GPU, golden images.
#![allow(dead_code)]

pub mod board;

use bangtin::content::{self, Alert, Channel, Item};
use bangtin::layout::{self, DisplayList, Slide, TextEngine};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// Every stacked-diacritic capital of Vietnamese (a circumflex, breve or horn letter with a
/// tone mark above), the letters that overflow a tight line box.
pub const STACKED_CAPITALS: &str = "ẦẤẨẪẬ ẰẮẲẴẶ ỀẾỂỄỆ ỒỐỔỖỘ ỜỚỞỠỢ ỪỨỬỮỰ";

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn channel(json: &str) -> Channel {
    match content::parse_channel(json.as_bytes()) {
        Ok(c) => c,
        Err(p) => panic!("fixture channel is invalid: {p}"),
    }
}

pub fn alert(json: &str) -> Alert {
    match content::parse_alert(json.as_bytes()) {
        Ok(a) => a,
        Err(p) => panic!("fixture alert is invalid: {p}"),
    }
}

pub fn item(json: &str) -> Item {
    channel(&format!(r#"{{"items": [{json}]}}"#))
        .items
        .remove(0)
}

/// A fake image directory: every sha256 is a 4:3 picture, except "wide" (16:9 landscape) and
/// "tall" (portrait).
pub fn image_size(sha: &str) -> Option<(u32, u32)> {
    Some(match sha {
        s if s.starts_with("aaaa") => (1600, 900),
        s if s.starts_with("bbbb") => (600, 900),
        _ => (800, 600),
    })
}

pub const WIDE: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
pub const TALL: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

/// An image field naming `sha` by URL (layout needs only its size).
pub fn url_image(sha: &str) -> String {
    format!(r#"{{"url": "https://example.invalid/{sha}.jpg", "sha256": "{sha}", "bytes": 1000}}"#)
}

pub fn lay(engine: &mut TextEngine, slide: Slide<'_>, w: u32, h: u32) -> DisplayList {
    layout::layout(engine, slide, w, h, &image_size)
}

pub const SIZES: [(u32, u32); 4] = [(128, 64), (480, 270), (1920, 1080), (1080, 1920)];

/// The repo's golden images and the git-ignored folder failures are written to.
pub fn golden_dir() -> PathBuf {
    repo().join("tests/golden")
}

pub fn failures_dir() -> PathBuf {
    repo().join("tests/failures")
}

/// Compares `actual` with the golden `name`.png: each channel may differ by `tolerance`, and
/// at most `budget` of the pixels may differ by more. `BANGTIN_BLESS=1` writes the golden
/// instead. A mismatch writes the actual image and a diff mask to tests/failures/.
pub fn assert_golden(name: &str, actual: &image::RgbaImage, tolerance: u8, budget: f64) {
    let golden = golden_dir().join(format!("{name}.png"));
    if std::env::var_os("BANGTIN_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(golden_dir()).unwrap();
        actual.save(&golden).unwrap();
        eprintln!("blessed {}", golden.display());
        return;
    }
    let write_failure = |diff: Option<&image::RgbaImage>| {
        std::fs::create_dir_all(failures_dir()).unwrap();
        let out = failures_dir().join(format!("{name}.actual.png"));
        actual.save(&out).unwrap();
        if let Some(d) = diff {
            d.save(failures_dir().join(format!("{name}.diff.png")))
                .unwrap();
        }
        out
    };
    let expected = match image::open(&golden) {
        Ok(img) => img.into_rgba8(),
        Err(e) => {
            let out = write_failure(None);
            panic!(
                "no golden image {} ({e}); the frame is in {}; if it looks right, run the test \
                 again with BANGTIN_BLESS=1",
                golden.display(),
                out.display()
            );
        }
    };
    assert_eq!(
        expected.dimensions(),
        actual.dimensions(),
        "{name}: size differs from the golden image"
    );
    let mut diff = image::RgbaImage::new(actual.width(), actual.height());
    let mut differing = 0usize;
    for (x, y, a) in actual.enumerate_pixels() {
        let e = expected.get_pixel(x, y);
        let off =
            a.0.iter()
                .zip(e.0.iter())
                .map(|(a, e)| a.abs_diff(*e))
                .max()
                .unwrap_or(0);
        if off > tolerance {
            differing += 1;
            diff.put_pixel(x, y, image::Rgba([255, 0, 0, 255]));
        } else {
            let v = (a.0[0] / 4).saturating_add(40);
            diff.put_pixel(x, y, image::Rgba([v, v, v, 255]));
        }
    }
    let total = (actual.width() * actual.height()) as f64;
    if differing as f64 > budget * total {
        let out = write_failure(Some(&diff));
        panic!(
            "{name}: {differing} of {total} pixels differ by more than {tolerance} (budget {:.2}%); \
             see {} and its .diff.png; BANGTIN_BLESS=1 accepts the new image",
            budget * 100.0,
            out.display()
        );
    }
}

pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// A free TCP port on loopback.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A fresh, empty folder under the system temp folder.
pub fn temp_dir(name: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "bangtin-test-{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A Mosquitto broker of its own on `port`, killed when dropped.
pub struct Mosquitto {
    child: Child,
    pub port: u16,
    conf: PathBuf,
}

impl Mosquitto {
    pub fn start(port: u16, dir: &Path) -> Mosquitto {
        let conf = dir.join("mosquitto.conf");
        std::fs::write(
            &conf,
            format!(
                "listener {port} 127.0.0.1\nallow_anonymous true\nmessage_size_limit 2097152\n"
            ),
        )
        .unwrap();
        let child = Command::new("mosquitto")
            .arg("-c")
            .arg(&conf)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("Mosquitto is needed for the interop tests (apt-get install mosquitto mosquitto-clients): {e}"));
        let deadline = Instant::now() + Duration::from_secs(5);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "mosquitto did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Mosquitto { child, port, conf }
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn restart(&mut self) {
        self.kill();
        let dir = self.conf.parent().unwrap().to_owned();
        *self = Mosquitto::start(self.port, &dir);
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        self.kill();
    }
}
