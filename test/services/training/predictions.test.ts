import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PredictConfig, TrainConfig } from '../../../src-main/api/training';
import { PatchDataset } from '../../../src-main/core/data/dataset';
import { WORLDCOVER_CLASSES } from '../../../src-main/core/data/modalities';
import { runPredict, runTrain } from '../../../src-main/core/train/run';
import { EventBus } from '../../../src-main/services/events';
import { PathGuard } from '../../../src-main/services/files/path-guard';
import { JobService } from '../../../src-main/services/jobs/service';
import { trainingHandlers } from '../../../src-main/services/training/handlers';
import { paletteOf } from '../../../src-main/services/training/predictions';
import { maskPath } from '../../../src-main/services/training/mask-image';
import { readRaster } from '../../../src-main/core/geo/raster';
import { footprint } from '../../../src-main/core/geo/crs';
import { decodePngRgba } from '../../../src-main/core/render/png';
import { parseHexColor } from '../../../src-main/core/render/image';
import { writeBengeFixture } from '../../core/data/helpers/write-benge';

// A tiny multitask U-Net (worldcover segmentation + lulc classification + season regression) trained and run
// in-process on a 10-patch fixture; training.predictions then reads the predict folder back through the handler.
const root = mkdtempSync(join(tmpdir(), 'tf-preds-'));
const outside = mkdtempSync(join(tmpdir(), 'tf-preds-out-'));
const data = join(root, 'data');
const pred = join(root, 'pred');
const context = { transport: 'serve' as const };
let dataset: PatchDataset;
let jobs: JobService;

