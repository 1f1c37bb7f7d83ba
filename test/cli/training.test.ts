/**
 * The training commands end to end on a tiny synthetic dataset made by `terrafuse synth` itself (16 patches; width-4
 * networks, one epoch, so that each run takes seconds on a shared CPU): `train --json` (one summary line, snake_case
 * test metrics per task kind, the run folder), `pretrain --method contrastive-s1s2` and `train --from --transfer`
 * in each mode, transfer mismatches (exit 1, one line naming it, no run folder), `evaluate` reproducing a run's test
 * metrics, and `predict` (CSV, GeoJSON, GeoTIFF masks that GDAL reads on the patch's grid).
 * The numbers depend on tfjs; only their contract (keys, finiteness, ranges, agreement between commands) is asserted.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointTensor, cli, expectOneLineError, jsonLine, removeDatasetCache, synthDataset, terrafuseChild } from './support';

const tmp = mkdtempSync(join(tmpdir(), 'tf-cli-train-'));
const data = join(tmp, 'data');
const PATCHES = 16;
const runDir = (name: string): string => join(tmp, 'runs', name);

// Small enough for seconds per run; the flags are the ones a user would give.
const SMALL = ['--width', '4', '--epochs', '1', '--batch-size', '8', '--seed', '1'];

interface TrainSummary {
  run: string;
  status: string;
  epochs: number;
  best: { epoch: number; metric: string; value: number | null } | null;
  test: Record<string, number | null>;
  seconds: number;
  checkpoint: string;
  dataset: { path: string; layout: string; patches: number; train: number; labelled: number; val: number; test: number };
}

let ids: string[] = [];
let splits: Record<'train' | 'val' | 'test', string[]>;

beforeAll(async () => {
  await synthDataset(data, PATCHES, 'cli-tests');
  const lines = (file: string): string[] => readFileSync(join(data, file), 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  ids = (parseCsv(readFileSync(join(data, 'data_meta.csv'), 'utf8'), { columns: true }) as { patch_id: string }[]).map((r) => r.patch_id);
  splits = { train: lines('data_train.csv'), val: lines('data_val.csv'), test: lines('data_test.csv') };
});

afterAll(() => {
  removeDatasetCache(data);
  rmSync(tmp, { recursive: true, force: true });
});

/** All files under a folder, relative to it, sorted. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

const readJson = <T = Record<string, unknown>>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

const UNIT = /^(accuracy|f1_[a-z]+|precision_[a-z]+|recall_[a-z]+|iou_[a-z]+)$/;

/** Every metric a finite number in its valid range (by its snake_case name). */
function expectValidMetrics(metrics: Record<string, number | null>): void {
  for (const [key, v] of Object.entries(metrics)) {
    const name = key.split('.').at(-1) ?? key;
    expect(name, key).toMatch(/^[a-z0-9]+(_[a-z0-9]+)*$/);
    expect(typeof v === 'number' && Number.isFinite(v), `${key} = ${v}`).toBe(true);
    const x = v as number;
    if (UNIT.test(name)) {
      expect(x, key).toBeGreaterThanOrEqual(0);
      expect(x, key).toBeLessThanOrEqual(1);
    } else if (['loss', 'mae', 'rmse', 'mse'].includes(name)) {
      expect(x, key).toBeGreaterThanOrEqual(0);
    } else if (name === 'r2') {
      expect(x, key).toBeLessThanOrEqual(1);
    }
  }
}

async function train(name: string, args: string[]): Promise<TrainSummary> {
  const out = runDir(name);
  const r = await cli(['train', '--data', data, ...args, ...SMALL, '--out', out, '--json']);
  const s = jsonLine<TrainSummary>(r);
  expect(s.run).toBe(out);
  expect(s.status).toBe('done');
  return s;
}

