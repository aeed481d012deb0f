//! The on-disk cache on the real file system: round trips, names that cannot escape the
//! folder, leftovers of cut writes discarded, corruption detected, eviction, skipped identical
//! writes, and power loss: a child process writing the store is SIGKILLed at random moments
//! and every restart must find each file whole, old or new, never torn or mixed.
#![cfg(unix)]

use bangtin_store::{Error, Store};
use sha2::Digest as _;
use std::collections::HashSet;
use std::fs;
use std::io::Read as _;
use std::os::unix::fs::MetadataExt as _;
use std::os::unix::process::ExitStatusExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

/// A fresh folder under the system's temporary directory, removed when the test passes (kept
/// when it fails, to look at).
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "bangtin-store-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&dir);
        TempDir(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = fs::remove_dir_all(&self.0);
        }
    }
}

const BIG: u64 = 1 << 40;

fn sha(b: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(b))
}

fn bodies(store: &Store) -> Vec<Vec<u8>> {
    let mut all: Vec<Vec<u8>> = store
        .envelopes()
        .unwrap()
        .into_iter()
        .map(|(_, b)| b)
        .collect();
    all.sort();
    all
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn envelopes_round_trip_replace_and_remove() {
    let tmp = TempDir::new("envelopes");
    let store = Store::open(tmp.path(), BIG).unwrap();
    for sub in ["envelopes", "assets", "state"] {
        assert!(tmp.path().join(sub).is_dir(), "{sub} created at open");
    }
    assert!(store.envelopes().unwrap().is_empty());

    store.put_envelope("bangtin/v1/content/vn", b"one").unwrap();
    store
        .put_envelope("bangtin/v1/content/vn/ha-noi", b"two")
        .unwrap();
    assert_eq!(bodies(&store), [b"one".to_vec(), b"two".to_vec()]);

    // Replaced, not added.
    store
        .put_envelope("bangtin/v1/content/vn", b"three")
        .unwrap();
    assert_eq!(bodies(&store), [b"three".to_vec(), b"two".to_vec()]);

    // Listed under the path `envelope_path` names: the hex sha256 of the topic, `.json`.
    let path = store.envelope_path("bangtin/v1/content/vn");
    assert_eq!(
        path,
        tmp.path()
            .join("envelopes")
            .join(format!("{}.json", sha(b"bangtin/v1/content/vn")))
    );
    assert!(store
        .envelopes()
        .unwrap()
        .contains(&(path.clone(), b"three".to_vec())));

    store.remove_envelope("bangtin/v1/content/vn").unwrap();
    assert!(!path.exists());
    store.remove_envelope("never/stored").unwrap();
    assert_eq!(bodies(&store), [b"two".to_vec()]);

    // What is stored is what a later run finds.
    drop(store);
    let again = Store::open(tmp.path(), BIG).unwrap();
    assert_eq!(bodies(&again), [b"two".to_vec()]);
}

#[test]
fn assets_and_state_round_trip() {
    let tmp = TempDir::new("assets-state");
    let store = Store::open(tmp.path(), BIG).unwrap();
    assert_eq!(store.dir(), tmp.path());

    let asset = b"pretend png".to_vec();
    assert!(!store.has_asset(&sha(&asset)));
    assert_eq!(store.asset(&sha(&asset)), None);
    store.put_asset(&sha(&asset), &asset).unwrap();
    assert!(store.has_asset(&sha(&asset)));
    assert_eq!(store.asset(&sha(&asset)), Some(asset.clone()));

    assert_eq!(store.state("seq-marks").unwrap(), None);
    store.put_state("seq-marks", b"{}").unwrap();
    store.put_state("rotation_pos", b"7").unwrap();
    assert_eq!(store.state("seq-marks").unwrap(), Some(b"{}".to_vec()));
    store.put_state("seq-marks", b"{\"k\":{}}").unwrap();
    assert_eq!(
        store.state("seq-marks").unwrap(),
        Some(b"{\"k\":{}}".to_vec())
    );
    // An empty blob is a value, not an absence.
    store.put_state("empty", b"").unwrap();
    assert_eq!(store.state("empty").unwrap(), Some(Vec::new()));

    store.put_envelope("t", b"12345").unwrap();
    assert_eq!(
        store.size_bytes(),
        (asset.len() + b"{\"k\":{}}".len() + 1 + 5) as u64
    );

    // A second handle on the same folder sees the same.
    let again = Store::open(tmp.path(), BIG).unwrap();
    assert_eq!(again.asset(&sha(&asset)), Some(asset));
    assert_eq!(again.state("rotation_pos").unwrap(), Some(b"7".to_vec()));
}

#[test]
fn assets_refuse_a_wrong_hash_and_bad_names() {
    let tmp = TempDir::new("asset-names");
    let store = Store::open(tmp.path(), BIG).unwrap();
    let data = b"x".to_vec();
    let good = sha(&data);

    let wrong = sha(b"something else");
    match store.put_asset(&wrong, &data) {
        Err(Error::HashMismatch { expected, actual }) => {
            assert_eq!((expected, actual), (wrong.clone(), good.clone()));
        }
        other => panic!("a wrong hash must be refused, got {other:?}"),
    }
    assert!(!store.has_asset(&wrong));

    let upper = good.to_uppercase();
    let not_hex = format!("{}g", &good[..63]);
    let with_slash = format!("{}/{}", &good[..31], &good[32..]);
    for bad in [
        "../x",
        "../../etc/passwd",
        upper.as_str(),
        &good[..63],
        &format!("{good}0"),
        not_hex.as_str(),
        with_slash.as_str(),
        ".tmp-1-1",
        "",
    ] {
        match store.put_asset(bad, &data) {
            Err(Error::BadName { name, .. }) => assert_eq!(name, bad),
            other => panic!("{bad:?} must be refused as a name, got {other:?}"),
        }
        assert!(!store.has_asset(bad), "{bad:?}");
        assert_eq!(store.asset(bad), None, "{bad:?}");
    }
    // Nothing was written anywhere: not in the store, not beside it.
    assert!(names_in(&tmp.path().join("assets")).is_empty());
    assert_eq!(names_in(tmp.path()), ["assets", "envelopes", "state"]);

    store.put_asset(&good, &data).unwrap();
    assert_eq!(names_in(&tmp.path().join("assets")), [good]);
}

#[test]
fn state_names_are_validated() {
    let tmp = TempDir::new("state-names");
    let store = Store::open(tmp.path(), BIG).unwrap();
    let long = "a".repeat(65);
    for bad in [
        "../x", "a/b", "", "UPPER", "dot.ted", ".tmp-1-1", "sp ace", "ư", &long,
    ] {
        assert!(
            matches!(store.put_state(bad, b"x"), Err(Error::BadName { .. })),
            "{bad:?}"
        );
        assert!(
            matches!(store.state(bad), Err(Error::BadName { .. })),
            "{bad:?}"
        );
    }
    assert!(names_in(&tmp.path().join("state")).is_empty());
    assert_eq!(names_in(tmp.path()), ["assets", "envelopes", "state"]);

    for good in ["a", "seq-marks", "rotation_position", "z9", &"b".repeat(64)] {
        store.put_state(good, good.as_bytes()).unwrap();
        assert_eq!(store.state(good).unwrap(), Some(good.as_bytes().to_vec()));
    }
}

#[test]
fn topics_are_hashed_into_the_envelopes_folder() {
    let tmp = TempDir::new("topics");
    let store = Store::open(tmp.path(), BIG).unwrap();
    for topic in ["../../../../tmp/evil", "/abs/path", "", ".tmp-1-1", "a\0b"] {
        store.put_envelope(topic, topic.as_bytes()).unwrap();
        let path = store.envelope_path(topic);
        assert_eq!(path.parent(), Some(tmp.path().join("envelopes").as_path()));
    }
    let listed = store.envelopes().unwrap();
    assert_eq!(listed.len(), 5);
    for (path, _) in &listed {
        assert!(path.starts_with(tmp.path().join("envelopes")), "{path:?}");
    }
    assert_eq!(names_in(tmp.path()), ["assets", "envelopes", "state"]);
}

#[test]
fn leftover_temp_files_are_removed_at_open_and_never_listed() {
    let tmp = TempDir::new("leftovers");
    let store = Store::open(tmp.path(), BIG).unwrap();
    store.put_envelope("t", b"whole").unwrap();
    let asset = b"asset bytes".to_vec();
    store.put_asset(&sha(&asset), &asset).unwrap();
    store.put_state("marks", b"whole marks").unwrap();

    // What a power cut in the middle of writes leaves: temporary files, some half written,
    // one that even looks like a complete envelope.
    let leftovers = [
        "envelopes/.tmp-999-0",
        "envelopes/.tmp-999-1",
        "assets/.tmp-999-2",
        "state/.tmp-999-3",
    ];
    for (i, leftover) in leftovers.iter().enumerate() {
        fs::write(tmp.path().join(leftover), format!("half a mess {i}")).unwrap();
    }
    // Even before a restart, a temporary file is never listed.
    assert_eq!(bodies(&store), [b"whole".to_vec()]);
    drop(store);

    let store = Store::open(tmp.path(), BIG).unwrap();
    for leftover in leftovers {
        assert!(
            !tmp.path().join(leftover).exists(),
            "{leftover} removed at open"
        );
    }
    assert_eq!(bodies(&store), [b"whole".to_vec()]);
    assert_eq!(store.asset(&sha(&asset)), Some(asset));
    assert_eq!(store.state("marks").unwrap(), Some(b"whole marks".to_vec()));
    assert_eq!(names_in(&tmp.path().join("envelopes")).len(), 1);
}

#[test]
fn an_unreadable_envelope_is_skipped_not_fatal() {
    let tmp = TempDir::new("unreadable");
    let store = Store::open(tmp.path(), BIG).unwrap();
    store.put_envelope("good", b"good").unwrap();
    // A folder under an envelope's name cannot be read as a file (unlike a permission, which
    // root ignores).
    fs::create_dir(store.envelope_path("broken")).unwrap();
    // A file the store did not write is ignored too.
    fs::write(tmp.path().join("envelopes/notes.txt"), b"stranger").unwrap();
    assert_eq!(bodies(&store), [b"good".to_vec()]);
}

#[test]
fn a_corrupt_asset_is_detected_on_read_and_deleted() {
    let tmp = TempDir::new("corrupt");
    let store = Store::open(tmp.path(), BIG).unwrap();
    let asset = vec![0x5a; 4096];
    let name = sha(&asset);
    store.put_asset(&name, &asset).unwrap();
    let path = tmp.path().join("assets").join(&name);

    // One flipped bit, same length: what a failing card does.
    let mut flipped = asset.clone();
    flipped[1000] ^= 0x01;
    fs::write(&path, &flipped).unwrap();
    assert!(store.has_asset(&name), "present until read");
    assert_eq!(
        store.asset(&name),
        None,
        "a corrupt asset is never returned"
    );
    assert!(!path.exists(), "and is deleted");
    assert!(!store.has_asset(&name));

    // Fetched again, it is good again.
    store.put_asset(&name, &asset).unwrap();
    assert_eq!(store.asset(&name), Some(asset.clone()));

    // A truncated file (shorter than stored) is caught the same way.
    fs::write(&path, &asset[..100]).unwrap();
    assert_eq!(store.asset(&name), None);
    assert!(!path.exists());
}

/// Stores `n` assets of `len` bytes each and dates them: asset `i` was written at `ages[i]`
/// seconds after the epoch.
fn dated_assets(store: &Store, len: usize, ages: &[u64]) -> Vec<String> {
    ages.iter()
        .enumerate()
        .map(|(i, &age)| {
            let bytes = vec![i as u8; len];
            let name = sha(&bytes);
            store.put_asset(&name, &bytes).unwrap();
            let file = fs::File::options()
                .write(true)
                .open(store.dir().join("assets").join(&name))
                .unwrap();
            file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000 + age))
                .unwrap();
            name
        })
        .collect()
}

