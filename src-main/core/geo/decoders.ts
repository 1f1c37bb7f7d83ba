/**
 * Which decoder turns a compressed strip/tile into samples. geotiff.js asks its `pool` option to
 * `bindParameters(compression, parameters)`; we answer with
 *   - JPEG (7): our libjpeg-exact decoder (jpeg/decode.ts), in this thread, so pixels equal GDAL's;
 *   - everything else: geotiff.js's own decoders (lossless, hence already exact), in a worker Pool when the
 *     caller provides one, otherwise in this thread.
 * Routing per image (not with geotiff's global addDecoder registry) keeps other users of geotiff in the process
 * untouched, and lets the JPEG decoder know the image's Photometric, which geotiff does not pass to decoders.
 */
import { getDecoder, Pool, type DecoderWorker, type GeoTIFFImage } from 'geotiff';
import { decodeJpeg } from './jpeg/decode';

type DecoderParameters = Parameters<Pool['bindParameters']>[1];

export const COMPRESSION_JPEG = 7;
const PHOTOMETRIC_YCBCR = 6;

/** Reverses the bit order of every byte (TIFF FillOrder=2, which libtiff undoes before decompression). */
const REVERSED = new Uint8Array(256).map((_, b) => {
  let r = 0;
  for (let i = 0; i < 8; i++) r |= ((b >> i) & 1) << (7 - i);
  return r;
});

export interface RouterOptions {
  photometric: number;
  /** The file's byte order; blocks come out of the router in this machine's (little-endian) order regardless. */
  littleEndian?: boolean;
  /** Bits per sample (uniform across bands). */
  bits?: number;
  /** TIFF FillOrder: 2 means the bits of each byte are stored least-significant first. */
  fillOrder?: number;
  /** A geotiff worker Pool for the lossless decoders, or null to decode in this thread. */
  workers?: Pool | null;
}

export class DecoderRouter extends Pool {
  constructor(private readonly options: RouterOptions) {
    super(0); // no workers of our own: a Pool of size 0 decodes in this thread
  }

  override bindParameters(compression: number, parameters: DecoderParameters): DecoderWorker {
    // libtiff's JPEG codec reads the bit order itself (TIFF_NOBITREV); every other codec gets reversed bytes.
    if (compression === COMPRESSION_JPEG) return jpegDecoder(parameters, this.options.photometric);
    const bits = this.options.bits ?? 8;
    // geotiff.js applies the horizontal predictor in native byte order, wrongly for big-endian files; there we
    // decompress without it, swap to native order and undo the predictor ourselves. Its floating-point predictor
    // already yields native order, as libtiff's does.
    const bigEndianWords = this.options.littleEndian === false && bits % 8 === 0 && bits > 8;
    const predictor = parameters.predictor;
    const ownPredictor = bigEndianWords && predictor === 2;
    const inner = this.lossless(compression, ownPredictor ? { ...parameters, predictor: 1 } : parameters);
    let decode = inner.decode;
    if (bigEndianWords && predictor !== 3) {
      const samples = parameters.planarConfiguration === 2 ? 1 : (parameters.bitsPerSample as ArrayLike<number>).length || 1;
      decode = async (buffer) => {
        const native = swapWords(await inner.decode(buffer), bits / 8);
        if (ownPredictor) undoHorizontalPredictor(native, bits, parameters.tileWidth * samples, samples);
        return native;
      };
    }
    if (this.options.fillOrder === 2) {
      const bitOrdered = decode;
      decode = (buffer) => bitOrdered(new Uint8Array(buffer).map((b) => REVERSED[b]).buffer);
    }
    return { decode };
  }

  private lossless(compression: number, parameters: DecoderParameters): DecoderWorker {
    if (this.options.workers) return this.options.workers.bindParameters(compression, parameters);
    const decoder = getDecoder(compression, parameters);
    return { decode: async (buffer: ArrayBufferLike) => (await decoder).decode(buffer) };
  }
}

