import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '../../api/errors';
import type { MaskImage } from '../../api/training';
import type { PatchDataset } from '../../core/data/dataset';
import type { TargetId } from '../../core/data/modalities';
import { builtinDefinition, footprint } from '../../core/geo/crs';
import { readRaster } from '../../core/geo/raster';
import { createImage, type RgbaImage } from '../../core/render/image';
import { encodePng } from '../../core/render/png';
import { renderWorldCover } from '../../core/render/worldcover';

/**
 * A predicted segmentation mask (masks/<patch>__<target>.tif of a predict folder) as an image for the map: in
 * WorldCover colours, or its errors against the dataset's WorldCover map (red where the classes differ,
 * transparent where they agree or the truth is nodata). Placed by the mask's own geotransform and CRS, as
 * imagery.render places patch imagery.
 */

/** Targets whose masks hold WorldCover class indices (0..10 in WORLDCOVER_CLASSES order). */
const WORLDCOVER_MASKS: ReadonlySet<TargetId> = new Set(['worldcover', 'lulc', 'landcover']);
/** Nodata of the packed cache's WorldCover records. */
const TRUTH_NODATA = 255;
export const ERROR_RGBA: readonly [number, number, number, number] = [230, 25, 25, 255];

/** The writer's file name for a patch's mask (core/infer/writers.ts). */
export function maskPath(dir: string, patchId: string, target: string): string {
  return join(dir, 'masks', `${patchId.replace(/[^A-Za-z0-9._-]/g, '_')}__${target}.tif`);
}

/** Red where prediction and truth differ (truth known), transparent elsewhere. */
export function renderErrors(pred: ArrayLike<number>, truth: ArrayLike<number>, width: number, height: number): { image: RgbaImage; wrong: number; valid: number } {
  if (pred.length !== width * height || truth.length !== pred.length) throw new RangeError(`mask of ${pred.length} and truth of ${truth.length} values for ${width} x ${height}`);
  const image = createImage(width, height);
  let wrong = 0;
  let valid = 0;
  for (let i = 0; i < pred.length; i++) {
    if (truth[i] === TRUTH_NODATA) continue;
    valid++;
    if (truth[i] === pred[i]) continue;
    wrong++;
    image.data.set(ERROR_RGBA, i * 4);
  }
  return { image, wrong, valid };
}

export interface MaskImageRequest {
  dir: string;
  patchId: string;
  target: TargetId;
  view: 'prediction' | 'errors';
}

/** `dir` must have passed the PathGuard; `dataset` (the data predicted on) is needed by the errors view. */
export async function renderMaskImage(req: MaskImageRequest, dataset: PatchDataset | null): Promise<MaskImage> {
  if (!WORLDCOVER_MASKS.has(req.target)) throw new ApiError('bad_request', `masks of ${req.target} are not WorldCover class maps`);
  const file = maskPath(req.dir, req.patchId, req.target);
  if (!existsSync(file)) throw new ApiError('not_found', `no ${req.target} mask for patch ${req.patchId} in ${req.dir}`);
  const raster = await readRaster(file);
  const { info } = raster;
  const classes = raster.bands[0];
  let image: RgbaImage;
  let errors: MaskImage['errors'] = null;
  if (req.view === 'prediction') {
    image = renderWorldCover(classes, info.width, info.height);
  } else {
    if (!dataset) throw new ApiError('bad_request', 'the errors view needs the dataset predicted on (`data`)');
    const i = dataset.ids.indexOf(req.patchId);
    if (i < 0) throw new ApiError('not_found', `patch ${req.patchId} is not in the dataset`);
    if (!dataset.cache.has('worldcover', i)) throw new ApiError('not_found', `patch ${req.patchId} has no WorldCover map to compare with`);
    const truth = dataset.cache.record('worldcover', i);
    if (truth.length !== classes.length) throw new ApiError('bad_request', `mask ${info.width} x ${info.height} and WorldCover map of ${truth.length} pixels differ in size`);
    const r = renderErrors(classes, truth, info.width, info.height);
    image = r.image;
    errors = { wrong: r.wrong, valid: r.valid };
  }
  const fp = footprint(info);
  const xs = fp.polygon.map((p) => p[0]);
  const ys = fp.polygon.map((p) => p[1]);
  return {
    dir: req.dir,
    patchId: req.patchId,
    target: req.target,
    view: req.view,
    png_base64: Buffer.from(encodePng(image)).toString('base64'),
    width: info.width,
    height: info.height,
    extent: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)],
    crs_epsg: info.crs_epsg,
    proj4: info.crs_epsg === null ? null : (builtinDefinition(info.crs_epsg) ?? null),
    extent_wgs84: fp.bbox_wgs84,
    errors,
  };
}