#[test]
fn eviction_frees_unreferenced_assets_oldest_first_and_keeps_referenced_ones() {
    let tmp = TempDir::new("evict");
    let store = Store::open(tmp.path(), 35_000).unwrap();
    // Written out of name order, so that only the dates can give the right answer.
    let names = dated_assets(&store, 10_000, &[10, 40, 20, 30, 50]);
    store.put_state("marks", b"0123456789").unwrap();
    assert_eq!(store.size_bytes(), 50_010);

    // names[0] is the oldest but referenced; then come names[2] (20) and names[3] (30).
    let keep: HashSet<String> = [names[0].clone()].into();
    let freed = store.evict_assets(&keep).unwrap();
    assert_eq!(freed, 20_000);
    assert!(
        store.has_asset(&names[0]),
        "referenced: kept, though oldest"
    );
    assert!(!store.has_asset(&names[2]), "oldest unreferenced: evicted");
    assert!(!store.has_asset(&names[3]), "next oldest: evicted");
    assert!(store.has_asset(&names[1]), "newer: fits the budget");
    assert!(store.has_asset(&names[4]), "newest: fits the budget");
    assert_eq!(store.size_bytes(), 30_010);

    // Within budget now: nothing more goes.
    assert_eq!(store.evict_assets(&HashSet::new()).unwrap(), 0);
    assert_eq!(store.size_bytes(), 30_010);
}

