//! Solid rectangles (`shaders/quad.wgsl`): one instance per quad, corners from the vertex index.

use super::{srgb_to_linear, Globals};
use crate::layout::{Rect, Rgba};

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

pub const SHADER: &str = include_str!("../../shaders/quad.wgsl");

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
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("bangtin quad shader"),
            source: wgpu::ShaderSource::Wgsl(SHADER.into()),
        });
        let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("bangtin quad pipeline layout"),
            bind_group_layouts: &[Some(globals)],
            immediate_size: 0,
        });
        let attributes = wgpu::vertex_attr_array![0 => Float32x4, 1 => Float32x4];
        let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("bangtin quad pipeline"),
            layout: Some(&layout),
            vertex: wgpu::VertexState {
                module: &module,
                entry_point: Some("vs_main"),
                compilation_options: Default::default(),
                buffers: &[Some(wgpu::VertexBufferLayout {
                    array_stride: std::mem::size_of::<Instance>() as u64,
                    step_mode: wgpu::VertexStepMode::Instance,
                    attributes: &attributes,
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
                    blend: Some(wgpu::BlendState::ALPHA_BLENDING),
                    write_mask: wgpu::ColorWrites::ALL,
                })],
            }),
            multiview_mask: None,
            cache: None,
        });
        let capacity = 256;
        QuadPipeline {
            pipeline,
            instances: instance_buffer(device, capacity),
            capacity,
        }
    }

    /// Uploads this frame's quads, growing the buffer when needed.
    pub fn prepare(&mut self, device: &wgpu::Device, queue: &wgpu::Queue, quads: &[Instance]) {
        if quads.len() > self.capacity {
            self.capacity = quads.len().next_power_of_two();
            self.instances = instance_buffer(device, self.capacity);
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

fn instance_buffer(device: &wgpu::Device, capacity: usize) -> wgpu::Buffer {
    device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("bangtin quad instances"),
        size: (capacity * std::mem::size_of::<Instance>()) as u64,
        usage: wgpu::BufferUsages::VERTEX | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    })
}
