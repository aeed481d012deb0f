//! The compositor: what a board puts on its output each frame.
//!
//! Slides are rendered once, when they change, into a canvas texture at the board's own
//! resolution (an LED panel's 192x96, or 1920x1080). The footer's scrolling line is rendered
//! into a thin strip texture. Each presented frame then only draws those layers onto the
//! output (`shaders/present.wgsl`): the canvas (over the previous one while cross-fading), the
//! strip, through one transform that rotates the picture and maps it to the output region,
//! nearest-neighbour for LED canvases, with the brightness of the hour. A static slide costs no
//! frame at all; a scrolling ticker costs one small text draw and one textured pass.

use super::gpu::{Gpu, Offscreen};
use super::{Error, Globals, Renderer, TARGET_FORMAT};
use crate::config::{Region, Scaling};
use crate::layout::{DisplayList, Rect, TextEngine};
use crate::media::DecodedImage;

pub const SHADER: &str = include_str!("../../shaders/present.wgsl");

/// Where the canvas lands on the output, and how it is sampled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// Canvas size.
    pub canvas: (u32, u32),
    /// Clockwise turn: 0, 90, 180, 270.
    pub rotation: u32,
    /// Output size (the window or the headless frame).
    pub output: (u32, u32),
    /// The rectangle of the output the (rotated) canvas fills: x, y, w, h.
    pub rect: (f32, f32, f32, f32),
    /// Nearest-neighbour sampling (crisp LED pixels) rather than bilinear.
    pub nearest: bool,
}

impl Placement {
    /// Places a canvas on an output: into `region` exactly when there is one; otherwise as
    /// large as fits with its aspect kept, centred (whole multiples when sampling nearest).
    pub fn new(
        canvas: (u32, u32),
        rotation: u32,
        output: (u32, u32),
        region: Option<Region>,
        scaling: Scaling,
    ) -> Placement {
        let (cw, ch) = if rotation % 180 == 90 {
            (canvas.1 as f32, canvas.0 as f32)
        } else {
            (canvas.0 as f32, canvas.1 as f32)
        };
        let (ow, oh) = (output.0.max(1) as f32, output.1.max(1) as f32);
        let led_sized = canvas.0.min(canvas.1) < 400;
        let (rect, whole) = match region {
            Some(r) => {
                let (sx, sy) = (r.width as f32 / cw, r.height as f32 / ch);
                (
                    (r.x as f32, r.y as f32, r.width as f32, r.height as f32),
                    sx.fract() == 0.0 && sy.fract() == 0.0,
                )
            }
            None => {
                let fit = (ow / cw).min(oh / ch);
                let nearest_wanted = match scaling {
                    Scaling::Nearest => true,
                    Scaling::Smooth => false,
                    Scaling::Auto => led_sized,
                };
                let scale = if nearest_wanted && fit >= 1.0 {
                    fit.floor()
                } else {
                    fit
                };
                let (w, h) = (cw * scale, ch * scale);
                (
                    (((ow - w) / 2.0).floor(), ((oh - h) / 2.0).floor(), w, h),
                    scale.fract() == 0.0,
                )
            }
        };
        let nearest = match scaling {
            Scaling::Nearest => true,
            Scaling::Smooth => false,
            Scaling::Auto => led_sized || (whole && rect.2 > cw),
        };
        Placement {
            canvas,
            rotation: rotation % 360,
            output,
            rect,
            nearest,
        }
    }

