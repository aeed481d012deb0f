//! The proof-of-play log: what the board showed, from when to when, kept on disk until the
//! district has it.
//!
//! A province asks each commune for a report of what was broadcast. The board writes one
//! record per play (an item or an alert on screen from `from` to `to`) to an append-only file
//! of JSON lines, `played/current.log`, and sends the records in `played` batches. Records not
//! yet confirmed sent stay on disk through power cuts and offline weeks and are sent when the
//! broker is back.
//!
//! - **Appends, synced in batches.** [`PlayedLog::append`] only buffers; [`PlayedLog::flush`]
//!   writes the buffer and syncs the file (the reporter calls it every few seconds, and the
//!   board at shutdown). A power cut loses at most the unflushed records.
//! - **Torn tails are cut.** A cut in the middle of a write leaves a partial last line; open
//!   truncates the file back to its last complete line before appending again, and readers
//!   skip any line that does not parse.
//! - **Rotation by size.** When `current.log` passes [`FILE_BYTES`] it is renamed to
//!   `N.log` (N: its first record's number) and a new one begun; at most [`KEEP_FILES`] old
//!   files are kept, the oldest deleted first (logged: its unsent records are lost). With 10 s
//!   slides that is about a week of records.
//! - **A cursor, not deletion.** The number of the last record confirmed sent is a state blob
//!   of the store (written atomically); the records themselves are never rewritten.
//!
//! Record numbers `n` increase by one per record for the life of the store, so a receiver can
//! tell a record it already has from a new one.

use super::{Error, Store};
use bangtin_protocol::content::Timestamp;
use serde::{Deserialize, Serialize};
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Size at which the current file is rotated.
pub const FILE_BYTES: u64 = 1024 * 1024;
/// Old files kept besides the current one.
pub const KEEP_FILES: usize = 8;
/// The state blob holding the number of the last record confirmed sent.
const CURSOR: &str = "played-sent";
const FOLDER: &str = "played";
const CURRENT: &str = "current.log";

/// One play: an item (or an alert) on screen from `from` to `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The record's number in this board's log (1, 2, 3, ...).
    pub n: u64,
    pub item: String,
    pub topic: String,
    pub seq: u64,
    pub from: Timestamp,
    pub to: Timestamp,
    /// Whether the board's clock was trusted when the play was stamped: a record made before
    /// the clock was set (no NTP yet after a power cut) carries the clock's time as it was.
    #[serde(default = "yes")]
    pub clock_trusted: bool,
}

fn yes() -> bool {
    true
}

/// A play not numbered yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Play {
    pub item: String,
    pub topic: String,
    pub seq: u64,
    pub from: Timestamp,
    pub to: Timestamp,
    pub clock_trusted: bool,
}

/// The board's proof-of-play log. One per store; share it behind a mutex.
#[derive(Debug)]
pub struct PlayedLog {
    dir: PathBuf,
    store: std::sync::Arc<Store>,
    /// The number the next record gets.
    next: u64,
    /// The last record confirmed sent.
    sent: u64,
    /// Lines appended but not yet written and synced.
    buffer: Vec<String>,
}

impl PlayedLog {
    /// Opens (or creates) the log in the store's folder, cutting a torn last line.
    pub fn open(store: std::sync::Arc<Store>) -> Result<PlayedLog, Error> {
        let dir = store.dir().join(FOLDER);
        fs::create_dir_all(&dir).map_err(|e| Error::io("create", &dir, e))?;
        let current = dir.join(CURRENT);
        cut_torn_tail(&current)?;
        let sent = match store.state(CURSOR) {
            Ok(Some(b)) => String::from_utf8_lossy(&b).trim().parse().unwrap_or(0),
            _ => 0,
        };
        let mut log = PlayedLog {
            dir,
            store,
            next: 1,
            sent,
            buffer: Vec::new(),
        };
        let last = log
            .files()
            .iter()
            .rev()
            .find_map(|f| read_records(f).last().map(|r| r.n));
        log.next = last
            .map_or(1, |n| n.saturating_add(1))
            .max(log.sent.saturating_add(1));
        Ok(log)
    }

    /// Buffers one play; it is on disk after the next [`PlayedLog::flush`].
    pub fn append(&mut self, play: Play) -> u64 {
        let record = Record {
            n: self.next,
            item: play.item,
            topic: play.topic,
            seq: play.seq,
            from: play.from,
            to: play.to,
            clock_trusted: play.clock_trusted,
        };
        self.next = self.next.saturating_add(1);
        if let Ok(line) = serde_json::to_string(&record) {
            self.buffer.push(line);
        }
        record.n
    }

    /// Records buffered, not yet synced.
    pub fn buffered(&self) -> usize {
        self.buffer.len()
    }

