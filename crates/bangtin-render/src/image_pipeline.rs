//! Textured rectangles (`shaders/image.wgsl`): one texture and one instance per image.
//!
//! Textures are cached by (sha256, uploaded size) across frames, so a slide shown again costs
//! no upload; images much larger than where they are drawn are downscaled on the CPU first
//! (a filtered resize looks far better than minifying a huge texture without mipmaps).

use super::Globals;
use bangtin_layout::Rect;
use bangtin_media::DecodedImage;
use std::collections::HashMap;

pub const SHADER: &str = include_str!("../../../shaders/image.wgsl");

/// An image is downscaled before upload when it is this many times larger than its rectangle.
const DOWNSCALE_ABOVE: f32 = 1.5;

#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct Instance {
    pub rect: [f32; 4],
}

struct Texture {
    bind_group: wgpu::BindGroup,
    /// The `prepare` call that last used it.
    used: u64,
}

pub struct ImagePipeline {
    pipeline: wgpu::RenderPipeline,
    layout: wgpu::BindGroupLayout,
    sampler: wgpu::Sampler,
    instances: wgpu::Buffer,
    capacity: usize,
    textures: HashMap<(String, u32, u32), Texture>,
    /// Texture key of each slot of the current frame.
    slots: Vec<(String, u32, u32)>,
    frame: u64,
}

impl ImagePipeline {
    pub fn new(
        device: &wgpu::Device,
        format: wgpu::TextureFormat,
        globals: &wgpu::BindGroupLayout,
    ) -> ImagePipeline {
        let layout = super::texture_layout(device, "image");
        let pipeline = super::instanced_quad_pipeline(
            device,
            "image",
            SHADER,
            &[Some(globals), Some(&layout)],
            &wgpu::vertex_attr_array![0 => Float32x4],
            std::mem::size_of::<Instance>(),
            (format, Some(wgpu::BlendState::ALPHA_BLENDING)),
        );
        let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("bangtin image sampler"),
            address_mode_u: wgpu::AddressMode::ClampToEdge,
            address_mode_v: wgpu::AddressMode::ClampToEdge,
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            ..Default::default()
        });
        let capacity = 8;
        ImagePipeline {
            pipeline,
            layout,
            sampler,
            instances: super::instance_buffer(
                device,
                "image",
                capacity,
                std::mem::size_of::<Instance>(),
            ),
            capacity,
            textures: HashMap::new(),
            slots: Vec::new(),
            frame: 0,
        }
    }

    /// Uploads the images of a frame: `(sha256, image, rect)` per slot, in slot order.
    pub fn prepare(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        draws: &[(&str, DecodedImage, Rect)],
    ) {
        self.frame += 1;
        self.slots.clear();
        let mut instances = Vec::with_capacity(draws.len());
        for (sha, img, rect) in draws {
            let (w, h) = upload_size(img, rect);
            let key = ((*sha).to_owned(), w, h);
            let frame = self.frame;
            if let Some(t) = self.textures.get_mut(&key) {
                t.used = frame;
            } else {
                let bind_group = self.upload(device, queue, img, w, h);
                self.textures.insert(
                    key.clone(),
                    Texture {
                        bind_group,
                        used: frame,
                    },
                );
            }
            self.slots.push(key);
            instances.push(Instance {
                rect: [rect.x, rect.y, rect.w, rect.h],
            });
        }
        // Keep what the last few frames used (a cross-fade shows two slides), drop the rest.
        let keep_after = self.frame.saturating_sub(2);
        self.textures.retain(|_, t| t.used >= keep_after);
        if instances.len() > self.capacity {
            self.capacity = instances.len().next_power_of_two();
            self.instances = super::instance_buffer(
                device,
                "image",
                self.capacity,
                std::mem::size_of::<Instance>(),
            );
        }
        if !instances.is_empty() {
            queue.write_buffer(&self.instances, 0, bytemuck::cast_slice(&instances));
        }
    }

    fn upload(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        img: &DecodedImage,
        w: u32,
        h: u32,
    ) -> wgpu::BindGroup {
        // DecodedImage always holds width * height RGBA pixels; one that does not (a bug) is
        // drawn as a transparent pixel rather than panicking.
        const EMPTY: [u8; 4] = [0; 4];
        let resized;
        let (pixels, w, h): (&[u8], u32, u32) = if (w, h) == (img.width, img.height) {
            if img.rgba.len() == (w * h * 4) as usize {
                (&img.rgba, w, h)
            } else {
                (&EMPTY, 1, 1)
            }
        } else {
            match image::ImageBuffer::<image::Rgba<u8>, &[u8]>::from_raw(
                img.width,
                img.height,
                &img.rgba[..],
            ) {
                Some(src) => {
                    resized =
                        image::imageops::resize(&src, w, h, image::imageops::FilterType::Triangle);
                    (resized.as_raw(), w, h)
                }
                None => (&EMPTY, 1, 1),
            }
        };
        let size = wgpu::Extent3d {
            width: w,
            height: h,
            depth_or_array_layers: 1,
        };
        let texture = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("bangtin image texture"),
            size,
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: wgpu::TextureFormat::Rgba8UnormSrgb,
            usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
            view_formats: &[],
        });
        queue.write_texture(
            wgpu::TexelCopyTextureInfo {
                texture: &texture,
                mip_level: 0,
                origin: wgpu::Origin3d::ZERO,
                aspect: wgpu::TextureAspect::All,
            },
            pixels,
            wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(4 * w),
                rows_per_image: Some(h),
            },
            size,
        );
        let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
        device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("bangtin image bind group"),
            layout: &self.layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::TextureView(&view),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::Sampler(&self.sampler),
                },
            ],
        })
    }

    /// Draws the image of `slot`.
    pub fn draw(&self, pass: &mut wgpu::RenderPass<'_>, globals: &Globals, slot: u32) {
        let Some(texture) = self
            .slots
            .get(slot as usize)
            .and_then(|key| self.textures.get(key))
        else {
            return;
        };
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, &globals.bind_group, &[]);
        pass.set_bind_group(1, &texture.bind_group, &[]);
        pass.set_vertex_buffer(0, self.instances.slice(..));
        pass.draw(0..4, slot..slot + 1);
    }
}

/// The size an image is uploaded at: its own, or the drawn size when it is much larger.
pub fn upload_size(img: &DecodedImage, rect: &Rect) -> (u32, u32) {
    let (tw, th) = (rect.w.round().max(1.0), rect.h.round().max(1.0));
    if img.width as f32 > tw * DOWNSCALE_ABOVE || img.height as f32 > th * DOWNSCALE_ABOVE {
        (tw as u32, th as u32)
    } else {
        (img.width.max(1), img.height.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn img(w: u32, h: u32) -> DecodedImage {
        DecodedImage {
            width: w,
            height: h,
            rgba: Arc::new(vec![0; (w * h * 4) as usize]),
        }
    }

    #[test]
    fn large_images_are_uploaded_at_drawn_size() {
        assert_eq!(
            upload_size(&img(4000, 3000), &Rect::new(0.0, 0.0, 400.0, 300.0)),
            (400, 300)
        );
    }

    #[test]
    fn small_images_keep_their_size() {
        assert_eq!(
            upload_size(&img(500, 400), &Rect::new(0.0, 0.0, 400.0, 300.0)),
            (500, 400)
        );
    }
}