beforeAll(async () => {
  writeBengeFixture(data, { patches: 10 });
  dataset = await PatchDataset.open(data, { cacheDir: join(root, 'cache') });
  const run = join(root, 'run');
  await runTrain(
    TrainConfig.parse({
      data,
      modalities: ['s2'],
      backbone: 'unet',
      width: 2,
      epochs: 1,
      batchSize: 4,
      out: run,
      tasks: [
        { task: 'segmentation', target: 'worldcover' },
        { task: 'classification', target: 'lulc' },
        { task: 'regression', target: 'season' },
      ],
    }),
    { dataset },
  );
  await runPredict(PredictConfig.parse({ run, data, out: pred, split: 'all', batchSize: 4 }), { dataset });
  jobs = new JobService({ events: new EventBus() });
});
afterAll(async () => {
  await jobs.shutdown();
  dataset.close();
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const handlers = () => trainingHandlers(jobs, new PathGuard(() => [{ path: root, kind: 'workspace' as const }]));

describe('training.predictions', () => {
  it('lists the heads with their tasks and WorldCover colours, and every patch with its predictions', async () => {
    const r = await handlers()['training.predictions']({ dir: pred, data: null }, context);
    expect(r.heads.map((h) => [h.target, h.task])).toEqual([
      ['lulc', 'classification'],
      ['worldcover', 'segmentation'],
      ['season', 'regression'],
    ]);
    const wc = r.heads.find((h) => h.target === 'worldcover')!;
    expect(wc.colors).toEqual(WORLDCOVER_CLASSES.map((c) => c.color));
    expect(wc.classNames).toHaveLength(WORLDCOVER_CLASSES.length);
    expect(r.heads.find((h) => h.target === 'season')!.classNames).toEqual([]);
    expect(r.patches).toHaveLength(10);
    // The same values as the CSV the predict job wrote.
    const [header, ...rows] = readFileSync(join(pred, 'predictions.csv'), 'utf8').trim().split('\n');
    const cols = header.split(',');
    for (const row of rows) {
      const cells = row.split(',');
      const get = (c: string) => cells[cols.indexOf(c)];
      const p = r.patches.find((x) => x.id === get('id'))!;
      expect(p.byTarget.lulc.index).toBe(Number(get('lulc_index')));
      expect(p.byTarget.lulc.className).toBe(get('lulc_class'));
      expect(p.byTarget.lulc.confidence).toBeCloseTo(Number(get('lulc_confidence')), 4);
      expect(p.byTarget.worldcover.mask).toBe(get('worldcover_mask'));
      expect(p.byTarget.season.value).toBeCloseTo(Number(get('season_value')), 4);
      expect(p.split).toBeNull();
      expect(p.byTarget.lulc.truth).toBeNull();
    }
  });

  it('with the dataset: each patch carries its split and true class', async () => {
    const r = await handlers()['training.predictions']({ dir: pred, data }, context);
    for (const p of r.patches) {
      const i = dataset.ids.indexOf(p.id);
      expect(p.split).toBe(dataset.split(i));
      expect(p.byTarget.lulc.truth).toBe(dataset.classesOf(i, 'lulc')[0]);
      expect(p.byTarget.worldcover.truth).toBe(dataset.classesOf(i, 'worldcover')[0]);
      expect(p.byTarget.season.truth).toBeNull();
    }
    expect(new Set(r.patches.map((p) => p.split))).toEqual(new Set(['train', 'val', 'test']));
  });

  it('colours other vocabularies with distinct hex colours (the renderer builds colour tables from hex)', () => {
    const zones = paletteOf('climatezone', 30);
    expect(zones.every((c) => /^#[0-9a-f]{6}$/.test(c))).toBe(true);
    expect(new Set(zones).size).toBe(30);
    expect(paletteOf('lulc', 11)[0]).toBe(WORLDCOVER_CLASSES[0].color);
  });

  it('refuses folders outside the registered ones and folders without predictions', async () => {
    await expect(handlers()['training.predictions']({ dir: outside, data: null }, context)).rejects.toThrow();
    await expect(handlers()['training.predictions']({ dir: data, data: null }, context)).rejects.toThrow(/not a predict output folder/);
  });
});

describe('training.maskImage', () => {
  const id = () => dataset.ids[dataset.indices({ split: 'test' })[0]];

  it('prediction: the mask in WorldCover colours, placed by the mask GeoTIFF (extent, CRS, proj4)', async () => {
    const patchId = id();
    const img = await handlers()['training.maskImage']({ dir: pred, patchId, target: 'worldcover', view: 'prediction', data: null }, context);
    const mask = await readRaster(maskPath(pred, patchId, 'worldcover'));
    const grid = dataset.cache.header.patches[dataset.ids.indexOf(patchId)].grid!;
    expect(img.crs_epsg).toBe(grid.epsg);
    expect(img.proj4).toMatch(/\+proj=/);
    const fp = footprint(mask.info);
    expect(img.extent).toEqual([
      Math.min(...fp.polygon.map((p) => p[0])),
      Math.min(...fp.polygon.map((p) => p[1])),
      Math.max(...fp.polygon.map((p) => p[0])),
      Math.max(...fp.polygon.map((p) => p[1])),
    ]);
    expect(img.extent_wgs84).not.toBeNull();
    const png = decodePngRgba(Buffer.from(img.png_base64, 'base64'));
    expect([png.width, png.height]).toEqual([mask.info.width, mask.info.height]);
    const classes = mask.bands[0];
    for (const px of [0, 7, 1234, classes.length - 1]) {
      expect(Array.from(png.data.slice(px * 4, px * 4 + 4))).toEqual([...parseHexColor(WORLDCOVER_CLASSES[classes[px]].color), 255]);
    }
    expect(img.errors).toBeNull();
  });

  it('errors: red where the mask differs from the WorldCover truth, transparent elsewhere; counts agree', async () => {
    const patchId = id();
    const img = await handlers()['training.maskImage']({ dir: pred, patchId, target: 'worldcover', view: 'errors', data }, context);
    const classes = (await readRaster(maskPath(pred, patchId, 'worldcover'))).bands[0];
    const truth = dataset.cache.record('worldcover', dataset.ids.indexOf(patchId));
    const png = decodePngRgba(Buffer.from(img.png_base64, 'base64'));
    let red = 0;
    for (let px = 0; px < classes.length; px++) {
      const alpha = png.data[px * 4 + 3];
      const wrong = truth[px] !== 255 && truth[px] !== classes[px];
      expect(alpha).toBe(wrong ? 255 : 0);
      if (wrong) red++;
    }
    expect(img.errors).toEqual({ wrong: red, valid: Array.from(truth).filter((t) => t !== 255).length });
    // A 1-epoch width-2 model is far from perfect: some pixels are wrong.
    expect(red).toBeGreaterThan(0);
  });

  it('refuses: errors without the dataset, an unknown patch, a non-WorldCover target', async () => {
    const h = handlers();
    await expect(h['training.maskImage']({ dir: pred, patchId: id(), target: 'worldcover', view: 'errors', data: null }, context)).rejects.toThrow(/needs the dataset/);
    await expect(h['training.maskImage']({ dir: pred, patchId: 'nope', target: 'worldcover', view: 'prediction', data: null }, context)).rejects.toThrow(/no worldcover mask/);
    await expect(h['training.maskImage']({ dir: pred, patchId: id(), target: 'climatezone', view: 'prediction', data: null }, context)).rejects.toThrow(/not WorldCover/);
    await expect(h['training.maskImage']({ dir: outside, patchId: id(), target: 'worldcover', view: 'prediction', data: null }, context)).rejects.toThrow();
  });
});

describe('training.confusion', () => {
  it('classification: patches counted by true and predicted class, as the predictions say', async () => {
    const h = handlers();
    const c = await h['training.confusion']({ dir: pred, data, target: 'lulc', split: 'all' }, context);
    const r = await h['training.predictions']({ dir: pred, data }, context);
    expect(c.unit).toBe('patches');
    expect(c.matrix).toHaveLength(c.classNames.length);
    const withTruth = r.patches.filter((p) => p.byTarget.lulc.truth !== null);
    expect(c.patches).toBe(withTruth.length);
    for (const p of withTruth) expect(c.matrix[p.byTarget.lulc.truth!][p.byTarget.lulc.index!]).toBeGreaterThan(0);
    const total = c.matrix.flat().reduce((a, b) => a + b, 0);
    const diag = c.matrix.reduce((a, row, t) => a + row[t], 0);
    expect(total).toBe(withTruth.length);
    expect(c.accuracy).toBeCloseTo(diag / total, 10);
    const test = await h['training.confusion']({ dir: pred, data, target: 'lulc', split: 'test' }, context);
    expect(test.patches).toBe(withTruth.filter((p) => p.split === 'test').length);
  });

  it('segmentation: pixels of the masks against the WorldCover maps (nodata skipped)', async () => {
    const c = await handlers()['training.confusion']({ dir: pred, data, target: 'worldcover', split: 'test' }, context);
    expect(c.unit).toBe('pixels');
    const ids = dataset.indices({ split: 'test' }).map((i) => dataset.ids[i]);
    let valid = 0;
    let right = 0;
    for (const id of ids) {
      const mask = (await readRaster(maskPath(pred, id, 'worldcover'))).bands[0];
      const truth = dataset.cache.record('worldcover', dataset.ids.indexOf(id));
      for (let px = 0; px < mask.length; px++) {
        if (truth[px] === 255) continue;
        valid++;
        if (truth[px] === mask[px]) right++;
      }
    }
    expect(c.patches).toBe(ids.length);
    expect(c.matrix.flat().reduce((a, b) => a + b, 0)).toBe(valid);
    expect(c.accuracy).toBeCloseTo(right / valid, 10);
  });

  it('refuses a regression head and a head the folder lacks', async () => {
    await expect(handlers()['training.confusion']({ dir: pred, data, target: 'season', split: 'all' }, context)).rejects.toThrow(/no confusion matrix/);
    await expect(handlers()['training.confusion']({ dir: pred, data, target: 'ben19', split: 'all' }, context)).rejects.toThrow(/no predictions of ben19/);
  });
});
