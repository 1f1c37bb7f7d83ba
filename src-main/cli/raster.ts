/**
 * `terrafuse raster FILE... [--json]`: what GDAL would report about GeoTIFFs, with per-band statistics over valid
 * pixels. A file that cannot be read is reported on stderr (file and reason) and the others still print; the
 * exit code is 1 if any file failed.
 */
import { parseArgs } from 'node:util';
import type { Command } from './command';
import { UsageError } from './command';
import { bandStatistics, readRaster, RasterError } from '../core/geo/raster';
import { nodataToJson } from '../core/geo/nodata';
import type { BandStatistics, RasterInfo } from '../core/geo/types';

const USAGE = `Usage: terrafuse raster FILE... [--json]

Reads GeoTIFFs as GDAL does and prints, per file, size, band count, data type, CRS (EPSG), geotransform
[a, b, c, d, e, f] (x = a*col + b*row + c, y = d*col + e*row + f), nodata, and per band the number of valid
pixels (neither nodata nor NaN) with their min, max and mean.

Options:
  --json    one JSON object per line per file:
            {"path","width","height","count","dtype","crs_epsg","transform","nodata","bands":[{"valid","min","max","mean"}],
             "overviews","compression","tiled","block","interleave","photometric"}
            (nodata NaN is written "nan", as rasterio prints it)
`;

function jsonLine(path: string, info: RasterInfo, stats: BandStatistics[]): string {
  // Key order is part of the output contract: the documented fields first, extras after.
  return JSON.stringify({
    path,
    width: info.width,
    height: info.height,
    count: info.count,
    dtype: info.dtype,
    crs_epsg: info.crs_epsg,
    transform: info.transform,
    nodata: nodataToJson(info.nodata),
    bands: stats.map((s) => ({ valid: s.valid, min: s.min, max: s.max, mean: s.mean })),
    overviews: info.overviews,
    compression: info.compression,
    tiled: info.tiled,
    block: info.block,
    interleave: info.interleave,
    photometric: info.photometric,
  });
}

const fmt = (v: number | null): string => (v === null ? '-' : Number.isInteger(v) ? String(v) : v.toPrecision(8).replace(/\.?0+$/, ''));

function summary(path: string, info: RasterInfo, stats: BandStatistics[]): string {
  const [a, b, c, d, e, f] = info.transform;
  const rotated = b !== 0 || d !== 0;
  const layout = `${info.tiled ? 'tiles' : 'strips'} ${info.block[0]}x${info.block[1]}, ${info.interleave}-interleaved`;
  const lines = [
    path,
    `  ${info.width} x ${info.height} pixels, ${info.count} band${info.count === 1 ? '' : 's'} ${info.dtype}, ${info.compression ?? 'uncompressed'}, ${layout}, ${info.overviews} overview${info.overviews === 1 ? '' : 's'}`,
    `  CRS ${info.crs_epsg === null ? 'none' : `EPSG:${info.crs_epsg}`}, origin (${fmt(c)}, ${fmt(f)}), pixel ${fmt(a)} x ${fmt(e)}` +
      (rotated ? `, rotation/shear terms ${fmt(b)}, ${fmt(d)}` : '') +
      (info.georef === 'none' ? ' (no georeferencing)' : info.georef === 'gcps' ? ` (${info.gcps.length} GCPs)` : ''),
    `  nodata ${info.nodata === null ? 'none' : String(nodataToJson(info.nodata))}`,
    ...stats.map(
      (s, i) => `  band ${i + 1}: ${s.valid} valid` + (s.valid ? `, min ${fmt(s.min)}, max ${fmt(s.max)}, mean ${fmt(s.mean)}` : ''),
    ),
  ];
  return `${lines.join('\n')}\n`;
}

export const rasterCommand: Command = {
  name: 'raster',
  summary: 'Show GeoTIFF facts and band statistics exactly as GDAL reads them',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } }, allowPositionals: true, strict: true });
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
    const files = parsed.positionals;
    if (files.length === 0) throw new UsageError('no FILE given (terrafuse raster FILE... [--json])');
    let failed = 0;
    for (const path of files) {
      try {
        // One decode per file: the statistics come from the same pixels.
        const { info, bands } = await readRaster(path);
        const stats = bands.map((band) => bandStatistics(band, info.nodata));
        process.stdout.write(parsed.values.json ? `${jsonLine(path, info, stats)}\n` : summary(path, info, stats));
      } catch (err) {
        failed++;
        const message = err instanceof RasterError ? err.message : `${path}: ${err instanceof Error ? err.message : String(err)}`;
        process.stderr.write(`terrafuse raster: ${message}\n`);
      }
    }
    return failed > 0 ? 1 : 0;
  },
};
