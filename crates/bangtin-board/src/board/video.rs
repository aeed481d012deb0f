//! The board's clips: the player of the slide on screen, the player of the slide after it
//! (opened during the slide before, paused on its first frame, so the switch shows that frame
//! at once: no black, no wait), frames handed to the compositor, and clips that fail or stall
//! benched for a while so the rotation goes on without them. GPU-free; the players decode on
//! GStreamer's threads and are polled here, never waited on. Pipelines are torn down on a
//! thread of their own.

use crate::schedule::Show;
use bangtin_protocol::content::{limits, Item, ItemKind};
use bangtin_store::Store;
use bangtin_video::{Clip, Frame, Player, Poll};
use std::collections::HashMap;
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A playing clip with no new frame for this long is torn down.
pub const STALL: Duration = Duration::from_secs(2);
/// A clip that does not reach its first frame in this long is torn down.
pub const OPEN_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a clip that failed stays out of the rotation.
pub const BENCHED_FOR: Duration = Duration::from_secs(600);

/// A clip wanted on screen: its sha256 and whether to play its sound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    pub sha256: String,
    pub audio: bool,
}

struct Slot {
    sha256: String,
    player: Player,
    opened: Instant,
    last_frame: Option<Instant>,
}

/// What one update did.
#[derive(Debug, Default)]
pub struct Update {
    /// A new frame waits in [`Videos::frame`].
    pub frame: bool,
    /// A clip failed: its sha256 and why (it is benched).
    pub failed: Option<(String, String)>,
}

pub struct Videos {
    store: Arc<Store>,
    clips: HashMap<String, Clip>,
    benched: HashMap<String, (Instant, String)>,
    current: Option<Slot>,
    next: Option<Slot>,
    /// The newest frame of the clip on screen, until the compositor takes it.
    pub frame: Option<Frame>,
    closer: Option<SyncSender<Player>>,
    /// Frames taken from players since start (for harnesses).
    pub frames: u64,
}

impl Videos {
    pub fn new(store: Arc<Store>) -> Videos {
        let (tx, rx) = sync_channel::<Player>(4);
        let closer = std::thread::Builder::new()
            .name("bangtin-video-close".into())
            .spawn(move || {
                for player in rx {
                    player.close();
                }
            })
            .is_ok()
            .then_some(tx);
        Videos {
            store,
            clips: HashMap::new(),
            benched: HashMap::new(),
            current: None,
            next: None,
            frame: None,
            closer,
            frames: 0,
        }
    }

    /// A clip was stored and probed (again, after a failure: fetched anew): it may play.
    pub fn ready(&mut self, sha256: &str, clip: Clip) {
        self.benched.remove(sha256);
        self.clips.insert(sha256.to_owned(), clip);
    }

    /// Whether a clip may be in the rotation now: stored, probed, not benched.
    pub fn playable(&self, sha256: &str, now: Instant) -> bool {
        self.clips.contains_key(sha256)
            && self
                .benched
                .get(sha256)
                .is_none_or(|(until, _)| now >= *until)
    }

    /// A clip's length, once probed.
    pub fn length(&self, sha256: &str) -> Option<Duration> {
        self.clips.get(sha256).map(|c| c.length)
    }

    /// Whether a clip plays now (frames keep coming).
    pub fn playing(&self) -> bool {
        self.current.as_ref().is_some_and(|s| s.player.is_playing())
    }

    /// The decoder of the clip on screen, once known.
    pub fn decoder(&self) -> Option<&str> {
        self.current.as_ref().and_then(|s| s.player.decoder())
    }

