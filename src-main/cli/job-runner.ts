import cliProgress from 'cli-progress';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { z } from 'zod';
import { TargetName } from '../api/training';
import type { JobKind, JobProgressUpdate } from '../services/jobs/define';
import { UsageError } from './command';

/**
 * Shared by the training commands (train, pretrain, evaluate, predict, experiment): flag parsing helpers, and
 * running one job kind in this process (the jobs layer's runJobInline: same kind and context as in a worker, without
 * the worker's start-up) with a progress bar on a terminal, log lines otherwise, Ctrl-C as cancel, and with --json
 * exactly one summary line on stdout at the end.
 */

export type Flags = Record<string, string | boolean | undefined>;

export function parseFlags(argv: string[], options: ParseArgsConfig['options']): Flags {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Flags;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

export function str(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function required(flags: Flags, name: string): string {
  const v = str(flags, name);
  if (v === undefined || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

export function num(flags: Flags, name: string, opts: { int?: boolean } = {}): number | undefined {
  const v = str(flags, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || (opts.int && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be ${opts.int ? 'an integer' : 'a number'}, got '${v}'`);
  }
  return n;
}

export function list(flags: Flags, name: string): string[] | undefined {
  const v = str(flags, name);
  return v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

export function numList(flags: Flags, name: string): number[] | undefined {
  return list(flags, name)?.map((s) => {
    const n = Number(s);
    if (!Number.isFinite(n)) throw new UsageError(`--${name}: '${s}' is not a number`);
    return n;
  });
}

/** Drops undefined fields so the zod defaults apply. */
export function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Config fields built from the task flags (tasksFrom): `tasks` itself stands for the list of targets. */
const TASK_FLAGS: Record<string, string> = {
  tasks: '--target',
  'tasks.task': '--task',
  'tasks.target': '--target',
  'tasks.weight': '--loss-weights',
};

/**
 * The flag a configuration field came from, for error messages: the user typed --label-fraction 2, not
 * labelFraction. camelCase becomes kebab-case, nested objects join with '-' (pretrain.batchSize ->
 * --pretrain-batch-size), list positions are dropped (modalities.0 -> --modalities); `aliases` (by dotted field path)
 * covers flags named otherwise.
 */
export function flagOf(path: readonly PropertyKey[], aliases: Record<string, string> = {}): string | undefined {
  const key = path.filter((p): p is string => typeof p === 'string').join('.');
  if (key === '') return undefined;
  const named = aliases[key] ?? TASK_FLAGS[key];
  if (named !== undefined) return named;
  return `--${key.replace(/\./g, '-').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The value the input held at a zod issue's path, for "(got ...)"; undefined unless a string or number. */
function valueAt(input: unknown, path: readonly PropertyKey[]): string | number | undefined {
  let v: unknown = input;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return typeof v === 'string' || typeof v === 'number' ? v : undefined;
}

/**
 * Validates a configuration with its zod schema; problems become one usage line naming the flags (not the config
 * fields they fill) and the values given.
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown, aliases: Record<string, string> = {}): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) {
    const problems = r.error.issues
      .map((i) => {
        const flag = flagOf(i.path, aliases);
        const got = valueAt(input, i.path);
        const shown = got === undefined ? '' : typeof got === 'string' ? ` (got '${got}')` : ` (got ${got})`;
        return `${flag ? `${flag}: ` : ''}${i.message}${shown}`;
      })
      .join('; ');
    throw new UsageError(problems);
  }
  return r.data;
}

/** Tasks from --task (optional, one per target or one for all) and --target, with --loss-weights. */
export function tasksFrom(flags: Flags): { task: string | undefined; target: string; weight: number }[] {
  const targets = list(flags, 'target');
  if (!targets || targets.length === 0) throw new UsageError('--target is required (e.g. lulc, worldcover, season)');
  // Checked here, before a task is derived from the target: an unknown target would otherwise also be reported as
  // a bad --task the user never gave.
  const known: readonly string[] = TargetName.options;
  const unknown = targets.find((t) => !known.includes(t));
  if (unknown !== undefined) throw new UsageError(`--target: unknown target '${unknown}' (${known.join(', ')})`);
  const tasks = list(flags, 'task') ?? [];
  if (tasks.length > 1 && tasks.length !== targets.length) {
    throw new UsageError(`--task lists ${tasks.length} tasks but --target ${targets.length} targets; pair them by position`);
  }
  const weights = numList(flags, 'loss-weights') ?? [];
  if (weights.length > 0 && weights.length !== targets.length) {
    throw new UsageError(`--loss-weights lists ${weights.length} weights for ${targets.length} targets`);
  }
  return targets.map((target, i) => ({ task: tasks.length === 1 ? tasks[0] : tasks[i], target, weight: weights[i] ?? 1 }));
}

/** The task kind a target implies, for --target without --task. */
export const TASK_OF_TARGET: Record<string, string> = {
  lulc: 'classification',
  climatezone: 'classification',
  landcover: 'multilabel',
  ben19: 'multilabel',
  ben43: 'multilabel',
  worldcover: 'segmentation',
  season: 'regression',
};

function fmt(v: number | null | undefined, digits = 4): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '-';
}

export interface RunJobOptions {
  json: boolean;
  /** Label in front of the bar. */
  title: string;
}

export type JobOutcome<R> = { ok: true; result: R } | { ok: false; code: number };

/**
 * Runs `kind` with `params` in this process. Returns the result, or the exit code after printing why it ended
 * (cancelled: 130; failed: 1 with the error's message).
 */
export async function runJob<P, R>(kind: JobKind<P, R>, params: unknown, opts: RunJobOptions): Promise<JobOutcome<R>> {
  const { runJobInline } = await import('../services/jobs/inline');
  const ac = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    process.stderr.write('\nterrafuse: cancelling (Ctrl-C again to quit at once)...\n');
    ac.abort();
  };
  process.on('SIGINT', onSigint);
  const tty = Boolean(process.stderr.isTTY);
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          format: `${opts.title} |{bar}| {percentage}% | {message} | loss {loss} | ETA {eta_s}`,
          stream: process.stderr,
          hideCursor: true,
          clearOnComplete: true,
          barsize: 24,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(1000, 0, { message: 'starting', loss: '-', eta_s: '-' });
  const onProgress = (u: JobProgressUpdate): void => {
    if (!bar) return;
    const eta = u.eta_s === undefined ? '-' : u.eta_s >= 90 ? `${Math.round(u.eta_s / 60)}m` : `${Math.round(u.eta_s)}s`;
    bar.update(Math.round((u.progress ?? 0) * 1000), { message: u.message ?? '', loss: fmt(u.loss), eta_s: eta });
  };
  const onLog = (level: string, message: string): void => {
    // On a terminal the bar shows progress; log lines would tear it. Without one (CI, pipes) they are the progress.
    if (level === 'error' || level === 'warn') process.stderr.write(`${bar ? '\n' : ''}${level}: ${message}\n`);
    else if (!bar && !opts.json) process.stderr.write(`${message}\n`);
  };
  try {
    const result = await runJobInline(kind, params, { signal: ac.signal, onProgress, onLog });
    bar?.update(1000);
    bar?.stop();
    return { ok: true, result };
  } catch (err) {
    bar?.stop();
    if (ac.signal.aborted) {
      process.stderr.write('terrafuse: cancelled; files already written are complete\n');
      return { ok: false, code: 130 };
    }
    const message = err instanceof Error ? err.message : String(err);
    // The message says what is wrong (a transfer mismatch, a missing modality...); the stack only with TERRAFUSE_DEBUG.
    const stack = process.env.TERRAFUSE_DEBUG && err instanceof Error ? `\n${err.stack ?? ''}` : '';
    process.stderr.write(`terrafuse: ${message}${stack}\n`);
    return { ok: false, code: 1 };
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** Metrics as aligned `name  value` lines. */
export function metricLines(metrics: Record<string, number | null>): string {
  const width = Math.max(0, ...Object.keys(metrics).map((k) => k.length));
  return Object.entries(metrics)
    .map(([k, v]) => `  ${k.padEnd(width)}  ${fmt(v)}`)
    .join('\n');
}
