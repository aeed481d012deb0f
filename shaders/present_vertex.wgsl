// The present pass's vertex stage and what its fragment stages share (present.wgsl for the
// canvas, strip and ticker layers, present_yuv.wgsl for video frames): the board's transform
// from canvas pixels to the output, brightness, and sRGB encoding for targets that are not
// sRGB. Prepended to each of the two by the compositor.

struct Globals {
    // Canvas pixels -> clip space: x' = m0.x*x + m0.y*y + m0.z; y' = m1.x*x + m1.y*y + m1.z.
    m0: vec4<f32>,
    m1: vec4<f32>,
    // x: brightness factor on linear light; y: 1 when the target is not sRGB (encode here).
    params: vec4<f32>,
};

@group(0) @binding(0) var<uniform> globals: Globals;

struct VertexOut {
    @builtin(position) position: vec4<f32>,
    @location(0) uv: vec2<f32>,
    @location(1) alpha: f32,
};

@vertex
fn vs_main(
    @builtin(vertex_index) vi: u32,
    @location(0) rect: vec4<f32>,
    @location(1) uv_rect: vec4<f32>,
    @location(2) alpha: f32,
) -> VertexOut {
    let corner = vec2<f32>(f32(vi & 1u), f32((vi >> 1u) & 1u));
    let px = rect.xy + corner * rect.zw;
    var out: VertexOut;
    out.position = vec4<f32>(
        globals.m0.x * px.x + globals.m0.y * px.y + globals.m0.z,
        globals.m1.x * px.x + globals.m1.y * px.y + globals.m1.z,
        0.0,
        1.0,
    );
    out.uv = uv_rect.xy + corner * uv_rect.zw;
    out.alpha = alpha;
    return out;
}

fn encode_srgb(c: vec3<f32>) -> vec3<f32> {
    let lo = c * 12.92;
    let hi = 1.055 * pow(c, vec3<f32>(1.0 / 2.4)) - 0.055;
    return select(hi, lo, c <= vec3<f32>(0.0031308));
}
