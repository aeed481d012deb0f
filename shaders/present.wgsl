// The present pass: canvas-sized layers (the slide, the one it fades from, the footer strip)
// drawn onto the output through the board's transform (rotation and the output region), with
// brightness applied. One instance per layer; corners from the vertex index.

struct Globals {
    // Canvas pixels -> clip space: x' = m0.x*x + m0.y*y + m0.z; y' = m1.x*x + m1.y*y + m1.z.
    m0: vec4<f32>,
    m1: vec4<f32>,
    // x: brightness factor on linear light; y: 1 when the target is not sRGB (encode here).
    params: vec4<f32>,
};

@group(0) @binding(0) var<uniform> globals: Globals;
@group(1) @binding(0) var layer: texture_2d<f32>;
@group(1) @binding(1) var layer_sampler: sampler;

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

@fragment
fn fs_main(in: VertexOut) -> @location(0) vec4<f32> {
    let texel = textureSample(layer, layer_sampler, in.uv);
    var rgb = texel.rgb * globals.params.x;
    if (globals.params.y > 0.5) {
        rgb = encode_srgb(rgb);
    }
    return vec4<f32>(rgb, texel.a * in.alpha);
}
