import LayerGroup from 'ol/layer/Group';
import ImageLayer from 'ol/layer/Image';
import Static from 'ol/source/ImageStatic';
import type { ImageryLayer, RenderedImage, Stretch } from '../../../../../src-main/api/imagery';
import { MODALITY_BITS } from '../../patches/codes';
import type { PatchData } from '../../patches/patch-data.svelte';
import { ensureProjection } from '../crs';
import { LayerEntry, type StretchControl } from '../layer-entry.svelte';
import { imageUrl, type ImageryClient } from './imagery-client';
import { legendView } from './legend-view';

/** Patch imagery appears from this zoom on (a 1.2 km patch is then about 25 screen pixels wide). */
export const IMAGERY_MIN_ZOOM = 11;
/** Images per layer on the map at once, nearest the view centre first. */
export const MAX_IMAGES_PER_LAYER = 48;

/** The imagery layers, bottom to top as they are stacked on the map. Ids and sources as in the contract. */
export const IMAGERY_LAYERS: ReadonlyArray<{ id: ImageryLayer; title: string; modality: 's2' | 's1' | 'dem' | 'worldcover'; stretchable: boolean; visible: boolean }> = [
  { id: 'dem-hillshade', title: 'DEM hillshade', modality: 'dem', stretchable: true, visible: false },
  { id: 's1', title: 'Sentinel-1 VV/VH', modality: 's1', stretchable: true, visible: false },
  { id: 's2-true', title: 'Sentinel-2 true colour', modality: 's2', stretchable: true, visible: true },
  { id: 's2-false', title: 'Sentinel-2 false colour', modality: 's2', stretchable: true, visible: false },
  { id: 'ndvi', title: 'NDVI', modality: 's2', stretchable: true, visible: false },
  { id: 'worldcover', title: 'ESA WorldCover', modality: 'worldcover', stretchable: false, visible: false },
];

class LayerStretch implements StretchControl {
  value = $state.raw<Stretch | null>(null);
  layerDefault = $state.raw<Stretch | null>(null);
  readonly #onChange: () => void;

  constructor(onChange: () => void) {
    this.#onChange = onChange;
  }

  set(stretch: Stretch | null): void {
    this.value = stretch;
    this.#onChange();
  }
}

interface Placed {
  layer: ImageLayer<Static>;
  /** The stretch the image was rendered with (its cache key). */
  stretch: string;
}

/** One imagery layer: an OpenLayers group holding one image layer per patch, and its row in the layer panel. */
class ImageryLayerState {
  readonly id: ImageryLayer;
  readonly modality: 's2' | 's1' | 'dem' | 'worldcover';
  readonly group: LayerGroup;
  readonly entry: LayerEntry;
  readonly stretch: LayerStretch | null;
  readonly placed = new Map<number, Placed>();
  /** Patches asked for and not yet answered. */
  readonly pending = new Set<number>();

  constructor(def: (typeof IMAGERY_LAYERS)[number], onStretch: (state: ImageryLayerState) => void) {
    this.id = def.id;
    this.modality = def.modality;
    this.group = new LayerGroup({ visible: def.visible, properties: { imagery: def.id } });
    this.stretch = def.stretchable ? new LayerStretch(() => onStretch(this)) : null;
    this.entry = new LayerEntry(this.group, {
      id: `imagery-${def.id}`,
      title: def.title,
      group: 'data',
      subtitle: `Patch imagery · from zoom ${IMAGERY_MIN_ZOOM}`,
      ...(this.stretch ? { stretch: this.stretch } : {}),
    });
  }

  stretchRequest(): Stretch | null {
    return this.stretch?.value ?? null;
  }
}

function stretchText(s: Stretch | null): string {
  return s ? JSON.stringify(s) : 'default';
}

