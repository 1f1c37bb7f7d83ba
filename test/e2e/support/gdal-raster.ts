import { execFileSync } from 'node:child_process';

/**
 * A single-band raster as GDAL reads it (gdalinfo for the grid, gdal_translate to an ASCII grid for the values):
 * an oracle for what our own GeoTIFF reader and writer must agree with, independent of geotiff.js.
 */
export interface GdalRaster {
  width: number;
  height: number;
  /** GDAL's geotransform: [originX, pixelWidth, rowRotation, originY, colRotation, pixelHeight]. */
  geoTransform: number[];
  /** Row-major band 1 values. */
  values: Int32Array;
}

export function readGdalRaster(path: string): GdalRaster {
  const info = JSON.parse(execFileSync('gdalinfo', ['-json', path], { encoding: 'utf8' })) as { size: [number, number]; geoTransform: number[] };
  const [width, height] = info.size;
  const text = execFileSync('gdal_translate', ['-q', '-b', '1', '-of', 'AAIGrid', path, '/vsistdout/'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  // The header lines (ncols, nrows, corners, cell size, nodata) start with a word; the rest are the rows.
  const numbers = text
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^[a-z_]/i.test(line.trim()))
    .flatMap((line) => line.trim().split(/\s+/).map(Number));
  if (numbers.length !== width * height) throw new Error(`${path}: ${numbers.length} values for ${width} x ${height}`);
  return { width, height, geoTransform: info.geoTransform, values: Int32Array.from(numbers) };
}

export function valueAt(r: GdalRaster, col: number, row: number): number {
  return r.values[row * r.width + col];
}

/** Whether the (2·radius+1)² block around (col, row) lies inside the raster and holds one value. */
export function uniformAround(r: GdalRaster, col: number, row: number, radius: number): boolean {
  if (col - radius < 0 || row - radius < 0 || col + radius >= r.width || row + radius >= r.height) return false;
  const v = valueAt(r, col, row);
  for (let dy = -radius; dy <= radius; dy++) for (let dx = -radius; dx <= radius; dx++) if (valueAt(r, col + dx, row + dy) !== v) return false;
  return true;
}

/** The map coordinates (in the raster's CRS) of a pixel's centre. */
export function pixelCentre(r: GdalRaster, col: number, row: number): [number, number] {
  const [x0, dx, rx, y0, ry, dy] = r.geoTransform;
  const c = col + 0.5;
  const l = row + 0.5;
  return [x0 + c * dx + l * rx, y0 + c * ry + l * dy];
}
