//! Fetching images given by URL: off the render thread, bounded in size and time, and never
//! trusted before their sha256 matches.
//!
//! [`fetch`] is one blocking HTTP(S) download with every check; [`AssetFetcher`] runs them on
//! tokio's blocking pool, a few at a time, retries with back-off, and has the storage thread
//! store what arrives (hashed again and synced there, never on an async worker). An item whose
//! image is not here yet is held back by the programme, not shown broken.

use super::{Backoff, Events};
use crate::storage::{Command, Storage};
use crate::BoardEvent;
use bangtin_media as media;
use bangtin_protocol::content::ImageRef;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::io::Read as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;

/// Why an asset could not be had. Retried unless [`FetchError::is_permanent`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: {message}")]
    Http { url: String, message: String },
    #[error("{url}: the server sent more than the {limit} bytes allowed")]
    TooLarge { url: String, limit: u64 },
    #[error("{url}: got {got} bytes, the content says {declared}")]
    WrongSize {
        url: String,
        got: u64,
        declared: u64,
    },
    #[error("{url}: sha256 is {got}, the content says {expected}")]
    WrongHash {
        url: String,
        got: String,
        expected: String,
    },
    #[error("{url}: not a usable image: {message}")]
    NotAnImage { url: String, message: String },
    #[error("{url}: the video {message}")]
    NotPlayable { url: String, message: String },
    #[error("{url}: cannot store it: {message}")]
    Store { url: String, message: String },
}

impl FetchError {
    /// Wrong size, wrong hash or not an image will not get better by asking again soon.
    pub fn is_permanent(&self) -> bool {
        !matches!(self, FetchError::Http { .. })
    }
}

/// Limits of one download.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The global cap on one asset, whatever the content declares.
    pub max_bytes: u64,
    /// The whole request, connection to last byte.
    pub timeout: Duration,
}

/// Downloads `url`, refusing more than `min(declared, max_bytes)` bytes, a size other than
/// the declared one, a sha256 other than the expected one, and bytes that are not an image
/// within the media limits. Blocking: call it from a blocking pool.
pub fn fetch(
    url: &str,
    sha256: &str,
    declared: u64,
    limits: Limits,
) -> Result<Vec<u8>, FetchError> {
    let limit = declared.min(limits.max_bytes);
    let http = |message: String| FetchError::Http {
        url: url.to_owned(),
        message,
    };
    if declared > limits.max_bytes {
        return Err(FetchError::TooLarge {
            url: url.to_owned(),
            limit,
        });
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(limits.timeout))
        .max_redirects(3)
        .build()
        .into();
    let mut response = agent.get(url).call().map_err(|e| http(e.to_string()))?;
    if let Some(len) = response.body().content_length() {
        if len > limit {
            return Err(FetchError::TooLarge {
                url: url.to_owned(),
                limit,
            });
        }
    }
    let mut bytes = Vec::new();
    response
        .body_mut()
        .as_reader()
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| http(e.to_string()))?;
    let got = bytes.len() as u64;
    if got > limit {
        return Err(FetchError::TooLarge {
            url: url.to_owned(),
            limit,
        });
    }
    if got != declared {
        return Err(FetchError::WrongSize {
            url: url.to_owned(),
            got,
            declared,
        });
    }
    let actual = hex::encode(Sha256::digest(&bytes));
    if actual != sha256 {
        return Err(FetchError::WrongHash {
            url: url.to_owned(),
            got: actual,
            expected: sha256.to_owned(),
        });
    }
    media::dimensions(&bytes).map_err(|e| FetchError::NotAnImage {
        url: url.to_owned(),
        message: e.to_string(),
    })?;
    Ok(bytes)
}

/// What a board plays (`[video]` in its config).
#[derive(Debug, Clone, Copy)]
pub struct VideoLimits {
    pub max_bytes: u64,
    pub clip: bangtin_video::Limits,
}

