import type { TerrafuseClient } from '../../../../src-main/api/client';
import type { DatasetSummary } from '../../../../src-main/api/datasets';
import { FLAG_FOCUS, FLAG_SELECTED, FLAG_SHOWN } from '../map/patch-points/shaders';
import { colourPatches, labelFacet, type ColourAttribute, type ColourClass, type Colouring } from './colour-by';
import { decodeIndex, type PatchColumns } from './columns';
import { labelScheme, type LabelScheme } from './labels';
import { applyFilter, isFilterActive, NO_FILTER, type PatchFilter } from './filters';
import { PointGrid } from './point-grid';
import { applySelect, PatchSelection, type SelectMode } from './selection';

/** What changed, for the map code that redraws from it (Svelte components read the $state fields instead). */
export type PatchDataChange = 'data' | 'colour' | 'filter' | 'selection' | 'focus';

export type OpenStatus = 'idle' | 'generating' | 'opening' | 'loading' | 'ready' | 'error';

export interface OpenProgress {
  /** What is happening, for people ("Generating the synthetic sample", "Placing patches"). */
  label: string;
  /** 0..1, or null when the amount of work is unknown. */
  fraction: number | null;
  detail: string | null;
}

export interface RecentFolder {
  path: string;
  exists: boolean;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const PHASE_LABEL: Record<string, string> = {
  index: 'Reading the dataset folder',
  georeference: 'Placing patches',
  ready: 'Loading the index',
  failed: 'Failed',
};

/**
 * The dataset on the map: opening it (a folder, a native dialog, the synthetic sample) with progress, its per-patch
 * columns, and what the user made of them (colouring, filter, selection, the focused patch). One dataset at a time.
 * Components read the $state fields; the map layers subscribe with `onChange` and read the typed arrays.
 */
export class PatchData {
  readonly #client: TerrafuseClient;
  status = $state<OpenStatus>('idle');
  progress = $state<OpenProgress | null>(null);
  error = $state<string | null>(null);
  summary = $state.raw<DatasetSummary | null>(null);
  recent = $state<RecentFolder[]>([]);
  samplePath = $state<string | null>(null);

  colourBy = $state<ColourAttribute>('split');
  /** The values present in the dataset per filterable attribute, with counts (for the filter controls). */
  facets = $state.raw<{ split: ColourClass[]; label: ColourClass[]; climatezone: ColourClass[] }>({ split: [], label: [], climatezone: [] });
  /** What the dataset's labels are (multi-label BigEarthNet classes filter by "any of"). */
  labelScheme = $state<LabelScheme>('lulc');
  /** Legend of the colouring: the classes present, with counts. */
  legend = $state.raw<ColourClass[]>([]);
  filter = $state.raw<PatchFilter>(NO_FILTER);
  /** Patches passing the filter (and placed on the map). */
  shownCount = $state(0);
  selectedCount = $state(0);
  /** Selected patches the filter hides. */
  selectedHidden = $state(0);
  /** The patch in the inspector. */
  focus = $state<number | null>(null);
  /** The patch under the pointer. */
  hover = $state<number | null>(null);

  /** The index columns (not $state: 100,000-element typed arrays are read by the map, not by templates). */
  columns: PatchColumns | null = null;
  grid: PointGrid | null = null;
  colouring: Colouring | null = null;
  /** A colouring from elsewhere (a run's predictions, lib/training/prediction-colouring) shown instead of `colourBy`'s. */
  colouringOverride = $state.raw<{ title: string; colour: (ids: readonly string[]) => Colouring } | null>(null);
  mask: Uint8Array = new Uint8Array(0);
  selection = new PatchSelection(0);
  /** FLAG_SHOWN | FLAG_SELECTED | FLAG_FOCUS per patch, what the points layer draws. */
  flags: Uint8Array = new Uint8Array(0);

  readonly #listeners = new Set<(change: PatchDataChange) => void>();
  readonly #cleanup: Array<() => void> = [];
  #sampleJob: string | null = null;
  #generation = 0;

