/**
 * Opening a file for geotiff.js, with the failures a user meets turned into plain reasons: missing file, a folder,
 * no permission, not a TIFF at all (with a guess of what it is), a header pointing past the end of the file.
 * Small files are read whole with one fs call (geotiff's chunked file source costs more than it saves on the
 * 30 KB BigEarthNet bands); large ones are read on demand, so `openRaster` on a big COG touches only its headers.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { fromArrayBuffer, fromFile, type GeoTIFF } from 'geotiff';
import { RasterError } from './errors';

/** Files up to this size are read into memory in one go. */
export const WHOLE_FILE_BYTES = 64 * 1024 * 1024;

export interface OpenedTiff {
  tiff: GeoTIFF;
  /** File size in bytes (blocks are checked against it to name truncation precisely). */
  size: number;
  littleEndian: boolean;
  bigTiff: boolean;
  close(): Promise<void>;
}

const SIGNATURES: [number[], string][] = [
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
  [[0xff, 0xd8, 0xff], 'a JPEG image'],
  [[0x1f, 0x8b], 'a gzip archive'],
  [[0x50, 0x4b, 0x03, 0x04], 'a zip archive'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document'],
  [[0x89, 0x48, 0x44, 0x46], 'an HDF5/NetCDF-4 file'],
  [[0x43, 0x44, 0x46], 'a NetCDF file'],
  [[0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50], 'a JPEG 2000 image'],
  [[0x50, 0x41, 0x52, 0x31], 'a Parquet file'],
];

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Why these first bytes are not a TIFF header, or null when they are one. */
export function notTiffReason(head: Uint8Array, size: number): string | null {
  if (size < 8) return `not a TIFF file: only ${size} byte${size === 1 ? '' : 's'} long`;
  const ii = head[0] === 0x49 && head[1] === 0x49;
  const mm = head[0] === 0x4d && head[1] === 0x4d;
  const magic = ii ? head[2] | (head[3] << 8) : mm ? (head[2] << 8) | head[3] : -1;
  if ((ii || mm) && (magic === 42 || magic === 43)) return null;
  const known = SIGNATURES.find(([sig]) => sig.every((b, i) => head[i] === b));
  if (known) return `not a TIFF file: it is ${known[1]}`;
  const printable = head.subarray(0, 8).every((b) => (b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x0d || b === 0x09);
  if (printable) return `not a TIFF file: it starts with text ${JSON.stringify(new TextDecoder().decode(head.subarray(0, 8)))}`;
  return `not a TIFF file: header bytes ${hex(head.subarray(0, 4))} are not 'II*\\0' or 'MM\\0*'`;
}

function ioReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a folder, not a file';
  return `cannot read file (${code ?? (err instanceof Error ? err.message : String(err))})`;
}

/** The first-IFD offset from the header, to check it against the file size. */
function firstIfdOffset(head: Uint8Array): number {
  const le = head[0] === 0x49;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (view.getUint16(2, le) === 43) return Number(view.getBigUint64(8, le));
  return view.getUint32(4, le);
}

export async function openTiff(path: string, options: { whole?: boolean } = {}): Promise<OpenedTiff> {
  let size: number;
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new RasterError(path, 'is a folder, not a GeoTIFF');
    size = st.size;
  } catch (err) {
    if (err instanceof RasterError) throw err;
    throw new RasterError(path, ioReason(err));
  }
  const whole = options.whole ?? size <= WHOLE_FILE_BYTES;
  let head: Uint8Array;
  let bytes: Buffer | null = null;
  try {
    if (whole) {
      bytes = await readFile(path);
      head = bytes.subarray(0, 16);
    } else {
      const fh = await open(path, 'r');
      try {
        head = new Uint8Array(16);
        await fh.read(head, 0, 16, 0);
      } finally {
        await fh.close();
      }
    }
  } catch (err) {
    throw new RasterError(path, ioReason(err));
  }
  const notTiff = notTiffReason(head, size);
  if (notTiff) throw new RasterError(path, notTiff);
  const bigTiff = head[2] === 43 || head[3] === 43;
  if (bigTiff && size < 16) throw new RasterError(path, `truncated BigTIFF header (${size} bytes)`);
  const ifd = firstIfdOffset(head);
  if (ifd < 8 || ifd >= size) {
    throw new RasterError(path, `truncated or corrupt TIFF: the first IFD is at byte ${ifd}, but the file has ${size} bytes`);
  }
  try {
    const tiff = bytes
      ? await fromArrayBuffer(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
      : await fromFile(path);
    return {
      tiff,
      size,
      littleEndian: head[0] === 0x49,
      bigTiff,
      close: async () => {
        await tiff.close();
      },
    };
  } catch (err) {
    throw new RasterError(path, `corrupt TIFF header: ${err instanceof Error ? err.message : String(err)}`);
  }
}
