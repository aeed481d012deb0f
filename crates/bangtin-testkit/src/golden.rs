//! Golden images: small sizes, bundled fonts only, a tolerance per channel and a budget of
//! differing pixels; a failure writes the frame and a diff mask to the git-ignored
//! `tests/failures/`, and `BANGTIN_BLESS=1` accepts a new picture.

use crate::repo;
use std::path::PathBuf;

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
