// A video layer of the present pass: the decoded frame's Y'CbCr planes (I420: Y, Cb, Cr;
// NV12: Y, CbCr interleaved) sampled where the frame lands on the output and turned into RGB
// right there, with the stream's matrix (BT.601/BT.709/BT.2020, limited or full range): one
// pass per frame, no intermediate picture. Same transform, brightness and fade as
// present.wgsl's layers; one instance per layer, corners from the vertex index.

// The vertex stage, Globals and encode_srgb are in present_vertex.wgsl, put before this.

struct Convert {
    // R', G', B' = dot(row, vec4(Y, Cb, Cr, 1)).
    r: vec4<f32>,
    g: vec4<f32>,
    b: vec4<f32>,
    // x: 1 when the chroma is one interleaved plane (NV12).
    params: vec4<f32>,
};

@group(1) @binding(0) var<uniform> convert: Convert;
@group(1) @binding(1) var luma: texture_2d<f32>;
@group(1) @binding(2) var chroma_u: texture_2d<f32>;
@group(1) @binding(3) var chroma_v: texture_2d<f32>;
@group(1) @binding(4) var planes: sampler;

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
    let encoded = clamp(vec3<f32>(dot(convert.r, ycc), dot(convert.g, ycc), dot(convert.b, ycc)),
        vec3<f32>(0.0), vec3<f32>(1.0));
    // Video is gamma-encoded much as sRGB is: brightness scales linear light, like the
    // other layers'; an sRGB target encodes again on its own.
    var rgb = decode_srgb(encoded) * globals.params.x;
    if (globals.params.y > 0.5) {
        rgb = encode_srgb(rgb);
    }
    return vec4<f32>(rgb, in.alpha);
}