/** A finished run folder: exactly config, run record, history and the best checkpoint; no temporary leftovers. */
function expectRunFolder(s: TrainSummary, flags: { modalities: string[]; targets: string[]; backbone: string }): void {
  expect(filesUnder(s.run)).toEqual(['checkpoint/meta.json', 'checkpoint/model.json', 'checkpoint/weights.bin', 'config.json', 'history.json', 'run.json']);
  expect(s.checkpoint).toBe(join(s.run, 'checkpoint'));
  const config = readJson<{ data: string; modalities: string[]; tasks: { target: string }[]; backbone: string; width: number; epochs: number; seed: number; out: string }>(join(s.run, 'config.json'));
  expect(config).toMatchObject({ data, modalities: flags.modalities, backbone: flags.backbone, width: 4, epochs: 1, seed: 1, out: s.run });
  expect(config.tasks.map((t) => t.target)).toEqual(flags.targets);
  const record = readJson<{ status: string; test: unknown; best: unknown }>(join(s.run, 'run.json'));
  expect(record.status).toBe('done');
  expect(record.test).toEqual(s.test);
  expect(record.best).toEqual(s.best);
  expect(readJson<unknown[]>(join(s.run, 'history.json'))).toHaveLength(s.epochs);
  const meta = readJson<{ kind: string; backbone: string; width: number; heads: { target: string }[] }>(join(s.checkpoint, 'meta.json'));
  expect(meta).toMatchObject({ kind: 'model', backbone: flags.backbone, width: 4 });
  expect(meta.heads.map((h) => h.target)).toEqual(flags.targets);
  // The dataset counts come from the split CSVs synth wrote.
  expect(s.dataset).toMatchObject({ path: data, layout: 'ben-ge', patches: PATCHES, train: splits.train.length, labelled: splits.train.length, val: splits.val.length, test: splits.test.length });
}

const runs: Record<string, TrainSummary> = {};

