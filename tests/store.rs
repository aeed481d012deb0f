//! The on-disk cache: round trips, names that cannot escape the folder, corruption detected,
//! eviction, and power loss: a child process writing the store is SIGKILLed at random moments
//! and every restart must find each file either old or new, never torn.

use bangtin::store::Store;
use sha2::Digest as _;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn temp_dir(name: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "bangtin-store-{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn sha(b: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(b))
}

#[test]
fn envelopes_assets_and_state_round_trip() {
    let dir = temp_dir("rt");
    let store = Store::open(&dir, 1 << 30).unwrap();
    store.put_envelope("bangtin/v1/content/vn", b"one").unwrap();
    store
        .put_envelope("bangtin/v1/content/vn/ha-noi", b"two")
        .unwrap();
    store
        .put_envelope("bangtin/v1/content/vn", b"three")
        .unwrap();
    let all: Vec<Vec<u8>> = store
        .envelopes()
        .unwrap()
        .into_iter()
        .map(|(_, b)| b)
        .collect();
    assert_eq!(all.len(), 2);
    assert!(all.contains(&b"three".to_vec()) && all.contains(&b"two".to_vec()));
    store.remove_envelope("bangtin/v1/content/vn").unwrap();
    store.remove_envelope("never/stored").unwrap();
    assert_eq!(store.envelopes().unwrap().len(), 1);

    let asset = b"pretend png".to_vec();
    store.put_asset(&sha(&asset), &asset).unwrap();
    assert!(store.has_asset(&sha(&asset)));
    assert_eq!(store.asset(&sha(&asset)), Some(asset.clone()));
    store.put_state("seq-marks", b"{}").unwrap();
    assert_eq!(store.state("seq-marks").unwrap(), Some(b"{}".to_vec()));
    assert_eq!(store.state("rotation").unwrap(), None);
    assert!(store.size_bytes() >= (asset.len() + 2 + 3) as u64);
    // A second handle on the same folder sees the same.
    let again = Store::open(&dir, 1 << 30).unwrap();
    assert_eq!(again.asset(&sha(&asset)), Some(asset));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn names_from_outside_never_become_paths() {
    let dir = temp_dir("names");
    let store = Store::open(&dir, 1 << 30).unwrap();
    let data = b"x".to_vec();
    assert!(
        store.put_asset(&"0".repeat(64), &data).is_err(),
        "wrong hash refused"
    );
    for bad in [
        "../../etc/passwd",
        &sha(&data).to_uppercase(),
        &sha(&data)[..63],
        "",
    ] {
        assert!(store.put_asset(bad, &data).is_err(), "{bad:?}");
        assert!(!store.has_asset(bad));
    }
    for bad in ["../x", "a/b", "", "UPPER", &"a".repeat(65)] {
        assert!(store.put_state(bad, b"x").is_err(), "{bad:?}");
    }
    // A topic full of dots and slashes is hashed into one file inside the folder.
    store.put_envelope("../../../../tmp/evil", b"e").unwrap();
    let (path, _) = &store.envelopes().unwrap()[0];
    assert!(path.starts_with(dir.join("envelopes")), "{path:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn leftovers_of_a_cut_write_are_discarded_and_corrupt_assets_detected() {
    let dir = temp_dir("torn");
    let store = Store::open(&dir, 1 << 30).unwrap();
    store.put_envelope("t", b"whole").unwrap();
    let asset = b"asset bytes".to_vec();
    store.put_asset(&sha(&asset), &asset).unwrap();
    drop(store);
    std::fs::write(dir.join("envelopes/.tmp-999-0"), b"half a mess").unwrap();
    std::fs::write(dir.join("assets").join(sha(&asset)), b"flipped bits").unwrap();
    let store = Store::open(&dir, 1 << 30).unwrap();
    assert!(
        !dir.join("envelopes/.tmp-999-0").exists(),
        "torn temp file removed at open"
    );
    assert_eq!(store.envelopes().unwrap().len(), 1);
    assert_eq!(
        store.asset(&sha(&asset)),
        None,
        "a corrupt asset is not returned"
    );
    assert!(!store.has_asset(&sha(&asset)), "and is deleted");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn identical_rewrites_are_skipped() {
    let dir = temp_dir("same");
    let store = Store::open(&dir, 1 << 30).unwrap();
    store.put_state("s", b"same").unwrap();
    let path = dir.join("state/s");
    let before = std::fs::metadata(&path).unwrap().modified().unwrap();
    std::thread::sleep(Duration::from_millis(20));
    store.put_state("s", b"same").unwrap();
    assert_eq!(
        std::fs::metadata(&path).unwrap().modified().unwrap(),
        before
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn eviction_frees_unreferenced_assets_oldest_first_and_keeps_the_rest() {
    let dir = temp_dir("evict");
    let store = Store::open(&dir, 25_000).unwrap();
    let assets: Vec<Vec<u8>> = (0..4u8).map(|i| vec![i; 10_000]).collect();
    for a in &assets {
        store.put_asset(&sha(a), a).unwrap();
        std::thread::sleep(Duration::from_millis(15));
    }
    let keep: HashSet<String> = [sha(&assets[0])].into();
    let freed = store.evict_assets(&keep).unwrap();
    assert_eq!(freed, 20_000);
    assert!(
        store.has_asset(&sha(&assets[0])),
        "kept even though it is the oldest"
    );
    assert!(!store.has_asset(&sha(&assets[1])) && !store.has_asset(&sha(&assets[2])));
    assert!(
        store.has_asset(&sha(&assets[3])),
        "the newest unreferenced one fits the budget"
    );
    assert!(store.size_bytes() <= 25_000);
    let _ = std::fs::remove_dir_all(&dir);
}

/// One self-checking record: generation, then payload, then the sha256 of both.
fn record(generation: u64, salt: u8) -> Vec<u8> {
    let len = 1024 + (generation as usize * 7919 + salt as usize * 104_729) % (200 * 1024);
    let mut out = generation.to_le_bytes().to_vec();
    out.extend((0..len).map(|i| (i as u64 ^ generation ^ u64::from(salt)) as u8));
    let digest = sha2::Sha256::digest(&out);
    out.extend_from_slice(&digest);
    out
}

/// The generation of a record, if it is whole.
fn check_record(bytes: &[u8]) -> Option<u64> {
    if bytes.len() < 40 {
        return None;
    }
    let (body, digest) = bytes.split_at(bytes.len() - 32);
    (sha2::Sha256::digest(body).as_slice() == digest)
        .then(|| u64::from_le_bytes(body[..8].try_into().unwrap()))
}

const TOPICS: [&str; 3] = [
    "bangtin/v1/content/vn",
    "bangtin/v1/content/vn/ha-noi",
    "bangtin/v1/alert/vn",
];
const CHILD_DIR: &str = "BANGTIN_STORE_CHILD_DIR";

/// The writer the power-loss test kills: does nothing unless run as that child.
#[test]
fn power_loss_child_writer() {
    let Some(dir) = std::env::var_os(CHILD_DIR) else {
        return;
    };
    let store = Store::open(Path::new(&dir), 1 << 40).unwrap();
    let start: u64 = std::env::var("BANGTIN_STORE_CHILD_GEN")
        .unwrap()
        .parse()
        .unwrap();
    for generation in start.. {
        for (i, topic) in TOPICS.iter().enumerate() {
            store
                .put_envelope(topic, &record(generation, i as u8))
                .unwrap();
        }
        store.put_state("marks", &record(generation, 9)).unwrap();
        let asset = record(generation, 7);
        store.put_asset(&sha(&asset), &asset).unwrap();
    }
}

#[test]
fn power_loss_at_random_moments_never_leaves_a_torn_file() {
    let dir = temp_dir("power");
    let exe = std::env::current_exe().unwrap();
    let mut rng = 0x2545_F491_4F6C_DD1Du64;
    let mut last_seen = [0u64; 4];
    let mut generation = 1u64;
    let rounds = 60;
    let mut torn_files_found = 0;
    for round in 0..rounds {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        // A few kills very early (during start-up), the rest 1..40 ms in.
        let delay = if round % 10 == 0 { 0 } else { 1 + rng % 40 };
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "power_loss_child_writer",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_DIR, &dir)
            .env("BANGTIN_STORE_CHILD_GEN", generation.to_string())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        child.kill().unwrap(); // SIGKILL: no destructor, no flush, like a power cut
        child.wait().unwrap();

        torn_files_found += std::fs::read_dir(dir.join("envelopes"))
            .map(|rd| {
                rd.flatten()
                    .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp-"))
                    .count()
            })
            .unwrap_or(0);
        let store = Store::open(&dir, 1 << 40).unwrap();
        let envelopes = store.envelopes().unwrap();
        for (path, bytes) in &envelopes {
            let generation = check_record(bytes)
                .unwrap_or_else(|| panic!("round {round}: torn envelope {}", path.display()));
            assert!(generation >= 1);
        }
        for (i, topic) in TOPICS.iter().enumerate() {
            let path = store.envelope_path(topic);
            if let Ok(bytes) = std::fs::read(&path) {
                let g =
                    check_record(&bytes).unwrap_or_else(|| panic!("round {round}: torn {topic}"));
                assert!(
                    g >= last_seen[i],
                    "round {round}: {topic} went back from {} to {g}",
                    last_seen[i]
                );
                last_seen[i] = g;
            }
        }
        if let Some(bytes) = store.state("marks").unwrap() {
            let g = check_record(&bytes).unwrap_or_else(|| panic!("round {round}: torn state"));
            assert!(g >= last_seen[3]);
            last_seen[3] = g;
        }
        for entry in std::fs::read_dir(dir.join("assets")).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(
                store.asset(&name).is_some(),
                "round {round}: asset {name} is torn"
            );
        }
        generation = last_seen.iter().max().unwrap() + 1;
    }
    eprintln!(
        "{rounds} power cuts; {torn_files_found} cut in the middle of a write (torn temp files found and discarded); \
         reached generation {generation}"
    );
    assert!(torn_files_found > 0, "some kills should land mid-write");
    let _ = std::fs::remove_dir_all(&dir);
}
