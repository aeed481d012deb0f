//! The board's wgpu renderer: the only crate that draws.
//!
//! - [`Renderer`]: `prepare` uploads a [`DisplayList`] (quads, image textures, glyphon text);
//!   `render` only records draws into a pass. Draw order is the display list's: consecutive
//!   quads become one instanced draw, consecutive text runs one glyphon renderer, images one
//!   draw each. One module and one WGSL file (`shaders/`) per pipeline.
//! - [`compositor::Compositor`]: slides rendered once into a canvas texture, the ticker's
//!   line into tiles, and each presented frame put together from them through a
//!   [`Placement`] (rotation, LED scaling, fades, brightness).
//! - [`Gpu`], [`Offscreen`] and read-back: a device from the environment (Mesa's software
//!   drivers when there is no GPU) and frames read back as pixels for PNGs and screenshots.
//!
//! What it must never do: read the board's config (it has its own [`Placement`] types), spawn
//! a thread, block on the network or do file I/O; a caller writes the pixels it gets back.
//! Errors come back as [`Error`]/[`GpuError`]; the caller decides whether to keep the last
//! good frame.

pub mod compositor;
mod gpu;
mod image_pipeline;
pub mod placement;
mod quad;
pub mod video;
mod warm_up;

pub use gpu::{
    instance_flags, read_texture_with, Gpu, GpuError, MappedFrame, Offscreen, NO_ADAPTER_HELP,
};
pub use placement::{OutputRegion, Placement, Sampling};

/// Opens the GPU the environment gives and a renderer for offscreen frames (`bangtin render`,
/// previews): Vulkan or OpenGL, Mesa's software drivers when there is no GPU.
pub fn offscreen() -> Result<(Gpu, Renderer), GpuError> {
    let t0 = std::time::Instant::now();
    let gpu = Gpu::new()?;
    log::debug!("GPU opened in {:?}", t0.elapsed());
    let mut renderer = Renderer::new(&gpu, TARGET_FORMAT);
    renderer.warm_up(&gpu);
    log::debug!("GPU opened and renderer made in {:?}", t0.elapsed());
    Ok((gpu, renderer))
}

use bangtin_layout::TextRun;
use bangtin_layout::{DisplayList, Op, Rgba, TextEngine};
use bangtin_media::DecodedImage;
use glyphon::{
    Cache, Color, Resolution, SwashCache, TextArea, TextAtlas, TextBounds, TextRenderer, Viewport,
};
use std::collections::HashSet;
use std::ops::Range;

/// The format every target is rendered in: sRGB, so blending happens in linear light.
pub const TARGET_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8UnormSrgb;

/// Why a frame could not be drawn; the caller keeps the last good frame (degraded).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("text preparation failed: {0}")]
    Text(String),
    #[error("reading the frame back failed: {0}")]
    Readback(String),
}

/// The uniform both shape pipelines read: the target size in pixels.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
struct GlobalsUniform {
    /// Width, height, and two lanes of padding (WGSL aligns vec4 to 16 bytes).
    screen: [f32; 4],
}

/// The shared uniform buffer and its bind group (group 0 of every pipeline).
pub struct Globals {
    buffer: wgpu::Buffer,
    layout: wgpu::BindGroupLayout,
    bind_group: wgpu::BindGroup,
}

impl Globals {
    fn new(device: &wgpu::Device) -> Globals {
        Self::of_size(device, "globals", std::mem::size_of::<GlobalsUniform>())
    }

    /// A uniform buffer of `size` bytes, seen by both shader stages, with its bind group.
    pub(crate) fn of_size(device: &wgpu::Device, name: &str, size: usize) -> Globals {
        let buffer = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(&format!("bangtin {name}")),
            size: size as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some(&format!("bangtin {name} layout")),
            entries: &[wgpu::BindGroupLayoutEntry {
                binding: 0,
                visibility: wgpu::ShaderStages::VERTEX_FRAGMENT,
                ty: wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Uniform,
                    has_dynamic_offset: false,
                    min_binding_size: None,
                },
                count: None,
            }],
        });
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(&format!("bangtin {name} bind group")),
            layout: &layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: buffer.as_entire_binding(),
            }],
        });
        Globals {
            buffer,
            layout,
            bind_group,
        }
    }
}

