/**
 * GLSL (WebGL2) of the patch points. One vertex per patch: its centre relative to an origin near the data (float32
 * keeps centimetres there, where absolute Web Mercator metres would lose metres), a category code looked up in a
 * 256-entry colour table, and flags (shown, selected, focused). The affine map → pixel transform of the frame comes
 * as uniforms, so panning and zooming only change uniforms; nothing per patch is re-uploaded.
 */

export const FLAG_SHOWN = 1;
export const FLAG_SELECTED = 2;
export const FLAG_FOCUS = 4;

export const VERTEX_SHADER = `#version 300 es
precision highp float;
precision highp int;

in vec2 a_pos;
in uint a_code;
in uint a_flags;

uniform vec2 u_ax;       // pixel change per map unit of x
uniform vec2 u_ay;       // pixel change per map unit of y
uniform vec2 u_t;        // pixel of the origin
uniform vec2 u_size;     // viewport in CSS pixels
uniform float u_ratio;   // device pixels per CSS pixel
uniform float u_point;   // point diameter in CSS pixels
uniform int u_pass;      // 0: every shown patch; 1: selected and focused ones again, on top, with a ring
uniform sampler2D u_table;

out vec4 v_fill;
out float v_radius;      // in device pixels
flat out int v_ring;     // 0 none, 1 selected, 2 focused

void main() {
  bool shown = (a_flags & 1u) != 0u;
  bool selected = (a_flags & 2u) != 0u;
  bool focus = (a_flags & 4u) != 0u;
  if (!shown || (u_pass == 1 && !selected && !focus)) {
    gl_Position = vec4(2.0, 2.0, 2.0, 1.0);
    gl_PointSize = 0.0;
    return;
  }
  vec2 px = a_pos.x * u_ax + a_pos.y * u_ay + u_t;
  gl_Position = vec4(px.x / u_size.x * 2.0 - 1.0, 1.0 - px.y / u_size.y * 2.0, 0.0, 1.0);
  float size = u_point + (u_pass == 1 ? 5.0 : 0.0);
  gl_PointSize = size * u_ratio;
  v_radius = 0.5 * size * u_ratio;
  v_fill = texelFetch(u_table, ivec2(int(a_code), 0), 0);
  v_ring = u_pass == 1 ? (focus ? 2 : 1) : 0;
}
`;

export const FRAGMENT_SHADER = `#version 300 es
precision highp float;

in vec4 v_fill;
in float v_radius;
flat in int v_ring;
uniform float u_ratio;
out vec4 o_color;

void main() {
  vec2 p = gl_PointCoord * 2.0 - 1.0;
  float r = length(p) * v_radius;          // distance from the centre in device pixels
  float edge = v_radius - r;               // distance inside the rim
  if (edge < -0.5) discard;
  float aa = clamp(edge + 0.5, 0.0, 1.0);  // one pixel of anti-aliasing at the rim
  vec3 rgb = v_fill.rgb;
  float line = 1.0 * u_ratio;
  if (v_ring == 0) {
    // A thin darker rim keeps neighbouring points of one colour apart and light colours visible on land.
    if (edge < line) rgb = rgb * 0.55;
  } else {
    vec3 ringColour = v_ring == 2 ? vec3(1.0, 0.55, 0.0) : vec3(1.0, 1.0, 1.0);
    float ring = 2.0 * u_ratio;
    if (edge < line) rgb = vec3(0.08, 0.1, 0.13);
    else if (edge < line + ring) rgb = ringColour;
  }
  o_color = vec4(rgb * aa, aa);            // premultiplied alpha
}
`;

/**
 * Point diameter in CSS pixels at a zoom level: small dots for a continent, bigger ones for a region; a sparse
 * dataset (a few hundred patches) gets bigger dots at every zoom, as it has no crowding to avoid.
 */
export function pointSizeAt(zoom: number, count = 0): number {
  const base = Math.min(10, Math.max(4, 3 + (zoom - 3) * 0.75));
  const sparse = count > 0 && count <= 2000 ? 3 : count > 0 && count <= 20_000 ? 1.5 : 0;
  return Math.min(12, base + sparse);
}
