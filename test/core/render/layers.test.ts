import { describe, expect, it } from 'vitest';
import { IGNORE_INDEX, S2_BANDS, WORLDCOVER_CLASSES } from '../../../src-main/core/data/modalities';
import { parseHexColor, pixelAt } from '../../../src-main/core/render/image';
import { LAYER_IDS, MissingModalityError, renderLayer, type PatchPixels } from '../../../src-main/core/render/layers';
import { layerLegend } from '../../../src-main/core/render/legend';
import { decodePngRgba, encodePng } from '../../../src-main/core/render/png';
import { NDVI_RAMP } from '../../../src-main/core/render/ramp';
import { renderWorldCover } from '../../../src-main/core/render/worldcover';

const W = 4;
const H = 2;
const N = W * H;

/** An S2 patch (DN) where every pixel has the given reflectance per band name (others 0.05). */
function s2Of(perPixel: (i: number) => Partial<Record<(typeof S2_BANDS)[number], number>>): Float32Array {
  const out = new Float32Array(N * S2_BANDS.length);
  for (let i = 0; i < N; i++) {
    const r = perPixel(i);
    S2_BANDS.forEach((b, c) => {
      out[i * S2_BANDS.length + c] = Math.round((r[b] ?? 0.05) * 10000);
    });
  }
  return out;
}

const rgbOf = (hex: string): number[] => [...parseHexColor(hex), 255];

describe('S2 composites', () => {
  // Vegetation (red 0.04, green 0.08, blue 0.03, NIR 0.40) on the left half, bare soil (0.20, 0.16, 0.12, NIR 0.26)
  // on the right half.
  const veg = { B04: 0.04, B03: 0.08, B02: 0.03, B08: 0.4 };
  const soil = { B04: 0.2, B03: 0.16, B02: 0.12, B08: 0.26 };
  const pixels: PatchPixels = { width: W, height: H, s2: s2Of((i) => (i % W < 2 ? veg : soil)) };

  it('true colour puts B04, B03, B02 into R, G, B (fixed stretch gives exact bytes)', () => {
    const r = renderLayer('s2-true', pixels, { stretch: { mode: 'fixed', min: 0, max: 0.25 } });
    // byte = round(reflectance / 0.25 * 255)
    expect(pixelAt(r.image, 0, 0)).toEqual([41, 82, 31, 255]);
    expect(pixelAt(r.image, 1, 3)).toEqual([204, 163, 122, 255]);
    expect(r.ranges).toEqual([[0, 0.25], [0, 0.25], [0, 0.25]]);
  });

  it('true colour with the default 2-98 percentile stretch spans each band fully', () => {
    const r = renderLayer('s2-true', pixels);
    expect(r.stretch).toEqual({ mode: 'percentile', low: 2, high: 98 });
    // Four pixels of each value per band: the 2nd and 98th percentiles fall on the two values themselves.
    expect(pixelAt(r.image, 0, 0)).toEqual([0, 0, 0, 255]);
    expect(pixelAt(r.image, 0, 3)).toEqual([255, 255, 255, 255]);
    expect(r.ranges[0]![0]).toBeCloseTo(0.04, 6);
    expect(r.ranges[0]![1]).toBeCloseTo(0.2, 6);
    expect(r.ranges[2]![1]).toBeCloseTo(0.12, 6);
  });

  it('false colour shows NIR as red: vegetation is red-dominant', () => {
    const r = renderLayer('s2-false', pixels, { stretch: { mode: 'fixed', min: 0, max: 0.5 } });
    const [red, green, blue] = pixelAt(r.image, 0, 0);
    expect([red, green, blue]).toEqual([204, 20, 41]);
  });

  it('pixels with every band 0 (L2A nodata) are transparent and left out of the stretch', () => {
    const withHole: PatchPixels = { width: W, height: H, s2: s2Of((i) => (i === 5 ? { B04: 0, B03: 0, B02: 0, B08: 0 } : i % W < 2 ? veg : soil)) };
    const fixed = renderLayer('s2-true', withHole, { stretch: { mode: 'minmax' } });
    expect(pixelAt(fixed.image, 1, 1)[3]).toBe(0);
    expect(fixed.ranges[0]).toEqual([0.04, 0.2].map((v) => Math.fround(v)) as [number, number]);
    const ndvi = renderLayer('ndvi', withHole);
    expect(pixelAt(ndvi.image, 1, 1)[3]).toBe(0);
  });
});

