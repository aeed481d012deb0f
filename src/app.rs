//! The board: content and alerts in, frames out.
//!
//! [`Board`] is what the window and headless outputs share. It owns the programme (scheduler,
//! alerts), the text engine, the decoded images and the compositor. Events from the network
//! come in through [`Board::handle`]; the output asks [`Board::prepare`] whether a frame is
//! due and, if so, presents it with [`Board::present`]. A static slide needs no frame until
//! the programme or the clock's minute changes; only a fade or a scrolling footer animates.

use crate::config::Config;
use crate::content::{Action, Alert, AlertStatus, Command, ImageRef, Item, ItemKind, MsgType};
use crate::layout::chrome::{self, Chrome, Footer, FooterText};
use crate::layout::{self, DisplayList, Rect, Slide, TextEngine};
use crate::media::{self, DecodedImage};
use crate::render::compositor::{Compositor, Frame, Placement};
use crate::render::Gpu;
use crate::schedule::{
    self, persist, AlertChange, AlertSet, Clock, ClockTrust, HeldAlert, ItemKey, Program,
    Scheduler, Show,
};
use crate::store::Store;
use crate::store::{Play, PlayedLog};
use crate::sync::{self, AssetEvent, BoardState, Change, Live, Report, Reports, SyncEvent};
use chrono::{DateTime, FixedOffset, Timelike, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// What reaches the board's thread from the others.
#[derive(Debug)]
pub enum BoardEvent {
    Sync(SyncEvent),
    Asset(AssetEvent),
    /// Read the config file again (SIGHUP); a bad file keeps the running config.
    Reload,
    /// Stop (SIGTERM, SIGINT, window closed).
    Shutdown,
}

/// A presented frame, for whoever watches (tests, benchmarks, status).
#[derive(Debug, Clone, PartialEq)]
pub struct Presented {
    /// Frames presented since start.
    pub number: u64,
    /// When it was presented (after the GPU work was submitted).
    pub at: SystemTime,
    pub show: Show,
    /// The alert on screen (full screen or as the banner), if any.
    pub alert: Option<String>,
}

/// How long the `identify` command shows the board's id, unless it says.
pub const IDENTIFY_FOR: Duration = Duration::from_secs(30);
/// The dimmest a command can make the screen, in percent.
pub const MIN_BRIGHTNESS: u32 = 5;
/// Accepted messages waiting to reach the screen, remembered at most.
const PENDING_SHOWS: usize = 64;

/// The board's line to district staff: reports to publish, the proof-of-play log, counters.
#[derive(Clone)]
pub struct Reporting {
    pub reports: Reports,
    pub played: Arc<Mutex<PlayedLog>>,
    pub live: Arc<Live>,
}

/// An accepted message the board waits to see on screen (for the ack's `shown_at`).
#[derive(Debug, Clone)]
struct PendingShow {
    topic: String,
    seq: u64,
    what: Awaited,
}

#[derive(Debug, Clone)]
enum Awaited {
    /// An item or ticker of the channel on screen.
    Channel,
    /// The alert on screen (full screen or banner).
    Alert(String),
    /// None of these alerts on screen any more (a cancel).
    Gone(Vec<String>),
}

/// Something on screen since `from`, for the proof-of-play log.
#[derive(Debug, Clone, PartialEq)]
struct OpenPlay {
    item: String,
    topic: String,
    seq: u64,
    /// Monotonic start: a play lasts what the screen showed, whatever the clock did meanwhile
    /// (a Pi without RTC jumps when NTP comes).
    since: Instant,
}

/// The store state naming, per alert topic, the last message the saved alerts include.
const APPLIED: &str = "alerts-applied";

/// Watches presented frames.
type Observer = Box<dyn FnMut(&Presented) + Send>;
/// A clock other than the system's: board time and monotonic time (simulations).
type ClockSource = Box<dyn Fn() -> (DateTime<FixedOffset>, Duration) + Send>;

/// Decoded images and sizes, by sha256; inline images are kept as bytes from the content.
#[derive(Default)]
struct Images {
    inline: HashMap<String, Arc<Vec<u8>>>,
    sizes: HashMap<String, Option<(u32, u32)>>,
    decoded: HashMap<String, Option<DecodedImage>>,
}

impl Images {
    /// Forgets what the content no longer names; learns its inline images.
    fn refresh(&mut self, refs: &[&ImageRef]) {
        let mut inline = HashMap::new();
        for r in refs {
            if let ImageRef::Inline { sha256, .. } = r {
                let bytes = self
                    .inline
                    .remove(sha256)
                    .or_else(|| r.inline_bytes().map(Arc::new));
                if let Some(b) = bytes {
                    inline.insert(sha256.clone(), b);
                }
            }
        }
        self.inline = inline;
        let named: std::collections::HashSet<&str> = refs.iter().map(|r| r.sha256()).collect();
        self.sizes.retain(|k, _| named.contains(k.as_str()));
        self.decoded.retain(|k, _| named.contains(k.as_str()));
    }

    fn bytes(&self, store: &Store, sha256: &str) -> Option<Arc<Vec<u8>>> {
        if let Some(b) = self.inline.get(sha256) {
            return Some(b.clone());
        }
        store.asset(sha256).map(Arc::new)
    }

    fn size(&mut self, store: &Store, sha256: &str) -> Option<(u32, u32)> {
        if let Some(s) = self.sizes.get(sha256) {
            return *s;
        }
        let size = self
            .bytes(store, sha256)
            .and_then(|b| match media::dimensions(&b) {
                Ok(s) => Some(s),
                Err(e) => {
                    log::warn!("image {sha256} {e}; items showing it are left out");
                    None
                }
            });
        self.sizes.insert(sha256.to_owned(), size);
        size
    }

    fn decode(&mut self, store: &Store, sha256: &str) -> Option<DecodedImage> {
        if let Some(d) = self.decoded.get(sha256) {
            return d.clone();
        }
        let decoded = self
            .bytes(store, sha256)
            .and_then(|b| match media::decode(&b) {
                Ok(d) => Some(d),
                Err(e) => {
                    log::warn!("image {sha256} {e}; it is left out");
                    None
                }
            });
        // Keep the decoded pixels of the few images on screen, not of every image ever shown.
        if self.decoded.len() >= 8 {
            self.decoded.clear();
        }
        self.decoded.insert(sha256.to_owned(), decoded.clone());
        decoded
    }
}

/// What the canvas shows; a new one means a new canvas render.
#[derive(Debug, Clone, PartialEq)]
struct CanvasKey {
    show: Show,
    banner: Option<String>,
    footer: Option<FooterText>,
    /// The minute shown by the header or the idle slide.
    minute: Option<i64>,
    content: u64,
    size: (u32, u32),
    /// The `identify` overlay is on.
    identify: bool,
}

/// The board's options that are not in its config file.
#[derive(Debug, Clone)]
pub struct Options {
    /// Frames per second while something moves.
    pub fps: u32,
    pub clock_trust: ClockTrust,
    /// Stop by itself after this long (the demo in scripts and CI).
    pub stop_after: Option<Duration>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            fps: 60,
            clock_trust: ClockTrust::default(),
            stop_after: None,
        }
    }
}

