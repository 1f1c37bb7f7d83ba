/** Shapes shared by the GeoTIFF reader, the CRS helpers and their users. Field names follow GDAL/rasterio. */

export type Dtype = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';

export type TypedArray =
  | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** GDAL's affine geotransform as rasterio orders it: x = a*col + b*row + c, y = d*col + e*row + f (pixel corners). */
export type GeoTransform = [a: number, b: number, c: number, d: number, e: number, f: number];

/** Pixel window [x0, y0, x1, y1): columns x0..x1-1, rows y0..y1-1. */
export type PixelWindow = [x0: number, y0: number, x1: number, y1: number];

export interface RasterInfo {
  path: string;
  width: number;
  height: number;
  /** Bands (TIFF samples per pixel, alpha included, as GDAL counts them). */
  count: number;
  dtype: Dtype;
  /** EPSG code of the CRS, or null when there is none or it has no EPSG equivalent (as rasterio's crs.to_epsg()). */
  crs_epsg: number | null;
  transform: GeoTransform;
  /** GDAL_NODATA as GDAL reports it (rounded to float32 for float32 bands); NaN is a valid nodata value. */
  nodata: number | null;
  /** Internal reduced-resolution images (mask IFDs excluded). */
  overviews: number;
  /** rasterio's compression name: 'deflate', 'lzw', 'jpeg', 'packbits', 'zstd', 'lerc', ... or null. */
  compression: string | null;
  tiled: boolean;
  /** Block (tile or strip) size in pixels: [width, height]. */
  block: [number, number];
  interleave: 'pixel' | 'band';
  /** TIFF PhotometricInterpretation name (JPEG YCbCr is read as RGB, as GDAL does). */
  photometric: string;
  /** Where the geotransform came from ('none' gives the identity transform, as in GDAL). */
  georef: 'pixelscale' | 'transformation' | 'gcps' | 'none';
  pixel_is_point: boolean;
  /** Tiepoints when they are ground control points rather than a geotransform (then crs_epsg is null, as GDAL). */
  gcps: { col: number; row: number; x: number; y: number; z: number }[];
  /** EPSG code the GCPs refer to. */
  gcp_crs_epsg: number | null;
}

export interface BandStatistics {
  /** Pixels that are neither nodata nor NaN. */
  valid: number;
  /** null when no pixel is valid. */
  min: number | null;
  max: number | null;
  mean: number | null;
}

export interface RasterData {
  info: RasterInfo;
  /** One row-major array per requested band, window width x window height. */
  bands: TypedArray[];
  window: PixelWindow;
}
