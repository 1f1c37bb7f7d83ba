/**
 * Per-epoch curves of a running job. Two sources, merged:
 *  - the run folder's history (training.run → history: train loss and validation metrics of every finished
 *    epoch) — exact, and available again after a reload or in another tab;
 *  - the job.progress stream — live: each report carries the epoch, the running mean training loss of that epoch
 *    and the metrics of the latest finished validation (so metrics reported during epoch e belong to epoch e - 1).
 * Pure functions: the jobs store feeds events and histories in and renders what comes out.
 */

export type MetricMap = Record<string, number | null>;

export interface EpochPoint {
  epoch: number;
  trainLoss: number | null;
  /** Validation metrics after this epoch (`loss`, `target.metric`, ...); empty while not yet validated. */
  val: MetricMap;
}

export interface Curves {
  /** Experiments run several trainings in a row; their progress messages start with a stage ("pretrain: ..."). */
  stage: string | null;
  /** Total epochs of the current stage, from the progress message, when known. */
  epochs: number | null;
  /** Ordered by epoch. */
  points: EpochPoint[];
}

export interface ProgressLike {
  epoch?: number;
  loss?: number | null;
  metrics?: MetricMap;
  message?: string;
}

export interface HistoryLike {
  epoch: number;
  train_loss: number | null;
  val: MetricMap;
}

export function emptyCurves(): Curves {
  return { stage: null, epochs: null, points: [] };
}

/** "pretrain: epoch 2/5 step 3/10" → { stage: 'pretrain', epochs: 5 }; "epoch 2/5 …" → { stage: null, epochs: 5 }. */
export function parseProgressMessage(message: string | undefined): { stage: string | null; epochs: number | null } {
  if (!message) return { stage: null, epochs: null };
  const m = /^(?:(.*?): )?(?:epoch (\d+)\/(\d+)|validating)/.exec(message);
  if (!m) return { stage: null, epochs: null };
  return { stage: m[1] ?? null, epochs: m[3] !== undefined ? Number(m[3]) : null };
}

function upsert(points: EpochPoint[], epoch: number): EpochPoint[] {
  if (points.some((p) => p.epoch === epoch)) return points;
  return [...points, { epoch, trainLoss: null, val: {} }].sort((a, b) => a.epoch - b.epoch);
}

/** The curves after one progress report. Returns a new object (the input is not changed). */
export function addProgress(curves: Curves, e: ProgressLike): Curves {
  const parsed = parseProgressMessage(e.message);
  const stageChanged = parsed.stage !== null && parsed.stage !== curves.stage;
  let points = stageChanged ? [] : curves.points;
  const stage = parsed.stage ?? curves.stage;
  const epochs = parsed.epochs ?? (stageChanged ? null : curves.epochs);
  if (e.epoch === undefined || e.epoch < 1) return { stage, epochs, points };
  const epoch = e.epoch;
  points = upsert(points, epoch);
  points = points.map((p) => (p.epoch === epoch && e.loss !== undefined ? { ...p, trainLoss: e.loss } : p));
  // Metrics in a report of epoch e are the validation that ended epoch e - 1.
  if (e.metrics && Object.keys(e.metrics).length > 0 && epoch > 1) {
    const metrics = e.metrics;
    points = upsert(points, epoch - 1).map((p) => (p.epoch === epoch - 1 && Object.keys(p.val).length === 0 ? { ...p, val: { ...metrics } } : p));
  }
  return { stage, epochs, points };
}

/** The curves with a run folder's history laid over them: history wins for the epochs it has. */
export function mergeHistory(curves: Curves, history: readonly HistoryLike[]): Curves {
  if (history.length === 0) return curves;
  const byEpoch = new Map(curves.points.map((p) => [p.epoch, p]));
  for (const h of history) byEpoch.set(h.epoch, { epoch: h.epoch, trainLoss: h.train_loss, val: { ...h.val } });
  return { ...curves, points: [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch) };
}

/** Validation metric names present in the curves, loss-like ones last. */
export function metricNames(curves: Curves): string[] {
  const names = new Set<string>();
  for (const p of curves.points) for (const k of Object.keys(p.val)) names.add(k);
  const isLoss = (k: string) => k === 'loss' || k.endsWith('.loss');
  return [...names].sort((a, b) => Number(isLoss(a)) - Number(isLoss(b)) || a.localeCompare(b));
}

/** The metric worth showing first: a macro F1 / IoU / R² / top-1, else the first non-loss metric. */
export function headlineMetricName(names: readonly string[]): string | null {
  for (const suffix of ['iou_macro', 'f1_macro', 'r2', 'top1', 'accuracy']) {
    const hit = names.find((n) => n === suffix || n.endsWith(`.${suffix}`));
    if (hit) return hit;
  }
  return names.find((n) => n !== 'loss' && !n.endsWith('.loss')) ?? null;
}

/** "45 s", "3 min 20 s", "1 h 05 min". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** A metric value for tables: 4 significant decimals for scores, "–" when missing. */
export function formatMetric(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (Math.abs(v) >= 1000) return v.toFixed(0);
  if (Math.abs(v) >= 100) return v.toFixed(1);
  return v.toFixed(4);
}

/**
 * The one-line status under a job's progress bar: its latest progress message while it is queued or running; once
 * it has ended, how it ended (a finished job's last message, e.g. "validating 1/1", would read as if it still ran).
 */
export function jobStatusLine(info: {
  state: string;
  message?: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Why a failed job failed (its first line is shown; the dock shows the whole text below). */
  error?: string;
}): string {
  const took =
    info.startedAt !== null && info.finishedAt !== null
      ? formatDuration((Date.parse(info.finishedAt) - Date.parse(info.startedAt)) / 1000)
      : null;
  switch (info.state) {
    case 'done':
      return took !== null ? `finished in ${took}` : 'finished';
    case 'cancelled':
      return took !== null ? `cancelled after ${took}` : 'cancelled before it started';
    case 'failed': {
      const why = firstLine(info.error);
      const when = took !== null ? `failed after ${took}` : 'failed';
      return why ? `${when}: ${why}` : when;
    }
    default:
      return info.message ?? '';
  }
}

/** The first non-blank line of a text (an error's message without its stack or details), trimmed. */
export function firstLine(text: string | null | undefined): string {
  return (text ?? '').split(/\r?\n/).map((l) => l.trim()).find((l) => l.length > 0) ?? '';
}

/**
 * A job's progress (0..1) as the whole percent shown next to its bar, and the bar's width: one number for both, so
 * the bar never looks further than the text says. Rounded down, so 100% means finished (a job at 99.6% still runs).
 */
export function progressPercent(progress: number | null | undefined): number {
  if (progress === null || progress === undefined || !Number.isFinite(progress)) return 0;
  return Math.min(100, Math.max(0, Math.floor(progress * 100 + 1e-9)));
}