#[test]
fn eviction_never_deletes_kept_assets_even_over_budget() {
    let tmp = TempDir::new("evict-kept");
    let store = Store::open(tmp.path(), 15_000).unwrap();
    let names = dated_assets(&store, 10_000, &[1, 2, 3, 4]);
    // A write in progress is not an asset, whatever its size.
    fs::write(tmp.path().join("assets/.tmp-999-0"), vec![0; 10_000]).unwrap();
    let keep: HashSet<String> = [names[0].clone(), names[2].clone(), names[3].clone()].into();
    let freed = store.evict_assets(&keep).unwrap();
    assert_eq!(freed, 10_000, "only the one unreferenced asset");
    assert!(!store.has_asset(&names[1]));
    for kept in &keep {
        assert!(store.has_asset(kept), "kept {kept}");
    }
    assert!(tmp.path().join("assets/.tmp-999-0").exists());
    assert!(
        store.size_bytes() > 15_000,
        "still over budget, and that is allowed"
    );
}

/// Runs `put` twice and checks the second time left the file alone: same inode
/// (not renamed over) and same mtime (not written).
fn assert_second_put_skipped(path: &Path, put: impl Fn()) {
    put();
    let before = fs::metadata(path).unwrap();
    // Dated well in the past, so that a rewrite would show in the mtime too.
    let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
    fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(old)
        .unwrap();
    put();
    let after = fs::metadata(path).unwrap();
    assert_eq!(after.ino(), before.ino(), "{path:?} was replaced");
    assert_eq!(after.modified().unwrap(), old, "{path:?} was written");
}

