//! Pipelines torn down in order: many clips in a row leave no file descriptor or thread behind.
//! (A test binary of its own: nothing else opens pipelines while it counts.)

use bangtin_video::clip::{self, Codec, Frames, Spec};
use bangtin_video::{Matrix, Player, Poll};
use std::path::Path;
use std::time::{Duration, Instant};

fn make(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("short.mp4");
    let spec = Spec {
        width: 160,
        height: 90,
        fps: 30,
        frames: Frames::Colours(vec![[200, 40, 40]; 12]),
        matrix: Matrix::Bt601,
        codec: Codec::H264Mp4,
    };
    clip::make(&path, &spec).unwrap_or_else(|e| {
        panic!("could not make a test clip: {e} (apt-get install gstreamer1.0-plugins-ugly)")
    });
    path
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count())
}

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").map_or(0, |d| d.count())
}

/// Plays `path` until a few frames came, then closes it.
fn play_briefly(path: &Path) {
    let mut player = Player::open(path, false).expect("opens");
    let deadline = Instant::now() + Duration::from_secs(20);
    while player.first_frame().expect("prerolls").is_none() {
        assert!(Instant::now() < deadline, "no first frame");
        std::thread::sleep(Duration::from_millis(2));
    }
    player.play().expect("plays");
    let mut frames = 0;
    while frames < 3 {
        assert!(Instant::now() < deadline, "no frames");
        match player.poll() {
            Poll::Frame(_) => frames += 1,
            Poll::Failed(e) => panic!("{e}"),
            Poll::Nothing => std::thread::sleep(Duration::from_millis(2)),
        }
    }
    player.close();
}

#[test]
fn fifty_clips_in_a_row_leave_file_descriptors_and_threads_flat() {
    let dir = tempfile::tempdir().unwrap();
    let path = make(dir.path());
    // GStreamer starts its process-wide threads and caches with the first pipelines.
    for _ in 0..3 {
        play_briefly(&path);
    }
    std::thread::sleep(Duration::from_millis(200));
    let (fds, tasks) = (open_fds(), threads());
    for _ in 0..50 {
        play_briefly(&path);
    }
    std::thread::sleep(Duration::from_millis(200));
    let (fds_after, tasks_after) = (open_fds(), threads());
    // A little slack for GStreamer's own pools; never one per clip.
    assert!(
        fds_after <= fds + 4,
        "file descriptors {fds} -> {fds_after}"
    );
    assert!(tasks_after <= tasks + 4, "threads {tasks} -> {tasks_after}");
}