describe('NDVI ramp', () => {
  // red + nir = 1 -> NDVI = nir - red
  const at = (ndvi: number) => ({ B04: (1 - ndvi) / 2, B08: (1 + ndvi) / 2 });
  const values = [0.3, 0.8, -0.6, 0.425, 1.0, 0.1, 0.55, -0.2];

  it('colours NDVI values at stops exactly, interpolates between them and clamps beyond', () => {
    const r = renderLayer('ndvi', { width: W, height: H, s2: s2Of((i) => at(values[i])) });
    expect(r.ranges).toEqual([[-0.2, 1]]);
    const stop = (v: number): number[] => rgbOf(NDVI_RAMP.stops.find((s) => s.value === v)!.color);
    expect(pixelAt(r.image, 0, 0)).toEqual(stop(0.3));
    expect(pixelAt(r.image, 0, 1)).toEqual(stop(0.8));
    expect(pixelAt(r.image, 0, 2)).toEqual(stop(-0.2)); // -0.6 clamps to the first stop
    // 0.425 is halfway between the stops 0.3 (#f2e14b) and 0.55 (#7cc453).
    const a = parseHexColor('#f2e14b');
    const b = parseHexColor('#7cc453');
    expect(pixelAt(r.image, 0, 3)).toEqual([...a.map((x, k) => Math.round((x + b[k]) / 2)), 255]);
    expect(pixelAt(r.image, 1, 0)).toEqual(stop(1.0));
    expect(pixelAt(r.image, 1, 1)).toEqual(stop(0.1));
  });

  it('is brown for bare soil and green for vegetation', () => {
    const r = renderLayer('ndvi', { width: W, height: H, s2: s2Of((i) => at(i < 4 ? 0.05 : 0.7)) });
    const [sr, sg, sb] = pixelAt(r.image, 0, 0);
    const [vr, vg, vb] = pixelAt(r.image, 1, 0);
    expect(sr).toBeGreaterThan(sb); // brown: red over blue
    expect(sr).toBeGreaterThan(sg);
    expect(vg).toBeGreaterThan(vr); // green dominates
    expect(vg).toBeGreaterThan(vb);
  });
});

describe('S1 composite', () => {
  it('R = VV, G = VH, B = VV - VH (dB); NaN is transparent', () => {
    const s1 = new Float32Array(N * 2);
    for (let i = 0; i < N; i++) {
      s1[i * 2] = -20; // VH
      s1[i * 2 + 1] = -10; // VV
    }
    s1[3 * 2] = NaN;
    const r = renderLayer('s1', { width: W, height: H, s1 }, { stretch: { mode: 'fixed', min: [-25, -25, 0], max: [0, 0, 20] } });
    // VV -10 dB in -25..0 -> 0.6 -> 153; VH -20 -> 0.2 -> 51; ratio 10 dB in 0..20 -> 128
    expect(pixelAt(r.image, 0, 0)).toEqual([153, 51, 128, 255]);
    expect(pixelAt(r.image, 0, 3)[3]).toBe(0);
  });
});

describe('WorldCover', () => {
  it('uses ESA official colours exactly and leaves nodata transparent', () => {
    const classes = Int32Array.from([...WORLDCOVER_CLASSES.keys(), IGNORE_INDEX, 255]);
    const img = renderWorldCover(classes, classes.length, 1);
    WORLDCOVER_CLASSES.forEach((c, k) => expect(pixelAt(img, 0, k)).toEqual(rgbOf(c.color)));
    expect(pixelAt(img, 0, 11)).toEqual([0, 0, 0, 0]);
    expect(pixelAt(img, 0, 12)).toEqual([0, 0, 0, 0]);
    // Spot-check the published palette (ESA WorldCover product user manual).
    expect(pixelAt(img, 0, 0)).toEqual([0, 100, 0, 255]); // tree cover #006400
    expect(pixelAt(img, 0, 7)).toEqual([0, 100, 200, 255]); // permanent water #0064c8
  });

  it('legend lists the 11 classes with codes and colours', () => {
    const legend = layerLegend('worldcover');
    if (legend.kind !== 'classes') throw new Error('expected a class legend');
    expect(legend.classes.map((c) => c.value)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 100]);
    expect(legend.classes[4]).toEqual({ index: 4, value: 50, name: 'Built-up', color: '#fa0000' });
  });
});

describe('layers', () => {
  it('refuses a layer whose modality the patch lacks', () => {
    expect(() => renderLayer('s1', { width: W, height: H })).toThrow(MissingModalityError);
  });

  it('every layer has a legend', () => {
    for (const layer of LAYER_IDS) expect(layerLegend(layer).layer).toBe(layer);
  });

  it('PNG encoding round-trips RGBA exactly', () => {
    const img = renderWorldCover(Int32Array.from([0, 1, 2, -1, 4, 5, 6, 7]), W, H);
    const back = decodePngRgba(encodePng(img));
    expect([back.width, back.height]).toEqual([W, H]);
    expect([...back.data]).toEqual([...img.data]);
  });
});
