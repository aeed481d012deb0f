//! The first frame's shader compilation, started before the frame is ready.

use super::{cleared_pass, gpu, quad, GlobalsUniform, Gpu, Renderer, Step};
use bangtin_layout::{Rect, Rgba};
use bangtin_media::DecodedImage;
use glyphon::{
    fontdb, Buffer, Color, ContentType, CustomGlyph, FontSystem, Metrics, RasterizedCustomGlyph,
    Resolution, TextArea, TextAtlas, TextBounds, TextRenderer, Viewport,
};

impl Renderer {
    /// Draws a quad, an image and a glyph into a small target and submits it without waiting.
    ///
    /// A software driver (Mesa's lavapipe) compiles each pipeline's shaders for the state it
    /// is drawn with at its first draw, on its own queue thread: 10 to 15 ms on two cores that
    /// the first frame would otherwise wait for. Submitted as soon as the GPU is open, it runs
    /// while the caller lays out and rasterises the first frame's glyphs. The draws match the
    /// real ones in everything a compiled shader depends on (pipelines, target and texture
    /// formats, samplers, the images' non-power-of-two sizes), not in size.
    pub fn warm_up(&mut self, gpu: &Gpu) {
        const SIZE: u32 = 6;
        let target = gpu::Offscreen::with_format(&gpu.device, SIZE, SIZE, self.format);
        let rect = Rect::new(0.0, 0.0, SIZE as f32, SIZE as f32);
        gpu.queue.write_buffer(
            &self.globals.buffer,
            0,
            bytemuck::bytes_of(&GlobalsUniform {
                screen: [SIZE as f32, SIZE as f32, 0.0, 0.0],
            }),
        );
        self.quads.prepare(
            &gpu.device,
            &gpu.queue,
            &[quad::Instance::new(rect, Rgba([255, 255, 255, 255]))],
        );
        let image = DecodedImage {
            width: 3,
            height: 3,
            rgba: std::sync::Arc::new(vec![255; 3 * 3 * 4]),
        };
        self.images
            .prepare(&gpu.device, &gpu.queue, &[("warm-up", image, rect)]);
        // The glyph goes through an atlas of its own (same formats and sizes, same pipeline
        // from the shared cache): the board's atlas must only ever hold glyphs of fonts.
        let mut atlas = TextAtlas::new(&gpu.device, &gpu.queue, &self.cache, self.format);
        let mut viewport = Viewport::new(&gpu.device, &self.cache);
        viewport.update(
            &gpu.queue,
            Resolution {
                width: SIZE,
                height: SIZE,
            },
        );
        let mut text = TextRenderer::new(
            &mut atlas,
            &gpu.device,
            wgpu::MultisampleState::default(),
            None,
        );
        let glyph = CustomGlyph {
            id: 0,
            left: 1.0,
            top: 1.0,
            width: 2.0,
            height: 2.0,
            color: None,
            snap_to_physical_pixel: true,
            metadata: 0,
        };
        let mut fonts = FontSystem::new_with_locale_and_db("vi".into(), fontdb::Database::new());
        let buffer = Buffer::new_empty(Metrics::new(1.0, 1.0));
        let area = TextArea {
            buffer: &buffer,
            left: 0.0,
            top: 0.0,
            scale: 1.0,
            bounds: TextBounds {
                left: 0,
                top: 0,
                right: SIZE as i32,
                bottom: SIZE as i32,
            },
            default_color: Color::rgb(255, 255, 255),
            custom_glyphs: std::slice::from_ref(&glyph),
        };
        let prepared = text.prepare_with_custom(
            &gpu.device,
            &gpu.queue,
            &mut fonts,
            &mut atlas,
            &viewport,
            [area],
            &mut self.swash,
            |request| {
                Some(RasterizedCustomGlyph {
                    data: vec![255; usize::from(request.width) * usize::from(request.height)],
                    content_type: ContentType::Mask,
                })
            },
        );
        self.steps = vec![Step::Quads(0..1), Step::Image(0)];
        let mut encoder = gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("bangtin warm-up"),
            });
        {
            let mut pass = cleared_pass(
                &mut encoder,
                &target.view,
                wgpu::Color::BLACK,
                "bangtin warm-up pass",
            );
            if let Err(e) = self.render(&mut pass) {
                log::debug!("warm-up draw not recorded: {e}");
            }
            if prepared.is_ok() {
                if let Err(e) = text.render(&atlas, &viewport, &mut pass) {
                    log::debug!("warm-up text not recorded: {e}");
                }
            }
        }
        gpu.queue.submit([encoder.finish()]);
        self.steps.clear();
    }
}
