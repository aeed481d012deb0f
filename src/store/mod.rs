//! The on-disk cache: accepted envelopes (as received), assets by sha256, small state blobs.
//!
//! Power may be cut at any instant. Every file is written to a temporary file in the same
//! folder, synced, renamed over the old one, and the folder synced: after a restart each file
//! is either the old or the new version, never a mix. Temporary files left by a cut are
//! removed at open and never read. Names that come from outside never become paths: topics
//! are hashed, asset names must be sha256 hex, state names are checked.

use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::fs::{self, File};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

const TMP_PREFIX: &str = ".tmp-";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("asset bytes have sha256 {actual}, not {expected}")]
    HashMismatch { expected: String, actual: String },
    #[error("{0:?} is not an allowed name here")]
    BadName(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.display().to_string(),
        source,
    }
}

/// The board's cache folder.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    max_bytes: u64,
    counter: AtomicU64,
}

impl Store {
    /// Opens (creating if needed) the store in `dir`, discarding temporary files a power cut
    /// left behind.
    pub fn open(dir: &Path, max_bytes: u64) -> Result<Store, Error> {
        let store = Store {
            dir: dir.to_owned(),
            max_bytes,
            counter: AtomicU64::new(0),
        };
        let mut torn = 0;
        for sub in ["envelopes", "assets", "state"] {
            let d = dir.join(sub);
            fs::create_dir_all(&d).map_err(io(&d))?;
            for entry in fs::read_dir(&d).map_err(io(&d))?.flatten() {
                if entry.file_name().to_string_lossy().starts_with(TMP_PREFIX) {
                    let _ = fs::remove_file(entry.path());
                    torn += 1;
                }
            }
        }
        if torn > 0 {
            log::warn!("store: discarded {torn} unfinished write(s) from an interrupted run");
        }
        Ok(store)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file an envelope for `topic` is kept in.
    pub fn envelope_path(&self, topic: &str) -> PathBuf {
        self.dir.join("envelopes").join(format!(
            "{}.json",
            hex::encode(Sha256::digest(topic.as_bytes()))
        ))
    }

    /// Stores the envelope for `topic` exactly as received, replacing the previous one.
    pub fn put_envelope(&self, topic: &str, raw: &[u8]) -> Result<(), Error> {
        self.write_atomic(&self.envelope_path(topic), raw)
    }

    pub fn remove_envelope(&self, topic: &str) -> Result<(), Error> {
        let path = self.envelope_path(topic);
        match fs::remove_file(&path) {
            Ok(()) => sync_dir(path.parent().unwrap_or(&self.dir)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io(&path)(e)),
        }
    }

    /// Every stored envelope, raw, for the caller to verify again. Unreadable files are
    /// skipped with a warning.
    pub fn envelopes(&self) -> Result<Vec<(PathBuf, Vec<u8>)>, Error> {
        let d = self.dir.join("envelopes");
        let mut out = Vec::new();
        for entry in fs::read_dir(&d).map_err(io(&d))?.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(TMP_PREFIX) || !name.ends_with(".json") {
                continue;
            }
            match fs::read(&path) {
                Ok(bytes) => out.push((path, bytes)),
                Err(e) => log::warn!("store: cannot read {}: {e}", path.display()),
            }
        }
        out.sort();
        Ok(out)
    }

