import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../fs-atomic';
import { META_JSON } from './checkpoint';

/**
 * A run folder, readable by people and tools:
 *   config.json    the run's configuration (enough to repeat it)
 *   run.json       status (running / done / cancelled / failed), dataset facts, best epoch, test metrics, notes
 *   history.json   one entry per epoch: learning rate, training loss, validation metrics, seconds
 *   checkpoint/    the best model (tfjs model.json + weights.bin + meta.json), replaced atomically on improvement
 * Every JSON file is written atomically (temp file + rename), so a cancelled or crashed run leaves consistent files.
 */

export const CONFIG_JSON = 'config.json';
export const RUN_JSON = 'run.json';
export const HISTORY_JSON = 'history.json';
export const CHECKPOINT_DIR = 'checkpoint';

export type RunStatus = 'running' | 'done' | 'cancelled' | 'failed';

export interface RunRecord {
  kind: 'train' | 'pretrain';
  status: RunStatus;
  started: string;
  finished: string | null;
  engine: { backend: string; version: string };
  dataset?: { path: string; layout: string; patches: number; train: number; labelled: number; val: number; test: number };
  best: { epoch: number; metric: string; value: number | null } | null;
  /** Flat test metrics (see runTrain). */
  test: Record<string, number | null> | null;
  seconds: number | null;
  notes: string[];
  error?: string;
}

export interface HistoryEntry {
  epoch: number;
  lr: number;
  train_loss: number | null;
  val: Record<string, number | null>;
  seconds: number;
}

/** JSON has no NaN/Infinity: such values are written as null. */
export function finiteOrNull(v: number | undefined): number | null {
  return v !== undefined && Number.isFinite(v) ? v : null;
}

export function cleanMetrics(m: Record<string, number>): Record<string, number | null> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, finiteOrNull(v)]));
}

/** Refuses a folder that already holds a run (checked first, so a run never spends time on work it cannot keep). */
export function assertRunFolderFree(dir: string): void {
  if (existsSync(join(dir, RUN_JSON)) || existsSync(join(dir, CHECKPOINT_DIR))) {
    throw new Error(`${dir} already holds a run; choose another output folder or delete it`);
  }
}

/** Creates the folder for a new run; refuses to overwrite a folder that already holds a run. */
export async function createRunFolder(dir: string): Promise<void> {
  assertRunFolderFree(dir);
  await mkdir(dir, { recursive: true });
}

export function writeRunJson(dir: string, file: string, value: unknown): Promise<void> {
  return writeJsonAtomic(join(dir, file), value);
}

export async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

/**
 * The checkpoint folder meant by a path given on the command line: a checkpoint folder itself, or a run folder
 * holding one.
 */
export function resolveCheckpointDir(path: string): string {
  if (existsSync(join(path, META_JSON))) return path;
  const inside = join(path, CHECKPOINT_DIR);
  if (existsSync(join(inside, META_JSON))) return inside;
  if (existsSync(join(path, RUN_JSON))) {
    throw new Error(`${path} is a run folder without a checkpoint (it ended before its first validated epoch)`);
  }
  throw new Error(`${path} is neither a checkpoint folder (with ${META_JSON}) nor a run folder holding one`);
}
