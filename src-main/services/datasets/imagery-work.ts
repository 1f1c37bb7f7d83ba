/**
 * The CPU work behind imagery.render and imagery.histogram: decode one modality of a patch with the data layer,
 * render a layer with the render core and encode the PNG, or compute histograms. It runs in the render workers
 * (render-worker.ts), or in the calling thread when no worker is available; both keep decoded pixels in an LRU so
 * that another layer or stretch of the same patch does not decode its GeoTIFFs again.
 */
import { encode as encodePng } from 'fast-png';
import type { Histograms, ImageryLayer, Stretch } from '../../api/imagery';
import { decodePatch, type DecodedPatch } from '../../core/data/decode-patch';
import type { PatchEntry } from '../../core/data/layouts/types';
import { PATCH_SIZE, PIXEL_SIZE_M, S1_BANDS, S2_BANDS, WORLDCOVER_CLASSES } from '../../core/data/modalities';
import { formatProblem } from '../../core/data/problems';
import { builtinDefinition } from '../../core/geo/crs';
import { extractBand } from '../../core/render/bands';
import { histogram } from '../../core/render/histogram';
import { LAYER_SOURCE, renderLayer, S2_DN_PER_REFLECTANCE } from '../../core/render/layers';
import { worldCoverCounts } from '../../core/render/worldcover';
import { LruCache } from './lru';
import type { PatchGrid } from './placement';

export type ImagerySource = 's2' | 's1' | 'dem' | 'worldcover';
export const SOURCE_NAME: Record<ImagerySource, string> = { s2: 'Sentinel-2', s1: 'Sentinel-1', dem: 'a DEM', worldcover: 'a WorldCover map' };

/** What is stored with a rendered image (in memory, and in the PNG's text chunk on disk). */
export interface RenderFacts {
  width: number;
  height: number;
  ranges: ([number, number] | null)[];
  stretch: Stretch | null;
  /** The grid the image covers (the decoded rasters' own; null without georeferencing). */
  grid: PatchGrid | null;
}

export const PNG_TEXT_KEY = 'terrafuse';

export interface RenderTask {
  /** Identifies the patch's decoded pixels across calls (dataset, revision, patch index). */
  pixelKey: string;
  entry: PatchEntry;
  layer: ImageryLayer;
  stretch?: Stretch;
  /** The patch's latitude (hillshade pixel size of geographic grids) and its grid from the index, as fallbacks. */
  lat: number;
  grid: PatchGrid | null;
}

export interface HistogramTask {
  pixelKey: string;
  entry: PatchEntry;
  modality: ImagerySource;
  bins: number;
}

/** A failure with the contract's error code, carried across the worker boundary. */
export class ImageryWorkError extends Error {
  constructor(readonly code: 'not_found' | 'bad_request' | 'internal', message: string) {
    super(message);
    this.name = 'ImageryWorkError';
  }
}

function isGeographic(epsg: number): boolean {
  return /\+proj=longlat/.test(builtinDefinition(epsg) ?? '');
}

/** Ground pixel size in metres for the hillshade (degrees converted at the patch's latitude). */
function pixelSizeOf(grid: PatchGrid | null, lat: number): { x: number; y: number } {
  if (!grid) return { x: PIXEL_SIZE_M, y: -PIXEL_SIZE_M };
  const [a, , , , e] = grid.transform;
  if (!isGeographic(grid.epsg)) return { x: a, y: e };
  const latRad = ((Number.isFinite(lat) ? lat : 0) * Math.PI) / 180;
  return { x: a * 111_320 * Math.cos(latRad), y: e * 110_574 };
}

export function hasSource(entry: PatchEntry, source: ImagerySource): boolean {
  return entry.files[source] !== undefined;
}

export class ImageryWorker {
  private readonly pixels: LruCache<string, DecodedPatch>;

  constructor(pixelCacheBytes = 96 * 2 ** 20) {
    this.pixels = new LruCache(pixelCacheBytes, (d) =>
      (d.s2?.byteLength ?? 0) + (d.s1?.byteLength ?? 0) + (d.dem?.byteLength ?? 0) + (d.worldcover?.byteLength ?? 0) + 256);
  }

