import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { ApiHandlers } from '../../api/contract';
import { ApiError } from '../../api/errors';
import type { JobInfo } from '../../api/jobs';
import type { RunInfo } from '../../api/training';
import { CHECKPOINT_DIR, CONFIG_JSON, HISTORY_JSON, RUN_JSON, type HistoryEntry, type RunRecord } from '../../core/train/run-folder';
import type { PathGuard } from '../files/path-guard';
import type { JobService, StartJobOptions } from '../jobs/service';
import { confusionOf } from './confusion';
import { renderMaskImage } from './mask-image';
import { openPredictionDataset } from './open-dataset';
import { readPredictions } from './predictions';
import { settleExperimentRecords, settleRunRecord } from './run-record';

type TrainingMethods = 'training.train' | 'training.pretrain' | 'training.evaluate' | 'training.predict' | 'training.experiment' | 'training.run' | 'training.predictions' | 'training.maskImage' | 'training.confusion';

/**
 * The training domain of the contract. Every path a client sends is resolved through the PathGuard first: inputs
 * (datasets, checkpoints, runs) must exist inside a registered folder, outputs must land inside one. In serve mode
 * the client is a remote browser, so nothing it names may reach outside the folders the user registered.
 */
export function trainingHandlers(
  jobs: JobService,
  paths: PathGuard,
  /** The packed cache folder of a dataset (the workspace's); default: the data layer's. */
  packedCacheDir: (dataPath: string) => string | undefined = () => undefined,
): Pick<ApiHandlers, TrainingMethods> {
  const input = (p: string): Promise<string> => paths.resolveExisting(p);
  const openData = (p: string) => openPredictionDataset(p, packedCacheDir(p));
  const output = async (p: string): Promise<string> => {
    if (!isAbsolute(p)) throw new ApiError('bad_request', `output folder must be an absolute path: ${p}`);
    // The run folder (and its parents) may not exist yet: the nearest existing ancestor must be inside a registered
    // folder, then the missing folders are created and the target is checked for real.
    let ancestor = dirname(resolve(p));
    while (!existsSync(ancestor) && dirname(ancestor) !== ancestor) ancestor = dirname(ancestor);
    await paths.resolveExisting(ancestor);
    await mkdir(dirname(resolve(p)), { recursive: true });
    return paths.resolveForWrite(p);
  };
  const start = (kind: string, params: unknown, label: string, onEnd?: StartJobOptions['onEnd']) => ({ jobId: jobs.start(kind, params, { label, onEnd }).id });
  // A run's worker stopped from outside (cancelled while starting up, then terminated) cannot record its end.
  const settleRun = (kind: 'train' | 'pretrain', params: { out: string }) => (info: JobInfo) => settleRunRecord(params.out, info, kind, params).then(() => undefined);
  return {
    'training.train': async (c) => {
      const params = { ...c, data: await input(c.data), out: await output(c.out), from: c.from === null ? null : await input(c.from) };
      const what = c.tasks.map((t) => t.target).join('+');
      return start('train', params, `Train ${c.backbone} on ${c.modalities.join('+')} → ${what}${c.labelFraction < 1 ? ` (${c.labelFraction * 100}% labels)` : ''}`, settleRun('train', params));
    },
    'training.pretrain': async (c) => {
      const params = { ...c, data: await input(c.data), out: await output(c.out) };
      return start('pretrain', params, `Pretrain ${c.backbone} (${c.method})`, settleRun('pretrain', params));
    },
    'training.evaluate': async (c) => {
      const params = { ...c, run: await input(c.run), data: await input(c.data) };
      return start('evaluate', params, `Evaluate on ${c.split}`);
    },
    'training.predict': async (c) => {
      const params = { ...c, run: await input(c.run), data: await input(c.data), out: await output(c.out) };
      return start('predict', params, 'Predict');
    },
    'training.experiment': async (c) => {
      const params = { ...c, data: await input(c.data), out: await output(c.out), from: c.from === null ? null : await input(c.from) };
      return start('experiment', params, `Label efficiency (${c.fractions.join(', ')})`, (info) => settleExperimentRecords(params.out, info).then(() => undefined));
    },
    'training.run': async ({ path }) => readRunInfo(await input(path)),
    'training.predictions': async ({ dir, data }) => {
      const d = data === null ? null : await input(data);
      return readPredictions(await input(dir), d, d === null ? undefined : packedCacheDir(d));
    },
    'training.maskImage': async ({ dir, patchId, target, view, data }) =>
      renderMaskImage({ dir: await input(dir), patchId, target, view }, data === null ? null : await openData(await input(data))),
    'training.confusion': async ({ dir, data, target, split }) => {
      const d = await input(data);
      return confusionOf({ dir: await input(dir), data: d, target, split }, await openData(d));
    },
  };
}

async function readJsonIfExists<T>(path: string): Promise<T | undefined> {
  if (!existsSync(path)) return undefined;
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

/** What a run folder says about itself (RunInfo of the contract). */
export async function readRunInfo(dir: string): Promise<RunInfo> {
  const record = await readJsonIfExists<RunRecord>(join(dir, RUN_JSON));
  if (!record) throw new ApiError('not_found', `${dir} is not a run folder (no ${RUN_JSON})`);
  const config = (await readJsonIfExists<Record<string, unknown>>(join(dir, CONFIG_JSON))) ?? {};
  const history = (await readJsonIfExists<HistoryEntry[]>(join(dir, HISTORY_JSON))) ?? [];
  const checkpoint = existsSync(join(dir, CHECKPOINT_DIR, 'meta.json')) ? join(dir, CHECKPOINT_DIR) : null;
  return {
    path: dir,
    kind: record.kind,
    status: record.status,
    config: config as RunInfo['config'],
    history,
    best: record.best,
    test: record.test,
    checkpoint,
  };
}
