import { describe, expect, it } from 'vitest';
import { jobUpdate } from '../../../src-main/services/training/progress';
import {
  addProgress,
  emptyCurves,
  formatDuration,
  formatMetric,
  headlineMetricName,
  firstLine,
  jobStatusLine,
  mergeHistory,
  metricNames,
  parseProgressMessage,
  progressPercent,
  type Curves,
} from '../../../src-renderer/src/lib/training/job-curves';

/**
 * Curves from the job.progress stream. The reports are made by the training service's own `jobUpdate` from the
 * loop's progress records, so the parser follows the real message format.
 */

interface Step {
  phase: 'train' | 'val';
  epoch: number;
  step: number;
  loss?: number;
  metrics?: Record<string, number>;
  stage?: string;
}

function report(s: Step, epochs = 3) {
  return jobUpdate({ phase: s.phase, epoch: s.epoch, epochs, step: s.step, steps: 2, loss: s.loss, metrics: s.metrics, progress: 0.5, lr: 1e-3, stage: s.stage });
}

/** A 3-epoch run as the loop reports it: metrics are the last finished validation. */
function simulate(stage?: string): Curves {
  let c = emptyCurves();
  const val = [{ loss: 1.5, 'lulc.f1_macro': 0.3 }, { loss: 1.2, 'lulc.f1_macro': 0.45 }];
  for (let epoch = 1; epoch <= 3; epoch++) {
    const metrics = epoch > 1 ? val[epoch - 2] : undefined;
    c = addProgress(c, report({ phase: 'train', epoch, step: 1, loss: 2 / epoch + 0.1, metrics, stage }));
    c = addProgress(c, report({ phase: 'train', epoch, step: 2, loss: 2 / epoch, metrics, stage }));
    c = addProgress(c, report({ phase: 'val', epoch, step: 1, loss: 2 / epoch, metrics, stage }));
  }
  return c;
}

