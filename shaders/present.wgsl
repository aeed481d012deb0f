// The present pass: canvas-sized layers (the slide, the one it fades from, the footer strip)
// drawn onto the output through the board's transform (rotation and the output region), with
// brightness applied. One instance per layer; corners from the vertex index.

// The vertex stage, Globals and encode_srgb are in present_vertex.wgsl, put before this.

@group(1) @binding(0) var layer: texture_2d<f32>;
@group(1) @binding(1) var layer_sampler: sampler;

@fragment
fn fs_main(in: VertexOut) -> @location(0) vec4<f32> {
    let texel = textureSample(layer, layer_sampler, in.uv);
    var rgb = texel.rgb * globals.params.x;
    if (globals.params.y > 0.5) {
        rgb = encode_srgb(rgb);
    }
    return vec4<f32>(rgb, texel.a * in.alpha);
}
