//! Running a board: the network side on tokio worker threads, the disk on the storage thread,
//! the board on the main thread, drawing to a window ([`window`]) or to PNG files
//! ([`headless`]).
//!
//! Events reach the board's thread through one [`Sink`]: a channel for the headless loop,
//! winit's event-loop proxy for the window. SIGHUP reloads the config (a bad file keeps the
//! running one); SIGTERM and SIGINT stop the board after saving its programme state.

pub mod headless;
pub mod screenshot;
pub mod window;

use crate::board::programme::{Saved, ALERTS, APPLIED, ORIGINS, ROTATION};
use crate::board::{identity, Board, BoardEvent, Links};
use crate::storage::{Storage, MARKS};
use crate::sync::report::{self, Live, Reporter};
use crate::sync::{
    self, AssetFetcher, Backoff, ContentSet, Delivery, Events, Ingest, Network, Sink,
};
use anyhow::Context as _;
use bangtin_config::{self as config, Config};
use bangtin_protocol::trust::TrustStore;
use bangtin_render::Gpu;
use bangtin_store::{PlayedLog, Store};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The board's side of the running process: what it starts with, and its lines to the rest.
pub struct Services {
    pub runtime: tokio::runtime::Runtime,
    pub config: Config,
    pub config_path: Option<PathBuf>,
    /// The content from the store, before the network is up.
    pub content: Arc<ContentSet>,
    /// The programme's state as saved.
    pub saved: Saved,
    pub store: Arc<Store>,
    pub links: Links,
}

impl Services {
    /// A board for these services, drawing to `format` on `gpu`.
    pub fn board(&self, gpu: &Gpu, format: wgpu::TextureFormat, options: &crate::Options) -> Board {
        Board::new(
            self.config.clone(),
            self.content.clone(),
            &self.saved,
            self.store.clone(),
            Some(self.links.clone()),
            gpu,
            format,
            options,
        )
    }
}

/// A board's disk, opened: its content re-verified, its programme's saved state, and the
/// storage thread that owns the writes from now on.
pub struct Opened {
    pub ingest: Ingest,
    pub saved: Saved,
    pub store: Arc<Store>,
    pub storage: Storage,
}

/// Opens the store and reads it once, before any network: the stored messages re-verified
/// against the trust store of `config` (those no longer accepted are removed), the seq marks,
/// the programme's saved state; then starts the storage thread.
pub fn open(config: &Config) -> anyhow::Result<Opened> {
    let dir = &config.store.dir;
    let store = Arc::new(
        Store::open(dir, config.store.max_bytes)
            .with_context(|| format!("cannot open the store in {}", dir.display()))?,
    );
    let stored = store.envelopes().unwrap_or_else(|e| {
        log::error!("cannot list the stored messages: {e}; starting empty");
        Vec::new()
    });
    let state = |name| store.state(name).ok().flatten();
    let trust = TrustStore::new(config.trust.clone(), config.revoked.clone());
    let (ingest, opened) = Ingest::open(
        config.identity(),
        trust,
        state(MARKS).as_deref(),
        stored,
        |topic| store.envelope_path(topic),
    );
    for topic in &opened.remove {
        if let Err(e) = store.remove_envelope(topic) {
            log::warn!("could not remove the message for {topic}: {e}");
        }
    }
    log::info!(
        "loaded {} stored message(s) from {}",
        opened.loaded,
        dir.display()
    );
    let saved = Saved {
        alerts: state(ALERTS),
        rotation: state(ROTATION),
        applied: state(APPLIED),
        origins: state(ORIGINS),
    };
    let played = PlayedLog::open(store.clone())
        .with_context(|| format!("cannot open the proof-of-play log in {}", dir.display()))?;
    let storage =
        Storage::start(store.clone(), played).context("cannot start the storage thread")?;
    Ok(Opened {
        ingest,
        saved,
        store,
        storage,
    })
}

/// Starts the network task, the reporter and the asset fetcher of an opened board on the
/// current tokio runtime, sending events to `sink`. Returns the board's links to them and
/// the content to start with.
pub fn launch(
    config: &Config,
    ingest: Ingest,
    storage: &Storage,
    sink: Sink,
    backoff: Backoff,
) -> anyhow::Result<(Links, Arc<ContentSet>)> {
    let live = Arc::new(Live::default());
    let (reports, reports_rx) = report::channel();
    let options = sync::mqtt_options(config).context("cannot set up the broker connection")?;
    let content = ingest.content().clone();
    let events = Events::new(sink);
    let (channels_tx, channels_rx) = tokio::sync::watch::channel(serde_json::Map::new());
    let fetcher = AssetFetcher::new(
        storage.clone(),
        sync::assets::Limits {
            max_bytes: config.assets.max_bytes,
            timeout: Duration::from_secs(config.assets.timeout_s),
        },
        config.assets.concurrency,
        events.clone(),
    )
    .with_video_limits(sync::assets::VideoLimits {
        max_bytes: config.video.max_bytes,
        clip: video_limits(&config.video),
    });
    let network = Network {
        ingest,
        storage: storage.clone(),
        events,
        reports: reports.clone(),
        live: live.clone(),
        fetcher: Some(fetcher),
        backoff,
        timezone: config.board.timezone,
        channels: channels_tx,
    };
    let (handle, client) = sync::spawn(options, network);
    let reporter = Reporter::new(
        identity(config),
        chrono::Utc::now()
            .with_timezone(&config.board.timezone)
            .fixed_offset(),
        std::time::Instant::now(),
    );
    let setup = report::Setup {
        client,
        storage: storage.clone(),
        live: live.clone(),
        channels: channels_rx,
    };
    tokio::spawn(report::run(reporter, setup, reports_rx));
    let links = Links {
        reports,
        storage: storage.clone(),
        control: handle.control,
        live,
    };
    Ok((links, content))
}

