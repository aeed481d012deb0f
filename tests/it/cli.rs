//! The `bangtin` command line as an officer or installer uses it: `check` and `render` on the
//! sample content and on broken files. Bad input exits 2 and lists every problem; nothing
//! panics; a rendered slide is a real PNG of the asked size.

use bangtin_testkit::repo;
use std::path::Path;
use std::process::{Command, Output};

fn bangtin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bangtin"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("the bangtin binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn assert_bad_input(o: &Output, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(
        o.status.code(),
        Some(2),
        "exit 2 for bad input; stderr:\n{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}:\n{err}");
    }
}

#[test]
fn the_sample_content_checks_clean() {
    for f in [
        "examples/xa-xuan-non.channel.json",
        "examples/bao-so-3.alert.json",
        "examples/dien-tap-chay-no.alert.json",
        "examples/thu-nghiem.alert.json",
    ] {
        let o = bangtin(&["check", "--content", f]);
        assert!(o.status.success(), "{f}: {}", stderr(&o));
        assert!(stdout(&o).contains(": OK, "), "{}", stdout(&o));
    }
}

/// Every broken sample, with what its error must say. Each file is checked and rendered.
const BAD: &[(&str, &[&str])] = &[
    ("malformed.json", &["is not valid JSON", "line 6"]),
    ("not-utf8.json", &["not valid UTF-8 at byte 115"]),
    (
        "wrong-types.json",
        &[
            "items[0].title must be a string, got a number (42)",
            "items[0].duration_s must be 3..=600 seconds, got \"15\"",
            "items[1].class must be",
            "items[1].valid_from must be an RFC 3339 time",
            "items[1].days must be a list",
            "items[1].hours must be a list",
            "items[2].id must be",
            "items[2].text must be a string, got a list",
            "8 problems found",
        ],
    ),
    (
        "missing-fields.json",
        &[
            "items[0].id is required",
            "items[1].image is required for an image item",
            "items[2] an announcement needs a \"title\" or a \"body\"",
        ],
    ),
    (
        "unknown-type.json",
        &["items[0].type must be one of announcement, image, ticker, video, got \"phim\""],
    ),
    (
        "duration-out-of-range.json",
        &[
            "items[0].duration_s must be 3..=600 seconds, got 0",
            "items[1].duration_s must be 3..=600 seconds, got 601",
        ],
    ),
    (
        "bad-base64.json",
        &["items[0].image.inline is not valid base64"],
    ),
    (
        "corrupt-image.json",
        &["items[0].image could not be decoded"],
    ),
    (
        "image-bomb.json",
        &["items[0].image is 60000x60000 pixels, more than the limit"],
    ),
];

