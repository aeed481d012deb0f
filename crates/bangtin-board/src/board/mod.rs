//! The board's thread: content snapshots and commands in, frames out.
//!
//! [`Board`] is a thin façade over parts that need no GPU and are unit-tested alone: the
//! programme ([`programme`]: rotation, alerts, their catch-up after a restart), the clock and
//! its trust ([`clock`]), proof of play and acks ([`proof`]), commands ([`commands`]), frame
//! pacing ([`pacing`]) and the CPU side of the picture ([`canvas`], [`images`]). The GPU is the
//! compositor's alone. The words are glyphon's: the output calls
//!
//! - [`Board::update`] (CPU: tick the programme, lay out, decide whether a frame is due),
//! - [`Board::prepare`] (GPU uploads: draw a new canvas or footer strip into its texture),
//! - [`Board::render`] (record the frame onto the output's texture), submits, presents, and
//! - [`Board::presented`] (what reached the screen: acks, proof of play, saving).
//!
//! The board never takes a lock and never waits for the disk or the network: content arrives
//! as immutable snapshots ([`BoardEvent::Content`]); what it has to say goes to the reporter and
//! the storage thread through bounded queues, kept for the next frame when they are full.

pub mod canvas;
pub mod clock;
pub mod commands;
mod draw;
pub mod images;
pub mod pacing;
pub mod programme;
pub mod proof;
pub mod video;

use crate::schedule::{AlertChange, AlertState, Clock, ClockTrust, Program, Show};
use crate::storage::{self, Storage};
use crate::sync::report::{Identity, Live, Report, Reports};
use crate::sync::{AssetEvent, Change, ContentSet, Control};
use bangtin_config::Config;
use bangtin_protocol::content::{AlertStatus, ImageRef, ItemKind, MsgType};
use bangtin_protocol::trust::{parse_topic, TrustStore};
use bangtin_render::compositor::Compositor;
use bangtin_render::{Gpu, Placement};
use bangtin_store::Store;
use canvas::{CanvasKey, Frame, View};
use chrono::{Timelike, Utc};
use clock::BoardClock;
use commands::{Commands, Outcome};
use pacing::Pacing;
use programme::{Programme, Saved};
use proof::{Awaited, Proof, Screen};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// What reaches the board's thread from the others.
#[derive(Debug)]
pub enum BoardEvent {
    /// An accepted message changed the content (or is a command): what changed, and the whole
    /// content after it.
    Content {
        change: Change,
        content: Arc<ContentSet>,
    },
    Asset(AssetEvent),
    /// Read the config file again (SIGHUP); a bad file keeps the running config.
    Reload,
    /// Stop (SIGTERM, SIGINT, window closed).
    Shutdown,
}

/// A presented frame, for whoever watches (tests, harnesses).
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

/// The board's lines to the rest of the process.
#[derive(Clone)]
pub struct Links {
    pub reports: Reports,
    pub storage: Storage,
    pub control: tokio::sync::mpsc::Sender<Control>,
    pub live: Arc<Live>,
}

/// Watches presented frames.
type Observer = Box<dyn FnMut(&Presented) + Send>;

/// How often the rotation's place is saved at most (an SD card lives longer without a write
/// per slide).
const ROTATION_SAVED_EVERY: Duration = Duration::from_secs(60);

pub struct Board {
    config: Config,
    content: Arc<ContentSet>,
    clock: BoardClock,
    programme: Programme,
    program: Option<Program>,
    /// The footer's line for the programme, computed at each tick.
    footer_text: Option<bangtin_layout::chrome::FooterText>,
    /// The programme was ticked since the canvas was last checked.
    ticked: bool,
    view: View,
    pacing: Pacing,
    proof: Proof,
    commands: Commands,
    links: Option<Links>,
    compositor: Compositor,
    brightness: f32,
    frames: u64,
    last_placement: Option<Placement>,
    /// The show of the canvas before the one waiting to be drawn (for the fade).
    previous_show: Option<Show>,
    /// A frame of the footer strip is due.
    strip_due: bool,
    observer: Option<Observer>,
    /// When the last alert message reached the board's thread (for the log).
    alert_seen: Option<Instant>,
    /// When a held alert next starts or ends.
    alert_change: Option<Instant>,
    /// Where each active alert stands (on screen, banner, waiting), as last computed.
    alert_states: Vec<(String, AlertState)>,
    /// `alert_states` changed since the reporter was last told.
    alert_states_changed: bool,
    /// The clips: playing, prerolled, benched.
    videos: video::Videos,
    /// The clip of the slide on screen and of the slide after it, as of the last tick.
    video_show: Option<video::Wanted>,
    video_next: Option<video::Wanted>,
    last_save: Option<Instant>,
    /// Writes the storage thread had no room for yet.
    unsaved: Vec<storage::Command>,
}

