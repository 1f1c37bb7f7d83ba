/**
 * Where imagery work runs: a small pool of worker threads (decoding GeoTIFFs and encoding PNGs is CPU work that
 * would otherwise stall every other request of the main process, or of the serve-mode server), or the calling
 * thread when no worker entry exists (a build without out/main/imagery-worker.js) or a worker cannot start.
 * Tasks of one patch always go to the same worker, whose pixel cache then serves the patch's other layers.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ImageryWorker, ImageryWorkError, type HistogramTask, type RenderFacts, type RenderTask } from './imagery-work';
import type { FromRenderWorker, ToRenderWorker } from './render-protocol';

export type HistogramResult = Awaited<ReturnType<ImageryWorker['histogram']>>;

export interface RenderBackend {
  readonly kind: 'workers' | 'inline';
  render(task: RenderTask): Promise<{ png: Uint8Array; facts: RenderFacts }>;
  histogram(task: HistogramTask): Promise<HistogramResult>;
  forget(prefix: string): void;
  close(): Promise<void>;
}

/**
 * The render worker's entry: TERRAFUSE_RENDER_WORKER if set; from the TypeScript sources (tsx, vitest) the
 * bootstrap beside this file; in a build imagery-worker.js next to the bundle (or one folder up from a chunk);
 * null when there is none.
 */
export function resolveRenderWorkerEntry(moduleUrl: string = import.meta.url): URL | null {
  const override = process.env.TERRAFUSE_RENDER_WORKER?.trim();
  if (override) return pathToFileURL(resolve(override));
  if (/\.ts($|\?)/.test(moduleUrl)) return new URL('./render-worker-bootstrap.mjs', moduleUrl);
  if (!moduleUrl.startsWith('file:')) return null;
  const here = dirname(fileURLToPath(moduleUrl));
  for (const candidate of [join(here, 'imagery-worker.js'), join(here, '..', 'imagery-worker.js')]) {
    if (existsSync(candidate)) return pathToFileURL(candidate);
  }
  return null;
}

class InlineRenderer implements RenderBackend {
  readonly kind = 'inline' as const;
  private readonly worker: ImageryWorker;
  constructor(pixelCacheBytes?: number) {
    this.worker = new ImageryWorker(pixelCacheBytes);
  }
  render(task: RenderTask) {
    return this.worker.render(task);
  }
  histogram(task: HistogramTask) {
    return this.worker.histogram(task);
  }
  forget(prefix: string): void {
    this.worker.forget(prefix);
  }
  async close(): Promise<void> {}
}

interface Slot {
  worker: Worker;
  pending: Map<number, { resolve(v: unknown): void; reject(e: Error): void }>;
}

function hashOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

class WorkerPool implements RenderBackend {
  readonly kind = 'workers' as const;
  private readonly slots: (Slot | undefined)[];
  private nextId = 1;
  private fallback: InlineRenderer | undefined;
  private closed = false;

  constructor(private readonly entry: URL, size: number, private readonly pixelCacheBytes?: number) {
    this.slots = new Array(size).fill(undefined);
  }

  private slot(k: number): Slot {
    const existing = this.slots[k];
    if (existing) return existing;
    const worker = new Worker(this.entry, { workerData: { pixelCacheBytes: this.pixelCacheBytes }, name: `terrafuse imagery ${k}` });
    // Idle workers must not keep a CLI process alive; busy ones must (see send()).
    worker.unref();
    const slot: Slot = { worker, pending: new Map() };
    worker.on('message', (msg: FromRenderWorker) => {
      const p = slot.pending.get(msg.id);
      if (!p) return;
      slot.pending.delete(msg.id);
      if (slot.pending.size === 0) worker.unref();
      if (msg.ok) p.resolve(msg.value);
      else p.reject(new ImageryWorkError(msg.code, msg.message));
    });
    const fail = (err: Error): void => {
      if (this.slots[k] === slot) this.slots[k] = undefined;
      for (const p of slot.pending.values()) p.reject(new ImageryWorkError('internal', `imagery worker stopped: ${err.message}`));
      slot.pending.clear();
    };
    worker.on('error', (err) => {
      // A worker that cannot even load its module will not do better next time: render in this thread from now on.
      if (!this.fallback) {
        console.warn(`terrafuse: imagery worker failed (${err.message}); rendering in the main thread from now on`);
        this.fallback = new InlineRenderer(this.pixelCacheBytes);
      }
      fail(err);
    });
    worker.on('exit', (code) => fail(new Error(`exited with code ${code}`)));
    this.slots[k] = slot;
    return slot;
  }

  private send<T>(pixelKey: string, message: Omit<Extract<ToRenderWorker, { op: 'render' | 'histogram' }>, 'id'>): Promise<T> {
    if (this.closed) return Promise.reject(new ImageryWorkError('internal', 'the imagery service is closed'));
    const slot = this.slot(hashOf(pixelKey) % this.slots.length);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      slot.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      slot.worker.ref();
      slot.worker.postMessage({ ...message, id } as ToRenderWorker);
    });
  }

  render(task: RenderTask) {
    if (this.fallback) return this.fallback.render(task);
    return this.send<{ png: Uint8Array; facts: RenderFacts }>(task.pixelKey, { op: 'render', task });
  }

  histogram(task: HistogramTask) {
    if (this.fallback) return this.fallback.histogram(task);
    return this.send<HistogramResult>(task.pixelKey, { op: 'histogram', task });
  }

  forget(prefix: string): void {
    this.fallback?.forget(prefix);
    for (const s of this.slots) s?.worker.postMessage({ op: 'forget', prefix } satisfies ToRenderWorker);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s?.worker.terminate()));
    this.slots.fill(undefined);
  }
}

export interface RenderBackendOptions {
  /** Worker threads; 0 renders in the calling thread. Default: 2, or 1 on a single core. */
  workers?: number;
  /** Decoded-pixel cache per worker (bytes). */
  pixelCacheBytes?: number;
}

export function createRenderBackend(options: RenderBackendOptions = {}): RenderBackend {
  const size = options.workers ?? Math.max(1, Math.min(2, availableParallelism()));
  const entry = size > 0 ? resolveRenderWorkerEntry() : null;
  if (!entry) return new InlineRenderer(options.pixelCacheBytes);
  return new WorkerPool(entry, size, options.pixelCacheBytes);
}
