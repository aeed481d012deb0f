//! The board without a window: frames are rendered offscreen at the output's size and, with a
//! frames folder, the newest one is written as `latest.png` (atomically replaced) by a writer
//! thread that always takes the newest frame and skips the ones it had no time for.

use super::{Services, Watchdog};
use crate::board::{Board, BoardEvent, Options};
use crate::sync::{Delivery, Sink};
use anyhow::Context as _;
use bangtin_config::Config;
use bangtin_render::{Gpu, Offscreen, TARGET_FORMAT};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

/// A frame waiting for the writer: RGBA8 pixels, width, height.
type Pending = Option<(Vec<u8>, u32, u32)>;

/// Writes the newest frame to `DIR/latest.png` on its own thread.
struct PngWriter {
    slot: Arc<(Mutex<Pending>, Condvar)>,
}

impl PngWriter {
    fn start(dir: PathBuf) -> PngWriter {
        let slot: Arc<(Mutex<Pending>, Condvar)> = Arc::new((Mutex::new(None), Condvar::new()));
        let theirs = slot.clone();
        std::thread::Builder::new()
            .name("bangtin-frames".into())
            .spawn(move || {
                let out = dir.join("latest.png");
                loop {
                    let (rgba, w, h) = {
                        let (lock, cv) = &*theirs;
                        let mut guard = lock.lock().unwrap_or_else(|p| p.into_inner());
                        loop {
                            if let Some(frame) = guard.take() {
                                break frame;
                            }
                            guard = cv.wait(guard).unwrap_or_else(|p| p.into_inner());
                        }
                    };
                    let written = bangtin_media::encode_png(&rgba, w, h, false)
                        .map_err(|e| e.to_string())
                        .and_then(|png| {
                            bangtin_store::write_atomically(&out, &png).map_err(|e| e.to_string())
                        });
                    if let Err(e) = written {
                        log::error!("cannot write {}: {e}", out.display());
                    }
                }
            })
            .ok();
        PngWriter { slot }
    }

    fn put(&self, frame: (Vec<u8>, u32, u32)) {
        let (lock, cv) = &*self.slot;
        *lock.lock().unwrap_or_else(|p| p.into_inner()) = Some(frame);
        cv.notify_one();
    }
}

/// A headless board, ready to run.
pub struct Headless {
    pub services: Services,
    pub board: Board,
    gpu: Gpu,
    events: Receiver<Delivery>,
    sink: Sink,
    target: Offscreen,
    writer: Option<PngWriter>,
}

impl Headless {
    /// Sets the board up from its cache; `frames`: where latest.png goes.
    pub fn new(
        config: Config,
        config_path: Option<&Path>,
        frames: Option<&Path>,
        options: Options,
    ) -> anyhow::Result<Headless> {
        // Unbounded as a channel, bounded in fact: each event the network sends holds one of
        // a fixed number of places until this thread has handled it.
        let (tx, events) = mpsc::channel();
        let sink: Sink = Arc::new(move |e| {
            let _ = tx.send(e);
        });
        let gpu = Gpu::new()?;
        log::info!("rendering headless on {}", gpu.describe());
        Board::check_size(&gpu, (config.display.width, config.display.height))
            .map_err(anyhow::Error::msg)?;
        let services = super::start(
            config.clone(),
            config_path,
            sink.clone(),
            options.stop_after,
        )?;
        let board = services.board(&gpu, TARGET_FORMAT, &options);
        let (w, h) = board.headless_size();
        Board::check_size(&gpu, (w, h)).map_err(anyhow::Error::msg)?;
        let target = Offscreen::new(&gpu.device, w, h);
        let writer = match frames {
            Some(dir) => {
                std::fs::create_dir_all(dir).with_context(|| {
                    format!("cannot create the frames folder {}", dir.display())
                })?;
                Some(PngWriter::start(dir.to_path_buf()))
            }
            None => None,
        };
        Ok(Headless {
            services,
            board,
            gpu,
            events,
            sink,
            target,
            writer,
        })
    }

    /// Sends events to this board from any thread (a `Shutdown` stops [`Headless::run`]).
    pub fn sink(&self) -> Sink {
        self.sink.clone()
    }

    /// Runs until a `Shutdown` event (or SIGTERM/SIGINT).
    pub fn run(mut self) -> anyhow::Result<()> {
        let mut watchdog = Watchdog::default();
        loop {
            if self.board.update() {
                self.frame();
                watchdog.kick();
            }
            let wait = self
                .board
                .next_wake()
                .saturating_duration_since(Instant::now());
            let first = match self.events.recv_timeout(wait) {
                Ok(e) => Some(e),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => break,
            };
            let mut go_on = true;
            let events: Vec<Delivery> = first.into_iter().chain(self.events.try_iter()).collect();
            for delivery in events {
                go_on &= self.handle(delivery.event);
            }
            if !go_on {
                break;
            }
            watchdog.kick();
        }
        Ok(())
    }

    fn handle(&mut self, event: BoardEvent) -> bool {
        super::handle(&mut self.board, self.services.config_path.as_deref(), event)
    }

    fn frame(&mut self) {
        let placement = self
            .board
            .placement((self.target.width, self.target.height));
        let mut encoder = self
            .gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("bangtin headless frame"),
            });
        self.board.prepare(&self.gpu);
        self.board.render(
            &self.gpu,
            &mut encoder,
            &self.target.texture,
            &placement,
            true,
        );
        let Some(writer) = &self.writer else {
            // No frames folder: the frame is done when the GPU has finished it.
            self.gpu.queue.submit([encoder.finish()]);
            if let Err(e) = self.gpu.device.poll(wgpu::PollType::wait_indefinitely()) {
                log::error!("the GPU did not finish the frame: {e}");
            }
            self.board.presented();
            super::screenshot_commands(
                &mut self.board,
                &self.gpu,
                &self.target.texture,
                TARGET_FORMAT,
            );
            return;
        };
        let pixels = self.target.read_back_with(&self.gpu, encoder, |frame| {
            (frame.tight().into_owned(), frame.width, frame.height)
        });
        self.board.presented();
        super::screenshot_commands(
            &mut self.board,
            &self.gpu,
            &self.target.texture,
            TARGET_FORMAT,
        );
        match pixels {
            Ok(frame) => writer.put(frame),
            Err(e) => log::error!("could not read the frame back: {e}"),
        }
    }
}

/// `bangtin run --headless --frames DIR`.
pub fn run(
    config: Config,
    config_path: Option<&Path>,
    frames: &Path,
    options: Options,
) -> anyhow::Result<()> {
    Headless::new(config, config_path, Some(frames), options)?.run()
}