describe('train --json: one summary line with snake_case test metrics, and the run folder', () => {
  const SINGLE: Array<{ kind: string; modalities: string[]; target: string; backbone: string; metrics: string[] }> = [
    { kind: 'classification', modalities: ['s2'], target: 'lulc', backbone: 'resnet18', metrics: ['accuracy', 'f1_macro', 'f1_micro'] },
    { kind: 'multilabel', modalities: ['s2'], target: 'landcover', backbone: 'resnet18', metrics: ['f1_macro', 'f1_micro'] },
    { kind: 'segmentation', modalities: ['s1'], target: 'worldcover', backbone: 'unet', metrics: ['iou_macro', 'accuracy'] },
    { kind: 'regression', modalities: ['s2'], target: 'season', backbone: 'resnet18', metrics: ['mae', 'r2', 'rmse'] },
  ];

  it.each(SINGLE)('$kind ($target, $backbone on $modalities)', async ({ kind, modalities, target, backbone, metrics }) => {
    const s = await train(kind, ['--modalities', modalities.join(','), '--target', target, '--backbone', backbone]);
    runs[kind] = s;
    expect(s.epochs).toBe(1);
    // One head: bare metric names, no `target.` prefix.
    for (const m of ['loss', ...metrics]) expect(s.test, m).toHaveProperty([m]);
    expect(Object.keys(s.test).filter((k) => k.includes('.'))).toEqual([]);
    expectValidMetrics(s.test);
    if (kind === 'regression') expect(s.test.rmse as number).toBeGreaterThanOrEqual(s.test.mae as number);
    expect(s.best?.epoch).toBe(1);
    // The best checkpoint is chosen on the validation split by the task's metric (regression: the loss).
    expect(s.best?.metric).toBe(kind === 'regression' ? 'loss' : `${target}.${kind === 'segmentation' ? 'iou_macro' : 'f1_macro'}`);
    expectRunFolder(s, { modalities, targets: [target], backbone });
  });

  it('multitask (segmentation + classification + season, late fusion of S2 and S1): `target.metric` keys', async () => {
    const targets = ['worldcover', 'lulc', 'season'];
    const s = await train('multitask', ['--modalities', 's2,s1', '--fusion', 'late', '--target', targets.join(','), '--loss-weights', '1,0.5,2', '--backbone', 'unet']);
    runs.multitask = s;
    for (const m of ['loss', 'worldcover.iou_macro', 'worldcover.accuracy', 'lulc.accuracy', 'lulc.f1_macro', 'lulc.f1_micro', 'season.mae', 'season.r2']) {
      expect(s.test, m).toHaveProperty([m]);
    }
    for (const k of Object.keys(s.test)) expect(k === 'loss' || targets.includes(k.split('.')[0]), k).toBe(true);
    expectValidMetrics(s.test);
    expectRunFolder(s, { modalities: ['s2', 's1'], targets, backbone: 'unet' });
    const config = readJson<{ fusion: string; tasks: { task: string; target: string; weight: number }[] }>(join(s.run, 'config.json'));
    expect(config.fusion).toBe('late');
    expect(config.tasks).toEqual([
      { task: 'segmentation', target: 'worldcover', weight: 1 },
      { task: 'classification', target: 'lulc', weight: 0.5 },
      { task: 'regression', target: 'season', weight: 2 },
    ]);
  });

  it('an existing run folder is refused (exit 1, one line) and left as it was', async () => {
    const out = runs.classification.run;
    const before = readFileSync(join(out, 'run.json'), 'utf8');
    const r = await cli(['train', '--data', data, '--modalities', 's2', '--target', 'lulc', ...SMALL, '--out', out, '--json']);
    expectOneLineError(r, 1, /^terrafuse: .*already holds a run/);
    expect(readFileSync(join(out, 'run.json'), 'utf8')).toBe(before);
  });

  it('segmentation on resnet18 is refused before a run folder is made', async () => {
    const out = runDir('seg-resnet');
    const r = await cli(['train', '--data', data, '--modalities', 's2', '--target', 'worldcover', '--backbone', 'resnet18', ...SMALL, '--out', out, '--json']);
    expectOneLineError(r, 1, /^terrafuse: segmentation needs the unet backbone/);
    expect(existsSync(out)).toBe(false);
  });

  it('a data folder that is not there fails train and pretrain with one line, and makes no run folder', async () => {
    const missing = join(data, '..', 'no-such-dataset');
    const trainOut = runDir('missing-data-train');
    const t = await cli(['train', '--data', missing, '--modalities', 's2', '--target', 'lulc', ...SMALL, '--out', trainOut, '--json']);
    expectOneLineError(t, 1, /no-such-dataset.*not found/);
    expect(existsSync(trainOut)).toBe(false);
    const pretrainOut = runDir('missing-data-pretrain');
    const p = await cli(['pretrain', '--data', missing, '--method', 'simclr', '--backbone', 'resnet18', '--width', '4', '--epochs', '1', '--out', pretrainOut, '--json']);
    expectOneLineError(p, 1, /no-such-dataset.*not found/);
    expect(existsSync(pretrainOut)).toBe(false);
  });
});

