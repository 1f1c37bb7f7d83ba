import type { DatasetIndex } from '../../../../src-main/api/datasets';
import { decodePacked, type Packed, type PackedTypedArray } from '../../../../src-main/api/packed-array';

/**
 * The per-patch columns of a dataset as typed arrays (decoded from datasets.index), plus the patch centres in Web
 * Mercator metres, which every map layer and the hit testing use. Patch `i` is the same patch in every column.
 */
export interface PatchColumns {
  datasetId: string;
  revision: string;
  count: number;
  ids: readonly string[];
  lon: Float32Array;
  lat: Float32Array;
  split: Uint8Array;
  lulc: Uint8Array;
  season: Float32Array;
  climatezone: Uint8Array;
  modalities: Uint8Array;
  crsIndex: Uint8Array;
  crs: readonly number[];
  ben19?: Uint32Array;
  chipLabel?: Uint8Array;
  /** EPSG:3857 x/y of the centres; NaN for patches that could not be placed. */
  x: Float64Array;
  y: Float64Array;
  /** Patches with a known centre. */
  placed: number;
}

function column<T extends PackedTypedArray>(packed: Packed, ctor: { new (...args: never[]): T; name: string }, name: string, count: number): T {
  const values = decodePacked(packed);
  if (!(values instanceof ctor)) throw new Error(`index column ${name}: expected ${ctor.name}, got ${packed.dtype}`);
  if (values.length !== count) throw new Error(`index column ${name}: ${values.length} values for ${count} patches`);
  return values;
}

const EARTH_RADIUS = 6378137;
/** Web Mercator stops at ±85.0511° (the square world); centres beyond are clamped there. */
const MAX_LAT = 85.05112878;

/** lon/lat degrees → EPSG:3857 metres (the spherical formulas OpenLayers uses). */
export function mercatorX(lon: number): number {
  return (EARTH_RADIUS * lon * Math.PI) / 180;
}

export function mercatorY(lat: number): number {
  const l = Math.max(-MAX_LAT, Math.min(MAX_LAT, lat));
  return EARTH_RADIUS * Math.log(Math.tan(Math.PI / 4 + (l * Math.PI) / 360));
}

export function decodeIndex(index: DatasetIndex): PatchColumns {
  const n = index.count;
  const lon = column(index.lon, Float32Array, 'lon', n);
  const lat = column(index.lat, Float32Array, 'lat', n);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  let placed = 0;
  for (let i = 0; i < n; i++) {
    const lo = lon[i];
    const la = lat[i];
    if (Number.isFinite(lo) && Number.isFinite(la)) {
      x[i] = mercatorX(lo);
      y[i] = mercatorY(la);
      placed++;
    } else {
      x[i] = Number.NaN;
      y[i] = Number.NaN;
    }
  }
  if (index.ids && index.ids.length !== n) throw new Error(`index has ${index.ids.length} ids for ${n} patches`);
  return {
    datasetId: index.datasetId,
    revision: index.revision,
    count: n,
    ids: index.ids ?? [],
    lon,
    lat,
    split: column(index.split, Uint8Array, 'split', n),
    lulc: column(index.lulc, Uint8Array, 'lulc', n),
    season: column(index.season, Float32Array, 'season', n),
    climatezone: column(index.climatezone, Uint8Array, 'climatezone', n),
    modalities: column(index.modalities, Uint8Array, 'modalities', n),
    crsIndex: column(index.crs_index, Uint8Array, 'crs_index', n),
    crs: index.crs,
    ...(index.ben19 ? { ben19: column(index.ben19, Uint32Array, 'ben19', n) } : {}),
    ...(index.chip_label ? { chipLabel: column(index.chip_label, Uint8Array, 'chip_label', n) } : {}),
    x,
    y,
    placed,
  };
}

/** [minx, miny, maxx, maxy] in EPSG:3857 of the given patches (all placed ones without `indices`); null if none. */
export function extentOf(cols: Pick<PatchColumns, 'x' | 'y' | 'count'>, indices?: ArrayLike<number>): [number, number, number, number] | null {
  let minx = Infinity;
  let miny = Infinity;
  let maxx = -Infinity;
  let maxy = -Infinity;
  const n = indices ? indices.length : cols.count;
  for (let k = 0; k < n; k++) {
    const i = indices ? indices[k] : k;
    const px = cols.x[i];
    const py = cols.y[i];
    if (Number.isNaN(px)) continue;
    if (px < minx) minx = px;
    if (px > maxx) maxx = px;
    if (py < miny) miny = py;
    if (py > maxy) maxy = py;
  }
  return minx <= maxx ? [minx, miny, maxx, maxy] : null;
}