/// Opens the store and the board's content from it (no network needed), then starts the
/// storage thread, the network task, the reporter, the asset fetcher and the signal handlers,
/// all sending events to `sink`.
pub fn start(
    config: Config,
    config_path: Option<&Path>,
    sink: Sink,
    stop_after: Option<Duration>,
) -> anyhow::Result<Services> {
    sync::install_crypto_provider();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("bangtin-net")
        .enable_all()
        .build()
        .context("cannot start the network threads")?;
    let Opened {
        ingest,
        saved,
        store,
        storage,
    } = open(&config)?;
    let (links, content) = {
        let _guard = runtime.enter();
        // Jitter seeded per board, so boards that lost the broker together do not all come
        // back at the same instant.
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
            ^ u64::from(std::process::id());
        let backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(60), seed);
        let launched = launch(&config, ingest, &storage, sink.clone(), backoff)?;
        if let Some(after) = stop_after {
            let s = sink.clone();
            runtime.spawn(async move {
                tokio::time::sleep(after).await;
                s(Delivery::now(BoardEvent::Shutdown));
            });
        }
        runtime.spawn(signals(sink));
        launched
    };
    Ok(Services {
        runtime,
        config,
        config_path: config_path.map(Path::to_path_buf),
        content,
        saved,
        store,
        links,
    })
}

async fn signals(sink: Sink) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut hup), Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::hangup()),
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        log::warn!("cannot listen for signals; SIGHUP will not reload the config");
        return;
    };
    loop {
        let event = tokio::select! {
            _ = hup.recv() => BoardEvent::Reload,
            _ = term.recv() => BoardEvent::Shutdown,
            _ = int.recv() => BoardEvent::Shutdown,
        };
        sink(Delivery::now(event));
    }
}

/// Reads the config again: the new one, or why the running one is kept (logged).
pub fn reload(path: Option<&Path>) -> Result<Config, String> {
    let Some(path) = path else {
        return Err("this board was started without a config file".into());
    };
    match config::load(path) {
        Ok(c) => {
            log::info!("config {} reloaded", path.display());
            Ok(c)
        }
        Err(e) => {
            log::error!(
                "config {} has problems; keeping the running config:\n{e}",
                path.display()
            );
            Err(format!(
                "{} has problems; the running config is kept: {e}",
                path.display()
            ))
        }
    }
}

/// Takes one event on the board's thread: a reload (SIGHUP) reads the config first, and the
/// board's reload commands are carried out after. Returns false when the board should stop.
pub fn handle(board: &mut Board, config_path: Option<&Path>, event: BoardEvent) -> bool {
    if let BoardEvent::Reload = event {
        if let Ok(config) = reload(config_path) {
            board.set_config(config);
        }
    }
    let go_on = board.handle(event);
    for id in board.take_reloads() {
        match reload(config_path) {
            Ok(config) => {
                board.set_config(config);
                board.reply(&id, Ok(serde_json::json!({})));
            }
            Err(e) => board.reply(&id, Err(e)),
        }
    }
    go_on
}

/// After a frame is presented: answers the board's screenshot commands from `texture` (the
/// frame as presented, in `format`), all of them with one read-back and one encoding; while
/// an encoding is still running they wait for a later frame.
pub fn screenshot_commands(
    board: &mut Board,
    gpu: &Gpu,
    texture: &wgpu::Texture,
    format: wgpu::TextureFormat,
) {
    if !board.screenshot_due() {
        return;
    }
    let Some(reports) = board.reports() else {
        board.take_screenshots();
        return;
    };
    if screenshot::busy() {
        board.want_frame();
        return;
    }
    let ids = board.take_screenshots();
    let encoder = gpu
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("bangtin screenshot"),
        });
    let image = bangtin_render::read_texture_with(gpu, encoder, texture, |frame| {
        screenshot::to_rgba(frame, format)
    });
    match image {
        Ok(Some(image)) => {
            screenshot::answer(reports, board.id().to_owned(), ids, image, board.timezone())
        }
        Ok(None) => {
            for id in ids {
                board.reply(&id, Err("the frame could not be read".into()));
            }
        }
        Err(e) => {
            for id in ids {
                board.reply(&id, Err(format!("the frame could not be read: {e}")));
            }
        }
    }
}

/// Tells systemd (when it started us with `Type=notify`) that the board is up, and keeps its
/// watchdog fed from the render loop; does nothing elsewhere.
#[derive(Debug, Default)]
pub struct Watchdog {
    ready: bool,
    last: Option<std::time::Instant>,
}

impl Watchdog {
    /// After each presented frame and each loop turn: READY=1 once, WATCHDOG=1 every 10 s.
    pub fn kick(&mut self) {
        if !self.ready {
            self.ready = true;
            let _ = sd_notify::notify(false, &[sd_notify::NotifyState::Ready]);
        }
        if self
            .last
            .is_none_or(|t| t.elapsed() >= Duration::from_secs(10))
        {
            self.last = Some(std::time::Instant::now());
            let _ = sd_notify::notify(false, &[sd_notify::NotifyState::Watchdog]);
        }
    }
}

/// What the config says a clip may be.
pub fn video_limits(video: &bangtin_config::Video) -> bangtin_video::Limits {
    bangtin_video::Limits {
        max_width: video.max_width,
        max_height: video.max_height,
        max_seconds: video.max_seconds,
    }
}
