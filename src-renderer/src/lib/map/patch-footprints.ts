import Feature, { type FeatureLike } from 'ol/Feature';
import Polygon from 'ol/geom/Polygon';
import VectorLayer from 'ol/layer/Vector';
import VectorSource from 'ol/source/Vector';
import { Fill, Stroke, Style } from 'ol/style';
import { mercatorX, mercatorY } from '../patches/columns';
import { FLAG_FOCUS, FLAG_SELECTED, FLAG_SHOWN } from './patch-points/shaders';

/** Footprints replace points from this zoom on (a 1.2 km patch is then about 25 pixels wide at 50° N). */
export const FOOTPRINT_MIN_ZOOM = 11;
/** Footprints fetched for one view at most; beyond, the points stay on. */
export const FOOTPRINT_LIMIT = 5000;

/** What the style reads per patch: category colours and flags, shared with the points layer. */
export interface FootprintLook {
  codes(): Uint8Array | null;
  table(): Uint8Array | null;
  flags(): Uint8Array;
  /** Fill the footprints (off while imagery is shown, so the images are not tinted). */
  filled(): boolean;
}

/** Footprint rings in EPSG:3857 from the contract's WGS84 corners (UL, UR, LR, LL per patch; 8 floats each). */
export function footprintFeatures(indices: Uint32Array, corners: Float32Array): Feature<Polygon>[] {
  const out: Feature<Polygon>[] = [];
  for (let k = 0; k < indices.length; k++) {
    const ring: number[][] = [];
    for (let c = 0; c < 4; c++) ring.push([mercatorX(corners[8 * k + 2 * c]), mercatorY(corners[8 * k + 2 * c + 1])]);
    ring.push([...ring[0]]);
    const f = new Feature(new Polygon([ring]));
    f.setId(indices[k]);
    f.set('patch', indices[k]);
    out.push(f);
  }
  return out;
}

function rgba(table: Uint8Array, code: number, alpha: number, darken = 1): string {
  const k = code * 4;
  return `rgba(${Math.round(table[k] * darken)},${Math.round(table[k + 1] * darken)},${Math.round(table[k + 2] * darken)},${alpha})`;
}

/**
 * Patch footprints as polygons, for close zooms where a patch is more than a dot: coloured like the points, the
 * selection with a white casing, the inspected patch in orange. Only the patches in view are loaded (see
 * PatchLayers); the style caches one Style per colour and state.
 */
export function createFootprintLayer(look: FootprintLook): VectorLayer<VectorSource<Feature<Polygon>>> {
  const cache = new Map<string, Style[]>();
  let cachedFor: Uint8Array | null = null;
  const style = (feature: FeatureLike): Style[] | undefined => {
    const i = feature.get('patch') as number;
    const flags = look.flags();
    const codes = look.codes();
    const table = look.table();
    if (!codes || !table || !(flags[i] & FLAG_SHOWN)) return undefined;
    // A new colouring comes with a new table: styles of the old one go.
    if (table !== cachedFor) {
      cache.clear();
      cachedFor = table;
    }
    const code = codes[i];
    const state = flags[i] & FLAG_FOCUS ? 'focus' : flags[i] & FLAG_SELECTED ? 'selected' : 'plain';
    const filled = look.filled();
    const key = `${code}|${state}|${filled ? 1 : 0}`;
    let styles = cache.get(key);
    if (!styles) {
      const line = new Stroke({ color: rgba(table, code, 1, 0.8), width: 1.5 });
      const fill = filled ? new Fill({ color: rgba(table, code, state === 'plain' ? 0.32 : 0.5) }) : undefined;
      if (state === 'plain') styles = [new Style({ stroke: line, fill })];
      else
        styles = [
          new Style({ stroke: new Stroke({ color: 'rgba(20,26,33,0.85)', width: 5 }), fill, zIndex: 2 }),
          new Style({ stroke: new Stroke({ color: state === 'focus' ? '#ff8c00' : '#ffffff', width: 3 }), zIndex: 3 }),
        ];
      cache.set(key, styles);
    }
    return styles;
  };
  return new VectorLayer({
    source: new VectorSource<Feature<Polygon>>(),
    style,
    minZoom: FOOTPRINT_MIN_ZOOM - 0.001,
    properties: { role: 'patch-footprints' },
  });
}
