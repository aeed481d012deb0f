//! The one owner of the board's disk writes: a thread that takes commands.
//!
//! Every write a running board makes (envelopes and their seq marks, alert and rotation state,
//! assets, the proof-of-play log and its cursor, evictions) happens here, on a thread of its
//! own, one at a time. So an fsync on a slow SD card delays neither the render thread (which
//! never waits for this thread) nor the network's async workers (which wait, without blocking
//! a thread, only for the envelope they must store before accepting it). Reads of assets
//! (images to decode) go straight to the [`Store`], which is safe to share.
//!
//! The command queue is bounded: a network task that outruns the disk waits for it (real
//! back-pressure, up to the broker); the board's thread never waits and keeps what it could
//! not hand over for the next frame.

use bangtin_store::{Play, PlayedLog, Record, Store};
use std::collections::HashSet;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Commands waiting for the storage thread, at most.
pub const QUEUE: usize = 64;

/// The name of the seq marks in the store's state.
pub const MARKS: &str = "seq-marks";

/// What the storage thread is asked to do.
#[derive(Debug)]
pub enum Command {
    /// Store an accepted envelope and the marks after it; `done` says how it went.
    Envelope {
        topic: String,
        raw: Vec<u8>,
        marks: Vec<u8>,
        done: oneshot::Sender<Result<(), String>>,
    },
    /// Remove the envelopes of `topics` (their key was revoked) and store the marks.
    Remove { topics: Vec<String> },
    /// Replace a named state blob (alerts, rotation, applied seqs).
    State { name: &'static str, bytes: Vec<u8> },
    /// Store a fetched asset (its sha256 checked again by the store).
    Asset {
        sha256: String,
        bytes: Vec<u8>,
        done: oneshot::Sender<Result<(), String>>,
    },
    /// Delete assets not in `keep` while the store is over its budget.
    Evict { keep: HashSet<String> },
    /// Append finished plays to the proof-of-play log (synced by the next `Flush`).
    Plays(Vec<Play>),
    /// Sync the proof-of-play log.
    Flush,
    /// The oldest unsent proof-of-play records, at most `max`.
    Unsent {
        max: usize,
        reply: oneshot::Sender<Vec<Record>>,
    },
    /// Records up to `last` were delivered.
    MarkSent { last: u64 },
    /// Figures for the board's status.
    Figures { reply: oneshot::Sender<Figures> },
    /// Sync everything and stop (at shutdown); `done` when finished.
    Stop { done: std::sync::mpsc::Sender<()> },
}

/// What status reports of the store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    pub cache_bytes: u64,
    pub played_unsent: u64,
    /// The last write that failed, if the last write failed.
    pub last_error: Option<String>,
}

/// Where commands for the storage thread go; cheap to clone.
#[derive(Debug, Clone)]
pub struct Storage {
    tx: mpsc::Sender<Command>,
    store: Arc<Store>,
}

impl Storage {
    /// Starts the storage thread, owning `played` (the proof-of-play log of `store`).
    pub fn start(store: Arc<Store>, played: PlayedLog) -> std::io::Result<Storage> {
        let (tx, rx) = mpsc::channel(QUEUE);
        let owned = store.clone();
        std::thread::Builder::new()
            .name("bangtin-storage".into())
            // Files, hashes and small JSON: no deep stack (a fleet harness runs thousands).
            .stack_size(512 * 1024)
            .spawn(move || run(owned, played, rx))?;
        Ok(Storage { tx, store })
    }

    /// The store, for reads (assets to decode, whether an asset is there).
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// Sends a command, waiting for room in the queue (async callers: back-pressure).
    pub async fn send(&self, command: Command) {
        if self.tx.send(command).await.is_err() {
            log::error!("the storage thread has stopped; a write is lost");
        }
    }

    /// Sends a command if there is room now; gives it back if not (the board's thread never
    /// waits: it tries again after the next frame).
    pub fn try_send(&self, command: Command) -> Result<(), Command> {
        match self.tx.try_send(command) {
            Ok(()) => Ok(()),
            Err(mpsc::error::TrySendError::Full(c)) => Err(c),
            Err(mpsc::error::TrySendError::Closed(_)) => {
                log::error!("the storage thread has stopped; a write is lost");
                Ok(())
            }
        }
    }

    /// Sends a command from a thread outside the runtime, waiting for room (at shutdown).
    pub fn send_blocking(&self, command: Command) {
        if self.tx.blocking_send(command).is_err() {
            log::error!("the storage thread has stopped; a write is lost");
        }
    }

    /// Stores an envelope and the marks after it; the error in words if the disk refused.
    pub async fn envelope(&self, topic: &str, raw: &[u8], marks: Vec<u8>) -> Result<(), String> {
        let (done, result) = oneshot::channel();
        self.send(Command::Envelope {
            topic: topic.to_owned(),
            raw: raw.to_vec(),
            marks,
            done,
        })
        .await;
        result
            .await
            .unwrap_or_else(|_| Err("the storage thread has stopped".into()))
    }

    /// Asks for something and waits for the answer (`None` if the thread is gone).
    pub async fn ask<T>(&self, make: impl FnOnce(oneshot::Sender<T>) -> Command) -> Option<T> {
        let (reply, answer) = oneshot::channel();
        self.send(make(reply)).await;
        answer.await.ok()
    }