/// Downloads the video at `url` straight into `store` (streamed, never all in memory) and
/// checks it as [`fetch`] checks an image: no more than declared, exactly the declared size
/// and sha256, and a clip the board may play ([`bangtin_video::probe`]). Nothing is stored
/// unless every check passes. Blocking.
pub fn fetch_video(
    url: &str,
    sha256: &str,
    declared: u64,
    timeout: Duration,
    limits: &VideoLimits,
    store: &bangtin_store::Store,
) -> Result<bangtin_video::Clip, FetchError> {
    let limit = declared.min(limits.max_bytes);
    let too_large = || FetchError::TooLarge {
        url: url.to_owned(),
        limit,
    };
    if declared > limits.max_bytes {
        return Err(too_large());
    }
    // A clip takes longer than a picture: the time allowed grows with its size, as if the
    // link gave at least 128 KiB/s (a 256 MiB clip: 34 minutes more).
    let timeout = timeout + Duration::from_secs(declared / (128 * 1024));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .max_redirects(3)
        .build()
        .into();
    let http = |message: String| FetchError::Http {
        url: url.to_owned(),
        message,
    };
    let mut response = agent.get(url).call().map_err(|e| http(e.to_string()))?;
    if response
        .body()
        .content_length()
        .is_some_and(|len| len > limit)
    {
        return Err(too_large());
    }
    let mut reader = response.body_mut().as_reader().take(limit + 1);
    let mut outcome: Result<Option<bangtin_video::Clip>, FetchError> = Ok(None);
    let stored = store.put_asset_from(sha256, &mut reader, &mut |path| {
        let got = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        if got > limit {
            outcome = Err(too_large());
        } else if got != declared {
            outcome = Err(FetchError::WrongSize {
                url: url.to_owned(),
                got,
                declared,
            });
        } else {
            outcome = bangtin_video::probe(path, &limits.clip)
                .map(Some)
                .map_err(|e| FetchError::NotPlayable {
                    url: url.to_owned(),
                    message: e.to_string(),
                });
        }
        outcome.as_ref().map(drop).map_err(|e| e.to_string())
    });
    match (stored, outcome) {
        (Ok(_), Ok(Some(clip))) => Ok(clip),
        (_, Err(e)) => Err(e),
        (Err(bangtin_store::Error::HashMismatch { actual, .. }), _) => Err(FetchError::WrongHash {
            url: url.to_owned(),
            got: actual,
            expected: sha256.to_owned(),
        }),
        (Err(bangtin_store::Error::Io { source, .. }), _)
            if source.kind() != std::io::ErrorKind::Other =>
        {
            Err(http(source.to_string()))
        }
        (Err(e), _) => Err(FetchError::Store {
            url: url.to_owned(),
            message: e.to_string(),
        }),
        (Ok(_), Ok(None)) => Err(http("the download ended before it was checked".into())),
    }
}

/// What the fetcher reports.
#[derive(Debug, Clone, PartialEq)]
pub enum AssetEvent {
    /// Stored; items showing it may now be shown.
    Ready { sha256: String },
    /// A video stored and probed (now, or at start for one stored before): it may play.
    Clip {
        sha256: String,
        clip: bangtin_video::Clip,
    },
    /// Given up on (after retries, or at once for a permanent failure).
    Failed { sha256: String, reason: String },
}

/// Fetches URL images in the background, `concurrency` at a time, each at most once at a
/// time, with up to `tries` attempts.
pub struct AssetFetcher {
    storage: Storage,
    limits: Limits,
    video: VideoLimits,
    /// Videos already probed and reported (a stored clip is probed once per run).
    clips: Arc<Mutex<HashSet<String>>>,
    permits: Arc<Semaphore>,
    in_flight: Arc<Mutex<HashSet<String>>>,
    events: Events,
    tries: u32,
    retry_base: Duration,
}

impl AssetFetcher {
    pub fn new(
        storage: Storage,
        limits: Limits,
        concurrency: usize,
        events: Events,
    ) -> AssetFetcher {
        AssetFetcher {
            storage,
            limits,
            video: VideoLimits {
                max_bytes: 256 * 1024 * 1024,
                clip: bangtin_video::Limits::default(),
            },
            clips: Arc::new(Mutex::new(HashSet::new())),
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            in_flight: Arc::new(Mutex::new(HashSet::new())),
            events,
            tries: 4,
            retry_base: Duration::from_secs(2),
        }
    }

    /// Sets the retry policy (tests use short waits).
    pub fn with_retries(mut self, tries: u32, base: Duration) -> AssetFetcher {
        self.tries = tries.max(1);
        self.retry_base = base;
        self
    }

    /// Sets what videos may be (`[video]`).
    pub fn with_video_limits(mut self, video: VideoLimits) -> AssetFetcher {
        self.video = video;
        self
    }