#[test]
fn identical_rewrites_are_skipped() {
    let tmp = TempDir::new("same");
    let store = Store::open(tmp.path(), BIG).unwrap();
    let asset = vec![7u8; 100_000];
    assert_second_put_skipped(&tmp.path().join("state/s"), || {
        store.put_state("s", b"same").unwrap()
    });
    assert_second_put_skipped(&store.envelope_path("t"), || {
        store.put_envelope("t", b"same").unwrap()
    });
    assert_second_put_skipped(&tmp.path().join("assets").join(sha(&asset)), || {
        store.put_asset(&sha(&asset), &asset).unwrap()
    });

    // A different value is written: a new file renamed over the old one.
    let path = tmp.path().join("state/s");
    let before = fs::metadata(&path).unwrap().ino();
    store.put_state("s", b"diff").unwrap();
    assert_ne!(fs::metadata(&path).unwrap().ino(), before);
    // Same length, different bytes: still written.
    store.put_state("s", b"ffid").unwrap();
    assert_eq!(store.state("s").unwrap(), Some(b"ffid".to_vec()));
}

#[test]
fn opening_again_in_the_same_process_keeps_writes_in_progress() {
    let tmp = TempDir::new("reopen");
    let store = Store::open(tmp.path(), BIG).unwrap();
    std::thread::scope(|s| {
        let writers: Vec<_> = (0..3u8)
            .map(|w| {
                let store = &store;
                s.spawn(move || {
                    for i in 0..150u32 {
                        let value = vec![w.wrapping_add(i as u8); 20_000 + i as usize];
                        store.put_state("shared", &value).unwrap();
                        store.put_envelope("shared", &value).unwrap();
                    }
                })
            })
            .collect();
        // Meanwhile, other handles open the folder and recover it: they must not take the
        // writers' temporary files away.
        while !writers.iter().all(|w| w.is_finished()) {
            Store::open(tmp.path(), BIG).unwrap();
        }
        for w in writers {
            w.join().unwrap();
        }
    });
    let value = store.state("shared").unwrap().unwrap();
    assert!(value.iter().all(|&b| b == value[0]), "one whole value");
    assert!(names_in(&tmp.path().join("state")) == ["shared"]);
}

