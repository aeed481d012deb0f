//! Device set-up and the offscreen target.
//!
//! The instance is built from the environment (`WGPU_BACKEND=vulkan|gl`, `WGPU_ADAPTER_NAME`),
//! so an installer can pick Mesa's Vulkan (lavapipe) or GL (llvmpipe) without a rebuild.

use super::TARGET_FORMAT;

/// What every install needs when no adapter can be found.
pub const NO_ADAPTER_HELP: &str = "no GPU adapter found. bangtin needs a Vulkan or OpenGL driver; \
on Debian, Ubuntu or Raspberry Pi OS install Mesa's drivers: \
`apt-get install mesa-vulkan-drivers libvulkan1 libegl1 libegl-mesa0 libgl1-mesa-dri` \
(software rendering works without a GPU). WGPU_BACKEND=vulkan or WGPU_BACKEND=gl picks a backend";

/// Why the GPU could not be set up. Fatal for the process: systemd restarts us.
#[derive(Debug, thiserror::Error)]
pub enum GpuError {
    #[error("{NO_ADAPTER_HELP} (tried: {0})")]
    NoAdapter(String),
    #[error("the GPU adapter refused to open a device: {0}")]
    Device(String),
}

/// wgpu's flags for this build, less the validation of indirect draws and dispatches:
/// bangtin makes none, and that validation's compute pipelines cost every start a few
/// milliseconds on a software driver. The environment (`WGPU_VALIDATION_INDIRECT_CALL=1`,
/// `WGPU_VALIDATION`, `WGPU_DEBUG`) still has the last word.
pub fn instance_flags() -> wgpu::InstanceFlags {
    (wgpu::InstanceFlags::from_build_config() - wgpu::InstanceFlags::VALIDATION_INDIRECT_CALL)
        .with_env()
}

/// An adapter, its device and queue.
pub struct Gpu {
    pub instance: wgpu::Instance,
    pub adapter: wgpu::Adapter,
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
}

impl Gpu {
    /// Opens the adapter the environment asks for (`WGPU_BACKEND`); without one, Vulkan first
    /// (lavapipe, or V3DV on a Pi), then OpenGL. Trying one backend at a time keeps start-up
    /// short and the log free of the other backend's complaints.
    pub fn new() -> Result<Gpu, GpuError> {
        if std::env::var_os("WGPU_BACKEND").is_some() {
            let mut desc = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
            desc.flags = instance_flags();
            return Self::with_instance(wgpu::Instance::new(desc), None);
        }
        let mut reasons = Vec::new();
        for backends in [wgpu::Backends::VULKAN, wgpu::Backends::GL] {
            let mut desc = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
            desc.backends = backends;
            desc.flags = instance_flags();
            let t0 = std::time::Instant::now();
            let instance = wgpu::Instance::new(desc);
            log::debug!("{backends:?} instance made in {:?}", t0.elapsed());
            match Self::with_instance(instance, None) {
                Ok(gpu) => return Ok(gpu),
                Err(GpuError::NoAdapter(reason)) => reasons.push(format!("{backends:?}: {reason}")),
                Err(e) => reasons.push(format!("{backends:?}: {e}")),
            }
        }
        Err(GpuError::NoAdapter(reasons.join("; ")))
    }

