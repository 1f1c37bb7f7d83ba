/**
 * Assembles a pixel window from decoded strips/tiles. geotiff.js fetches and decodes each block
 * (GeoTIFFImage.getTileOrStrip: decompression, predictor, unpacking of odd bit depths); we place the samples
 * ourselves, because geotiff.js's own readRasters mis-addresses bands of pixel-interleaved data whose bit depth is
 * not a multiple of 8 (sample offsets of 1.5 bytes), and because copying rows of typed arrays is much faster than
 * its per-sample DataView calls.
 *
 * Sparse blocks (offset or byte count 0, as GDAL writes with SPARSE_OK) read as nodata, or 0 without nodata, as
 * in GDAL.
 */
import type { DecoderWorker, GeoTIFFImage } from 'geotiff';
import { allocate, halfToFloat, view } from './dtype';
import { UnsupportedRaster } from './errors';
import type { BlockLayout } from './structure';
import type { PixelWindow, TypedArray } from './types';

/** Blocks decoded at once: enough to keep a worker pool busy, few enough to bound memory. */
const IN_FLIGHT = 8;

/** geotiff.js unpacks (normalises) every depth that is not a whole number of bytes, unsigned only. */
function isPacked(layout: BlockLayout): boolean {
  const { sampleFormat: f, bits } = layout;
  if ((f === 1 || f === 2) && bits % 8 === 0 && bits <= 32) return false;
  if (f === 3 && (bits === 16 || bits === 32 || bits === 64)) return false;
  return true;
}

/** The samples of one decoded block as a typed array of the band dtype (native byte order). */
function samplesOf(layout: BlockLayout, data: ArrayBufferLike, count: number, blockIndex: number): TypedArray {
  const packed = isPacked(layout);
  // Unpacked data come back as 1-, 2- or 4-byte unsigned integers; everything is in native byte order (the
  // decoder router swaps big-endian words).
  const size = packed ? (layout.bits <= 8 ? 1 : layout.bits <= 16 ? 2 : 4) : layout.bits / 8;
  if (data.byteLength < count * size) {
    throw new UnsupportedRaster(
      `corrupt data: ${layout.tiled ? 'tile' : 'strip'} ${blockIndex} decodes to ${data.byteLength} bytes, ${count * size} expected`,
    );
  }
  if (layout.sampleFormat === 3 && layout.bits === 16) {
    const half = new Uint16Array(data, 0, count);
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = halfToFloat(half[i]);
    return out;
  }
  return view(layout.dtype, data, count);
}

const INTEGER_RANGE: Partial<Record<BlockLayout['dtype'], [number, number]>> = {
  uint8: [0, 255], int8: [-128, 127], uint16: [0, 65535], int16: [-32768, 32767],
  uint32: [0, 4294967295], int32: [-2147483648, 2147483647],
};

/** GDAL fills missing blocks with the nodata value converted (rounded, saturated) to the band type, or 0. */
function fillValue(nodata: number | null, dtype: BlockLayout['dtype']): number {
  if (nodata === null) return 0;
  const range = INTEGER_RANGE[dtype];
  if (!range) return nodata;
  if (Number.isNaN(nodata)) return 0;
  return Math.min(range[1], Math.max(range[0], Math.round(nodata)));
}

export async function readWindow(
  image: GeoTIFFImage,
  layout: BlockLayout,
  window: PixelWindow,
  bands: number[],
  decoder: DecoderWorker,
  nodata: number | null,
): Promise<TypedArray[]> {
  const [x0, y0, x1, y1] = window;
  const ww = x1 - x0;
  const wh = y1 - y0;
  const out = bands.map(() => allocate(layout.dtype, ww * wh));
  const { blockWidth: bw, blockHeight: bh, samples, planar } = layout;
  const fill = fillValue(nodata, layout.dtype);
  const bx0 = Math.floor(x0 / bw);
  const bx1 = Math.ceil(x1 / bw);
  const by0 = Math.floor(y0 / bh);
  const by1 = Math.ceil(y1 / bh);

  // One job per block (pixel-interleaved) or per block and band (band-interleaved).
  const jobs: { bx: number; by: number; sample: number; targets: number[] }[] = [];
  for (let by = by0; by < by1; by++) {
    for (let bx = bx0; bx < bx1; bx++) {
      if (planar === 1) jobs.push({ bx, by, sample: 0, targets: bands.map((_, i) => i) });
      else bands.forEach((band, i) => jobs.push({ bx, by, sample: band, targets: [i] }));
    }
  }

  const place = (job: (typeof jobs)[number], src: TypedArray | null): void => {
    const rows = Math.min(bh, layout.height - job.by * bh);
    const gx0 = Math.max(x0, job.bx * bw);
    const gx1 = Math.min(x1, job.bx * bw + bw, layout.width);
    const gy0 = Math.max(y0, job.by * bh);
    const gy1 = Math.min(y1, job.by * bh + rows);
    const spp = planar === 1 ? samples : 1;
    for (const t of job.targets) {
      const dst = out[t];
      const s = planar === 1 ? bands[t] : 0;
      for (let gy = gy0; gy < gy1; gy++) {
        const o = (gy - y0) * ww + (gx0 - x0);
        if (!src) {
          dst.fill(fill, o, o + (gx1 - gx0));
          continue;
        }
        const rowStart = ((gy - job.by * bh) * bw + (gx0 - job.bx * bw)) * spp + s;
        if (spp === 1) {
          dst.set(src.subarray(rowStart, rowStart + (gx1 - gx0)), o);
        } else {
          for (let k = 0, i = rowStart; k < gx1 - gx0; k++, i += spp) dst[o + k] = src[i];
        }
      }
    }
  };

  const run = async (job: (typeof jobs)[number]): Promise<void> => {
    const index = (planar === 2 ? job.sample * layout.blocksAcross * layout.blocksDown : 0) + job.by * layout.blocksAcross + job.bx;
    if (layout.offsets[index] === 0 || layout.byteCounts[index] === 0) {
      place(job, null);
      return;
    }
    const rows = Math.min(bh, layout.height - job.by * bh);
    const count = bw * rows * (planar === 1 ? samples : 1);
    let decoded: ArrayBufferLike;
    try {
      decoded = (await image.getTileOrStrip(job.bx, job.by, job.sample, decoder)).data;
    } catch (err) {
      if (err instanceof UnsupportedRaster) throw err;
      const what = `${layout.tiled ? 'tile' : 'strip'} ${index}`;
      throw new UnsupportedRaster(`cannot decode ${what}: ${err instanceof Error ? err.message : String(err)}`);
    }
    place(job, samplesOf(layout, decoded, count, index));
  };

  for (let i = 0; i < jobs.length; i += IN_FLIGHT) {
    await Promise.all(jobs.slice(i, i + IN_FLIGHT).map(run));
  }
  return out;
}