// ---- power loss ----------------------------------------------------------------------------

const TOPICS: [&str; 3] = [
    "bangtin/v1/content/vn",
    "bangtin/v1/content/vn/ha-noi",
    "bangtin/v1/alert/vn",
];
const CHILD_DIR: &str = "BANGTIN_STORE_CHILD_DIR";
const CHILD_GEN: &str = "BANGTIN_STORE_CHILD_GEN";

/// One self-describing value: which key it belongs to, its generation, a payload of 1 KiB to
/// 200 KiB that depends on both, and the sha256 of all three.
fn record(key: &str, generation: u64) -> Vec<u8> {
    let salt = key.bytes().map(u64::from).sum::<u64>();
    let len = 1024 + (generation * 7919 + salt * 104_729) % (199 * 1024);
    let payload: String = (0..len)
        .map(|i| char::from(b'a' + ((i * 31 + generation * 7 + salt) % 26) as u8))
        .collect();
    let digest = sha(format!("{key}\n{generation}\n{payload}").as_bytes());
    serde_json::to_vec(&serde_json::json!({
        "key": key,
        "gen": generation,
        "payload": payload,
        "sha256": digest,
    }))
    .unwrap()
}

/// The generation of a value for `key`, if it is whole and really that key's.
fn check_record(key: &str, bytes: &[u8]) -> Result<u64, String> {
    let v: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("not whole JSON: {e}"))?;
    let generation = v["gen"].as_u64().ok_or("no gen")?;
    let payload = v["payload"].as_str().ok_or("no payload")?;
    if v["key"] != key {
        return Err(format!("holds {}'s value, not {key}'s", v["key"]));
    }
    if v["sha256"] != sha(format!("{key}\n{generation}\n{payload}").as_bytes()) {
        return Err(format!("generation {generation} does not match its sha256"));
    }
    Ok(generation)
}

/// The writer the power-loss test kills. Does nothing unless run as that child.
#[test]
fn power_loss_child_writer() {
    let Some(dir) = std::env::var_os(CHILD_DIR) else {
        return;
    };
    let store = Store::open(Path::new(&dir), BIG).unwrap();
    let start: u64 = std::env::var(CHILD_GEN).unwrap().parse().unwrap();
    // In this order, every generation; the checker relies on the order.
    for generation in start.. {
        for topic in TOPICS {
            store
                .put_envelope(topic, &record(topic, generation))
                .unwrap();
        }
        store
            .put_state("marks", &record("marks", generation))
            .unwrap();
        let asset = record("asset", generation);
        store.put_asset(&sha(&asset), &asset).unwrap();
    }
}

fn temp_files(dir: &Path) -> usize {
    ["envelopes", "assets", "state"]
        .iter()
        .filter_map(|sub| fs::read_dir(dir.join(sub)).ok())
        .flat_map(|entries| entries.flatten())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp-"))
        .count()
}

