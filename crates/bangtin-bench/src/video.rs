//! `bangtin-bench video`: a 1080p30 H.264 clip playing on the board for a minute (software
//! decode, lavapipe): CPU per second of video, frames shown against frames in the clip, peak
//! RSS; then the same clip decoded by `gst-launch-1.0` into a null sink at its own pace, as
//! the peer's figure; then switches between two clips, every presented frame read
//! back: frames that show neither clip (black or a placeholder) and the longest wait for the
//! new clip's first frame at a switch.

use crate::board::{
    children_cpu_time, config, cpu_time, dir, envelope, peak_rss_kib, percentile, Driven,
};
use bangtin_board::sync::AssetEvent;
use bangtin_board::BoardEvent;
use bangtin_protocol::content::{self, Payload};
use bangtin_video::clip::{self, Codec, Frames, Spec};
use bangtin_video::Matrix;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const TOPIC: &str = "bangtin/v1/content/vn/ha-noi/dong-anh";

/// Makes (once; kept in the temp folder) a clip, returns its path.
fn made(name: &str, spec: &Spec) -> PathBuf {
    let path = std::env::temp_dir().join(format!("bangtin-bench-{name}"));
    if !path.exists() {
        let t0 = Instant::now();
        clip::make(&path, spec).expect("x264enc (gstreamer1.0-plugins-ugly) makes the clip");
        println!("video: made {name} in {:.1} s", t0.elapsed().as_secs_f64());
    }
    path
}

/// Stores `clip` in the board's store, probes it, and tells the board; returns its item JSON.
fn offer(b: &mut Driven, store: &Path, id: &str, clip: &Path, extra: &str) -> String {
    let bytes = std::fs::read(clip).unwrap();
    let sha = hex::encode(Sha256::digest(&bytes));
    let dest = store.join("assets").join(&sha);
    std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
    std::fs::write(&dest, &bytes).unwrap();
    let probed = bangtin_video::probe(&dest, &bangtin_video::Limits::default()).unwrap();
    b.board.handle(BoardEvent::Asset(AssetEvent::Clip {
        sha256: sha.clone(),
        clip: probed,
    }));
    format!(
        r#"{{"id": "{id}", "type": "video", {extra} "video": {{"url": "http://127.0.0.1:9/{id}.mp4", "sha256": "{sha}", "bytes": {}}}}}"#,
        bytes.len()
    )
}

