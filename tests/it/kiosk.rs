//! The Pi's service units (kiosk/): systemd accepts them, and their sandbox keeps the exposure
//! score systemd computes under each unit's threshold. Checked with the real
//! `systemd-analyze` (Debian's `systemd` package), offline: no systemd needs to be running.

use bangtin_testkit::temp_dir;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Each unit and the most exposure it may have (systemd's 0.0–10.0 scale): the headless board
/// needs only its folders, the GPU and the network; the kiosk also a seat (screen, input, tty).
const UNITS: [(&str, f64); 2] = [("bangtin-headless.service", 2.5), ("bangtin.service", 3.5)];

fn systemd_analyze() -> PathBuf {
    for dir in ["/usr/bin", "/bin"] {
        let p = Path::new(dir).join("systemd-analyze");
        if p.exists() {
            return p;
        }
    }
    panic!(
        "systemd-analyze is missing: install Debian's systemd package \
         (sudo apt-get install systemd, or bash scripts/setup.sh --test)"
    );
}

fn unit_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("kiosk")
        .join(name)
}

#[test]
fn the_units_pass_systemd_verify_with_stand_in_binaries() {
    let dir = temp_dir("kiosk-verify");
    // The programs the units start, as stand-ins in a folder of the test's own: the units are
    // checked with their paths moved there, and nothing else changed.
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for name in ["bangtin", "cage"] {
        let p = bin.join(name);
        std::fs::write(&p, "#!/bin/sh\nexit 0\n").unwrap();
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    for (name, _) in UNITS {
        let text = std::fs::read_to_string(unit_path(name)).unwrap();
        assert!(
            text.contains("/usr/local/bin/bangtin"),
            "{name} starts /usr/local/bin/bangtin"
        );
        let moved = text
            .replace(
                "/usr/local/bin/bangtin",
                &bin.join("bangtin").to_string_lossy(),
            )
            .replace("/usr/bin/cage", &bin.join("cage").to_string_lossy());
        let copy = dir.join(name);
        std::fs::write(&copy, moved).unwrap();
        let out = Command::new(systemd_analyze())
            .arg("verify")
            .arg(&copy)
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stderr);
        // Only what concerns our unit: a container without systemd as init may complain about
        // the host's own units.
        let ours: Vec<&str> = said.lines().filter(|l| l.contains(name)).collect();
        assert!(
            ours.is_empty(),
            "systemd-analyze verify {name}:\n{}",
            ours.join("\n")
        );
    }
}

#[test]
fn the_units_sandbox_keeps_their_exposure_under_the_threshold() {
    for (name, limit) in UNITS {
        let out = Command::new(systemd_analyze())
            .args(["security", "--offline=yes", "--no-pager"])
            .arg(format!("--threshold={}", (limit * 10.0).round() as u32))
            .arg(unit_path(name))
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        let score: f64 = said
            .lines()
            .find_map(|l| {
                l.split("Overall exposure level for ")
                    .nth(1)?
                    .split(": ")
                    .nth(1)?
                    .split(' ')
                    .next()?
                    .parse()
                    .ok()
            })
            .unwrap_or_else(|| panic!("no overall score for {name}:\n{said}"));
        assert!(
            score <= limit && out.status.success(),
            "{name}: exposure {score} over {limit} (systemd-analyze security --offline=yes):\n{said}"
        );
    }
}

#[test]
fn both_units_keep_what_the_board_needs() {
    for (name, _) in UNITS {
        let text = std::fs::read_to_string(unit_path(name)).unwrap();
        let set = |directive: &str| text.lines().any(|l| l.trim_start().starts_with(directive));
        // The watchdog, reload, the store, the GPU, the Pi's video decoders.
        for needed in [
            "WatchdogSec=30",
            "ExecReload=",
            "StateDirectory=bangtin",
            "ReadWritePaths=/var/lib/bangtin",
            "DeviceAllow=char-drm rw",
            "DeviceAllow=char-video4linux rw",
            "Restart=always",
        ] {
            assert!(set(needed), "{name} lost {needed}");
        }
        // Mesa's software renderer needs memory written then executed: only the kiosk unit,
        // which draws with the Pi's GPU, may forbid it.
        assert_eq!(
            set("MemoryDenyWriteExecute=yes"),
            name == "bangtin.service",
            "{name}: MemoryDenyWriteExecute"
        );
    }
}
