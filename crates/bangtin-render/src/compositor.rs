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
use crate::placement::Placement;
use crate::video::{self, FrameError, Planes, VideoPipeline, VideoTexture};
use bangtin_layout::{DisplayList, Rect, TextEngine};
use bangtin_media::DecodedImage;

/// The present pass's canvas layers: the shared vertex stage, then their fragment stage.
pub const SHADER: &str = concat!(
    include_str!("../../../shaders/present_vertex.wgsl"),
    include_str!("../../../shaders/present.wgsl")
);

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

/// What the present pass samples for one layer: its bind group for each sampler, and whether
/// it is a video frame's planes (drawn by the YUV pipelines).
#[derive(Clone, Copy)]
struct Bound<'a> {
    linear: &'a wgpu::BindGroup,
    nearest: &'a wgpu::BindGroup,
    yuv: bool,
}

impl Layer {
    fn bound(&self) -> Bound<'_> {
        Bound {
            linear: &self.linear,
            nearest: &self.nearest,
            yuv: false,
        }
    }
}

/// A canvas's video: the area the slide keeps for it and its latest frame's planes.
#[derive(Default)]
struct VideoLayer {
    area: Option<Rect>,
    texture: Option<VideoTexture>,
    /// A frame of the video now in `area` was uploaded.
    shown: bool,
}

impl VideoLayer {
    /// Whether its frame hides the whole of a `cw` x `ch` canvas (a full-screen clip without
    /// bars): the canvas under it need not be drawn.
    fn covers(&self, (cw, ch): (u32, u32)) -> bool {
        let (Some(area), Some(texture)) = (self.area, self.texture.as_ref()) else {
            return false;
        };
        let r = video::fit(area, texture.size);
        self.shown
            && r.x <= 0.5
            && r.y <= 0.5
            && r.x + r.w >= cw as f32 - 0.5
            && r.y + r.h >= ch as f32 - 0.5
    }

    /// The layer's draw, when it has a frame for its area.
    fn draw(&self, alpha: f32) -> Option<(Bound<'_>, Instance)> {
        let (area, texture) = (self.area?, self.texture.as_ref()?);
        if !self.shown {
            return None;
        }
        let r = video::fit(area, texture.size);
        Some((
            Bound {
                linear: &texture.group,
                nearest: &texture.group,
                yuv: true,
            },
            Instance {
                rect: [r.x, r.y, r.w, r.h],
                uv: [0.0, 0.0, 1.0, 1.0],
                alpha,
            },
        ))
    }
}

