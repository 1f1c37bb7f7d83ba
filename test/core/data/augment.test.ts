import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyJitter, applySampling, dihedral, identityAugmentation, sampleAugmentation, samplingOf, type PatchAugmentation } from '../../../src-main/core/data/augment';
import { createRng } from '../../../src-main/core/data/rng';
import { PatchDataset } from '../../../src-main/core/data/dataset';
import { writeBengeFixture, type BengeFixture } from './helpers/write-benge';

const S = 120;
function image(channels: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: S * S * channels }, () => rng.next());
}
function transform(src: Float32Array, channels: number, t: PatchAugmentation, nearest = false): Float32Array {
  const dst = new Float32Array(src.length);
  applySampling(src, dst, channels, samplingOf(t, S), nearest);
  return dst;
}
function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
const withGeometry = (g: Partial<PatchAugmentation>): PatchAugmentation => ({ ...identityAugmentation(S), ...g });

describe('augmentation geometry', () => {
  it('four quarter turns are the identity, and each matches numpy rot90 (counter-clockwise)', () => {
    const img = image(3, 1);
    let x = img;
    for (let k = 0; k < 4; k++) x = transform(x, 3, withGeometry(dihedral(1)));
    expect(maxAbsDiff(x, img)).toBe(0);
    const r1 = transform(img, 3, withGeometry(dihedral(1)));
    // rot90(m)[i][j] = m[j][S-1-i]
    for (const [i, j] of [[0, 0], [5, 17], [119, 3], [60, 119]]) {
      for (let c = 0; c < 3; c++) expect(r1[(i * S + j) * 3 + c]).toBe(img[(j * S + (S - 1 - i)) * 3 + c]);
    }
    const r2 = transform(transform(img, 3, withGeometry(dihedral(1))), 3, withGeometry(dihedral(1)));
    expect(maxAbsDiff(transform(img, 3, withGeometry(dihedral(2))), r2)).toBe(0);
    const flip = transform(img, 3, withGeometry(dihedral(0, true)));
    expect(flip[(4 * S + 0) * 3]).toBe(img[(4 * S + S - 1) * 3]);
    expect(maxAbsDiff(transform(flip, 3, withGeometry(dihedral(0, true))), img)).toBe(0);
  });

  it('moves an image and its mask identically (all 8 symmetries; crops agree within half a pixel)', () => {
    // Mask with blocky classes; image channel 1 carries the class as a number.
    const mask = new Float32Array(S * S);
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) mask[y * S + x] = ((y >> 4) * 3 + (x >> 5)) % 11;
    const img = new Float32Array(S * S * 2);
    for (let i = 0; i < S * S; i++) {
      img[i * 2] = i;
      img[i * 2 + 1] = mask[i];
    }
    for (let k = 0; k < 4; k++) for (const flip of [false, true]) {
      const t = withGeometry(dihedral(k, flip));
      const m = transform(mask, 1, t, true);
      const im = transform(img, 2, t);
      let worst = 0;
      for (let i = 0; i < S * S; i++) worst = Math.max(worst, Math.abs(im[i * 2 + 1] - m[i]));
      expect(worst).toBe(0);
    }
    // Crops: bilinear for images, nearest for masks, over the same source positions. With images holding their
    // own source coordinates (column, row), bilinear gives the exact source position of each output pixel and
    // nearest its rounding: they must agree within half a pixel everywhere.
    const cols = new Float32Array(S * S);
    const rows = new Float32Array(S * S);
    const coords = new Float32Array(S * S * 2);
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
      cols[y * S + x] = x;
      rows[y * S + x] = y;
      coords[(y * S + x) * 2] = x;
      coords[(y * S + x) * 2 + 1] = y;
    }
    const rng = createRng(4);
    for (let r = 0; r < 8; r++) {
      const t = sampleAugmentation(rng, S, { cropProbability: 1, cropMinScale: 0.6 });
      expect(t.cropSize).toBeLessThan(S);
      const mc = transform(cols, 1, t, true);
      const mr = transform(rows, 1, t, true);
      const im = transform(coords, 2, t);
      let worst = 0;
      for (let i = 0; i < S * S; i++) worst = Math.max(worst, Math.abs(im[i * 2] - mc[i]), Math.abs(im[i * 2 + 1] - mr[i]));
      expect(worst).toBeLessThanOrEqual(0.5 + 1e-4);
      // The output covers the crop: corner pixels come from inside the crop window.
      const seen = [0, S - 1, S * S - S, S * S - 1].map((i) => [mr[i], mc[i]]);
      for (const [row, col] of seen) {
        expect(row).toBeGreaterThanOrEqual(t.cropRow);
        expect(row).toBeLessThan(t.cropRow + t.cropSize);
        expect(col).toBeGreaterThanOrEqual(t.cropCol);
        expect(col).toBeLessThan(t.cropCol + t.cropSize);
      }
    }
  });

  it('is seeded: the same seed gives the same draws, the jitter is gentle', () => {
    const a = [0, 1, 2].map(() => null).map((_, i) => sampleAugmentation(createRng(`s/${i}`), S));
    const b = [0, 1, 2].map(() => null).map((_, i) => sampleAugmentation(createRng(`s/${i}`), S));
    expect(a).toEqual(b);
    const many = Array.from({ length: 200 }, (_, i) => sampleAugmentation(createRng(i), S));
    expect(new Set(many.map((t) => `${t.transpose}${t.flipX}${t.flipY}`)).size).toBe(8);
    for (const t of many) {
      expect(Math.abs(t.gain - 1)).toBeLessThanOrEqual(0.1);
      expect(Math.abs(t.offset)).toBeLessThanOrEqual(0.02);
      expect(t.cropSize).toBeGreaterThanOrEqual(84);
    }
    const v = new Float32Array([0.5]);
    applyJitter(v, { ...identityAugmentation(S), gain: 1.1, offset: -0.01 });
    expect(v[0]).toBeCloseTo(0.54, 6);
  });
});