    /// Opens an adapter on `instance`, able to present to `surface` when one is given.
    pub fn with_instance(
        instance: wgpu::Instance,
        surface: Option<&wgpu::Surface<'_>>,
    ) -> Result<Gpu, GpuError> {
        let options = wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::from_env().unwrap_or_default(),
            force_fallback_adapter: false,
            compatible_surface: surface,
            apply_limit_buckets: false,
        };
        let t0 = std::time::Instant::now();
        let adapter = pollster::block_on(instance.request_adapter(&options))
            .map_err(|e| GpuError::NoAdapter(e.to_string()))?;
        log::debug!("adapter found in {:?}", t0.elapsed());
        let info = adapter.get_info();
        log::info!(
            "GPU adapter: {} ({:?}, {:?} backend, driver {} {})",
            info.name,
            info.device_type,
            info.backend,
            info.driver,
            info.driver_info
        );
        // Downlevel limits: a Pi's V3D and Mesa's software drivers both meet them, and
        // 2D slides need nothing more.
        let desc = wgpu::DeviceDescriptor {
            label: Some("bangtin device"),
            required_limits: wgpu::Limits::downlevel_webgl2_defaults()
                .using_resolution(adapter.limits()),
            ..Default::default()
        };
        let t0 = std::time::Instant::now();
        let (device, queue) = pollster::block_on(adapter.request_device(&desc))
            .map_err(|e| GpuError::Device(e.to_string()))?;
        log::debug!("device opened in {:?}", t0.elapsed());
        // wgpu's default for an error nobody waits for is to panic. A board must not stop
        // for one: it is logged, and the frame it spoiled is replaced by the next.
        device.on_uncaptured_error(std::sync::Arc::new(|e: wgpu::Error| {
            log::error!("GPU error: {e}");
        }));
        Ok(Gpu {
            instance,
            adapter,
            device,
            queue,
        })
    }

    /// "llvmpipe (LLVM 15.0.6, 256 bits) on Vulkan" — for logs and status.
    pub fn describe(&self) -> String {
        let info = self.adapter.get_info();
        format!("{} on {:?}", info.name, info.backend)
    }
}

/// An offscreen colour target the size of a frame, readable back to the CPU.
pub struct Offscreen {
    pub texture: wgpu::Texture,
    pub view: wgpu::TextureView,
    pub width: u32,
    pub height: u32,
}

impl Offscreen {
    pub fn new(device: &wgpu::Device, width: u32, height: u32) -> Offscreen {
        Self::with_format(device, width, height, TARGET_FORMAT)
    }

    /// An offscreen target in another (sRGB) format: a canvas in a window's own format can be
    /// copied to it instead of drawn.
    pub fn with_format(
        device: &wgpu::Device,
        width: u32,
        height: u32,
        format: wgpu::TextureFormat,
    ) -> Offscreen {
        let texture = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("bangtin offscreen target"),
            size: wgpu::Extent3d {
                width,
                height,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT
                | wgpu::TextureUsages::COPY_SRC
                | wgpu::TextureUsages::COPY_DST
                | wgpu::TextureUsages::TEXTURE_BINDING,
            view_formats: &[],
        });
        let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
        Offscreen {
            texture,
            view,
            width,
            height,
        }
    }

    /// Submits `encoder` with a copy of the target appended, waits, and returns the pixels.
    pub fn read_back(
        &self,
        gpu: &Gpu,
        encoder: wgpu::CommandEncoder,
    ) -> Result<image::RgbaImage, super::Error> {
        self.read_back_with(gpu, encoder, |frame| frame.to_image())?
    }

    /// Like [`Offscreen::read_back`], but hands `f` the mapped frame itself, so a caller that
    /// only encodes it (a PNG, a screenshot) needs no second copy of a full frame in memory.
    pub fn read_back_with<R>(
        &self,
        gpu: &Gpu,
        encoder: wgpu::CommandEncoder,
        f: impl FnOnce(&MappedFrame<'_>) -> R,
    ) -> Result<R, super::Error> {
        read_texture_with(gpu, encoder, &self.texture, f)
    }
}