pub struct Board {
    config: Config,
    state: Arc<Mutex<BoardState>>,
    store: Arc<Store>,
    scheduler: Scheduler,
    alerts: AlertSet,
    options: Options,
    engine: TextEngine,
    images: Images,
    pages: HashMap<ItemKey, (u64, u32)>,
    alert_pages: HashMap<String, (u64, u32)>,
    compositor: Compositor,
    started: Instant,
    program: Option<Program>,
    canvas: Option<CanvasKey>,
    /// The footer as laid out, and its place on the canvas.
    footer: Option<(Footer, Rect)>,
    footer_since: Instant,
    fade_since: Option<Instant>,
    /// Bumped on every content change, so an updated item is drawn again.
    content_version: u64,
    brightness: f32,
    /// A frame is due even if nothing else changed (first frame, reload, asset arrived).
    dirty: bool,
    frames: u64,
    last_present: Option<Instant>,
    /// When the next frame of a scrolling footer is due.
    next_frame: Instant,
    /// Status the outputs may show; the board's last error (store, render).
    pub last_error: Option<String>,
    observer: Option<Observer>,
    clock_source: Option<ClockSource>,
    /// The alerts changed since they were last saved.
    alerts_changed: bool,
    last_save: Option<Instant>,
    /// When the last alert message reached the board's thread (for the log).
    alert_seen: Option<Instant>,
    /// Per alert topic, the seq of the last message applied to `alerts`.
    applied: std::collections::BTreeMap<String, u64>,
    /// The next frame must be drawn whole (the canvas, the brightness or the strip changed).
    full_due: bool,
    last_placement: Option<Placement>,
    /// The programme must be ticked again (an event came, or time passed).
    tick_due: bool,
    last_tick: Option<Instant>,
    /// A slide has been drawn into the canvas at least once.
    drawn_once: bool,
    /// When (monotonic) a held alert next starts or ends.
    alert_change: Option<Duration>,
    /// The clock has been trusted once since start.
    trusted_once: std::cell::Cell<bool>,
    /// The footer's line is kept as tiles in the compositor (else drawn frame by frame).
    ticker_tiled: bool,
    reporting: Option<Reporting>,
    pending_shows: Vec<PendingShow>,
    /// What fills the screen and the banner now, for proof of play.
    on_screen: [Option<OpenPlay>; 2],
    /// Per alert id, the topic and seq of the message that brought it.
    alert_origin: HashMap<String, (String, u64)>,
    /// The `identify` overlay is shown until then.
    identify_until: Option<Instant>,
    /// Brightness set by command (percent), until a moment or until changed.
    brightness_override: Option<(u32, Option<Instant>)>,
    /// Screenshot commands waiting for the next presented frame.
    screenshots: Vec<String>,
    /// Reload commands for the output to carry out.
    reloads: Vec<String>,
    /// Finished plays not yet in the proof-of-play log (it was busy being synced).
    unlogged: Vec<Play>,
    /// The last slide failed to render (the one before stays on screen).
    render_failed: bool,
}

impl Board {
    /// Whether the GPU can hold a `width` x `height` picture (a Pi 4 takes 4096 a side).
    pub fn check_size(gpu: &Gpu, (width, height): (u32, u32)) -> Result<(), String> {
        let max = gpu.device.limits().max_texture_dimension_2d;
        if width > max || height > max {
            return Err(format!(
                "this GPU ({}) draws pictures of at most {max}x{max} pixels; {width}x{height} is \
                 too large: make [display] width, height and region smaller",
                gpu.describe()
            ));
        }
        Ok(())
    }

    /// A board drawing to `output_format`, from the state the sync task shares.
    pub fn new(
        config: Config,
        state: Arc<Mutex<BoardState>>,
        gpu: &Gpu,
        output_format: wgpu::TextureFormat,
        options: Options,
    ) -> Board {
        let store = sync::lock(&state).store().clone();
        let started = Instant::now();
        let clock = Self::clock_at(&config, &options, Duration::ZERO, &state);
        let (alerts, rotation) = persist::load(&store, &clock);
        let applied = match store.state(APPLIED) {
            Ok(Some(bytes)) => serde_json::from_slice(&bytes).unwrap_or_default(),
            // A store from before this record: take the cached alerts as already applied.
            _ => sync::lock(&state)
                .content()
                .alerts
                .iter()
                .map(|(t, e)| (t.clone(), e.seq))
                .collect(),
        };
        if !alerts.is_empty() {
            log::info!("{} alert(s) restored from the store", alerts.len());
        }
        let compositor = Compositor::new(
            gpu,
            config.display.width,
            config.display.height,
            output_format,
        );
        let mut board = Board {
            config,
            state,
            store,
            scheduler: Scheduler::new(rotation),
            alerts,
            options,
            engine: TextEngine::new(),
            images: Images::default(),
            pages: HashMap::new(),
            alert_pages: HashMap::new(),
            compositor,
            started,
            program: None,
            canvas: None,
            footer: None,
            footer_since: started,
            fade_since: None,
            content_version: 0,
            brightness: 1.0,
            dirty: true,
            frames: 0,
            last_present: None,
            next_frame: started,
            last_error: None,
            observer: None,
            clock_source: None,
            alerts_changed: false,
            last_save: None,
            alert_seen: None,
            applied,
            full_due: true,
            last_placement: None,
            tick_due: true,
            last_tick: None,
            drawn_once: false,
            alert_change: None,
            trusted_once: std::cell::Cell::new(false),
            ticker_tiled: false,
            reporting: None,
            pending_shows: Vec::new(),
            on_screen: [None, None],
            alert_origin: HashMap::new(),
            identify_until: None,
            brightness_override: None,
            screenshots: Vec::new(),
            reloads: Vec::new(),
            unlogged: Vec::new(),
            render_failed: false,
        };
        board.refresh_images();
        // Alerts restored from the saved state came from the cached messages: their origin is
        // known for proof of play before any message arrives.
        for (topic, entry) in sync::lock(&board.state).content().alerts.iter() {
            board
                .alert_origin
                .insert(entry.alert.id.clone(), (topic.clone(), entry.seq));
        }
        board.catch_up_alerts();
        board
    }