    /// The affine map from canvas pixels to clip space, as two rows (a, b, c).
    pub fn matrix(&self) -> [[f32; 3]; 2] {
        let (cw, ch) = (self.canvas.0.max(1) as f32, self.canvas.1.max(1) as f32);
        // Canvas pixels -> unit square (u, v), turned clockwise: (u', v') = A (u, v) + t.
        let (a, t): ([[f32; 2]; 2], [f32; 2]) = match self.rotation {
            90 => ([[0.0, -1.0], [1.0, 0.0]], [1.0, 0.0]),
            180 => ([[-1.0, 0.0], [0.0, -1.0]], [1.0, 1.0]),
            270 => ([[0.0, 1.0], [-1.0, 0.0]], [0.0, 1.0]),
            _ => ([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
        };
        let (rx, ry, rw, rh) = self.rect;
        let (ow, oh) = (self.output.0.max(1) as f32, self.output.1.max(1) as f32);
        // Output pixel -> clip: X = px * 2/ow - 1, Y = 1 - py * 2/oh.
        let row = |i: usize, origin: f32, size: f32, out: f32, flip: f32| {
            let k = size * 2.0 / out * flip;
            let c0 = (origin * 2.0 / out - 1.0) * flip;
            [k * a[i][0] / cw, k * a[i][1] / ch, k * t[i] + c0]
        };
        [row(0, rx, rw, ow, 1.0), row(1, ry, rh, oh, -1.0)]
    }

    /// The output pixels a canvas rectangle covers (its turned bounding box, one pixel wider
    /// each side for filtering), clipped to the output: x, y, w, h. `None` if empty.
    pub fn output_rect(&self, r: Rect) -> Option<[u32; 4]> {
        let corners = [
            self.to_output(r.x, r.y),
            self.to_output(r.x + r.w, r.y),
            self.to_output(r.x, r.y + r.h),
            self.to_output(r.x + r.w, r.y + r.h),
        ];
        let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for (x, y) in corners {
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x);
            y1 = y1.max(y);
        }
        let clamp = |v: f32, max: u32| (v.max(0.0) as u32).min(max);
        let (ow, oh) = self.output;
        let (x0, y0) = (clamp(x0.floor() - 1.0, ow), clamp(y0.floor() - 1.0, oh));
        let (x1, y1) = (clamp(x1.ceil() + 1.0, ow), clamp(y1.ceil() + 1.0, oh));
        (x1 > x0 && y1 > y0).then(|| [x0, y0, x1 - x0, y1 - y0])
    }

    /// Where a canvas point lands on the output, in output pixels (tests, hit checks).
    pub fn to_output(&self, x: f32, y: f32) -> (f32, f32) {
        let [m0, m1] = self.matrix();
        let cx = m0[0] * x + m0[1] * y + m0[2];
        let cy = m1[0] * x + m1[1] * y + m1[2];
        (
            (cx + 1.0) / 2.0 * self.output.0 as f32,
            (1.0 - cy) / 2.0 * self.output.1 as f32,
        )
    }
}

/// What one presented frame shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    /// While cross-fading: the new canvas's opacity over the previous one (0..1).
    pub fade: Option<f32>,
    /// The footer strip's place on the canvas, when the footer is drawn as a strip.
    pub strip: Option<Rect>,
    /// The ticker's line on the canvas and where its text starts now (x from the line's left),
    /// when the footer is drawn from prepared tiles.
    pub ticker: Option<(Rect, f32)>,
    /// 0..=1.
    pub brightness: f32,
}

#[repr(C)]
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Uniform {
    m0: [f32; 4],
    m1: [f32; 4],
    params: [f32; 4],
}

#[repr(C)]
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Instance {
    rect: [f32; 4],
    uv: [f32; 4],
    alpha: f32,
}

/// A layer texture with a bind group for each sampler.
struct Layer {
    target: Offscreen,
    linear: wgpu::BindGroup,
    nearest: wgpu::BindGroup,
}

pub struct Compositor {
    canvas_renderer: Renderer,
    strip_renderer: Renderer,
    canvases: [Layer; 2],
    /// Index of the canvas shown now; the other holds the previous slide.
    current: usize,
    strip: Option<Layer>,
    /// The ticker's whole line, rendered once, in tiles of at most [`TILE_W`] pixels, each
    /// with its x in the line.
    tiles: Vec<(Layer, f32)>,
    /// Instances the present pass can draw.
    capacity: usize,
    pipeline: wgpu::RenderPipeline,
    opaque: wgpu::RenderPipeline,
    /// The present pass's uniform (`Uniform`) and its bind group.
    globals: Globals,
    layout: wgpu::BindGroupLayout,
    samplers: (wgpu::Sampler, wgpu::Sampler),
    instances: wgpu::Buffer,
    output_format: wgpu::TextureFormat,
}

const MAX_LAYERS: usize = 8;
/// Width of one ticker tile.
pub const TILE_W: u32 = 2048;
/// Longest ticker line kept as tiles (a few MiB); longer ones are drawn frame by frame.
pub const MAX_TILED_W: f32 = 32768.0;