/** Big-endian words to native (little-endian) order, in a new buffer. */
function swapWords(buffer: ArrayBufferLike, size: number): ArrayBuffer {
  const length = buffer.byteLength - (buffer.byteLength % size);
  const bytes = new Uint8Array(length);
  bytes.set(new Uint8Array(buffer, 0, length));
  for (let i = 0; i < bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
  return bytes.buffer;
}

/** TIFF Predictor=2: each sample is stored as the difference to the same band's previous sample in the row. */
function undoHorizontalPredictor(buffer: ArrayBuffer, bits: number, rowLength: number, stride: number): void {
  const words = bits === 16 ? new Uint16Array(buffer) : new Uint32Array(buffer, 0, Math.floor(buffer.byteLength / 4));
  if (bits !== 16 && bits !== 32) throw new Error(`horizontal predictor on ${bits}-bit samples is not supported`);
  for (let row = 0; row + rowLength <= words.length; row += rowLength) {
    for (let i = row + stride; i < row + rowLength; i++) words[i] += words[i - stride]; // wraps like C unsigned
  }
}

function jpegDecoder(parameters: DecoderParameters, photometric: number): DecoderWorker {
  const raw = (parameters as DecoderParameters & { JPEGTables?: ArrayLike<number> }).JPEGTables;
  const tables = raw ? Uint8Array.from(raw) : undefined;
  const { tileWidth, tileHeight } = parameters;
  return {
    decode: async (buffer) => {
      const jpeg = decodeJpeg(new Uint8Array(buffer), { tables, ycbcrToRgb: photometric === PHOTOMETRIC_YCBCR });
      // libtiff rejects a JPEG smaller than its tile / strip ("Improper JPEG strip/tile size").
      if (jpeg.width < tileWidth) {
        throw new Error(`JPEG block is ${jpeg.width} pixels wide, the TIFF block ${tileWidth}`);
      }
      // geotiff.js addresses the block as tileWidth x tileHeight samples; copy into exactly that shape.
      const n = jpeg.components;
      const rows = Math.max(tileHeight, jpeg.height);
      const out = new Uint8Array(tileWidth * rows * n);
      if (jpeg.width === tileWidth) {
        out.set(jpeg.data);
      } else {
        for (let y = 0; y < jpeg.height; y++) {
          out.set(jpeg.data.subarray(y * jpeg.width * n, (y * jpeg.width + tileWidth) * n), y * tileWidth * n);
        }
      }
      return out.buffer;
    },
  };
}

/**
 * The parameters geotiff.js's decoders expect (its own parameter function is not exported): block shape,
 * predictor and bit depths for all, JPEGTables for JPEG, LercParameters for LERC.
 */
export async function decoderParameters(image: GeoTIFFImage, compression: number): Promise<DecoderParameters> {
  const fd = image.getFileDirectory();
  const get = async (tag: number): Promise<unknown> => (fd.hasTag(tag) ? fd.loadValue(tag) : undefined);
  const num = async (tag: number): Promise<number | undefined> => {
    const v = await get(tag);
    if (typeof v === 'number') return v;
    return Array.isArray(v) || ArrayBuffer.isView(v) ? Number((v as ArrayLike<number>)[0]) : undefined;
  };
  const tiled = fd.hasTag(322);
  const parameters: DecoderParameters & Record<string, unknown> = {
    tileWidth: (tiled ? await num(322) : await num(256)) ?? 0,
    tileHeight: (tiled ? await num(323) : ((await num(278)) || (await num(257)))) ?? 0,
    planarConfiguration: (await num(284)) ?? 1,
    bitsPerSample: await (async () => {
      const bits = await get(258);
      return typeof bits === 'number' ? [bits] : Array.from((bits as ArrayLike<number> | undefined) ?? [1]);
    })(),
    predictor: (await num(317)) || 1,
  };
  if (compression === COMPRESSION_JPEG) parameters.JPEGTables = await get(347);
  if (compression === 34887) parameters.LercParameters = await get(50674);
  return parameters;
}
