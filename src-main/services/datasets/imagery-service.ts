/**
 * Patch imagery for the map and the inspector: decode a patch's modality with the data layer (physical units on
 * the 10 m grid), render a layer with the render core, encode PNG. Rendered images are cached in memory (LRU) and
 * in the workspace (`cache/<datasetId>/imagery/*.png`, keyed by the request and the source files' size and mtime,
 * with the stretch ranges in a PNG text chunk), decoded pixels in memory, so panning back over patches and
 * switching stretch or layer do not decode GeoTIFFs again.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encode as encodePngFile } from 'fast-png';
import { ApiError } from '../../api/errors';
import type { Histograms, ImageryLayer, RenderedImage, Stretch } from '../../api/imagery';
import { decodePatch, type DecodedPatch } from '../../core/data/decode-patch';
import type { PatchEntry } from '../../core/data/layouts/types';
import { PIXEL_SIZE_M, S1_BANDS, S2_BANDS, WORLDCOVER_CLASSES } from '../../core/data/modalities';
import { formatProblem } from '../../core/data/problems';
import { fileFingerprint } from '../../core/data/raster-io';
import { writeFileAtomic } from '../../core/fs-atomic';
import { extractBand } from '../../core/render/bands';
import { histogram } from '../../core/render/histogram';
import { readPngText } from '../../core/render/png';
import { LAYER_SOURCE, renderLayer, S2_DN_PER_REFLECTANCE, type PatchPixels } from '../../core/render/layers';
import { worldCoverCounts } from '../../core/render/worldcover';
import type { OpenDataset } from './open-dataset';
import { placePatch, proj4Definition, type PatchGrid } from './placement';
import { LruCache } from './lru';
import type { DatasetsService } from './service';

type Source = 's2' | 's1' | 'dem' | 'worldcover';

const SOURCE_NAME: Record<Source, string> = { s2: 'Sentinel-2', s1: 'Sentinel-1', dem: 'a DEM', worldcover: 'a WorldCover map' };
const PNG_TEXT_KEY = 'terrafuse';
/** Bump when rendering changes, so images cached on disk by an older version are not shown. */
const RENDER_VERSION = 2;

interface CachedImage {
  base64: string;
  width: number;
  height: number;
  ranges: ([number, number] | null)[];
  stretch: Stretch | null;
  grid: PatchGrid | null;
}

interface DiskMeta {
  width: number;
  height: number;
  ranges: ([number, number] | null)[];
  stretch: Stretch | null;
  grid: PatchGrid | null;
}

export interface ImageryServiceOptions {
  /** Memory budget of rendered PNGs (base64), bytes; default 64 MiB. */
  imageCacheBytes?: number;
  /** Memory budget of decoded pixels, bytes; default 128 MiB (about 185 Sentinel-2 patches). */
  pixelCacheBytes?: number;
  /** Keep rendered images in the workspace too; default true. */
  diskCache?: boolean;
}

function filesOf(entry: PatchEntry, source: Source): string[] {
  const f = entry.files;
  if (source === 's2') return f.s2 ? [...new Set(S2_BANDS.map((b) => f.s2![b].path))] : [];
  if (source === 's1') return f.s1 ? [...new Set(S1_BANDS.map((b) => f.s1![b].path))] : [];
  const one = f[source];
  return one ? [one.path] : [];
}

function isGeographic(epsg: number): boolean {
  return /\+proj=longlat/.test(proj4Definition(epsg) ?? '');
}

/** Ground pixel size in metres for the hillshade (degrees converted at the patch's latitude). */
function pixelSizeOf(grid: PatchGrid | null, lat: number): { x: number; y: number } {
  if (!grid) return { x: PIXEL_SIZE_M, y: -PIXEL_SIZE_M };
  const [a, , , , e] = grid.transform;
  if (!isGeographic(grid.epsg)) return { x: a, y: e };
  const latRad = ((Number.isFinite(lat) ? lat : 0) * Math.PI) / 180;
  return { x: a * 111_320 * Math.cos(latRad), y: e * 110_574 };
}

export class ImageryService {
  private readonly pixels: LruCache<string, DecodedPatch>;
  private readonly images: LruCache<string, CachedImage>;
  private readonly inflight = new Map<string, Promise<{ image: CachedImage; cache: RenderedImage['cache'] }>>();
  private readonly decoding = new Map<string, Promise<DecodedPatch>>();
  private readonly diskCache: boolean;