    /// Calls `f` after every presented frame (tests and benchmarks watch the screen this way).
    pub fn observe(&mut self, f: impl FnMut(&Presented) + Send + 'static) {
        self.observer = Some(Box::new(f));
    }

    /// Reports status, acks, proof of play and command replies through `reporting`.
    pub fn set_reporting(&mut self, reporting: Reporting) {
        self.reporting = Some(reporting);
    }

    /// Where reports go, for threads finishing a command (a screenshot's encoding).
    pub fn reports(&self) -> Option<Reports> {
        self.reporting.as_ref().map(|r| r.reports.clone())
    }

    /// Frames presented since start (0 frames per second on a static slide).
    pub fn frames(&self) -> u64 {
        self.frames
    }

    fn clock_at(
        config: &Config,
        options: &Options,
        mono: Duration,
        state: &Mutex<BoardState>,
    ) -> Clock {
        let now = Utc::now().with_timezone(&config.board.timezone);
        let newest = sync::lock(state).newest_issued_at().copied();
        let trusted = options.clock_trust.is_trusted(
            &now,
            schedule::clock::system_clock_synchronized(),
            newest.as_ref(),
        );
        Clock { now, mono, trusted }
    }

    fn clock(&self) -> Clock {
        match &self.clock_source {
            Some(source) => {
                let (now, mono) = source();
                Clock {
                    now,
                    mono,
                    trusted: true,
                }
            }
            None => {
                let mut clock = Self::clock_at(
                    &self.config,
                    &self.options,
                    self.started.elapsed(),
                    &self.state,
                );
                // Once trusted, always: a message stamped a little ahead of a drifting clock
                // must not make the board forget the time and misjudge its alerts.
                clock.trusted |= self.trusted_once.get();
                self.trusted_once.set(clock.trusted);
                clock
            }
        }
    }

    /// Runs the board on another clock (the soak harness runs a day in minutes this way).
    pub fn set_clock(
        &mut self,
        source: impl Fn() -> (DateTime<FixedOffset>, Duration) + Send + 'static,
    ) {
        self.clock_source = Some(Box::new(source));
    }

    fn refresh_images(&mut self) {
        let state = sync::lock(&self.state);
        let refs = state.content().images();
        self.images.refresh(&refs);
    }

    /// Takes in one event. Returns false when the board should stop.
    pub fn handle(&mut self, event: BoardEvent) -> bool {
        self.tick_due = true;
        match event {
            BoardEvent::Sync(SyncEvent::Changed(change)) => {
                self.content_version += 1;
                match change {
                    Change::Alert { topic, seq, alert } => self.take_alert(&topic, seq, &alert),
                    Change::Channel { topic, seq } => {
                        self.refresh_images();
                        self.await_show(topic, seq, Awaited::Channel);
                    }
                    Change::Command { command, .. } => self.command(command),
                }
            }
            BoardEvent::Sync(SyncEvent::Connected) => {}
            BoardEvent::Sync(SyncEvent::Disconnected { .. }) => {}
            BoardEvent::Sync(SyncEvent::Rejected { .. }) => {}
            BoardEvent::Asset(AssetEvent::Ready { sha256 }) => {
                self.images.sizes.remove(&sha256);
                self.images.decoded.remove(&sha256);
                self.content_version += 1;
            }
            BoardEvent::Asset(AssetEvent::Failed { sha256, reason }) => {
                log::warn!("image {sha256} could not be fetched: {reason}");
            }
            BoardEvent::Reload => self.dirty = true,
            BoardEvent::Shutdown => {
                self.close_plays();
                self.save();
                return false;
            }
        }
        true
    }

    /// Replaces the config (SIGHUP, already validated); the display size is kept until restart.
    pub fn set_config(&mut self, mut config: Config) {
        config.display.width = self.config.display.width;
        config.display.height = self.config.display.height;
        sync::lock(&self.state).set_trust(crate::trust::TrustStore::new(
            config.trust.clone(),
            config.revoked.clone(),
        ));
        self.config = config;
        self.canvas = None;
        self.footer = None;
        // Page counts depend on the header and footer: lay everything out again.
        self.content_version += 1;
        self.tick_due = true;
        self.full_due = true;
        self.dirty = true;
    }

    /// Applies one alert message (in the order the board accepted them) and notes its seq, so
    /// that a restart can tell which cached alert messages the saved alerts already include.
    fn take_alert(&mut self, topic: &str, seq: u64, alert: &Alert) {
        if self.applied.get(topic) == Some(&seq) {
            // Already applied (caught up from the cache, then delivered again as an event).
            return;
        }
        let clock = self.clock();
        let change = self.alerts.apply(alert, &clock);
        log::info!("alert on {topic}: {change:?}");
        self.applied.insert(topic.to_owned(), seq);
        self.alert_origin
            .insert(alert.id.clone(), (topic.to_owned(), seq));
        // A test alert is never shown: its receipt is all the ack says.
        if alert.status != AlertStatus::Test {
            let what = match alert.msg_type {
                MsgType::Cancel => Awaited::Gone(alert.references.clone()),
                _ => Awaited::Alert(alert.id.clone()),
            };
            self.await_show(topic.to_owned(), seq, what);
        }
        if let AlertChange::Added(_) | AlertChange::Updated { .. } = change {
            self.refresh_images();
        }
        // Takeover comes first; saving follows the frame (see `presented`).
        self.alert_seen = Some(Instant::now());
        self.alerts_changed = true;
        self.dirty = true;
    }

