// Solid rectangles: one instance per quad, corners generated from the vertex index.

struct Globals {
    // Target size in pixels; the other two lanes are padding.
    screen: vec4<f32>,
};

@group(0) @binding(0) var<uniform> globals: Globals;

struct QuadIn {
    @location(0) rect: vec4<f32>,   // x, y, w, h in pixels
    @location(1) color: vec4<f32>,  // linear RGB, straight alpha
};

struct VertexOut {
    @builtin(position) position: vec4<f32>,
    @location(0) color: vec4<f32>,
};

@vertex
fn vs_main(@builtin(vertex_index) vi: u32, quad: QuadIn) -> VertexOut {
    let corner = vec2<f32>(f32(vi & 1u), f32((vi >> 1u) & 1u));
    let px = quad.rect.xy + corner * quad.rect.zw;
    let ndc = vec2<f32>(px.x / globals.screen.x * 2.0 - 1.0, 1.0 - px.y / globals.screen.y * 2.0);
    var out: VertexOut;
    out.position = vec4<f32>(ndc, 0.0, 1.0);
    out.color = quad.color;
    return out;
}

@fragment
fn fs_main(in: VertexOut) -> @location(0) vec4<f32> {
    return in.color;
}