/// After a cut: every value whole, and the generation of each of topics 0..3, the marks and
/// the newest asset, with the name of that asset.
fn check_after_cut(store: &Store, round: usize) -> ([u64; 5], Option<String>) {
    let mut seen = [0u64; 5];
    let listed = store.envelopes().unwrap();
    assert!(listed.len() <= TOPICS.len(), "round {round}: {listed:?}");
    for (path, bytes) in &listed {
        let i = TOPICS
            .iter()
            .position(|t| store.envelope_path(t) == *path)
            .unwrap_or_else(|| panic!("round {round}: a stranger listed: {}", path.display()));
        seen[i] = check_record(TOPICS[i], bytes)
            .unwrap_or_else(|e| panic!("round {round}: envelope of {}: {e}", TOPICS[i]));
    }
    if let Some(bytes) = store.state("marks").unwrap() {
        seen[3] = check_record("marks", &bytes)
            .unwrap_or_else(|e| panic!("round {round}: state blob: {e}"));
    }
    let mut newest = None;
    for name in names_in(&store.dir().join("assets")) {
        let bytes = store
            .asset(&name)
            .unwrap_or_else(|| panic!("round {round}: asset {name} is torn"));
        let generation = check_record("asset", &bytes)
            .unwrap_or_else(|e| panic!("round {round}: asset {name}: {e}"));
        if generation >= seen[4] {
            seen[4] = generation;
            newest = Some(name);
        }
    }
    (seen, newest)
}

#[test]
fn power_loss_at_random_moments_never_leaves_a_torn_file() {
    const MIN_ROUNDS: usize = 60;
    const MAX_ROUNDS: usize = 300;
    const WANTED_MID_WRITE: usize = 10;
    let tmp = TempDir::new("power");
    let dir = tmp.path();
    let exe = std::env::current_exe().unwrap();
    let seed: u64 = std::env::var("BANGTIN_STORE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x2545_F491_4F6C_DD1D);
    let mut rng = seed.max(1);
    let mut last = [0u64; 5];
    let mut generation = 1u64;
    let (mut rounds, mut mid_write, mut progressed) = (0, 0, 0);
    while rounds < MIN_ROUNDS || (mid_write < WANTED_MID_WRITE && rounds < MAX_ROUNDS) {
        let round = rounds;
        rounds += 1;
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        // One kill in ten right away (the child still starting, or just opening the store);
        // the others 1..40 ms in.
        let delay = if round % 10 == 0 { 0 } else { 1 + rng % 40 };
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "store::power_loss_child_writer",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_DIR, dir)
            .env(CHILD_GEN, generation.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        // SIGKILL: no destructor, no flush, no chance to tidy up, as when the power goes.
        child.kill().unwrap();
        let status = child.wait().unwrap();
        if status.signal() != Some(9) {
            let mut stderr = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut stderr);
            }
            panic!("round {round}: the writer stopped by itself ({status}):\n{stderr}");
        }

        if temp_files(dir) > 0 {
            mid_write += 1;
        }
        let mut store = Store::open(dir, BIG).unwrap();
        assert_eq!(
            temp_files(dir),
            0,
            "round {round}: leftovers removed at open"
        );
        let (seen, newest) = check_after_cut(&store, round);
        // The writer goes topic 0, 1, 2, marks, asset: a later one can never be newer.
        assert!(
            seen.windows(2).all(|w| w[0] >= w[1]),
            "round {round}: out of order {seen:?}"
        );
        for (i, (&now, &before)) in seen.iter().zip(&last).enumerate() {
            assert!(
                now >= before,
                "round {round}: value {i} went back from generation {before} to {now}"
            );
        }
        if seen != last {
            progressed += 1;
        }
        last = seen;
        generation = seen[0] + 1;

        // Keep the folder small, and evict right after a cut too: the newest asset stays.
        drop(store);
        store = Store::open(dir, 2 << 20).unwrap();
        let keep: HashSet<String> = newest.iter().cloned().collect();
        store.evict_assets(&keep).unwrap();
        if let Some(name) = &newest {
            assert!(store.asset(name).is_some(), "round {round}: kept asset");
        }
    }
    eprintln!(
        "power loss: {rounds} SIGKILLs (seed {seed}); {mid_write} landed in the middle of a \
         write (temporary files found and discarded); {progressed} after some progress; \
         reached generation {generation}; every value whole and none went back"
    );
    assert!(
        mid_write > 0,
        "no kill landed in the middle of a write in {rounds} rounds"
    );
    assert!(progressed > 0, "the writer never got anywhere");
}
