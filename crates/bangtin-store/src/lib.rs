//! The board's on-disk cache: accepted envelopes exactly as received, assets by sha256, and
//! small named state blobs (seq marks, rotation position).
//!
//! It exists so that a board whose power is cut, or whose network is down, comes back showing
//! its programme from what it last accepted. A board stands in a commune square and power can
//! go at any instant, so the store promises:
//!
//! - **Old or new, never torn.** Every file is replaced by writing a temporary file in the same
//!   folder, syncing it, renaming it over the old one and syncing the folder (see `atomic`).
//!   After a cut, each file is its previous or its new version in full.
//! - **Recovery on start.** [`Store::open`] removes the temporary files (`.tmp-*`) a cut left
//!   behind; they are never read, listed or loaded, whatever they hold.
//! - **Checked again on read.** Assets are named by their sha256 and hashed again when read;
//!   a file that no longer matches (a flash fault) is deleted and reported as missing, so the
//!   caller fetches it again instead of showing a broken image. Envelopes are returned raw for
//!   the caller to verify again (signature, scope, seq) against the trust store of today.
//! - **Few writes.** Writing bytes a file already holds is skipped: an SD card wears out.
//! - **A size budget.** [`Store::evict_assets`] deletes unreferenced assets, least recently
//!   written first, and never one the caller still needs.
//!
//! What it must never do:
//! - turn a name that came from outside into a path: topics are hashed, asset names must be
//!   64 lowercase hex digits, state names `[a-z0-9_-]{1,64}`; nothing can reach outside the
//!   store's folder or collide with a temporary file;
//! - return a partly written file, or an asset whose bytes do not match its name;
//! - delete an asset the caller asked to keep, even when that leaves the store over budget;
//! - treat one unreadable envelope as fatal (it is skipped with a warning; the rest load);
//! - panic on anything it finds on disk.
//!
//! One process owns a store folder: open it once and share the [`Store`] (it is `Sync`).
//! Another process opening the same folder would discard this one's writes in progress,
//! which then fail with an error (nothing is corrupted). The store spawns no threads and
//! keeps nothing in memory but its paths.
//!
//! Every [`Error`] is degraded, not fatal: the board keeps showing what it has in memory,
//! reports the error in its status and tries again with the next write.

mod atomic;
pub mod played;

pub use played::{Play, PlayedLog, Record};

use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

const ENVELOPES: &str = "envelopes";
const ASSETS: &str = "assets";
const STATE: &str = "state";

/// Why a store operation failed. All of them are degraded: the board keeps running on what
/// it holds in memory.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file system refused: full, read-only, failing card, missing permission.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// Asset bytes that do not have the sha256 they were offered under.
    #[error("asset bytes have sha256 {actual}, not the {expected} they were offered as")]
    HashMismatch { expected: String, actual: String },
    /// A file its check refused (a clip a board cannot play).
    #[error("{0}")]
    Refused(String),
    /// A name from outside that does not follow its rule.
    #[error("{name:?} is not an allowed {kind} name: {rule}")]
    BadName {
        kind: &'static str,
        rule: &'static str,
        /// The name as given, cut to 80 characters.
        name: String,
    },
}

impl Error {
    fn io(action: &'static str, path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            action,
            path: path.to_owned(),
            source,
        }
    }

    fn bad_name(kind: &'static str, rule: &'static str, name: &str) -> Error {
        Error::BadName {
            kind,
            rule,
            name: name.chars().take(80).collect(),
        }
    }
}

/// The board's cache folder: `envelopes/`, `assets/` and `state/` under one directory.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    envelopes: PathBuf,
    assets: PathBuf,
    state: PathBuf,
    max_bytes: u64,
}

impl Store {
    /// Opens the store in `dir`, creating it and its folders if needed, and removes the
    /// temporary files an interrupted run left behind. `max_bytes` is the budget
    /// [`Store::evict_assets`] keeps to.
    pub fn open(dir: &Path, max_bytes: u64) -> Result<Store, Error> {
        let store = Store {
            dir: dir.to_owned(),
            envelopes: dir.join(ENVELOPES),
            assets: dir.join(ASSETS),
            state: dir.join(STATE),
            max_bytes,
        };
        create_dir_durably(dir)?;
        let mut created = false;
        for sub in [&store.envelopes, &store.assets, &store.state] {
            match fs::create_dir(sub) {
                Ok(()) => created = true,
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
                Err(e) => return Err(Error::io("create", sub, e)),
            }
        }
        if created {
            // Files synced into a folder whose own entry is not on disk can vanish with it.
            atomic::sync_dir(dir)?;
        }
        let mut discarded = 0;
        for sub in [&store.envelopes, &store.assets, &store.state] {
            discarded += atomic::discard_leftovers(sub)?;
        }
        if discarded > 0 {
            log::warn!(
                "store {}: discarded {discarded} unfinished write(s) left by an interrupted run",
                dir.display()
            );
        } else {
            log::info!(
                "store {}: opened, no unfinished writes to discard",
                dir.display()
            );
        }
        Ok(store)
    }

