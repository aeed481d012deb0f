//! Regressions of the review of the board's design, end to end on real processes and brokers,
//! each named for what broke: a key revoked by a reload left its content on screen; a
//! screenshot of a full-HD board was over the staff client's packet limit; a storm of forged
//! messages or screenshot commands could grow a board without bound; a newcomer's first
//! command printed Mesa's complaint about XDG_RUNTIME_DIR.

use bangtin_protocol::content::{Action, Command, Payload};
use bangtin_staff::keys;
use bangtin_testkit::board::{key, send, share, write_config, Board, CONTENT, IDLE, PAPER};
use bangtin_testkit::{embedded_broker, repo, temp_dir};
use std::path::Path;
use std::process::Command as Process;
use std::time::{Duration, Instant};

const NOTICE: &str = r#"{"items": [{"id": "hop-dan", "type": "announcement",
    "title": "Họp dân", "body": "Họp dân thôn Đông lúc 19 giờ 30.", "duration_s": 10}]}"#;

fn bangtin(dir: &Path, args: &[&str]) -> std::process::Output {
    Process::new(env!("CARGO_BIN_EXE_bangtin"))
        .args(args)
        .current_dir(dir)
        .env("RUST_LOG", "warn")
        .output()
        .expect("bangtin runs")
}

fn key_file(dir: &Path) -> String {
    use base64::Engine as _;
    let path = dir.join("huyen-dong-anh.key");
    std::fs::write(
        &path,
        base64::engine::general_purpose::STANDARD.encode(key().as_bytes()),
    )
    .unwrap();
    path.to_string_lossy().into_owned()
}

/// A field of /proc/PID/status, in its unit (kB for memory).
fn proc_status(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| {
            v.trim_start_matches(':')
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("no {field} for process {pid}"))
}

#[test]
fn revoking_a_key_by_sighup_takes_what_it_published_off_the_screen_at_once() {
    let dir = temp_dir("revoke-screen");
    let port = embedded_broker();
    let config = write_config(&dir, port, (320, 180), "");
    let board = Board::start(&config, &dir.join("frames"));
    send(port, CONTENT, 1, bangtin_testkit::board::channel(NOTICE));
    board.wait_for("the notice", |f| share(f, PAPER) > 0.3);
    // The key is stolen: the installer revokes it and renames the board in the same reload.
    let toml = std::fs::read_to_string(&config).unwrap();
    let toml = toml.replace(
        "name = \"UBND xã Xuân Nộn\"",
        "name = \"Bảng tin Xuân Nộn\"",
    );
    std::fs::write(&config, format!("revoked = [\"huyen-dong-anh\"]\n{toml}")).unwrap();
    let t0 = Instant::now();
    let hup = Process::new("kill")
        .args(["-HUP", &board.pid().to_string()])
        .status()
        .unwrap();
    assert!(hup.success());
    board.wait_for("the idle slide, the revoked key's notice gone", |f| {
        share(f, IDLE) > 0.3 && share(f, PAPER) < 0.05
    });
    eprintln!(
        "the revoked content left the screen {:?} after SIGHUP",
        t0.elapsed()
    );
    // And it does not come back at the next start: the store dropped it too.
    drop(board);
    let board = Board::start(&config, &dir.join("frames"));
    board.wait_for("the idle slide after a restart", |f| share(f, IDLE) > 0.3);
    std::thread::sleep(Duration::from_secs(2));
    assert!(share(&board.frame().unwrap(), PAPER) < 0.05);
}

/// Asks `board` for its screen with `bangtin screenshot` and returns the picture.
fn screenshot(dir: &Path, port: u16) -> image::RgbaImage {
    let key = key_file(dir);
    let out = bangtin(
        dir,
        &[
            "screenshot",
            "xuan-non-01",
            "--out",
            "shot.png",
            "--key",
            &key,
            "--broker",
            &format!("mqtt://127.0.0.1:{port}"),
            "--timeout",
            "60",
            "--lang",
            "en",
        ],
    );
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    image::open(dir.join("shot.png")).unwrap().to_rgba8()
}