impl Compositor {
    /// A compositor for a `width` x `height` canvas presenting to `output_format`.
    pub fn new(
        gpu: &Gpu,
        width: u32,
        height: u32,
        output_format: wgpu::TextureFormat,
    ) -> Compositor {
        let device = &gpu.device;
        let globals = Globals::of_size(device, "present", std::mem::size_of::<Uniform>());
        let layout = super::texture_layout(device, "present");
        let make_pipeline = |blend| {
            super::instanced_quad_pipeline(
                device,
                "present",
                SHADER,
                &[Some(&globals.layout), Some(&layout)],
                &wgpu::vertex_attr_array![0 => Float32x4, 1 => Float32x4, 2 => Float32],
                std::mem::size_of::<Instance>(),
                (output_format, blend),
            )
        };
        let pipeline = make_pipeline(Some(wgpu::BlendState::ALPHA_BLENDING));
        // The first layer is opaque: no need to read what is under it.
        let opaque = make_pipeline(None);
        let sampler = |filter, name| {
            device.create_sampler(&wgpu::SamplerDescriptor {
                label: Some(name),
                address_mode_u: wgpu::AddressMode::ClampToEdge,
                address_mode_v: wgpu::AddressMode::ClampToEdge,
                mag_filter: filter,
                min_filter: filter,
                ..Default::default()
            })
        };
        let samplers = (
            sampler(wgpu::FilterMode::Linear, "bangtin linear sampler"),
            sampler(wgpu::FilterMode::Nearest, "bangtin nearest sampler"),
        );
        // Two canvases while fading, the strip, and every ticker tile a line can show.
        let capacity = MAX_LAYERS.max((width / TILE_W) as usize + 5);
        let instances =
            super::instance_buffer(device, "present", capacity, std::mem::size_of::<Instance>());
        // The canvas in the output's own format when that is sRGB, so that a canvas shown 1:1
        // is copied to the output rather than drawn.
        let canvas_format = if output_format.is_srgb() {
            output_format
        } else {
            TARGET_FORMAT
        };
        let make = || Self::layer(device, &layout, &samplers, (width, height), canvas_format);
        let canvases = [make(), make()];
        Compositor {
            canvas_renderer: Renderer::new(gpu, canvas_format),
            strip_renderer: Renderer::new(gpu, TARGET_FORMAT),
            canvases,
            current: 0,
            strip: None,
            tiles: Vec::new(),
            capacity,
            pipeline,
            opaque,
            globals,
            layout,
            samplers,
            instances,
            output_format,
        }
    }

