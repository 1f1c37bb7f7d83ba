/**
 * The GDAL_NODATA tag (42113) is ASCII, parsed by GDAL with CPLAtofM: leading whitespace, "nan"/"inf" in any
 * case, and strtod's "longest valid prefix" rule ("1.5e3abc" is 1500, "" and "abc" are 0).
 */
import type { Dtype } from './types';

const NUMBER_PREFIX = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/;

export function parseNodata(text: string): number {
  const s = text.replace(/\0+$/, '').trim();
  const lower = s.toLowerCase();
  if (/^[+-]?nan/.test(lower)) return NaN;
  if (/^[+-]?inf/.test(lower)) return lower.startsWith('-') ? -Infinity : Infinity;
  const m = NUMBER_PREFIX.exec(s);
  return m ? Number(m[0]) : 0;
}

/** GDAL stores a float32 band's nodata as a float (so -3.4e38 reads back as -3.3999999521443642e38). */
export function nodataForDtype(value: number, dtype: Dtype): number {
  return dtype === 'float32' ? Math.fround(value) : value;
}

/** JSON has no NaN/Infinity: write them as rasterio prints them ("nan", "inf", "-inf"). */
export function nodataToJson(value: number | null): number | string | null {
  if (value === null) return null;
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  return value;
}
