import Map from 'ol/Map';
import type BaseLayer from 'ol/layer/Base';
import View from 'ol/View';
import TileLayer from 'ol/layer/Tile';
import Graticule from 'ol/layer/Graticule';
import OSM from 'ol/source/OSM';
import { Stroke, Text, Fill } from 'ol/style';
import { Attribution, Rotate, ScaleLine } from 'ol/control';
import { defaults as defaultInteractions } from 'ol/interaction/defaults';
import { fromLonLat, getPointResolution, toLonLat } from 'ol/proj';
import { createBasemap } from './basemap';
import { INITIAL_VIEW } from './initial-view';
import { LayerEntry } from './layer-entry.svelte';
import { BASEMAP_COLOURS } from './palette';
import { normaliseLon } from '../format/geo';
import type { HashView } from './view-hash';
import { toUtm, type UtmPosition } from './crs';

export interface WorkspaceMapOptions {
  /** Where to open instead of INITIAL_VIEW (a view restored from the address). */
  initialView?: HashView | null;
  /** Called when the view settles after a pan or zoom. */
  onViewSettled?: (view: HashView) => void;
}

/** Screen pixels per metre at the conventional 96 dpi, to turn a ground resolution into a map scale. */
const PIXELS_PER_METRE = 96 / 0.0254;
const VIEW_PROJECTION = 'EPSG:3857';

export type MapStatus = 'loading' | 'ready';

/** The view once it stopped moving: what the address holds, at full precision (tests compute pixels from it). */
export interface SettledView {
  lon: number;
  lat: number;
  zoom: number;
  /** Map units (metres) per CSS pixel. */
  resolution: number;
  rotation: number;
}

/**
 * The workspace's OpenLayers map and the few facts the UI shows about it (cursor position, zoom, scale). Svelte
 * components read the $state fields; only this class talks to OpenLayers' view and events.
 */
export class WorkspaceMap {
  readonly map: Map;
  /** Rows of the layer panel; data layers join when their code adds them (addDataLayers). */
  layers = $state<LayerEntry[]>([]);
  /** Cursor position in lon/lat degrees, null when the pointer is outside the map. */
  cursor = $state<[number, number] | null>(null);
  /**
   * EPSG code of the UTM zone of the patch under the cursor (a patch keeps its Sentinel-2 tile's zone, which is not
   * always the zone the cursor falls in); null: the cursor's own zone.
   */
  cursorCrs = $state<number | null>(null);
  /** The cursor in the patch's UTM zone, else in the zone it falls in (null outside 80° S .. 84° N or the map). */
  readonly cursorUtm: UtmPosition | null = $derived(this.cursor ? toUtm(this.cursor[0], this.cursor[1], utmCode(this.cursorCrs)) : null);
  /** Where the view settled last (after a pan, a zoom or a fit). */
  settledView = $state<SettledView | null>(null);
  /** Patches drawn in the last frame of the patch layer (0 without a dataset). */
  drawnPatches = $state(0);
  /** What lies under the cursor (a patch id), for the status bar; null over empty map. */
  hoverLabel = $state<string | null>(null);
  zoom = $state<number>(INITIAL_VIEW.zoom);
  /** Map scale denominator at the view centre (1:n), at 96 dpi. */
  scale = $state(0);
  rotation = $state(0);
  status = $state<MapStatus>('loading');
  readonly #onKey: (e: KeyboardEvent) => void;

  constructor(options: WorkspaceMapOptions = {}) {
    const start = options.initialView ?? { center: [...INITIAL_VIEW.center] as [number, number], zoom: INITIAL_VIEW.zoom };
    const basemap = createBasemap(VIEW_PROJECTION);
    const osm = new TileLayer({ source: new OSM(), visible: false });
    const graticule = new Graticule({
      strokeStyle: new Stroke({ color: BASEMAP_COLOURS.graticule, width: 0.7, lineDash: [2, 3] }),
      showLabels: true,
      wrapX: true,
      // Longitudes along the top edge: the bottom holds the scale bar and the attribution.
      lonLabelPosition: 1,
      lonLabelStyle: graticuleLabel('top'),
      latLabelStyle: graticuleLabel('end'),
    });
    this.layers = [
      new LayerEntry(basemap.labels, {
        id: 'country-names',
        title: 'Country names',
        group: 'overlay',
        subtitle: 'Natural Earth · offline',
      }),
      new LayerEntry(graticule, { id: 'graticule', title: 'Graticule', group: 'overlay', subtitle: 'Lon/lat grid' }),
      new LayerEntry(osm, {
        id: 'osm',
        title: 'OpenStreetMap',
        group: 'basemap',
        subtitle: 'Online tiles · © OpenStreetMap contributors',
        online: true,
      }),
      new LayerEntry(basemap.layer, {
        id: 'natural-earth',
        title: 'Countries',
        group: 'basemap',
        subtitle: 'Natural Earth 1:50m · offline',
      }),
    ];

    this.map = new Map({
      // Bottom to top: offline countries, online tiles (they hide the countries where they load, and the offline
      // map shows through where they fail), graticule, country names.
      layers: [basemap.layer, osm, graticule, basemap.labels],
      view: new View({
        projection: VIEW_PROJECTION,
        center: fromLonLat(start.center),
        zoom: start.zoom,
        minZoom: 1,
        maxZoom: 20,
        constrainResolution: false,
      }),
      controls: [
        new ScaleLine({ units: 'metric', minWidth: 96, maxWidth: 160 }),
        new Attribution({ collapsible: false }),
        new Rotate({ autoHide: true, tipLabel: 'Reset rotation (north up)' }),
      ],
      // Keys are read from the whole document so that +/- and arrows work without first clicking the map; OpenLayers
      // skips events whose target is an input, so the panel's controls keep their own keys.
      keyboardEventTarget: document,
      interactions: defaultInteractions(),
    });

    this.map.on('pointermove', (e) => {
      if (e.dragging) return;
      const [lon, lat] = toLonLat(e.coordinate, VIEW_PROJECTION);
      this.cursor = [normaliseLon(lon), lat];
    });
    const view = this.map.getView();
    const onView = () => this.#readView();
    view.on('change:resolution', onView);
    view.on('change:center', onView);
    view.on('change:rotation', onView);
    this.#readView();
    this.map.on('moveend', () => {
      const center = view.getCenter();
      const zoom = view.getZoom();
      const resolution = view.getResolution();
      if (!center || zoom === undefined || resolution === undefined) return;
      const [lon, lat] = toLonLat(center, VIEW_PROJECTION);
      this.settledView = { lon: normaliseLon(lon), lat, zoom, resolution, rotation: view.getRotation() };
      options.onViewSettled?.({ center: [normaliseLon(lon), lat], zoom });
    });
    // OpenLayers zooms in on '+', which needs Shift on many layouts; '=' (the same key unshifted) does too here.
    this.#onKey = (e: KeyboardEvent) => {
      if (e.key !== '=' || e.ctrlKey || e.metaKey || e.altKey || isEditable(e.target)) return;
      e.preventDefault();
      this.zoomBy(1);
    };
    document.addEventListener('keydown', this.#onKey);

    void basemap.loaded.then(() => {
      this.map.once('rendercomplete', () => {
        this.status = 'ready';
      });
      this.map.render();
    });
  }

