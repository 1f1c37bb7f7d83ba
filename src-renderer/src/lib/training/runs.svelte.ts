import type { TerrafuseClient } from '../../../../src-main/api/client';
import type { RunInfo } from '../../../../src-main/api/training';
import { checkpointOfRun, type CheckpointChoice } from './checkpoints';
import { childPath, runsFolder } from './experiment-form';
import { rowOfRun, type RunRow } from './runs';

/**
 * The runs of the workspace, read from its folders: `<workspace>/runs/<run>` (training and pretraining runs) and
 * `<workspace>/runs/<experiment>/{pretrain, runs/<f…-s…-arm>}` (label-efficiency experiments). Everything goes
 * through the contract (files.list, training.run), so the table is the same in every window and after a restart.
 */

export interface ExperimentFolder {
  path: string;
  name: string;
  /** Run folders of the experiment's arms. */
  runs: string[];
}

async function limited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export class RunsStore {
  /** The workspace folder (settings); runs are written to and read from its `runs` folder. */
  workspace = $state<string | null>(null);
  runs = $state<RunInfo[]>([]);
  experiments = $state<ExperimentFolder[]>([]);
  loading = $state(false);
  error = $state<string | null>(null);
  readonly #client: TerrafuseClient;
  readonly #cleanup: Array<() => void> = [];
  #pending: Promise<void> | null = null;

  constructor(client: TerrafuseClient) {
    this.#client = client;
  }

  start(): void {
    this.#cleanup.push(
      this.#client.on('settings.changed', (s) => {
        if (s.workspaceFolder !== this.workspace) {
          this.workspace = s.workspaceFolder;
          void this.refresh();
        }
      }),
      // A finished job has written (or completed) a run folder.
      this.#client.on('job.progress', (e) => {
        if ((e.state === 'done' || e.state === 'failed' || e.state === 'cancelled') && e.kind !== 'datasets.sample') void this.refresh();
      }),
      this.#client.onStatus((s) => {
        if (s === 'connected') void this.refresh();
      }),
    );
    void this.refresh();
  }

  dispose(): void {
    for (const off of this.#cleanup.splice(0)) off();
  }

  /** Rows for the table (experiment arms included), built with the whole set so initialisations resolve. */
  get rows(): RunRow[] {
    const byPath = new Map(this.runs.map((r) => [r.path, r]));
    return this.runs.map((r) => rowOfRun(r, byPath));
  }

  /** Checkpoints the experiment panel offers: finished runs with a checkpoint, newest first. */
  get checkpoints(): CheckpointChoice[] {
    return this.runs
      .filter((r) => r.status === 'done')
      .map(checkpointOfRun)
      .filter((c): c is CheckpointChoice => c !== null)
      .sort((a, b) => b.name.localeCompare(a.name));
  }

  async setWorkspace(path: string): Promise<void> {
    const s = await this.#client.call('settings.update', { workspaceFolder: path });
    this.workspace = s.workspaceFolder;
    await this.refresh();
  }

  refresh(): Promise<void> {
    this.#pending ??= this.#load().finally(() => {
      this.#pending = null;
    });
    return this.#pending;
  }

  async #load(): Promise<void> {
    this.loading = true;
    try {
      const settings = await this.#client.call('settings.get', {});
      this.workspace = settings.workspaceFolder;
      if (!this.workspace) {
        this.runs = [];
        this.experiments = [];
        this.error = null;
        return;
      }
      const root = runsFolder(this.workspace);
      // The runs folder appears with the first run; ask for it only when the workspace lists it.
      const top = (await this.#list(this.workspace)) ?? [];
      const listing = top.some((e) => e.name === 'runs' && e.kind === 'dir') ? await this.#list(root) : null;
      if (listing === null) {
        // No run yet: the folder appears with the first one.
        this.runs = [];
        this.experiments = [];
        this.error = null;
        return;
      }
      const runPaths: string[] = [];
      const experiments: ExperimentFolder[] = [];
      await limited(
        listing.filter((e) => e.kind === 'dir' && !e.name.startsWith('.')),
        6,
        async (entry) => {
          const dir = childPath(root, entry.name);
          const inside = (await this.#list(dir)) ?? [];
          if (inside.some((e) => e.name === 'run.json')) runPaths.push(dir);
          else if (inside.some((e) => e.name === 'runs' && e.kind === 'dir')) {
            const armsDir = childPath(dir, 'runs');
            const arms = ((await this.#list(armsDir)) ?? []).filter((e) => e.kind === 'dir').map((e) => childPath(armsDir, e.name));
            if (inside.some((e) => e.name === 'pretrain' && e.kind === 'dir')) runPaths.push(childPath(dir, 'pretrain'));
            runPaths.push(...arms);
            experiments.push({ path: dir, name: entry.name, runs: arms });
          }
        },
      );
      const infos = await limited(runPaths, 6, async (path) => {
        try {
          return await this.#client.call('training.run', { path });
        } catch {
          return null; // a folder being created, or not a run after all
        }
      });
      this.runs = infos.filter((r): r is RunInfo => r !== null).sort((a, b) => a.path.localeCompare(b.path));
      this.experiments = experiments.sort((a, b) => a.path.localeCompare(b.path));
      this.error = null;
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    } finally {
      this.loading = false;
    }
  }

  async #list(path: string): Promise<Array<{ name: string; kind: string }> | null> {
    try {
      return (await this.#client.call('files.list', { path })).entries;
    } catch {
      return null;
    }
  }
}
