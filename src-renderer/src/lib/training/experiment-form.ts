import type { TrainConfigInput } from '../../../../src-main/api/training';
import { MODALITY_IDS, TARGETS } from '../../../../src-main/core/data/modalities';
import { canonicalModalities, targetChoice, type Backbone, type Modality, type Target, type Transfer } from './vocabulary';

/**
 * The experiment panel's form as plain data (the component keeps it in $state) and its translation into the
 * contract's TrainConfig. Defaults are chosen for a CPU: narrow backbones, few epochs, small batches.
 */

export type InitKind = 'scratch' | 'ssl' | 'supervised';

export interface TaskRow {
  target: Target;
  /** Weight of this head's loss in the multitask sum. */
  weight: number;
}

export interface ExperimentForm {
  /** Dataset folder; null until one is chosen. */
  data: string | null;
  modalities: Modality[];
  fusion: 'early' | 'late';
  tasks: TaskRow[];
  backbone: Backbone;
  width: number;
  init: InitKind;
  /** Run folder (or checkpoint folder) to start from, for ssl / supervised. */
  checkpoint: string | null;
  transfer: Transfer;
  /** 0 < f <= 1. */
  labelFraction: number;
  augment: boolean;
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  /** Run name: the run folder's name under the workspace's runs folder. */
  name: string;
}

export function defaultExperimentForm(): ExperimentForm {
  return {
    data: null,
    modalities: ['s2'],
    fusion: 'early',
    tasks: [{ target: 'lulc', weight: 1 }],
    backbone: 'resnet18',
    // 16 base filters: the models layer's CPU width (64 is the published architectures).
    width: 16,
    init: 'scratch',
    checkpoint: null,
    transfer: 'full',
    labelFraction: 1,
    augment: true,
    epochs: 10,
    batchSize: 16,
    lr: 1e-3,
    seed: 0,
    name: '',
  };
}

/** Label fractions the slider stops at: the lecture's 1%, 10%, 100% and the steps between. */
export const LABEL_FRACTION_STOPS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 0.75, 1] as const;

export function formatFraction(f: number): string {
  const pct = f * 100;
  return `${pct >= 10 || Number.isInteger(pct) ? pct.toFixed(0) : pct.toPrecision(2)}%`;
}

/** Short, file-system-safe description of a run: `s2-s1-late-worldcover`, `s2-lulc-10pct`. */
export function runSlug(form: Pick<ExperimentForm, 'modalities' | 'fusion' | 'tasks' | 'labelFraction' | 'init'>): string {
  const mods = canonicalModalities(form.modalities);
  const parts: string[] = [...mods];
  if (mods.length > 1) parts.push(form.fusion);
  parts.push(...form.tasks.map((t) => t.target));
  if (form.labelFraction < 1) parts.push(`${formatFraction(form.labelFraction).replace('%', '')}pct`);
  if (form.init !== 'scratch') parts.push(form.init);
  return parts.join('-').replace(/[^A-Za-z0-9._-]/g, '_');
}

/** `YYYYMMDD-HHMMSS` in local time: sorts like the runs were made. */
export function timeStamp(now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
}

/** A folder inside `parent`, with the separator `parent` uses (Windows paths from the Electron app keep `\`). */
export function childPath(parent: string, ...names: string[]): string {
  const sep = parent.includes('\\') && !parent.includes('/') ? '\\' : '/';
  const base = parent.replace(/[\\/]+$/, '');
  return [base, ...names].join(sep);
}

/** The folder the workspace keeps runs in. */
export function runsFolder(workspace: string): string {
  return childPath(workspace, 'runs');
}

/** The user's run name made safe as a folder name; empty when nothing usable is left. */
export function safeRunName(name: string): string {
  return name.trim().replace(/\s+/g, '-').replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[.]+/, '').slice(0, 80);
}

export function runFolderFor(form: ExperimentForm, workspace: string, now: Date): string {
  const name = safeRunName(form.name) || `${timeStamp(now)}-${runSlug(form)}`;
  return childPath(runsFolder(workspace), name);
}

/** The contract's TrainConfig of a form (call only when validation found no error: data must be set). */
export function toTrainConfig(form: ExperimentForm, out: string): TrainConfigInput {
  if (form.data === null) throw new Error('no dataset chosen');
  const fromCheckpoint = form.init !== 'scratch' && form.checkpoint !== null;
  return {
    data: form.data,
    modalities: canonicalModalities(form.modalities),
    fusion: form.fusion,
    tasks: form.tasks.map((t) => ({ task: targetChoice(t.target).task, target: t.target, weight: t.weight })),
    backbone: form.backbone,
    width: form.width,
    labelFraction: form.labelFraction,
    augment: form.augment,
    epochs: form.epochs,
    batchSize: form.batchSize,
    lr: form.lr,
    seed: form.seed,
    from: fromCheckpoint ? form.checkpoint : null,
    transfer: fromCheckpoint ? form.transfer : null,
    out,
  };
}

/**
 * A run's configuration (config.json through training.run) back in the form, to repeat or vary a run. Unknown or
 * malformed fields keep the form's defaults; the name is cleared (a new run needs a new folder).
 */
export function formFromConfig(config: Record<string, unknown>): ExperimentForm {
  const d = defaultExperimentForm();
  const num = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
  const modalities = Array.isArray(config.modalities)
    ? canonicalModalities(config.modalities.filter((m): m is Modality => typeof m === 'string' && (MODALITY_IDS as readonly string[]).includes(m)))
    : d.modalities;
  const tasks = Array.isArray(config.tasks)
    ? config.tasks.flatMap((t): TaskRow[] => {
        if (typeof t !== 'object' || t === null) return [];
        const r = t as Record<string, unknown>;
        return typeof r.target === 'string' && r.target in TARGETS ? [{ target: r.target as Target, weight: num(r.weight, 1) }] : [];
      })
    : d.tasks;
  const from = typeof config.from === 'string' ? config.from : null;
  const transfer = config.transfer === 'linear-probe' || config.transfer === 'frozen' || config.transfer === 'full' ? config.transfer : d.transfer;
  return {
    data: typeof config.data === 'string' ? config.data : null,
    modalities: modalities.length > 0 ? modalities : d.modalities,
    fusion: config.fusion === 'late' ? 'late' : 'early',
    tasks: tasks.length > 0 ? tasks : d.tasks,
    backbone: config.backbone === 'unet' ? 'unet' : 'resnet18',
    width: num(config.width, d.width),
    // Where the checkpoint came from (SSL or supervised) is not in the config; the checks tell a mismatch.
    init: from === null ? 'scratch' : 'ssl',
    checkpoint: from,
    transfer,
    labelFraction: num(config.labelFraction, 1),
    augment: typeof config.augment === 'boolean' ? config.augment : d.augment,
    epochs: num(config.epochs, d.epochs),
    batchSize: num(config.batchSize, d.batchSize),
    lr: num(config.lr, d.lr),
    seed: num(config.seed, d.seed),
    name: '',
  };
}
