//! The GPU side of the façade: a new canvas or footer strip drawn into its texture
//! (`prepare`), the frame recorded onto the output (`render`), and where the canvas lands on
//! an output.

use super::canvas::View;
use super::{frame_of, Board};
use crate::schedule::Show;
use crate::sync::report::Report;
use bangtin_layout::Rect;
use bangtin_render::compositor::Frame as Layers;
use bangtin_render::{Gpu, OutputRegion, Placement, Sampling};
use std::time::Instant;

impl Board {
    /// GPU uploads: the new canvas (and the footer's tiles) drawn into their textures, a frame
    /// of the footer strip when it is drawn frame by frame. A slide that fails to render
    /// leaves the last good one on screen; the very first falls back to the idle slide.
    pub fn prepare(&mut self, gpu: &Gpu) {
        if let Some(list) = self.view.pending.take() {
            self.update_ticker(gpu);
            let View {
                engine,
                images,
                store,
                ..
            } = &mut self.view;
            let store = &**store;
            let images = std::cell::RefCell::new(images);
            let t0 = Instant::now();
            let result = self.compositor.draw_canvas(gpu, &list, engine, &|sha| {
                images.borrow_mut().decode(store, sha)
            });
            log::debug!("canvas drawn in {:?}", t0.elapsed());
            match result {
                Ok(()) => {
                    self.view.render_failed = false;
                    self.view.drawn_once = true;
                    let new = self.view.key.as_ref().map(|k| &k.show);
                    // The same slide drawn again (the header's minute) keeps its video as is.
                    let same = self.previous_show.as_ref() == new;
                    let area = list.ops.iter().find_map(|op| match op {
                        bangtin_layout::Op::Video { rect } => Some(*rect),
                        _ => None,
                    });
                    self.compositor.set_video_area(area, same);
                    // Items cross-fade; an alert, and the return from one, cut at once.
                    let fade = self.previous_show.as_ref().is_some_and(|p| {
                        Some(p) != new
                            && !matches!(p, Show::Alert { .. })
                            && !matches!(new, Some(Show::Alert { .. }))
                    });
                    if fade {
                        self.pacing.start_fade(Instant::now());
                    } else {
                        self.pacing.cut();
                    }
                }
                Err(e) => {
                    // The last good frame stays on screen; this slide is not tried again until
                    // something changes (no hot loop of failing renders).
                    log::error!("could not render the slide: {e}");
                    self.view.render_failed = true;
                    self.report(Report::Error(format!("render: {e}")));
                    // The footer laid out for the new slide does not belong over the old one.
                    self.view.footer = None;
                    self.view.ticker_tiled = false;
                    self.compositor.clear_ticker();
                    if !self.view.drawn_once {
                        self.draw_fallback(gpu);
                    }
                }
            }
        }
        if let Some(frame) = self.videos.frame.take() {
            if self.compositor.video_area().is_some() {
                let uploaded = frame.with_picture(|p| {
                    self.compositor
                        .upload_video(gpu, &super::video::planes(p))
                        .map_err(|e| e.to_string())
                });
                if let Err(e) = uploaded.and_then(|r| r) {
                    log::warn!("a video frame could not be shown: {e}");
                }
            }
        } else if self.compositor.video_area().is_none() {
            self.compositor.drop_unused_videos();
        }
        if std::mem::take(&mut self.strip_due) && !self.view.ticker_tiled {
            if let Some((footer, band)) = &self.view.footer {
                let x = self
                    .view
                    .footer_x(self.config.display.ticker_speed, Instant::now())
                    .unwrap_or(0.0);
                let list = bangtin_layout::chrome::strip(footer, *band, x);
                if let Err(e) = self
                    .compositor
                    .draw_strip(gpu, &list, &mut self.view.engine)
                {
                    log::error!("could not render the footer: {e}");
                }
            }
        }
    }

