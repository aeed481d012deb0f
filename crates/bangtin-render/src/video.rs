//! Video frames on the GPU: each decoded frame's planes uploaded as they come from the
//! decoder (their strides kept, no copy or conversion on the CPU), with the stream's own
//! matrix in a uniform; the compositor's present pass samples the planes where the frame lands
//! and turns them into RGB there (`shaders/present_yuv.wgsl`), with everything else the other
//! layers get (rotation, scaling, fades, brightness): one pass per frame.

/// The present pass's video layers: the shared vertex stage, then their fragment stage.
pub const SHADER: &str = concat!(
    include_str!("../../../shaders/present_vertex.wgsl"),
    include_str!("../../../shaders/present_yuv.wgsl")
);

/// One decoded frame, borrowed from the decoder.
#[derive(Debug, Clone)]
pub struct Planes<'a> {
    /// Chroma interleaved in one plane (NV12) rather than two (I420).
    pub nv12: bool,
    pub width: u32,
    pub height: u32,
    /// Each plane's bytes and bytes per row (Y, then Cb and Cr, or CbCr).
    pub planes: Vec<(&'a [u8], u32)>,
    /// Rows of R′, G′, B′ from `(Y, Cb, Cr, 1)`.
    pub matrix: [[f32; 4]; 3],
}

#[repr(C)]
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Uniform {
    rows: [[f32; 4]; 3],
    params: [f32; 4],
}

/// The planes' bind group layout and sampler, shared by every video layer.
pub struct VideoPipeline {
    pub(crate) layout: wgpu::BindGroupLayout,
    sampler: wgpu::Sampler,
}

/// A frame's planes on the GPU, bound for the present pass.
pub struct VideoTexture {
    pub size: (u32, u32),
    pub nv12: bool,
    planes: Vec<wgpu::Texture>,
    uniform: wgpu::Buffer,
    /// Group 1 of `present_yuv.wgsl`.
    pub(crate) group: wgpu::BindGroup,
}

/// Why a frame was not taken.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FrameError {
    #[error("a {0}x{1} video frame is larger than this GPU's textures")]
    TooLarge(u32, u32),
    #[error("the frame's planes do not match its size")]
    Malformed,
}

