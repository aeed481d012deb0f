// A decoded video frame's Y'CbCr planes (I420: Y, Cb, Cr; NV12: Y, CbCr interleaved) to RGB,
// drawn over the whole of a layer the frame's own size. The matrix (from the stream's
// colorimetry: BT.601/BT.709/BT.2020, limited or full range) gives gamma-encoded R'G'B'; the
// layer is sRGB, so the shader returns linear light.

struct Convert {
    // R', G', B' = dot(row, vec4(Y, Cb, Cr, 1)).
    r: vec4<f32>,
    g: vec4<f32>,
    b: vec4<f32>,
    // x: 1 when the chroma is one interleaved plane (NV12).
    params: vec4<f32>,
};

@group(0) @binding(0) var<uniform> convert: Convert;
@group(0) @binding(1) var luma: texture_2d<f32>;
@group(0) @binding(2) var chroma_u: texture_2d<f32>;
@group(0) @binding(3) var chroma_v: texture_2d<f32>;
@group(0) @binding(4) var planes: sampler;

struct VertexOut {
    @builtin(position) position: vec4<f32>,
    @location(0) uv: vec2<f32>,
};

// One triangle that covers the target.
@vertex
fn vs_main(@builtin(vertex_index) vi: u32) -> VertexOut {
    let corner = vec2<f32>(f32((vi << 1u) & 2u), f32(vi & 2u));
    var out: VertexOut;
    out.position = vec4<f32>(corner.x * 2.0 - 1.0, 1.0 - corner.y * 2.0, 0.0, 1.0);
    out.uv = corner;
    return out;
}

fn decode_srgb(c: vec3<f32>) -> vec3<f32> {
    let lo = c / 12.92;
    let hi = pow((c + 0.055) / 1.055, vec3<f32>(2.4));
    return select(hi, lo, c <= vec3<f32>(0.04045));
}

@fragment
fn fs_main(in: VertexOut) -> @location(0) vec4<f32> {
    let y = textureSample(luma, planes, in.uv).r;
    let u_texel = textureSample(chroma_u, planes, in.uv);
    let v_texel = textureSample(chroma_v, planes, in.uv);
    let nv12 = convert.params.x > 0.5;
    let cb = u_texel.r;
    let cr = select(v_texel.r, u_texel.g, nv12);
    let ycc = vec4<f32>(y, cb, cr, 1.0);
    let rgb = clamp(vec3<f32>(dot(convert.r, ycc), dot(convert.g, ycc), dot(convert.b, ycc)),
        vec3<f32>(0.0), vec3<f32>(1.0));
    return vec4<f32>(decode_srgb(rgb), 1.0);
}
