import type { RunRow } from './runs';

/**
 * The label-efficiency curve: test metric against label fraction, from scratch vs from an SSL checkpoint, mean and
 * standard deviation over seeds. Read from the experiment job's result, or rebuilt from the run folders of an
 * experiment (after a reload the job list may be gone, the folders are not).
 */

export type Arm = 'scratch' | 'ssl';

export interface ArmStats {
  mean: number | null;
  std: number | null;
  n: number;
}

export interface EfficiencyPoint {
  fraction: number;
  scratch: ArmStats;
  ssl: ArmStats;
}

export interface EfficiencyCurve {
  metric: string;
  points: EfficiencyPoint[];
}

export interface ArmValue {
  fraction: number;
  arm: Arm;
  value: number | null;
}

/** Mean and sample standard deviation (ddof = 1, as papers report over seeds) of the finite values. */
export function meanStd(values: readonly (number | null)[]): ArmStats {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  if (v.length === 0) return { mean: null, std: null, n: 0 };
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
  return { mean, std, n: v.length };
}

export function summariseArms(values: readonly ArmValue[]): EfficiencyPoint[] {
  const fractions = [...new Set(values.map((v) => v.fraction))].sort((a, b) => a - b);
  return fractions.map((fraction) => {
    const pick = (arm: Arm) => meanStd(values.filter((v) => v.fraction === fraction && v.arm === arm).map((v) => v.value));
    return { fraction, scratch: pick('scratch'), ssl: pick('ssl') };
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The curve in an experiment job's result (core/train/experiment.ts ExperimentSummary), or null. */
export function curveOfExperimentResult(result: unknown): EfficiencyCurve | null {
  if (!isRecord(result) || result.experiment !== 'label-efficiency' || !Array.isArray(result.rows)) return null;
  const metric = typeof result.metric === 'string' ? result.metric : 'metric';
  const values: ArmValue[] = [];
  for (const r of result.rows) {
    if (!isRecord(r)) continue;
    const fraction = finite(r.fraction);
    if (fraction === null || (r.arm !== 'scratch' && r.arm !== 'ssl')) continue;
    values.push({ fraction, arm: r.arm, value: finite(r.value) });
  }
  return values.length > 0 ? { metric, points: summariseArms(values) } : null;
}

/**
 * The curve from an experiment's run folders (rows whose path lies in `<experiment>/runs/`): scratch runs have no
 * checkpoint, the SSL arm started from one. `metric` is a test metric name (e.g. f1_macro).
 */
export function curveOfRuns(rows: readonly RunRow[], metric: string): EfficiencyCurve | null {
  const values: ArmValue[] = rows
    .filter((r) => r.kind === 'train' && r.status === 'done' && r.labelFraction !== null)
    .map((r) => ({ fraction: r.labelFraction as number, arm: r.init.kind === 'scratch' ? ('scratch' as const) : ('ssl' as const), value: r.metrics[metric] ?? null }));
  return values.length > 0 ? { metric, points: summariseArms(values) } : null;
}

/** Experiment folders among run paths: the parents of `.../runs/f<fraction>-s<seed>-<arm>` folders. */
export function experimentFolders(paths: readonly string[]): string[] {
  const out = new Set<string>();
  for (const p of paths) {
    const m = /^(.*)[\\/]runs[\\/]f[\d.e-]+-s-?\d+-(?:scratch|ssl)$/.exec(p);
    if (m) out.add(m[1]);
  }
  return [...out].sort();
}