impl VideoPipeline {
    pub fn new(device: &wgpu::Device) -> VideoPipeline {
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("bangtin yuv layout"),
            entries: &[
                wgpu::BindGroupLayoutEntry {
                    binding: 0,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Uniform,
                        has_dynamic_offset: false,
                        min_binding_size: None,
                    },
                    count: None,
                },
                super::texture_entry(1),
                super::texture_entry(2),
                super::texture_entry(3),
                super::sampler_entry(4),
            ],
        });
        let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("bangtin yuv sampler"),
            address_mode_u: wgpu::AddressMode::ClampToEdge,
            address_mode_v: wgpu::AddressMode::ClampToEdge,
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            ..Default::default()
        });
        VideoPipeline { layout, sampler }
    }

    /// Uploads `frame` into `texture` (made again when the size or layout changed).
    pub fn upload(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        texture: &mut Option<VideoTexture>,
        frame: &Planes<'_>,
    ) -> Result<(), FrameError> {
        let max = device.limits().max_texture_dimension_2d;
        if frame.width == 0 || frame.height == 0 || frame.width > max || frame.height > max {
            return Err(FrameError::TooLarge(frame.width, frame.height));
        }
        let sizes = plane_sizes(frame.nv12, frame.width, frame.height);
        if frame.planes.len() != sizes.len() {
            return Err(FrameError::Malformed);
        }
        for ((data, stride), (w, h, bpp)) in frame.planes.iter().zip(&sizes) {
            let needed = u64::from(*stride) * u64::from(h - 1) + u64::from(w * bpp);
            if *stride < w * bpp || (data.len() as u64) < needed {
                return Err(FrameError::Malformed);
            }
        }
        let fits = texture
            .as_ref()
            .is_some_and(|t| t.size == (frame.width, frame.height) && t.nv12 == frame.nv12);
        if !fits {
            *texture = Some(self.texture(device, frame.nv12, (frame.width, frame.height)));
        }
        let Some(t) = texture.as_ref() else {
            return Err(FrameError::Malformed);
        };
        for ((plane, (data, stride)), (w, h, _)) in t.planes.iter().zip(&frame.planes).zip(&sizes) {
            queue.write_texture(
                wgpu::TexelCopyTextureInfo {
                    texture: plane,
                    mip_level: 0,
                    origin: wgpu::Origin3d::ZERO,
                    aspect: wgpu::TextureAspect::All,
                },
                data,
                wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(*stride),
                    rows_per_image: Some(*h),
                },
                wgpu::Extent3d {
                    width: *w,
                    height: *h,
                    depth_or_array_layers: 1,
                },
            );
        }
        queue.write_buffer(
            &t.uniform,
            0,
            bytemuck::bytes_of(&Uniform {
                rows: frame.matrix,
                params: [if frame.nv12 { 1.0 } else { 0.0 }, 0.0, 0.0, 0.0],
            }),
        );
        Ok(())
    }

    fn texture(&self, device: &wgpu::Device, nv12: bool, size: (u32, u32)) -> VideoTexture {
        let planes: Vec<wgpu::Texture> = plane_sizes(nv12, size.0, size.1)
            .into_iter()
            .map(|(w, h, bpp)| {
                device.create_texture(&wgpu::TextureDescriptor {
                    label: Some("bangtin video plane"),
                    size: wgpu::Extent3d {
                        width: w,
                        height: h,
                        depth_or_array_layers: 1,
                    },
                    mip_level_count: 1,
                    sample_count: 1,
                    dimension: wgpu::TextureDimension::D2,
                    format: if bpp == 2 {
                        wgpu::TextureFormat::Rg8Unorm
                    } else {
                        wgpu::TextureFormat::R8Unorm
                    },
                    usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
                    view_formats: &[],
                })
            })
            .collect();
        let uniform = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("bangtin yuv uniform"),
            size: std::mem::size_of::<Uniform>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let views: Vec<wgpu::TextureView> = planes
            .iter()
            .map(|p| p.create_view(&wgpu::TextureViewDescriptor::default()))
            .collect();
        // NV12 has no third plane: its chroma plane is bound twice (the shader reads both
        // from the first).
        let third = views.get(2).unwrap_or(&views[1]);
        let group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("bangtin yuv bind group"),
            layout: &self.layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: uniform.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::TextureView(&views[0]),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: wgpu::BindingResource::TextureView(&views[1]),
                },
                wgpu::BindGroupEntry {
                    binding: 3,
                    resource: wgpu::BindingResource::TextureView(third),
                },
                wgpu::BindGroupEntry {
                    binding: 4,
                    resource: wgpu::BindingResource::Sampler(&self.sampler),
                },
            ],
        });
        VideoTexture {
            size,
            nv12,
            planes,
            uniform,
            group,
        }
    }
}

/// Each plane's width, height and bytes per sample: chroma is half size, rounded up (a
/// 322x181 frame has 161x91 chroma planes).
pub fn plane_sizes(nv12: bool, width: u32, height: u32) -> Vec<(u32, u32, u32)> {
    let (cw, ch) = (width.div_ceil(2), height.div_ceil(2));
    if nv12 {
        vec![(width, height, 1), (cw, ch, 2)]
    } else {
        vec![(width, height, 1), (cw, ch, 1), (cw, ch, 1)]
    }
}

/// Where a `size` picture goes inside `area`, its aspect kept (bars where they differ).
pub fn fit(area: bangtin_layout::Rect, (w, h): (u32, u32)) -> bangtin_layout::Rect {
    if w == 0 || h == 0 || area.w <= 0.0 || area.h <= 0.0 {
        return area;
    }
    let scale = (area.w / w as f32).min(area.h / h as f32);
    let (fw, fh) = (w as f32 * scale, h as f32 * scale);
    bangtin_layout::Rect::new(
        area.x + (area.w - fw) / 2.0,
        area.y + (area.h - fh) / 2.0,
        fw,
        fh,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use bangtin_layout::Rect;

    #[test]
    fn chroma_planes_round_odd_sizes_up() {
        assert_eq!(
            plane_sizes(false, 322, 181),
            vec![(322, 181, 1), (161, 91, 1), (161, 91, 1)]
        );
        assert_eq!(plane_sizes(true, 3, 3), vec![(3, 3, 1), (2, 2, 2)]);
    }

    #[test]
    fn a_picture_fits_its_area_centred_with_its_aspect_kept() {
        let area = Rect::new(10.0, 20.0, 400.0, 300.0);
        assert_eq!(fit(area, (1920, 1080)), Rect::new(10.0, 57.5, 400.0, 225.0));
        assert_eq!(fit(area, (300, 600)), Rect::new(135.0, 20.0, 150.0, 300.0));
        assert_eq!(fit(area, (0, 10)), area);
    }
}
