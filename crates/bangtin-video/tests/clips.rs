//! Clips made by the test (x264 through GStreamer), probed and decoded back.

use bangtin_video::clip::{self, Codec, Frames, Spec};
use bangtin_video::{probe, Colour, Layout, Limits, Matrix, Player, Poll, Refused};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const COLOURS: [[u8; 3]; 6] = [
    [220, 30, 30],
    [30, 200, 40],
    [40, 50, 220],
    [240, 240, 240],
    [250, 200, 0],
    [20, 20, 20],
];

fn make(dir: &Path, name: &str, spec: &Spec) -> PathBuf {
    let path = dir.join(name);
    clip::make(&path, spec).unwrap_or_else(|e| {
        panic!(
            "could not make a test clip: {e}\nInstall GStreamer's encoders: apt-get install \
             gstreamer1.0-plugins-ugly gstreamer1.0-libav (scripts/setup.sh --test does)"
        )
    });
    path
}

fn colours(w: u32, h: u32, matrix: Matrix, repeat: usize) -> Spec {
    Spec {
        width: w,
        height: h,
        fps: 30,
        frames: Frames::Colours(
            COLOURS
                .iter()
                .flat_map(|c| [*c; 1].repeat(repeat))
                .collect(),
        ),
        matrix,
        codec: Codec::H264Mp4,
    }
}

fn close(a: [u8; 3], b: [u8; 3], tolerance: u8) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= tolerance)
}

/// The centre pixel's RGB, as the board's shader would compute it.
fn centre(frame: &bangtin_video::Frame) -> [u8; 3] {
    frame
        .with_picture(|p| {
            let (x, y) = (p.width / 2, p.height / 2);
            let at = |plane: usize, x: u32, y: u32, i: u32| {
                let pl = &p.planes[plane];
                pl.data[(y * pl.stride + x * i) as usize]
            };
            let luma = at(0, x, y, 1);
            let (cb, cr) = match p.layout {
                Layout::I420 => (at(1, x / 2, y / 2, 1), at(2, x / 2, y / 2, 1)),
                Layout::Nv12 => {
                    let pl = &p.planes[1];
                    let i = (y / 2 * pl.stride + x / 2 * 2) as usize;
                    (pl.data[i], pl.data[i + 1])
                }
            };
            p.colour.rgb_of(luma, cb, cr)
        })
        .expect("the frame maps")
}

/// Plays a clip until it has looped once; returns each frame's time and centre colour of the
/// first pass, and the times seen after the loop.
fn play_once_round(path: &Path) -> (BTreeMap<Duration, [u8; 3]>, Vec<Duration>, Colour) {
    let mut player = Player::open(path, false).expect("opens");
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut first_pass = BTreeMap::new();
    let colour = loop {
        if let Some(first) = player.first_frame().expect("prerolls") {
            first_pass.insert(first.pts.expect("frames carry their time"), centre(first));
            break first.colour;
        }
        assert!(Instant::now() < deadline, "no first frame in 30 s");
        std::thread::sleep(Duration::from_millis(5));
    };
    player.play().expect("plays");
    let mut after = Vec::new();
    while after.len() < 3 {
        assert!(
            Instant::now() < deadline,
            "the clip did not loop within 30 s"
        );
        match player.poll() {
            Poll::Frame(f) => {
                let pts = f.pts.expect("frames carry their time");
                if player.loops() == 0 {
                    first_pass.insert(pts, centre(&f));
                } else {
                    after.push(pts);
                }
            }
            Poll::Nothing => std::thread::sleep(Duration::from_millis(2)),
            Poll::Failed(e) => panic!("playback failed: {e}"),
        }
    }
    (first_pass, after, colour)
}

#[test]
fn an_odd_width_bt601_clip_decodes_every_frame_in_its_colours_and_loops_from_its_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = make(dir.path(), "sd.mp4", &colours(322, 182, Matrix::Bt601, 2));
    let clip = probe(&path, &Limits::default()).expect("a board may play it");
    assert_eq!((clip.width, clip.height), (322, 182));
    assert_eq!((clip.container, clip.codec), ("MP4", "H.264"));
    assert!(
        (clip.length.as_secs_f64() - 0.4).abs() < 0.05,
        "12 frames at 30 fps: {:?}",
        clip.length
    );
    let (frames, after, colour) = play_once_round(&path);
    assert_eq!(
        colour.matrix,
        Matrix::Bt601,
        "the stream's colorimetry is read"
    );
    assert!(!colour.full_range);
    // Every frame was decoded (sync'd playback may drop one only if the test thread stalls).
    assert!(frames.len() >= 11, "{} of 12 frames seen", frames.len());
    for (pts, rgb) in &frames {
        let index = (pts.as_secs_f64() * 30.0).round() as usize / 2;
        let want = COLOURS[index.min(5)];
        assert!(
            close(*rgb, want, 12),
            "frame at {pts:?}: {rgb:?}, want {want:?}"
        );
    }
    // After the loop the clip starts again at its first frame, in order.
    assert!(
        after[0] < Duration::from_millis(100),
        "after the loop: {after:?}"
    );
    assert!(after.windows(2).all(|w| w[0] < w[1]), "{after:?}");
}