    /// After a restart: applies, in seq order, the cached alert messages that the saved alerts
    /// do not include yet (the power went between accepting a message and saving the alerts).
    fn catch_up_alerts(&mut self) {
        let pending: Vec<(String, u64, Arc<Alert>)> = {
            let state = sync::lock(&self.state);
            let mut v: Vec<(String, u64, Arc<Alert>)> = state
                .content()
                .alerts
                .iter()
                .filter(|(topic, e)| self.applied.get(*topic).is_none_or(|s| e.seq > *s))
                .map(|(topic, e)| (topic.clone(), e.seq, e.alert.clone()))
                .collect();
            v.sort_by_key(|(_, seq, _)| *seq);
            v
        };
        for (topic, seq, alert) in pending {
            log::info!(
                "applying the cached alert message {seq} on {topic}, newer than the saved alerts"
            );
            self.take_alert(&topic, seq, &alert);
        }
    }

    /// Saves the alerts and the rotation position to the store.
    pub fn save(&mut self) {
        // The alerts first, then the seqs they include: a power cut between the two leaves
        // seqs that are too old, so the next start applies a message again (an alert without
        // an end then counts its 6 h from the restart), never one not at all.
        if let Err(e) = persist::save(&self.store, &self.alerts, &self.scheduler.rotation) {
            log::warn!("could not save the programme state: {e}");
            self.report_error(format!("saving the programme: {e}"));
            self.last_error = Some(e);
            return;
        }
        let applied = serde_json::to_vec(&self.applied).unwrap_or_default();
        if let Err(e) = self.store.put_state(APPLIED, &applied) {
            log::warn!("could not save the applied alert seqs: {e}");
        }
    }

    /// Ticks the programme and renders what changed. Returns whether a frame is due now.
    pub fn prepare(&mut self, gpu: &Gpu) -> bool {
        let clock = self.clock();
        for id in self.alerts.expire(&clock) {
            log::info!("alert {id} ended");
            self.alerts_changed = true;
            self.tick_due = true;
            self.dirty = true;
        }
        // The programme changes on events and at `until`; between them a scrolling footer's
        // frames reuse it (checked again every second, for validity windows and the clock).
        let tick = self.tick_due
            || self.program.as_ref().is_none_or(|p| clock.mono >= p.until)
            || self.alert_change.is_some_and(|t| clock.mono >= t)
            || self
                .last_tick
                .is_none_or(|t| t.elapsed() >= Duration::from_secs(1));
        let program = match (&self.program, tick) {
            (Some(p), false) => p.clone(),
            _ => {
                self.tick_due = false;
                self.last_tick = Some(Instant::now());
                let t0 = Instant::now();
                let program = self.tick(&clock);
                log::trace!("programme ticked in {:?}", t0.elapsed());
                program
            }
        };
        let (w, h) = (self.config.display.width, self.config.display.height);
        let full_screen = matches!(program.show, Show::Alert { .. });
        let footer_text = if full_screen {
            None
        } else {
            self.footer_text(&program)
        };
        let needs_minute =
            (self.config.display.header && !full_screen) || matches!(program.show, Show::Idle);
        let key = CanvasKey {
            show: program.show.clone(),
            banner: program.banner.clone(),
            footer: footer_text.clone(),
            minute: needs_minute.then(|| clock.now.timestamp() / 60),
            content: self.content_version,
            size: (w, h),
            identify: self.identify_until.is_some_and(|t| Instant::now() < t),
        };
        if let Some(r) = &self.reporting {
            r.live
                .clock_synced
                .store(clock.trusted, std::sync::atomic::Ordering::Relaxed);
        }
        if self
            .brightness_override
            .is_some_and(|(_, until)| until.is_some_and(|t| Instant::now() >= t))
        {
            self.brightness_override = None;
        }
        let percent = match self.brightness_override {
            Some((p, _)) => p,
            None => self
                .config
                .display
                .brightness_at(clock.now.hour() * 60 + clock.now.minute()),
        };
        let brightness = percent as f32 / 100.0;
        if brightness != self.brightness {
            self.brightness = brightness;
            self.full_due = true;
            self.dirty = true;
        }
        let changed = self.canvas.as_ref() != Some(&key);
        if changed {
            let previous = self.canvas.as_ref().map(|k| k.show.clone());
            let footer_changed = self.canvas.as_ref().map(|k| &k.footer) != Some(&key.footer);
            let t0 = Instant::now();
            let mut list =
                self.compose(gpu, &program, &clock, footer_text.as_ref(), footer_changed);
            if key.identify {
                let area = sync::lock(&self.state).identity().area.join("/");
                let id = self.config.board.id.clone();
                list.ops
                    .extend(chrome::identify(&mut self.engine, (w, h), &id, &area));
            }
            let laid_out = t0.elapsed();
            let images = &mut self.images;
            let store = &self.store;
            let cache = std::cell::RefCell::new(images);
            let result = self
                .compositor
                .draw_canvas(gpu, &list, &mut self.engine, &|sha| {
                    cache.borrow_mut().decode(store, sha)
                });
            log::debug!(
                "canvas for {:?}: laid out in {laid_out:?}, drawn in {:?}",
                key.show,
                t0.elapsed() - laid_out
            );
            match result {
                Ok(()) => {
                    self.render_failed = false;
                    // Items cross-fade; an alert, and the return from one, cut at once.
                    let fade = self.config.display.fade_ms > 0
                        && previous.as_ref().is_some_and(|p| {
                            p != &key.show
                                && !matches!(p, Show::Alert { .. })
                                && !matches!(key.show, Show::Alert { .. })
                        });
                    self.fade_since = fade.then(Instant::now);
                    self.drawn_once = true;
                }
                Err(e) => {
                    // The last good frame stays on screen; this slide is not tried again until
                    // something changes (no hot loop of failing renders).
                    log::error!("could not render the slide: {e}");
                    self.last_error = Some(format!("render: {e}"));
                    self.render_failed = true;
                    self.report_error(format!("render: {e}"));
                    // The footer laid out for the new slide does not belong over the old one.
                    self.footer = None;
                    self.ticker_tiled = false;
                    self.compositor.clear_ticker();
                    if !self.drawn_once {
                        self.draw_fallback(gpu, &clock);
                    }
                }
            }
            self.canvas = Some(key);
            self.full_due = true;
            self.dirty = true;
        }
        self.program = Some(program);
        // An alert that starts or ends later wakes the board then, not at the next check.
        self.alert_change = self.alerts.next_change(&clock);
        if self.footer.is_some() {
            // Frames on a steady beat (from when each was due, not when the last one ended).
            let now = Instant::now();
            let due = changed || now >= self.next_frame;
            if due {
                let period = self.frame_period();
                self.next_frame = if now > self.next_frame + period {
                    now + period
                } else {
                    self.next_frame + period
                };
                self.draw_footer(gpu);
                self.dirty = true;
            }
        }
        if self.fading() {
            self.dirty = true;
        } else if self.fade_since.take().is_some() {
            // The fade is over: one whole frame of the new slide alone.
            self.full_due = true;
            self.dirty = true;
        }
        self.dirty
    }