describe('augmented batches', () => {
  let dir: string;
  let fx: BengeFixture;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tf-aug-'));
    fx = writeBengeFixture(join(dir, 'mini'), { patches: 4, seed: 3 });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('applies one geometry to S2, S1, WorldCover input and mask, jitter to S2 only, reproducibly', async () => {
    const ds = await PatchDataset.open(fx.root, { cacheDir: join(dir, 'cache') });
    const idx = [0, 1, 2, 3];
    const opts = { modalities: ['s2', 's1', 'worldcover'] as const, targets: ['worldcover'] as const };
    const plain = ds.getBatch(idx, { modalities: [...opts.modalities], targets: [...opts.targets] });
    const aug = ds.getBatch(idx, { modalities: [...opts.modalities], targets: [...opts.targets], augment: true, rng: createRng(11) });
    const again = ds.getBatch(idx, { modalities: [...opts.modalities], targets: [...opts.targets], augment: true, rng: createRng(11) });
    expect(maxAbsDiff(again.inputs.s2!.data, aug.inputs.s2!.data)).toBe(0);
    expect(maxAbsDiff(again.targets.worldcover!, aug.targets.worldcover!)).toBe(0);
    expect(maxAbsDiff(plain.inputs.s2!.data, aug.inputs.s2!.data)).toBeGreaterThan(0.01);
    // Reference path: the same draws, applied with the generic functions to the unaugmented batch.
    const rng = createRng(11);
    const P = S * S;
    idx.forEach((_, b) => {
      const t = sampleAugmentation(rng, S);
      const s2 = transform(plain.inputs.s2!.data.slice(b * P * 12, (b + 1) * P * 12), 12, t);
      applyJitter(s2, t);
      const got = aug.inputs.s2!.data.subarray(b * P * 12, (b + 1) * P * 12);
      let maxErr = 0;
      for (let i = 0; i < s2.length; i++) maxErr = Math.max(maxErr, Math.abs(got[i] - s2[i]));
      expect(maxErr).toBeLessThan(1e-5);
      const s1 = transform(plain.inputs.s1!.data.slice(b * P * 2, (b + 1) * P * 2), 2, t);
      const got1 = aug.inputs.s1!.data.subarray(b * P * 2, (b + 1) * P * 2);
      let maxErr1 = 0;
      for (let i = 0; i < s1.length; i++) maxErr1 = Math.max(maxErr1, Math.abs(got1[i] - s1[i]));
      expect(maxErr1).toBeLessThan(1e-5); // no jitter on S1
      const mask = transform(Float32Array.from((plain.targets.worldcover as Int32Array).slice(b * P, (b + 1) * P)), 1, t, true);
      expect(maxAbsDiff((aug.targets.worldcover as Int32Array).subarray(b * P, (b + 1) * P), mask)).toBe(0);
      // The one-hot input agrees with the mask pixel by pixel.
      const oh = aug.inputs.worldcover!.data;
      for (let i = 0; i < P; i += 97) expect(oh[(b * P + i) * 11 + (aug.targets.worldcover as Int32Array)[b * P + i]]).toBe(1);
    });
  });
});