/// One draw step, in display-list order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// A run of consecutive quads: instance indices.
    Quads(Range<u32>),
    /// One image: its slot.
    Image(u32),
    /// A run of consecutive text ops, drawn by text renderer `n`.
    Text(usize),
}

/// Cuts a display list into draw steps that keep its painter's order. `has_image` says whether
/// the image of an op is available (missing images are skipped).
fn plan(list: &DisplayList, has_image: impl Fn(&str) -> bool) -> (Vec<Step>, Vec<Vec<usize>>) {
    let mut steps: Vec<Step> = Vec::new();
    let mut texts: Vec<Vec<usize>> = Vec::new();
    let (mut quads, mut images) = (0u32, 0u32);
    for (i, op) in list.ops.iter().enumerate() {
        match op {
            Op::Quad { .. } => {
                match steps.last_mut() {
                    Some(Step::Quads(r)) => r.end += 1,
                    _ => steps.push(Step::Quads(quads..quads + 1)),
                }
                quads += 1;
            }
            Op::Image { sha256, .. } => {
                if has_image(sha256) {
                    steps.push(Step::Image(images));
                    images += 1;
                }
            }
            Op::Video { .. } => {}
            Op::Text(_) => match steps.last() {
                Some(Step::Text(n)) => texts[*n].push(i),
                _ => {
                    steps.push(Step::Text(texts.len()));
                    texts.push(vec![i]);
                }
            },
        }
    }
    (steps, texts)
}

/// The board's renderer for one target format.
pub struct Renderer {
    globals: Globals,
    quads: quad::QuadPipeline,
    images: image_pipeline::ImagePipeline,
    atlas: TextAtlas,
    viewport: Viewport,
    swash: SwashCache,
    text_renderers: Vec<TextRenderer>,
    steps: Vec<Step>,
    background: wgpu::Color,
    format: wgpu::TextureFormat,
    cache: Cache,
}

impl Renderer {
    pub fn new(gpu: &Gpu, format: wgpu::TextureFormat) -> Renderer {
        let cache = Cache::new(&gpu.device);
        let atlas = TextAtlas::new(&gpu.device, &gpu.queue, &cache, format);
        let viewport = Viewport::new(&gpu.device, &cache);
        let globals = Globals::new(&gpu.device);
        Renderer {
            quads: quad::QuadPipeline::new(&gpu.device, format, &globals.layout),
            images: image_pipeline::ImagePipeline::new(&gpu.device, format, &globals.layout),
            globals,
            atlas,
            viewport,
            swash: SwashCache::new(),
            text_renderers: Vec::new(),
            steps: Vec::new(),
            background: wgpu::Color::BLACK,
            format,
            cache,
        }
    }

