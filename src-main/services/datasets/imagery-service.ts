/**
 * Patch imagery for the map and the inspector. The CPU work (decode a patch's modality with the data layer,
 * render a layer, encode PNG; histograms) runs in render workers (render-pool.ts). Rendered images are cached in
 * memory (LRU) and in the workspace (`cache/<datasetId>/imagery/*.png`, keyed by the request and the source files'
 * size and mtime, with the stretch ranges in the PNG's text chunk), so panning back over patches costs nothing
 * and a restart starts warm; the workers keep decoded pixels, so another layer or stretch of a patch does not
 * decode its GeoTIFFs again.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError } from '../../api/errors';
import type { Histograms, ImageryLayer, RenderedImage, Stretch } from '../../api/imagery';
import type { PatchEntry } from '../../core/data/layouts/types';
import { S1_BANDS, S2_BANDS } from '../../core/data/modalities';
import { fileFingerprint } from '../../core/data/raster-io';
import { writeFileAtomic } from '../../core/fs-atomic';
import { LAYER_SOURCE } from '../../core/render/layers';
import { readPngText } from '../../core/render/png';
import { hasSource, ImageryWorkError, PNG_TEXT_KEY, SOURCE_NAME, type ImagerySource, type RenderFacts } from './imagery-work';
import { LruCache } from './lru';
import type { OpenDataset } from './open-dataset';
import { placePatch, proj4Definition } from './placement';
import { createRenderBackend, type RenderBackend, type RenderBackendOptions } from './render-pool';
import type { DatasetsService } from './service';

/** Bump when rendering changes, so images cached on disk by an older version are not shown. */
const RENDER_VERSION = 2;

interface CachedImage extends RenderFacts {
  base64: string;
}

export interface ImageryServiceOptions extends RenderBackendOptions {
  /** Memory budget of rendered PNGs (base64), bytes; default 64 MiB. */
  imageCacheBytes?: number;
  /** Keep rendered images in the workspace too; default true. */
  diskCache?: boolean;
}

function filesOf(entry: PatchEntry, source: ImagerySource): string[] {
  const f = entry.files;
  if (source === 's2') return f.s2 ? [...new Set(S2_BANDS.map((b) => f.s2![b].path))] : [];
  if (source === 's1') return f.s1 ? [...new Set(S1_BANDS.map((b) => f.s1![b].path))] : [];
  const one = f[source];
  return one ? [one.path] : [];
}

/** Worker failures become contract errors with the same code. */
function asApiError(err: unknown): unknown {
  return err instanceof ImageryWorkError ? new ApiError(err.code, err.message) : err;
}

export class ImageryService {
  private readonly images: LruCache<string, CachedImage>;
  private readonly inflight = new Map<string, Promise<{ image: CachedImage; cache: RenderedImage['cache'] }>>();
  private readonly diskCache: boolean;
  private readonly backend: RenderBackend;

  constructor(private readonly datasets: DatasetsService, options: ImageryServiceOptions = {}) {
    this.images = new LruCache(options.imageCacheBytes ?? 64 * 2 ** 20, (img) => img.base64.length + 256);
    this.diskCache = options.diskCache ?? true;
    this.backend = createRenderBackend(options);
  }

  /** 'workers' or 'inline' (for logs and tests). */
  get backendKind(): RenderBackend['kind'] {
    return this.backend.kind;
  }

  /** Drops the caches of a dataset (closed or re-indexed). */
  forget(datasetId: string): void {
    const prefix = `${datasetId}|`;
    this.images.deleteWhere((k) => k.startsWith(prefix));
    this.backend.forget(prefix);
  }

  close(): Promise<void> {
    return this.backend.close();
  }

  private patchIndex(ds: OpenDataset, patchId: string): number {
    const i = ds.indexOf(patchId);
    if (i < 0) throw new ApiError('not_found', `dataset ${ds.name} has no patch ${patchId}`);
    return i;
  }

  async render(req: { datasetId: string; patchId: string; layer: ImageryLayer; stretch?: Stretch }): Promise<RenderedImage> {
    const ds = await this.datasets.get(req.datasetId);
    const i = this.patchIndex(ds, req.patchId);
    const key = `${ds.id}|${ds.revision}|${i}|${req.layer}|${req.stretch ? JSON.stringify(req.stretch) : 'default'}`;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.produce(ds, i, req, key).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    const { image, cache } = await pending;
    return this.response(ds, i, req.layer, image, cache);
  }

  private async produce(ds: OpenDataset, i: number, req: { layer: ImageryLayer; stretch?: Stretch }, key: string): Promise<{ image: CachedImage; cache: RenderedImage['cache'] }> {
    const hit = this.images.get(key);
    if (hit) return { image: hit, cache: 'memory' };
    const entry = ds.entry(i);
    const source = LAYER_SOURCE[req.layer];
    if (!hasSource(entry, source)) throw new ApiError('not_found', `patch ${entry.id} has no ${SOURCE_NAME[source]} for layer ${req.layer}`);
    const fingerprint = filesOf(entry, source)
      .map((f) => {
        const fp = fileFingerprint(f);
        return `${f}:${fp ? `${fp.size}:${fp.mtimeMs}` : 'missing'}`;
      })
      .join('|');
    const dir = join(this.datasets.cacheDir(ds.id), 'imagery');
    const diskFile = join(dir, `${createHash('sha1').update(`v${RENDER_VERSION}|${key}|${fingerprint}`).digest('hex')}.png`);
    if (this.diskCache) {
      const fromDisk = await this.readDisk(diskFile);
      if (fromDisk) {
        this.images.set(key, fromDisk);
        return { image: fromDisk, cache: 'disk' };
      }
    }
    const { png, facts } = await this.backend
      .render({ pixelKey: `${ds.id}|${ds.revision}|${i}`, entry, layer: req.layer, stretch: req.stretch, lat: ds.columns.lat[i], grid: ds.grids[i] })
      .catch((err: unknown) => {
        throw asApiError(err);
      });
    const image: CachedImage = { base64: Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString('base64'), ...facts };
    this.images.set(key, image);
    if (this.diskCache) {
      // Best effort: a read-only or full workspace only costs the disk cache.
      await mkdir(dir, { recursive: true })
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
      const facts = JSON.parse(readPngText(bytes, PNG_TEXT_KEY) ?? 'null') as RenderFacts | null;
      if (!facts || !Array.isArray(facts.ranges) || !(facts.width > 0 && facts.height > 0)) return undefined;
      return { base64: bytes.toString('base64'), width: facts.width, height: facts.height, ranges: facts.ranges, stretch: facts.stretch, grid: facts.grid };
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

  async histogram(req: { datasetId: string; patchId: string; modality: ImagerySource; bins: number }): Promise<Histograms> {
    const ds = await this.datasets.get(req.datasetId);
    const i = this.patchIndex(ds, req.patchId);
    const entry = ds.entry(i);
    if (!hasSource(entry, req.modality)) throw new ApiError('not_found', `patch ${entry.id} has no ${SOURCE_NAME[req.modality]}`);
    const body = await this.backend
      .histogram({ pixelKey: `${ds.id}|${ds.revision}|${i}`, entry, modality: req.modality, bins: req.bins })
      .catch((err: unknown) => {
        throw asApiError(err);
      });
    return { datasetId: ds.id, patchId: ds.ids[i], ...body };
  }
}
