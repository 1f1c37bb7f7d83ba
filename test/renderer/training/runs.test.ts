import { describe, expect, it } from 'vitest';
import type { RunInfo } from '../../../src-main/api/training';
import type { ExperimentSummary } from '../../../src-main/core/train/experiment';
import { curveOfExperimentResult, curveOfRuns, experimentFolders, meanStd } from '../../../src-renderer/src/lib/training/label-efficiency';
import {
  abbreviateMiddle,
  constantColumns,
  describeConstant,
  initOf,
  metricColumns,
  metricNameParts,
  rowOfRun,
  runFolderOf,
  setupText,
  sortRuns,
  type SetupKey,
} from '../../../src-renderer/src/lib/training/runs';

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

  it('shorten long run names in the middle, keeping the time stamp and the end', () => {
    const name = '20261121-233105-s2-s1-late-worldcover-10pct-ssl';
    const short = abbreviateMiddle(name, 26);
    expect(short).toBe('20261121-2331…er-10pct-ssl');
    expect([...short]).toHaveLength(26);
    expect(name.startsWith(short.split('…')[0])).toBe(true);
    expect(name.endsWith(short.split('…')[1])).toBe(true);
    // Short names (an experiment's arms) stay whole.
    expect(abbreviateMiddle('f0.2-s0-scratch', 26)).toBe('f0.2-s0-scratch');
    expect(abbreviateMiddle(name, name.length)).toBe(name);
    expect(abbreviateMiddle('abcdef', 1)).toBe('…');
  });

  it('say setup columns shared by every run once (an experiment’s inputs, fusion, epochs), keeping what differs', () => {
    const keys: SetupKey[] = ['status', 'modalities', 'fusion', 'init', 'labelFraction', 'epochs'];
    const arm = (name: string, fraction: number, from: string | null) =>
      rowOfRun({ ...run(`/ws/exp/${name}`, 'train', cfg({ labelFraction: fraction, from, transfer: from ? 'full' : null }), { f1_macro: 0.5 }), history: [1, 2, 3].map((epoch) => ({ epoch, lr: 0.001, train_loss: 1, val: {}, seconds: 1 })) }, known);
    const arms = [arm('f0.2-s0-scratch', 0.2, null), arm('f0.2-s0-ssl', 0.2, '/ws/runs/pre/checkpoint'), arm('f1-s0-scratch', 1, null), arm('f1-s0-ssl', 1, '/ws/runs/pre/checkpoint')];
    const constant = constantColumns(arms, keys);
    expect([...constant.keys()]).toEqual(['status', 'modalities', 'fusion', 'epochs']);
    expect(constant.get('modalities')).toBe(setupText(arms[0], 'modalities'));
    expect(describeConstant(constant)).toBe(`done · ${setupText(arms[0], 'modalities')} · early fusion · 3 epochs`);
    // Initialisation and label fraction differ between the arms: they stay columns.
    expect(setupText(arms[1], 'init')).toBe('SSL contrastive-s1s2 · full');
    expect(setupText(arms[0], 'labelFraction')).toBe('20%');
    // One run says nothing once: every column stays (a table of one row keeps its headers).
    expect(constantColumns(arms.slice(0, 1), keys).size).toBe(0);
    // Missing values shared by all (pretraining runs have no fusion) leave the column and say nothing.
    const pres = [rowOfRun(pre, known), rowOfRun({ ...pre, path: '/ws/runs/pre2' }, known)];
    const lifted = constantColumns(pres, keys);
    expect(lifted.get('fusion')).toBe('–');
    expect(describeConstant(lifted)).not.toContain('fusion');
  });

  it('cut metric names where a header may wrap, losing no character', () => {
    expect(metricNameParts('f1_macro')).toEqual(['f1_', 'macro']);
    expect(metricNameParts('worldcover.iou_macro')).toEqual(['worldcover.', 'iou_', 'macro']);
    expect(metricNameParts('accuracy')).toEqual(['accuracy']);
    expect(metricNameParts('lulc.f1_per_class').join('')).toBe('lulc.f1_per_class');
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