fn frame_of(config: &Config) -> Frame<'_> {
    Frame {
        size: (config.display.width, config.display.height),
        header: config.display.header,
        ticker: config.display.ticker,
        name: &config.board.name,
    }
}

/// What status says of who the board is, from its config.
pub fn identity(config: &Config) -> Identity {
    let d = &config.display;
    Identity {
        board: config.identity(),
        name: config.board.name.clone(),
        timezone: config.board.timezone,
        display: (d.width, d.height, d.rotation),
    }
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

    /// A board drawing to `output_format`, showing `content` from the start, its programme as
    /// `saved`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        config: Config,
        content: Arc<ContentSet>,
        saved: &Saved,
        store: Arc<Store>,
        links: Option<Links>,
        gpu: &Gpu,
        output_format: wgpu::TextureFormat,
        options: &Options,
    ) -> Board {
        let mut clock = BoardClock::new(options.clock_trust, config.board.timezone);
        clock.saw_issued_at(content.newest_issued_at);
        let now = clock.now();
        // The trust store of the day decides which saved alerts still stand.
        let trust = TrustStore::new(config.trust.clone(), config.revoked.clone());
        let board = config.identity();
        let trusted = |o: &programme::Origin| {
            parse_topic(&board.prefix, &o.topic).is_some_and(|(kind, target)| {
                trust.still_allows(&board, &o.key, &o.public, kind, &target)
            })
        };
        let programme = Programme::restore(saved, &content, &now, &trusted);
        let compositor = Compositor::new(
            gpu,
            config.display.width,
            config.display.height,
            output_format,
        );
        let started = clock.started();
        match bangtin_video::choose_decoders(video::decoders(config.video.decoder)) {
            Ok(hardware) if hardware.is_empty() => log::info!("video: software decoders"),
            Ok(hardware) => log::info!("video: hardware decoders first: {}", hardware.join(", ")),
            Err(e) => log::warn!("video: {e}; video items will be left out"),
        }
        let videos = video::Videos::new(store.clone());
        let mut view = View::new(store, started);
        view.images.refresh(content.images());
        Board {
            pacing: Pacing::new(options.fps, config.display.fade_ms, started),
            config,
            content,
            clock,
            programme,
            program: None,
            footer_text: None,
            ticked: false,
            view,
            proof: Proof::default(),
            commands: Commands::default(),
            links,
            compositor,
            brightness: 1.0,
            frames: 0,
            last_placement: None,
            previous_show: None,
            strip_due: false,
            observer: None,
            alert_seen: None,
            alert_change: None,
            alert_states: Vec::new(),
            alert_states_changed: false,
            videos,
            video_show: None,
            video_next: None,
            last_save: None,
            unsaved: Vec::new(),
        }
    }

    /// Calls `f` after every presented frame (tests and harnesses watch the screen this way).
    pub fn observe(&mut self, f: impl FnMut(&Presented) + Send + 'static) {
        self.observer = Some(Box::new(f));
    }

    /// Runs the board on another clock (the soak harness lives a day in minutes).
    pub fn set_clock(&mut self, source: clock::ClockSource) {
        self.clock.set_source(source);
    }

    /// Frames presented since start (0 frames per second on a static slide).
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// The board's id, as its topics carry it.
    pub fn id(&self) -> &str {
        &self.config.board.id
    }

    /// Takes in one event. Returns false when the board should stop.
    pub fn handle(&mut self, event: BoardEvent) -> bool {
        match event {
            BoardEvent::Content { change, content } => {
                self.clock.saw_issued_at(content.newest_issued_at);
                self.content = content;
                self.view.images.refresh(self.content.images());
                self.view.changed();
                self.pacing.tick_due = true;
                self.pacing.dirty = true;
                match change {
                    Change::Channel { topic, seq } => {
                        self.proof.await_show(topic, seq, Awaited::Channel)
                    }
                    Change::Alert {
                        topic,
                        seq,
                        signer,
                        issued_at,
                        alert,
                    } => {
                        let clock = self.clock.now();
                        let applied = self
                            .programme
                            .take_alert(&topic, seq, &signer, issued_at, &alert, &clock);
                        // A test alert is never shown: its receipt is all the ack says.
                        if applied.is_some() && alert.status != AlertStatus::Test {
                            let what = match alert.msg_type {
                                MsgType::Cancel => Awaited::Gone(alert.references.clone()),
                                _ => Awaited::Alert(alert.id.clone()),
                            };
                            self.proof.await_show(topic, seq, what);
                        }
                        if let Some(AlertChange::Added(_) | AlertChange::Updated { .. }) = applied {
                            self.alert_seen = Some(Instant::now());
                        }
                    }
                    Change::Command { command, .. } => {
                        let now = Instant::now();
                        for (id, outcome) in self.commands.take(command, now) {
                            self.reply(&id, outcome);
                        }
                        if self.commands.screenshot_due() {
                            self.pacing.full_due = true;
                        }
                    }
                    Change::Revoked { removed } => {
                        self.programme.revoke(&removed);
                    }
                }
            }
            BoardEvent::Asset(AssetEvent::Ready { sha256 }) => {
                self.view.images.arrived(&sha256);
                self.view.changed();
                self.pacing.tick_due = true;
            }
            BoardEvent::Asset(AssetEvent::Clip { sha256, clip }) => {
                log::info!(
                    "video {sha256}: {} {} {}x{}, {:.1} s",
                    clip.container,
                    clip.codec,
                    clip.width,
                    clip.height,
                    clip.length.as_secs_f32()
                );
                self.videos.ready(&sha256, clip);
                self.view.changed();
                self.pacing.tick_due = true;
            }
            BoardEvent::Asset(AssetEvent::Failed { sha256, reason }) => {
                match video::item_of(&self.content.items(), &sha256) {
                    Some(id) => {
                        let why = format!("video item {id:?} cannot play: {reason}");
                        log::warn!("{why}");
                        self.report(Report::Error(why));
                    }
                    None => log::warn!("image {sha256} could not be fetched: {reason}"),
                }
            }
            BoardEvent::Reload => self.pacing.dirty = true,
            BoardEvent::Shutdown => {
                self.shutdown();
                return false;
            }
        }
        true
    }

    /// Replaces the config (a reload, already validated); the display size is kept until
    /// restart. The network side gets the new trust (content it no longer allows leaves the
    /// screen at once) and status the new name.
    pub fn set_config(&mut self, mut config: Config) {
        config.display.width = self.config.display.width;
        config.display.height = self.config.display.height;
        self.clock.set_timezone(config.board.timezone);
        self.pacing.set_fade(config.display.fade_ms);
        if let Some(links) = &self.links {
            let control = Control::Trust {
                identity: config.identity(),
                trust: TrustStore::new(config.trust.clone(), config.revoked.clone()),
                timezone: config.board.timezone,
            };
            if links.control.try_send(control).is_err() {
                log::error!("the network task is busy with reloads; this one is not applied");
            }
            links.reports.post(Report::Identity(identity(&config)));
        }
        self.config = config;
        self.view.key = None;
        self.view.changed();
        self.pacing.tick_due = true;
        self.pacing.full_due = true;
        self.pacing.dirty = true;
    }

    /// CPU work for the moment: alerts that ended, the programme, the canvas laid out when it
    /// changed. Returns whether a frame is due now.
    pub fn update(&mut self) -> bool {
        let now = Instant::now();
        let clock = self.clock.now();
        if let Some(l) = &self.links {
            l.live.clock_trusted.store(clock.trusted, Ordering::Relaxed);
        }
        for id in self.programme.expire(&clock) {
            log::info!("alert {id} ended");
            self.pacing.tick_due = true;
            self.pacing.dirty = true;
        }
        let started = self.clock.started();
        let until = self.program.as_ref().map(|p| started + p.until);
        let alert_change = self.programme.next_change(&clock).map(|t| started + t);
        self.alert_change = alert_change;
        if self.pacing.tick(now, until, alert_change) {
            let t0 = Instant::now();
            self.tick(&clock);
            log::trace!("programme ticked in {:?}", t0.elapsed());
        }
        self.brightness_now(&clock, now);
        let changed = self.canvas(&clock, now);
        let played = self
            .videos
            .update(self.video_show.as_ref(), self.video_next.as_ref(), now);
        if played.frame {
            self.pacing.dirty = true;
            self.pacing.full_due = true;
        }
        if let Some((sha256, why)) = played.failed {
            self.report(Report::Error(format!("video {sha256}: {why}")));
            self.pacing.tick_due = true;
            self.pacing.dirty = true;
        }
        if self.view.footer.is_some() && self.pacing.footer_frame(now, changed) {
            self.strip_due = true;
        }
        self.pacing.follow_fade(now);
        self.pacing.dirty
    }

    fn tick(&mut self, clock: &Clock) {
        let frame = frame_of(&self.config);
        let store = self.view.store.clone();
        let content = &*self.content;
        let now = Instant::now();
        // A video item is in the rotation once its clip is stored and probed (and not benched
        // after a failure); without a duration it lasts as long as its clip.
        let videos = &self.videos;
        let lasting = videos.lasting(content.items());
        let view = std::cell::RefCell::new(&mut self.view);
        let items: Vec<_> = content
            .items()
            .into_iter()
            .filter(|(_, item)| match &item.kind {
                ItemKind::Video { video, .. } => videos.playable(&video.sha256, now),
                _ => true,
            })
            .map(|(topic, item)| {
                let own = lasting.iter().find(|(t, i)| *t == topic && i.id == item.id);
                own.map_or((topic, item), |(t, i)| (*t, i))
            })
            .filter(|(_, item)| match item.kind.image() {
                Some(ImageRef::Url { sha256, .. }) => view.borrow_mut().images.has(&store, sha256),
                _ => true,
            })
            .collect();
        let program = self.programme.tick(
            &items,
            &|topic, item| view.borrow_mut().item_pages(frame, topic, item),
            &|held| view.borrow_mut().alert_pages(frame, held),
            clock,
        );
        self.video_show = video::wanted(Some(&program.show), &items);
        self.video_next = video::wanted(program.next.as_ref(), &items);
        let banner = program
            .banner
            .as_ref()
            .and_then(|id| self.programme.alerts().get(id));
        self.footer_text = View::footer_text(&program, content, banner, frame);
        self.program = Some(program);
        self.ticked = true;
        // Where each alert stands, for status and for the acks of those that wait.
        if !self.programme.alerts().is_empty() || !self.alert_states.is_empty() {
            let states = self.programme.alert_states(clock);
            if states != self.alert_states {
                self.alert_states = states;
                self.alert_states_changed = true;
            }
        }
    }

    fn brightness_now(&mut self, clock: &Clock, now: Instant) {
        let scheduled = self
            .config
            .display
            .brightness_at(clock.now.hour() * 60 + clock.now.minute());
        let brightness = self.commands.brightness(now, scheduled) as f32 / 100.0;
        if brightness != self.brightness {
            self.brightness = brightness;
            self.pacing.full_due = true;
            self.pacing.dirty = true;
        }
    }

    /// Lays out a new canvas when what it shows changed; returns whether it did.
    fn canvas(&mut self, clock: &Clock, now: Instant) -> bool {
        let Some(program) = &self.program else {
            return false;
        };
        let d = &self.config.display;
        let full_screen = matches!(program.show, Show::Alert { .. });
        let needs_minute = (d.header && !full_screen) || matches!(program.show, Show::Idle);
        let minute = needs_minute.then(|| clock.now.timestamp() / 60);
        let identify = self.commands.identifying(now);
        let same_inputs = self.view.key.as_ref().is_some_and(|k| {
            k.minute == minute && k.identify == identify && k.version == self.view.version
        });
        if !self.ticked && same_inputs {
            return false;
        }
        self.ticked = false;
        let key = CanvasKey {
            show: program.show.clone(),
            banner: program.banner.clone(),
            footer: self.footer_text.clone(),
            minute,
            version: self.view.version,
            identify,
        };
        if self.view.key.as_ref() == Some(&key) {
            return false;
        }
        let t0 = Instant::now();
        let alert = match &key.show {
            Show::Alert { id, .. } => self.programme.alerts().get(id),
            _ => None,
        };
        let frame = frame_of(&self.config);
        let mut list = self.view.compose(
            frame,
            &key,
            &self.content,
            alert,
            clock.now.naive_local(),
            now,
        );
        if identify {
            let area = self.config.board.area.join("/");
            list.ops.extend(bangtin_layout::chrome::identify(
                &mut self.view.engine,
                frame.size,
                &self.config.board.id,
                &area,
            ));
        }
        log::debug!("canvas for {:?} laid out in {:?}", key.show, t0.elapsed());
        self.previous_show = self.view.key.as_ref().map(|k| k.show.clone());
        self.view.pending = Some(list);
        self.view.key = Some(key);
        self.pacing.full_due = true;
        self.pacing.dirty = true;
        true
    }

    /// Called by the output once the frame is submitted and presented: acks and proof of play
    /// for what reached the screen, the programme's state saved.
    pub fn presented(&mut self) {
        let now = Instant::now();
        self.frames += 1;
        self.pacing.presented(now);
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
        if let Some(f) = &mut self.observer {
            f(&Presented {
                number: self.frames,
                at: SystemTime::now(),
                show: program.show.clone(),
                alert,
            });
        }
        let Some(links) = self.links.clone() else {
            return;
        };
        links.live.frames.store(self.frames, Ordering::Relaxed);
        if std::mem::take(&mut self.alert_states_changed) {
            links
                .reports
                .post(Report::Alerts(self.alert_states.clone()));
        }
        // While a slide fails to render the last good frame stays on screen: what the
        // programme says is not what people see, so nothing is reported as shown.
        if !self.view.render_failed {
            let clock = self.clock.now();
            for report in self.screen_reports(&clock, now) {
                links.reports.post(report);
            }
        }
        let plays = self.proof.take_finished();
        if !plays.is_empty() {
            self.unsaved.push(storage::Command::Plays(plays));
        }
        // The alerts are saved right after the frame that shows their change; the rotation's
        // place at most once a minute.
        if self.programme.alerts_changed()
            || self
                .last_save
                .is_none_or(|t| now.saturating_duration_since(t) >= ROTATION_SAVED_EVERY)
        {
            self.last_save = Some(now);
            for (name, bytes) in self.programme.saved() {
                self.unsaved.push(storage::Command::State { name, bytes });
            }
        }
        self.hand_over(&links.storage);
    }

    /// What the presented frame says to the reporter.
    fn screen_reports(&mut self, clock: &Clock, now: Instant) -> Vec<Report> {
        let Some(program) = &self.program else {
            return Vec::new();
        };
        let origin = |id: &str| {
            self.programme
                .origin(id)
                .map_or(("", 0), |o| (o.topic.as_str(), o.seq))
        };
        let main = match &program.show {
            Show::Item { key, .. } => {
                let seq = self.content.channels.get(&key.topic).map_or(0, |e| e.seq);
                Some((key.id.as_str(), key.topic.as_str(), seq))
            }
            Show::Alert { id, .. } => {
                let (topic, seq) = origin(id);
                Some((id.as_str(), topic, seq))
            }
            Show::Idle => None,
        };
        let banner = program.banner.as_deref().map(|id| {
            let (topic, seq) = origin(id);
            (id, topic, seq)
        });
        let tickers: Vec<&str> = match (&self.footer_text, &self.view.footer) {
            (Some(bangtin_layout::chrome::FooterText::Tickers(_)), Some(_)) => {
                program.tickers.iter().map(|k| k.topic.as_str()).collect()
            }
            _ => Vec::new(),
        };
        let screen = Screen {
            main,
            banner,
            main_is_alert: matches!(program.show, Show::Alert { .. }),
            tickers: &tickers,
        };
        self.proof.presented(&screen, clock, now)
    }

    /// Gives the storage thread what it has room for; the rest waits for the next frame.
    fn hand_over(&mut self, storage: &Storage) {
        let mut waiting = std::mem::take(&mut self.unsaved).into_iter();
        for command in waiting.by_ref() {
            if let Err(back) = storage.try_send(command) {
                self.keep_unsaved(back);
                break;
            }
        }
        for command in waiting {
            self.keep_unsaved(command);
        }
    }

    /// What the storage thread has no room for waits, bounded however long it is behind:
    /// plays go back to the proof of play (which keeps at most a day of them), and of each
    /// state blob only the newest waits, in the order they were made.
    fn keep_unsaved(&mut self, command: storage::Command) {
        match command {
            storage::Command::Plays(plays) => self.proof.give_back(plays),
            storage::Command::State { name, bytes } => {
                self.unsaved.retain(
                    |c| !matches!(c, storage::Command::State { name: n, .. } if *n == name),
                );
                self.unsaved.push(storage::Command::State { name, bytes });
            }
            other => self.unsaved.push(other),
        }
    }

    /// At shutdown: what is on screen ends now, and everything reaches the disk.
    fn shutdown(&mut self) {
        let Some(links) = self.links.clone() else {
            return;
        };
        let clock = self.clock.now();
        let plays = self.proof.close(&clock, Instant::now());
        if !plays.is_empty() {
            self.unsaved.push(storage::Command::Plays(plays));
        }
        for (name, bytes) in self.programme.saved() {
            self.unsaved.push(storage::Command::State { name, bytes });
        }
        for command in std::mem::take(&mut self.unsaved) {
            links.storage.send_blocking(command);
        }
        links.storage.stop();
    }

    fn report(&self, report: Report) {
        if let Some(l) = &self.links {
            l.reports.post(report);
        }
    }

    /// Publishes a command's reply.
    pub fn reply(&self, id: &str, outcome: Outcome) {
        self.report(Report::Reply(commands::reply_json(
            &self.config.board.id,
            id,
            outcome,
            self.config.board.timezone,
        )));
    }

    /// Where reports go, for threads finishing a command (a screenshot's encoding).
    pub fn reports(&self) -> Option<Reports> {
        self.links.as_ref().map(|l| l.reports.clone())
    }

    /// The time zone the board stamps its times in.
    pub fn timezone(&self) -> chrono::FixedOffset {
        self.config.board.timezone
    }

    /// A screenshot command waits for the frame being presented.
    pub fn screenshot_due(&self) -> bool {
        self.commands.screenshot_due()
    }

    /// Screenshot commands to answer with the frame just presented.
    pub fn take_screenshots(&mut self) -> Vec<String> {
        self.commands.take_screenshots()
    }

    /// Another frame is wanted (a screenshot that could not be taken with this one).
    pub fn want_frame(&mut self) {
        self.pacing.full_due = true;
        self.pacing.dirty = true;
    }

    /// Reload commands for the output to carry out (it owns the config file's path).
    pub fn take_reloads(&mut self) -> Vec<String> {
        self.commands.take_reloads()
    }

    /// Whether frames follow each other (a scrolling footer or a fade) rather than waiting
    /// for a change.
    pub fn animating(&self) -> bool {
        self.view.footer.is_some() || self.pacing.fading(Instant::now()) || self.videos.playing()
    }

    /// Frames of video taken from players since start.
    pub fn video_frames(&self) -> u64 {
        self.videos.frames
    }

    /// When the next frame is due if no event comes.
    pub fn next_wake(&self) -> Instant {
        let now = Instant::now();
        let started = self.clock.started();
        let clock_next = self.program.as_ref().map(|p| started + p.until);
        self.pacing.next_wake(
            now,
            self.view.footer.is_some(),
            &[
                clock_next,
                self.alert_change,
                self.commands.next_change(now),
                // A clip's next frame: the players are polled at the frame rate.
                (self.videos.playing() || self.video_show.is_some())
                    .then(|| now + self.pacing.period()),
            ],
            Utc::now().second(),
        )
    }
}