    /// The idle slide, when the very first slide could not be drawn: never a blank screen.
    fn draw_fallback(&mut self, gpu: &Gpu, clock: &Clock) {
        let name = self.config.board.name.clone();
        let now = clock.now.naive_local();
        let canvas = chrome::canvas(
            &mut self.engine,
            Slide::Idle {
                board_name: &name,
                now,
            },
            (self.config.display.width, self.config.display.height),
            false,
            &name,
            now,
            None,
            &|_| None,
        );
        self.footer = None;
        self.ticker_tiled = false;
        self.compositor.clear_ticker();
        match self
            .compositor
            .draw_canvas(gpu, &canvas.list, &mut self.engine, &|_| None)
        {
            Ok(()) => self.drawn_once = true,
            Err(e) => log::error!("could not render even the idle slide: {e}"),
        }
    }

    fn frame_period(&self) -> Duration {
        Duration::from_secs_f64(1.0 / f64::from(self.options.fps.max(1)))
    }

    fn fading(&self) -> bool {
        self.fade_since.is_some_and(|t| {
            t.elapsed() < Duration::from_millis(u64::from(self.config.display.fade_ms))
        })
    }

    /// Whether frames follow each other (a scrolling footer or a fade) rather than waiting
    /// for a change.
    pub fn animating(&self) -> bool {
        self.footer.is_some() || self.fading()
    }

    /// When the next frame is due if no event comes.
    pub fn next_wake(&self) -> Instant {
        let now = Instant::now();
        if self.footer.is_some() {
            return self.next_frame.max(now);
        }
        if self.fading() {
            let period = self.frame_period();
            return self.last_present.map_or(now, |t| (t + period).max(now));
        }
        // At least every 10 s, so the systemd watchdog (fed from the loop) sees a live board.
        let mut wake = now + Duration::from_secs(10);
        if let Some(t) = self.alert_change {
            wake = wake.min(self.started + t);
        }
        for t in [
            self.identify_until,
            self.brightness_override.and_then(|(_, t)| t),
        ]
        .into_iter()
        .flatten()
        {
            if t > now {
                wake = wake.min(t);
            }
        }
        if let Some(p) = &self.program {
            wake = wake.min(self.started + p.until);
        }
        // The next minute, for the clock.
        let secs = Utc::now().second() as u64;
        wake = wake.min(now + Duration::from_secs(60 - secs.min(59)));
        wake.max(now)
    }

    fn tick(&mut self, clock: &Clock) -> Program {
        let state = self.state.clone();
        let state = sync::lock(&state);
        let store = &self.store;
        let images = &mut self.images;
        let items = state.content().items_ready(|sha| store.has_asset(sha));
        let (w, h) = (self.config.display.width, self.config.display.height);
        let header = self.config.display.header;
        let body = |footer: bool| chrome::bands(w, h, Chrome { header, footer }).body;
        let engine = std::cell::RefCell::new(&mut self.engine);
        let images = std::cell::RefCell::new(images);
        let version = self.content_version;
        // Counts from older content are of no use again.
        self.pages.retain(|_, (v, _)| *v == version);
        self.alert_pages.retain(|_, (v, _)| *v == version);
        let pages_cache = std::cell::RefCell::new(&mut self.pages);
        let alert_cache = std::cell::RefCell::new(&mut self.alert_pages);
        let pages = |topic: &str, item: &Item| -> u32 {
            let key = ItemKey::new(topic, &item.id);
            if let Some((v, n)) = pages_cache.borrow().get(&key) {
                if *v == version {
                    return *n;
                }
            }
            let b = body(true);
            let list = layout::layout(
                &mut engine.borrow_mut(),
                Slide::Item { item, page: 0 },
                b.w as u32,
                b.h as u32,
                &|sha| images.borrow_mut().size(store, sha),
            );
            pages_cache.borrow_mut().insert(key, (version, list.pages));
            list.pages
        };
        let alert_pages = |held: &HeldAlert| -> u32 {
            let id = &held.alert.id;
            if let Some((v, n)) = alert_cache.borrow().get(id) {
                if *v == version {
                    return *n;
                }
            }
            let list = layout::layout(
                &mut engine.borrow_mut(),
                Slide::Alert {
                    alert: &held.alert,
                    page: 0,
                },
                w,
                h,
                &|sha| images.borrow_mut().size(store, sha),
            );
            alert_cache
                .borrow_mut()
                .insert(id.clone(), (version, list.pages));
            list.pages
        };
        let program = self
            .scheduler
            .tick(&items, &pages, &self.alerts, &alert_pages, clock);
        drop(state);
        program
    }