    /// The folder the store lives in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The budget [`Store::evict_assets`] keeps to, in bytes.
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// The file the envelope for `topic` is kept in: the hex sha256 of the topic, `.json`.
    /// [`Store::envelopes`] returns the same paths.
    pub fn envelope_path(&self, topic: &str) -> PathBuf {
        self.envelopes.join(envelope_name(topic))
    }

    /// Stores the envelope for `topic` exactly as received, replacing the previous one.
    pub fn put_envelope(&self, topic: &str, raw: &[u8]) -> Result<(), Error> {
        atomic::write_file(&self.envelopes, &envelope_name(topic), raw).map(drop)
    }

    /// Removes the envelope for `topic`, durably; removing one that is not there is fine.
    pub fn remove_envelope(&self, topic: &str) -> Result<(), Error> {
        atomic::remove_file(&self.envelopes, &envelope_name(topic)).map(drop)
    }

    /// Every stored envelope, raw, sorted by path, for the caller to verify again. A file that
    /// cannot be read is skipped with a warning; only an unreadable folder is an error.
    pub fn envelopes(&self) -> Result<Vec<(PathBuf, Vec<u8>)>, Error> {
        let dir = &self.envelopes;
        let mut out = Vec::new();
        for entry in fs::read_dir(dir).map_err(|e| Error::io("list", dir, e))? {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    log::warn!("store: cannot list an entry of {}: {e}", dir.display());
                    continue;
                }
            };
            let name = entry.file_name();
            if atomic::is_temp(&name) {
                continue;
            }
            let path = entry.path();
            if !name.to_str().is_some_and(is_envelope_name) {
                log::warn!(
                    "store: ignoring {}, which the store did not write",
                    path.display()
                );
                continue;
            }
            match fs::read(&path) {
                Ok(bytes) => out.push((path, bytes)),
                Err(e) => log::warn!("store: skipping {}, unreadable: {e}", path.display()),
            }
        }
        out.sort();
        Ok(out)
    }

    /// Stores an asset under its sha256 (64 lowercase hex digits), after checking the bytes
    /// really have it.
    pub fn put_asset(&self, sha256_hex: &str, bytes: &[u8]) -> Result<(), Error> {
        check_asset_name(sha256_hex)?;
        let actual = hex::encode(Sha256::digest(bytes));
        if actual != sha256_hex {
            return Err(Error::HashMismatch {
                expected: sha256_hex.to_owned(),
                actual,
            });
        }
        atomic::write_file(&self.assets, sha256_hex, bytes).map(drop)
    }

    /// Stores an asset streamed from `reader` (a video: never all in memory), after checking
    /// it hashes to its name and `check` accepts the finished file (a probe of the clip).
    /// Returns its size.
    pub fn put_asset_from(
        &self,
        sha256_hex: &str,
        reader: &mut dyn std::io::Read,
        check: &mut dyn FnMut(&Path) -> Result<(), String>,
    ) -> Result<u64, Error> {
        check_asset_name(sha256_hex)?;
        atomic::write_stream(&self.assets, sha256_hex, reader, &mut |actual, path| {
            if actual != sha256_hex {
                return Err(Error::HashMismatch {
                    expected: sha256_hex.to_owned(),
                    actual: actual.to_owned(),
                });
            }
            check(path).map_err(Error::Refused)
        })
    }

    /// Where an asset is stored (a player opens a video by its path). It may be missing.
    pub fn asset_path(&self, sha256_hex: &str) -> Option<PathBuf> {
        check_asset_name(sha256_hex).ok()?;
        Some(self.assets.join(sha256_hex))
    }

    /// An asset's bytes, hashed again. A file that no longer matches its name is deleted and
    /// `None` returned, as for one that is missing: the caller fetches it again.
    pub fn asset(&self, sha256_hex: &str) -> Option<Vec<u8>> {
        check_asset_name(sha256_hex).ok()?;
        let path = self.assets.join(sha256_hex);
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == ErrorKind::NotFound => return None,
            Err(e) => {
                log::warn!("store: cannot read asset {}: {e}", path.display());
                return None;
            }
        };
        let actual = hex::encode(Sha256::digest(&bytes));
        if actual != sha256_hex {
            log::warn!(
                "store: asset {} is corrupt on disk (its bytes hash to {actual}); deleted",
                path.display()
            );
            if let Err(e) = atomic::remove_file(&self.assets, sha256_hex) {
                log::warn!("store: {e}");
            }
            return None;
        }
        Some(bytes)
    }

    /// Whether an asset is stored (without reading it; [`Store::asset`] checks the bytes).
    pub fn has_asset(&self, sha256_hex: &str) -> bool {
        check_asset_name(sha256_hex).is_ok() && self.assets.join(sha256_hex).is_file()
    }

    /// Stores a small named state blob (seq marks, rotation position). The name is
    /// `[a-z0-9_-]{1,64}`.
    pub fn put_state(&self, name: &str, bytes: &[u8]) -> Result<(), Error> {
        check_state_name(name)?;
        atomic::write_file(&self.state, name, bytes).map(drop)
    }

    /// A state blob, or `None` if it was never stored.
    pub fn state(&self, name: &str) -> Result<Option<Vec<u8>>, Error> {
        check_state_name(name)?;
        let path = self.state.join(name);
        match fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io("read", &path, e)),
        }
    }

    /// Bytes the store's files take: envelopes, assets and state (temporary files included,
    /// they are on disk too).
    pub fn size_bytes(&self) -> u64 {
        [&self.envelopes, &self.assets, &self.state]
            .into_iter()
            .filter_map(|dir| fs::read_dir(dir).ok())
            .flat_map(|entries| entries.flatten())
            .filter_map(|entry| entry.metadata().ok())
            .filter(|m| m.is_file())
            .map(|m| m.len())
            .sum()
    }

    /// When the store is over its budget, deletes assets not in `keep` (sha256 hex names),
    /// least recently written first, until it is within budget. An asset in `keep` is never
    /// deleted, even if the store stays over budget (a warning says so). Returns the bytes
    /// freed.
    pub fn evict_assets(&self, keep: &HashSet<String>) -> Result<u64, Error> {
        let mut used = self.size_bytes();
        if used <= self.max_bytes {
            return Ok(0);
        }
        let dir = &self.assets;
        let mut candidates: Vec<(SystemTime, String, u64)> = Vec::new();
        for entry in fs::read_dir(dir).map_err(|e| Error::io("list", dir, e))? {
            let Ok(entry) = entry else { continue };
            // Temporary files and strangers are not assets: a write in progress is never
            // evicted from under its writer.
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            if check_asset_name(&name).is_err() || keep.contains(&name) {
                continue;
            }
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_file() {
                let written = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
                candidates.push((written, name, meta.len()));
            }
        }
        candidates.sort();
        let mut freed = 0;
        let mut failure = None;
        for (_, name, len) in candidates {
            if used <= self.max_bytes {
                break;
            }
            let path = dir.join(&name);
            match fs::remove_file(&path) {
                Ok(()) => {
                    used = used.saturating_sub(len);
                    freed += len;
                }
                // Deleted meanwhile (a corrupt read): its bytes are gone all the same.
                Err(e) if e.kind() == ErrorKind::NotFound => used = used.saturating_sub(len),
                Err(e) => {
                    failure = Some(Error::io("remove", &path, e));
                    break;
                }
            }
        }
        if freed > 0 {
            // One folder sync for the whole batch rather than one per file.
            atomic::sync_dir(dir)?;
        }
        if let Some(e) = failure {
            return Err(e);
        }
        if used > self.max_bytes {
            log::warn!(
                "store {}: {used} bytes in use, over the budget of {} bytes, and all the \
                 remaining assets are needed by current content",
                self.dir.display(),
                self.max_bytes
            );
        }
        Ok(freed)
    }
}

