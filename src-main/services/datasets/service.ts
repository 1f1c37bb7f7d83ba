/**
 * The datasets service: opens dataset folders (only registered ones, through the path guard), keeps them in
 * memory for the session, and provides the embedded synthetic sample.
 */
import { existsSync, realpathSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { ApiError } from '../../api/errors';
import type { DatasetSummary, SampleState } from '../../api/datasets';
import { readDatasetIndex } from '../../core/data/layouts/detect';
import { DatasetError, formatProblem } from '../../core/data/problems';
import { GENERATOR_VERSION } from '../../core/data/synth/generate';
import type { EventBus } from '../events';
import { assertPathSyntax, type PathGuard } from '../files/path-guard';
import type { JobService } from '../jobs/service';
import type { SettingsStore } from '../settings/store';
import { datasetIdOf, packedCacheDir } from './dataset-dirs';
import { OpenDataset } from './open-dataset';
import { scanGrids } from './placement';

export const SAMPLE_JOB_KIND = 'datasets.sample';
/** Patches of the embedded sample: enough to cover every synthetic tile and class, quick enough to generate. */
export const DEFAULT_SAMPLE_PATCHES = 200;
/** Overrides the sample size (e2e tests and CI use a small sample). */
export const SAMPLE_PATCHES_ENV = 'TERRAFUSE_SAMPLE_PATCHES';

function samplePatchesFromEnv(): number | undefined {
  const n = Number(process.env[SAMPLE_PATCHES_ENV]);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}
export const SAMPLE_SEED = 'terrafuse-sample';

export interface DatasetsServiceOptions {
  settings: SettingsStore;
  paths: PathGuard;
  events: EventBus;
  jobs: JobService;
  /** Where caches and the sample live; default: the workspace folder, else `<config dir>/workspace`. */
  workspaceDir?: () => string;
  samplePatches?: number;
}

export { datasetIdOf };

export class DatasetsService {
  private readonly open = new Map<string, OpenDataset>();
  private readonly opening = new Map<string, Promise<OpenDataset>>();
  private sampleJob: { jobId: string; path: string } | undefined;

  constructor(private readonly opts: DatasetsServiceOptions) {}

  workspaceDir(): string {
    if (this.opts.workspaceDir) return this.opts.workspaceDir();
    return this.opts.settings.get().workspaceFolder ?? join(this.opts.settings.dir, 'workspace');
  }

  /** The workspace's cache folder: one folder per dataset (see dataset-dirs.ts). */
  cacheRoot(): string {
    return join(this.workspaceDir(), 'cache');
  }

  /** Per-dataset cache folder inside the workspace (georef.json, rendered imagery, packed/). */
  cacheDir(datasetId: string): string {
    return join(this.cacheRoot(), datasetId);
  }

  /** The packed cache folder for the dataset at `path` (undefined when the folder does not exist). */
  packedCacheDir(path: string): string | undefined {
    return packedCacheDir(this.cacheRoot(), path);
  }

  samplePath(): string {
    return join(this.workspaceDir(), 'samples', `synthetic-ben-ge-v${GENERATOR_VERSION}`);
  }

  /**
   * Opens a folder (registering it first with `register`). Already open: returned as is, unless `refresh`. A
   * folder without any usable patch is refused with the reason and the first problems found.
   */
  async openFolder(path: string, options: { register?: boolean; refresh?: boolean } = {}): Promise<OpenDataset> {
    assertPathSyntax(path);
    if (options.register) {
      if (!isAbsolute(path)) throw new ApiError('bad_request', `a dataset folder to register must be an absolute path: ${path}`);
      const st = await stat(path).catch(() => undefined);
      if (!st) throw new ApiError('not_found', `no such folder: ${path}`);
      if (!st.isDirectory()) throw new ApiError('bad_request', `not a folder: ${path}`);
      await this.opts.settings.addRecentDataset(resolve(path));
    }
    const real = await this.opts.paths.resolveExisting(path);
    const st = await stat(real);
    if (!st.isDirectory()) throw new ApiError('bad_request', `not a folder: ${real}`);
    const id = datasetIdOf(real);
    const already = options.refresh ? undefined : this.open.get(id);
    if (already) {
      await this.remember(real);
      return already;
    }
    let pending = this.opening.get(real);
    if (!pending) {
      pending = this.index(real, id).finally(() => this.opening.delete(real));
      this.opening.set(real, pending);
    }
    const ds = await pending;
    await this.remember(real);
    return ds;
  }

  /** Puts a folder first in the recent datasets (which also keeps it registered). */
  private async remember(real: string): Promise<void> {
    const recent = this.opts.settings.get().recentDatasets;
    if (recent[0] !== real) await this.opts.settings.addRecentDataset(real);
  }

  private progress(path: string, phase: 'index' | 'georeference' | 'ready' | 'failed', done: number, total: number, message?: string): void {
    this.opts.events.emit('datasets.progress', { path, phase, done, total, ...(message ? { message } : {}) });
  }

  private async index(real: string, id: string): Promise<OpenDataset> {
    this.progress(real, 'index', 0, 1, 'reading the folder and its tables');
    try {
      let index;
      try {
        index = await readDatasetIndex(real);
      } catch (err) {
        if (err instanceof DatasetError) throw new ApiError('bad_request', `cannot open ${real}: ${err.reason}`);
        throw err;
      }
      const total = index.patches.length;
      this.progress(real, 'georeference', 0, total, `placing ${total} patches`);
      const scan = await scanGrids(index.patches, {
        cacheFile: join(this.cacheDir(id), 'georef.json'),
        onProgress: (p) => this.progress(real, 'georeference', p.done, p.total),
      });
      const ds = new OpenDataset({ id, path: real, sample: real === this.samplePathReal(), index, grids: scan.grids, placementProblems: scan.problems });
      // Readable: a raster header could be read (placed or not: chips may have no CRS), or a location is known.
      const readable = scan.readable.some((r) => r === 1) || ds.placedBy.raster + ds.placedBy.metadata > 0;
      if (!readable) {
        const first = ds.problems.slice(0, 3).map(formatProblem).join('; ');
        throw new ApiError('bad_request', `no readable patches in ${real}: ${total} listed (${index.layout}), but none has a readable raster or a location${first ? ` — ${first}` : ''}`);
      }
      this.open.set(id, ds);
      this.progress(real, 'ready', total, total, `${total} patches`);
      return ds;
    } catch (err) {
      this.progress(real, 'failed', 0, 0, err instanceof Error ? err.message : String(err));
      throw err;
    }
  }

  private samplePathReal(): string {
    const path = this.samplePath();
    return existsSync(path) ? realpathSync(path) : resolve(path);
  }

  /**
   * An open dataset by id. A dataset opened in an earlier session (a recent folder, the sample) is opened again
   * on first use, so ids kept by the renderer (URL, saved views) survive a restart.
   */
  async get(datasetId: string): Promise<OpenDataset> {
    const ds = this.open.get(datasetId);
    if (ds) return ds;
    const candidates = [...this.opts.settings.get().recentDatasets, this.samplePath()];
    for (const path of candidates) {
      if (!existsSync(path)) continue;
      if (datasetIdOf(realpathSync(path)) === datasetId) return this.openFolder(path);
    }
    throw new ApiError('not_found', `no open dataset ${datasetId}: open its folder with datasets.open`);
  }

  list(): OpenDataset[] {
    return [...this.open.values()];
  }

  close(datasetId: string): boolean {
    return this.open.delete(datasetId);
  }

  recent(): { path: string; exists: boolean; datasetId: string | null }[] {
    return this.opts.settings.get().recentDatasets.map((path) => {
      const id = datasetIdOf(path);
      return { path, exists: existsSync(path), datasetId: this.open.has(id) ? id : null };
    });
  }

  /**
   * The synthetic sample: opened when it exists; otherwise generated by a job (one at a time). With `wait` the
   * call returns once the sample is generated and open.
   */
  async sample(wait = false): Promise<SampleState> {
    const path = this.samplePath();
    if (!existsSync(path)) {
      const job = this.startSampleJob(path);
      if (!wait) return { state: 'generating', jobId: job.jobId, path };
      const info = await this.opts.jobs.wait(job.jobId);
      if (info.state !== 'done') throw new ApiError(info.state === 'cancelled' ? 'cancelled' : 'internal', `generating the synthetic sample ${info.state}${info.error ? `: ${info.error}` : ''}`);
    }
    // Registered through the recent datasets (the workspace may not be a registered folder yet).
    await this.opts.settings.addRecentDataset(resolve(path));
    const ds = await this.openFolder(path);
    return { state: 'ready', dataset: summaryOf(ds) };
  }

  private startSampleJob(path: string): { jobId: string; path: string } {
    const running = this.sampleJob;
    if (running && running.path === path) {
      const state = this.opts.jobs.list().find((j) => j.id === running.jobId)?.state;
      if (state === 'queued' || state === 'running') return running;
    }
    const info = this.opts.jobs.start(
      SAMPLE_JOB_KIND,
      { out: path, patches: this.opts.samplePatches ?? samplePatchesFromEnv() ?? DEFAULT_SAMPLE_PATCHES, seed: SAMPLE_SEED },
      { label: 'Generate the synthetic ben-ge sample' },
    );
    this.sampleJob = { jobId: info.id, path };
    return this.sampleJob;
  }
}

export function summaryOf(ds: OpenDataset): DatasetSummary {
  return {
    id: ds.id,
    path: ds.path,
    name: ds.name,
    layout: ds.layout,
    sample: ds.sample,
    patches: ds.size,
    modalities: ds.modalityCounts(),
    crs: [...ds.crs],
    bbox_wgs84: ds.bboxWgs84(),
    splits: ds.splitCounts(),
    split_source: ds.splitSource,
    georeference: { ...ds.placedBy },
    classes: ds.classes() as DatasetSummary['classes'],
    problems: ds.problemSummary(),
    revision: ds.revision,
  };
}