describe('pretrain contrastive-s1s2, then train --from --transfer', () => {
  const pretrained = runDir('ssl');
  let pre: { run: string; status: string; method: string; epochs: number; val: Record<string, number | null>; checkpoint: string };

  beforeAll(async () => {
    const r = await cli(['pretrain', '--data', data, '--method', 'contrastive-s1s2', '--backbone', 'resnet18', ...SMALL, '--out', pretrained, '--json']);
    pre = jsonLine(r);
  });

  it('pretrain --json: one line; an encoder checkpoint with an S2 and an S1 encoder', () => {
    expect(pre).toMatchObject({ run: pretrained, status: 'done', method: 'contrastive-s1s2', epochs: 1, checkpoint: join(pretrained, 'checkpoint') });
    expectValidMetrics(pre.val);
    expect(pre.val.top1).toBeGreaterThanOrEqual(0);
    expect(pre.val.top1).toBeLessThanOrEqual(1);
    const meta = readJson<{ kind: string; backbone: string; width: number; encoders: { modalities: string[] }[]; heads: unknown[] }>(join(pre.checkpoint, 'meta.json'));
    expect(meta).toMatchObject({ kind: 'encoder', backbone: 'resnet18', width: 4, heads: [] });
    expect(meta.encoders.map((e) => e.modalities)).toEqual(expect.arrayContaining([['s2'], ['s1']]));
    expect(readJson<{ status: string }>(join(pretrained, 'run.json')).status).toBe('done');
  });

  // The first convolution of the S2 encoder: kept as pretrained by the frozen modes, fine-tuned by `full`.
  const PRE_CONV = 'backbone_s2__conv1/kernel';
  const RUN_CONV = 'backbone__conv1/kernel';

  it.each([
    { mode: 'linear-probe', kept: true },
    { mode: 'frozen', kept: true },
    { mode: 'full', kept: false },
  ])('--transfer $mode from the run folder', async ({ mode, kept }) => {
    const s = await train(`transfer-${mode}`, ['--modalities', 's2', '--target', 'lulc', '--from', pretrained, '--transfer', mode]);
    expect(Object.keys(s.test)).toEqual(expect.arrayContaining(['accuracy', 'f1_macro', 'f1_micro']));
    expectValidMetrics(s.test);
    expectRunFolder(s, { modalities: ['s2'], targets: ['lulc'], backbone: 'resnet18' });
    expect(readJson(join(s.run, 'config.json'))).toMatchObject({ from: pretrained, transfer: mode });
    const notes = readJson<{ notes: string[] }>(join(s.run, 'run.json')).notes;
    expect(notes).toContain(`transfer ${mode} from ${join(pretrained, 'checkpoint')}`);
    const before = checkpointTensor(pre.checkpoint, PRE_CONV);
    const after = checkpointTensor(s.checkpoint, RUN_CONV);
    expect(after.length).toBe(before.length);
    if (kept) expect(Array.from(after)).toEqual(Array.from(before));
    else expect(Array.from(after)).not.toEqual(Array.from(before));
  });

  it('--label-fraction 0.5 trains on a part of the training labels; the human summary without --json', async () => {
    const out = runDir('fraction');
    const r = await cli(['train', '--data', data, '--modalities', 's2', '--target', 'lulc', '--label-fraction', '0.5', '--from', join(pretrained, 'checkpoint'), '--transfer', 'full', ...SMALL, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const record = readJson<{ dataset: { train: number; labelled: number } }>(join(out, 'run.json'));
    expect(record.dataset.train).toBe(splits.train.length);
    expect(record.dataset.labelled).toBeGreaterThan(0);
    expect(record.dataset.labelled).toBeLessThan(record.dataset.train);
    expect(r.stdout).toContain(`run ${out}: 1 epochs`);
    expect(r.stdout).toContain(`${record.dataset.labelled} labelled / ${record.dataset.train} train`);
    expect(r.stdout).toMatch(/^test:$/m);
    expect(r.stdout).toMatch(/^ {2}f1_macro\s+\d\.\d{4}$/m);
    // Without a terminal the progress goes to stderr as log lines (CI, pipes); nothing of it on stdout.
    expect(r.stderr).toMatch(/^epoch 1\/1 loss \d/m);
    expect(r.stdout).not.toMatch(/^epoch /m);
  });

  it('experiment label-efficiency --from: scratch and SSL runs per fraction, CSVs and plot; a second start reuses the runs', async () => {
    const out = join(tmp, 'experiment');
    const argv = ['experiment', 'label-efficiency', '--data', data, '--out', out, '--fractions', '0.5,1', '--seeds', '1', '--from', pretrained, '--width', '4', '--epochs', '1', '--batch-size', '8'];
    type Row = { fraction: number; seed: number; arm: string; metric: string; value: number; labelled: number; run: string };
    const e = jsonLine<{ metric: string; rows: Row[]; summary: { fraction: number; scratch: { mean: number; n: number }; ssl: { mean: number; n: number }; delta: number }[]; files: Record<'results' | 'summary' | 'plot', string> }>(await cli([...argv, '--json']));
    expect(e.metric).toBe('f1_macro');
    expect(e.rows.map((r) => `${r.fraction}/${r.arm}`).sort()).toEqual(['0.5/scratch', '0.5/ssl', '1/scratch', '1/ssl']);
    for (const r of e.rows) {
      // Each row is its run's test metric, and the SSL arm really started from the checkpoint.
      const record = readJson<{ status: string; test: Record<string, number>; dataset: { labelled: number; train: number } }>(join(r.run, 'run.json'));
      expect(record.status).toBe('done');
      expect(r.value).toBe(record.test.f1_macro);
      expect(r.labelled).toBe(record.dataset.labelled);
      expect(r.labelled < record.dataset.train).toBe(r.fraction < 1);
      expect(readJson(join(r.run, 'config.json'))).toMatchObject(r.arm === 'ssl' ? { from: pretrained, transfer: 'full', labelFraction: r.fraction } : { from: null, labelFraction: r.fraction });
    }
    for (const s of e.summary) expect(s.delta).toBeCloseTo(s.ssl.mean - s.scratch.mean, 12);
    expect(readFileSync(e.files.results, 'utf8').trimEnd().split('\n')).toHaveLength(1 + e.rows.length);
    expect(readFileSync(e.files.summary, 'utf8').trimEnd().split('\n')).toHaveLength(1 + e.summary.length);
    expect(readFileSync(e.files.plot, 'utf8')).toMatch(/^(<\?xml[^>]*>\s*)?<svg[\s>]/);

    const finished = e.rows.map((r) => readJson<{ finished: string }>(join(r.run, 'run.json')).finished);
    const again = await cli(argv);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/results .*results\.csv/);
    expect(e.rows.map((r) => readJson<{ finished: string }>(join(r.run, 'run.json')).finished)).toEqual(finished);
  });

  it('mismatches exit 1 with one line naming the mismatch and leave no run folder', async () => {
    const seg = runs.segmentation; // a U-Net with one S1 encoder
    const cases: Array<[string, string[], RegExp]> = [
      // An S1-only encoder offered for S2 input.
      ['s1-for-s2', ['--modalities', 's2', '--target', 'worldcover', '--backbone', 'unet', '--from', seg.run, '--transfer', 'frozen'], /^terrafuse: no encoder of the checkpoint fits this run: .*encoders for s1 .*this run needs s2/],
      // A U-Net checkpoint for a ResNet-18 run.
      ['unet-for-resnet', ['--modalities', 's1', '--target', 'lulc', '--backbone', 'resnet18', '--from', seg.run, '--transfer', 'full'], /^terrafuse: checkpoint \(model, unet width 4\) has a unet backbone but this run uses resnet18$/],
      ['width', ['--modalities', 's2', '--target', 'lulc', '--from', pretrained, '--transfer', 'full', '--width', '8'], /^terrafuse: checkpoint \(encoder, resnet18 width 4\) has backbone width 4 but this run uses width 8$/],
      ['no-checkpoint', ['--modalities', 's2', '--target', 'lulc', '--from', data, '--transfer', 'full'], /^terrafuse: .*data is neither a checkpoint folder .* nor a run folder holding one$/],
    ];
    for (const [name, args, pattern] of cases) {
      const out = runDir(`mismatch-${name}`);
      // --width after SMALL's so that the width case overrides it (the last value of a flag wins).
      const r = await cli(['train', '--data', data, ...SMALL, ...args, '--out', out, '--json']);
      expectOneLineError(r, 1, pattern);
      expect(r.stderr.trimEnd().split('\n'), name).toHaveLength(1);
      expect(existsSync(out), name).toBe(false);
    }
  });

  it('through bin/terrafuse.mjs: the mismatch is exit code 1 of the process, one line, no folder', () => {
    const out = runDir('mismatch-child');
    const r = terrafuseChild(['train', '--data', data, '--modalities', 's1', '--target', 'lulc', '--backbone', 'resnet18', ...SMALL, '--from', runs.segmentation.run, '--transfer', 'linear-probe', '--out', out, '--json']);
    expectOneLineError(r, 1, /^terrafuse: checkpoint \(model, unet width 4\) has a unet backbone but this run uses resnet18$/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  });
});

describe('evaluate --json reproduces the run', () => {
  it.each(['classification', 'segmentation', 'multitask'])("%s: the test split's metrics as train reported them", async (name) => {
    const s = runs[name];
    const r = await cli(['evaluate', '--run', s.run, '--data', data, '--split', 'test', '--json']);
    const e = jsonLine<{ run: string; checkpoint: string; split: string; patches: number; metrics: Record<string, number | null>; test: Record<string, number | null> }>(r);
    expect(e).toMatchObject({ run: s.run, checkpoint: s.checkpoint, split: 'test', patches: splits.test.length });
    expect(e.test).toEqual(e.metrics);
    expect(Object.keys(e.metrics).sort()).toEqual(Object.keys(s.test).sort());
    for (const [k, v] of Object.entries(s.test)) expect(Math.abs((e.metrics[k] as number) - (v as number)), k).toBeLessThanOrEqual(1e-6);
  });

  it('--split val counts the validation patches; an encoder checkpoint cannot be evaluated', async () => {
    const val = jsonLine<{ split: string; patches: number; val: Record<string, number> }>(await cli(['evaluate', '--run', runs.classification.run, '--data', data, '--split', 'val', '--json']));
    expect(val.split).toBe('val');
    expect(val.patches).toBe(splits.val.length);
    expectValidMetrics(val.val);
    const enc = await cli(['evaluate', '--run', runDir('ssl'), '--data', data, '--json']);
    expectOneLineError(enc, 1, /^terrafuse: .*holds pretrained encoders, not a task model; fine-tune it first/);
  });
});

describe('predict: CSV, GeoJSON and GeoTIFF masks', () => {
  const out = join(tmp, 'predictions');
  type Row = Record<string, string>;
  let rows: Row[];
  let summary: { patches: number; masks: number; withoutGrid: number; csv: string; geojson: string; out: string };

  beforeAll(async () => {
    summary = jsonLine(await cli(['predict', '--run', runs.multitask.run, '--data', data, '--out', out, '--json']));
    rows = parseCsv(readFileSync(join(out, 'predictions.csv'), 'utf8'), { columns: true }) as Row[];
  });

  it('--json summary and one CSV row per patch with every head', () => {
    expect(summary).toMatchObject({ patches: PATCHES, masks: PATCHES, withoutGrid: 0, out, csv: join(out, 'predictions.csv'), geojson: join(out, 'predictions.geojson') });
    expect(rows.map((r) => r.id).sort()).toEqual([...ids].sort());
    for (const r of rows) {
      expect(Number(r.worldcover_index)).toBeGreaterThanOrEqual(0);
      expect(Number(r.worldcover_index)).toBeLessThanOrEqual(10);
      expect(r.worldcover_mask).toBe(`masks/${r.id}__worldcover.tif`);
      expect(r.lulc_class.length).toBeGreaterThan(0);
      for (const c of [r.lulc_confidence, r.worldcover_confidence, r.worldcover_share]) {
        expect(Number(c)).toBeGreaterThan(0);
        expect(Number(c)).toBeLessThanOrEqual(1);
      }
      expect(Number.isFinite(Number(r.season_value)) && r.season_value !== '').toBe(true);
    }
  });

  it('one GeoJSON feature per patch: its footprint around the patch centre, the CSV values as properties', () => {
    const fc = readJson<{ type: string; features: { id: string; geometry: { type: string; coordinates: number[][][] }; properties: Record<string, unknown> }[] }>(join(out, 'predictions.geojson'));
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features.map((f) => f.id).sort()).toEqual([...ids].sort());
    const meta = new Map(
      (parseCsv(readFileSync(join(data, 'data_meta.csv'), 'utf8'), { columns: true }) as Row[]).map((r) => [r.patch_id, [Number(r.lon), Number(r.lat)]]),
    );
    for (const f of fc.features) {
      expect(f.geometry.type).toBe('Polygon');
      const ring = f.geometry.coordinates[0];
      expect(ring[0]).toEqual(ring.at(-1));
      const lons = ring.map((p) => p[0]);
      const lats = ring.map((p) => p[1]);
      const [lon, lat] = meta.get(f.id)!;
      expect(lon).toBeGreaterThan(Math.min(...lons));
      expect(lon).toBeLessThan(Math.max(...lons));
      expect(lat).toBeGreaterThan(Math.min(...lats));
      expect(lat).toBeLessThan(Math.max(...lats));
      const row = rows.find((r) => r.id === f.id)!;
      expect(f.properties.id).toBe(f.id);
      expect(f.properties.lulc_class).toBe(row.lulc_class);
      expect(f.properties.worldcover_index).toBe(Number(row.worldcover_index));
      expect(f.properties.worldcover_mask).toBe(row.worldcover_mask);
    }
  });

  interface GdalInfo {
    size: [number, number];
    geoTransform: number[];
    coordinateSystem?: { wkt: string };
    bands: { type: string; histogram?: { buckets: number[] } }[];
  }
  const gdalinfo = (file: string, hist = false): GdalInfo =>
    JSON.parse(execFileSync('gdalinfo', ['-json', ...(hist ? ['-hist'] : []), '--config', 'GDAL_PAM_ENABLED', 'NO', file], { encoding: 'utf8' })) as GdalInfo;
  const epsgOf = (info: GdalInfo): number | undefined => {
    const m = /ID\["EPSG",(\d+)\]\]\s*$/.exec(info.coordinateSystem?.wkt ?? '');
    return m ? Number(m[1]) : undefined;
  };

  it("GDAL reads every mask on the patch's own grid and CRS, with the dominant class and share the CSV reports", async () => {
    expect(readdirSync(join(out, 'masks')).sort()).toEqual(ids.map((id) => `${id}__worldcover.tif`).sort());
    // Each patch's 10 m grid, from its B02 file (raster --json reads as GDAL does: test/cli/data.test.ts).
    const b02 = rows.map((r) => join(data, 'sentinel-2', r.id, `${r.id}_B02.tif`));
    const grids = (await cli(['raster', ...b02, '--json'])).stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { path: string; crs_epsg: number; transform: number[] });
    expect(grids.map((g) => g.path)).toEqual(b02);
    rows.forEach((r, i) => {
      const mask = gdalinfo(join(out, r.worldcover_mask), true);
      expect(mask.size).toEqual([120, 120]);
      const [a, b, c, d, e, f] = grids[i].transform;
      expect(mask.geoTransform).toEqual([c, a, b, f, d, e]);
      expect(epsgOf(mask), r.id).toBe(grids[i].crs_epsg);
      expect(grids[i].crs_epsg).toBeGreaterThan(32600);
      expect(mask.bands).toHaveLength(1);
      expect(mask.bands[0].type).toBe('Byte');
      // Byte histograms have one bucket per value 0..255: class indices only, 120x120 pixels.
      const buckets = mask.bands[0].histogram!.buckets;
      expect(buckets.reduce((a, b) => a + b, 0)).toBe(120 * 120);
      expect(buckets.slice(11).every((c) => c === 0)).toBe(true);
      const dominant = buckets.indexOf(Math.max(...buckets));
      expect(dominant).toBe(Number(r.worldcover_index));
      expect(Math.abs(buckets[dominant] / (120 * 120) - Number(r.worldcover_share))).toBeLessThan(1e-5);
    });
  });

  it('--split test predicts only the test patches', async () => {
    const testOut = join(tmp, 'predictions-test');
    const s = jsonLine<{ patches: number; masks: number }>(await cli(['predict', '--run', runs.multitask.run, '--data', data, '--out', testOut, '--split', 'test', '--json']));
    expect(s).toMatchObject({ patches: splits.test.length, masks: splits.test.length });
    const testRows = parseCsv(readFileSync(join(testOut, 'predictions.csv'), 'utf8'), { columns: true }) as Row[];
    expect(testRows.map((r) => r.id).sort()).toEqual([...splits.test].sort());
    // The same model on the same patch predicts the same, whichever patches are predicted with it.
    for (const r of testRows) expect(r.lulc_class).toBe(rows.find((x) => x.id === r.id)!.lulc_class);
  });
});
