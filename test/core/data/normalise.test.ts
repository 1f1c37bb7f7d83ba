import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normaliseS1, normaliseS2, parseNormalisationStats, RunningStats } from '../../../src-main/core/data/normalise';
import { PatchDataset } from '../../../src-main/core/data/dataset';
import { writeBengeFixture, type BengeFixture } from './helpers/write-benge';

let dir: string;
let fx: BengeFixture;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tf-norm-'));
  fx = writeBengeFixture(join(dir, 'mini'), { patches: 10, seed: 9 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('normalisation', () => {
  it('follows the tutorial: S2 clip(DN/10000, 0, 1); S1 (clip(dB, -25, 0) + 25) / 25', () => {
    expect(normaliseS2(0)).toBe(0);
    expect(normaliseS2(2500)).toBe(0.25);
    expect(normaliseS2(12000)).toBe(1);
    expect(normaliseS1(-25)).toBe(0);
    expect(normaliseS1(-40)).toBe(0);
    expect(normaliseS1(-12.5)).toBe(0.5);
    expect(normaliseS1(3)).toBe(1);
    expect(normaliseS1(NaN)).toBe(0);
  });

  it('RunningStats matches the two-pass mean/std, chunked or not', () => {
    const values = Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 50 + i * 0.1);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
    const a = new RunningStats();
    values.forEach((v) => a.add(v));
    const b = new RunningStats();
    b.addAll(values.slice(0, 333));
    b.addAll(values.slice(333));
    for (const r of [a.result(), b.result()]) {
      expect(r.mean).toBeCloseTo(mean, 9);
      expect(r.std).toBeCloseTo(std, 9);
    }
  });

  it('standardises DEM and ERA-5 with training-split statistics only, and reuses stored statistics', async () => {
    const ds = await PatchDataset.open(fx.root, { cacheDir: join(dir, 'cache') });
    const train = ds.splits.train;
    expect(train.length).toBe(6);
    // Fixture DEM: 300 + 50 p + y + x; per patch mean 419 + 50 p, pixel variance 2 * (120^2 - 1) / 12.
    const means = train.map((p) => 419 + 50 * p);
    const mean = means.reduce((s, v) => s + v, 0) / means.length;
    const between = means.reduce((s, v) => s + (v - mean) ** 2, 0) / means.length;
    const within = (2 * (120 * 120 - 1)) / 12;
    expect(ds.normalisation.dem.mean).toBeCloseTo(mean, 6);
    expect(ds.normalisation.dem.std).toBeCloseTo(Math.sqrt(between + within), 4);
    expect(ds.normalisation.source).toEqual({ split: 'train', patches: 6 });
    const b = ds.getBatch([train[0]], { modalities: ['dem', 'era5'] });
    const h = 300 + 50 * train[0] + 7 + 11;
    expect(b.inputs.dem!.data[7 * 120 + 11]).toBeCloseTo((h - mean) / ds.normalisation.dem.std, 5);
    // ERA-5 pressure level alternates 950/925/900 over patches.
    const p0 = [950, 925, 900];
    const lvl = train.map((p) => p0[p % 3]);
    const lm = lvl.reduce((s, v) => s + v, 0) / lvl.length;
    expect(ds.normalisation.era5.mean[0]).toBeCloseTo(lm, 9);

    // Stored with a run as JSON and reused at inference: a dataset opened with them standardises identically.
    const stored = JSON.parse(JSON.stringify(ds.normalisation));
    const again = await PatchDataset.open(fx.root, { cacheDir: join(dir, 'cache'), normalisation: stored, seed: 'other' });
    expect(again.normalisation).toEqual(ds.normalisation);
    expect(again.getBatch([train[0]], { modalities: ['dem', 'era5'] }).inputs.dem!.data).toEqual(b.inputs.dem!.data);
    expect(() => parseNormalisationStats({ version: 1, dem: { mean: 0, std: 0 } })).toThrow(/invalid normalisation/);
  });
});
