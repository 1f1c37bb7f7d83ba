import type { TerrafuseClient } from '../../../../src-main/api/client';
import type { ConfusionResult, LabelEfficiencyConfigInput } from '../../../../src-main/api/training';
import { DatasetsStore } from './datasets.svelte';
import { childPath, defaultExperimentForm, runFolderFor, runsFolder, timeStamp, toTrainConfig, type ExperimentForm } from './experiment-form';
import { JobsStore } from './jobs.svelte';
import { predictFolderFor } from './predictions';
import { defaultPretrainForm, pretrainFolderFor, toPretrainConfig, type PretrainForm } from './pretrain-form';
import { RunsStore } from './runs.svelte';

/** What the training dock at the bottom of the workspace shows. */
export type DockView =
  | { kind: 'job'; jobId: string }
  | { kind: 'runs' }
  | { kind: 'experiment'; path: string }
  /** A confusion matrix of a predict folder's head: up to 11 × 11 cells, too wide for the side panel. */
  | { kind: 'confusion'; dir: string; result: ConfusionResult }
  | null;

/**
 * Everything the training panels share, kept for the whole window (panels come and go as the user switches, their
 * forms and the job list stay): the jobs, runs and datasets stores, the two forms and what the dock shows.
 * One per client; `trainingWorkspace(client)` creates it on first use.
 */
export class TrainingWorkspace {
  readonly client: TerrafuseClient;
  readonly jobs: JobsStore;
  readonly runs: RunsStore;
  readonly datasets: DatasetsStore;
  experiment = $state<ExperimentForm>(defaultExperimentForm());
  pretrain = $state<PretrainForm>(defaultPretrainForm());
  dock = $state<DockView>(null);
  /** The run selected in the runs table (details in the dock, the model of the Predict section). */
  selectedRun = $state<string | null>(null);
  /** The last launch's failure (the services refused the configuration), shown under the launch button. */
  launchError = $state<string | null>(null);
  launching = $state(false);

  constructor(client: TerrafuseClient) {
    this.client = client;
    this.jobs = new JobsStore(client);
    this.runs = new RunsStore(client);
    this.datasets = new DatasetsStore(client);
  }

  start(): void {
    this.#restoreForms();
    // A dataset open in this session (the map's, or one opened here) fills a form's empty dataset field.
    this.datasets.onChange = () => {
      const first = this.datasets.open[0]?.path ?? null;
      if (first === null) return;
      if (this.experiment.data === null) this.experiment.data = first;
      if (this.pretrain.data === null) this.pretrain.data = first;
    };
    this.#stopPersist = $effect.root(() => {
      $effect(() => {
        // Forms survive a reload of the window (they are choices, not results: nothing else keeps them).
        const snapshot = JSON.stringify({ experiment: this.experiment, pretrain: this.pretrain });
        try {
          globalThis.localStorage?.setItem(FORMS_KEY, snapshot);
        } catch {
          // storage refused (private window): forms just start fresh next time
        }
      });
    });
    this.jobs.start();
    this.runs.start();
    this.datasets.start();
  }

  #stopPersist: (() => void) | null = null;

  #restoreForms(): void {
    try {
      const raw = globalThis.localStorage?.getItem(FORMS_KEY);
      if (!raw) return;
      const saved = JSON.parse(raw) as { experiment?: Partial<ExperimentForm>; pretrain?: Partial<PretrainForm> };
      // Merged over the defaults: a field added in a later version keeps its default.
      if (saved.experiment) this.experiment = { ...defaultExperimentForm(), ...saved.experiment, name: '' };
      if (saved.pretrain) this.pretrain = { ...defaultPretrainForm(), ...saved.pretrain, name: '' };
    } catch {
      // a damaged entry: start from the defaults
    }
  }

  dispose(): void {
    this.#stopPersist?.();
    this.datasets.onChange = null;
    this.jobs.dispose();
    this.runs.dispose();
    this.datasets.dispose();
  }

  showJob(jobId: string): void {
    this.jobs.selected = jobId;
    this.dock = { kind: 'job', jobId };
    void this.jobs.loadDetail(jobId);
  }

  async #launch(kind: string, out: string, start: () => Promise<{ jobId: string }>): Promise<string | null> {
    this.launching = true;
    this.launchError = null;
    try {
      const { jobId } = await start();
      this.jobs.remember(jobId, kind, out);
      this.showJob(jobId);
      return jobId;
    } catch (err) {
      this.launchError = err instanceof Error ? err.message : String(err);
      return null;
    } finally {
      this.launching = false;
    }
  }

  /** Starts the experiment form's training run; returns the job id, or null (launchError says why). */
  launchTraining(): Promise<string | null> {
    const ws = this.runs.workspace;
    if (!ws) return Promise.resolve(this.#refuse('Choose a workspace folder first: runs are written there.'));
    const out = runFolderFor(this.experiment, ws, new Date());
    const config = toTrainConfig(this.experiment, out);
    return this.#launch('train', out, () => this.client.call('training.train', config));
  }

  launchPretraining(): Promise<string | null> {
    const ws = this.runs.workspace;
    if (!ws) return Promise.resolve(this.#refuse('Choose a workspace folder first: checkpoints are written there.'));
    const out = pretrainFolderFor(this.pretrain, ws, new Date());
    const config = toPretrainConfig(this.pretrain, out);
    return this.#launch('pretrain', out, () => this.client.call('training.pretrain', config));
  }

  /** The label-efficiency experiment into `<workspace>/runs/<stamp>-label-efficiency`. */
  launchExperiment(config: Omit<LabelEfficiencyConfigInput, 'out'>): Promise<string | null> {
    const ws = this.runs.workspace;
    if (!ws) return Promise.resolve(this.#refuse('Choose a workspace folder first.'));
    const out = childPath(runsFolder(ws), `${timeStamp(new Date())}-label-efficiency`);
    return this.#launch('experiment', out, () => this.client.call('training.experiment', { ...config, out }));
  }

  /** Predictions of a run's checkpoint on a dataset (one split or all), into `<run>/predictions/<stamp>-<split>`. */
  launchPredict(run: string, data: string, split: 'train' | 'val' | 'test' | 'all'): Promise<string | null> {
    const out = predictFolderFor(run, split, new Date());
    return this.#launch('predict', out, () => this.client.call('training.predict', { run, data, out, split }));
  }

  #refuse(message: string): null {
    this.launchError = message;
    return null;
  }
}

const FORMS_KEY = 'terrafuse.training.forms';

const instances = new WeakMap<TerrafuseClient, TrainingWorkspace>();

export function trainingWorkspace(client: TerrafuseClient): TrainingWorkspace {
  let ws = instances.get(client);
  if (!ws) {
    ws = new TrainingWorkspace(client);
    instances.set(client, ws);
    ws.start();
  }
  return ws;
}
