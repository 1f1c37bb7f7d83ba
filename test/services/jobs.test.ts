import { mkdtemp, readdir, readFile, rm, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src-main/api/errors';
import type { JobProgressEvent } from '../../src-main/api/jobs';
import { EventBus } from '../../src-main/services/events';
import { runJobInline } from '../../src-main/services/jobs/inline';
import { builtinJobKinds } from '../../src-main/services/jobs/kinds';
import { JobKindRegistry } from '../../src-main/services/jobs/registry';
import { JobService, type JobServiceOptions } from '../../src-main/services/jobs/service';
import { resolveWorkerEntry } from '../../src-main/services/jobs/worker-entry';
import demoSleep from './fixtures/demo-sleep';

const DEMO = new URL('./fixtures/demo-sleep.ts', import.meta.url);
const ENGINE = new URL('./fixtures/demo-engine.ts', import.meta.url);
const FINAL = ['done', 'failed', 'cancelled'];

/** A job service with the demo kinds and a log of every progress event, in order. */
function setup(opts: Partial<JobServiceOptions> = {}) {
  const events = new EventBus();
  const progress: JobProgressEvent[] = [];
  events.on('job.progress', (e) => progress.push(e));
  const jobs = new JobService({ events, cancelGraceMs: 2000, ...opts });
  jobs.registry.register('demo.sleep', DEMO);
  jobs.registry.register('demo.engine', ENGINE);
  const statesOf = (id: string) => progress.filter((e) => e.jobId === id).map((e) => e.state).filter((s, i, all) => s !== all[i - 1]);
  const indexOf = (id: string, state: string) => progress.findIndex((e) => e.jobId === id && e.state === state);
  return { events, jobs, progress, statesOf, indexOf };
}

describe('the job service', () => {
  let services: JobService[] = [];
  const track = <T extends { jobs: JobService }>(s: T): T => {
    services.push(s.jobs);
    return s;
  };
  afterEach(async () => {
    await Promise.all(services.map((s) => s.shutdown()));
    services = [];
  });

  it('runs a job in a worker thread, streaming progress, epochs, loss, metrics and logs, then its result', async () => {
    const { jobs, progress, statesOf, events } = track(setup());
    const logs: string[] = [];
    events.on('job.log', (l) => logs.push(l.message));
    const job = jobs.start('demo.sleep', { steps: 8, stepMs: 10 }, { label: 'eight steps' });
    expect(job).toMatchObject({ kind: 'demo.sleep', label: 'eight steps', progress: 0 });
    const done = await jobs.wait(job.id);
    expect(done).toMatchObject({ state: 'done', progress: 1, step: 8, epoch: 3, loss: 1 / 8, result: { steps: 8, thread: 'worker' } });
    expect(done.metrics).toEqual({ acc: 7 / 8 });
    expect(statesOf(job.id)).toEqual(['queued', 'running', 'done']);
    const values = progress.filter((e) => e.jobId === job.id).map((e) => e.progress);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    // The demo kind gives no ETA: the service estimates one while the job runs.
    const midway = progress.filter((e) => e.jobId === job.id && e.state === 'running' && e.progress > 0 && e.progress < 1);
    expect(midway.length).toBeGreaterThan(0);
    for (const e of midway) expect(e.eta_s).toBeGreaterThanOrEqual(0);
    // Each epoch boundary is reported, whatever the coalescing of the steps in between.
    const epochs = new Set(progress.filter((e) => e.jobId === job.id && e.epoch !== undefined).map((e) => e.epoch));
    expect([...epochs]).toEqual([0, 1, 2, 3]);
    expect(logs).toEqual(Array.from({ length: 8 }, (_, i) => `step ${i + 1} of 8`));
    expect(jobs.get(job.id).log).toHaveLength(8);
  });

  it('queues beyond maxConcurrent: with 1 slot the second job starts after the first ends', async () => {
    const { jobs, indexOf } = track(setup({ maxConcurrent: 1 }));
    const a = jobs.start('demo.sleep', { steps: 3, stepMs: 10 });
    const b = jobs.start('demo.sleep', { steps: 3, stepMs: 10 });
    expect(jobs.list().map((j) => j.state)).toEqual(['running', 'queued']);
    await jobs.wait(b.id);
    expect(indexOf(b.id, 'running')).toBeGreaterThan(indexOf(a.id, 'done'));
  });

  it('runs two at once with maxConcurrent 2', async () => {
    const { jobs, indexOf } = track(setup({ maxConcurrent: 2 }));
    const a = jobs.start('demo.sleep', { steps: 4, stepMs: 20 });
    const b = jobs.start('demo.sleep', { steps: 4, stepMs: 20 });
    expect(jobs.list().map((j) => j.state)).toEqual(['running', 'running']);
    await Promise.all([jobs.wait(a.id), jobs.wait(b.id)]);
    expect(indexOf(b.id, 'running')).toBeLessThan(indexOf(a.id, 'done'));
  });

  it('cancels a queued job without running it', async () => {
    const { jobs, statesOf } = track(setup());
    const a = jobs.start('demo.sleep', { steps: 1000, stepMs: 10 });
    const b = jobs.start('demo.sleep', { steps: 3, stepMs: 10 });
    expect(jobs.cancel(b.id).state).toBe('cancelled');
    expect(statesOf(b.id)).toEqual(['queued', 'cancelled']);
    jobs.cancel(a.id);
    expect((await jobs.wait(a.id)).state).toBe('cancelled');
  });

  it('cancels cooperatively through the AbortSignal; files the job wrote stay whole', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'terrafuse-jobs-'));
    try {
      const { jobs, progress } = track(setup());
      const job = jobs.start('demo.sleep', { steps: 100_000, stepMs: 5, outDir: dir });
      await new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (progress.some((e) => e.jobId === job.id && (e.step ?? 0) >= 3)) {
            clearInterval(check);
            resolve();
          }
        }, 5);
      });
      jobs.cancel(job.id);
      const end = await jobs.wait(job.id);
      expect(end).toMatchObject({ state: 'cancelled', message: 'cancelled' });
      expect(end.error).toBeUndefined();
      const files = await readdir(dir);
      expect(files.length).toBeGreaterThanOrEqual(3);
      for (const f of files) {
        expect(f).toMatch(/^step-\d+\.json$/);
        expect(JSON.parse(await readFile(join(dir, f), 'utf8'))).toHaveProperty('step');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('terminates a job that ignores cancellation after the grace period', async () => {
    const { jobs, progress } = track(setup({ cancelGraceMs: 300 }));
    const job = jobs.start('demo.sleep', { steps: 100_000, stepMs: 50, block: true });
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (progress.some((e) => e.jobId === job.id && (e.step ?? 0) >= 1)) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    expect(jobs.cancel(job.id).message).toBe('cancelling');
    const end = await jobs.wait(job.id);
    expect(end.state).toBe('cancelled');
    expect(end.message).toMatch(/grace/);
  });

  it('reports failures: a throwing kind, invalid parameters, an unknown kind', async () => {
    const { jobs } = track(setup());
    const failing = jobs.start('demo.sleep', { steps: 5, stepMs: 1, failAt: 1 });
    expect(await jobs.wait(failing.id)).toMatchObject({ state: 'failed', error: 'demo failure at step 1' });
    const invalid = jobs.start('demo.sleep', { steps: -1, stepMs: 1 });
    const bad = await jobs.wait(invalid.id);
    expect(bad.state).toBe('failed');
    expect(bad.error).toMatch(/^invalid parameters for demo\.sleep/);
    expect(() => jobs.start('no.such.kind', {})).toThrow(ApiError);
    expect(() => jobs.get('job-missing')).toThrow(/no such job/);
  });

  it('a job can bring up the compute engine in its worker, with the forced backend', async () => {
    const { jobs } = track(setup({ engineForce: () => 'cpu' }));
    const job = jobs.start('demo.engine', {});
    const end = await jobs.wait(job.id);
    expect(end.error).toBeUndefined();
    expect(end).toMatchObject({ state: 'done', result: { backend: 'cpu', forced: true, sum: [11, 22, 33] } });
  });

  it('shutdown cancels queued and running jobs, waits for them and refuses new ones', async () => {
    const { jobs } = setup({ cancelGraceMs: 300 });
    const a = jobs.start('demo.sleep', { steps: 100_000, stepMs: 50, block: true });
    const b = jobs.start('demo.sleep', { steps: 3, stepMs: 1 });
    await jobs.shutdown();
    expect(jobs.get(a.id).state).toBe('cancelled');
    expect(jobs.get(b.id).state).toBe('cancelled');
    expect(() => jobs.start('demo.sleep', { steps: 1, stepMs: 1 })).toThrow(/shutting down/);
  });

  it('keeps only the newest finished jobs', async () => {
    const { jobs } = track(setup({ keepFinished: 2 }));
    const ids = [0, 1, 2].map(() => jobs.start('demo.sleep', { steps: 1, stepMs: 1 }).id);
    for (const id of ids) await jobs.wait(id).catch(() => undefined);
    expect(jobs.list().map((j) => j.id)).toEqual(ids.slice(1));
  });
});