  constructor(private readonly datasets: DatasetsService, options: ImageryServiceOptions = {}) {
    this.pixels = new LruCache(options.pixelCacheBytes ?? 128 * 2 ** 20, (d) =>
      (d.s2?.byteLength ?? 0) + (d.s1?.byteLength ?? 0) + (d.dem?.byteLength ?? 0) + (d.worldcover?.byteLength ?? 0) + 256);
    this.images = new LruCache(options.imageCacheBytes ?? 64 * 2 ** 20, (img) => img.base64.length + 256);
    this.diskCache = options.diskCache ?? true;
  }

  /** Drops the caches of a dataset (closed or re-indexed). */
  forget(datasetId: string): void {
    const prefix = `${datasetId}|`;
    this.pixels.deleteWhere((k) => k.startsWith(prefix));
    this.images.deleteWhere((k) => k.startsWith(prefix));
  }

  private patchIndex(ds: OpenDataset, patchId: string): number {
    const i = ds.indexOf(patchId);
    if (i < 0) throw new ApiError('not_found', `dataset ${ds.name} has no patch ${patchId}`);
    return i;
  }

  /** The decoded modality of a patch (memory-cached); not_found naming the file and reason when it is unusable. */
  private async decoded(ds: OpenDataset, i: number, source: Source): Promise<DecodedPatch> {
    const entry = ds.entry(i);
    if (filesOf(entry, source).length === 0) {
      throw new ApiError('not_found', `patch ${entry.id} has no ${SOURCE_NAME[source]}`);
    }
    const key = `${ds.id}|${ds.revision}|${i}|${source}`;
    const hit = this.pixels.get(key);
    if (hit) return hit;
    let pending = this.decoding.get(key);
    if (!pending) {
      pending = decodePatch(entry, { sources: [source] }).finally(() => this.decoding.delete(key));
      this.decoding.set(key, pending);
    }
    const d = await pending;
    if (d[source] === undefined) {
      const why = d.problems.map(formatProblem).join('; ');
      throw new ApiError('not_found', `patch ${entry.id}: ${SOURCE_NAME[source]} could not be read${why ? ` (${why})` : ''}`);
    }
    this.pixels.set(key, d);
    return d;
  }

  async render(req: { datasetId: string; patchId: string; layer: ImageryLayer; stretch?: Stretch }): Promise<RenderedImage> {
    const ds = await this.datasets.get(req.datasetId);
    const i = this.patchIndex(ds, req.patchId);
    const source = LAYER_SOURCE[req.layer];
    const key = `${ds.id}|${ds.revision}|${i}|${req.layer}|${req.stretch ? JSON.stringify(req.stretch) : 'default'}`;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.produce(ds, i, source, req, key).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    const { image, cache } = await pending;
    return this.response(ds, i, req.layer, image, cache);
  }

  private async produce(ds: OpenDataset, i: number, source: Source, req: { layer: ImageryLayer; stretch?: Stretch }, key: string): Promise<{ image: CachedImage; cache: RenderedImage['cache'] }> {
    const hit = this.images.get(key);
    if (hit) return { image: hit, cache: 'memory' };
    const entry = ds.entry(i);
    const files = filesOf(entry, source);
    if (files.length === 0) throw new ApiError('not_found', `patch ${entry.id} has no ${SOURCE_NAME[source]} for layer ${req.layer}`);
    const fingerprint = files.map((f) => {
      const fp = fileFingerprint(f);
      return `${f}:${fp ? `${fp.size}:${fp.mtimeMs}` : 'missing'}`;
    }).join('|');
    const diskFile = join(this.datasets.cacheDir(ds.id), 'imagery', `${createHash('sha1').update(`v${RENDER_VERSION}|${key}|${fingerprint}`).digest('hex')}.png`);
    if (this.diskCache) {
      const fromDisk = await this.readDisk(diskFile);
      if (fromDisk) {
        this.images.set(key, fromDisk);
        return { image: fromDisk, cache: 'disk' };
      }
    }
    const decoded = await this.decoded(ds, i, source);
    const grid = decoded.grid && decoded.grid.epsg !== null ? { epsg: decoded.grid.epsg, transform: decoded.grid.transform } : ds.grids[i];
    const pixels: PatchPixels = {
      width: 120,
      height: 120,
      s2: decoded.s2,
      s1: decoded.s1,
      dem: decoded.dem,
      worldcover: decoded.worldcover,
      pixelSize: pixelSizeOf(grid, ds.columns.lat[i]),
    };
    const out = renderLayer(req.layer, pixels, { stretch: req.stretch });
    const meta: DiskMeta = { width: out.image.width, height: out.image.height, ranges: out.ranges, stretch: out.stretch as Stretch | null, grid };
    const png = encodePngFile({
      width: out.image.width,
      height: out.image.height,
      data: out.image.data,
      channels: 4,
      depth: 8,
      text: { [PNG_TEXT_KEY]: JSON.stringify(meta) },
    });
    const image: CachedImage = { base64: Buffer.from(png).toString('base64'), ...meta };
    this.images.set(key, image);
    if (this.diskCache) {
      // Best effort: a read-only or full workspace only costs the disk cache.
      await mkdir(join(this.datasets.cacheDir(ds.id), 'imagery'), { recursive: true })
        .then(() => writeFileAtomic(diskFile, png, { fsync: false }))
        .catch(() => undefined);
    }
    return { image, cache: 'rendered' };
  }