#[test]
fn a_screenshot_of_a_full_hd_and_of_a_4k_board_reaches_the_officer() {
    for (w, h) in [(1920, 1080), (3840, 2160)] {
        let dir = temp_dir(&format!("screenshot-{w}"));
        let port = embedded_broker();
        let config = write_config(&dir, port, (w, h), "");
        let board = Board::start(&config, &dir.join("frames"));
        send(port, CONTENT, 1, bangtin_testkit::board::channel(NOTICE));
        board.wait_for("the notice", |f| share(f, PAPER) > 0.3);
        let shot = screenshot(&dir, port);
        // The whole screen, or the same halved until its PNG fits the reply.
        let (sw, sh) = shot.dimensions();
        assert!(
            (0..=3).any(|k| (sw, sh) == (w >> k, h >> k)),
            "{w}x{h} came back as {sw}x{sh}"
        );
        assert!(share(&shot, PAPER) > 0.3, "the screenshot shows the notice");
    }
}

#[test]
fn a_storm_of_forged_messages_and_screenshot_commands_leaves_memory_and_threads_flat() {
    let dir = temp_dir("storm");
    let port = embedded_broker();
    let config = write_config(&dir, port, (640, 360), "");
    let board = Board::start(&config, &dir.join("frames"));
    send(port, CONTENT, 1, bangtin_testkit::board::channel(NOTICE));
    board.wait_for("the notice", |f| share(f, PAPER) > 0.3);
    // A first screenshot warms up what screenshots need.
    screenshot(&dir, port);
    std::thread::sleep(Duration::from_secs(2));
    let pid = board.pid();
    let (rss0, threads0) = (proc_status(pid, "VmRSS"), proc_status(pid, "Threads"));

    let forged_key = ed25519_dalek::SigningKey::from_bytes(&[99; 32]);
    let cmd_topic = "bangtin/v1/board/xuan-non-01/cmd";
    let at = bangtin_staff::board_now();
    let mut options = rumqttc::MqttOptions::new("storm", "127.0.0.1", port);
    options.set_max_packet_size(4 << 20, 4 << 20);
    options.set_inflight(100);
    let (client, mut connection) = rumqttc::Client::new(options, 1000);
    let driver = std::thread::spawn(move || {
        for event in connection.iter() {
            if event.is_err() {
                break;
            }
        }
    });
    for i in 0..10_000u64 {
        // Signed by a stranger, or not an envelope at all.
        let payload = if i % 2 == 0 {
            keys::envelope(
                "la-mat",
                &forged_key,
                CONTENT,
                i + 10,
                at,
                bangtin_testkit::board::channel(NOTICE),
            )
        } else {
            format!("{{\"v\": 1, \"junk\": {i}}}").into_bytes()
        };
        client
            .publish(CONTENT, rumqttc::QoS::AtLeastOnce, false, payload)
            .unwrap();
    }
    for i in 0..1_000u64 {
        let command = Command {
            id: format!("s{i}"),
            action: Action::Screenshot,
        };
        let payload = keys::envelope(
            "huyen-dong-anh",
            &key(),
            cmd_topic,
            at.timestamp_millis() as u64 + i,
            at,
            Payload::Command(command),
        );
        client
            .publish(cmd_topic, rumqttc::QoS::AtLeastOnce, false, payload)
            .unwrap();
    }
    // Let the board work through it, then look again.
    let t0 = Instant::now();
    std::thread::sleep(Duration::from_secs(10));
    let _ = client.disconnect();
    let _ = driver.join();
    let (rss1, threads1) = (proc_status(pid, "VmRSS"), proc_status(pid, "Threads"));
    eprintln!(
        "storm: RSS {} -> {} kB, threads {threads0} -> {threads1}, after {:?}",
        rss0,
        rss1,
        t0.elapsed()
    );
    assert!(
        threads1 <= threads0 + 2,
        "threads grew from {threads0} to {threads1}"
    );
    assert!(
        rss1 <= rss0 + 48 * 1024,
        "memory grew from {rss0} kB to {rss1} kB"
    );
    // The board is still showing its programme, and still answers.
    assert!(share(&board.frame().unwrap(), PAPER) > 0.3);
    screenshot(&dir, port);
}

#[test]
fn a_command_run_without_xdg_runtime_dir_prints_no_mesa_noise() {
    let dir = temp_dir("xdg");
    let out = Process::new(env!("CARGO_BIN_EXE_bangtin"))
        .args(["render", "--content"])
        .arg(repo().join("examples/xa-xuan-non.channel.json"))
        .args(["--size", "320x180", "--out"])
        .arg(dir.join("out.png"))
        .env_remove("XDG_RUNTIME_DIR")
        .output()
        .expect("bangtin runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("XDG_RUNTIME_DIR"), "{stderr}");
}
