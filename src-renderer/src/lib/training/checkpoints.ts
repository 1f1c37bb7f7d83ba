import type { RunInfo } from '../../../../src-main/api/training';
import { canonicalModalities, MODALITY_CHOICES, type Backbone, type Modality, type Ssl, type Target } from './vocabulary';

/**
 * Checkpoints the experiment panel offers, read from run folders (training.run), and the encoders they carry.
 * The encoder layout mirrors the models layer (core/models/fusion.ts `encoderParts`, core/train/ssl.ts): early
 * fusion has one encoder over all its modalities stacked; late fusion one encoder per spatial modality;
 * contrastive-s1s2 one for S2 and one for S1; SimCLR one over its modalities stacked. A checkpoint's encoder is
 * reused by a new run only when it reads exactly the same modalities (core/train/transfer.ts `matchEncoders`).
 */

export interface CheckpointChoice {
  /** The run folder (training accepts a run folder holding a checkpoint). */
  path: string;
  /** 'ssl' from a pretraining run, 'supervised' from a training run. */
  kind: 'ssl' | 'supervised';
  /** Short name for lists: the run folder's last segment. */
  name: string;
  backbone: Backbone;
  width: number;
  /** The modalities each encoder reads, canonical order. */
  encoders: Modality[][];
  method?: Ssl;
  /** Supervised checkpoints: what their heads predict. */
  targets?: Target[];
}

/** Encoders of a run configuration (what `encoderParts` builds). */
export function encodersOf(modalities: readonly Modality[], fusion: 'early' | 'late'): Modality[][] {
  const list = canonicalModalities(modalities);
  if (fusion === 'early') return list.length > 0 ? [list] : [];
  const spatial = new Set(MODALITY_CHOICES.filter((m) => m.spatial).map((m) => m.id));
  return list.filter((m) => spatial.has(m)).map((m) => [m]);
}

/** Encoders an SSL method trains. */
export function sslEncoders(method: Ssl, modalities: readonly Modality[] | null): Modality[][] {
  if (method === 'contrastive-s1s2') return [['s2'], ['s1']];
  return [canonicalModalities(modalities && modalities.length > 0 ? modalities : ['s2'])];
}

export function sameModalities(a: readonly Modality[], b: readonly Modality[]): boolean {
  return a.length === b.length && a.every((m, i) => m === b[i]);
}

export function lastSegment(path: string): string {
  const parts = path.split(/[\\/]+/).filter(Boolean);
  return parts.at(-1) ?? path;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function modalityList(v: unknown): Modality[] | null {
  if (!Array.isArray(v)) return null;
  const known = new Set<string>(MODALITY_CHOICES.map((m) => m.id));
  return canonicalModalities(v.filter((x): x is Modality => typeof x === 'string' && known.has(x)));
}

/** The checkpoint a finished run offers, or null (no checkpoint, or a config this UI cannot read). */
export function checkpointOfRun(run: RunInfo): CheckpointChoice | null {
  if (run.checkpoint === null) return null;
  const c = run.config;
  const backbone = str(c.backbone);
  const width = num(c.width);
  if ((backbone !== 'resnet18' && backbone !== 'unet') || width === undefined) return null;
  const name = lastSegment(run.path);
  if (run.kind === 'pretrain') {
    const method = str(c.method);
    if (method !== 'simclr' && method !== 'contrastive-s1s2') return null;
    return { path: run.path, kind: 'ssl', name, backbone, width, method, encoders: sslEncoders(method, modalityList(c.modalities)) };
  }
  const modalities = modalityList(c.modalities);
  const fusion = str(c.fusion) === 'late' ? 'late' : 'early';
  if (!modalities || modalities.length === 0) return null;
  const tasks = Array.isArray(c.tasks) ? c.tasks : [];
  const targets = tasks
    .map((t) => (typeof t === 'object' && t !== null && !Array.isArray(t) ? str((t as Record<string, unknown>).target) : undefined))
    .filter((t): t is Target => t !== undefined);
  return { path: run.path, kind: 'supervised', name, backbone, width, encoders: encodersOf(modalities, fusion), targets };
}

export function describeEncoders(encoders: readonly Modality[][]): string {
  const label = (m: Modality) => MODALITY_CHOICES.find((c) => c.id === m)?.label ?? m;
  return encoders.map((e) => e.map(label).join('+')).join(', ') || 'none';
}

export interface EncoderMatch {
  matched: Modality[][];
  /** The run's encoders without a counterpart in the checkpoint: they start from scratch. */
  unmatched: Modality[][];
}

/** Pairs the run's encoders with the checkpoint's (exact modality lists, as the transfer code does). */
export function matchEncoders(checkpoint: readonly Modality[][], run: readonly Modality[][]): EncoderMatch {
  const matched: Modality[][] = [];
  const unmatched: Modality[][] = [];
  for (const e of run) (checkpoint.some((c) => sameModalities(c, e)) ? matched : unmatched).push(e);
  return { matched, unmatched };
}
