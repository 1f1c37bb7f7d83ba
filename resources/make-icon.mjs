#!/usr/bin/env node
// Draws the Terrafuse app icon (resources/icon.png, 1024×1024 RGBA) from a few shapes: a rounded tile shading
// from ocean blue to land green, a globe with meridians and parallels, and a 3×3 grid of image patches — the
// patches the app learns from. Run `node resources/make-icon.mjs` after changing it; electron-builder derives the
// .ico / .icns / Linux sizes from this PNG. Pure code, no downloaded artwork; deterministic output.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode } from 'fast-png';

const SIZE = 1024;
const SS = 3; // supersampling per axis, for smooth edges

const mix = (a, b, t) => a + (b - a) * t;
const clamp01 = (v) => Math.min(1, Math.max(0, v));

/** Signed distance to a rounded square centred in the unit square (negative inside). */
function roundedSquare(x, y, half, radius) {
  const qx = Math.abs(x - 0.5) - half + radius;
  const qy = Math.abs(y - 0.5) - half + radius;
  const outside = Math.hypot(Math.max(qx, 0), Math.max(qy, 0));
  return outside + Math.min(Math.max(qx, qy), 0) - radius;
}

/** Colour (r, g, b, a in 0..1) of one sample at (x, y) in the unit square. */
function sample(x, y) {
  if (roundedSquare(x, y, 0.46, 0.1) > 0) return [0, 0, 0, 0];
  // The tile: deep ocean at the top to vegetation green at the bottom.
  const t = clamp01((y - 0.04) / 0.92);
  let r = mix(0.05, 0.13, t);
  let g = mix(0.27, 0.55, t);
  let b = mix(0.52, 0.33, t);

  // The globe: a light disc outline with three meridians and three parallels.
  const cx = 0.44;
  const cy = 0.46;
  const R = 0.27;
  const dx = x - cx;
  const dy = y - cy;
  const d = Math.hypot(dx, dy);
  const line = 0.011;
  let globe = Math.abs(d - R) < line * 1.4;
  if (d < R) {
    for (const k of [-0.55, 0, 0.55]) {
      // Meridian: an ellipse through the poles with half-width |k|·R (a straight line for k = 0).
      const w = Math.abs(k) * R * Math.sqrt(Math.max(0, 1 - (dy / R) ** 2));
      if (Math.abs(Math.abs(dx) - w) < line && (k === 0 ? true : Math.sign(dx) === Math.sign(k) || Math.abs(dx) < line)) globe = true;
      // Parallel: a horizontal line at latitude k·R.
      if (Math.abs(dy - k * R * 0.8) < line) globe = true;
    }
  }
  if (globe) {
    r = 0.9;
    g = 0.96;
    b = 0.98;
  } else if (d < R) {
    r = mix(r, 0.2, 0.35);
    g = mix(g, 0.6, 0.35);
    b = mix(b, 0.75, 0.35);
  }

  // The patches: a 3×3 grid of tiles, bottom right, overlapping the globe; the centre one highlighted.
  const px = 0.56;
  const py = 0.58;
  const cell = 0.1;
  const gap = 0.014;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      const x0 = px + i * (cell + gap);
      const y0 = py + j * (cell + gap);
      if (x >= x0 && x < x0 + cell && y >= y0 && y < y0 + cell) {
        const centre = i === 1 && j === 1;
        const shade = 0.82 + 0.06 * ((i + j) % 2);
        return centre ? [0.98, 0.62, 0.16, 1] : [shade * 0.55, shade * 0.85, shade * 0.6, 1];
      }
    }
  }
  return [r, g, b, 1];
}

const data = new Uint8Array(SIZE * SIZE * 4);
for (let py = 0; py < SIZE; py++) {
  for (let px = 0; px < SIZE; px++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let a = 0;
    for (let sy = 0; sy < SS; sy++) {
      for (let sx = 0; sx < SS; sx++) {
        const [sr, sg, sb, sa] = sample((px + (sx + 0.5) / SS) / SIZE, (py + (sy + 0.5) / SS) / SIZE);
        // Premultiplied accumulation so edge pixels do not darken.
        r += sr * sa;
        g += sg * sa;
        b += sb * sa;
        a += sa;
      }
    }
    const o = (py * SIZE + px) * 4;
    const n = SS * SS;
    data[o] = a ? Math.round((r / a) * 255) : 0;
    data[o + 1] = a ? Math.round((g / a) * 255) : 0;
    data[o + 2] = a ? Math.round((b / a) * 255) : 0;
    data[o + 3] = Math.round((a / n) * 255);
  }
}

const out = join(dirname(fileURLToPath(import.meta.url)), 'icon.png');
writeFileSync(out, encode({ width: SIZE, height: SIZE, data, channels: 4, depth: 8 }));
console.log(`wrote ${out} (${SIZE}×${SIZE})`);
