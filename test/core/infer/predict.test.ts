import * as tf from '@tensorflow/tfjs';
import { fromFile } from 'geotiff';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import proj4 from 'proj4';
import { afterAll, describe, expect, it } from 'vitest';
import type { Batch } from '../../../src-main/core/data/modalities';
import { buildTaskModel } from '../../../src-main/core/models/task-model';
import { footprintLonLat, type Transform6 } from '../../../src-main/core/infer/footprint';
import { predictPatches, type HeadOutputSpec } from '../../../src-main/core/infer/predict';
import { PredictionWriter } from '../../../src-main/core/infer/writers';
import type { BatchSource } from '../../../src-main/core/train/loop';

const SIZE = 32;
const out = mkdtempSync(join(tmpdir(), 'tf-predict-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Four patches of constant S2 values (a fake source: predictions only need inputs). */
const source: BatchSource = {
  getBatch(indices): Batch {
    const c = 12;
    const data = new Float32Array(indices.length * SIZE * SIZE * c);
    indices.forEach((idx, j) => data.fill(0.1 * (idx + 1), j * SIZE * SIZE * c, (j + 1) * SIZE * SIZE * c));
    return { size: indices.length, ids: indices.map((i) => `patch,${i}`), inputs: { s2: { data, shape: [indices.length, SIZE, SIZE, c] } }, targets: {} };
  },
};

// UTM 33N grid of 10 m pixels; the upper-left corner at (500000, 5300000).
const transform: Transform6 = [10, 0, 500000, 0, -10, 5300000];

describe('predict + writers', () => {
  it('writes a CSV row, a GeoJSON footprint and a georeferenced mask per patch', async () => {
    const tm = buildTaskModel({
      modalities: ['s2'], backbone: 'unet', width: 2, inputSize: SIZE, seed: 3,
      tasks: [{ target: 'worldcover' }, { target: 'lulc' }, { target: 'season' }, { target: 'landcover' }],
    });
    const heads: HeadOutputSpec[] = tm.spec.tasks.map((t, i) => ({ target: t.target, kind: t.kind, output: i }));
    const writer = new PredictionWriter(out, heads);
    const before = tf.memory().numTensors;
    const seen: string[] = [];
    for await (const p of predictPatches({ model: tm.model, inputs: ['s2'], heads, source, indices: [0, 1, 2, 3], batchSize: 3 })) {
      seen.push(p.id);
      const seg = p.heads.worldcover!;
      expect(seg.kind).toBe('segmentation');
      if (seg.kind === 'segmentation') {
        expect(seg.mask.length).toBe(SIZE * SIZE);
        expect(Math.max(...seg.mask)).toBeLessThan(11);
        expect(seg.meanConfidence).toBeGreaterThan(1 / 11 - 1e-6);
        expect(seg.meanConfidence).toBeLessThanOrEqual(1);
      }
      const cls = p.heads.lulc!;
      if (cls.kind === 'classification') {
        expect(cls.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        expect(cls.confidence).toBe(Math.max(...cls.probabilities));
      }
      await writer.add(p, { grid: { epsg: 32633, transform } });
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(seen).toEqual(['patch,0', 'patch,1', 'patch,2', 'patch,3']);
    const files = await writer.finish();
    expect(files.masks).toHaveLength(4);

    const csv = readFileSync(files.csv, 'utf8').trim().split('\n');
    expect(csv).toHaveLength(5);
    expect(csv[0].split(',')).toEqual(expect.arrayContaining(['id', 'worldcover_class', 'worldcover_mask', 'lulc_class', 'lulc_confidence', 'season_value', 'landcover_labels']));
    expect(csv[1].startsWith('"patch,0",')).toBe(true);

    const gj = JSON.parse(readFileSync(files.geojson, 'utf8'));
    expect(gj.features).toHaveLength(4);
    const ring: number[][] = gj.features[0].geometry.coordinates[0];
    const [lon, lat] = proj4('+proj=utm +zone=33 +datum=WGS84 +units=m +no_defs', 'EPSG:4326', [500000, 5300000]);
    expect(ring.some(([x, y]) => Math.abs(x - lon) < 1e-9 && Math.abs(y - lat) < 1e-9)).toBe(true);
    expect(gj.features[2].properties.worldcover_mask).toBe('masks/patch_2__worldcover.tif');

    const tiff = await fromFile(join(out, 'masks/patch_2__worldcover.tif'));
    const image = await tiff.getImage();
    expect(image.getWidth()).toBe(SIZE);
    expect(image.getOrigin()).toEqual([500000, 5300000, 0]);
    expect(image.getResolution()).toEqual([10, -10, 0]);
    expect(image.getGeoKeys()?.ProjectedCSTypeGeoKey).toBe(32633);
    tm.model.dispose();
  });

  it('footprints are counter-clockwise lon/lat rings; unknown CRSs give none', () => {
    const ring = footprintLonLat(32633, transform, 120, 120)!;
    expect(ring[0]).toEqual(ring.at(-1));
    let area = 0;
    for (let i = 0; i < ring.length - 1; i++) area += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
    expect(area).toBeGreaterThan(0);
    expect(footprintLonLat(2056, transform, 120, 120)).toBeUndefined(); // Swiss LV95: not in the CRS bridge
  });
});