    /// Syncs everything and stops the thread, waiting for it (at shutdown, from the board's
    /// thread: the last plays must reach the disk).
    pub fn stop(&self) {
        let (done, finished) = std::sync::mpsc::channel();
        if self.tx.blocking_send(Command::Stop { done }).is_ok() {
            let _ = finished.recv_timeout(std::time::Duration::from_secs(10));
        }
    }
}

/// The storage thread: commands in order, until told to stop or every sender is gone.
fn run(store: Arc<Store>, mut played: PlayedLog, mut rx: mpsc::Receiver<Command>) {
    let mut last_error: Option<String> = None;
    let note = |result: Result<(), String>, what: &str| match result {
        Ok(()) => None,
        Err(e) => {
            log::error!("store: could not {what}: {e}");
            Some(e)
        }
    };
    while let Some(command) = rx.blocking_recv() {
        match command {
            Command::Envelope {
                topic,
                raw,
                marks,
                done,
            } => {
                let result = store
                    .put_envelope(&topic, &raw)
                    .and_then(|()| store.put_state(MARKS, &marks))
                    .map_err(|e| e.to_string());
                last_error = note(result.clone(), &format!("store the message for {topic}"));
                let _ = done.send(result);
            }
            Command::Remove { topics } => {
                for topic in topics {
                    let result = store.remove_envelope(&topic).map_err(|e| e.to_string());
                    if let Some(e) = note(result, &format!("remove the message for {topic}")) {
                        last_error = Some(e);
                    }
                }
            }
            Command::State { name, bytes } => {
                let result = store.put_state(name, &bytes).map_err(|e| e.to_string());
                last_error = note(result, &format!("save the {name} state"));
            }
            Command::Asset {
                sha256,
                bytes,
                done,
            } => {
                let result = store.put_asset(&sha256, &bytes).map_err(|e| e.to_string());
                last_error = note(result.clone(), &format!("store the image {sha256}"));
                let _ = done.send(result);
            }
            Command::Evict { keep } => match store.evict_assets(&keep) {
                Ok(0) => {}
                Ok(freed) => log::info!("store: evicted {freed} bytes of images no longer shown"),
                Err(e) => last_error = note(Err(e.to_string()), "evict old images"),
            },
            Command::Plays(plays) => {
                for play in plays {
                    played.append(play);
                }
            }
            Command::Flush => {
                let result = played
                    .flush()
                    .map_err(|e| format!("proof-of-play log: {e}"));
                if let Some(e) = note(result, "write the proof-of-play log") {
                    last_error = Some(e);
                }
            }
            Command::Unsent { max, reply } => {
                let _ = played.flush();
                let _ = reply.send(played.unsent(max));
            }
            Command::MarkSent { last } => {
                let result = played.mark_sent(last).map_err(|e| e.to_string());
                if let Some(e) = note(result, "note sent proof-of-play records") {
                    last_error = Some(e);
                }
            }
            Command::Figures { reply } => {
                let _ = reply.send(Figures {
                    cache_bytes: store.size_bytes(),
                    played_unsent: played.unsent_count(),
                    last_error: last_error.clone(),
                });
            }
            Command::Stop { done } => {
                if let Err(e) = played.flush() {
                    log::warn!("could not write the proof-of-play log: {e}");
                }
                let _ = done.send(());
                return;
            }
        }
    }
    if let Err(e) = played.flush() {
        log::warn!("could not write the proof-of-play log: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn storage() -> (tempfile::TempDir, Storage) {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(dir.path(), 1 << 30).unwrap());
        let played = PlayedLog::open(store.clone()).unwrap();
        (dir, Storage::start(store, played).unwrap())
    }

    fn play(item: &str) -> Play {
        let t = chrono::DateTime::parse_from_rfc3339("2026-11-24T08:00:00+07:00").unwrap();
        Play {
            item: item.into(),
            topic: "bangtin/v1/content/vn".into(),
            seq: 1,
            from: t,
            to: t,
            clock_trusted: true,
        }
    }

    #[test]
    fn writes_happen_in_order_and_plays_reach_the_disk_at_stop() {
        let (_dir, storage) = storage();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            storage
                .envelope("t/1", b"first", b"{}".to_vec())
                .await
                .unwrap();
            assert!(storage.store().envelope_path("t/1").is_file());
            storage
                .send(Command::Plays(vec![play("a"), play("b")]))
                .await;
            let unsent = storage
                .ask(|reply| Command::Unsent { max: 10, reply })
                .await
                .unwrap();
            assert_eq!(unsent.len(), 2);
            storage.send(Command::MarkSent { last: unsent[0].n }).await;
            let figures = storage
                .ask(|reply| Command::Figures { reply })
                .await
                .unwrap();
            assert_eq!(figures.played_unsent, 1);
            assert!(figures.cache_bytes > 0);
            assert_eq!(figures.last_error, None);
        });
        assert!(storage.try_send(Command::Plays(vec![play("c")])).is_ok());
        storage.stop();
        let reopened = PlayedLog::open(storage.store().clone()).unwrap();
        assert_eq!(
            reopened.unsent_count(),
            2,
            "b and c are on disk, a was sent"
        );
    }
}