    /// Follows the programme: `show` is the clip of the slide on screen, `next` the clip of
    /// the slide after it. Opens, plays, prerolls and closes players; takes the newest frame.
    pub fn update(&mut self, show: Option<&Wanted>, next: Option<&Wanted>, now: Instant) -> Update {
        let mut update = Update::default();
        if self.current.as_ref().map(|s| &s.sha256) != show.map(|w| &w.sha256) {
            if let Some(old) = self.current.take() {
                self.close(old.player);
            }
            self.frame = None;
            if let Some(want) = show {
                self.current = match self.next.take() {
                    Some(slot) if slot.sha256 == want.sha256 => Some(slot),
                    other => {
                        if let Some(slot) = other {
                            self.next = Some(slot);
                        }
                        self.open(want, now, &mut update)
                    }
                };
            }
        }
        if let Some(slot) = &mut self.current {
            let outcome = if slot.player.is_playing() {
                match slot.player.poll() {
                    Poll::Frame(frame) => Ok(Some(frame)),
                    Poll::Nothing
                        if slot
                            .last_frame
                            .is_some_and(|t| now.saturating_duration_since(t) >= STALL) =>
                    {
                        Err(format!(
                            "no frame for {} s: the decoder stalled",
                            STALL.as_secs()
                        ))
                    }
                    Poll::Nothing => Ok(None),
                    Poll::Failed(e) => Err(e),
                }
            } else {
                match slot.player.first_frame() {
                    Ok(Some(first)) => {
                        let first = first.clone();
                        slot.player.play().map(|()| Some(first))
                    }
                    Ok(None) if now.saturating_duration_since(slot.opened) >= OPEN_TIMEOUT => {
                        Err(format!("no first frame after {} s", OPEN_TIMEOUT.as_secs()))
                    }
                    Ok(None) => Ok(None),
                    Err(e) => Err(e),
                }
            };
            match outcome {
                Ok(Some(frame)) => {
                    slot.last_frame = Some(now);
                    self.frame = Some(frame);
                    self.frames += 1;
                    update.frame = true;
                }
                Ok(None) => {}
                Err(why) => {
                    if let Some(slot) = self.current.take() {
                        self.fail(slot, why, now, &mut update);
                    }
                }
            }
        }
        let next = next.filter(|w| Some(&w.sha256) != show.map(|s| &s.sha256));
        if self.next.as_ref().map(|s| &s.sha256) != next.map(|w| &w.sha256) {
            if let Some(old) = self.next.take() {
                self.close(old.player);
            }
            if let Some(want) = next.filter(|w| self.playable(&w.sha256, now)) {
                self.next = self.open(want, now, &mut update);
            }
        }
        // The next clip decodes up to its first frame and waits there.
        if let Some(slot) = &mut self.next {
            let outcome = match slot.player.first_frame() {
                Ok(_) if now.saturating_duration_since(slot.opened) < OPEN_TIMEOUT => Ok(()),
                Ok(Some(_)) => Ok(()),
                Ok(None) => Err(format!("no first frame after {} s", OPEN_TIMEOUT.as_secs())),
                Err(e) => Err(e),
            };
            if let Err(why) = outcome {
                if let Some(slot) = self.next.take() {
                    self.fail(slot, why, now, &mut update);
                }
            }
        }
        update
    }

    fn open(&mut self, want: &Wanted, now: Instant, update: &mut Update) -> Option<Slot> {
        let opened = self
            .store
            .asset_path(&want.sha256)
            .filter(|p| p.is_file())
            .ok_or_else(|| "the clip is not in the store".to_owned())
            .and_then(|path| Player::open(&path, want.audio));
        match opened {
            Ok(player) => Some(Slot {
                sha256: want.sha256.clone(),
                player,
                opened: now,
                last_frame: None,
            }),
            Err(why) => {
                self.bench(&want.sha256, why, now, update);
                None
            }
        }
    }

    fn fail(&mut self, slot: Slot, why: String, now: Instant, update: &mut Update) {
        self.close(slot.player);
        self.bench(&slot.sha256, why, now, update);
    }

    fn bench(&mut self, sha256: &str, why: String, now: Instant, update: &mut Update) {
        log::warn!(
            "video {sha256}: {why}; left out of the rotation for {} minutes",
            BENCHED_FOR.as_secs() / 60
        );
        self.benched
            .insert(sha256.to_owned(), (now + BENCHED_FOR, why.clone()));
        update.failed = Some((sha256.to_owned(), why));
    }

    /// Hands a player to the closing thread (or closes it here when that one is behind).
    fn close(&mut self, player: Player) {
        match &self.closer {
            Some(tx) => match tx.try_send(player) {
                Ok(()) => {}
                Err(TrySendError::Full(p) | TrySendError::Disconnected(p)) => p.close(),
            },
            None => player.close(),
        }
    }
}

impl Videos {
    /// Copies of the video items that give no duration, lasting as long as their clips (once
    /// probed), to stand in for them in the rotation.
    pub fn lasting<'a>(&self, items: Vec<(&'a str, &Item)>) -> Vec<(&'a str, Item)> {
        items
            .into_iter()
            .filter_map(|(topic, item)| match &item.kind {
                ItemKind::Video { video, .. } if item.duration_s == limits::CLIP_LENGTH => {
                    let length = self.length(&video.sha256)?;
                    let mut item = item.clone();
                    item.duration_s = clip_duration(length);
                    Some((topic, item))
                }
                _ => None,
            })
            .collect()
    }
}

