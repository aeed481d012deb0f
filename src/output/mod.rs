//! Running a board: the network side on tokio worker threads, the board on the main thread,
//! drawing to a window ([`window`]) or to PNG files ([`headless`]).
//!
//! Events reach the board's thread through one [`Sink`]: a channel for the headless loop,
//! winit's event-loop proxy for the window. SIGHUP reloads the config (a bad file keeps the
//! running one); SIGTERM and SIGINT stop the board after saving its programme state.

pub mod headless;
pub mod screenshot;
pub mod window;

use crate::app::{Board, BoardEvent, Options, Reporting};
use crate::config::{self, Config};
use crate::render::Gpu;
use crate::store::PlayedLog;
use crate::store::Store;
use crate::sync::{self, AssetFetcher, Backoff, BoardState};
use crate::sync::{Live, ReportSetup};
use crate::trust::TrustStore;
use anyhow::Context as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Where the board's thread receives events.
pub type Sink = Arc<dyn Fn(BoardEvent) + Send + Sync>;

/// How to run a board.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub config_path: PathBuf,
    /// `Some(DIR)`: no window; every new frame also goes to DIR/latest.png.
    pub frames: Option<PathBuf>,
    pub board: Options,
}

/// The network side of a running board.
pub struct Services {
    pub runtime: tokio::runtime::Runtime,
    pub state: Arc<Mutex<BoardState>>,
    pub config: Config,
    pub config_path: Option<PathBuf>,
    /// Status, acks, proof of play and replies: give it to the board.
    pub reporting: Reporting,
}

/// Opens the store and the board's state from cache (no network needed), then starts the sync
/// task, the asset fetcher and the signal handlers, all reporting to `sink`.
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
    let store = Store::open(&config.store.dir, config.store.max_bytes)
        .with_context(|| format!("cannot open the store in {}", config.store.dir.display()))?;
    let trust = TrustStore::new(config.trust.clone(), config.revoked.clone());
    let state = Arc::new(Mutex::new(BoardState::open(
        config.identity(),
        trust,
        store,
    )));
    let store = sync::lock(&state).store().clone();
    let played = PlayedLog::open(store.clone()).with_context(|| {
        format!(
            "cannot open the proof-of-play log in {}",
            config.store.dir.display()
        )
    })?;
    let played = Arc::new(Mutex::new(played));
    let live = Arc::new(Live::default());
    let options = sync::mqtt_options(&config).context("cannot set up the broker connection")?;
    let reports = {
        let _guard = runtime.enter();
        let (sync_tx, mut sync_rx) = tokio::sync::mpsc::channel(256);
        let (asset_tx, mut asset_rx) = tokio::sync::mpsc::channel(64);
        let store = sync::lock(&state).store().clone();
        let fetcher = AssetFetcher::new(
            store,
            sync::assets::Limits {
                max_bytes: config.assets.max_bytes,
                timeout: Duration::from_secs(config.assets.timeout_s),
            },
            config.assets.concurrency,
            asset_tx,
        );
        let handle = sync::spawn_reporting(
            options,
            state.clone(),
            sync_tx,
            // Jitter seeded per board, so boards that lost the broker together do not all
            // come back at the same instant.
            Backoff::new(
                Duration::from_secs(1),
                Duration::from_secs(60),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos() as u64)
                    ^ u64::from(std::process::id()),
            ),
            Some(fetcher),
            Some(ReportSetup {
                name: config.board.name.clone(),
                played: played.clone(),
                live: live.clone(),
            }),
        );
        let s = sink.clone();
        runtime.spawn(async move {
            while let Some(e) = sync_rx.recv().await {
                s(BoardEvent::Sync(e));
            }
        });
        let s = sink.clone();
        runtime.spawn(async move {
            while let Some(e) = asset_rx.recv().await {
                s(BoardEvent::Asset(e));
            }
        });
        if let Some(after) = stop_after {
            let s = sink.clone();
            runtime.spawn(async move {
                tokio::time::sleep(after).await;
                s(BoardEvent::Shutdown);
            });
        }
        runtime.spawn(signals(sink));
        handle.reports.context("the reporter did not start")?
    };
    Ok(Services {
        runtime,
        state,
        config,
        config_path: config_path.map(Path::to_path_buf),
        reporting: Reporting {
            reports,
            played,
            live,
        },
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
        tokio::select! {
            _ = hup.recv() => sink(BoardEvent::Reload),
            _ = term.recv() => sink(BoardEvent::Shutdown),
            _ = int.recv() => sink(BoardEvent::Shutdown),
        }
    }
}

/// Reads the config again for SIGHUP: the new one, or `None` (logged) to keep the old.
pub fn reload(path: Option<&Path>) -> Option<Config> {
    reload_checked(path).ok()
}

/// Reads the config again: the new one, or why the running one is kept (logged).
pub fn reload_checked(path: Option<&Path>) -> Result<Config, String> {
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

/// Carries out the board's `reload` commands and replies to each.
pub fn reload_commands(board: &mut Board, config_path: Option<&Path>) {
    for id in board.take_reloads() {
        match reload_checked(config_path) {
            Ok(config) => {
                board.set_config(config);
                board.reply(&id, Ok(serde_json::json!({})));
            }
            Err(e) => board.reply(&id, Err(e)),
        }
    }
}

/// After a frame is presented: answers the board's screenshot commands from `texture` (the
/// frame as presented, in `format`).
pub fn screenshot_commands(
    board: &mut Board,
    gpu: &Gpu,
    texture: &wgpu::Texture,
    format: wgpu::TextureFormat,
) {
    let ids = board.take_screenshots();
    if ids.is_empty() {
        return;
    }
    let encoder = gpu
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("bangtin screenshot"),
        });
    let image = crate::render::read_texture_with(gpu, encoder, texture, |frame| {
        screenshot::to_rgba(frame, format)
    });
    for id in ids {
        match (&image, board.reports()) {
            (Ok(Some(image)), Some(reports)) => {
                screenshot::answer(reports, board.id().to_owned(), id, image.clone())
            }
            (Ok(None), _) => board.reply(&id, Err("the frame could not be read".into())),
            (Err(e), _) => board.reply(&id, Err(format!("the frame could not be read: {e}"))),
            (_, None) => {}
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

/// Runs the board as `bangtin run` does until it is told to stop.
pub fn run(options: RunOptions) -> anyhow::Result<()> {
    let config = config::load(&options.config_path)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("the board config has problems")?;
    match &options.frames {
        Some(dir) => headless::run(config, Some(&options.config_path), dir, options.board),
        None => window::run(config, Some(&options.config_path), options.board),
    }
}