    /// Writes the buffered records and syncs the file; rotates it when it is full.
    pub fn flush(&mut self) -> Result<(), Error> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let path = self.dir.join(CURRENT);
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| Error::io("open", &path, e))?;
        let before = file.metadata().map(|m| m.len()).unwrap_or(0);
        let mut text = self.buffer.join("\n");
        text.push('\n');
        if let Err(e) = file
            .write_all(text.as_bytes())
            .and_then(|()| file.sync_data())
        {
            // A partial write (disk full) is taken back, so the retry does not duplicate it.
            let _ = file.set_len(before);
            // Records wait in memory for the disk to have room, but not without bound.
            if self.buffer.len() > 10_000 {
                let dropped = self.buffer.len() - 10_000;
                self.buffer.drain(..dropped);
                log::warn!("proof-of-play log: {dropped} records dropped, the disk refuses writes");
            }
            return Err(Error::io("write", &path, e));
        }
        self.buffer.clear();
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        drop(file);
        if len >= FILE_BYTES {
            self.rotate(&path)?;
        }
        Ok(())
    }

    fn rotate(&mut self, current: &Path) -> Result<(), Error> {
        let first = read_records(current).first().map_or(self.next, |r| r.n);
        let old = self.dir.join(format!("{first}.log"));
        fs::rename(current, &old).map_err(|e| Error::io("rotate", current, e))?;
        super::atomic::sync_dir(&self.dir)?;
        let mut old_files = self.files();
        old_files.retain(|f| f.file_name().is_some_and(|n| n != CURRENT));
        while old_files.len() > KEEP_FILES {
            let oldest = old_files.remove(0);
            let unsent = read_records(&oldest)
                .iter()
                .filter(|r| r.n > self.sent)
                .count();
            if unsent > 0 {
                log::warn!(
                    "proof-of-play log full: {unsent} records never sent are dropped with {}",
                    oldest.display()
                );
            }
            fs::remove_file(&oldest).map_err(|e| Error::io("remove", &oldest, e))?;
        }
        Ok(())
    }

    /// The log's files, oldest first (the rotated ones by first record, then the current).
    fn files(&self) -> Vec<PathBuf> {
        let mut rotated: Vec<(u64, PathBuf)> = fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let n = name.strip_suffix(".log")?.parse::<u64>().ok()?;
                Some((n, e.path()))
            })
            .collect();
        rotated.sort();
        let mut files: Vec<PathBuf> = rotated.into_iter().map(|(_, p)| p).collect();
        let current = self.dir.join(CURRENT);
        if current.exists() {
            files.push(current);
        }
        files
    }

    /// Up to `limit` records on disk not confirmed sent, oldest first.
    pub fn unsent(&self, limit: usize) -> Vec<Record> {
        let mut out = Vec::new();
        if self.unsent_count() == 0 {
            return out;
        }
        let files = self.files();
        for (i, file) in files.iter().enumerate() {
            // A rotated file is named by its first record: one whose successor starts at or
            // below the first unsent record holds nothing to send.
            if let Some(next_first) = files.get(i + 1).and_then(|f| first_of(f)) {
                if next_first <= self.sent.saturating_add(1) {
                    continue;
                }
            }
            for r in read_records(file) {
                if r.n > self.sent {
                    out.push(r);
                    if out.len() >= limit {
                        return out;
                    }
                }
            }
        }
        out
    }

    /// Records not confirmed sent (buffered ones included).
    pub fn unsent_count(&self) -> u64 {
        self.next.saturating_sub(1).saturating_sub(self.sent)
    }

    /// The last record confirmed sent.
    pub fn sent(&self) -> u64 {
        self.sent
    }

    /// Notes that every record up to `n` reached the broker.
    pub fn mark_sent(&mut self, n: u64) -> Result<(), Error> {
        if n <= self.sent {
            return Ok(());
        }
        self.store.put_state(CURSOR, n.to_string().as_bytes())?;
        self.sent = n;
        Ok(())
    }

    /// Every record still on disk (sent or not), oldest first: for reports from the board's
    /// own log.
    pub fn records(&self) -> Vec<Record> {
        self.files().iter().flat_map(|f| read_records(f)).collect()
    }
}

/// The first record number of a rotated file, from its name (`N.log`).
fn first_of(path: &Path) -> Option<u64> {
    path.file_name()?
        .to_str()?
        .strip_suffix(".log")?
        .parse()
        .ok()
}

/// The records of one file, skipping lines that do not parse (a torn or damaged line).
fn read_records(path: &Path) -> Vec<Record> {
    let Ok(file) = File::open(path) else {
        return Vec::new();
    };
    BufReader::new(file)
        .split(b'\n')
        .map_while(Result::ok)
        .filter_map(|line| serde_json::from_slice(&line).ok())
        .collect()
}

