/**
 * Hillshade by Horn's (1981) method, as `gdaldem hillshade` computes it: the slope from a 3 x 3 window weighted
 * 1-2-1, the surface normal lit by a sun at `azimuth` (degrees clockwise from north) and `altitude` (degrees
 * above the horizon), and the same byte scale (1 + 254 * cos(incidence), 1 for surfaces in shadow, 0 = nodata).
 * Unlike gdaldem without -compute_edges, border pixels are shaded too, with the missing neighbours taken from the
 * nearest edge pixel (a patch is only 120 pixels wide: dropping its border would leave a visible frame).
 */
import { createImage, type RgbaImage } from './image';
import { scaleToByte, stretchRange, type Stretch, type ValueRange } from './stretch';

export interface HillshadeOptions {
  /** Degrees clockwise from north; default 315 (north-west, the cartographic convention). */
  azimuth?: number;
  /** Degrees above the horizon; default 45. */
  altitude?: number;
  /** Vertical exaggeration; default 1. */
  zFactor?: number;
}

export interface PixelSize {
  /** Ground size of a column step along east, in the elevation's unit (metres); the transform's `a`. */
  x: number;
  /** Ground size of a row step along north, signed: negative for north-up rasters; the transform's `e`. */
  y: number;
}

/**
 * The shade of each pixel as GDAL's byte value (1..255; 0 where the elevation or a neighbour used is not finite),
 * as a Float32Array so that a stretch can be applied afterwards.
 */
export function hillshade(dem: Float32Array, width: number, height: number, pixel: PixelSize, options: HillshadeOptions = {}): Float32Array {
  if (dem.length !== width * height) throw new RangeError(`DEM of ${dem.length} values for a ${width} x ${height} grid`);
  if (!(pixel.x !== 0 && pixel.y !== 0 && Number.isFinite(pixel.x) && Number.isFinite(pixel.y))) {
    throw new RangeError(`pixel size must be finite and non-zero, got ${pixel.x} x ${pixel.y}`);
  }
  const az = ((options.azimuth ?? 315) * Math.PI) / 180;
  const alt = ((options.altitude ?? 45) * Math.PI) / 180;
  const z = options.zFactor ?? 1;
  // Sun direction (east, north, up).
  const sx = Math.sin(az) * Math.cos(alt);
  const sy = Math.cos(az) * Math.cos(alt);
  const sz = Math.sin(alt);
  const out = new Float32Array(width * height);
  const at = (r: number, c: number): number => {
    const rr = r < 0 ? 0 : r >= height ? height - 1 : r;
    const cc = c < 0 ? 0 : c >= width ? width - 1 : c;
    return dem[rr * width + cc];
  };
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const a = at(r - 1, c - 1), b = at(r - 1, c), cc = at(r - 1, c + 1);
      const d = at(r, c - 1), e = at(r, c), f = at(r, c + 1);
      const g = at(r + 1, c - 1), h = at(r + 1, c), i = at(r + 1, c + 1);
      const sum = a + b + cc + d + e + f + g + h + i;
      if (!Number.isFinite(sum)) {
        out[r * width + c] = 0;
        continue;
      }
      // Gradients per column step and per row step (Horn), then per ground unit along east and north.
      const dzdcol = (cc + 2 * f + i - (a + 2 * d + g)) / 8;
      const dzdrow = (g + 2 * h + i - (a + 2 * b + cc)) / 8;
      const p = (z * dzdcol) / pixel.x;
      const q = (z * dzdrow) / pixel.y;
      // Unit normal of z = f(x, y) is (-p, -q, 1) / sqrt(1 + p^2 + q^2).
      const cos = (-p * sx - q * sy + sz) / Math.sqrt(1 + p * p + q * q);
      out[r * width + c] = cos <= 0 ? 1 : 1 + 254 * cos;
    }
  }
  return out;
}

export interface HillshadeRender {
  image: RgbaImage;
  /** The shade range (GDAL byte scale) mapped to black..white. */
  range: ValueRange;
}

/**
 * Grey hillshade image. Without a stretch the GDAL bytes are shown as they are; a percentile or min/max stretch
 * adds contrast in flat terrain. Pixels without a shade (0) are transparent.
 */
export function renderHillshade(shade: Float32Array, width: number, height: number, stretch?: Stretch): HillshadeRender {
  const valid = new Uint8Array(shade.length);
  for (let i = 0; i < shade.length; i++) valid[i] = shade[i] > 0 ? 1 : 0;
  const range: ValueRange = stretch ? stretchRange(shade, stretch, valid) : [0, 255];
  const image = createImage(width, height);
  const out = image.data;
  for (let i = 0, o = 0; i < shade.length; i++, o += 4) {
    if (!valid[i] || !range) continue;
    const v = stretch ? scaleToByte(shade[i], range[0], range[1]) : Math.round(shade[i]);
    out[o] = v;
    out[o + 1] = v;
    out[o + 2] = v;
    out[o + 3] = 255;
  }
  return { image, range };
}