    /// Uploads everything `list` needs. `images` gives decoded images by sha256; an image that
    /// is missing is skipped (layout normally leaves such images out already).
    pub fn prepare(
        &mut self,
        gpu: &Gpu,
        list: &DisplayList,
        engine: &mut TextEngine,
        images: &dyn Fn(&str) -> Option<DecodedImage>,
    ) -> Result<(), Error> {
        let (w, h) = (list.width.max(1), list.height.max(1));
        self.background = to_wgpu(list.background);
        gpu.queue.write_buffer(
            &self.globals.buffer,
            0,
            bytemuck::bytes_of(&GlobalsUniform {
                screen: [w as f32, h as f32, 0.0, 0.0],
            }),
        );

        let mut quads = Vec::new();
        let mut image_draws = Vec::new();
        for op in &list.ops {
            match op {
                Op::Quad { rect, color } => quads.push(quad::Instance::new(*rect, *color)),
                Op::Image { rect, sha256 } => {
                    if let Some(img) = images(sha256) {
                        image_draws.push((sha256.as_str(), img, *rect));
                    }
                }
                Op::Text(_) | Op::Video { .. } => {}
            }
        }
        let available: HashSet<&str> = image_draws.iter().map(|(sha, _, _)| *sha).collect();
        let (steps, texts) = plan(list, |sha| available.contains(sha));
        self.steps = steps;
        self.quads.prepare(&gpu.device, &gpu.queue, &quads);
        self.images.prepare(&gpu.device, &gpu.queue, &image_draws);

        self.viewport.update(
            &gpu.queue,
            Resolution {
                width: w,
                height: h,
            },
        );
        while self.text_renderers.len() < texts.len() {
            self.text_renderers.push(TextRenderer::new(
                &mut self.atlas,
                &gpu.device,
                wgpu::MultisampleState::default(),
                None,
            ));
        }
        engine.next_generation();
        let keys: Vec<Vec<(u64, &TextRun)>> = texts
            .iter()
            .map(|group| {
                group
                    .iter()
                    .filter_map(|&i| match &list.ops[i] {
                        Op::Text(run) => Some((engine.ensure(run), run)),
                        _ => None,
                    })
                    .collect()
            })
            .collect();
        let (font_system, buffer) = engine.split();
        for (group, renderer) in keys.iter().zip(self.text_renderers.iter_mut()) {
            let areas = group.iter().filter_map(|&(key, run)| {
                let [r, g, b, a] = run.color.0;
                Some(TextArea {
                    buffer: buffer(key)?,
                    left: run.rect.x,
                    top: run.rect.y,
                    scale: 1.0,
                    bounds: TextBounds {
                        left: 0,
                        top: 0,
                        right: w as i32,
                        bottom: h as i32,
                    },
                    default_color: Color::rgba(r, g, b, a),
                    custom_glyphs: &[],
                })
            });
            renderer
                .prepare(
                    &gpu.device,
                    &gpu.queue,
                    font_system,
                    &mut self.atlas,
                    &self.viewport,
                    areas,
                    &mut self.swash,
                )
                .map_err(|e| Error::Text(e.to_string()))?;
        }
        self.atlas.trim();
        Ok(())
    }

    /// The colour the target is cleared with (the slide's background).
    pub fn clear_color(&self) -> wgpu::Color {
        self.background
    }