    fn footer_text(&self, program: &Program) -> Option<FooterText> {
        if let Some(id) = &program.banner {
            if let Some(held) = self.alerts.get(id) {
                return Some(FooterText::Banner {
                    text: held.alert.headline.clone(),
                    severity: held.alert.severity,
                    drill: held.alert.status == AlertStatus::Exercise,
                });
            }
        }
        if !self.config.display.ticker || program.tickers.is_empty() {
            return None;
        }
        let state = sync::lock(&self.state);
        let content = state.content();
        let items = content.items();
        let texts: Vec<String> = program
            .tickers
            .iter()
            .filter_map(|k| {
                items
                    .iter()
                    .find(|(t, i)| *t == k.topic && i.id == k.id)
                    .and_then(|(_, i)| match &i.kind {
                        ItemKind::Ticker { text } => Some(text.clone()),
                        _ => None,
                    })
            })
            .collect();
        (!texts.is_empty()).then_some(FooterText::Tickers(texts))
    }

    /// The whole canvas: header, the slide in the body, the footer's background. The footer
    /// keeps scrolling from where it was unless its text changed.
    fn compose(
        &mut self,
        gpu: &Gpu,
        program: &Program,
        clock: &Clock,
        footer: Option<&FooterText>,
        footer_changed: bool,
    ) -> DisplayList {
        let (w, h) = (self.config.display.width, self.config.display.height);
        let now = clock.now.naive_local();
        let state = self.state.clone();
        let state = sync::lock(&state);
        let content = state.content();
        let items = content.items();
        let held = match &program.show {
            Show::Alert { id, .. } => self.alerts.get(id).map(|h| h.alert.clone()),
            _ => None,
        };
        let item = match &program.show {
            Show::Item { key, .. } => items
                .iter()
                .find(|(t, i)| *t == key.topic && i.id == key.id)
                .map(|(_, i)| *i),
            _ => None,
        };
        let name = self.config.board.name.clone();
        let slide = match (&program.show, item, &held) {
            (Show::Item { page, .. }, Some(item), _) => Slide::Item { item, page: *page },
            (Show::Alert { page, .. }, _, Some(alert)) => Slide::Alert { alert, page: *page },
            _ => Slide::Idle {
                board_name: &name,
                now,
            },
        };
        let store = &self.store;
        let images = std::cell::RefCell::new(&mut self.images);
        let canvas = chrome::canvas(
            &mut self.engine,
            slide,
            (w, h),
            self.config.display.header,
            &name,
            now,
            footer,
            &|sha| images.borrow_mut().size(store, sha),
        );
        drop(state);
        match canvas.footer {
            Some(laid) => {
                if footer_changed || self.footer.is_none() {
                    self.footer_since = Instant::now();
                }
                if footer_changed || self.footer.as_ref() != Some(&laid) {
                    self.ticker_tiled = self
                        .compositor
                        .set_ticker(
                            gpu,
                            &laid.0.text,
                            laid.0.text_width,
                            laid.0.color,
                            &mut self.engine,
                        )
                        .unwrap_or_else(|e| {
                            log::error!("could not prepare the ticker: {e}");
                            false
                        });
                }
                self.footer = Some(laid);
            }
            None => {
                self.footer = None;
                self.ticker_tiled = false;
                self.compositor.clear_ticker();
            }
        }
        canvas.list
    }

    /// Where the footer's text starts now, from the band's left edge.
    fn footer_x(&self) -> Option<f32> {
        let (footer, band) = self.footer.as_ref()?;
        Some(chrome::scroll_x(
            band.w,
            footer.text_width,
            self.config.display.ticker_speed as f32,
            self.footer_since.elapsed().as_secs_f64(),
        ))
    }

    fn draw_footer(&mut self, gpu: &Gpu) {
        if self.ticker_tiled {
            // The tiles are ready; presenting moves them.
            return;
        }
        let Some((footer, band)) = &self.footer else {
            return;
        };
        let x = chrome::scroll_x(
            band.w,
            footer.text_width,
            self.config.display.ticker_speed as f32,
            self.footer_since.elapsed().as_secs_f64(),
        );
        let list = chrome::strip(footer, *band, x);
        if let Err(e) = self.compositor.draw_strip(gpu, &list, &mut self.engine) {
            log::error!("could not render the footer: {e}");
        }
    }

    /// Records the frame onto `target` (of the output's size). `kept`: the target still holds
    /// the last frame presented to it (a headless frame, a window's own copy); then a frame in
    /// which only the footer moved redraws only the footer's band.
    pub fn present(
        &mut self,
        gpu: &Gpu,
        encoder: &mut wgpu::CommandEncoder,
        target: &wgpu::Texture,
        placement: &Placement,
        kept: bool,
    ) {
        let fade = self.fade_since.and_then(|t| {
            let total = self.config.display.fade_ms as f32 / 1000.0;
            let a = t.elapsed().as_secs_f32() / total.max(0.001);
            (a < 1.0).then_some(a)
        });
        let tiled = self.ticker_tiled;
        let frame = Frame {
            fade,
            strip: self
                .footer
                .as_ref()
                .filter(|_| !tiled)
                .map(|(_, band)| *band),
            ticker: match (&self.footer, self.footer_x()) {
                (Some((f, band)), Some(x)) if tiled => Some((
                    Rect::new(band.x, band.y + f.text.rect.y, band.w, f.text.rect.h),
                    x,
                )),
                _ => None,
            },
            brightness: self.brightness,
        };
        // What moves: the ticker's line (tiles), or the whole band (a strip).
        let band = frame
            .ticker
            .map(|(line, _)| line)
            .or(self.footer.as_ref().map(|(_, band)| *band));
        let full = !kept
            || self.full_due
            || fade.is_some()
            || self.last_placement.as_ref() != Some(placement);
        let partial = match (full, band) {
            (false, Some(band)) => placement.output_rect(band),
            _ => None,
        };
        // A kept target with nothing new but the (absent) footer: draw it whole anyway.
        let partial = if full { None } else { partial };
        self.full_due = false;
        self.last_placement = Some(*placement);
        self.compositor
            .present(gpu, encoder, target, placement, &frame, partial);
    }