#[test]
fn broken_files_exit_2_with_every_problem_listed_by_check_and_render() {
    let out = std::env::temp_dir().join(format!("bangtin-cli-bad-{}.png", std::process::id()));
    for (file, needles) in BAD {
        let path = format!("examples/bad/{file}");
        assert_bad_input(&bangtin(&["check", "--content", &path]), needles);
        let o = bangtin(&[
            "render",
            "--content",
            &path,
            "--size",
            "320x180",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_bad_input(&o, needles);
        assert!(!out.exists(), "{file}: nothing is written for bad input");
    }
}

#[test]
fn a_missing_file_and_bad_arguments_are_bad_input() {
    assert_bad_input(
        &bangtin(&["check", "--content", "examples/no-such-file.json"]),
        &["cannot read"],
    );
    let o = bangtin(&[
        "render",
        "--content",
        "examples/bao-so-3.alert.json",
        "--size",
        "0x0",
        "--out",
        "x.png",
    ]);
    assert_bad_input(&o, &["width and height must be 16..=7680"]);
    let o = bangtin(&[
        "render",
        "--content",
        "examples/xa-xuan-non.channel.json",
        "--item",
        "khong-co",
        "--out",
        "x.png",
    ]);
    assert_bad_input(&o, &["no item \"khong-co\"", "tiem-chung-t12-2026"]);
    assert!(!Path::new(&repo().join("x.png")).exists());
}

#[test]
fn render_writes_the_slide_as_a_png_of_the_asked_size() {
    let dir = tempdir();
    let out = dir.join("tiem-chung.png");
    let o = bangtin(&[
        "render",
        "--content",
        "examples/xa-xuan-non.channel.json",
        "--item",
        "tiem-chung-t12-2026",
        "--size",
        "640x360",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let img = image::open(&out).expect("a PNG").into_rgba8();
    assert_eq!(img.dimensions(), (640, 360));
    // The title band of an announcement is red.
    assert_eq!(img.get_pixel(2, 2).0, [0xB7, 0x1C, 0x1C, 255]);
    // The health-station picture is inline in the sample: part of the frame is neither paper
    // nor band nor ink, i.e. the image was decoded and drawn.
    let colourful = img.pixels().filter(|p| {
        let [r, g, b, _] = p.0;
        r.abs_diff(g) > 40 || g.abs_diff(b) > 40
    });
    assert!(colourful.count() > 640 * 360 / 20, "the picture is drawn");
}

#[test]
fn long_items_render_page_by_page_and_a_page_too_far_is_refused() {
    let dir = tempdir();
    let p1 = dir.join("p1.png");
    let args = |page: &str, out: &Path| {
        bangtin(&[
            "render",
            "--content",
            "examples/xa-xuan-non.channel.json",
            "--item",
            "phan-loai-rac-tai-nguon",
            "--size",
            "480x270",
            "--page",
            page,
            "--out",
            out.to_str().unwrap(),
        ])
    };
    let o = args("1", &p1);
    assert!(o.status.success(), "{}", stderr(&o));
    let said = stdout(&o);
    let pages: u32 = said
        .split("page 1 of ")
        .nth(1)
        .and_then(|s| s.trim_end_matches([')', '\n']).parse().ok())
        .unwrap_or_else(|| panic!("render says how many pages: {said}"));
    assert!(pages > 1, "the long notice needs pages at 480x270");
    let last = dir.join("last.png");
    let o = args(&pages.to_string(), &last);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_ne!(
        std::fs::read(&p1).unwrap(),
        std::fs::read(&last).unwrap(),
        "pages differ"
    );
    let o = args(&(pages + 1).to_string(), &dir.join("none.png"));
    assert_bad_input(&o, &[&format!("this slide has {pages} pages")]);
}

#[test]
fn alerts_and_a_signed_envelope_render() {
    let dir = tempdir();
    for (f, size) in [
        ("examples/bao-so-3.alert.json", "192x96"),
        ("examples/dien-tap-chay-no.alert.json", "1080x1920"),
    ] {
        let out = dir.join("a.png");
        let o = bangtin(&[
            "render",
            "--content",
            f,
            "--size",
            size,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{f}: {}", stderr(&o));
        assert!(out.exists());
    }
    // An envelope is rendered from its body; its signature is not this command's business.
    use base64::Engine as _;
    let alert =
        std::fs::read_to_string(repo().join("examples/dien-tap-chay-no.alert.json")).unwrap();
    let body = format!(
        r#"{{"topic": "bangtin/v1/alert/vn/ha-noi", "seq": 1, "issued_at": "2026-12-12T08:00:00+07:00", "kind": "alert", "alert": {alert}}}"#
    );
    let env = serde_json::json!({
        "v": 1, "key": "huyen-dong-anh",
        "sig": base64::engine::general_purpose::STANDARD.encode([0u8; 64]), "body": body
    });
    let file = dir.join("env.json");
    std::fs::write(&file, env.to_string()).unwrap();
    let o = bangtin(&["check", "--content", file.to_str().unwrap()]);
    assert!(
        o.status.success() && stdout(&o).contains("signed by key \"huyen-dong-anh\""),
        "{}",
        stdout(&o)
    );
    let out = dir.join("env.png");
    let o = bangtin(&[
        "render",
        "--content",
        file.to_str().unwrap(),
        "--size",
        "320x180",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // A drill is framed in drill yellow.
    let img = image::open(&out).unwrap().into_rgba8();
    assert_eq!(img.get_pixel(0, 90).0, [0xFF, 0xD6, 0x00, 255]);
}

fn tempdir() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "bangtin-cli-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}