describe('job kinds and worker entry', () => {
  it('the registry checks names, keeps modules as file URLs and refuses conflicting re-registration', () => {
    const registry = new JobKindRegistry();
    registry.register('demo.sleep', DEMO);
    registry.register('demo.sleep', DEMO.href); // the same module again is fine
    expect(registry.moduleOf('demo.sleep')).toBe(DEMO.href);
    registry.register('demo.path', '/abs/kind.ts');
    expect(registry.moduleOf('demo.path')).toBe(pathToFileURL('/abs/kind.ts').href);
    expect(() => registry.register('demo.sleep', ENGINE)).toThrow(/already registered/);
    expect(() => registry.register('Bad Name', DEMO)).toThrow(/invalid job kind name/);
    expect(() => registry.register('demo.http', 'https://example.com/kind.js')).toThrow(/file/);
    expect(registry.has('demo.sleep')).toBe(true);
    expect(registry.has('nope')).toBe(false);
    // Built-in kinds (kinds.ts) and run-time ones together.
    expect(registry.names()).toEqual([...Object.keys(builtinJobKinds), 'demo.path', 'demo.sleep'].sort());
    for (const builtin of Object.keys(builtinJobKinds)) expect(registry.moduleOf(builtin)).toBeUndefined();
  });

  it('finds the worker entry from the sources, the build (also from a chunk) or the environment', async () => {
    expect(resolveWorkerEntry('file:///repo/src-main/services/jobs/worker-entry.ts').href).toBe('file:///repo/src-main/services/jobs/worker-bootstrap.mjs');
    const out = await mkdtemp(join(tmpdir(), 'terrafuse-out-'));
    try {
      await mkdir(join(out, 'main', 'chunks'), { recursive: true });
      await writeFile(join(out, 'main', 'job-worker.js'), '');
      expect(resolveWorkerEntry(pathToFileURL(join(out, 'main', 'index.js')).href).href).toBe(pathToFileURL(join(out, 'main', 'job-worker.js')).href);
      expect(resolveWorkerEntry(pathToFileURL(join(out, 'main', 'chunks', 'service-abc.js')).href).href).toBe(pathToFileURL(join(out, 'main', 'job-worker.js')).href);
      expect(() => resolveWorkerEntry(pathToFileURL(join(out, 'elsewhere', 'x.js')).href)).toThrow(/job-worker\.js/);
      process.env.TERRAFUSE_JOB_WORKER = join(out, 'custom.js');
      expect(resolveWorkerEntry().href).toBe(pathToFileURL(join(out, 'custom.js')).href);
    } finally {
      delete process.env.TERRAFUSE_JOB_WORKER;
      await rm(out, { recursive: true, force: true });
    }
  });

  it('runJobInline runs a kind in this thread with the same context', async () => {
    const updates: number[] = [];
    const logs: string[] = [];
    const result = await runJobInline(demoSleep, { steps: 3, stepMs: 1 }, { onProgress: (u) => u.progress !== undefined && updates.push(u.progress), onLog: (_l, m) => logs.push(m) });
    expect(result).toEqual({ steps: 3, thread: 'worker' });
    expect(updates.at(-1)).toBe(1);
    expect(logs).toEqual(['step 1 of 3', 'step 2 of 3', 'step 3 of 3']);
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(runJobInline(demoSleep, { steps: 3, stepMs: 1 }, { signal: controller.signal })).rejects.toThrow('stop');
  });
});