    /// Called by the output once the frame is submitted (and presented).
    pub fn presented(&mut self) {
        self.frames += 1;
        self.dirty = false;
        self.last_present = Some(Instant::now());
        if let Some(t) = self.alert_seen.take() {
            log::debug!(
                "an alert change reached the screen {:?} after it reached the board thread",
                t.elapsed()
            );
        }
        let Some(program) = &self.program else { return };
        let alert = match &program.show {
            Show::Alert { id, .. } => Some(id.clone()),
            _ => program.banner.clone(),
        };
        let event = Presented {
            number: self.frames,
            at: SystemTime::now(),
            show: program.show.clone(),
            alert,
        };
        if let Some(f) = &mut self.observer {
            f(&event);
        }
        if let Some(r) = &self.reporting {
            r.live
                .frames
                .store(self.frames, std::sync::atomic::Ordering::Relaxed);
            self.report_screen();
        }
        // The alerts are saved right after the frame that shows their change; the rotation's
        // place at most once a minute (an SD card lives longer without a write per slide).
        let rotation_due = self
            .last_save
            .is_none_or(|t| t.elapsed() >= Duration::from_secs(60));
        if self.alerts_changed || rotation_due {
            self.alerts_changed = false;
            self.last_save = Some(Instant::now());
            self.save();
        }
    }

    /// Proof of play, the ack's `shown_at` and status, from the frame just presented.
    fn report_screen(&mut self) {
        // The last good frame stays on screen while a slide fails to render: what the
        // programme says is not what people see, so nothing is reported as shown.
        if self.render_failed {
            return;
        }
        // Every frame of a scrolling ticker comes here: the usual answer, "nothing changed",
        // is found by reference, without copies.
        let Some(current) = &self.program else {
            return;
        };
        let origin = |id: &str| self.alert_origin.get(id).map_or("", |(t, _)| t.as_str());
        let main: Option<(&str, &str)> = match &current.show {
            Show::Item { key, .. } => Some((&key.id, &key.topic)),
            Show::Alert { id, .. } => Some((id, origin(id))),
            Show::Idle => None,
        };
        let banner = current.banner.as_deref().map(|id| (id, origin(id)));
        let same = |open: &Option<OpenPlay>, now: Option<(&str, &str)>| match (open, now) {
            (Some(o), Some((item, topic))) => o.item == item && o.topic == topic,
            (None, None) => true,
            _ => false,
        };
        let changed = !same(&self.on_screen[0], main) || !same(&self.on_screen[1], banner);
        if !changed && self.pending_shows.is_empty() && self.unlogged.is_empty() {
            return;
        }
        let owned = |slot: Option<(&str, &str)>| slot.map(|(i, t)| (i.to_owned(), t.to_owned()));
        let (main, banner) = (owned(main), owned(banner));
        let program = current.clone();
        let on_screen_alert = match &program.show {
            Show::Alert { id, .. } => Some(id.clone()),
            _ => program.banner.clone(),
        };
        let item = match &program.show {
            Show::Item { key, .. } => Some(key),
            _ => None,
        };
        let ticker_topics: Vec<&str> = if self.footer.is_some() && program.banner.is_none() {
            program.tickers.iter().map(|k| k.topic.as_str()).collect()
        } else {
            Vec::new()
        };
        let on = |id: &str| {
            matches!(&program.show, Show::Alert { id: a, .. } if a == id)
                || program.banner.as_deref() == Some(id)
        };
        let mut shown = Vec::new();
        self.pending_shows.retain(|p| {
            let now_on = match &p.what {
                Awaited::Channel => {
                    item.is_some_and(|k| k.topic == p.topic)
                        || ticker_topics.contains(&p.topic.as_str())
                }
                Awaited::Alert(id) => on(id),
                Awaited::Gone(ids) => !ids.iter().any(|id| on(id)),
            };
            if now_on {
                shown.push((p.topic.clone(), p.seq));
            }
            !now_on
        });
        let Some(reporting) = self.reporting.clone() else {
            return;
        };
        if shown.is_empty() && !changed {
            // Only records waiting for the log.
            self.log_plays(false);
            return;
        }
        let now = self.clock().now;
        for (topic, seq) in shown {
            reporting.reports.send(Report::Shown {
                topic,
                seq,
                at: now,
            });
        }
        if !changed {
            return;
        }
        let seq_of = |topic: &str, id: &str| -> u64 {
            if let Some((t, seq)) = self.alert_origin.get(id) {
                if t == topic {
                    return *seq;
                }
            }
            sync::lock(&self.state)
                .content()
                .seqs()
                .get(topic)
                .copied()
                .unwrap_or(0)
        };
        let next: [Option<OpenPlay>; 2] = [main, banner].map(|slot| {
            slot.map(|(item, topic)| OpenPlay {
                seq: seq_of(&topic, &item),
                item,
                topic,
                since: Instant::now(),
            })
        });
        for (i, open) in next.into_iter().enumerate() {
            let keep = match (&self.on_screen[i], &open) {
                (Some(a), Some(b)) => a.item == b.item && a.topic == b.topic,
                (None, None) => true,
                _ => false,
            };
            if !keep {
                self.close_play(i, now);
                self.on_screen[i] = open;
            }
        }
        self.log_plays(false);
        reporting.reports.send(Report::Showing {
            at: now,
            item: item.map(|k| k.id.clone()),
            alert: on_screen_alert,
        });
    }

    /// Tells the district (status `last_error`) what went wrong on the board.
    fn report_error(&self, e: String) {
        if let Some(r) = &self.reporting {
            r.reports.send(Report::Error(e));
        }
    }

    /// Ends what slot `i` showed; its record waits for the proof-of-play log.
    fn close_play(&mut self, i: usize, now: DateTime<FixedOffset>) {
        let Some(open) = self.on_screen[i].take() else {
            return;
        };
        if self.reporting.is_some() {
            let lasted = chrono::Duration::from_std(open.since.elapsed()).unwrap_or_default();
            self.unlogged.push(Play {
                item: open.item,
                topic: open.topic,
                seq: open.seq,
                from: now - lasted,
                to: now,
            });
        }
    }

    /// Hands finished plays to the log. The reporter holds the log while it syncs it to disk;
    /// the board thread never waits for that (`wait: false`), except at shutdown.
    fn log_plays(&mut self, wait: bool) {
        let Some(reporting) = &self.reporting else {
            return;
        };
        if self.unlogged.is_empty() {
            return;
        }
        let guard = if wait {
            Some(reporting.played.lock().unwrap_or_else(|p| p.into_inner()))
        } else {
            match reporting.played.try_lock() {
                Ok(g) => Some(g),
                Err(std::sync::TryLockError::Poisoned(p)) => Some(p.into_inner()),
                Err(std::sync::TryLockError::WouldBlock) => None,
            }
        };
        if let Some(mut log) = guard {
            for play in self.unlogged.drain(..) {
                log.append(play);
            }
        }
    }

