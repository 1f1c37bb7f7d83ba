import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvaluateConfig, PredictConfig, PretrainConfig, TrainConfig, type PretrainConfigInput, type TrainConfigInput } from '../../../src-main/api/training';
import { PatchDataset } from '../../../src-main/core/data/dataset';
import { loadCheckpoint, loadCheckpointWeights, readCheckpointMeta } from '../../../src-main/core/train/checkpoint';
import { TrainingCancelled } from '../../../src-main/core/train/loop';
import { runEvaluate, runPredict, runPretrain, runTrain } from '../../../src-main/core/train/run';
import { writeBengeFixture } from '../data/helpers/write-benge';

// A 10-patch ben-ge folder (6 train, 2 val, 2 test) written by the data layer's fixture writer; tiny widths keep
// every run to seconds. These tests check plumbing and files, not accuracy (the experiments do that).
const root = mkdtempSync(join(tmpdir(), 'tf-run-'));
const data = join(root, 'data');
const cacheDir = join(root, 'cache');
let dataset: PatchDataset;

beforeAll(async () => {
  writeBengeFixture(data, { patches: 10 });
  dataset = await PatchDataset.open(data, { cacheDir });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const train = (c: Partial<TrainConfigInput>) =>
  TrainConfig.parse({ data, modalities: ['s2'], tasks: [{ task: 'classification', target: 'lulc' }], width: 2, epochs: 2, batchSize: 4, ...c });
const pre = (c: Partial<PretrainConfigInput>) =>
  PretrainConfig.parse({ data, method: 'contrastive-s1s2', width: 2, epochs: 1, batchSize: 3, ...c });

describe('runs', () => {
  it('train: writes config, history, status and a best checkpoint; evaluate reproduces the test metrics', async () => {
    const out = join(root, 'cls');
    const s = await runTrain(train({ out }), { dataset });
    expect(s.epochs).toBe(2);
    expect(s.dataset).toMatchObject({ train: 6, labelled: 6, val: 2, test: 2 });
    expect(Object.keys(s.test)).toEqual(expect.arrayContaining(['loss', 'accuracy', 'f1_macro', 'f1_micro']));
    expect(readdirSync(out).sort()).toEqual(['checkpoint', 'config.json', 'history.json', 'run.json']);
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(run).toMatchObject({ kind: 'train', status: 'done', test: s.test });
    expect(JSON.parse(readFileSync(join(out, 'history.json'), 'utf8'))).toHaveLength(2);
    const meta = await readCheckpointMeta(join(out, 'checkpoint'));
    expect(meta).toMatchObject({ kind: 'model', backbone: 'resnet18', width: 2, inputSize: [120, 120], fusion: 'early' });
    expect(meta.modalities[0].bands).toHaveLength(12);
    expect(meta.heads[0]).toMatchObject({ target: 'lulc', task: 'classification', classes: 11 });
    expect(meta.stats?.dem.std).toBeGreaterThan(0);
    const ev = await runEvaluate(EvaluateConfig.parse({ run: out, data, batchSize: 4 }), { dataset });
    expect(ev.patches).toBe(2);
    for (const k of ['accuracy', 'f1_macro', 'loss']) expect(ev.metrics[k]).toBeCloseTo(s.test[k] as number, 5);
    // A second run into the same folder is refused rather than mixing two runs.
    await expect(runTrain(train({ out }), { dataset })).rejects.toThrow(/already holds a run/);
  });

  it('pretrain contrastive-s1s2 then fine-tune a late S2+S1 model with frozen encoders', async () => {
    const p = await runPretrain(pre({ out: join(root, 'ssl') }), { dataset });
    expect(p.val).toHaveProperty('top1');
    const ck = await readCheckpointMeta(p.checkpoint);
    expect(ck.kind).toBe('encoder');
    expect(ck.encoders.map((e) => [e.prefix, e.modalities])).toEqual([
      ['backbone_s2', ['s2']],
      ['backbone_s1', ['s1']],
    ]);
    const out = join(root, 'frozen');
    const s = await runTrain(train({ out, modalities: ['s2', 's1'], fusion: 'late', from: join(root, 'ssl'), transfer: 'frozen', epochs: 1 }), { dataset });
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(run.notes.join('\n')).toMatch(/encoder backbone_s2 \(s2\) <- checkpoint encoder backbone_s2/);
    expect(s.test).toHaveProperty('f1_macro');
    // Frozen means frozen: conv weights and BatchNorm statistics are exactly the pretrained ones.
    const before = await loadCheckpointWeights(p.checkpoint);
    const after = await loadCheckpointWeights(join(out, 'checkpoint'));
    for (const name of ['backbone_s2__conv1/kernel', 'backbone_s1__layer2.0.bn1/moving_mean', 'backbone_s2__layer4.1.bn2/moving_variance']) {
      expect(Array.from(after.weights[name].dataSync())).toEqual(Array.from(before.weights[name].dataSync()));
    }
    tf.dispose([before.weights, after.weights]);
  });

  it('refuses a checkpoint whose encoders do not fit, before creating the run folder', async () => {
    const out = join(root, 'mismatch');
    await expect(
      runTrain(train({ out, modalities: ['s1', 's2'], fusion: 'early', from: join(root, 'ssl'), transfer: 'full' }), { dataset }),
    ).rejects.toThrow(/no encoder of the checkpoint fits this run.*s2\+s1 \(14 channels\)/);
    expect(existsSync(out)).toBe(false);
  });

  it('multitask U-Net (segmentation + classification + season) reports all three; predict writes CSV, GeoJSON and masks', async () => {
    const out = join(root, 'multi');
    const s = await runTrain(
      train({
        out,
        backbone: 'unet',
        epochs: 1,
        tasks: [
          { task: 'segmentation', target: 'worldcover', weight: 1 },
          { task: 'classification', target: 'lulc', weight: 0.5 },
          { task: 'regression', target: 'season', weight: 2 },
        ],
      }),
      { dataset },
    );
    expect(Object.keys(s.test)).toEqual(expect.arrayContaining(['loss', 'worldcover.iou_macro', 'worldcover.accuracy', 'lulc.f1_macro', 'season.mae', 'season.r2']));
    const pred = join(root, 'pred');
    const r = await runPredict(PredictConfig.parse({ run: out, data, out: pred, split: 'test', batchSize: 2 }), { dataset });
    expect(r.patches).toBe(2);
    expect(r.masks).toHaveLength(2);
    const gj = JSON.parse(readFileSync(r.geojson, 'utf8'));
    expect(gj.features[0].geometry.type).toBe('Polygon');
    expect(gj.features[0].properties).toHaveProperty('season_value');
    expect(readFileSync(r.csv, 'utf8').split('\n')[0]).toMatch(/worldcover_mask/);
  });

  it('a cancelled run ends "cancelled", keeps its complete best checkpoint and leaves no temporary files', async () => {
    const out = join(root, 'cancel');
    const ac = new AbortController();
    await expect(
      runTrain(train({ out, epochs: 3 }), {
        dataset,
        signal: ac.signal,
        onProgress: (p) => {
          if (p.epoch === 2 && p.phase === 'train') ac.abort();
        },
      }),
    ).rejects.toBeInstanceOf(TrainingCancelled);
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(run.status).toBe('cancelled');
    expect(readdirSync(out).filter((n) => n.startsWith('.'))).toEqual([]);
    const { model, meta } = await loadCheckpoint(join(out, 'checkpoint'));
    expect(meta.training?.epoch).toBe(1);
    model.dispose();
  });

  it('keeps tf.memory().numTensors flat across epochs of a real run (checkpoint writes included)', async () => {
    const counts = new Map<number, number>();
    await runTrain(train({ out: join(root, 'memory'), epochs: 3, backbone: 'unet', tasks: [{ task: 'segmentation', target: 'worldcover' }, { task: 'regression', target: 'season' }] }), {
      dataset,
      onProgress: (p) => {
        if (p.phase === 'train' && p.step === 1) counts.set(p.epoch, tf.memory().numTensors);
      },
    });
    // From epoch 2 on, the optimiser state and the best-weights copy exist; nothing else may accumulate.
    expect(counts.size).toBe(3);
    expect(counts.get(3)).toBe(counts.get(2));
  });
});