    fn asset_path(&self, sha256: &str) -> Result<PathBuf, Error> {
        if sha256.len() == 64
            && sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            Ok(self.dir.join("assets").join(sha256))
        } else {
            Err(Error::BadName(sha256.to_owned()))
        }
    }

    /// Stores an asset under its sha256, after checking the bytes really have it.
    pub fn put_asset(&self, sha256: &str, bytes: &[u8]) -> Result<(), Error> {
        let path = self.asset_path(sha256)?;
        let actual = hex::encode(Sha256::digest(bytes));
        if actual != sha256 {
            return Err(Error::HashMismatch {
                expected: sha256.to_owned(),
                actual,
            });
        }
        self.write_atomic(&path, bytes)
    }

    /// An asset's bytes, checked again; a file that no longer matches is deleted.
    pub fn asset(&self, sha256: &str) -> Option<Vec<u8>> {
        let path = self.asset_path(sha256).ok()?;
        let bytes = fs::read(&path).ok()?;
        if hex::encode(Sha256::digest(&bytes)) != sha256 {
            log::warn!("store: {} is corrupt; deleted", path.display());
            let _ = fs::remove_file(&path);
            return None;
        }
        Some(bytes)
    }

    pub fn has_asset(&self, sha256: &str) -> bool {
        self.asset_path(sha256).is_ok_and(|p| p.is_file())
    }

    fn state_path(&self, name: &str) -> Result<PathBuf, Error> {
        if (1..=64).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        {
            Ok(self.dir.join("state").join(name))
        } else {
            Err(Error::BadName(name.to_owned()))
        }
    }

    /// Stores a small named state blob (seq marks, rotation position).
    pub fn put_state(&self, name: &str, bytes: &[u8]) -> Result<(), Error> {
        self.write_atomic(&self.state_path(name)?, bytes)
    }

    pub fn state(&self, name: &str) -> Result<Option<Vec<u8>>, Error> {
        let path = self.state_path(name)?;
        match fs::read(&path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(&path)(e)),
        }
    }

    /// Bytes on disk: envelopes, assets and state.
    pub fn size_bytes(&self) -> u64 {
        ["envelopes", "assets", "state"]
            .iter()
            .filter_map(|sub| fs::read_dir(self.dir.join(sub)).ok())
            .flat_map(|rd| rd.flatten())
            .filter_map(|e| e.metadata().ok())
            .map(|m| m.len())
            .sum()
    }

    /// Over budget: deletes assets not in `keep`, oldest first, until under it. Kept assets
    /// are never deleted. Returns the bytes freed.
    pub fn evict_assets(&self, keep: &HashSet<String>) -> Result<u64, Error> {
        let mut total = self.size_bytes();
        if total <= self.max_bytes {
            return Ok(0);
        }
        let d = self.dir.join("assets");
        let mut candidates: Vec<(std::time::SystemTime, PathBuf, u64)> = fs::read_dir(&d)
            .map_err(io(&d))?
            .flatten()
            .filter(|e| !keep.contains(&*e.file_name().to_string_lossy()))
            .filter_map(|e| {
                let m = e.metadata().ok()?;
                Some((m.modified().ok()?, e.path(), m.len()))
            })
            .collect();
        candidates.sort();
        let mut freed = 0;
        for (_, path, len) in candidates {
            if total <= self.max_bytes {
                break;
            }
            fs::remove_file(&path).map_err(io(&path))?;
            total = total.saturating_sub(len);
            freed += len;
        }
        sync_dir(&d)?;
        if total > self.max_bytes {
            log::warn!(
                "store: {total} bytes in use, over the budget of {}, all of it needed by current content",
                self.max_bytes
            );
        }
        Ok(freed)
    }

    /// Temp file, sync, rename, sync the folder. Identical content is not rewritten.
    fn write_atomic(&self, path: &Path, bytes: &[u8]) -> Result<(), Error> {
        if fs::read(path).is_ok_and(|old| old == bytes) {
            return Ok(());
        }
        let parent = path.parent().unwrap_or(&self.dir);
        let tmp = parent.join(format!(
            "{TMP_PREFIX}{}-{}",
            std::process::id(),
            self.counter.fetch_add(1, Ordering::Relaxed)
        ));
        let result = (|| {
            let mut f = File::create(&tmp).map_err(io(&tmp))?;
            f.write_all(bytes).map_err(io(&tmp))?;
            f.sync_all().map_err(io(&tmp))?;
            drop(f);
            fs::rename(&tmp, path).map_err(io(path))?;
            sync_dir(parent)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }
}

fn sync_dir(dir: &Path) -> Result<(), Error> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}