    /// At shutdown: the plays on screen end now, and the log is synced.
    fn close_plays(&mut self) {
        let now = self.clock().now;
        self.close_play(0, now);
        self.close_play(1, now);
        self.log_plays(true);
        if let Some(reporting) = &self.reporting {
            let mut log = reporting.played.lock().unwrap_or_else(|p| p.into_inner());
            if let Err(e) = log.flush() {
                log::warn!("could not write the proof-of-play log: {e}");
            }
        }
    }

    /// Waits to see a message's content on screen (its ack then gets `shown_at`).
    fn await_show(&mut self, topic: String, seq: u64, what: Awaited) {
        if self.reporting.is_none() {
            return;
        }
        // A newer message on a topic replaces the older one's wait.
        self.pending_shows.retain(|p| p.topic != topic);
        if self.pending_shows.len() >= PENDING_SHOWS {
            self.pending_shows.remove(0);
        }
        self.pending_shows.push(PendingShow { topic, seq, what });
        self.dirty = true;
    }

    /// Carries out a signed command (the ones the output must do are queued for it).
    fn command(&mut self, command: Command) {
        log::info!("command {} ({:?})", command.id, command.action);
        match command.action {
            Action::Identify => {
                let secs = match command.args.get("seconds") {
                    None => Ok(IDENTIFY_FOR.as_secs()),
                    Some(v) => v
                        .as_u64()
                        .filter(|s| (1..=600).contains(s))
                        .ok_or_else(|| format!("seconds must be 1..=600, got {v}")),
                };
                match secs {
                    Ok(secs) => {
                        self.identify_until = Some(Instant::now() + Duration::from_secs(secs));
                        self.dirty = true;
                        self.reply(&command.id, Ok(serde_json::json!({"seconds": secs})));
                    }
                    Err(e) => self.reply(&command.id, Err(e)),
                }
            }
            Action::SetBrightness => match crate::content::parse::brightness_args(&command.args) {
                Ok((level, minutes)) => {
                    // Never black: a board at 0% looks broken (and is, to a citizen).
                    let percent = level.map(|l| l.max(MIN_BRIGHTNESS));
                    self.brightness_override = percent.map(|p| {
                        (
                            p,
                            minutes.map(|m| Instant::now() + Duration::from_secs(m * 60)),
                        )
                    });
                    self.dirty = true;
                    let extra = serde_json::json!({"level": percent, "minutes": minutes});
                    self.reply(&command.id, Ok(extra));
                }
                Err(e) => self.reply(&command.id, Err(e)),
            },
            Action::Screenshot => {
                // The next frame is presented whole, then read back by the output.
                self.screenshots.push(command.id);
                self.full_due = true;
                self.dirty = true;
            }
            Action::Reload => self.reloads.push(command.id),
        }
    }

    /// Publishes a command's reply: `Ok(fields)` adds the fields, `Err(why)` says why not.
    pub fn reply(&self, id: &str, result: Result<serde_json::Value, String>) {
        let Some(reporting) = &self.reporting else {
            return;
        };
        reporting
            .reports
            .send(Report::Reply(reply_json(&self.config.board.id, id, result)));
    }

    /// A screenshot command waits for the frame being presented.
    pub fn screenshot_due(&self) -> bool {
        !self.screenshots.is_empty()
    }

    /// Screenshot commands to answer with the frame just presented.
    pub fn take_screenshots(&mut self) -> Vec<String> {
        std::mem::take(&mut self.screenshots)
    }

    /// Reload commands for the output to carry out (it owns the config file's path).
    pub fn take_reloads(&mut self) -> Vec<String> {
        std::mem::take(&mut self.reloads)
    }

    /// The board's id, as its topics carry it.
    pub fn id(&self) -> &str {
        &self.config.board.id
    }

    /// The placement of the canvas on an output of `size`.
    pub fn placement(&self, output: (u32, u32)) -> Placement {
        let d = &self.config.display;
        Placement::new((d.width, d.height), d.rotation, output, d.region, d.scaling)
    }

    /// The placement in a window of `size`. A window opened at the region itself (X11 without a
    /// window manager) is filled whole; a window the compositor made full screen (cage) gets
    /// the region at its place on the monitor.
    pub fn placement_in_window(&self, size: (u32, u32)) -> Placement {
        let d = &self.config.display;
        let region = d.region.map(|r| {
            if (r.width, r.height) == size {
                crate::config::Region { x: 0, y: 0, ..r }
            } else {
                r
            }
        });
        Placement::new((d.width, d.height), d.rotation, size, region, d.scaling)
    }

    /// The output size a headless board renders: the canvas, turned, or the region's extent.
    pub fn headless_size(&self) -> (u32, u32) {
        let d = &self.config.display;
        match d.region {
            Some(r) => (
                (r.x.max(0) as u32 + r.width).max(1),
                (r.y.max(0) as u32 + r.height).max(1),
            ),
            None if d.rotation % 180 == 90 => (d.height, d.width),
            None => (d.width, d.height),
        }
    }
}

/// A command reply: `{"id", "ok", "error", "board", "at", ...fields}`.
pub fn reply_json(
    board: &str,
    id: &str,
    result: Result<serde_json::Value, String>,
) -> serde_json::Value {
    let mut reply = serde_json::json!({
        "id": id,
        "board": board,
        "at": Utc::now().with_timezone(&crate::calendar::VIETNAM).fixed_offset(),
    });
    match result {
        Ok(extra) => {
            reply["ok"] = true.into();
            reply["error"] = serde_json::Value::Null;
            if let (Some(r), serde_json::Value::Object(fields)) = (reply.as_object_mut(), extra) {
                for (k, v) in fields {
                    r.entry(k).or_insert(v);
                }
            }
        }
        Err(e) => {
            reply["ok"] = false.into();
            reply["error"] = e.into();
        }
    }
    reply
}
