//! The board in a window: winit on the main thread, one borderless window covering the monitor
//! (sized by hand: a kiosk has no window manager to make it full screen) or a fixed region of
//! the video output (what an LED sending card captures), no cursor.
//!
//! Frames are drawn only when the board has something new (or the window was exposed); while
//! the footer scrolls, at the board's frame rate. Surface errors are handled one by one: a
//! timeout or an occluded window skips a frame, an outdated surface is configured again, a
//! lost one is made again; the last good frame stays on screen meanwhile.

use super::{Services, Watchdog};
use crate::board::{Board, BoardEvent, Options};
use crate::sync::{Delivery, Sink};
use anyhow::Context as _;
use bangtin_config::Config;
use bangtin_render::{Gpu, GpuError, NO_ADAPTER_HELP};
use std::path::Path;
use std::sync::Arc;
use winit::application::ApplicationHandler;
use winit::dpi::{PhysicalPosition, PhysicalSize};
use winit::event::{StartCause, WindowEvent};
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop, OwnedDisplayHandle};
use winit::window::{Window, WindowId};

/// The display connection, as wgpu wants it (GL needs it to make surfaces on X11/Wayland).
#[derive(Clone)]
struct Display(OwnedDisplayHandle);

impl std::fmt::Debug for Display {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Display")
    }
}

impl wgpu::rwh::HasDisplayHandle for Display {
    fn display_handle(&self) -> Result<wgpu::rwh::DisplayHandle<'_>, wgpu::rwh::HandleError> {
        self.0.display_handle()
    }
}

struct Shown {
    window: Arc<Window>,
    surface: wgpu::Surface<'static>,
    gpu: Gpu,
    board: Board,
    surface_config: wgpu::SurfaceConfiguration,
    /// The frame as last drawn, kept, when the surface can be copied into: a frame where only
    /// the ticker moved then redraws the ticker's band and copies, instead of shading a whole
    /// screen. `None`: every frame is drawn whole onto the surface.
    kept: Option<wgpu::Texture>,
    /// `kept` was just made (or remade): its first frame is drawn whole.
    kept_fresh: bool,
    /// The last frame could not be presented; wait before trying again.
    failed_at: Option<std::time::Instant>,
    /// Since when frames have been failing (for the log).
    failing_since: Option<std::time::Instant>,
}

/// How long after a failed frame the next try waits.
const RETRY: std::time::Duration = std::time::Duration::from_millis(250);

fn kept_texture(gpu: &Gpu, config: &wgpu::SurfaceConfiguration) -> Option<wgpu::Texture> {
    if !config.usage.contains(wgpu::TextureUsages::COPY_DST) {
        return None;
    }
    let texture = gpu.device.create_texture(&wgpu::TextureDescriptor {
        label: Some("bangtin kept frame"),
        size: wgpu::Extent3d {
            width: config.width,
            height: config.height,
            depth_or_array_layers: 1,
        },
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format: config.format,
        usage: wgpu::TextureUsages::RENDER_ATTACHMENT
            | wgpu::TextureUsages::COPY_SRC
            | wgpu::TextureUsages::COPY_DST,
        view_formats: &[],
    });
    Some(texture)
}

struct App {
    config: Config,
    options: Options,
    services: Option<Services>,
    shown: Option<Shown>,
    watchdog: Watchdog,
    pending: Vec<Delivery>,
    error: Option<anyhow::Error>,
}

