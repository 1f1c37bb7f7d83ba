import Feature from 'ol/Feature';
import Polygon from 'ol/geom/Polygon';
import VectorLayer from 'ol/layer/Vector';
import VectorSource from 'ol/source/Vector';
import DragBox from 'ol/interaction/DragBox';
import { mouseActionButton, platformModifierKey } from 'ol/events/condition';
import type MapBrowserEvent from 'ol/MapBrowserEvent';
import { Stroke, Style } from 'ol/style';
import { transform, transformExtent } from 'ol/proj';
import { getCenter } from 'ol/extent';
import type { PatchDetail } from '../../../../src-main/api/datasets';
import { decodePacked } from '../../../../src-main/api/packed-array';
import { extentOf } from '../patches/columns';
import { formatCount } from '../patches/format';
import type { PatchData, PatchDataChange } from '../patches/patch-data.svelte';
import { ensureProjection } from './crs';
import type { ImageryClient } from './imagery/imagery-client';
import { PatchImagery } from './imagery/patch-imagery.svelte';
import { LayerEntry } from './layer-entry.svelte';
import { createFootprintLayer, footprintFeatures, FOOTPRINT_LIMIT, FOOTPRINT_MIN_ZOOM } from './patch-footprints';
import { PatchPointsLayer } from './patch-points/points-layer';
import { pointSizeAt } from './patch-points/shaders';
import type { WorkspaceMap } from './workspace-map.svelte';

const WORLD_WIDTH = 2 * 20037508.342789244;
/** The inspector's width in CSS pixels (components/inspector/Inspector.svelte). */
export const INSPECTOR_WIDTH = 372;

/** What the footprint layer shows for the current view. */
export type FootprintState = 'off' | 'loading' | 'shown' | 'truncated' | 'error';

/**
 * The open dataset on the map: WebGL points for every patch, true footprints and imagery for the patches in view
 * when zoomed in, and the mouse gestures that select and inspect patches (click, Shift-click to add or remove,
 * Ctrl/⌘-drag for a box, Shift as well to add the box). Reads the PatchData store and redraws on its changes.
 */
export class PatchLayers {
  readonly points: PatchPointsLayer;
  readonly footprints: ReturnType<typeof createFootprintLayer>;
  readonly focusOutline: VectorLayer<VectorSource<Feature<Polygon>>>;
  readonly imagery: PatchImagery;
  readonly entry: LayerEntry;
  footprintState = $state<FootprintState>('off');
  /** Footprints in view and how many were drawn (the rest beyond FOOTPRINT_LIMIT). */
  footprintTotal = $state(0);
  readonly #map: WorkspaceMap;
  readonly #data: PatchData;
  readonly #cleanup: Array<() => void> = [];
  #viewGeneration = 0;
  #viewTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(map: WorkspaceMap, data: PatchData, imagery: ImageryClient) {
    this.#map = map;
    this.#data = data;
    this.points = new PatchPointsLayer();
    this.points.onDrawn = (n) => {
      if (map.drawnPatches !== n) map.drawnPatches = n;
    };
    this.footprints = createFootprintLayer({
      codes: () => data.colouring?.codes ?? null,
      table: () => data.colouring?.table ?? null,
      flags: () => data.flags,
      filled: () => !this.imagery.anyVisible,
    });
    this.focusOutline = new VectorLayer({
      source: new VectorSource<Feature<Polygon>>(),
      style: [
        new Style({ stroke: new Stroke({ color: 'rgba(20,26,33,0.9)', width: 5 }) }),
        new Style({ stroke: new Stroke({ color: '#ff8c00', width: 2.5 }) }),
      ],
      properties: { role: 'patch-focus' },
    });
    this.imagery = new PatchImagery(imagery, data);
    // The patches row stands for points and footprints together: one visibility, one opacity.
    this.entry = new LayerEntry(this.points, { id: 'patches', title: 'Patches', group: 'data', subtitle: 'Points; true footprints from zoom 11' });
    const syncFootprintLook = (): void => {
      this.footprints.setVisible(this.points.getVisible());
      this.footprints.setOpacity(this.points.getOpacity());
    };
    this.points.on('change:visible', syncFootprintLook);
    this.points.on('change:opacity', syncFootprintLook);
    for (const state of this.imagery.layers) state.group.on('change:visible', () => this.footprints.changed());