    /// The footer's line as tiles, made again when its text changed.
    fn update_ticker(&mut self, gpu: &Gpu) {
        if !std::mem::take(&mut self.view.ticker_changed) {
            return;
        }
        self.view.ticker_tiled = match &self.view.footer {
            Some((laid, _)) => self
                .compositor
                .set_ticker(
                    gpu,
                    &laid.text,
                    laid.text_width,
                    laid.color,
                    &mut self.view.engine,
                )
                .unwrap_or_else(|e| {
                    log::error!("could not prepare the ticker: {e}");
                    false
                }),
            None => {
                self.compositor.clear_ticker();
                false
            }
        };
    }

    /// The idle slide, when the very first slide could not be drawn: never a blank screen.
    fn draw_fallback(&mut self, gpu: &Gpu) {
        let now = self.clock.now().now.naive_local();
        let list = self.view.fallback(frame_of(&self.config), now);
        self.compositor.clear_ticker();
        self.view.ticker_tiled = false;
        match self
            .compositor
            .draw_canvas(gpu, &list, &mut self.view.engine, &|_| None)
        {
            Ok(()) => self.view.drawn_once = true,
            Err(e) => log::error!("could not render even the idle slide: {e}"),
        }
    }

    /// Records the frame onto `target` (of the output's size). `kept`: the target still holds
    /// the last frame presented to it (a headless frame, a window's own copy); then a frame in
    /// which only the footer moved redraws only the footer's band.
    pub fn render(
        &mut self,
        gpu: &Gpu,
        encoder: &mut wgpu::CommandEncoder,
        target: &wgpu::Texture,
        placement: &Placement,
        kept: bool,
    ) {
        let now = Instant::now();
        let fade = self.pacing.fade_alpha(now);
        let tiled = self.view.ticker_tiled;
        let footer = &self.view.footer;
        let layers = Layers {
            fade,
            strip: footer.as_ref().filter(|_| !tiled).map(|(_, band)| *band),
            ticker: match (
                footer,
                self.view.footer_x(self.config.display.ticker_speed, now),
            ) {
                (Some((f, band)), Some(x)) if tiled => Some((
                    Rect::new(band.x, band.y + f.text.rect.y, band.w, f.text.rect.h),
                    x,
                )),
                _ => None,
            },
            brightness: self.brightness,
        };
        // What moves: the ticker's line (tiles), or the whole band (a strip).
        let band = layers
            .ticker
            .map(|(line, _)| line)
            .or(footer.as_ref().map(|(_, band)| *band));
        let full = !kept
            || self.pacing.full_due
            || fade.is_some()
            || self.last_placement.as_ref() != Some(placement);
        let partial = match (full, band) {
            (false, Some(band)) => placement.output_rect(band),
            _ => None,
        };
        self.pacing.full_due = false;
        self.last_placement = Some(*placement);
        self.compositor
            .present(gpu, encoder, target, placement, &layers, partial);
    }

    /// The placement of the canvas on an output of `size`.
    pub fn placement(&self, output: (u32, u32)) -> Placement {
        let d = &self.config.display;
        Placement::new(
            (d.width, d.height),
            d.rotation,
            output,
            d.region.map(region),
            sampling(d.scaling),
        )
    }

    /// The placement in a window of `size`. A window opened at the region itself (X11 without a
    /// window manager) is filled whole; a window the compositor made full screen (cage) gets
    /// the region at its place on the monitor.
    pub fn placement_in_window(&self, size: (u32, u32)) -> Placement {
        let d = &self.config.display;
        let region = d.region.map(|r| {
            if (r.width, r.height) == size {
                bangtin_config::Region { x: 0, y: 0, ..r }
            } else {
                r
            }
        });
        Placement::new(
            (d.width, d.height),
            d.rotation,
            size,
            region.map(self::region),
            sampling(d.scaling),
        )
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

/// The renderer's region for the config's.
fn region(r: bangtin_config::Region) -> OutputRegion {
    OutputRegion {
        x: r.x,
        y: r.y,
        width: r.width,
        height: r.height,
    }
}

/// The renderer's sampling for the config's scaling.
fn sampling(s: bangtin_config::Scaling) -> Sampling {
    match s {
        bangtin_config::Scaling::Auto => Sampling::Auto,
        bangtin_config::Scaling::Nearest => Sampling::Nearest,
        bangtin_config::Scaling::Smooth => Sampling::Smooth,
    }
}