pub struct Compositor {
    canvas_renderer: Renderer,
    strip_renderer: Renderer,
    canvases: [Layer; 2],
    /// Index of the canvas shown now; the other holds the previous slide.
    current: usize,
    strip: Option<Layer>,
    /// Each canvas's video, if its slide has one.
    videos: [VideoLayer; 2],
    /// The planes' layout, and the present pipelines for video layers (opaque, blended),
    /// made with the first frame.
    video_pipeline: Option<(VideoPipeline, wgpu::RenderPipeline, wgpu::RenderPipeline)>,
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

const MAX_LAYERS: usize = 10;
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
        let capacity = MAX_LAYERS.max((width / TILE_W) as usize + 7);
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
        // The first frame's shaders compile while the board lays it out.
        let mut canvas_renderer = Renderer::new(gpu, canvas_format);
        canvas_renderer.warm_up(gpu);
        Compositor {
            canvas_renderer,
            strip_renderer: Renderer::new(gpu, TARGET_FORMAT),
            canvases,
            current: 0,
            strip: None,
            videos: Default::default(),
            video_pipeline: None,
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

    /// Keeps `area` of the canvas just drawn for a video (`None`: its slide has none). Until
    /// a frame is uploaded, the canvas itself shows there.
    /// `same`: the slide is the one shown before, drawn again: its video goes on showing.
    pub fn set_video_area(&mut self, area: Option<Rect>, same: bool) {
        if same {
            self.videos.swap(0, 1);
            let layer = &mut self.videos[self.current];
            layer.shown &= layer.area == area;
            layer.area = area;
        } else {
            let layer = &mut self.videos[self.current];
            layer.area = area;
            layer.shown = false;
        }
    }

    /// Whether the canvas shown now keeps an area for a video.
    pub fn video_area(&self) -> Option<Rect> {
        self.videos[self.current].area
    }

    /// Uploads a decoded frame's planes for the current canvas's video (drawn, converted to
    /// RGB, by the next present pass).
    pub fn upload_video(&mut self, gpu: &Gpu, frame: &Planes<'_>) -> Result<(), FrameError> {
        let device = &gpu.device;
        let (globals, format) = (&self.globals.layout, self.output_format);
        let (pipeline, ..) = self.video_pipeline.get_or_insert_with(|| {
            let planes = VideoPipeline::new(device);
            let make = |blend| {
                super::instanced_quad_pipeline(
                    device,
                    "present yuv",
                    video::SHADER,
                    &[Some(globals), Some(&planes.layout)],
                    &wgpu::vertex_attr_array![0 => Float32x4, 1 => Float32x4, 2 => Float32],
                    std::mem::size_of::<Instance>(),
                    (format, blend),
                )
            };
            let blended = make(Some(wgpu::BlendState::ALPHA_BLENDING));
            let opaque = make(None);
            (planes, opaque, blended)
        });
        let layer = &mut self.videos[self.current];
        pipeline.upload(device, &gpu.queue, &mut layer.texture, frame)?;
        layer.shown = true;
        Ok(())
    }

    /// Frees the video textures of canvases that show none (after the last video slide).
    pub fn drop_unused_videos(&mut self) {
        for layer in &mut self.videos {
            if layer.area.is_none() {
                *layer = VideoLayer::default();
            }
        }
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
        run: &bangtin_layout::TextRun,
        width: f32,
        background: bangtin_layout::Rgba,
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
                ops: vec![bangtin_layout::Op::Text(line)],
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
        let mut layers: Vec<(Bound<'_>, Instance)> = Vec::with_capacity(MAX_LAYERS);
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
        // A clip filling the whole canvas hides it: only the clip is drawn.
        let covered = self.videos[self.current].covers((cw, ch));
        if copied && covered {
            layers.extend(self.videos[self.current].draw(1.0));
        } else if copied {
            encoder.copy_texture_to_texture(
                canvas.texture.as_image_copy(),
                target.as_image_copy(),
                wgpu::Extent3d {
                    width: cw,
                    height: ch,
                    depth_or_array_layers: 1,
                },
            );
            layers.extend(self.videos[self.current].draw(1.0));
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
                    self.canvases[self.current].bound(),
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
            let previous = 1 - self.current;
            let alpha = alpha.clamp(0.0, 1.0);
            layers.push((
                self.canvases[previous].bound(),
                Instance {
                    rect: whole,
                    uv: full_uv,
                    alpha: 1.0,
                },
            ));
            layers.extend(self.videos[previous].draw(1.0));
            layers.push((
                self.canvases[self.current].bound(),
                Instance {
                    rect: whole,
                    uv: full_uv,
                    alpha,
                },
            ));
            layers.extend(self.videos[self.current].draw(alpha));
        } else {
            if !covered {
                layers.push((
                    self.canvases[self.current].bound(),
                    Instance {
                        rect: whole,
                        uv: full_uv,
                        alpha: 1.0,
                    },
                ));
            }
            layers.extend(self.videos[self.current].draw(1.0));
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
                    tile.bound(),
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
                strip.bound(),
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
            let opaque = instance.alpha >= 1.0;
            let pipeline = match (&self.video_pipeline, layer.yuv) {
                (Some((_, yuv_opaque, _)), true) if opaque => yuv_opaque,
                (Some((_, _, yuv_blended)), true) => yuv_blended,
                _ if opaque => &self.opaque,
                _ => &self.pipeline,
            };
            pass.set_pipeline(pipeline);
            let group = if placement.nearest {
                layer.nearest
            } else {
                layer.linear
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
    let encoder = renderer.encode_into(gpu, target, list, engine, images)?;
    gpu.queue.submit([encoder.finish()]);
    Ok(())
}