/// `bangtin run` with a window.
pub fn run(config: Config, config_path: Option<&Path>, options: Options) -> anyhow::Result<()> {
    let event_loop = EventLoop::<Delivery>::with_user_event()
        .build()
        .context("cannot open the display (is there one? without a display, run with --headless --frames DIR)")?;
    // Winit's queue is unbounded; the network's events hold their places until handled.
    let proxy = event_loop.create_proxy();
    let sink: Sink = Arc::new(move |e| {
        let _ = proxy.send_event(e);
    });
    let services = super::start(
        config.clone(),
        config_path,
        sink.clone(),
        options.stop_after,
    )?;
    let mut app = App {
        config,
        options,
        services: Some(services),
        shown: None,
        watchdog: Watchdog::default(),
        pending: Vec::new(),
        error: None,
    };
    event_loop
        .run_app(&mut app)
        .context("the window's event loop failed")?;
    if let Some(shown) = &mut app.shown {
        shown.board.handle(BoardEvent::Shutdown);
    }
    match app.error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Opens a GPU able to draw into `window`: Vulkan first, then OpenGL (or `WGPU_BACKEND`).
fn open_gpu(
    window: &Arc<Window>,
    display: &Display,
) -> Result<(Gpu, wgpu::Surface<'static>), GpuError> {
    let choices: Vec<Option<wgpu::Backends>> = if std::env::var_os("WGPU_BACKEND").is_some() {
        vec![None]
    } else {
        vec![Some(wgpu::Backends::VULKAN), Some(wgpu::Backends::GL)]
    };
    let mut reasons = Vec::new();
    for backends in choices {
        let mut desc =
            wgpu::InstanceDescriptor::new_with_display_handle_from_env(Box::new(display.clone()));
        desc.flags = bangtin_render::instance_flags();
        if let Some(b) = backends {
            desc.backends = b;
        }
        let instance = wgpu::Instance::new(desc);
        let surface = match instance.create_surface(window.clone()) {
            Ok(s) => s,
            Err(e) => {
                reasons.push(format!("{backends:?}: {e}"));
                continue;
            }
        };
        match Gpu::with_instance(instance, Some(&surface)) {
            Ok(gpu) => return Ok((gpu, surface)),
            Err(e) => reasons.push(format!("{backends:?}: {e}")),
        }
    }
    Err(GpuError::NoAdapter(reasons.join("; ")))
}

impl App {
    fn open(&mut self, event_loop: &ActiveEventLoop) -> anyhow::Result<()> {
        let services = self
            .services
            .as_ref()
            .context("the board was already started")?;
        let d = &self.config.display;
        let mut attrs = Window::default_attributes()
            .with_title(format!("bangtin — {}", self.config.board.name))
            .with_decorations(false)
            .with_resizable(false);
        match d.region {
            Some(r) => {
                attrs = attrs
                    .with_position(PhysicalPosition::new(r.x, r.y))
                    .with_inner_size(PhysicalSize::new(r.width, r.height));
            }
            None => {
                let monitor = event_loop
                    .primary_monitor()
                    .or_else(|| event_loop.available_monitors().next());
                let size = monitor.as_ref().map(|m| m.size()).filter(|s| s.width > 0);
                let (w, h) = match size {
                    Some(s) => (s.width, s.height),
                    None if d.rotation % 180 == 90 => (d.height, d.width),
                    None => (d.width, d.height),
                };
                let position = monitor.map_or(PhysicalPosition::new(0, 0), |m| m.position());
                attrs = attrs
                    .with_position(position)
                    .with_inner_size(PhysicalSize::new(w, h));
            }
        }
        let window = Arc::new(
            event_loop
                .create_window(attrs)
                .context("cannot open a window")?,
        );
        window.set_cursor_visible(false);
        let display = Display(event_loop.owned_display_handle());
        let (gpu, surface) =
            open_gpu(&window, &display).map_err(|e| anyhow::anyhow!("{e}. {NO_ADAPTER_HELP}"))?;
        log::info!("rendering to a window on {}", gpu.describe());
        let size = window.inner_size();
        Board::check_size(
            &gpu,
            (self.config.display.width, self.config.display.height),
        )
        .and_then(|()| Board::check_size(&gpu, (size.width, size.height)))
        .map_err(anyhow::Error::msg)?;
        let caps = surface.get_capabilities(&gpu.adapter);
        let format = caps
            .formats
            .iter()
            .copied()
            .find(wgpu::TextureFormat::is_srgb)
            .or_else(|| caps.formats.first().copied())
            .context("the window's surface offers no format")?;
        let size = window.inner_size();
        let usage = if caps.usages.contains(wgpu::TextureUsages::COPY_DST) {
            wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_DST
        } else {
            wgpu::TextureUsages::RENDER_ATTACHMENT
        };
        let surface_config = wgpu::SurfaceConfiguration {
            usage,
            format,
            width: size.width.max(1),
            height: size.height.max(1),
            present_mode: wgpu::PresentMode::Fifo,
            desired_maximum_frame_latency: 2,
            alpha_mode: caps
                .alpha_modes
                .first()
                .copied()
                .unwrap_or(wgpu::CompositeAlphaMode::Auto),
            view_formats: vec![],
            color_space: wgpu::SurfaceColorSpace::Auto,
        };
        surface.configure(&gpu.device, &surface_config);
        let mut board = services.board(&gpu, format, &self.options);
        let path = services.config_path.clone();
        for delivery in self.pending.drain(..) {
            super::handle(&mut board, path.as_deref(), delivery.event);
        }
        let kept = kept_texture(&gpu, &surface_config);
        self.shown = Some(Shown {
            window,
            surface,
            gpu,
            board,
            surface_config,
            kept,
            kept_fresh: true,
            failed_at: None,
            failing_since: None,
        });
        Ok(())
    }

    fn draw(&mut self) {
        let Some(s) = &mut self.shown else { return };
        let now = std::time::Instant::now();
        if s.failed_at.is_some_and(|t| now < t + RETRY) {
            // Tried less than a moment ago; `schedule` asks again when it is time.
            return;
        }
        // Every failure waits for the retry (no busy loop) and keeps the watchdog unfed.
        let fail = |s: &mut Shown| {
            s.failed_at = Some(now);
            s.failing_since.get_or_insert(now);
        };
        let texture = match s.surface.get_current_texture() {
            wgpu::CurrentSurfaceTexture::Success(t)
            | wgpu::CurrentSurfaceTexture::Suboptimal(t) => t,
            wgpu::CurrentSurfaceTexture::Timeout | wgpu::CurrentSurfaceTexture::Occluded => {
                fail(s);
                return;
            }
            wgpu::CurrentSurfaceTexture::Outdated => {
                s.surface.configure(&s.gpu.device, &s.surface_config);
                fail(s);
                return;
            }
            wgpu::CurrentSurfaceTexture::Lost => {
                fail(s);
                log::warn!("the window's surface was lost; making it again");
                match s.gpu.instance.create_surface(s.window.clone()) {
                    Ok(surface) => {
                        surface.configure(&s.gpu.device, &s.surface_config);
                        s.surface = surface;
                    }
                    Err(e) => log::error!("cannot make the surface again: {e}"),
                }
                return;
            }
            wgpu::CurrentSurfaceTexture::Validation => {
                fail(s);
                log::error!("the surface reported a validation error; skipping a frame");
                return;
            }
        };
        let placement = s
            .board
            .placement_in_window((s.surface_config.width, s.surface_config.height));
        let mut encoder = s
            .gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("bangtin window frame"),
            });
        s.board.prepare(&s.gpu);
        match &s.kept {
            Some(kept) => {
                s.board
                    .render(&s.gpu, &mut encoder, kept, &placement, !s.kept_fresh);
                encoder.copy_texture_to_texture(
                    kept.as_image_copy(),
                    texture.texture.as_image_copy(),
                    wgpu::Extent3d {
                        width: s.surface_config.width,
                        height: s.surface_config.height,
                        depth_or_array_layers: 1,
                    },
                );
            }
            None => s
                .board
                .render(&s.gpu, &mut encoder, &texture.texture, &placement, false),
        }
        s.kept_fresh = false;
        s.failed_at = None;
        if let Some(since) = s.failing_since.take() {
            log::info!("frames are presented again after {:?}", since.elapsed());
        }
        s.gpu.queue.submit([encoder.finish()]);
        s.window.pre_present_notify();
        s.gpu.queue.present(texture);
        s.board.presented();
        if s.board.screenshot_due() {
            match &s.kept {
                Some(kept) => {
                    super::screenshot_commands(&mut s.board, &s.gpu, kept, s.surface_config.format)
                }
                None => {
                    // The surface cannot be read: draw the same frame offscreen for it.
                    let (w, h) = (s.surface_config.width, s.surface_config.height);
                    let format = s.surface_config.format;
                    let target =
                        bangtin_render::Offscreen::with_format(&s.gpu.device, w, h, format);
                    let mut encoder =
                        s.gpu
                            .device
                            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                                label: Some("bangtin screenshot frame"),
                            });
                    s.board
                        .render(&s.gpu, &mut encoder, &target.texture, &placement, false);
                    s.gpu.queue.submit([encoder.finish()]);
                    super::screenshot_commands(&mut s.board, &s.gpu, &target.texture, format);
                }
            }
        }
        self.watchdog.kick();
    }

    fn schedule(&mut self, event_loop: &ActiveEventLoop) {
        let Some(s) = &mut self.shown else { return };
        // After a frame that could not be presented, try again in a quarter of a second, not
        // at once (no busy loop), and let the watchdog see a board that is not presenting.
        if let Some(failed) = s.failed_at {
            let retry = failed + RETRY;
            if std::time::Instant::now() < retry {
                event_loop.set_control_flow(ControlFlow::WaitUntil(retry));
                return;
            }
            if s.failing_since
                .is_some_and(|t| t.elapsed() > std::time::Duration::from_secs(60))
            {
                log::error!("no frame could be presented for over a minute");
                // Said once a minute.
                s.failing_since = Some(std::time::Instant::now());
            }
            // Try again now: a frame is due whether or not the board changed.
            s.window.request_redraw();
        }
        if s.board.update() {
            s.window.request_redraw();
        }
        event_loop.set_control_flow(ControlFlow::WaitUntil(s.board.next_wake()));
        if s.failed_at.is_none() {
            self.watchdog.kick();
        }
    }
}

