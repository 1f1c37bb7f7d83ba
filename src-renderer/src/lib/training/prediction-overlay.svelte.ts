import type { TerrafuseClient } from '../../../../src-main/api/client';
import type { PredictionsResult } from '../../../../src-main/api/training';
import type { Colouring } from '../patches/colour-by';
import {
  colourableHeads,
  patchPredictionRows,
  predictionColouring,
  PREDICTION_MODES,
  type PatchPredictionRow,
  type PredictionColourMode,
} from './prediction-colouring';

/** What the map's patch data takes: a colouring computed per dataset (see PatchData.setColouringOverride). */
export type ColouringOverride = { title: string; colour: (ids: readonly string[]) => Colouring };

/**
 * The predictions shown on the map: the Predict section loads a predict folder (training.predictions) and chooses
 * head and mode; the Workbench binds the map's patch data so the patches take the prediction colouring, and the
 * inspector reads prediction vs truth of the focused patch from here. One per client (`predictionOverlay`), since
 * the training panels and the map workspace are built apart.
 */
export class PredictionOverlay {
  readonly #client: TerrafuseClient;
  result = $state.raw<PredictionsResult | null>(null);
  /** The dataset predicted on (truth for right/wrong and the errors view), as given to `load`. */
  data = $state<string | null>(null);
  target = $state<string | null>(null);
  mode = $state<PredictionColourMode>('class');
  shown = $state(false);
  loading = $state(false);
  error = $state<string | null>(null);
  #apply: ((o: ColouringOverride | null) => void) | null = null;
  /** The "Prediction" map layer: masks as predicted, or their errors against the WorldCover truth. */
  maskView = $state<'prediction' | 'errors'>('prediction');
  /** Swipe position (0..1 of the map's width) of the Prediction layer over the ground truth; null = no swipe. */
  swipe = $state<number | null>(null);
  readonly #listeners = new Set<(change: 'result' | 'maskView' | 'swipe') => void>();
  readonly #goTo = new Set<(patchId: string) => void>();

  constructor(client: TerrafuseClient) {
    this.#client = client;
  }

  /** The map side: receives the colouring to show (null: back to the attribute colouring). Returns an unbind. */
  bind(apply: (o: ColouringOverride | null) => void): () => void {
    this.#apply = apply;
    if (this.shown) this.#push();
    return () => {
      if (this.#apply === apply) this.#apply = null;
    };
  }

  /** Changes the map layers follow (a new result, the mask view, the swipe). Returns an unsubscribe. */
  onChange(listener: (change: 'result' | 'maskView' | 'swipe') => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The map side: shows a patch asked for from the predictions (inspector + zoom). Returns an unsubscribe. */
  onGoTo(listener: (patchId: string) => void): () => void {
    this.#goTo.add(listener);
    return () => this.#goTo.delete(listener);
  }

  /** Asks the map to go to a predicted patch (the Predict section's patch list). */
  goTo(patchId: string): void {
    for (const l of this.#goTo) l(patchId);
  }

  setMaskView(view: 'prediction' | 'errors'): void {
    this.maskView = view;
    this.#emit('maskView');
  }

  setSwipe(fraction: number | null): void {
    this.swipe = fraction === null ? null : Math.min(1, Math.max(0, fraction));
    this.#emit('swipe');
  }

  #emit(change: 'result' | 'maskView' | 'swipe'): void {
    for (const l of this.#listeners) l(change);
  }

  /** Reads a predict folder; `data` (the dataset predicted on) adds truth and splits. Shows it on the map. */
  async load(dir: string, data: string | null): Promise<void> {
    this.loading = true;
    this.error = null;
    try {
      const result = await this.#client.call('training.predictions', { dir, data });
      this.data = data;
      this.result = result;
      const heads = colourableHeads(result);
      if (!heads.some((h) => h.target === this.target)) this.target = heads[0]?.target ?? null;
      this.show();
      this.#emit('result');
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    } finally {
      this.loading = false;
    }
  }

  /** Colour the map's patches by the current (or the given) head and mode. */
  show(target: string | null = this.target, mode: PredictionColourMode = this.mode): void {
    this.target = target;
    this.mode = mode;
    this.shown = this.result !== null && target !== null;
    this.#push();
  }

  /** The map dropped the colouring by itself (the user chose an attribute in the Data panel). */
  dropped(): void {
    this.shown = false;
  }

  hide(): void {
    this.shown = false;
    this.#apply?.(null);
  }

  /** Prediction vs truth of one patch, null when the loaded predictions do not cover it. */
  rowsFor(id: string): PatchPredictionRow[] | null {
    return this.result ? patchPredictionRows(this.result, id) : null;
  }

  #push(): void {
    const result = this.result;
    const target = this.target;
    const mode = this.mode;
    if (!this.shown || !result || target === null) {
      this.#apply?.(null);
      return;
    }
    const title = `${target}: ${PREDICTION_MODES.find((m) => m.id === mode)?.title ?? mode}`;
    this.#apply?.({ title, colour: (ids) => predictionColouring(result, target, mode, ids) });
  }
}

const instances = new WeakMap<TerrafuseClient, PredictionOverlay>();

export function predictionOverlay(client: TerrafuseClient): PredictionOverlay {
  let o = instances.get(client);
  if (!o) {
    o = new PredictionOverlay(client);
    instances.set(client, o);
  }
  return o;
}
