import type { PatchDetail } from '../../../../src-main/api/datasets';
import type { Histograms, ImageryLayer } from '../../../../src-main/api/imagery';
import { imageUrl, type HistogramModality, type ImageryClient } from '../map/imagery/imagery-client';
import type { PatchData } from './patch-data.svelte';

/** The modality images of the inspector, in the order they are shown, with what a patch needs for each. */
export const INSPECTOR_IMAGES: ReadonlyArray<{ layer: ImageryLayer; title: string; modality: string }> = [
  { layer: 's2-true', title: 'S2 true colour', modality: 's2' },
  { layer: 's2-false', title: 'S2 false colour', modality: 's2' },
  { layer: 'ndvi', title: 'NDVI', modality: 's2' },
  { layer: 's1', title: 'S1 VV/VH', modality: 's1' },
  { layer: 'dem-hillshade', title: 'DEM hillshade', modality: 'dem' },
  { layer: 'worldcover', title: 'WorldCover', modality: 'worldcover' },
];

export const INSPECTOR_HISTOGRAMS: ReadonlyArray<{ modality: HistogramModality; title: string }> = [
  { modality: 's2', title: 'Sentinel-2' },
  { modality: 's1', title: 'Sentinel-1' },
  { modality: 'dem', title: 'DEM' },
  { modality: 'worldcover', title: 'WorldCover' },
];

export interface ImageSlot {
  layer: ImageryLayer;
  title: string;
  state: 'loading' | 'ready' | 'missing' | 'error';
  url?: string;
  /** Why it is missing or failed. */
  message?: string;
  /** The value range each channel was stretched over (for the caption). */
  ranges?: Array<[number, number] | null>;
}

export interface HistogramSlot {
  modality: HistogramModality;
  title: string;
  state: 'loading' | 'ready' | 'missing' | 'error';
  data?: Histograms;
  message?: string;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The patch inspector: when a patch is focused (clicked on the map), its details, every modality as an image and
 * per-band histograms are fetched from the services (images and histograms through the shared ImageryClient cache).
 */
export class PatchInspector {
  index = $state<number | null>(null);
  detail = $state.raw<PatchDetail | null>(null);
  error = $state<string | null>(null);
  images = $state.raw<ImageSlot[]>([]);
  histograms = $state.raw<HistogramSlot[]>([]);
  readonly #data: PatchData;
  readonly #imagery: ImageryClient;
  #generation = 0;
  readonly #stop: () => void;
  /** Told about each loaded patch detail (the map outlines the patch's true footprint). */
  onDetail: ((detail: PatchDetail | null) => void) | null = null;

  constructor(data: PatchData, imagery: ImageryClient) {
    this.#data = data;
    this.#imagery = imagery;
    this.#stop = data.onChange((change) => {
      if (change === 'focus' || change === 'data') void this.#load(data.focus);
    });
  }

  get open(): boolean {
    return this.index !== null;
  }

  close(): void {
    this.#data.setFocus(null);
  }

  dispose(): void {
    this.#stop();
  }

  async #load(i: number | null): Promise<void> {
    const generation = ++this.#generation;
    const cols = this.#data.columns;
    const summary = this.#data.summary;
    this.index = i;
    this.error = null;
    if (i === null || !cols || !summary) {
      this.detail = null;
      this.images = [];
      this.histograms = [];
      this.onDetail?.(null);
      return;
    }
    const patchId = cols.ids[i];
    const datasetId = summary.id;
    this.detail = null;
    this.images = INSPECTOR_IMAGES.map((d) => ({ layer: d.layer, title: d.title, state: 'loading' }));
    this.histograms = INSPECTOR_HISTOGRAMS.map((d) => ({ modality: d.modality, title: d.title, state: 'loading' }));
    let detail: PatchDetail;
    try {
      detail = await this.#data.client.call('datasets.patch', { datasetId, patchId });
    } catch (err) {
      if (generation !== this.#generation) return;
      this.error = messageOf(err);
      this.images = [];
      this.histograms = [];
      return;
    }
    if (generation !== this.#generation) return;
    this.detail = detail;
    this.onDetail?.(detail);
    const has = new Set(detail.modalities);

    const setImage = (layer: ImageryLayer, slot: Partial<ImageSlot>) => {
      if (generation !== this.#generation) return;
      this.images = this.images.map((s) => (s.layer === layer ? { ...s, ...slot } : s));
    };
    const setHistogram = (modality: HistogramModality, slot: Partial<HistogramSlot>) => {
      if (generation !== this.#generation) return;
      this.histograms = this.histograms.map((s) => (s.modality === modality ? { ...s, ...slot } : s));
    };
    const jobs: Promise<void>[] = [];
    for (const d of INSPECTOR_IMAGES) {
      if (!has.has(d.modality)) {
        setImage(d.layer, { state: 'missing', message: `no ${d.modality.toUpperCase()}` });
        continue;
      }
      jobs.push(
        this.#imagery.render(datasetId, patchId, d.layer).then(
          (img) => setImage(d.layer, { state: 'ready', url: imageUrl(img), ranges: img.ranges }),
          (err: unknown) => setImage(d.layer, { state: 'error', message: messageOf(err) }),
        ),
      );
    }
    for (const d of INSPECTOR_HISTOGRAMS) {
      if (!has.has(d.modality)) {
        setHistogram(d.modality, { state: 'missing', message: `no ${d.modality.toUpperCase()}` });
        continue;
      }
      jobs.push(
        this.#imagery.histogram(datasetId, patchId, d.modality).then(
          (h) => setHistogram(d.modality, { state: 'ready', data: h }),
          (err: unknown) => setHistogram(d.modality, { state: 'error', message: messageOf(err) }),
        ),
      );
    }
    await Promise.all(jobs);
  }
}