/// Cuts `path` back to its last complete line (a power cut mid-write leaves a partial one).
fn cut_torn_tail(path: &Path) -> Result<(), Error> {
    let mut file = match OpenOptions::new().read(true).write(true).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io("open", path, e)),
    };
    let len = file
        .metadata()
        .map_err(|e| Error::io("read", path, e))?
        .len();
    if len == 0 {
        return Ok(());
    }
    // Look back through the last 64 KiB at most: a record is far shorter.
    let back = len.min(64 * 1024);
    let mut tail = vec![0u8; back as usize];
    file.seek(SeekFrom::Start(len - back))
        .and_then(|_| std::io::Read::read_exact(&mut file, &mut tail))
        .map_err(|e| Error::io("read", path, e))?;
    if tail.last() == Some(&b'\n') {
        return Ok(());
    }
    let keep = match tail.iter().rposition(|&b| b == b'\n') {
        Some(i) => len - back + i as u64 + 1,
        None if back == len => 0,
        None => return Ok(()),
    };
    log::warn!(
        "proof-of-play log {}: cutting a partial last record ({} bytes)",
        path.display(),
        len - keep
    );
    file.set_len(keep)
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::io("truncate", path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// A store in a fresh temporary folder (removed with the returned guard).
    fn store(name: &str) -> (tempfile::TempDir, Arc<Store>) {
        let dir = tempfile::Builder::new()
            .prefix(&format!("bangtin-played-{name}-"))
            .tempdir()
            .unwrap();
        let store = Arc::new(Store::open(dir.path(), 1 << 30).unwrap());
        (dir, store)
    }

    fn play(i: u64) -> Play {
        let t: Timestamp = "2026-11-27T08:00:00+07:00".parse().unwrap();
        Play {
            item: format!("item-{i}"),
            topic: "bangtin/v1/content/vn".into(),
            seq: 7,
            from: t,
            to: t + chrono::Duration::seconds(10),
            clock_trusted: true,
        }
    }

    #[test]
    fn records_survive_reopening_and_numbers_go_on() {
        let (_dir, s) = store("reopen");
        let mut log = PlayedLog::open(s.clone()).unwrap();
        assert_eq!(log.append(play(1)), 1);
        assert_eq!(log.append(play(2)), 2);
        log.flush().unwrap();
        log.append(play(3)); // never flushed: lost with the "power"
        drop(log);
        let mut log = PlayedLog::open(s).unwrap();
        assert_eq!(log.unsent(10).len(), 2);
        assert_eq!(log.append(play(4)), 3);
    }

    #[test]
    fn the_cursor_hides_sent_records_across_restarts() {
        let (_dir, s) = store("cursor");
        let mut log = PlayedLog::open(s.clone()).unwrap();
        for i in 0..5 {
            log.append(play(i));
        }
        log.flush().unwrap();
        log.mark_sent(3).unwrap();
        let log = PlayedLog::open(s).unwrap();
        let left: Vec<u64> = log.unsent(10).iter().map(|r| r.n).collect();
        assert_eq!(left, vec![4, 5]);
        assert_eq!(log.records().len(), 5);
    }

    #[test]
    fn a_torn_last_line_is_cut_and_appending_goes_on() {
        let (_dir, s) = store("torn");
        let mut log = PlayedLog::open(s.clone()).unwrap();
        log.append(play(1));
        log.flush().unwrap();
        let path = s.dir().join(FOLDER).join(CURRENT);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"n\":2,\"item\":\"half").unwrap();
        drop(f);
        let mut log = PlayedLog::open(s).unwrap();
        assert_eq!(log.append(play(2)), 2);
        log.flush().unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert_eq!(log.unsent(10).len(), 2);
    }

    #[test]
    fn a_cursor_at_the_end_of_numbers_does_not_overflow() {
        let (_dir, s) = store("max");
        s.put_state(CURSOR, u64::MAX.to_string().as_bytes())
            .unwrap();
        let mut log = PlayedLog::open(s).unwrap();
        assert_eq!(log.unsent_count(), 0);
        log.append(play(1));
        assert!(log.unsent(10).is_empty());
    }

    #[test]
    fn full_files_rotate_and_the_oldest_go() {
        let (_dir, s) = store("rotate");
        let mut log = PlayedLog::open(s.clone()).unwrap();
        // About 160 bytes a record: a file holds ~6,500.
        let total = 7000 * (KEEP_FILES as u64 + 3);
        for i in 0..total {
            log.append(play(i));
            if log.buffered() >= 500 {
                log.flush().unwrap();
            }
        }
        log.flush().unwrap();
        let files = log.files();
        assert!(files.len() <= KEEP_FILES + 1, "{files:?}");
        assert!(files.len() > 2, "{files:?}");
        let records = log.records();
        assert_eq!(records.last().unwrap().n, total);
        assert!(
            records.first().unwrap().n > 1,
            "the oldest file was dropped"
        );
        // Numbers stay contiguous across the files kept.
        assert!(records.windows(2).all(|w| w[1].n == w[0].n + 1));
        drop(log);
        let mut log = PlayedLog::open(s).unwrap();
        assert_eq!(log.append(play(0)), total + 1);
    }
}
