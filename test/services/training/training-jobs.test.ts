import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JobProgressEvent } from '../../../src-main/api/jobs';
import { TrainConfig } from '../../../src-main/api/training';
import { defaultCacheDir } from '../../../src-main/core/data/cache/packed-cache';
import { loadCheckpoint } from '../../../src-main/core/train/checkpoint';
import { EventBus } from '../../../src-main/services/events';
import { PathGuard } from '../../../src-main/services/files/path-guard';
import { JobService } from '../../../src-main/services/jobs/service';
import { readRunInfo, trainingHandlers } from '../../../src-main/services/training/handlers';
import { writeBengeFixture } from '../../core/data/helpers/write-benge';

// The training job kinds through the real job service: each job in its own worker thread (tsx-loaded sources),
// progress streamed as job.progress events, cancellation through jobs.cancel.
const root = mkdtempSync(join(tmpdir(), 'tf-jobs-'));
const data = join(root, 'data');
const runs = join(root, 'runs');
const context = { transport: 'serve' as const };

beforeAll(() => {
  writeBengeFixture(data, { patches: 10 });
  mkdirSync(runs);
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  // The jobs open the dataset with the data layer's default cache folder (under the OS temp): remove it too.
  rmSync(defaultCacheDir(data), { recursive: true, force: true });
});

let services: JobService[] = [];
afterEach(async () => {
  await Promise.all(services.map((s) => s.shutdown()));
  services = [];
});

function setup() {
  const events = new EventBus();
  const progress: JobProgressEvent[] = [];
  events.on('job.progress', (e) => progress.push(e));
  const jobs = new JobService({ events, cancelGraceMs: 60_000 });
  services.push(jobs);
  const paths = new PathGuard(() => [{ path: root, kind: 'workspace' as const }]);
  return { jobs, progress, handlers: trainingHandlers(jobs, paths) };
}

const config = (out: string, epochs: number) =>
  TrainConfig.parse({ data, modalities: ['s2'], tasks: [{ task: 'classification', target: 'lulc' }], width: 2, epochs, batchSize: 2, out });

describe('training jobs', () => {
  it('runs training.train in a worker, streams epochs and losses, and returns the test metrics', async () => {
    const { jobs, progress, handlers } = setup();
    const out = join(runs, 'a');
    const { jobId } = await handlers['training.train'](config(out, 2), context);
    const done = await jobs.wait(jobId);
    expect(done.state).toBe('done');
    const result = done.result as { test: Record<string, number>; run: string };
    expect(result.run).toBe(out);
    expect(result.test).toHaveProperty('f1_macro');
    const mine = progress.filter((e) => e.jobId === jobId);
    expect(new Set(mine.map((e) => e.epoch).filter((e) => e !== undefined))).toEqual(new Set([1, 2]));
    expect(mine.some((e) => typeof e.loss === 'number' && e.loss > 0)).toBe(true);
    expect(mine.some((e) => e.metrics && 'lulc.f1_macro' in e.metrics)).toBe(true);
    const info = await handlers['training.run']({ path: out }, context);
    expect(info).toMatchObject({ kind: 'train', status: 'done', checkpoint: join(out, 'checkpoint') });
    expect(info.history).toHaveLength(2);
  });

  it('a cancelled job ends cancelled; its run folder has no half-written checkpoint or temp file', async () => {
    const { jobs, progress, handlers } = setup();
    const out = join(runs, 'b');
    const { jobId } = await handlers['training.train'](config(out, 20), context);
    // Cancel as soon as the second epoch is under way (the first checkpoint is being or has been written).
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (progress.some((e) => e.jobId === jobId && (e.epoch ?? 0) >= 2)) {
          clearInterval(timer);
          resolve();
        }
      }, 20);
    });
    jobs.cancel(jobId);
    const end = await jobs.wait(jobId);
    expect(end.state).toBe('cancelled');
    expect(readdirSync(out).filter((n) => n.startsWith('.'))).toEqual([]);
    expect((await readRunInfo(out)).status).toBe('cancelled');
    if (existsSync(join(out, 'checkpoint'))) {
      expect(readdirSync(join(out, 'checkpoint')).sort()).toEqual(['meta.json', 'model.json', 'weights.bin']);
      const { model } = await loadCheckpoint(join(out, 'checkpoint'));
      model.dispose();
    }
    const history = JSON.parse(readFileSync(join(out, 'history.json'), 'utf8'));
    expect(history.length).toBeLessThan(20);
  });

  it('refuses paths outside the registered folders (serve mode clients are remote)', async () => {
    const { handlers } = setup();
    await expect(handlers['training.train'](config(join(tmpdir(), 'elsewhere-run'), 1), context)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(handlers['training.train']({ ...config(join(runs, 'c'), 1), data: '/etc' }, context)).rejects.toMatchObject({ code: 'forbidden' });
    expect(existsSync(join(runs, 'c'))).toBe(false);
  });
});