  /** Attach to (or detach from, with null) a DOM element; the map fills it. */
  setTarget(element: HTMLElement | null): void {
    this.map.setTarget(element ?? undefined);
  }

  zoomBy(delta: number): void {
    const view = this.map.getView();
    const zoom = view.getZoom();
    if (zoom === undefined) return;
    view.animate({ zoom: view.getConstrainedZoom(zoom + delta), duration: 200 });
  }

  home(): void {
    const view = this.map.getView();
    view.animate({ center: fromLonLat([...INITIAL_VIEW.center]), zoom: INITIAL_VIEW.zoom, rotation: 0, duration: 350 });
  }

  /**
   * Adds data layers to the map and their rows to the layer panel. `layers` go bottom to top, above the basemaps
   * and below the graticule and names; `entries` are listed in the panel's Data section, top row first.
   */
  addDataLayers(layers: BaseLayer[], entries: LayerEntry[]): void {
    const collection = this.map.getLayers();
    const overlays = this.entry('graticule').layer;
    for (const layer of layers) {
      const at = collection.getArray().indexOf(overlays);
      collection.insertAt(at < 0 ? collection.getLength() : at, layer);
    }
    this.layers = [...entries, ...this.layers];
  }

  /** Shows an extent (EPSG:3857), with room for the panels' edges, not closer than `maxZoom`. */
  fitExtent(extent: [number, number, number, number], options: { maxZoom?: number; duration?: number; rightInset?: number } = {}): void {
    const view = this.map.getView();
    const size = this.map.getSize();
    // A single point (one patch) has no extent to fit: centre it at the closest zoom allowed.
    const [minx, miny, maxx, maxy] = extent;
    const grow = Math.max(0, 1200 - Math.min(maxx - minx, maxy - miny)) / 2;
    view.fit([minx - grow, miny - grow, maxx + grow, maxy + grow], {
      // rightInset: a panel over the map's right edge (the inspector) hides that part of the view.
      padding: [48, 48 + (options.rightInset ?? 0), 48, 48],
      maxZoom: options.maxZoom ?? 14,
      duration: options.duration ?? 450,
      ...(size ? { size } : {}),
    });
  }

  /** The panel entry of a layer by its id ('osm', 'natural-earth', ...). */
  entry(id: string): LayerEntry {
    const found = this.layers.find((l) => l.id === id);
    if (!found) throw new Error(`no layer '${id}'`);
    return found;
  }

  dispose(): void {
    document.removeEventListener('keydown', this.#onKey);
    for (const l of this.layers) l.dispose();
    this.map.setTarget(undefined);
    this.map.dispose();
  }

  #readView(): void {
    const view = this.map.getView();
    const resolution = view.getResolution();
    const center = view.getCenter();
    this.zoom = view.getZoom() ?? this.zoom;
    this.rotation = view.getRotation();
    if (resolution !== undefined && center) {
      // Ground metres per pixel at the centre (Web Mercator stretches with latitude), then pixels → paper.
      const metres = getPointResolution(view.getProjection(), resolution, center, 'm');
      this.scale = metres * PIXELS_PER_METRE;
    }
  }
}

/** A WGS 84 UTM code (EPSG:326zz / 327zz) or undefined, for toUtm. */
function utmCode(epsg: number | null): number | undefined {
  if (epsg === null) return undefined;
  return (epsg >= 32601 && epsg <= 32660) || (epsg >= 32701 && epsg <= 32760) ? epsg : undefined;
}

function isEditable(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT')
  );
}

function graticuleLabel(side: 'top' | 'end'): Text {
  return new Text({
    font: '10px system-ui, sans-serif',
    fill: new Fill({ color: BASEMAP_COLOURS.graticuleLabel }),
    stroke: new Stroke({ color: 'rgba(255,255,255,0.85)', width: 3 }),
    textBaseline: side === 'top' ? 'top' : 'middle',
    textAlign: side === 'end' ? 'end' : 'center',
    offsetY: side === 'top' ? 4 : 0,
    offsetX: side === 'end' ? -4 : 0,
  });
}