  constructor(client: TerrafuseClient) {
    this.#client = client;
  }

  get client(): TerrafuseClient {
    return this.#client;
  }

  /** Native folder dialogs exist only in the desktop app. */
  get canBrowse(): boolean {
    return this.#client.transport === 'ipc';
  }

  get filterActive(): boolean {
    return isFilterActive(this.filter);
  }

  start(): void {
    this.#cleanup.push(
      this.#client.on('datasets.progress', (e) => {
        // Only while a folder is being opened (the services report its real path, which a typed path may not
        // match: a trailing slash, a symlink), not while the sample is still being generated.
        if (this.status !== 'opening') return;
        if (e.phase === 'failed') return; // the call itself rejects with the reason
        this.progress = {
          label: PHASE_LABEL[e.phase] ?? e.phase,
          fraction: e.total > 0 ? e.done / e.total : null,
          detail: e.message ?? (e.total > 0 ? `${e.done.toLocaleString('en')} / ${e.total.toLocaleString('en')}` : null),
        };
      }),
      this.#client.on('job.progress', (e) => {
        if (e.jobId !== this.#sampleJob) return;
        if (e.state === 'done') void this.#sampleReady();
        else if (e.state === 'failed' || e.state === 'cancelled') this.#fail(`Generating the sample ${e.state}${e.message ? `: ${e.message}` : ''}`);
        else this.progress = { label: 'Generating the synthetic sample', fraction: e.progress, detail: e.message ?? null };
      }),
      this.#client.on('app.menu', ({ action, path }) => {
        if (action === 'openDataset' && path) void this.openFolder(path);
      }),
    );
    void this.refreshRecent();
    void this.#openSampleIfStartedEmpty();
  }

  /** `npm start` and the desktop app show the embedded synthetic sample when nothing else is open. */
  async #openSampleIfStartedEmpty(): Promise<void> {
    try {
      const [info, list] = await Promise.all([this.#client.call('app.info', {}), this.#client.call('datasets.list', {})]);
      if (info.openSampleOnStart && list.open.length === 0 && this.status === 'idle') await this.openSample();
    } catch (err) {
      console.warn('opening the synthetic sample at start failed:', messageOf(err));
    }
  }

  dispose(): void {
    for (const undo of this.#cleanup.splice(0)) undo();
    this.#listeners.clear();
  }

  onChange(listener: (change: PatchDataChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(change: PatchDataChange): void {
    for (const l of this.#listeners) l(change);
  }

  async refreshRecent(): Promise<void> {
    try {
      const list = await this.#client.call('datasets.list', {});
      this.recent = list.recent.map((r) => ({ path: r.path, exists: r.exists }));
      this.samplePath = list.sample_path;
    } catch (err) {
      console.warn('datasets.list failed:', messageOf(err));
    }
  }

  /** Opens a folder on the machine running the services; `register` makes a typed path readable first. */
  async openFolder(path: string, register = true): Promise<boolean> {
    const trimmed = path.trim();
    if (!trimmed) return false;
    const generation = this.#begin('opening', { label: 'Opening the dataset', fraction: null, detail: trimmed });
    try {
      const summary = await this.#client.call('datasets.open', { path: trimmed, register });
      return await this.#load(summary, generation);
    } catch (err) {
      if (generation === this.#generation) this.#fail(messageOf(err));
      return false;
    }
  }

  /**
   * Shows a dataset the services can already read (e.g. the one a run predicted on, which passed their path checks
   * then) unless it is on the map already; it is not added to the recent folders again.
   */
  async show(path: string): Promise<boolean> {
    if (this.summary?.path === path && this.columns) return true;
    return this.openFolder(path, false);
  }

  /** The native folder dialog (desktop app); the chosen folder is registered by the services and opened. */
  async browse(): Promise<boolean> {
    try {
      const { path } = await this.#client.call('dialog.openFolder', { purpose: 'dataset', title: 'Open a dataset folder' });
      return path ? await this.openFolder(path, false) : false;
    } catch (err) {
      this.#fail(messageOf(err));
      return false;
    }
  }

  /** The embedded synthetic sample: generated by a job on first use (progress from its events), then opened. */
  async openSample(): Promise<boolean> {
    const generation = this.#begin('opening', { label: 'Preparing the synthetic sample', fraction: null, detail: null });
    try {
      const state = await this.#client.call('datasets.sample', {});
      if (generation !== this.#generation) return false;
      if (state.state === 'ready') return await this.#load(state.dataset, generation);
      this.status = 'generating';
      this.#sampleJob = state.jobId;
      this.progress = { label: 'Generating the synthetic sample', fraction: 0, detail: null };
      // The job may have finished between the answer and the subscription: ask for its state once.
      const job = await this.#client.call('jobs.get', { jobId: state.jobId });
      if (job.state === 'done') await this.#sampleReady();
      else if (job.state === 'failed' || job.state === 'cancelled') this.#fail(`Generating the sample ${job.state}${job.error ? `: ${job.error}` : ''}`);
      return true;
    } catch (err) {
      if (generation === this.#generation) this.#fail(messageOf(err));
      return false;
    }
  }

  async #sampleReady(): Promise<void> {
    if (this.#sampleJob === null) return;
    this.#sampleJob = null;
    const generation = this.#generation;
    this.status = 'opening';
    this.progress = { label: 'Opening the synthetic sample', fraction: null, detail: null };
    try {
      const state = await this.#client.call('datasets.sample', {});
      if (generation !== this.#generation) return;
      if (state.state !== 'ready') throw new Error('the sample is still being generated');
      await this.#load(state.dataset, generation);
    } catch (err) {
      if (generation === this.#generation) this.#fail(messageOf(err));
    }
  }

  #begin(status: OpenStatus, progress: OpenProgress): number {
    this.#generation++;
    this.status = status;
    this.progress = progress;
    this.error = null;
    this.#sampleJob = null;
    return this.#generation;
  }

  #fail(message: string): void {
    this.status = this.columns ? 'ready' : 'error';
    this.error = message;
    this.progress = null;
    this.#sampleJob = null;
  }

  /** Dismiss the last error (the dataset on the map, if any, stays). */
  clearError(): void {
    this.error = null;
    if (this.status === 'error') this.status = this.columns ? 'ready' : 'idle';
  }

  async #load(summary: DatasetSummary, generation: number): Promise<boolean> {
    this.status = 'loading';
    this.progress = { label: 'Loading the patch index', fraction: null, detail: `${summary.patches.toLocaleString('en')} patches` };
    const index = await this.#client.call('datasets.index', { datasetId: summary.id });
    if (generation !== this.#generation) return false;
    const cols = decodeIndex(index);
    this.columns = cols;
    this.summary = summary;
    this.grid = new PointGrid(cols.x, cols.y);
    this.selection = new PatchSelection(cols.count);
    this.mask = new Uint8Array(cols.count);
    this.flags = new Uint8Array(cols.count);
    this.focus = null;
    this.hover = null;
    this.filter = NO_FILTER;
    this.labelScheme = labelScheme(cols);
    this.facets = {
      split: colourPatches('split', cols, summary.classes).classes,
      label: labelFacet(cols, summary.classes),
      climatezone: colourPatches('climatezone', cols, summary.classes).classes,
    };
    this.#recolour();
    this.#refilter();
    this.#refreshSelection();
    this.status = 'ready';
    this.progress = null;
    this.error = null;
    this.#emit('data');
    void this.refreshRecent();
    return true;
  }

  /** Forget the dataset (the services keep nothing open for it either). */
  async close(): Promise<void> {
    const id = this.summary?.id;
    this.#generation++;
    this.columns = null;
    this.summary = null;
    this.grid = null;
    this.colouring = null;
    this.legend = [];
    this.facets = { split: [], label: [], climatezone: [] };
    this.mask = new Uint8Array(0);
    this.flags = new Uint8Array(0);
    this.selection = new PatchSelection(0);
    this.shownCount = this.selectedCount = this.selectedHidden = 0;
    this.focus = this.hover = null;
    this.status = 'idle';
    this.progress = null;
    this.#emit('data');
    if (id) await this.#client.call('datasets.close', { datasetId: id }).catch(() => undefined);
  }

  setColourBy(attribute: ColourAttribute): void {
    this.colourBy = attribute;
    this.colouringOverride = null;
    if (!this.columns) return;
    this.#recolour();
    this.#emit('colour');
  }

  /** Show (or with null, stop showing) an outside colouring; it is recomputed for each dataset opened. */
  setColouringOverride(override: { title: string; colour: (ids: readonly string[]) => Colouring } | null): void {
    this.colouringOverride = override;
    if (!this.columns) return;
    this.#recolour();
    this.#emit('colour');
  }

  setFilter(filter: PatchFilter): void {
    this.filter = filter;
    if (!this.columns) return;
    this.#refilter();
    this.#refreshSelection();
    this.#emit('filter');
  }

  resetFilter(): void {
    this.setFilter(NO_FILTER);
  }

  /** Click, Shift-click and box selection all end here. */
  select(hits: readonly number[], mode: SelectMode): void {
    applySelect(this.selection, hits, mode);
    this.#refreshSelection();
    this.#emit('selection');
  }

  clearSelection(): void {
    this.select([], 'replace');
  }

  /** Every patch the filter shows becomes the selection. */
  selectShown(): void {
    const hits: number[] = [];
    for (let i = 0; i < this.mask.length; i++) if (this.mask[i]) hits.push(i);
    this.select(hits, 'replace');
  }

  /** Ids of the selected patches, for later actions (labelling, prediction, export). */
  selectedIds(): string[] {
    const cols = this.columns;
    if (!cols) return [];
    return Array.from(this.selection.indices(), (i) => cols.ids[i]);
  }

  setFocus(i: number | null): void {
    if (i === this.focus) return;
    const old = this.focus;
    this.focus = i;
    if (old !== null && old < this.flags.length) this.flags[old] &= ~FLAG_FOCUS;
    if (i !== null && i < this.flags.length) this.flags[i] |= FLAG_FOCUS;
    this.#emit('focus');
  }

  /** Patch position of an id, -1 when the dataset has no such patch. */
  indexOf(id: string): number {
    return this.columns ? this.columns.ids.indexOf(id) : -1;
  }

  /** Whether the map shows a patch (filter passed and placed). */
  isShown(i: number): boolean {
    return this.mask[i] === 1;
  }

  #recolour(): void {
    const cols = this.columns;
    const summary = this.summary;
    if (!cols || !summary) return;
    this.colouring = this.colouringOverride ? this.colouringOverride.colour(cols.ids) : colourPatches(this.colourBy, cols, summary.classes);
    this.legend = this.colouring.classes;
  }

  #refilter(): void {
    const cols = this.columns;
    if (!cols) return;
    const { mask } = applyFilter(cols, this.filter, this.mask);
    let shown = 0;
    for (let i = 0; i < cols.count; i++) {
      // Patches without a place cannot be drawn; they are not counted as shown on the map.
      if (Number.isNaN(cols.x[i])) mask[i] = 0;
      shown += mask[i];
    }
    this.mask = mask;
    this.shownCount = shown;
  }

  #refreshSelection(): void {
    const n = this.mask.length;
    const sel = this.selection.flags;
    for (let i = 0; i < n; i++) {
      this.flags[i] = (this.mask[i] ? FLAG_SHOWN : 0) | (sel[i] ? FLAG_SELECTED : 0) | (this.focus === i ? FLAG_FOCUS : 0);
    }
    this.selectedCount = this.selection.size;
    this.selectedHidden = this.selection.hiddenBy(this.mask);
  }
}