  private async readDisk(file: string): Promise<CachedImage | undefined> {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch {
      return undefined;
    }
    try {
      // The facts stored with the image are read from its text chunk; the pixels stay compressed.
      const meta = JSON.parse(readPngText(bytes, PNG_TEXT_KEY) ?? 'null') as DiskMeta | null;
      if (!meta || !Array.isArray(meta.ranges) || !(meta.width > 0 && meta.height > 0)) return undefined;
      return { base64: bytes.toString('base64'), width: meta.width, height: meta.height, ranges: meta.ranges, stretch: meta.stretch, grid: meta.grid };
    } catch {
      return undefined;
    }
  }

  private response(ds: OpenDataset, i: number, layer: ImageryLayer, image: CachedImage, cache: RenderedImage['cache']): RenderedImage {
    const placement = placePatch(image.grid, ds.entry(i).meta);
    let extent: [number, number, number, number] = [0, 0, image.width, image.height];
    let epsg: number | null = null;
    let proj4: string | null = null;
    let extentWgs84: [number, number, number, number] | null = null;
    if (placement) {
      const xs = placement.corners.map((c) => c[0]);
      const ys = placement.corners.map((c) => c[1]);
      extent = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
      epsg = placement.epsg;
      proj4 = proj4Definition(epsg);
      if (placement.cornersWgs84) {
        const lons = placement.cornersWgs84.map((c) => c[0]);
        const lats = placement.cornersWgs84.map((c) => c[1]);
        extentWgs84 = [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
      }
    }
    return {
      datasetId: ds.id,
      patchId: ds.ids[i],
      layer,
      png_base64: image.base64,
      width: image.width,
      height: image.height,
      extent,
      crs_epsg: epsg,
      proj4,
      extent_wgs84: extentWgs84,
      ranges: image.ranges,
      stretch: image.stretch,
      cache,
    };
  }

  async histogram(req: { datasetId: string; patchId: string; modality: Source; bins: number }): Promise<Histograms> {
    const ds = await this.datasets.get(req.datasetId);
    const i = this.patchIndex(ds, req.patchId);
    const d = await this.decoded(ds, i, req.modality);
    const base = { datasetId: ds.id, patchId: ds.ids[i], modality: req.modality };
    const toBand = (band: string, h: ReturnType<typeof histogram>) => ({ band, ...h });
    switch (req.modality) {
      case 's2': {
        const bands = S2_BANDS.map((_, c) => extractBand(d.s2!, S2_BANDS.length, c, 1 / S2_DN_PER_REFLECTANCE));
        // L2A nodata: every band 0.
        const mask = new Uint8Array(bands[0].length);
        for (let p = 0; p < mask.length; p++) for (const b of bands) if (b[p] !== 0) {
          mask[p] = 1;
          break;
        }
        return { ...base, unit: 'reflectance', bands: bands.map((b, c) => toBand(S2_BANDS[c], histogram(b, req.bins, mask))) };
      }
      case 's1':
        return { ...base, unit: 'dB', bands: S1_BANDS.map((name, c) => toBand(name, histogram(extractBand(d.s1!, S1_BANDS.length, c), req.bins))) };
      case 'dem':
        return { ...base, unit: 'm', bands: [toBand('elevation', histogram(d.dem!, req.bins))] };
      case 'worldcover': {
        const { counts, nodata } = worldCoverCounts(d.worldcover!);
        const valid = counts.reduce((s, x) => s + x, 0);
        let sum = 0;
        counts.forEach((c, k) => (sum += c * k));
        return {
          ...base,
          unit: 'class',
          // One bin per class index (0..10), whatever `bins` asked for.
          bands: [{ band: 'class', min: valid ? 0 : null, max: valid ? counts.length - 1 : null, mean: valid ? sum / valid : null, bins: counts.length, counts, valid, invalid: nodata }],
          classes: WORLDCOVER_CLASSES.map((c, index) => ({ index, code: c.code, name: c.name, color: c.color, count: counts[index] })),
        };
      }
    }
  }
}