/// Makes the file at `path` hold exactly `bytes`, so that a power cut at any instant leaves
/// the old or the new version, never a torn one: a uniquely named temporary file in the same
/// folder, synced, renamed over `path`, and the folder synced (see the `atomic` module). The
/// one way bangtin replaces a file: the store's own, a staff key's seq file, a headless
/// board's `latest.png`, a preview or screenshot PNG.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
        Error::bad_name(
            "file",
            "must end in a UTF-8 file name",
            &path.display().to_string(),
        )
    })?;
    atomic::write_file(dir, name, bytes).map(drop)
}

/// Creates `dir` (and its parents) if needed, and syncs the folder it was created in.
fn create_dir_durably(dir: &Path) -> Result<(), Error> {
    if dir.is_dir() {
        return Ok(());
    }
    fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
    match dir.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => atomic::sync_dir(parent),
        _ => Ok(()),
    }
}

fn envelope_name(topic: &str) -> String {
    format!("{}.json", hex::encode(Sha256::digest(topic.as_bytes())))
}

fn is_lower_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn is_envelope_name(name: &str) -> bool {
    name.strip_suffix(".json").is_some_and(is_lower_hex64)
}

fn check_asset_name(name: &str) -> Result<(), Error> {
    if is_lower_hex64(name) {
        Ok(())
    } else {
        Err(Error::bad_name(
            "asset",
            "must be a sha256 in 64 lowercase hex digits",
            name,
        ))
    }
}

fn check_state_name(name: &str) -> Result<(), Error> {
    let allowed = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-'));
    if allowed {
        Ok(())
    } else {
        Err(Error::bad_name(
            "state",
            "must be 1 to 64 of a-z, 0-9, '_' and '-'",
            name,
        ))
    }
}