    /// Starts fetching (or, stored already, probing) every video not yet reported to the
    /// board. Returns at once; must be called within a tokio runtime.
    pub fn want_videos<'a>(
        &self,
        videos: impl IntoIterator<Item = &'a bangtin_protocol::content::VideoRef>,
    ) {
        for video in videos {
            // Reported already and still stored: nothing to do. One evicted since (its item
            // left the content and came back) is fetched again.
            let stored = self.storage.store().has_asset(&video.sha256);
            {
                let mut clips = self.clips.lock().unwrap_or_else(|p| p.into_inner());
                if stored && clips.contains(&video.sha256) {
                    continue;
                }
                clips.remove(&video.sha256);
            }
            {
                let mut flying = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
                if !flying.insert(video.sha256.clone()) {
                    continue;
                }
            }
            let job = Job {
                url: video.url.clone(),
                sha256: video.sha256.clone(),
                declared: video.bytes,
            };
            tokio::spawn(self.run_video(job));
        }
    }

    /// Starts fetching every URL image that is neither stored nor already on its way.
    /// Returns at once; must be called within a tokio runtime.
    pub fn want<'a>(&self, images: impl IntoIterator<Item = &'a ImageRef>) {
        for image in images {
            let ImageRef::Url { url, sha256, bytes } = image else {
                continue;
            };
            if self.storage.store().has_asset(sha256) {
                continue;
            }
            {
                let mut flying = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
                if !flying.insert(sha256.clone()) {
                    continue;
                }
            }
            let job = Job {
                url: url.clone(),
                sha256: sha256.clone(),
                declared: *bytes,
            };
            tokio::spawn(self.run(job));
        }
    }

    /// What each job needs: its retries and, at the end, who hears of it.
    fn retry(&self) -> (Retry, Finish) {
        (
            Retry {
                tries: self.tries,
                base: self.retry_base,
                permits: self.permits.clone(),
            },
            Finish {
                in_flight: self.in_flight.clone(),
                events: self.events.clone(),
            },
        )
    }

    fn run(&self, job: Job) -> impl std::future::Future<Output = ()> + Send + 'static {
        let (storage, limits) = (self.storage.clone(), self.limits);
        let (retry, finish) = self.retry();
        async move {
            let fetched = retry
                .attempts(&job, "asset", move |job| {
                    fetch(&job.url, &job.sha256, job.declared, limits)
                })
                .await;
            let outcome = match fetched {
                None => return,
                Some(Ok(bytes)) => {
                    let sha256 = job.sha256.clone();
                    storage
                        .ask(|done| Command::Asset {
                            sha256,
                            bytes,
                            done,
                        })
                        .await
                        .unwrap_or_else(|| Err("the storage thread has stopped".into()))
                        .map(|()| AssetEvent::Ready {
                            sha256: job.sha256.clone(),
                        })
                }
                Some(Err(e)) => Err(e),
            };
            finish.send(&job, outcome).await;
        }
    }

    fn run_video(&self, job: Job) -> impl std::future::Future<Output = ()> + Send + 'static {
        let (store, timeout, video) = (
            self.storage.store().clone(),
            self.limits.timeout,
            self.video,
        );
        let clips = self.clips.clone();
        let (retry, finish) = self.retry();
        async move {
            // A clip stored before (this run's first sight of it) is only probed.
            let probed = retry
                .attempts(&job, "video", move |job| {
                    match store.asset_path(&job.sha256) {
                        Some(path) if path.is_file() => bangtin_video::probe(&path, &video.clip)
                            .map_err(|e| FetchError::NotPlayable {
                                url: job.url.clone(),
                                message: e.to_string(),
                            }),
                        _ => fetch_video(
                            &job.url,
                            &job.sha256,
                            job.declared,
                            timeout,
                            &video,
                            &store,
                        ),
                    }
                })
                .await;
            let outcome = match probed {
                None => return,
                Some(Ok(clip)) => {
                    clips
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(job.sha256.clone());
                    Ok(AssetEvent::Clip {
                        sha256: job.sha256.clone(),
                        clip,
                    })
                }
                Some(Err(e)) => Err(e),
            };
            finish.send(&job, outcome).await;
        }
    }
}

/// A job's tries: up to `tries`, `permits` bounding how many run at once, with back-off.
struct Retry {
    tries: u32,
    base: Duration,
    permits: Arc<Semaphore>,
}

impl Retry {
    /// Runs `work` on tokio's blocking pool until it succeeds, fails for good or runs out of
    /// tries. `None` when the fetcher is shutting down.
    async fn attempts<T: Send + 'static>(
        &self,
        job: &Job,
        what: &str,
        work: impl Fn(Job) -> Result<T, FetchError> + Send + Sync + Clone + 'static,
    ) -> Option<Result<T, String>> {
        let mut backoff = Backoff::new(self.base, self.base * 16, seed(&job.sha256));
        let mut outcome = Err(String::new());
        for attempt in 1..=self.tries {
            let result = {
                let _permit = self.permits.acquire().await.ok()?;
                let (job, work) = (job.clone(), work.clone());
                tokio::task::spawn_blocking(move || work(job))
                    .await
                    .unwrap_or_else(|e| {
                        Err(FetchError::Http {
                            url: String::new(),
                            message: format!("{what} task failed: {e}"),
                        })
                    })
            };
            match result {
                Ok(value) => return Some(Ok(value)),
                Err(e) => {
                    log::warn!("{what} fetch, try {attempt} of {}: {e}", self.tries);
                    outcome = Err(e.to_string());
                    if e.is_permanent() || attempt == self.tries {
                        break;
                    }
                    tokio::time::sleep(backoff.next_delay()).await;
                }
            }
        }
        Some(outcome)
    }
}

/// Who hears how a job ended: the in-flight set, and the board.
struct Finish {
    in_flight: Arc<Mutex<HashSet<String>>>,
    events: Events,
}

impl Finish {
    async fn send(&self, job: &Job, outcome: Result<AssetEvent, String>) {
        self.in_flight
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&job.sha256);
        let event = outcome.unwrap_or_else(|reason| AssetEvent::Failed {
            sha256: job.sha256.clone(),
            reason,
        });
        self.events.send(BoardEvent::Asset(event)).await;
    }
}

#[derive(Debug, Clone)]
struct Job {
    url: String,
    sha256: String,
    declared: u64,
}

fn seed(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}
