import { describe, expect, it } from 'vitest';
import type { RunInfo } from '../../../src-main/api/training';
import type { ExperimentSummary } from '../../../src-main/core/train/experiment';
import { curveOfExperimentResult, curveOfRuns, experimentFolders, meanStd } from '../../../src-renderer/src/lib/training/label-efficiency';
import { initOf, metricColumns, rowOfRun, runFolderOf, sortRuns } from '../../../src-renderer/src/lib/training/runs';

function run(path: string, kind: 'train' | 'pretrain', config: Record<string, unknown>, test: Record<string, number | null> | null = null): RunInfo {
  return { path, kind, status: 'done', config: config as RunInfo['config'], history: [], best: null, test, checkpoint: `${path}/checkpoint` };
}

const pre = run('/ws/runs/pre', 'pretrain', { method: 'contrastive-s1s2', backbone: 'resnet18', width: 8 });
const known = new Map([[pre.path, pre]]);
const cfg = (c: Record<string, unknown>) => ({ modalities: ['s2'], fusion: 'early', tasks: [{ task: 'classification', target: 'lulc', weight: 1 }], backbone: 'resnet18', width: 8, labelFraction: 1, from: null, transfer: null, ...c });

describe('runs table rows', () => {
  it('describe modalities, fusion, initialisation and label fraction', () => {
    const r = rowOfRun(run('/ws/runs/b', 'train', cfg({ modalities: ['s1', 's2'], fusion: 'late', from: '/ws/runs/pre/checkpoint', transfer: 'full', labelFraction: 0.1 }), { f1_macro: 0.5 }), known);
    expect(r).toMatchObject({ name: 'b', modalities: ['s2', 's1'], fusion: 'late', labelFraction: 0.1, targets: ['lulc'], metrics: { f1_macro: 0.5 } });
    expect(r.init).toEqual({ kind: 'ssl', transfer: 'full', from: '/ws/runs/pre/checkpoint', label: 'SSL contrastive-s1s2 · full' });
    expect(initOf(cfg({}), known).label).toBe('scratch');
    expect(initOf(cfg({ from: '/elsewhere/ck', transfer: 'frozen' }), known)).toMatchObject({ kind: 'checkpoint', label: 'ck · frozen' });
    expect(runFolderOf('/ws/runs/pre/checkpoint/')).toBe('/ws/runs/pre');
    expect(rowOfRun(pre, known)).toMatchObject({ kind: 'pretrain', modalities: ['s2', 's1'], fusion: null, labelFraction: null });
  });

  it('sort by any column with missing values last in both directions', () => {
    const rows = [
      rowOfRun(run('/r/a', 'train', cfg({ labelFraction: 0.5 }), { f1_macro: 0.4 }), known),
      rowOfRun(run('/r/b', 'train', cfg({ labelFraction: 0.1 }), { f1_macro: null }), known),
      rowOfRun(run('/r/c', 'train', cfg({ labelFraction: 1, modalities: ['s2', 's1'] }), { f1_macro: 0.7 }), known),
      rowOfRun(run('/r/d', 'train', cfg({ labelFraction: 0.1 }), null), known),
    ];
    expect(sortRuns(rows, 'metric:f1_macro', 'desc').map((r) => r.name)).toEqual(['c', 'a', 'b', 'd']);
    expect(sortRuns(rows, 'metric:f1_macro', 'asc').map((r) => r.name)).toEqual(['a', 'c', 'b', 'd']);
    expect(sortRuns(rows, 'labelFraction', 'asc').map((r) => r.name)).toEqual(['b', 'd', 'a', 'c']);
    expect(sortRuns(rows, 'modalities', 'desc').map((r) => r.name)[0]).toBe('c');
  });

  it('offer headline metric columns first and losses last', () => {
    const rows = [rowOfRun(run('/r/a', 'train', cfg({}), { loss: 1, accuracy: 0.5, f1_macro: 0.4, precision_macro: 0.3, iou_macro: 0.2 }), known)];
    expect(metricColumns(rows)).toEqual(['f1_macro', 'iou_macro', 'accuracy', 'precision_macro', 'loss']);
    expect(metricColumns(rows, 2)).toEqual(['f1_macro', 'iou_macro']);
  });
});

describe('label-efficiency curve', () => {
  it('summarises over seeds with the sample standard deviation', () => {
    const s = meanStd([0.5, 0.7, null]);
    expect(s.n).toBe(2);
    expect(s.mean).toBeCloseTo(0.6, 12);
    expect(s.std).toBeCloseTo(Math.sqrt(0.02), 12);
    expect(meanStd([])).toEqual({ mean: null, std: null, n: 0 });
  });

  it('is read from an experiment job result', () => {
    const row = (fraction: number, seed: number, arm: 'scratch' | 'ssl', value: number | null) => ({ fraction, seed, arm, metric: 'f1_macro', value, labelled: 1, seconds: 1, run: '' });
    const result: ExperimentSummary = {
      experiment: 'label-efficiency',
      out: '/ws/exp',
      metric: 'f1_macro',
      checkpoint: '/ws/exp/pretrain/checkpoint',
      rows: [row(0.1, 0, 'scratch', 0.2), row(0.1, 1, 'scratch', 0.4), row(0.1, 0, 'ssl', 0.5), row(0.1, 1, 'ssl', 0.5), row(1, 0, 'scratch', 0.8), row(1, 0, 'ssl', null)],
      summary: [],
      files: { results: '', summary: '', plot: '' },
      seconds: 1,
    };
    const curve = curveOfExperimentResult(JSON.parse(JSON.stringify(result)));
    expect(curve?.metric).toBe('f1_macro');
    expect(curve?.points.map((p) => p.fraction)).toEqual([0.1, 1]);
    expect(curve?.points[0].scratch.mean).toBeCloseTo(0.3);
    expect(curve?.points[0].ssl).toEqual({ mean: 0.5, std: 0, n: 2 });
    expect(curve?.points[1].ssl.n).toBe(0);
    expect(curveOfExperimentResult({ experiment: 'other' })).toBeNull();
  });

  it('is rebuilt from an experiment folder’s runs', () => {
    const paths = ['/ws/exp/runs/f0.1-s0-scratch', '/ws/exp/runs/f0.1-s0-ssl', '/ws/exp/runs/f1-s12-ssl', '/ws/exp/pretrain', '/ws/runs/other'];
    expect(experimentFolders(paths)).toEqual(['/ws/exp']);
    const rows = [
      rowOfRun(run(paths[0], 'train', cfg({ labelFraction: 0.1 }), { f1_macro: 0.3 }), known),
      rowOfRun(run(paths[1], 'train', cfg({ labelFraction: 0.1, from: '/ws/exp/pretrain/checkpoint', transfer: 'full' }), { f1_macro: 0.6 }), known),
    ];
    const c = curveOfRuns(rows, 'f1_macro');
    expect(c?.points).toEqual([{ fraction: 0.1, scratch: { mean: 0.3, std: 0, n: 1 }, ssl: { mean: 0.6, std: 0, n: 1 } }]);
  });
});
