import type { RunInfo } from '../../../../src-main/api/training';
import { lastSegment } from './checkpoints';
import type { MetricMap } from './job-curves';
import { formatFraction } from './experiment-form';
import { canonicalModalities, MODALITY_CHOICES, type Modality, type Transfer } from './vocabulary';

/**
 * The runs table: one row per run folder, with what distinguishes runs in the lecture's comparison (modalities,
 * fusion, initialisation, label fraction) and their test metrics. Sorting keeps missing values last in both
 * directions, so unfinished runs never push results off the top.
 */

export interface RunInit {
  kind: 'scratch' | 'ssl' | 'supervised' | 'checkpoint';
  transfer: Transfer | null;
  /** The checkpoint (or run folder) it started from. */
  from: string | null;
  /** "scratch", "SSL contrastive-s1s2 · full", "supervised · frozen". */
  label: string;
}

export interface RunRow {
  path: string;
  name: string;
  kind: 'train' | 'pretrain';
  status: RunInfo['status'];
  modalities: Modality[];
  fusion: 'early' | 'late' | null;
  init: RunInit;
  labelFraction: number | null;
  targets: string[];
  backbone: string | null;
  width: number | null;
  epochs: number;
  /** Test metrics (train runs); the last validation metrics for pretraining runs. */
  metrics: MetricMap;
  checkpoint: string | null;
}

const MODALITY_IDS = new Set<string>(MODALITY_CHOICES.map((m) => m.id));

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Strips a trailing `checkpoint` folder and separators: the run folder a `from` path names. */
export function runFolderOf(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, '');
  return lastSegment(trimmed) === 'checkpoint' ? trimmed.replace(/[\\/]+checkpoint$/, '') : trimmed;
}

/** How a run was initialised; `runs` tells an SSL checkpoint (pretraining run) from a supervised one. */
export function initOf(config: Record<string, unknown>, runs: ReadonlyMap<string, Pick<RunInfo, 'kind' | 'config'>>): RunInit {
  const from = str(config.from);
  const transfer = str(config.transfer) as Transfer | null;
  if (from === null) return { kind: 'scratch', transfer: null, from: null, label: 'scratch' };
  const source = runs.get(runFolderOf(from));
  const mode = transfer ? ` · ${transfer}` : '';
  if (source?.kind === 'pretrain') {
    const method = str(source.config.method);
    return { kind: 'ssl', transfer, from, label: `SSL${method ? ` ${method}` : ''}${mode}` };
  }
  if (source?.kind === 'train') return { kind: 'supervised', transfer, from, label: `supervised${mode}` };
  return { kind: 'checkpoint', transfer, from, label: `${lastSegment(runFolderOf(from))}${mode}` };
}

export function rowOfRun(run: RunInfo, runs: ReadonlyMap<string, Pick<RunInfo, 'kind' | 'config'>>): RunRow {
  const c = run.config;
  const modalities = Array.isArray(c.modalities)
    ? canonicalModalities(c.modalities.filter((m): m is Modality => typeof m === 'string' && MODALITY_IDS.has(m)))
    : run.kind === 'pretrain' && str(c.method) === 'contrastive-s1s2'
      ? (['s2', 's1'] as Modality[])
      : [];
  const tasks = Array.isArray(c.tasks) ? c.tasks : [];
  const targets = tasks
    .map((t) => (typeof t === 'object' && t !== null && !Array.isArray(t) ? str((t as Record<string, unknown>).target) : null))
    .filter((t): t is string => t !== null);
  const lastVal = run.history.at(-1)?.val ?? {};
  return {
    path: run.path,
    name: lastSegment(run.path),
    kind: run.kind,
    status: run.status,
    modalities,
    fusion: run.kind === 'train' ? (str(c.fusion) === 'late' ? 'late' : 'early') : null,
    init: run.kind === 'train' ? initOf(c, runs) : { kind: 'scratch', transfer: null, from: null, label: `pretrain ${str(c.method) ?? ''}`.trim() },
    labelFraction: run.kind === 'train' ? (num(c.labelFraction) ?? 1) : null,
    targets,
    backbone: str(c.backbone),
    width: num(c.width),
    epochs: run.history.length,
    metrics: run.kind === 'train' ? { ...(run.test ?? {}) } : { ...lastVal },
    checkpoint: run.checkpoint,
  };
}

export type SortKey = 'name' | 'status' | 'modalities' | 'fusion' | 'init' | 'labelFraction' | 'epochs' | `metric:${string}`;
export type SortDir = 'asc' | 'desc';

