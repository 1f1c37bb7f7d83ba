import type { Map as OlMap } from 'ol';
import LayerGroup from 'ol/layer/Group';
import ImageLayer from 'ol/layer/Image';
import type RenderEvent from 'ol/render/Event';
import Static from 'ol/source/ImageStatic';
import type { TerrafuseClient } from '../../../../src-main/api/client';
import type { PredictionOverlay } from '../training/prediction-overlay.svelte';
import { ensureProjection } from './crs';
import { imageUrl } from './imagery/imagery-client';
import { LayerEntry } from './layer-entry.svelte';
import { maskRequests, maskTarget, swipeClip, type MaskRequest } from './prediction-masks';

/** Mask images asked for at once (each is a small PNG rendered in the main process). */
const CONCURRENCY = 4;

/**
 * The "Prediction" layer: each predicted segmentation mask of the loaded predict folder (training.maskImage) as an
 * image in its patch's CRS, in WorldCover colours or as errors against the truth. Its opacity is the layer panel's;
 * the swipe clips it to the left of a slider so the WorldCover ground-truth layer beneath shows on the right.
 */
export class PredictionMaskLayer {
  readonly group = new LayerGroup({ visible: false, properties: { prediction: true } });
  readonly entry: LayerEntry;
  readonly #client: TerrafuseClient;
  readonly #overlay: PredictionOverlay;
  readonly #placed = new Map<string, ImageLayer<Static>>();
  readonly #unlisten: Array<() => void> = [];
  #generation = 0;

  constructor(client: TerrafuseClient, overlay: PredictionOverlay, readonly olMap: OlMap) {
    this.#client = client;
    this.#overlay = overlay;
    this.entry = new LayerEntry(this.group, {
      id: 'prediction',
      title: 'Prediction',
      group: 'data',
      subtitle: 'Predicted segmentation masks (Runs › Predict › show on map)',
    });
    this.#unlisten.push(
      overlay.onChange((change) => {
        if (change === 'swipe') this.olMap.render();
        else void this.refresh();
      }),
    );
  }

  /** Loads the masks of the overlay's predictions in its current view (replacing what is placed). */
  async refresh(): Promise<void> {
    const generation = ++this.#generation;
    for (const layer of this.#placed.values()) this.group.getLayers().remove(layer);
    this.#placed.clear();
    const result = this.#overlay.result;
    const requests = result ? maskRequests(result, this.#overlay.maskView, this.#overlay.data) : [];
    this.entry.notice = null;
    const head = result?.heads.find((h) => h.target === (result ? maskTarget(result) : null));
    const classes = head ? { kind: 'classes' as const, items: head.classNames.map((label, k) => ({ label, color: head.colors[k] })) } : null;
    this.entry.legend = requests.length > 0 ? (this.#overlay.maskView === 'errors' ? ERRORS_LEGEND : classes) : null;
    if (requests.length === 0) {
      this.entry.status = result ? 'no masks to show' : null;
      return;
    }
    // Showing predictions on the map turns the layer on.
    this.group.setVisible(true);
    let done = 0;
    let failed = 0;
    const queue = [...requests];
    const worker = async (): Promise<void> => {
      for (let r = queue.shift(); r; r = queue.shift()) {
        try {
          await this.#load(r, generation);
        } catch (err) {
          failed++;
          if (generation === this.#generation) this.entry.notice = { tone: 'warning', text: `${r.patchId}: ${err instanceof Error ? err.message : String(err)}` };
        }
        done++;
        if (generation === this.#generation) this.entry.status = `${done - failed} of ${requests.length} masks`;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  }

  async #load(r: MaskRequest, generation: number): Promise<void> {
    const image = await this.#client.call('training.maskImage', r);
    if (generation !== this.#generation || image.crs_epsg === null) return;
    const projection = ensureProjection(`EPSG:${image.crs_epsg}`, image.proj4 ?? undefined);
    const layer = new ImageLayer({
      source: new Static({ url: imageUrl(image), imageExtent: image.extent, projection, interpolate: false }),
      properties: { patchId: r.patchId },
    });
    const clip = (e: RenderEvent): void => {
      const ctx = e.context as CanvasRenderingContext2D | undefined;
      if (!ctx) return;
      ctx.save();
      const swipe = this.#overlay.swipe;
      if (swipe === null) return;
      const [x, y, w, h] = swipeClip(swipe, ctx.canvas.width, ctx.canvas.height);
      ctx.beginPath();
      ctx.rect(x, y, w, h);
      ctx.clip();
    };
    const restore = (e: RenderEvent): void => {
      (e.context as CanvasRenderingContext2D | undefined)?.restore();
    };
    layer.on('prerender', clip);
    layer.on('postrender', restore);
    this.#placed.set(r.patchId, layer);
    this.group.getLayers().push(layer);
  }

  dispose(): void {
    this.#generation++;
    for (const undo of this.#unlisten.splice(0)) undo();
    this.entry.dispose();
  }
}

const ERRORS_LEGEND = { kind: 'classes' as const, items: [{ label: 'Wrong (differs from WorldCover)', color: '#e61919' }] };
