/**
 * Test helpers that ask Debian's GDAL (gdalinfo, gdallocationinfo) and rasterio (/usr/bin/python3) how they read
 * a file. Tests that use them are skipped where these tools are not installed; CI installs gdal-bin and
 * python3-rasterio.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const HAS_GDAL = existsSync('/usr/bin/gdalinfo') && existsSync('/usr/bin/gdallocationinfo');

export const HAS_RASTERIO = (() => {
  if (!existsSync('/usr/bin/python3')) return false;
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import rasterio'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

export interface GdalInfo {
  size: [number, number];
  geoTransform: [number, number, number, number, number, number];
  coordinateSystem?: { wkt: string };
  bands: Array<{ band: number; type: string; noDataValue?: number | string; description?: string; metadata?: Record<string, Record<string, string>> }>;
  metadata?: Record<string, Record<string, string>>;
}

export function gdalinfo(path: string): GdalInfo {
  return JSON.parse(execFileSync('/usr/bin/gdalinfo', ['-json', path], { encoding: 'utf8' })) as GdalInfo;
}

/** The EPSG code at the end of GDAL's WKT2 (ID["EPSG",32633]). */
export function epsgOf(info: GdalInfo): number | null {
  const m = /ID\["EPSG",(\d+)\]\]\s*$/.exec(info.coordinateSystem?.wkt ?? '');
  return m ? Number(m[1]) : null;
}

/** Pixel value at (col, row) of band 1, as gdallocationinfo prints it. */
export function gdalPixel(path: string, col: number, row: number, band = 1): number {
  const out = execFileSync('/usr/bin/gdallocationinfo', ['-valonly', '-b', String(band), path, String(col), String(row)], { encoding: 'utf8' });
  return Number(out.trim());
}

export interface RasterioRead {
  path: string;
  width: number;
  height: number;
  count: number;
  dtype: string;
  epsg: number | null;
  transform: number[];
  nodata: number | null;
  /** Little-endian bytes of all bands (band-sequential), base64. */
  data: string;
}

/** Read whole files with rasterio in one Python process. */
export function rasterioRead(paths: string[]): RasterioRead[] {
  const script = `
import sys, json, base64, rasterio, numpy as np
out = []
for p in json.load(sys.stdin):
    with rasterio.open(p) as d:
        a = d.read()
        a = a.astype(a.dtype.newbyteorder('<'), copy=False)
        t = d.transform
        out.append(dict(path=p, width=d.width, height=d.height, count=d.count, dtype=str(a.dtype.name),
                        epsg=d.crs.to_epsg() if d.crs else None, transform=[t.a, t.b, t.c, t.d, t.e, t.f],
                        nodata=None if d.nodata is None or (isinstance(d.nodata, float) and np.isnan(d.nodata)) else d.nodata,
                        data=base64.b64encode(np.ascontiguousarray(a).tobytes()).decode()))
json.dump(out, sys.stdout)
`;
  const text = execFileSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify(paths), encoding: 'utf8', maxBuffer: 1 << 30 });
  return JSON.parse(text) as RasterioRead[];
}
