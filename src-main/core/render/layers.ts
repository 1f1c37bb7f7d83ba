/**
 * The map's patch layers, from decoded patch pixels to an RGBA image. Pure: the caller (services) decodes the
 * patch (data layer, physical units on the 10 m grid) and encodes the result.
 *
 *   s2-true        B04, B03, B02 as R, G, B (reflectance = DN / 10000), per-band stretch
 *   s2-false       B08, B04, B03 (NIR, red, green): vegetation red
 *   ndvi           (B08 - B04) / (B08 + B04) through NDVI_RAMP
 *   s1             R = VV, G = VH, B = VV - VH (all dB)
 *   dem-hillshade  Horn hillshade, sun at azimuth 315°, altitude 45°
 *   worldcover     ESA class colours, nodata transparent
 * Sentinel-2 pixels whose three bands are all 0 are L2A nodata and transparent.
 */
import { S1_BANDS, S2_BANDS, type S2Band } from '../data/modalities';
import { extractBand } from './bands';
import { renderComposite } from './composite';
import { hillshade, renderHillshade, type HillshadeOptions, type PixelSize } from './hillshade';
import type { RgbaImage } from './image';
import { renderNdvi } from './ndvi';
import { renderS1Composite } from './s1';
import { DEFAULT_PERCENTILE_STRETCH, type Stretch, type ValueRange } from './stretch';
import { renderWorldCover } from './worldcover';

export const LAYER_IDS = ['s2-true', 's2-false', 'ndvi', 's1', 'dem-hillshade', 'worldcover'] as const;
export type LayerId = (typeof LAYER_IDS)[number];

/** The modality each layer is drawn from. */
export const LAYER_SOURCE: Record<LayerId, 's2' | 's1' | 'dem' | 'worldcover'> = {
  's2-true': 's2',
  's2-false': 's2',
  ndvi: 's2',
  s1: 's1',
  'dem-hillshade': 'dem',
  worldcover: 'worldcover',
};

/** Which band feeds each channel, for legends and the layer panel. */
export const LAYER_CHANNELS: Partial<Record<LayerId, readonly string[]>> = {
  's2-true': ['B04', 'B03', 'B02'],
  's2-false': ['B08', 'B04', 'B03'],
  ndvi: ['(B08 - B04) / (B08 + B04)'],
  s1: ['VV', 'VH', 'VV/VH'],
  'dem-hillshade': ['hillshade'],
};

/** L2A digital numbers per unit reflectance. */
export const S2_DN_PER_REFLECTANCE = 10000;

/** A decoded patch in physical units, pixel-interleaved, on one grid of `width` x `height`. */
export interface PatchPixels {
  width: number;
  height: number;
  /** DN, S2_BANDS order. */
  s2?: Float32Array;
  /** dB, S1_BANDS order (VH, VV); NaN = nodata. */
  s1?: Float32Array;
  /** Metres. */
  dem?: Float32Array;
  /** Class indices 0..10, anything else nodata. */
  worldcover?: ArrayLike<number>;
  /** Ground pixel size in metres (x east, y north: negative for north-up), for the hillshade. */
  pixelSize?: PixelSize;
}

export interface RenderOptions {
  /** Default: percentile 2-98 for s2-true, s2-false, s1; the ramp's NDVI values for ndvi; none for the others. */
  stretch?: Stretch;
  hillshade?: HillshadeOptions;
}

export interface LayerRender {
  image: RgbaImage;
  /** The value range of each channel after the stretch (physical units: reflectance, NDVI, dB, shade byte). */
  ranges: ValueRange[];
  stretch: Stretch | null;
}

export class MissingModalityError extends Error {
  constructor(readonly layer: LayerId, readonly modality: string) {
    super(`layer ${layer} needs ${modality}, which this patch does not have`);
    this.name = 'MissingModalityError';
  }
}

function s2Band(p: PatchPixels, band: S2Band): Float32Array {
  return extractBand(p.s2!, S2_BANDS.length, S2_BANDS.indexOf(band), 1 / S2_DN_PER_REFLECTANCE);
}

/** 0 where every S2 band given is exactly 0 (L2A nodata), 1 elsewhere. */
function s2ValidMask(bands: readonly Float32Array[]): Uint8Array {
  const n = bands[0].length;
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (const b of bands) {
      if (b[i] !== 0) {
        mask[i] = 1;
        break;
      }
    }
  }
  return mask;
}

export function defaultStretch(layer: LayerId): Stretch | null {
  return layer === 's2-true' || layer === 's2-false' || layer === 's1' ? DEFAULT_PERCENTILE_STRETCH : null;
}

export function renderLayer(layer: LayerId, pixels: PatchPixels, options: RenderOptions = {}): LayerRender {
  const { width, height } = pixels;
  const source = LAYER_SOURCE[layer];
  if (pixels[source] === undefined) throw new MissingModalityError(layer, source);
  const stretch = options.stretch ?? defaultStretch(layer);
  switch (layer) {
    case 's2-true':
    case 's2-false': {
      const names = (layer === 's2-true' ? ['B04', 'B03', 'B02'] : ['B08', 'B04', 'B03']) as S2Band[];
      const bands = names.map((b) => s2Band(pixels, b)) as [Float32Array, Float32Array, Float32Array];
      const r = renderComposite(bands, width, height, stretch ?? DEFAULT_PERCENTILE_STRETCH, s2ValidMask(bands));
      return { image: r.image, ranges: r.ranges, stretch };
    }
    case 'ndvi': {
      const nir = s2Band(pixels, 'B08');
      const red = s2Band(pixels, 'B04');
      const r = renderNdvi(nir, red, width, height, stretch ?? undefined, s2ValidMask([nir, red]));
      return { image: r.image, ranges: [r.range], stretch };
    }
    case 's1': {
      const s1 = pixels.s1!;
      const vv = extractBand(s1, S1_BANDS.length, S1_BANDS.indexOf('VV'));
      const vh = extractBand(s1, S1_BANDS.length, S1_BANDS.indexOf('VH'));
      const r = renderS1Composite(vv, vh, width, height, stretch ?? DEFAULT_PERCENTILE_STRETCH);
      return { image: r.image, ranges: r.ranges, stretch };
    }
    case 'dem-hillshade': {
      if (!pixels.pixelSize) throw new Error('dem-hillshade needs the ground pixel size (pixelSize)');
      const shade = hillshade(pixels.dem!, width, height, pixels.pixelSize, options.hillshade);
      const r = renderHillshade(shade, width, height, stretch ?? undefined);
      return { image: r.image, ranges: [r.range], stretch };
    }
    case 'worldcover':
      return { image: renderWorldCover(pixels.worldcover!, width, height), ranges: [], stretch: null };
  }
}