fn channel(b: &mut Driven, seq: u64, items: &[String]) {
    let json = format!(r#"{{"items": [{}]}}"#, items.join(","));
    let payload = Payload::Channel(content::parse_channel(json.as_bytes()).unwrap());
    b.ingest(TOPIC, &envelope(TOPIC, seq, payload));
}

fn steady(seconds: u64) {
    let frames_in_clip = seconds as u32 * 30;
    let clip = made(
        &format!("1080p30-{seconds}s.mp4"),
        &Spec {
            width: 1920,
            height: 1080,
            fps: 30,
            frames: Frames::Pattern(frames_in_clip),
            matrix: Matrix::Bt709,
            codec: Codec::H264Mp4,
        },
    );
    let d = dir("video");
    let cfg = config(&d, 1, "fade_ms = 0\nheader = false\nticker = false");
    let mut b = Driven::new(cfg);
    let item = offer(
        &mut b,
        &d.join("store"),
        "clip",
        &clip,
        r#""duration_s": 600,"#,
    );
    channel(&mut b, 1, &[item]);
    // Until the first frame of the clip is on screen.
    let t0 = Instant::now();
    while b.board.video_frames() == 0 && t0.elapsed() < Duration::from_secs(20) {
        b.turn();
    }
    let (c0, t1, v0, f0) = (
        cpu_time(),
        Instant::now(),
        b.board.video_frames(),
        b.board.frames(),
    );
    b.prepare_time = Duration::ZERO;
    b.present_time = Duration::ZERO;
    let mut frame_ms = Vec::new();
    while t1.elapsed() < Duration::from_secs(seconds) {
        let t = Instant::now();
        if b.turn() {
            frame_ms.push(t.elapsed().as_secs_f64() * 1e3);
        } else if let Some(wait) = b.board.next_wake().checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
    }
    let wall = t1.elapsed().as_secs_f64();
    let cpu = (cpu_time() - c0).as_secs_f64();
    let shown = b.board.video_frames() - v0;
    let expected = (wall * 30.0).round() as u64;
    frame_ms.sort_by(f64::total_cmp);
    println!(
        "video: 1080p30 H.264 on the board for {wall:.1} s (software decode, {}): CPU {:.2} s per second of video ({:.0} % of one core, all threads incl. the software GPU)",
        b.gpu.describe(),
        cpu / wall,
        cpu / wall * 100.0
    );
    println!(
        "video: clip frames shown {shown} of {expected} ({} dropped, {:.1} %); presented frames {} ; frame time (prepare + present) p50 {:.2} ms, p99 {:.2} ms",
        expected.saturating_sub(shown),
        expected.saturating_sub(shown) as f64 * 100.0 / expected.max(1) as f64,
        b.board.frames() - f0,
        percentile(&frame_ms, 0.5),
        percentile(&frame_ms, 0.99),
    );
    let n = (b.board.frames() - f0).max(1) as f64;
    println!(
        "video: wall time per presented frame: prepare {:.1} ms (programme, frame upload), present {:.1} ms (present pass converting YUV to RGB, GPU finished)",
        b.prepare_time.as_secs_f64() * 1e3 / n,
        b.present_time.as_secs_f64() * 1e3 / n
    );
    println!(
        "video: peak RSS of the board process (VmHWM) {:.1} MiB",
        peak_rss_kib() as f64 / 1024.0
    );
    drop(b);
    // The peers: GStreamer's own pipelines, paced to the clock, into a null sink: decode only,
    // and decode with the frames turned into RGB on the CPU (what a player without a GPU does).
    for (what, tail) in [
        ("avdec_h264 -> fakesink", &["fakesink", "sync=true"][..]),
        (
            "avdec_h264 -> videoconvert to RGB -> fakesink",
            &[
                "videoconvert",
                "!",
                "video/x-raw,format=BGRx",
                "!",
                "fakesink",
                "sync=true",
            ][..],
        ),
    ] {
        let c0 = children_cpu_time();
        let t0 = Instant::now();
        let status = std::process::Command::new("gst-launch-1.0")
            .args(["-q", "filesrc"])
            .arg(format!("location={}", clip.display()))
            .args(["!", "qtdemux", "!", "h264parse", "!", "avdec_h264", "!"])
            .args(tail)
            .status();
        let wall = t0.elapsed().as_secs_f64();
        match status {
            Ok(s) if s.success() => {
                let cpu = (children_cpu_time() - c0).as_secs_f64();
                println!(
                    "video: peer gst-launch-1.0 ({what}, synced) for {wall:.1} s: CPU {:.2} s per second of video ({:.0} % of one core)",
                    cpu / wall,
                    cpu / wall * 100.0
                );
            }
            other => println!(
                "video: peer gst-launch-1.0 did not run ({other:?}; apt-get install gstreamer1.0-tools)"
            ),
        }
    }
}

/// Switches between two clips and a slide: each presented frame read back.
fn switches(seconds: u64) {
    let solid = |colour: [u8; 3], frames: usize| Spec {
        width: 640,
        height: 360,
        fps: 30,
        frames: Frames::Colours(vec![colour; frames]),
        matrix: Matrix::Bt601,
        codec: Codec::H264Mp4,
    };
    let red = made("red-2s.mp4", &solid([210, 40, 40], 60));
    let blue = made("blue-2s.mp4", &solid([40, 60, 210], 60));
    let d = dir("video-switch");
    let display = "fade_ms = 0\nheader = false\nticker = false";
    let mut b = Driven::new(config(&d, 1, display));
    let store = d.join("store");
    // Slots of 6 s (the programme's shortest page), the 2 s clips looping in them.
    let a = offer(&mut b, &store, "do", &red, r#""duration_s": 6,"#);
    let c = offer(&mut b, &store, "xanh", &blue, r#""duration_s": 6,"#);
    channel(&mut b, 1, &[a, c]);
    if std::env::var_os("BANGTIN_BENCH_TRACE").is_some() {
        let t0 = Instant::now();
        let mut last = None;
        b.board.observe(move |p| {
            if last.as_ref() != Some(&p.show) {
                eprintln!(
                    "{:>7.0} ms: programme {:?}",
                    t0.elapsed().as_secs_f64() * 1e3,
                    p.show
                );
                last = Some(p.show.clone());
            }
        });
    }
    let near = |p: &[u8], q: [u8; 3]| (0..3).all(|i| p[i].abs_diff(q[i]) <= 24);
    let (mut last, mut last_at, mut last_n) = (None, Instant::now(), 0u64);
    let mut between = 0u64;
    let (mut foreign, mut presented, mut switches) = (0, 0, Vec::new());
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_secs(seconds) {
        let tu = Instant::now();
        let due = b.board.update();
        let tu = tu.elapsed();
        if !due {
            if let Some(wait) = b.board.next_wake().checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            continue;
        }
        let tp = Instant::now();
        b.board.prepare(&b.gpu);
        let tp = tp.elapsed();
        if std::env::var_os("BANGTIN_BENCH_TRACE").is_some() && (tu + tp).as_millis() > 100 {
            eprintln!(
                "{:>7.0} ms: slow turn: update {tu:?}, prepare {tp:?}",
                t0.elapsed().as_secs_f64() * 1e3
            );
        }
        let placement = b.board.placement((1920, 1080));
        let mut encoder = b
            .gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: None });
        b.board
            .render(&b.gpu, &mut encoder, &b.target.texture, &placement, false);
        let frame = b.target.read_back(&b.gpu, encoder).unwrap();
        b.board.presented();
        presented += 1;
        let p = frame.get_pixel(960, 540).0;
        let now = Instant::now();
        let which = if near(&p, [210, 40, 40]) {
            Some("red")
        } else if near(&p, [40, 60, 210]) {
            Some("blue")
        } else {
            None
        };
        match which {
            None if last.is_some() => foreign += 1,
            None => {}
            Some(w) => {
                if std::env::var_os("BANGTIN_BENCH_TRACE").is_some() && last != Some(w) {
                    eprintln!("{:>7.0} ms: {w}", t0.elapsed().as_secs_f64() * 1e3);
                }
                if last.is_some_and(|l| l != w) {
                    switches.push(now.duration_since(last_at).as_secs_f64() * 1e3);
                    between = between.max(presented - last_n - 1);
                }
                last = Some(w);
                last_at = now;
                last_n = presented;
            }
        }
    }
    switches.sort_by(f64::total_cmp);
    println!(
        "video: switches red <-> blue at 1920x1080 for {seconds} s: {} switches, {foreign} frames of {presented} showed neither clip (target 0); at most {between} presented frames between the last of one clip and the first of the next; time between them p50 {:.1} ms, max {:.1} ms (this loop's frame period, a 1080p read-back each; one frame interval at 30 fps: 33.3 ms)",
        switches.len(),
        percentile(&switches, 0.5),
        switches.last().copied().unwrap_or(f64::NAN)
    );
}

pub fn main(args: &[String]) {
    let seconds = args
        .iter()
        .position(|a| a == "--seconds")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    bangtin_video::init().expect("GStreamer");
    let only = |name: &str| args.iter().any(|a| a == name);
    let all = !only("switches") && !only("steady");
    if all || only("switches") {
        switches(30);
    }
    if all || only("steady") {
        steady(seconds);
    }
}