describe('progress reports are sanitised', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'terrafuse-progress-'));
    // A kind that reports nonsense: NaN loss, Infinity metric, progress beyond 1, negative eta.
    await writeFile(
      join(dir, 'wild.mjs'),
      `export default { async run(_p, ctx) { ctx.progress({ progress: 7, loss: NaN, metrics: { iou: Infinity, acc: 0.5 }, eta_s: -3, epoch: 0 }); ctx.progress({ epoch: 1.7, step: -4, message: 42 }); return null; } };\n`,
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('non-finite numbers become null, progress is clamped, a negative ETA is dropped', async () => {
    const { jobs, progress } = setup();
    jobs.registry.register('demo.wild', join(dir, 'wild.mjs'));
    const job = jobs.start('demo.wild', {});
    const end = await jobs.wait(job.id);
    expect(end.error).toBeUndefined();
    expect(end.state).toBe('done');
    const report = progress.find((e) => e.jobId === job.id && e.state === 'running' && e.loss !== undefined);
    expect(report).toMatchObject({ progress: 1, loss: null, metrics: { iou: null, acc: 0.5 } });
    expect(report?.eta_s).toBeUndefined();
    // A fractional epoch is floored, a negative step and a non-string message are dropped; the job still ends well.
    expect(end).toMatchObject({ state: 'done', epoch: 1, loss: null });
    expect(end.step).toBeUndefined();
    expect(FINAL).toContain(end.state);
    await jobs.shutdown();
  });
});
