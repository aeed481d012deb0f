//! One file replaced so that a power cut at any instant leaves the old or the new version on
//! disk, never a mix of the two, and never an empty or half-written file under the real name.
//!
//! The sequence, and why each step is there:
//! 1. Compare with what is already there; identical bytes are not written again (every write
//!    wears the SD card or eMMC a board runs from, and most updates repeat what it has).
//! 2. Write a temporary file in the *same* folder (rename is only atomic within one file
//!    system), named `.tmp-<pid>-<n>` and created with `create_new`, so it never clobbers
//!    anything.
//! 3. `sync_all` it: without this, the rename below can reach the disk before the data, and a
//!    cut leaves the real name pointing at an empty or partly written file (ext4 with
//!    `data=writeback`, f2fs, and any file system after a controller reorders writes).
//! 4. Rename it over the destination: readers see the old file or the new one, nothing between.
//! 5. `sync_all` the folder: the rename itself is a change to the folder, and until the folder
//!    is on disk a cut can bring back the old name (or, for a new file, no file at all).
//!
//! A cut between 2 and 4 leaves a temporary file; [`discard_leftovers`] removes them when the
//! store is opened, and nothing ever reads one.

use super::Error;
use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Every temporary file's name starts with this; no stored name can (see the name rules).
pub(super) const TMP_PREFIX: &str = ".tmp-";

/// Numbers temporary files across every `Store` of this process, so two handles on the same
/// folder never pick the same name.
static NEXT_TEMP: AtomicU64 = AtomicU64::new(0);

/// Temporary files this process is writing right now. Opening the same folder a second time
/// in this process must not delete them from under a write in progress.
static IN_FLIGHT: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

fn in_flight() -> MutexGuard<'static, BTreeSet<String>> {
    // The set only holds names; a panic elsewhere while it was locked leaves it usable.
    IN_FLIGHT.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Whether a folder entry is a temporary file (finished or not, it is never content).
pub(super) fn is_temp(name: &OsStr) -> bool {
    name.as_encoded_bytes().starts_with(TMP_PREFIX.as_bytes())
}

/// What [`write_file`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    /// The file already held these bytes; nothing was written.
    Unchanged,
    /// The file now holds the new bytes, durably.
    Replaced,
}

/// A temporary file being written. Dropped before it was renamed (an error on the way), it
/// removes itself; either way its name leaves the in-flight set.
struct Temp {
    name: String,
    path: PathBuf,
    renamed: bool,
}

impl Temp {
    fn create(dir: &Path) -> Result<(Temp, File), Error> {
        let name = format!(
            "{TMP_PREFIX}{}-{}",
            std::process::id(),
            NEXT_TEMP.fetch_add(1, Ordering::Relaxed)
        );
        // Registered before the file exists, so an open that lists the folder meanwhile
        // always finds the name in the set.
        in_flight().insert(name.clone());
        let temp = Temp {
            path: dir.join(&name),
            name,
            renamed: false,
        };
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp.path)
            .map_err(|e| Error::io("create", &temp.path, e))?;
        Ok((temp, file))
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        if !self.renamed {
            let _ = fs::remove_file(&self.path);
        }
        in_flight().remove(&self.name);
    }
}

/// Makes `dir/name` hold exactly `bytes`, atomically and durably (see the module docs).
pub(super) fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<Outcome, Error> {
    let path = dir.join(name);
    if holds(&path, bytes) {
        return Ok(Outcome::Unchanged);
    }
    let (mut temp, mut file) = Temp::create(dir)?;
    file.write_all(bytes)
        .map_err(|e| Error::io("write", &temp.path, e))?;
    file.sync_all()
        .map_err(|e| Error::io("sync", &temp.path, e))?;
    drop(file);
    fs::rename(&temp.path, &path).map_err(|e| Error::io("rename into", &path, e))?;
    temp.renamed = true;
    drop(temp);
    sync_dir(dir)?;
    Ok(Outcome::Replaced)
}

/// Makes `dir/name` hold what `reader` gives, streamed (never all in memory), atomically and
/// durably, once `accept` passes the finished temporary file (its sha256 and path). The
/// file is never seen under its name before that; refused, it is removed.
pub(super) fn write_stream(
    dir: &Path,
    name: &str,
    reader: &mut dyn std::io::Read,
    accept: &mut dyn FnMut(&str, &Path) -> Result<(), Error>,
) -> Result<u64, Error> {
    use sha2::{Digest, Sha256};
    let path = dir.join(name);
    let (mut temp, mut file) = Temp::create(dir)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut written = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::io("read the download for", &path, e)),
        };
        hasher.update(&buf[..n]);
        file.write_all(&buf[..n])
            .map_err(|e| Error::io("write", &temp.path, e))?;
        written += n as u64;
    }
    file.sync_all()
        .map_err(|e| Error::io("sync", &temp.path, e))?;
    drop(file);
    accept(&hex::encode(hasher.finalize()), &temp.path)?;
    fs::rename(&temp.path, &path).map_err(|e| Error::io("rename into", &path, e))?;
    temp.renamed = true;
    drop(temp);
    sync_dir(dir)?;
    Ok(written)
}

/// Removes `dir/name` durably. Returns whether there was one.
pub(super) fn remove_file(dir: &Path, name: &str) -> Result<bool, Error> {
    let path = dir.join(name);
    match fs::remove_file(&path) {
        Ok(()) => sync_dir(dir).map(|()| true),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::io("remove", &path, e)),
    }
}

/// Puts a folder's entries (new names, renames, removals) on disk.
pub(super) fn sync_dir(dir: &Path) -> Result<(), Error> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io("sync folder", dir, e))
}

/// Removes the temporary files an interrupted run left in `dir`, except those this process
/// is writing now. Returns how many it removed.
///
/// The removals are not synced: a leftover that comes back after another cut is removed at
/// the next open, and nothing reads it meanwhile.
pub(super) fn discard_leftovers(dir: &Path) -> Result<usize, Error> {
    let mut removed = 0;
    for entry in fs::read_dir(dir).map_err(|e| Error::io("list", dir, e))? {
        let entry = entry.map_err(|e| Error::io("list", dir, e))?;
        let name = entry.file_name();
        if !is_temp(&name) {
            continue;
        }
        if name.to_str().is_some_and(|n| in_flight().contains(n)) {
            continue;
        }
        match fs::remove_file(entry.path()) {
            Ok(()) => removed += 1,
            // The write finished (renamed) between the listing and now.
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            // Harmless where it is (never read); the next open tries again.
            Err(e) => log::warn!(
                "store: cannot remove the unfinished write {}: {e}",
                entry.path().display()
            ),
        }
    }
    Ok(removed)
}

/// Whether `path` is a file holding exactly `bytes`. Compared in chunks, so checking a
/// 16 MiB asset does not read it all into memory; any doubt (unreadable, not a file) is "no",
/// which only costs a write.
fn holds(path: &Path, bytes: &[u8]) -> bool {
    let Ok(mut file) = File::open(path) else {
        return false;
    };
    match file.metadata() {
        Ok(m) if m.is_file() && m.len() == bytes.len() as u64 => {}
        _ => return false,
    }
    let mut buf = vec![0u8; 64 * 1024];
    let mut rest = bytes;
    loop {
        match file.read(&mut buf) {
            Ok(0) => return rest.is_empty(),
            Ok(n) if n <= rest.len() && buf[..n] == rest[..n] => rest = &rest[n..],
            Ok(_) => return false,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}