    fn layer(
        device: &wgpu::Device,
        layout: &wgpu::BindGroupLayout,
        samplers: &(wgpu::Sampler, wgpu::Sampler),
        (width, height): (u32, u32),
        format: wgpu::TextureFormat,
    ) -> Layer {
        let target = Offscreen::with_format(device, width.max(1), height.max(1), format);
        let group = |sampler: &wgpu::Sampler| {
            device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("bangtin layer"),
                layout,
                entries: &[
                    wgpu::BindGroupEntry {
                        binding: 0,
                        resource: wgpu::BindingResource::TextureView(&target.view),
                    },
                    wgpu::BindGroupEntry {
                        binding: 1,
                        resource: wgpu::BindingResource::Sampler(sampler),
                    },
                ],
            })
        };
        let linear = group(&samplers.0);
        let nearest = group(&samplers.1);
        Layer {
            target,
            linear,
            nearest,
        }
    }

    /// The canvas size.
    pub fn canvas_size(&self) -> (u32, u32) {
        let t = &self.canvases[self.current].target;
        (t.width, t.height)
    }

    /// Renders a new slide (the whole canvas); the one shown so far becomes the one faded from.
    pub fn draw_canvas(
        &mut self,
        gpu: &Gpu,
        list: &DisplayList,
        engine: &mut TextEngine,
        images: &dyn Fn(&str) -> Option<DecodedImage>,
    ) -> Result<(), Error> {
        let next = 1 - self.current;
        draw_into(
            &mut self.canvas_renderer,
            gpu,
            &self.canvases[next].target,
            list,
            engine,
            images,
        )?;
        self.current = next;
        Ok(())
    }

    /// Renders the footer strip (`list` is strip-sized); a new size makes a new texture.
    pub fn draw_strip(
        &mut self,
        gpu: &Gpu,
        list: &DisplayList,
        engine: &mut TextEngine,
    ) -> Result<(), Error> {
        let fits = self
            .strip
            .as_ref()
            .is_some_and(|s| (s.target.width, s.target.height) == (list.width, list.height));
        if !fits {
            self.strip = Some(Self::layer(
                &gpu.device,
                &self.layout,
                &self.samplers,
                (list.width, list.height),
                TARGET_FORMAT,
            ));
        }
        let Some(strip) = &self.strip else {
            return Ok(());
        };
        draw_into(
            &mut self.strip_renderer,
            gpu,
            &strip.target,
            list,
            engine,
            &|_| None,
        )
    }

    /// Renders the ticker's line (`run`, at x = 0, `width` pixels wide) once into tiles, over
    /// `background`. Returns false, keeping no tiles, when the line is too long to keep.
    pub fn set_ticker(
        &mut self,
        gpu: &Gpu,
        run: &crate::layout::TextRun,
        width: f32,
        background: crate::layout::Rgba,
        engine: &mut TextEngine,
    ) -> Result<bool, Error> {
        self.tiles.clear();
        if !(1.0..=MAX_TILED_W).contains(&width) {
            return Ok(false);
        }
        let h = run.rect.h.ceil().max(1.0) as u32;
        let n = (width / TILE_W as f32).ceil() as u32;
        for i in 0..n {
            let x = (i * TILE_W) as f32;
            let w = (width - x).min(TILE_W as f32).ceil().max(1.0) as u32;
            let mut line = run.clone();
            line.rect.x = -x;
            line.rect.y = 0.0;
            let list = DisplayList {
                width: w,
                height: h,
                background,
                page: 0,
                pages: 1,
                ops: vec![crate::layout::Op::Text(line)],
            };
            let layer = Self::layer(
                &gpu.device,
                &self.layout,
                &self.samplers,
                (w, h),
                TARGET_FORMAT,
            );
            draw_into(
                &mut self.strip_renderer,
                gpu,
                &layer.target,
                &list,
                engine,
                &|_| None,
            )?;
            self.tiles.push((layer, x));
        }
        Ok(true)
    }

    /// Forgets the ticker's tiles.
    pub fn clear_ticker(&mut self) {
        self.tiles.clear();
    }

    /// Records the present pass onto `target` (a frame of the output's size). With `partial`
    /// (output pixels x, y, w, h), only the footer strip is drawn, inside that rectangle, over
    /// what `target` already holds: a scrolling ticker then costs a thin band, not a screen.
    pub fn present(
        &self,
        gpu: &Gpu,
        encoder: &mut wgpu::CommandEncoder,
        target: &wgpu::Texture,
        placement: &Placement,
        frame: &Frame,
        partial: Option<[u32; 4]>,
    ) {
        let view = target.create_view(&wgpu::TextureViewDescriptor::default());
        let [m0, m1] = placement.matrix();
        let encode = if self.output_format.is_srgb() {
            0.0
        } else {
            1.0
        };
        // Brightness is a percentage of perceived light: scale linear light by its 2.2 power.
        let factor = frame.brightness.clamp(0.0, 1.0).powf(2.2);
        gpu.queue.write_buffer(
            &self.globals.buffer,
            0,
            bytemuck::bytes_of(&Uniform {
                m0: [m0[0], m0[1], m0[2], 0.0],
                m1: [m1[0], m1[1], m1[2], 0.0],
                params: [factor, encode, 0.0, 0.0],
            }),
        );
        let (cw, ch) = self.canvas_size();
        let whole = [0.0, 0.0, cw as f32, ch as f32];
        let full_uv = [0.0, 0.0, 1.0, 1.0];
        let mut layers: Vec<(&Layer, Instance)> = Vec::with_capacity(MAX_LAYERS);
        // A whole frame of the canvas shown 1:1 at full brightness is a copy, not a draw.
        let canvas = &self.canvases[self.current].target;
        let copied = partial.is_none()
            && frame.fade.is_none_or(|a| a >= 1.0)
            && frame.brightness >= 0.999
            && placement.rotation == 0
            && placement.rect == (0.0, 0.0, cw as f32, ch as f32)
            && placement.output == (cw, ch)
            && target.format() == canvas.texture.format()
            && target.usage().contains(wgpu::TextureUsages::COPY_DST)
            && (target.width(), target.height()) == (cw, ch);
        if copied {
            encoder.copy_texture_to_texture(
                canvas.texture.as_image_copy(),
                target.as_image_copy(),
                wgpu::Extent3d {
                    width: cw,
                    height: ch,
                    depth_or_array_layers: 1,
                },
            );
        } else if partial.is_some() {
            // Only the footer's band (scissored): the canvas under it, then the moving text;
            // everything else on the target is already right.
            let band = frame
                .ticker
                .map(|(line, _)| line)
                .or(frame.strip)
                .unwrap_or(Rect::new(0.0, 0.0, cw as f32, ch as f32));
            // While the text fills the whole line, the tiles cover it: nothing under them.
            let covered = match (frame.ticker, self.tiles.last()) {
                (Some((line, x)), Some((last, at))) => {
                    x <= 0.0 && x + at + last.target.width as f32 >= line.w
                }
                _ => false,
            };
            if !covered {
                layers.push((
                    &self.canvases[self.current],
                    Instance {
                        rect: [band.x, band.y, band.w, band.h],
                        uv: [
                            band.x / cw as f32,
                            band.y / ch as f32,
                            band.w / cw as f32,
                            band.h / ch as f32,
                        ],
                        alpha: 1.0,
                    },
                ));
            }
        } else if let Some(alpha) = frame.fade.filter(|a| *a < 1.0) {
            let previous = &self.canvases[1 - self.current];
            layers.push((
                previous,
                Instance {
                    rect: whole,
                    uv: full_uv,
                    alpha: 1.0,
                },
            ));
            layers.push((
                &self.canvases[self.current],
                Instance {
                    rect: whole,
                    uv: full_uv,
                    alpha: alpha.clamp(0.0, 1.0),
                },
            ));
        } else {
            layers.push((
                &self.canvases[self.current],
                Instance {
                    rect: whole,
                    uv: full_uv,
                    alpha: 1.0,
                },
            ));
        }
        if let Some((line, x)) = frame.ticker {
            // The tiles that show inside the line, each cut to it.
            for (tile, at) in &self.tiles {
                let tw = tile.target.width as f32;
                let a = line.x + x + at;
                let (v0, v1) = (a.max(line.x), (a + tw).min(line.x + line.w));
                if v1 <= v0 {
                    continue;
                }
                layers.push((
                    tile,
                    Instance {
                        rect: [v0, line.y, v1 - v0, line.h],
                        uv: [(v0 - a) / tw, 0.0, (v1 - v0) / tw, 1.0],
                        alpha: 1.0,
                    },
                ));
            }
        }
        if let (Some(band), Some(strip)) = (frame.strip, &self.strip) {
            layers.push((
                strip,
                Instance {
                    rect: [band.x, band.y, band.w, band.h],
                    uv: full_uv,
                    alpha: 1.0,
                },
            ));
        }
        layers.truncate(self.capacity);
        let data: Vec<Instance> = layers.iter().map(|(_, i)| *i).collect();
        gpu.queue
            .write_buffer(&self.instances, 0, bytemuck::cast_slice(&data));
        let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("bangtin present pass"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: &view,
                depth_slice: None,
                resolve_target: None,
                ops: wgpu::Operations {
                    load: if partial.is_some() || copied {
                        wgpu::LoadOp::Load
                    } else {
                        wgpu::LoadOp::Clear(wgpu::Color::BLACK)
                    },
                    store: wgpu::StoreOp::Store,
                },
            })],
            depth_stencil_attachment: None,
            timestamp_writes: None,
            occlusion_query_set: None,
            multiview_mask: None,
        });
        if let Some([x, y, w, h]) = partial {
            pass.set_scissor_rect(x, y, w, h);
        }
        pass.set_bind_group(0, &self.globals.bind_group, &[]);
        pass.set_vertex_buffer(0, self.instances.slice(..));
        for (i, (layer, instance)) in layers.iter().enumerate() {
            // Every layer's texture is opaque; only a fading one needs blending.
            pass.set_pipeline(if instance.alpha >= 1.0 {
                &self.opaque
            } else {
                &self.pipeline
            });
            let group = if placement.nearest {
                &layer.nearest
            } else {
                &layer.linear
            };
            pass.set_bind_group(1, group, &[]);
            let i = i as u32;
            pass.draw(0..4, i..i + 1);
        }
    }
}