#[test]
fn a_bt709_clip_is_converted_with_the_bt709_matrix() {
    let dir = tempfile::tempdir().unwrap();
    let path = make(dir.path(), "hd.mp4", &colours(320, 180, Matrix::Bt709, 1));
    let (frames, _, colour) = play_once_round(&path);
    assert_eq!(colour.matrix, Matrix::Bt709);
    let greens = frames
        .values()
        .filter(|c| close(**c, COLOURS[1], 12))
        .count();
    assert!(greens >= 1, "the green frame stays green: {frames:?}");
}

#[test]
fn clips_a_board_cannot_play_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits::default();
    // A codec outside the allow-list.
    let mut spec = colours(160, 90, Matrix::Bt601, 1);
    spec.codec = Codec::Mpeg4Mkv;
    let mpeg4 = make(dir.path(), "old.mkv", &spec);
    let refused = probe(&mpeg4, &limits).unwrap_err();
    assert!(matches!(refused, Refused::Codec(_)), "{refused}");
    assert!(
        refused.to_string().contains("H.264"),
        "says what to use: {refused}"
    );
    // Larger than the limit (4K).
    let mut spec = colours(3840, 2160, Matrix::Bt709, 1);
    spec.frames = Frames::Colours(vec![[0, 0, 0]; 2]);
    let big = make(dir.path(), "4k.mp4", &spec);
    let refused = probe(&big, &limits).unwrap_err();
    assert!(
        matches!(refused, Refused::TooLarge { width: 3840, .. }),
        "{refused}"
    );
    // A portrait clip within the limit turned round is fine.
    let mut spec = colours(180, 320, Matrix::Bt601, 1);
    spec.frames = Frames::Colours(vec![[0, 0, 0]; 2]);
    let portrait = make(dir.path(), "portrait.mp4", &spec);
    assert!(probe(&portrait, &limits).is_ok());
    // Longer than the limit.
    let long = make(dir.path(), "long.mkv", &{
        let mut s = colours(64, 36, Matrix::Bt601, 1);
        s.codec = Codec::H264Mkv;
        s.frames = Frames::Pattern(90);
        s
    });
    let short = Limits {
        max_seconds: 2,
        ..limits
    };
    let refused = probe(&long, &short).unwrap_err();
    assert!(matches!(refused, Refused::TooLong(3, 2)), "{refused}");
    assert!(refused.to_string().contains("3 s long"), "{refused}");
    // Not a video at all, and a clip cut short.
    let junk = dir.path().join("junk.mp4");
    std::fs::write(&junk, b"these are not the bytes of a video file at all").unwrap();
    assert!(matches!(
        probe(&junk, &limits),
        Err(Refused::Unreadable(_) | Refused::Container(_))
    ));
    let whole = std::fs::read(&mpeg4).unwrap();
    let good = make(dir.path(), "good.mp4", &colours(160, 90, Matrix::Bt601, 3));
    let bytes = std::fs::read(&good).unwrap();
    let cut = dir.path().join("cut.mp4");
    std::fs::write(&cut, &bytes[..bytes.len() / 3]).unwrap();
    assert!(
        probe(&cut, &limits).is_err(),
        "a truncated MP4 has no index"
    );
    assert!(!whole.is_empty());
}

#[test]
fn a_corrupt_clip_fails_when_played_and_says_so_without_panicking() {
    let dir = tempfile::tempdir().unwrap();
    let good = make(dir.path(), "good.mkv", &{
        let mut s = colours(160, 90, Matrix::Bt601, 4);
        s.codec = Codec::H264Mkv;
        s
    });
    let mut bytes = std::fs::read(&good).unwrap();
    // Garbage over the middle of the stream (headers intact).
    let len = bytes.len();
    for (i, b) in bytes[len / 3..len * 2 / 3].iter_mut().enumerate() {
        *b = (i * 7919 % 251) as u8;
    }
    let bad = dir.path().join("bad.mkv");
    std::fs::write(&bad, &bytes).unwrap();
    // Either it is refused at once or it plays to a failure or a loop: never a panic or hang.
    let Ok(mut player) = Player::open(&bad, false) else {
        return;
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut outcome = None;
    while outcome.is_none() && Instant::now() < deadline {
        match player.first_frame() {
            Err(e) => outcome = Some(format!("failed: {e}")),
            Ok(Some(_)) => {
                let _ = player.play();
                loop {
                    match player.poll() {
                        Poll::Failed(e) => break outcome = Some(format!("failed: {e}")),
                        _ if player.loops() > 0 => break outcome = Some("looped".into()),
                        _ if Instant::now() > deadline => break,
                        _ => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
    assert!(outcome.is_some(), "neither failed nor played within 20 s");
    player.close();
}