impl ApplicationHandler<Delivery> for App {
    fn new_events(&mut self, _event_loop: &ActiveEventLoop, _cause: StartCause) {}

    fn resumed(&mut self, event_loop: &ActiveEventLoop) {
        if self.shown.is_some() {
            return;
        }
        if let Err(e) = self.open(event_loop) {
            self.error = Some(e);
            event_loop.exit();
        }
    }

    fn user_event(&mut self, event_loop: &ActiveEventLoop, delivery: Delivery) {
        let Some(s) = &mut self.shown else {
            if matches!(delivery.event, BoardEvent::Shutdown) {
                event_loop.exit();
            } else {
                self.pending.push(delivery);
            }
            return;
        };
        let path = self.services.as_ref().and_then(|x| x.config_path.clone());
        if !super::handle(&mut s.board, path.as_deref(), delivery.event) {
            event_loop.exit();
        }
    }

    fn window_event(&mut self, event_loop: &ActiveEventLoop, _id: WindowId, event: WindowEvent) {
        match event {
            WindowEvent::CloseRequested => {
                if let Some(s) = &mut self.shown {
                    s.board.handle(BoardEvent::Shutdown);
                }
                event_loop.exit();
            }
            WindowEvent::Resized(size) => {
                if let Some(s) = &mut self.shown {
                    s.surface_config.width = size.width.max(1);
                    s.surface_config.height = size.height.max(1);
                    s.surface.configure(&s.gpu.device, &s.surface_config);
                    s.kept = kept_texture(&s.gpu, &s.surface_config);
                    s.kept_fresh = true;
                    s.window.request_redraw();
                }
            }
            WindowEvent::RedrawRequested => self.draw(),
            _ => {}
        }
    }

    fn about_to_wait(&mut self, event_loop: &ActiveEventLoop) {
        self.schedule(event_loop);
    }
}