/**
 * Patch imagery as map layers. Images come from the main process through the ImageryClient (rendered, cached
 * there and here) with their extent in the patch's own CRS, which is registered with OpenLayers from the proj4
 * definition that comes along; OpenLayers reprojects each image onto the map. Only the patches in view are shown,
 * nearest the centre first and at most MAX_IMAGES_PER_LAYER per layer.
 */
export class PatchImagery {
  readonly layers: ImageryLayerState[];
  readonly #imagery: ImageryClient;
  readonly #data: PatchData;
  /** Patches in view (nearest the centre first) while zoomed in enough; empty otherwise. */
  #inView: number[] = [];
  #zoomOk = false;
  readonly #unlisten: Array<() => void> = [];
  /** Placed images must show the current dataset; a new one invalidates answers still in flight. */
  #generation = 0;

  constructor(imagery: ImageryClient, data: PatchData) {
    this.#imagery = imagery;
    this.#data = data;
    this.layers = IMAGERY_LAYERS.map((def) => new ImageryLayerState(def, (state) => this.#restretch(state)));
    for (const state of this.layers) {
      const onVisible = (): void => {
        if (state.group.getVisible()) void this.#loadLegend(state);
        this.#sync(state);
      };
      state.group.on('change:visible', onVisible);
      this.#unlisten.push(() => state.group.un('change:visible', onVisible));
      if (state.group.getVisible()) void this.#loadLegend(state);
    }
    void this.#loadDefaults();
  }

  /** Every imagery group, bottom to top, for the map's layer stack. */
  get groups(): LayerGroup[] {
    return this.layers.map((l) => l.group);
  }

  get entries(): LayerEntry[] {
    return this.layers.map((l) => l.entry);
  }

  /** Whether any imagery layer is visible (footprints are then drawn without a fill so the images show). */
  get anyVisible(): boolean {
    return this.layers.some((l) => l.group.getVisible());
  }

  /** The patches in view, nearest the centre first, and whether the zoom is close enough for imagery. */
  setView(inView: number[], zoom: number): void {
    this.#inView = inView;
    this.#zoomOk = zoom >= IMAGERY_MIN_ZOOM;
    for (const state of this.layers) this.#sync(state);
  }

  /** A new dataset (or none): every image goes. */
  reset(): void {
    this.#generation++;
    this.#inView = [];
    for (const state of this.layers) {
      for (const placed of state.placed.values()) state.group.getLayers().remove(placed.layer);
      state.placed.clear();
      state.pending.clear();
      state.entry.status = null;
      state.entry.notice = null;
    }
  }

  /** The filter changed: images of patches it hides go. */
  refilter(): void {
    for (const state of this.layers) this.#sync(state);
  }

  dispose(): void {
    for (const off of this.#unlisten.splice(0)) off();
    this.reset();
    for (const state of this.layers) state.entry.dispose();
  }

  async #loadDefaults(): Promise<void> {
    try {
      const { layers } = await this.#data.client.call('imagery.layers', {});
      for (const info of layers) {
        const state = this.layers.find((l) => l.id === info.id);
        if (state?.stretch) state.stretch.layerDefault = info.default_stretch;
      }
    } catch (err) {
      console.warn('imagery.layers failed:', err);
    }
  }

  async #loadLegend(state: ImageryLayerState): Promise<void> {
    if (state.entry.legend) return;
    try {
      state.entry.legend = legendView(await this.#imagery.legend(state.id));
    } catch (err) {
      state.entry.notice = { tone: 'error', text: `No legend: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  /** The patches this layer should show now. */
  #wanted(state: ImageryLayerState): number[] {
    const cols = this.#data.columns;
    if (!cols || !state.group.getVisible() || !this.#zoomOk) return [];
    const bit = MODALITY_BITS[state.modality];
    const out: number[] = [];
    for (const i of this.#inView) {
      if (!this.#data.isShown(i) || !(cols.modalities[i] & bit)) continue;
      out.push(i);
      if (out.length === MAX_IMAGES_PER_LAYER) break;
    }
    return out;
  }

  #sync(state: ImageryLayerState): void {
    const wanted = this.#wanted(state);
    const keep = new Set(wanted);
    for (const [i, placed] of state.placed) {
      if (keep.has(i)) continue;
      state.group.getLayers().remove(placed.layer);
      state.placed.delete(i);
    }
    for (const i of wanted) if (!state.placed.has(i) && !state.pending.has(i)) void this.#fetch(state, i);
    this.#status(state);
  }

  #status(state: ImageryLayerState): void {
    if (!state.group.getVisible() || !this.#data.columns) {
      state.entry.status = null;
      return;
    }
    if (!this.#zoomOk) {
      state.entry.status = `zoom in to ${IMAGERY_MIN_ZOOM}`;
      return;
    }
    const loading = state.pending.size;
    state.entry.status = `${state.placed.size} patch${state.placed.size === 1 ? '' : 'es'}${loading ? ` · ${loading} loading` : ''}`;
  }

  async #fetch(state: ImageryLayerState, i: number): Promise<void> {
    const cols = this.#data.columns;
    const summary = this.#data.summary;
    if (!cols || !summary) return;
    const generation = this.#generation;
    const stretch = state.stretchRequest();
    const key = stretchText(stretch);
    state.pending.add(i);
    this.#status(state);
    try {
      const image = await this.#imagery.render(summary.id, cols.ids[i], state.id, stretch);
      if (generation !== this.#generation) return;
      state.pending.delete(i);
      // Still wanted? The view, the filter or the stretch may have changed meanwhile.
      if (!this.#wanted(state).includes(i) || stretchText(state.stretchRequest()) !== key) {
        this.#status(state);
        return;
      }
      this.#place(state, i, image, key);
    } catch (err) {
      if (generation !== this.#generation) return;
      state.pending.delete(i);
      state.entry.notice = { tone: 'warning', text: `${cols.ids[i]}: ${err instanceof Error ? err.message : String(err)}` };
    }
    this.#status(state);
  }

  #place(state: ImageryLayerState, i: number, image: RenderedImage, key: string): void {
    if (image.crs_epsg === null) return; // an image without a place cannot go on the map
    const code = `EPSG:${image.crs_epsg}`;
    const projection = ensureProjection(code, image.proj4 ?? undefined);
    const source = new Static({
      url: imageUrl(image),
      imageExtent: image.extent,
      projection,
      // Pixels stay pixels, as in a GIS: no smoothing of class maps or of 10 m cells when zoomed in.
      interpolate: false,
    });
    const old = state.placed.get(i);
    if (old) {
      old.layer.setSource(source);
      old.stretch = key;
      return;
    }
    const layer = new ImageLayer({ source, properties: { patch: i } });
    state.group.getLayers().push(layer);
    state.placed.set(i, { layer, stretch: key });
  }

  /** A new stretch: the images on the map are rendered again (each swaps its source once its image is there). */
  #restretch(state: ImageryLayerState): void {
    const stretch = state.stretchRequest();
    const key = stretchText(stretch);
    const cols = this.#data.columns;
    const summary = this.#data.summary;
    if (!cols || !summary) return;
    const generation = this.#generation;
    for (const [i, placed] of state.placed) {
      if (placed.stretch === key) continue;
      state.pending.add(i);
      this.#imagery
        .render(summary.id, cols.ids[i], state.id, stretch)
        .then((image) => {
          if (generation !== this.#generation || stretchText(state.stretchRequest()) !== key) return;
          if (state.placed.has(i)) this.#place(state, i, image, key);
        })
        .catch((err: unknown) => {
          state.entry.notice = { tone: 'warning', text: `${cols.ids[i]}: ${err instanceof Error ? err.message : String(err)}` };
        })
        .finally(() => {
          state.pending.delete(i);
          this.#status(state);
        });
    }
    this.#status(state);
  }
}
