/** A raster that cannot be read: names the file and says why, in words a user can act on. */
export class RasterError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'RasterError';
  }
}

/** Thrown inside the reader where the path is not known; openRaster/readRaster turn it into a RasterError. */
export class UnsupportedRaster extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedRaster';
  }
}