    /// Records the draws of the prepared display list into `pass`.
    pub fn render(&self, pass: &mut wgpu::RenderPass<'_>) -> Result<(), Error> {
        for step in &self.steps {
            match step {
                Step::Quads(range) => self.quads.draw(pass, &self.globals, range.clone()),
                Step::Image(slot) => self.images.draw(pass, &self.globals, *slot),
                Step::Text(n) => {
                    if let Some(text) = self.text_renderers.get(*n) {
                        text.render(&self.atlas, &self.viewport, pass)
                            .map_err(|e| Error::Text(e.to_string()))?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Renders `list` offscreen and reads the frame back as RGBA8 (sRGB).
    pub fn render_offscreen(
        &mut self,
        gpu: &Gpu,
        list: &DisplayList,
        engine: &mut TextEngine,
        images: &dyn Fn(&str) -> Option<DecodedImage>,
    ) -> Result<image::RgbaImage, Error> {
        self.render_offscreen_with(gpu, list, engine, images, |frame| frame.to_image())?
    }

    /// Renders `list` offscreen and hands the mapped frame to `f` (no extra copy of it).
    pub fn render_offscreen_with<R>(
        &mut self,
        gpu: &Gpu,
        list: &DisplayList,
        engine: &mut TextEngine,
        images: &dyn Fn(&str) -> Option<DecodedImage>,
        f: impl FnOnce(&MappedFrame<'_>) -> R,
    ) -> Result<R, Error> {
        let t0 = std::time::Instant::now();
        let target = gpu::Offscreen::new(&gpu.device, list.width.max(1), list.height.max(1));
        let encoder = self.encode_into(gpu, &target, list, engine, images)?;
        log::debug!(
            "prepared (glyphs rasterised, uploads queued) in {:?}",
            t0.elapsed()
        );
        let frame = target.read_back_with(gpu, encoder, f);
        log::debug!("drawn and read back at {:?}", t0.elapsed());
        frame
    }
}

impl Renderer {
    /// Prepares `list` and records it, cleared first, into `target`: the encoder to submit
    /// (the compositor's layers) or to read back from (offscreen pictures).
    pub(crate) fn encode_into(
        &mut self,
        gpu: &Gpu,
        target: &gpu::Offscreen,
        list: &DisplayList,
        engine: &mut TextEngine,
        images: &dyn Fn(&str) -> Option<DecodedImage>,
    ) -> Result<wgpu::CommandEncoder, Error> {
        self.prepare(gpu, list, engine, images)?;
        let mut encoder = gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("bangtin encoder"),
            });
        {
            let clear = self.clear_color();
            let mut pass = cleared_pass(&mut encoder, &target.view, clear, "bangtin pass");
            self.render(&mut pass)?;
        }
        Ok(encoder)
    }
}

/// A pipeline drawing one instanced quad (a 4-vertex triangle strip) per instance, from a WGSL
/// file with `vs_main`/`fs_main` (blending straight alpha, or opaque with `blend: None`): what
/// every shape pipeline shares.
pub(crate) fn instanced_quad_pipeline(
    device: &wgpu::Device,
    name: &str,
    shader: &str,
    bind_group_layouts: &[Option<&wgpu::BindGroupLayout>],
    attributes: &[wgpu::VertexAttribute],
    stride: usize,
    (format, blend): (wgpu::TextureFormat, Option<wgpu::BlendState>),
) -> wgpu::RenderPipeline {
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(&format!("bangtin {name} shader")),
        source: wgpu::ShaderSource::Wgsl(shader.into()),
    });
    let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some(&format!("bangtin {name} pipeline layout")),
        bind_group_layouts,
        immediate_size: 0,
    });
    device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label: Some(&format!("bangtin {name} pipeline")),
        layout: Some(&layout),
        vertex: wgpu::VertexState {
            module: &module,
            entry_point: Some("vs_main"),
            compilation_options: Default::default(),
            buffers: &[Some(wgpu::VertexBufferLayout {
                array_stride: stride as u64,
                step_mode: wgpu::VertexStepMode::Instance,
                attributes,
            })],
        },
        primitive: wgpu::PrimitiveState {
            topology: wgpu::PrimitiveTopology::TriangleStrip,
            ..Default::default()
        },
        depth_stencil: None,
        multisample: wgpu::MultisampleState::default(),
        fragment: Some(wgpu::FragmentState {
            module: &module,
            entry_point: Some("fs_main"),
            compilation_options: Default::default(),
            targets: &[Some(wgpu::ColorTargetState {
                format,
                blend,
                write_mask: wgpu::ColorWrites::ALL,
            })],
        }),
        multiview_mask: None,
        cache: None,
    })
}

/// The bind group layout of one filterable 2D texture (binding 0) and its sampler (binding 1),
/// for the fragment stage: every textured pipeline's group 1.
pub(crate) fn texture_layout(device: &wgpu::Device, name: &str) -> wgpu::BindGroupLayout {
    device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some(&format!("bangtin {name} texture layout")),
        entries: &[texture_entry(0), sampler_entry(1)],
    })
}

/// A filterable 2D texture at `binding`, for the fragment stage.
pub(crate) fn texture_entry(binding: u32) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::FRAGMENT,
        ty: wgpu::BindingType::Texture {
            sample_type: wgpu::TextureSampleType::Float { filterable: true },
            view_dimension: wgpu::TextureViewDimension::D2,
            multisampled: false,
        },
        count: None,
    }
}

/// A filtering sampler at `binding`, for the fragment stage.
pub(crate) fn sampler_entry(binding: u32) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::FRAGMENT,
        ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering),
        count: None,
    }
}