/// Prepares `list` and renders it into `target` (submitted at once).
fn draw_into(
    renderer: &mut Renderer,
    gpu: &Gpu,
    target: &Offscreen,
    list: &DisplayList,
    engine: &mut TextEngine,
    images: &dyn Fn(&str) -> Option<DecodedImage>,
) -> Result<(), Error> {
    renderer.prepare(gpu, list, engine, images)?;
    let mut encoder = gpu
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("bangtin layer encoder"),
        });
    {
        let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("bangtin layer pass"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: &target.view,
                depth_slice: None,
                resolve_target: None,
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Clear(renderer.clear_color()),
                    store: wgpu::StoreOp::Store,
                },
            })],
            depth_stencil_attachment: None,
            timestamp_writes: None,
            occlusion_query_set: None,
            multiview_mask: None,
        });
        renderer.render(&mut pass)?;
    }
    gpu.queue.submit([encoder.finish()]);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: (f32, f32), b: (f32, f32)) -> bool {
        (a.0 - b.0).abs() < 0.01 && (a.1 - b.1).abs() < 0.01
    }

    #[test]
    fn unrotated_full_screen_is_the_identity_on_pixels() {
        let p = Placement::new((1920, 1080), 0, (1920, 1080), None, Scaling::Auto);
        assert!(!p.nearest);
        assert!(close(p.to_output(0.0, 0.0), (0.0, 0.0)));
        assert!(close(p.to_output(1920.0, 1080.0), (1920.0, 1080.0)));
        assert!(close(p.to_output(100.0, 50.0), (100.0, 50.0)));
    }

    #[test]
    fn quarter_turns_put_the_canvas_corner_where_expected() {
        // A portrait canvas on a landscape monitor mounted turned: canvas top-left goes to the
        // top-right after a clockwise quarter turn, to the bottom-left after three.
        let p = Placement::new((1080, 1920), 90, (1920, 1080), None, Scaling::Auto);
        assert_eq!(p.rect, (0.0, 0.0, 1920.0, 1080.0));
        assert!(close(p.to_output(0.0, 0.0), (1920.0, 0.0)));
        assert!(close(p.to_output(1080.0, 0.0), (1920.0, 1080.0)));
        assert!(close(p.to_output(0.0, 1920.0), (0.0, 0.0)));
        let p = Placement::new((1080, 1920), 270, (1920, 1080), None, Scaling::Auto);
        assert!(close(p.to_output(0.0, 0.0), (0.0, 1080.0)));
        let p = Placement::new((1920, 1080), 180, (1920, 1080), None, Scaling::Auto);
        assert!(close(p.to_output(0.0, 0.0), (1920.0, 1080.0)));
        assert!(close(p.to_output(1920.0, 1080.0), (0.0, 0.0)));
    }

    #[test]
    fn led_canvas_fills_its_region_with_crisp_pixels() {
        let region = Region {
            x: 100,
            y: 20,
            width: 384,
            height: 192,
        };
        let p = Placement::new((192, 96), 0, (1920, 1080), Some(region), Scaling::Auto);
        assert!(p.nearest);
        assert!(close(p.to_output(0.0, 0.0), (100.0, 20.0)));
        assert!(close(p.to_output(192.0, 96.0), (484.0, 212.0)));
        // Without a region: the largest whole multiple that fits, centred.
        let p = Placement::new((192, 96), 0, (1920, 1080), None, Scaling::Auto);
        assert_eq!(p.rect, (0.0, 60.0, 1920.0, 960.0));
        let p = Placement::new((1280, 720), 0, (1920, 1080), None, Scaling::Nearest);
        assert_eq!(p.rect, (320.0, 180.0, 1280.0, 720.0));
        let p = Placement::new((1280, 720), 0, (1920, 1080), None, Scaling::Auto);
        assert_eq!(p.rect, (0.0, 0.0, 1920.0, 1080.0));
        assert!(!p.nearest);
    }
}
