import type { TerrafuseClient } from '../../../../../src-main/api/client';
import type { Histograms, ImageryLayer, Legend, RenderedImage, Stretch } from '../../../../../src-main/api/imagery';
import { RequestCache } from './request-cache';

export type HistogramModality = Histograms['modality'];

/** A stable text for a stretch (part of cache keys): the same stretch always gives the same key. */
export function stretchKey(stretch: Stretch | null | undefined): string {
  if (!stretch) return 'default';
  if (stretch.mode === 'percentile') return `p${stretch.low}-${stretch.high}`;
  if (stretch.mode === 'minmax') return 'minmax';
  return `f${JSON.stringify(stretch.min)}-${JSON.stringify(stretch.max)}`;
}

/** `data:` URL of a rendered image (the CSP allows data: images; nothing is fetched). */
export function imageUrl(image: Pick<RenderedImage, 'png_base64'>): string {
  return `data:image/png;base64,${image.png_base64}`;
}

/**
 * The renderer's way to patch imagery: images are rendered by the main process (imagery.render) and kept here too,
 * so the map layers and the inspector share them, and panning back or reopening a patch costs nothing.
 */
export class ImageryClient {
  readonly #client: TerrafuseClient;
  readonly #images = new RequestCache<RenderedImage>({ maxSize: 96 * 2 ** 20, sizeOf: (img) => img.png_base64.length + 512, concurrency: 4 });
  readonly #histograms = new RequestCache<Histograms>({ maxSize: 4 * 2 ** 20, sizeOf: (h) => 256 + h.bands.length * 600, concurrency: 2 });
  readonly #legends = new Map<ImageryLayer, Promise<Legend>>();

  constructor(client: TerrafuseClient) {
    this.#client = client;
  }

  render(datasetId: string, patchId: string, layer: ImageryLayer, stretch?: Stretch | null): Promise<RenderedImage> {
    const key = `${datasetId}|${patchId}|${layer}|${stretchKey(stretch)}`;
    return this.#images.get(key, () => this.#client.call('imagery.render', { datasetId, patchId, layer, ...(stretch ? { stretch } : {}) }));
  }

  /** Whether an image is cached (or being fetched) already. */
  hasImage(datasetId: string, patchId: string, layer: ImageryLayer, stretch?: Stretch | null): boolean {
    return this.#images.has(`${datasetId}|${patchId}|${layer}|${stretchKey(stretch)}`);
  }

  histogram(datasetId: string, patchId: string, modality: HistogramModality, bins = 48): Promise<Histograms> {
    return this.#histograms.get(`${datasetId}|${patchId}|${modality}|${bins}`, () =>
      this.#client.call('imagery.histogram', { datasetId, patchId, modality, bins }),
    );
  }

  legend(layer: ImageryLayer): Promise<Legend> {
    let pending = this.#legends.get(layer);
    if (!pending) {
      pending = this.#client.call('imagery.legend', { layer });
      pending.catch(() => this.#legends.delete(layer));
      this.#legends.set(layer, pending);
    }
    return pending;
  }

  /** Forget a dataset's images (closed or reopened with a new revision). */
  forget(datasetId: string): void {
    const prefix = `${datasetId}|`;
    this.#images.drop((k) => k.startsWith(prefix));
    this.#histograms.drop((k) => k.startsWith(prefix));
  }
}
