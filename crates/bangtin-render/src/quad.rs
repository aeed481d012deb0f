//! Solid rectangles (`shaders/quad.wgsl`): one instance per quad, corners from the vertex index.

use super::{srgb_to_linear, Globals};
use bangtin_layout::{Rect, Rgba};

/// One quad as the shader reads it: pixels, and linear colour with straight alpha.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct Instance {
    pub rect: [f32; 4],
    pub color: [f32; 4],
}

impl Instance {
    pub fn new(rect: Rect, color: Rgba) -> Instance {
        let [r, g, b, a] = color.0;
        Instance {
            rect: [rect.x, rect.y, rect.w, rect.h],
            color: [
                srgb_to_linear(r),
                srgb_to_linear(g),
                srgb_to_linear(b),
                f32::from(a) / 255.0,
            ],
        }
    }
}

pub const SHADER: &str = include_str!("../../../shaders/quad.wgsl");

pub struct QuadPipeline {
    pipeline: wgpu::RenderPipeline,
    instances: wgpu::Buffer,
    capacity: usize,
}

impl QuadPipeline {
    pub fn new(
        device: &wgpu::Device,
        format: wgpu::TextureFormat,
        globals: &wgpu::BindGroupLayout,
    ) -> QuadPipeline {
        let pipeline = super::instanced_quad_pipeline(
            device,
            "quad",
            SHADER,
            &[Some(globals)],
            &wgpu::vertex_attr_array![0 => Float32x4, 1 => Float32x4],
            std::mem::size_of::<Instance>(),
            (format, Some(wgpu::BlendState::ALPHA_BLENDING)),
        );
        let capacity = 256;
        QuadPipeline {
            pipeline,
            instances: super::instance_buffer(
                device,
                "quad",
                capacity,
                std::mem::size_of::<Instance>(),
            ),
            capacity,
        }
    }

    /// Uploads this frame's quads, growing the buffer when needed.
    pub fn prepare(&mut self, device: &wgpu::Device, queue: &wgpu::Queue, quads: &[Instance]) {
        if quads.len() > self.capacity {
            self.capacity = quads.len().next_power_of_two();
            self.instances = super::instance_buffer(
                device,
                "quad",
                self.capacity,
                std::mem::size_of::<Instance>(),
            );
        }
        if !quads.is_empty() {
            queue.write_buffer(&self.instances, 0, bytemuck::cast_slice(quads));
        }
    }

    /// Draws the prepared instances in `range`.
    pub fn draw(
        &self,
        pass: &mut wgpu::RenderPass<'_>,
        globals: &Globals,
        range: std::ops::Range<u32>,
    ) {
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, &globals.bind_group, &[]);
        pass.set_vertex_buffer(0, self.instances.slice(..));
        pass.draw(0..4, range);
    }
}