  /** Forget decoded pixels whose key starts with `prefix` (a closed dataset). */
  forget(prefix: string): void {
    this.pixels.deleteWhere((k) => k.startsWith(prefix));
  }

  private async decoded(pixelKey: string, entry: PatchEntry, source: ImagerySource): Promise<DecodedPatch> {
    if (!hasSource(entry, source)) throw new ImageryWorkError('not_found', `patch ${entry.id} has no ${SOURCE_NAME[source]}`);
    const key = `${pixelKey}|${source}`;
    const hit = this.pixels.get(key);
    if (hit) return hit;
    const d = await decodePatch(entry, { sources: [source] });
    if (d[source] === undefined) {
      const why = d.problems.map(formatProblem).join('; ');
      throw new ImageryWorkError('not_found', `patch ${entry.id}: ${SOURCE_NAME[source]} could not be read${why ? ` (${why})` : ''}`);
    }
    this.pixels.set(key, d);
    return d;
  }

  async render(task: RenderTask): Promise<{ png: Uint8Array; facts: RenderFacts }> {
    const source = LAYER_SOURCE[task.layer];
    const d = await this.decoded(task.pixelKey, task.entry, source);
    const grid: PatchGrid | null = d.grid && d.grid.epsg !== null ? { epsg: d.grid.epsg, transform: d.grid.transform } : task.grid;
    let out;
    try {
      out = renderLayer(task.layer, {
        width: PATCH_SIZE,
        height: PATCH_SIZE,
        s2: d.s2,
        s1: d.s1,
        dem: d.dem,
        worldcover: d.worldcover,
        pixelSize: pixelSizeOf(grid, task.lat),
      }, { stretch: task.stretch });
    } catch (err) {
      // Stretch parameters the schema cannot rule out (a per-channel list too short for the layer).
      if (err instanceof RangeError) throw new ImageryWorkError('bad_request', `${task.layer}: ${err.message}`);
      throw err;
    }
    const facts: RenderFacts = { width: out.image.width, height: out.image.height, ranges: out.ranges, stretch: out.stretch as Stretch | null, grid };
    const png = encodePng({
      width: out.image.width,
      height: out.image.height,
      data: out.image.data,
      channels: 4,
      depth: 8,
      text: { [PNG_TEXT_KEY]: JSON.stringify(facts) },
    });
    return { png, facts };
  }

  async histogram(task: HistogramTask): Promise<Omit<Histograms, 'datasetId' | 'patchId'>> {
    const d = await this.decoded(task.pixelKey, task.entry, task.modality);
    const { bins } = task;
    switch (task.modality) {
      case 's2': {
        const bands = S2_BANDS.map((_, c) => extractBand(d.s2!, S2_BANDS.length, c, 1 / S2_DN_PER_REFLECTANCE));
        // L2A nodata: every band 0.
        const mask = new Uint8Array(bands[0].length);
        for (let p = 0; p < mask.length; p++) {
          for (const b of bands) {
            if (b[p] !== 0) {
              mask[p] = 1;
              break;
            }
          }
        }
        return { modality: 's2', unit: 'reflectance', bands: bands.map((b, c) => ({ band: S2_BANDS[c], ...histogram(b, bins, mask) })) };
      }
      case 's1':
        return { modality: 's1', unit: 'dB', bands: S1_BANDS.map((name, c) => ({ band: name, ...histogram(extractBand(d.s1!, S1_BANDS.length, c), bins) })) };
      case 'dem':
        return { modality: 'dem', unit: 'm', bands: [{ band: 'elevation', ...histogram(d.dem!, bins) }] };
      case 'worldcover': {
        const { counts, nodata } = worldCoverCounts(d.worldcover!);
        const valid = counts.reduce((s, x) => s + x, 0);
        let sum = 0;
        counts.forEach((c, k) => (sum += c * k));
        return {
          modality: 'worldcover',
          unit: 'class',
          // One bin per class index (0..10), whatever `bins` asked for.
          bands: [{ band: 'class', min: valid ? 0 : null, max: valid ? counts.length - 1 : null, mean: valid ? sum / valid : null, bins: counts.length, counts, valid, invalid: nodata }],
          classes: WORLDCOVER_CLASSES.map((c, index) => ({ index, code: c.code, name: c.name, color: c.color, count: counts[index] })),
        };
      }
    }
  }
}