/// The clip `show` plays, if it is a video item among `items`.
pub fn wanted(show: Option<&Show>, items: &[(&str, &Item)]) -> Option<Wanted> {
    let Show::Item { key, .. } = show? else {
        return None;
    };
    items.iter().find_map(|(topic, item)| match &item.kind {
        ItemKind::Video { video, audio, .. } if *topic == key.topic && item.id == key.id => {
            Some(Wanted {
                sha256: video.sha256.clone(),
                audio: *audio,
            })
        }
        _ => None,
    })
}

/// The id of the video item whose clip is `sha256`.
pub fn item_of(items: &[(&str, &Item)], sha256: &str) -> Option<String> {
    items.iter().find_map(|(_, item)| match &item.kind {
        ItemKind::Video { video, .. } if video.sha256 == sha256 => Some(item.id.clone()),
        _ => None,
    })
}

/// The slot of a video item without a duration: its clip's length, whole seconds rounded up,
/// within the protocol's limits.
pub fn clip_duration(length: Duration) -> u32 {
    let secs = (length.as_millis() as u64).div_ceil(1000);
    let range = limits::DURATION_S;
    (secs.min(u64::from(*range.end())) as u32).max(*range.start())
}

/// The video crate's decoder policy for the config's.
pub fn decoders(d: bangtin_config::Decoders) -> bangtin_video::Decoders {
    match d {
        bangtin_config::Decoders::Auto => bangtin_video::Decoders::Auto,
        bangtin_config::Decoders::Software => bangtin_video::Decoders::Software,
        bangtin_config::Decoders::Hardware => bangtin_video::Decoders::Hardware,
    }
}

/// The compositor's view of a decoded frame.
pub fn planes<'a>(p: &'a bangtin_video::Picture<'a>) -> bangtin_render::video::Planes<'a> {
    bangtin_render::video::Planes {
        nv12: p.layout == bangtin_video::Layout::Nv12,
        width: p.width,
        height: p.height,
        planes: p.planes.iter().map(|pl| (pl.data, pl.stride)).collect(),
        matrix: p.colour.to_rgb(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clip() -> Clip {
        Clip {
            container: "MP4",
            codec: "H.264",
            width: 320,
            height: 180,
            length: Duration::from_secs(4),
            fps: Some(30.0),
            has_audio: false,
        }
    }

    #[test]
    fn a_slot_lasts_its_clip_rounded_up_within_the_limits() {
        assert_eq!(clip_duration(Duration::from_millis(30_400)), 31);
        assert_eq!(clip_duration(Duration::from_secs(12)), 12);
        assert_eq!(clip_duration(Duration::from_millis(800)), 3);
        assert_eq!(clip_duration(Duration::from_secs(3600)), 600);
    }

    #[test]
    fn a_clip_that_cannot_open_is_benched_with_its_reason_and_comes_back_later() {
        let dir = std::env::temp_dir().join(format!("bangtin-videos-{}", std::process::id()));
        let store = Arc::new(Store::open(&dir, 1 << 30).unwrap());
        let mut videos = Videos::new(store);
        let sha = "ab".repeat(32);
        let now = Instant::now();
        assert!(!videos.playable(&sha, now), "not before it is probed");
        videos.ready(&sha, clip());
        assert!(videos.playable(&sha, now));
        assert_eq!(videos.length(&sha), Some(Duration::from_secs(4)));
        // Probed, then its file went missing (a damaged card): it cannot open.
        let want = Wanted {
            sha256: sha.clone(),
            audio: false,
        };
        let update = videos.update(Some(&want), None, now);
        let (which, why) = update.failed.expect("the failure is said");
        assert_eq!(which, sha);
        assert!(why.contains("not in the store"), "{why}");
        assert!(!update.frame && !videos.playing());
        assert!(
            !videos.playable(&sha, now + Duration::from_secs(1)),
            "benched"
        );
        assert!(
            videos.playable(&sha, now + BENCHED_FOR),
            "back after a while"
        );
        // The next clip is not opened while benched either.
        let update = videos.update(None, Some(&want), now + Duration::from_secs(2));
        assert!(update.failed.is_none(), "a benched clip is not tried again");
        // Fetched and probed anew, it may play again at once.
        videos.ready(&sha, clip());
        assert!(videos.playable(&sha, now + Duration::from_secs(3)));
        let _ = std::fs::remove_dir_all(dir);
    }
}