/// Submits `encoder` with a copy of `texture` (made with `COPY_SRC`) appended, waits, and
/// hands `f` the mapped pixels: 4 bytes a pixel in the texture's own channel order.
pub fn read_texture_with<R>(
    gpu: &Gpu,
    mut encoder: wgpu::CommandEncoder,
    texture: &wgpu::Texture,
    f: impl FnOnce(&MappedFrame<'_>) -> R,
) -> Result<R, super::Error> {
    let (width, height) = (texture.width(), texture.height());
    let row = padded_row_bytes(width);
    let buffer = gpu.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("bangtin read-back buffer"),
        size: u64::from(row) * u64::from(height),
        usage: wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::MAP_READ,
        mapped_at_creation: false,
    });
    encoder.copy_texture_to_buffer(
        wgpu::TexelCopyTextureInfo {
            texture,
            mip_level: 0,
            origin: wgpu::Origin3d::ZERO,
            aspect: wgpu::TextureAspect::All,
        },
        wgpu::TexelCopyBufferInfo {
            buffer: &buffer,
            layout: wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(row),
                rows_per_image: Some(height),
            },
        },
        wgpu::Extent3d {
            width,
            height,
            depth_or_array_layers: 1,
        },
    );
    let t0 = std::time::Instant::now();
    gpu.queue.submit([encoder.finish()]);
    let slice = buffer.slice(..);
    let (tx, rx) = std::sync::mpsc::channel();
    slice.map_async(wgpu::MapMode::Read, move |r| {
        let _ = tx.send(r);
    });
    gpu.device
        .poll(wgpu::PollType::wait_indefinitely())
        .map_err(|e| super::Error::Readback(e.to_string()))?;
    rx.recv()
        .map_err(|e| super::Error::Readback(e.to_string()))?
        .map_err(|e| super::Error::Readback(e.to_string()))?;
    let data = slice
        .get_mapped_range()
        .map_err(|e| super::Error::Readback(e.to_string()))?;
    log::debug!("drawn and mapped in {:?}", t0.elapsed());
    let result = f(&MappedFrame {
        data: &data,
        stride: row as usize,
        width,
        height,
    });
    drop(data);
    buffer.unmap();
    Ok(result)
}

/// A frame read back from the GPU, still in the mapped buffer: RGBA8 sRGB rows of `stride`
/// bytes (at least `width * 4`).
pub struct MappedFrame<'a> {
    pub data: &'a [u8],
    pub stride: usize,
    pub width: u32,
    pub height: u32,
}

impl MappedFrame<'_> {
    /// The frame as tightly packed rows: borrowed when the rows carry no padding.
    pub fn tight(&self) -> std::borrow::Cow<'_, [u8]> {
        let tight = self.width as usize * 4;
        let len = tight * self.height as usize;
        if self.stride == tight && self.data.len() >= len {
            return std::borrow::Cow::Borrowed(&self.data[..len]);
        }
        let mut pixels = Vec::with_capacity(len);
        for r in self.data.chunks(self.stride).take(self.height as usize) {
            pixels.extend_from_slice(r.get(..tight).unwrap_or(r));
        }
        pixels.resize(len, 0);
        std::borrow::Cow::Owned(pixels)
    }

    /// A copy of the frame as an image.
    pub fn to_image(&self) -> Result<image::RgbaImage, super::Error> {
        image::RgbaImage::from_raw(self.width, self.height, self.tight().into_owned())
            .ok_or_else(|| super::Error::Readback("frame size mismatch".into()))
    }
}

/// Bytes per row of a read-back buffer: RGBA8 rows padded to wgpu's copy alignment.
pub fn padded_row_bytes(width: u32) -> u32 {
    let align = wgpu::COPY_BYTES_PER_ROW_ALIGNMENT;
    (width * 4).div_ceil(align) * align
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indirect_call_validation_is_off_unless_asked_for() {
        if std::env::var_os("WGPU_VALIDATION_INDIRECT_CALL").is_none() {
            assert!(!instance_flags().contains(wgpu::InstanceFlags::VALIDATION_INDIRECT_CALL));
        }
        // Whatever else the build or the environment asks for is kept.
        let others = wgpu::InstanceFlags::from_build_config().with_env()
            - wgpu::InstanceFlags::VALIDATION_INDIRECT_CALL;
        assert!(instance_flags().contains(others));
    }

    #[test]
    fn rows_are_padded_to_copy_alignment() {
        assert_eq!(padded_row_bytes(64), 256);
        assert_eq!(padded_row_bytes(65), 512);
        assert_eq!(padded_row_bytes(1920), 7680);
        assert_eq!(padded_row_bytes(1), 256);
    }
}