function keyValue(row: RunRow, key: SortKey): string | number | null {
  switch (key) {
    case 'name':
      return row.name;
    case 'status':
      return row.status;
    case 'modalities':
      // Sorted by count first, then by names: S2 < S2+S1 < S2+S1+DEM reads like the lecture's table.
      return row.modalities.length === 0 ? null : `${row.modalities.length}:${row.modalities.join('+')}`;
    case 'fusion':
      return row.fusion;
    case 'init':
      return row.init.label;
    case 'labelFraction':
      return row.labelFraction;
    case 'epochs':
      return row.epochs;
    default: {
      const v = row.metrics[key.slice('metric:'.length)];
      return v === undefined || v === null || !Number.isFinite(v) ? null : v;
    }
  }
}

/** A sorted copy; missing values last whatever the direction; ties keep name order. */
export function sortRuns(rows: readonly RunRow[], key: SortKey, dir: SortDir): RunRow[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const va = keyValue(a, key);
    const vb = keyValue(b, key);
    if (va === null && vb === null) return a.name.localeCompare(b.name);
    if (va === null) return 1;
    if (vb === null) return -1;
    const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    return c !== 0 ? sign * c : a.name.localeCompare(b.name);
  });
}

const METRIC_ORDER = ['f1_macro', 'iou_macro', 'accuracy', 'f1_micro', 'r2', 'mae', 'rmse', 'top1'];

/**
 * Metric columns worth a column: headline metrics first (per target for multitask runs, `target.metric`), the
 * rest after, losses last. At most `max` columns.
 */
export function metricColumns(rows: readonly RunRow[], max = 6): string[] {
  const names = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r.metrics)) names.add(k);
  const rank = (k: string): number => {
    const base = k.includes('.') ? k.slice(k.lastIndexOf('.') + 1) : k;
    if (base === 'loss') return 100;
    const i = METRIC_ORDER.indexOf(base);
    return i >= 0 ? i : 50;
  };
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)).slice(0, max);
}

/** "s2 + s1" with the UI's short labels. */
export function formatModalities(mods: readonly Modality[]): string {
  return mods.map((m) => MODALITY_CHOICES.find((c) => c.id === m)?.label ?? m).join(' + ');
}

/**
 * A long run name shortened in the middle to at most `max` characters ("20261121-2331…10pct-ssl"): its start (the
 * time stamp runs sort by) and its end (what tells sibling runs apart) stay; the table shows the full path on hover.
 */
export function abbreviateMiddle(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  if (max <= 1) return '…'.slice(0, Math.max(0, max));
  const keep = max - 1;
  const head = Math.ceil(keep / 2);
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (keep - head)).join('')}`;
}

/**
 * A metric name cut after its separators ("worldcover.", "iou_", "macro"), so a narrow column header can wrap there
 * (the table puts a line-break opportunity between the parts) instead of widening its column.
 */
export function metricNameParts(name: string): string[] {
  return name.split(/(?<=[._])/).filter((p) => p.length > 0);
}

/** Columns that describe a run's setup (not its name or scores); they may be said once above the table. */
export type SetupKey = 'status' | 'modalities' | 'fusion' | 'init' | 'labelFraction' | 'epochs';

/** What a setup column shows for a row ("–" for a missing value). */
export function setupText(row: RunRow, key: SetupKey): string {
  switch (key) {
    case 'status':
      return row.status;
    case 'modalities':
      return formatModalities(row.modalities) || '–';
    case 'fusion':
      return row.fusion ?? '–';
    case 'init':
      return row.init.label;
    case 'labelFraction':
      return row.labelFraction === null ? '–' : formatFraction(row.labelFraction);
    case 'epochs':
      return String(row.epochs);
  }
}

/**
 * Setup columns that say the same for every row (two rows at least), with that text: an experiment's arms share
 * their inputs, fusion and epochs, so the table says those once in its caption and keeps its width for what differs
 * (initialisation, labels, scores). Order follows `keys`.
 */
export function constantColumns(rows: readonly RunRow[], keys: readonly SetupKey[]): Map<SetupKey, string> {
  const out = new Map<SetupKey, string>();
  if (rows.length < 2) return out;
  for (const key of keys) {
    const text = setupText(rows[0], key);
    if (rows.every((r) => setupText(r, key) === text)) out.set(key, text);
  }
  return out;
}

/** The caption of lifted columns: "done · Sentinel-2 · early fusion · 5 epochs" (missing values say nothing). */
export function describeConstant(constant: ReadonlyMap<SetupKey, string>): string {
  const parts: string[] = [];
  for (const [key, text] of constant) {
    if (text === '–') continue;
    if (key === 'fusion') parts.push(`${text} fusion`);
    else if (key === 'labelFraction') parts.push(`${text} labels`);
    else if (key === 'epochs') parts.push(`${text} epoch${text === '1' ? '' : 's'}`);
    else parts.push(text);
  }
  return parts.join(' · ');
}