    map.addDataLayers(
      [...this.imagery.groups, this.footprints, this.points, this.focusOutline],
      [this.entry, ...[...this.imagery.entries].reverse()],
    );

    this.#cleanup.push(data.onChange((change) => this.#onData(change)));
    const onMoveEnd = (): void => this.#scheduleView();
    map.map.on('moveend', onMoveEnd);
    this.#cleanup.push(() => map.map.un('moveend', onMoveEnd));
    this.#installGestures();
  }

  dispose(): void {
    for (const undo of this.#cleanup.splice(0)) undo();
    this.imagery.dispose();
    this.entry.dispose();
  }

  /** Centre the view on the selection (or on one patch). */
  zoomToSelection(): void {
    const cols = this.#data.columns;
    if (!cols || this.#data.selectedCount === 0) return;
    const extent = extentOf(cols, this.#data.selection.indices());
    if (extent) this.#map.fitExtent(extent, { maxZoom: 14, rightInset: this.#inset() });
  }

  zoomToPatch(i: number): void {
    const cols = this.#data.columns;
    if (!cols || Number.isNaN(cols.x[i])) return;
    this.#map.fitExtent([cols.x[i], cols.y[i], cols.x[i], cols.y[i]], { maxZoom: 14, rightInset: this.#inset() });
  }

  zoomToDataset(): void {
    const cols = this.#data.columns;
    const extent = cols ? extentOf(cols) : null;
    if (extent) this.#map.fitExtent(extent, { maxZoom: 13, rightInset: this.#inset() });
  }

  /** Width of the inspector over the map's right edge while it is open. */
  #inset(): number {
    return this.#data.focus !== null ? INSPECTOR_WIDTH : 0;
  }

  /**
   * Outline the inspected patch's true footprint, from its polygon in its own CRS: the CRS is registered with
   * OpenLayers from the proj4 definition the services send, then every corner is transformed onto the map.
   */
  showFocusOutline(detail: PatchDetail | null): void {
    const source = this.focusOutline.getSource();
    source?.clear();
    const fp = detail?.footprint;
    if (!fp || !source) return;
    const code = `EPSG:${fp.crs_epsg}`;
    try {
      ensureProjection(code, fp.proj4);
      const view = this.#map.map.getView().getProjection();
      const ring = fp.polygon.map((p) => transform(p, code, view));
      source.addFeature(new Feature(new Polygon([ring])));
    } catch (err) {
      console.warn(`cannot outline ${detail.id} in ${code}:`, err);
    }
  }

  #onData(change: PatchDataChange): void {
    const data = this.#data;
    const cols = data.columns;
    if (change === 'data') {
      this.imagery.reset();
      this.footprints.getSource()?.clear();
      this.focusOutline.getSource()?.clear();
      this.footprintState = 'off';
      if (!cols || !data.colouring) {
        this.points.clear();
        this.entry.legend = null;
        this.#map.drawnPatches = 0;
        return;
      }
      this.points.setPoints({ x: cols.x, y: cols.y });
      this.points.setColours(data.colouring.codes, data.colouring.table);
      this.points.setFlags(data.flags);
      this.#legend();
      this.zoomToDataset();
      this.#scheduleView();
      return;
    }
    if (!cols) return;
    if (change === 'colour' && data.colouring) {
      this.points.setColours(data.colouring.codes, data.colouring.table);
      this.#legend();
    }
    if (change === 'filter' || change === 'selection' || change === 'focus') this.points.setFlags(data.flags);
    if (change === 'filter') {
      this.imagery.refilter();
      if (this.footprintState === 'off') this.entry.status = `${formatCount(data.shownCount)} shown`;
    }
    this.footprints.changed();
  }

  #legend(): void {
    this.entry.legend = {
      kind: 'classes',
      items: this.#data.legend.map((c) => ({ label: c.label, color: c.color, count: c.count, ...(c.description ? { description: c.description } : {}) })),
    };
  }

  #scheduleView(): void {
    if (this.#viewTimer) clearTimeout(this.#viewTimer);
    // A moment after the view settles: a series of wheel steps asks once.
    this.#viewTimer = setTimeout(() => {
      this.#viewTimer = null;
      void this.#refreshView();
    }, 120);
  }

  /** Footprints and imagery for what is in view now (nothing of either when zoomed out). */
  async #refreshView(): Promise<void> {
    const generation = ++this.#viewGeneration;
    const data = this.#data;
    const cols = data.columns;
    const summary = data.summary;
    const olMap = this.#map.map;
    const view = olMap.getView();
    const zoom = view.getZoom() ?? 0;
    const size = olMap.getSize();
    if (!cols || !summary || !size || zoom < FOOTPRINT_MIN_ZOOM) {
      this.entry.status = cols ? `${formatCount(data.shownCount)} shown` : null;
      this.footprints.getSource()?.clear();
      this.footprintState = 'off';
      this.footprintTotal = 0;
      this.points.setSuppressed(false);
      this.imagery.setView([], zoom);
      return;
    }
    const extent = view.calculateExtent(size);
    // Fold the view into the world the data lives in (a wrapped map may show it at x ± 40,075 km).
    const centre = getCenter(extent);
    const shift = Math.round(centre[0] / WORLD_WIDTH) * WORLD_WIDTH;
    const [w, s, e, n] = transformExtent([extent[0] - shift, extent[1], extent[2] - shift, extent[3]], 'EPSG:3857', 'EPSG:4326');
    // A little beyond the edges, so a short pan finds its footprints already there.
    const mx = (e - w) * 0.15;
    const my = (n - s) * 0.15;
    const bbox: [number, number, number, number] = [Math.max(-180, w - mx), Math.max(-90, s - my), Math.min(180, e + mx), Math.min(90, n + my)];
    this.footprintState = 'loading';
    try {
      const fp = await data.client.call('datasets.footprints', { datasetId: summary.id, bbox, limit: FOOTPRINT_LIMIT });
      if (generation !== this.#viewGeneration || data.columns !== cols) return;
      const indices = decodePacked(fp.indices);
      const corners = decodePacked(fp.corners_wgs84);
      if (!(indices instanceof Uint32Array) || !(corners instanceof Float32Array)) throw new Error('footprints: unexpected column types');
      const source = this.footprints.getSource();
      source?.clear(true);
      source?.addFeatures(footprintFeatures(indices, corners));
      this.footprintTotal = fp.total;
      this.footprintState = fp.truncated ? 'truncated' : 'shown';
      this.entry.status = fp.truncated
        ? `footprints of ${formatCount(indices.length)} of ${formatCount(fp.total)} in view; zoom in for all`
        : `${formatCount(fp.total)} footprint${fp.total === 1 ? '' : 's'} in view`;
      // Every footprint in view is drawn: the points would only sit on top of them.
      this.points.setSuppressed(!fp.truncated);
      const cx = centre[0] - shift;
      const cy = centre[1];
      const inView = Array.from(indices).sort((a, b) => (cols.x[a] - cx) ** 2 + (cols.y[a] - cy) ** 2 - ((cols.x[b] - cx) ** 2 + (cols.y[b] - cy) ** 2));
      this.imagery.setView(inView, zoom);
    } catch (err) {
      if (generation !== this.#viewGeneration) return;
      console.warn('datasets.footprints failed:', err);
      this.footprintState = 'error';
      this.points.setSuppressed(false);
      this.imagery.setView([], zoom);
    }
  }

  /** The patch under a pixel: its footprint when footprints are drawn, else the nearest point within reach. */
  hitTest(pixel: number[]): number {
    const data = this.#data;
    const grid = data.grid;
    if (!grid || !this.points.getVisible()) return -1;
    const olMap = this.#map.map;
    if (this.footprintState === 'shown' || this.footprintState === 'truncated') {
      let hit = -1;
      olMap.forEachFeatureAtPixel(
        pixel,
        (f) => {
          const i = f.get('patch') as number | undefined;
          if (i !== undefined && data.isShown(i)) {
            hit = i;
            return true;
          }
          return undefined;
        },
        { layerFilter: (l) => l === this.footprints, hitTolerance: 2 },
      );
      if (hit >= 0) return hit;
    }
    const coordinate = olMap.getCoordinateFromPixel(pixel);
    const resolution = olMap.getView().getResolution();
    if (!coordinate || !resolution) return -1;
    const x = coordinate[0] - Math.round(coordinate[0] / WORLD_WIDTH) * WORLD_WIDTH;
    const reach = (pointSizeAt(olMap.getView().getZoom() ?? 0, data.columns?.count ?? 0) / 2 + 3) * resolution;
    return grid.nearest(x, coordinate[1], reach, (i) => data.isShown(i));
  }

  #installGestures(): void {
    const olMap = this.#map.map;
    const data = this.#data;
    const onClick = (e: MapBrowserEvent<PointerEvent | KeyboardEvent | WheelEvent>): void => {
      if (!data.columns) return;
      const hit = this.hitTest(e.pixel);
      const shift = e.originalEvent.shiftKey;
      if (hit < 0) {
        if (!shift) data.clearSelection();
        return;
      }
      data.select([hit], shift ? 'toggle' : 'replace');
      // A plain click also inspects the patch; Shift-click only edits the selection.
      if (!shift) data.setFocus(hit);
    };
    olMap.on('singleclick', onClick);
    this.#cleanup.push(() => olMap.un('singleclick', onClick));

    let raf = 0;
    let lastPixel: number[] | null = null;
    const onMove = (e: MapBrowserEvent<PointerEvent | KeyboardEvent | WheelEvent>): void => {
      if (e.dragging || !data.columns) return;
      lastPixel = e.pixel;
      // One hit test per frame, however many pointer events arrive.
      if (raf) return;
      raf = requestAnimationFrame(() => {
        raf = 0;
        if (!lastPixel) return;
        const hit = this.hitTest(lastPixel);
        data.hover = hit >= 0 ? hit : null;
        const cols = data.columns;
        this.#map.hoverLabel = hit >= 0 && cols ? cols.ids[hit] ?? null : null;
        const crs = hit >= 0 && cols && cols.crsIndex[hit] !== 255 ? cols.crs[cols.crsIndex[hit]] ?? null : null;
        this.#map.cursorCrs = crs;
        olMap.getTargetElement()?.style.setProperty('cursor', hit >= 0 ? 'pointer' : '');
      });
    };
    olMap.on('pointermove', onMove);
    this.#cleanup.push(() => {
      olMap.un('pointermove', onMove);
      if (raf) cancelAnimationFrame(raf);
    });

    const box = new DragBox({
      condition: (e) => mouseActionButton(e) && platformModifierKey(e),
      className: 'tf-select-box',
    });
    box.on('boxend', (e) => {
      const grid = data.grid;
      if (!grid) return;
      const geometry = box.getGeometry();
      const [minx, miny, maxx, maxy] = geometry.getExtent();
      const shift = Math.round(((minx + maxx) / 2) / WORLD_WIDTH) * WORLD_WIDTH;
      const cols = data.columns;
      // The box is a rotated rectangle when the map is rotated: test each candidate against the polygon itself.
      const hits = grid.within(minx - shift, miny, maxx - shift, maxy, (i) => !!cols && data.isShown(i) && geometry.intersectsCoordinate([cols.x[i] + shift, cols.y[i]]));
      data.select(hits, e.mapBrowserEvent?.originalEvent.shiftKey ? 'add' : 'replace');
    });
    olMap.addInteraction(box);
    this.#cleanup.push(() => olMap.removeInteraction(box));

    const onKey = (e: KeyboardEvent): void => {
      if (e.key !== 'Escape' || isEditable(e.target)) return;
      if (data.focus !== null) data.setFocus(null);
      else data.clearSelection();
    };
    document.addEventListener('keydown', onKey);
    this.#cleanup.push(() => document.removeEventListener('keydown', onKey));
  }
}

/** Text fields keep their own Escape; a checkbox or a slider of a panel does not. */
function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT') return true;
  return target instanceof HTMLInputElement && !['checkbox', 'radio', 'range', 'button', 'submit'].includes(target.type);
}
