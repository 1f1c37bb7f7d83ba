import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PretrainConfig, TrainConfig } from '../../../src-main/api/training';
import { defaultCacheDir } from '../../../src-main/core/data/cache/packed-cache';
import type { RunRecord } from '../../../src-main/core/train/run-folder';
import { EventBus } from '../../../src-main/services/events';
import { PathGuard } from '../../../src-main/services/files/path-guard';
import { JobService } from '../../../src-main/services/jobs/service';
import { trainingHandlers } from '../../../src-main/services/training/handlers';
import { writeBengeFixture } from '../../core/data/helpers/write-benge';

// Cancelling a training job while its worker is still starting up (engine, dataset cache, before the training loop's
// first step): the job ends cancelled and so does the run folder's record, also when the worker is terminated after
// the cancel grace and never gets to write it. Real job service, real worker threads, a small ben-ge fixture.
const root = mkdtempSync(join(tmpdir(), 'tf-cancel-start-'));
const data = join(root, 'data');
const runs = join(root, 'runs');
const context = { transport: 'serve' as const };

beforeAll(() => {
  writeBengeFixture(data, { patches: 10 });
  mkdirSync(runs);
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(defaultCacheDir(data), { recursive: true, force: true });
});

let services: JobService[] = [];
afterEach(async () => {
  await Promise.all(services.map((s) => s.shutdown()));
  services = [];
});

/** `cancelGraceMs` undefined: the app's default grace. */
function setup(cancelGraceMs?: number) {
  const jobs = new JobService({ events: new EventBus(), ...(cancelGraceMs === undefined ? {} : { cancelGraceMs }) });
  services.push(jobs);
  const paths = new PathGuard(() => [{ path: root, kind: 'workspace' as const }]);
  return { jobs, handlers: trainingHandlers(jobs, paths) };
}

const trainConfig = (out: string) =>
  TrainConfig.parse({ data, modalities: ['s2'], tasks: [{ task: 'classification', target: 'lulc' }], width: 2, epochs: 50, batchSize: 2, out });

function record(out: string): RunRecord {
  return JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunRecord;
}

/** Nothing half-written: no temp file or staging folder of an atomic write. */
function leftovers(out: string): string[] {
  return readdirSync(out).filter((n) => n.includes('.tmp'));
}

async function until(condition: () => boolean, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('cancelling a training job while its worker starts up', () => {
  it('cancelled right after launch (default grace): the job and the run record end cancelled', async () => {
    const { jobs, handlers } = setup();
    const out = join(runs, 'at-once');
    const { jobId } = await handlers['training.train'](trainConfig(out), context);
    jobs.cancel(jobId);
    const done = await jobs.wait(jobId);
    expect(done.state).toBe('cancelled');
    // Whether the worker stopped by itself or was terminated, and whether the run had created its folder or not.
    const info = await handlers['training.run']({ path: out }, context);
    expect(info.status).toBe('cancelled');
    expect(info.history).toEqual([]);
    expect(record(out).finished).not.toBeNull();
    expect(leftovers(out)).toEqual([]);
  });

  it('cancelled after the run wrote its "running" record, its worker terminated at once: the services record the cancel', async () => {
    // No grace: the worker is terminated right after the cancel and cannot write its last word itself.
    const { jobs, handlers } = setup(0);
    const out = join(runs, 'terminated');
    const { jobId } = await handlers['training.train'](trainConfig(out), context);
    await until(() => existsSync(join(out, 'run.json')));
    expect(record(out).status).toBe('running');
    jobs.cancel(jobId);
    const done = await jobs.wait(jobId);
    expect(done.state).toBe('cancelled');
    const r = record(out);
    expect(r.status).toBe('cancelled');
    expect(r.finished).toBe(done.finishedAt);
    expect(r.notes.at(-1)).toBe('cancelled before the run could record it');
    // What the run had written stays: its kind, start and configuration.
    expect(r.kind).toBe('train');
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'))).toMatchObject({ out, epochs: 50 });
    expect(leftovers(out)).toEqual([]);
  });

  it('the same for pretraining', async () => {
    const { jobs, handlers } = setup(0);
    const out = join(runs, 'pretrain-terminated');
    const { jobId } = await handlers['training.pretrain'](PretrainConfig.parse({ data, method: 'simclr', width: 2, epochs: 50, batchSize: 4, out }), context);
    await until(() => existsSync(join(out, 'run.json')));
    jobs.cancel(jobId);
    expect((await jobs.wait(jobId)).state).toBe('cancelled');
    expect(record(out)).toMatchObject({ kind: 'pretrain', status: 'cancelled' });
  });

  it('a failed run that never created its folder gets none (a checkpoint that does not exist)', async () => {
    const { jobs, handlers } = setup();
    const out = join(runs, 'bad-from');
    const missing = join(root, 'no-such-checkpoint');
    mkdirSync(missing);
    const { jobId } = await handlers['training.train']({ ...trainConfig(out), from: missing, transfer: 'full' }, context);
    expect((await jobs.wait(jobId)).state).toBe('failed');
    expect(existsSync(out)).toBe(false);
  });
});