/// A vertex buffer for `capacity` instances of `stride` bytes, written each frame.
pub(crate) fn instance_buffer(
    device: &wgpu::Device,
    name: &str,
    capacity: usize,
    stride: usize,
) -> wgpu::Buffer {
    device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(&format!("bangtin {name} instances")),
        size: (capacity * stride) as u64,
        usage: wgpu::BufferUsages::VERTEX | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    })
}

/// sRGB byte to linear light.
pub(crate) fn srgb_to_linear(c: u8) -> f32 {
    let c = f32::from(c) / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// A render pass into `view` that starts by clearing it to `clear`.
fn cleared_pass<'e>(
    encoder: &'e mut wgpu::CommandEncoder,
    view: &wgpu::TextureView,
    clear: wgpu::Color,
    label: &str,
) -> wgpu::RenderPass<'e> {
    encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
        label: Some(label),
        color_attachments: &[Some(wgpu::RenderPassColorAttachment {
            view,
            depth_slice: None,
            resolve_target: None,
            ops: wgpu::Operations {
                load: wgpu::LoadOp::Clear(clear),
                store: wgpu::StoreOp::Store,
            },
        })],
        depth_stencil_attachment: None,
        timestamp_writes: None,
        occlusion_query_set: None,
        multiview_mask: None,
    })
}

fn to_wgpu(c: Rgba) -> wgpu::Color {
    let [r, g, b, a] = c.0;
    wgpu::Color {
        r: f64::from(srgb_to_linear(r)),
        g: f64::from(srgb_to_linear(g)),
        b: f64::from(srgb_to_linear(b)),
        a: f64::from(a) / 255.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bangtin_layout::{Align, Face, Rect, TextRun};

    fn quad() -> Op {
        Op::Quad {
            rect: Rect::new(0.0, 0.0, 1.0, 1.0),
            color: Rgba::hex(0),
        }
    }

    fn text() -> Op {
        Op::Text(TextRun {
            rect: Rect::new(0.0, 0.0, 1.0, 1.0),
            text: "a".into(),
            face: Face::Sans,
            weight: 400,
            size: 10.0,
            line_height: 14.0,
            color: Rgba::hex(0),
            align: Align::Left,
            lines: vec!["a".into()],
        })
    }

    fn image() -> Op {
        Op::Image {
            rect: Rect::new(0.0, 0.0, 1.0, 1.0),
            sha256: "ab".into(),
        }
    }

    fn list(ops: Vec<Op>) -> DisplayList {
        DisplayList {
            width: 1,
            height: 1,
            background: Rgba::hex(0),
            page: 0,
            pages: 1,
            ops,
        }
    }

    #[test]
    fn plan_keeps_painters_order_and_batches_runs() {
        let l = list(vec![
            quad(),
            quad(),
            text(),
            text(),
            image(),
            quad(),
            text(),
            quad(),
        ]);
        let (steps, texts) = plan(&l, |_| true);
        assert_eq!(
            steps,
            vec![
                Step::Quads(0..2),
                Step::Text(0),
                Step::Image(0),
                Step::Quads(2..3),
                Step::Text(1),
                Step::Quads(3..4),
            ]
        );
        assert_eq!(texts, vec![vec![2, 3], vec![6]]);
    }

    #[test]
    fn plan_skips_missing_images() {
        let l = list(vec![quad(), image(), quad()]);
        let (steps, _) = plan(&l, |_| false);
        assert_eq!(steps, vec![Step::Quads(0..2)]);
    }

    #[test]
    fn globals_uniform_matches_the_wgsl_struct() {
        // `struct Globals { screen: vec4<f32> }` is 16 bytes.
        assert_eq!(std::mem::size_of::<GlobalsUniform>(), 16);
        assert_eq!(std::mem::size_of::<quad::Instance>(), 32);
        assert_eq!(std::mem::size_of::<image_pipeline::Instance>(), 16);
    }

    #[test]
    fn srgb_conversion_endpoints() {
        assert_eq!(srgb_to_linear(0), 0.0);
        assert!((srgb_to_linear(255) - 1.0).abs() < 1e-6);
        assert!((srgb_to_linear(188) - 0.5).abs() < 0.01);
    }
}