describe('job curves', () => {
  it('parse the service progress messages', () => {
    expect(parseProgressMessage(report({ phase: 'train', epoch: 2, step: 1 }, 7).message)).toEqual({ stage: null, epochs: 7 });
    expect(parseProgressMessage(report({ phase: 'train', epoch: 2, step: 1, stage: 'fraction 0.1 seed 0 ssl' }, 4).message)).toEqual({
      stage: 'fraction 0.1 seed 0 ssl',
      epochs: 4,
    });
    expect(parseProgressMessage(report({ phase: 'val', epoch: 2, step: 1, stage: 'pretrain' }).message)).toEqual({ stage: 'pretrain', epochs: null });
    expect(parseProgressMessage('loading')).toEqual({ stage: null, epochs: null });
  });

  it('take the epoch mean loss live and attribute validation metrics to the epoch they ended', () => {
    const c = simulate();
    expect(c.epochs).toBe(3);
    expect(c.points.map((p) => p.epoch)).toEqual([1, 2, 3]);
    expect(c.points.map((p) => p.trainLoss)).toEqual([2, 1, 2 / 3]);
    expect(c.points[0].val).toEqual({ loss: 1.5, 'lulc.f1_macro': 0.3 });
    expect(c.points[1].val).toEqual({ loss: 1.2, 'lulc.f1_macro': 0.45 });
    // The last epoch's validation is not in any report: it comes from the run folder's history.
    expect(c.points[2].val).toEqual({});
    const merged = mergeHistory(c, [{ epoch: 3, train_loss: 0.66, val: { loss: 1.1, 'lulc.f1_macro': 0.5 } }]);
    expect(merged.points[2]).toEqual({ epoch: 3, trainLoss: 0.66, val: { loss: 1.1, 'lulc.f1_macro': 0.5 } });
    expect(merged.points[0]).toBe(c.points[0]);
  });

  it('start over when an experiment moves to its next stage', () => {
    let c = simulate('pretrain');
    expect(c.stage).toBe('pretrain');
    c = addProgress(c, report({ phase: 'train', epoch: 1, step: 1, loss: 3, stage: 'fraction 0.1 seed 0 scratch' }, 5));
    expect(c.stage).toBe('fraction 0.1 seed 0 scratch');
    expect(c.epochs).toBe(5);
    expect(c.points).toEqual([{ epoch: 1, trainLoss: 3, val: {} }]);
  });

  it('name metrics with losses last and pick a headline', () => {
    const names = metricNames(simulate());
    expect(names).toEqual(['lulc.f1_macro', 'loss']);
    expect(headlineMetricName(names)).toBe('lulc.f1_macro');
    expect(headlineMetricName(['loss', 'top1'])).toBe('top1');
    expect(headlineMetricName(['worldcover.accuracy', 'worldcover.iou_macro'])).toBe('worldcover.iou_macro');
    expect(headlineMetricName(['loss'])).toBeNull();
  });

  it('format durations and metrics', () => {
    expect(formatDuration(44.6)).toBe('45 s');
    expect(formatDuration(200)).toBe('3 min 20 s');
    expect(formatDuration(3900)).toBe('1 h 05 min');
    expect(formatDuration(undefined)).toBe('–');
    expect(formatMetric(0.123456)).toBe('0.1235');
    expect(formatMetric(null)).toBe('–');
  });

  it('the status line of a job: its progress while it runs, how it ended once it has', () => {
    const base = { message: 'epoch 3/3 step 2/2', startedAt: '2026-11-21T10:00:00.000Z', finishedAt: '2026-11-21T10:03:20.000Z' };
    expect(jobStatusLine({ ...base, state: 'running', finishedAt: null })).toBe('epoch 3/3 step 2/2');
    expect(jobStatusLine({ ...base, state: 'queued', message: undefined, startedAt: null, finishedAt: null })).toBe('');
    expect(jobStatusLine({ ...base, state: 'done' })).toBe('finished in 3 min 20 s');
    expect(jobStatusLine({ ...base, state: 'cancelled' })).toBe('cancelled after 3 min 20 s');
    expect(jobStatusLine({ ...base, state: 'cancelled', startedAt: null })).toBe('cancelled before it started');
    expect(jobStatusLine({ ...base, state: 'failed' })).toBe('failed after 3 min 20 s');
    // A failure says why in its first line (the dock shows the whole error below the header).
    const error = 'Error: out of memory allocating 512 MB\n    at Engine.alloc (engine.ts:10)\n    at train (loop.ts:99)';
    expect(jobStatusLine({ ...base, state: 'failed', error })).toBe('failed after 3 min 20 s: Error: out of memory allocating 512 MB');
    expect(jobStatusLine({ ...base, state: 'failed', startedAt: null, error: '\n  dataset not found  \n' })).toBe('failed: dataset not found');
    // The last progress message of an ended job never shows.
    for (const state of ['done', 'cancelled', 'failed']) expect(jobStatusLine({ ...base, state, message: 'fraction 1 seed 0 ssl: validating 1/1' })).not.toContain('validating');
  });

  it('takes the first non-blank line of a text', () => {
    expect(firstLine('one\r\ntwo')).toBe('one');
    expect(firstLine('\n\n  two  \nthree')).toBe('two');
    expect(firstLine(undefined)).toBe('');
    expect(firstLine('   ')).toBe('');
  });

  it('shows one whole percent for both the bar and its text, 100% only when finished', () => {
    expect(progressPercent(0)).toBe(0);
    expect(progressPercent(0.004)).toBe(0);
    expect(progressPercent(0.2)).toBe(20);
    // Binary fractions just below a whole percent still read as it (0.29 * 100 = 28.999999999999996).
    expect(progressPercent(0.29)).toBe(29);
    expect(progressPercent(0.996)).toBe(99);
    expect(progressPercent(1)).toBe(100);
    expect(progressPercent(1.2)).toBe(100);
    expect(progressPercent(-0.1)).toBe(0);
    expect(progressPercent(Number.NaN)).toBe(0);
    expect(progressPercent(undefined)).toBe(0);
  });
});
