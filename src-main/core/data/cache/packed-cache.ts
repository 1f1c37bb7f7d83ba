/**
 * The packed cache: every patch decoded once into fixed-size records, one binary file per modality plus a JSON
 * header, so that training never touches a GeoTIFF again.
 *
 *   header.json      format version, dataset identity, per patch: source fingerprint, which modalities are present,
 *                    its 10 m grid (CRS + transform) and the problems met while decoding it
 *   s2.bin           Uint16 [120*120*12] per patch, NHWC, digital numbers rounded to integers and clipped to
 *                    [0, 10000] (the 20/60 m bands are bilinearly resampled; rounding changes them by at most
 *                    0.5 DN = 0.00005 reflectance)
 *   s1.bin           Int16 [120*120*2] per patch, NHWC, dB * 100 clipped to [-25, 0] dB (0.01 dB steps);
 *                    nodata/NaN stored as -25 dB (no signal)
 *   dem.bin          Float32 [120*120] per patch, metres (Int16 could not hold 0.1 m steps above 3,276 m)
 *   worldcover.bin   Uint8 [120*120] per patch, class index 0..10, 255 = ignore
 *   vectors.bin      Float32 [VECTOR_LENGTH] per patch (season, climate zone, ERA-5, fractions, labels; NaN unknown)
 * S2 and S1 are clipped to the ranges their fixed normalisation (normalise.ts) keeps anyway: batch assembly then
 * needs no clamp, which matters in the hot loop (assemble.ts). DEM and ERA-5 stay in raw units, so training-set
 * statistics can change without rebuilding. A patch absent in a modality keeps a zero record.
 *
 * Invalidation: each patch's fingerprint covers the size and mtime of all its source files; a changed patch is
 * re-decoded in place, a different patch list, dataset tables (CSV, parquet) or format version rebuild everything.
 * The header is written last, atomically, so an interrupted build is simply redone.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { IGNORE_INDEX, PATCH_SIZE, S1_BANDS, S2_BANDS } from '../modalities';
import type { DatasetIndex, PatchEntry } from '../layouts/types';
import { decodePatch, type DecodedPatch, type PatchGrid } from '../decode-patch';
import type { DataProblem } from '../problems';
import { fileFingerprint } from '../raster-io';
import { computeVectors, VECTOR_LENGTH } from '../targets';

export const CACHE_FORMAT_VERSION = 2;
const PIXELS = PATCH_SIZE * PATCH_SIZE;

export const CACHED_MODALITIES = ['s2', 's1', 'dem', 'worldcover'] as const;
export type CachedModality = (typeof CACHED_MODALITIES)[number];

export type StoredArray = Uint16Array | Int16Array | Float32Array | Uint8Array;

interface StoreSpec {
  channels: number;
  bytesPerValue: number;
  make: (buffer: ArrayBufferLike, byteOffset: number, length: number) => StoredArray;
}

export const STORE: Record<CachedModality | 'vectors', StoreSpec> = {
  s2: { channels: S2_BANDS.length, bytesPerValue: 2, make: (b, o, n) => new Uint16Array(b, o, n) },
  s1: { channels: S1_BANDS.length, bytesPerValue: 2, make: (b, o, n) => new Int16Array(b, o, n) },
  dem: { channels: 1, bytesPerValue: 4, make: (b, o, n) => new Float32Array(b, o, n) },
  worldcover: { channels: 1, bytesPerValue: 1, make: (b, o, n) => new Uint8Array(b, o, n) },
  vectors: { channels: 0, bytesPerValue: 4, make: (b, o, n) => new Float32Array(b, o, n) },
};

/** Values per patch record. */
export function recordLength(m: CachedModality | 'vectors'): number {
  return m === 'vectors' ? VECTOR_LENGTH : PIXELS * STORE[m].channels;
}

export const S2_STORE_MAX = 10000;
/** S1 is stored as round(dB * 100) in [S1_STORE_MIN, S1_STORE_MAX]. */
export const S1_STORE_SCALE = 100;
export const S1_STORE_MIN = -2500;
export const S1_STORE_MAX = 0;
export const WORLDCOVER_STORE_IGNORE = 255;

const PRESENT_BIT: Record<CachedModality, number> = { s2: 1, s1: 2, dem: 4, worldcover: 8 };

export interface CachedPatchHeader {
  id: string;
  fingerprint: string;
  /** Bit set of present modalities (s2 1, s1 2, dem 4, worldcover 8). */
  present: number;
  grid: PatchGrid | null;
  problems: DataProblem[];
}

export interface CacheHeader {
  format: number;
  layout: string;
  root: string;
  name: string;
  tablesFingerprint: string;
  patches: CachedPatchHeader[];
  createdAt: string;
}

export interface CacheProgress {
  phase: 'check' | 'decode' | 'load';
  done: number;
  total: number;
  patchId?: string;
}

export interface BuildOptions {
  onProgress?: (p: CacheProgress) => void;
  /** Ignore an existing cache and decode everything. */
  rebuild?: boolean;
}

export interface BuildReport {
  decoded: number;
  reused: number;
  problems: DataProblem[];
}

function hash(text: string): string {
  return createHash('sha1').update(text).digest('hex').slice(0, 20);
}

function filesOf(entry: PatchEntry): string[] {
  const files: string[] = [];
  const f = entry.files;
  if (f.s2) for (const b of S2_BANDS) files.push(f.s2[b].path);
  if (f.s1) for (const b of S1_BANDS) files.push(f.s1[b].path);
  for (const k of ['dem', 'worldcover', 'reference'] as const) {
    const bf = f[k];
    if (bf) files.push(bf.path);
  }
  return [...new Set([...files, ...(entry.sidecars ?? [])])];
}

/** Signature of a patch's sources: paths, sizes, mtimes, and the index's view of its metadata and labels. */
export function patchFingerprint(entry: PatchEntry): string {
  const parts = filesOf(entry).map((p) => {
    const fp = fileFingerprint(p);
    return `${p}:${fp ? `${fp.size}:${fp.mtimeMs}` : 'missing'}`;
  });
  parts.push(JSON.stringify(entry.meta), JSON.stringify(entry.labels));
  return hash(parts.join('|'));
}

export function tablesFingerprint(index: DatasetIndex): string {
  return hash([`v${CACHE_FORMAT_VERSION}`, index.layout, index.root, ...index.tables.map((t) => {
    const fp = fileFingerprint(t);
    return `${t}:${fp ? `${fp.size}:${fp.mtimeMs}` : 'missing'}`;
  })].join('|'));
}

/** A per-dataset cache folder under the OS temp folder (callers with a workspace pass their own). */
export function defaultCacheDir(root: string): string {
  return join(tmpdir(), 'terrafuse-cache', hash(root));
}

function readHeader(dir: string): CacheHeader | undefined {
  try {
    const h = JSON.parse(readFileSync(join(dir, 'header.json'), 'utf8')) as CacheHeader;
    return h.format === CACHE_FORMAT_VERSION ? h : undefined;
  } catch {
    return undefined;
  }
}

/** Encodes a decoded patch's modality into its stored record. */
export function encodeRecord(m: CachedModality, decoded: DecodedPatch, out: StoredArray): boolean {
  if (m === 's2') {
    const src = decoded.s2;
    if (!src) return false;
    for (let i = 0; i < src.length; i++) {
      const v = Math.round(src[i]);
      out[i] = v < 0 ? 0 : v > S2_STORE_MAX ? S2_STORE_MAX : v;
    }
  } else if (m === 's1') {
    const src = decoded.s1;
    if (!src) return false;
    for (let i = 0; i < src.length; i++) {
      const v = src[i];
      out[i] = v !== v ? S1_STORE_MIN : Math.max(S1_STORE_MIN, Math.min(S1_STORE_MAX, Math.round(v * S1_STORE_SCALE)));
    }
  } else if (m === 'dem') {
    if (!decoded.dem) return false;
    out.set(decoded.dem);
  } else {
    const src = decoded.worldcover;
    if (!src) return false;
    for (let i = 0; i < src.length; i++) out[i] = src[i] === IGNORE_INDEX ? WORLDCOVER_STORE_IGNORE : src[i];
  }
  return true;
}

/**
 * Makes sure `dir` holds a valid cache of `index`: reuses what is valid, decodes what is missing or stale.
 * A patch whose files are all unreadable stays in the cache with no modality present (its problems say why).
 */
export async function buildCache(index: DatasetIndex, dir: string, options: BuildOptions = {}): Promise<BuildReport> {
  mkdirSync(dir, { recursive: true });
  // One builder per cache folder at a time: in this process (a UI and a training job opening the same dataset)
  // and across processes (a lock file holding the builder's pid; a dead holder's lock is taken over).
  const key = resolve(dir);
  const previous = building.get(key) ?? Promise.resolve();
  const mine = previous.catch(() => undefined).then(async () => {
    const release = await acquireLock(join(dir, 'build.lock'));
    try {
      return await buildUnlocked(index, dir, options);
    } finally {
      release();
    }
  });
  building.set(key, mine);
  try {
    return await mine;
  } finally {
    if (building.get(key) === mine) building.delete(key);
  }
}

const building = new Map<string, Promise<BuildReport>>();

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Creates `file` exclusively (waiting while a live process holds it); returns the release function. */
async function acquireLock(file: string, timeoutMs = 30 * 60_000): Promise<() => void> {
  const started = Date.now();
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(file, 'utf8'));
    } catch {
      continue; // released between our attempts
    }
    if (!Number.isInteger(holder) || holder <= 0 || !pidAlive(holder)) {
      rmSync(file, { force: true }); // stale lock of a crashed builder
      continue;
    }
    if (Date.now() - started > timeoutMs) throw new Error(`${file}: cache is being built by process ${holder} for too long`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function buildUnlocked(index: DatasetIndex, dir: string, options: BuildOptions): Promise<BuildReport> {
  const n = index.patches.length;
  const progress = options.onProgress ?? (() => undefined);
  const old = options.rebuild ? undefined : readHeader(dir);
  const tablesFp = tablesFingerprint(index);
  const sameList = old !== undefined && old.tablesFingerprint === tablesFp && old.layout === index.layout
    && old.patches.length === n && old.patches.every((p, i) => p.id === index.patches[i].id);

  const fingerprints: string[] = [];
  for (let i = 0; i < n; i++) {
    fingerprints.push(patchFingerprint(index.patches[i]));
    if (i % 256 === 0) progress({ phase: 'check', done: i, total: n });
  }
  const todo: number[] = [];
  for (let i = 0; i < n; i++) if (!sameList || old!.patches[i].fingerprint !== fingerprints[i]) todo.push(i);
  const headers: CachedPatchHeader[] = sameList
    ? old!.patches.map((p) => ({ ...p }))
    : index.patches.map((p) => ({ id: p.id, fingerprint: '', present: 0, grid: null, problems: [] }));

  if (todo.length > 0) {
    const fds = {} as Record<CachedModality | 'vectors', number>;
    const all = [...CACHED_MODALITIES, 'vectors'] as const;
    try {
      for (const m of all) {
        const file = join(dir, `${m}.bin`);
        const bytes = n * recordLength(m) * STORE[m].bytesPerValue;
        fds[m] = openSync(file, sameList ? 'r+' : 'w+');
        if (fstatSync(fds[m]).size !== bytes) ftruncateSync(fds[m], bytes);
      }
      const scratch = {} as Record<CachedModality | 'vectors', StoredArray>;
      for (const m of all) {
        const len = recordLength(m);
        scratch[m] = STORE[m].make(new ArrayBuffer(len * STORE[m].bytesPerValue), 0, len);
      }
      let done = 0;
      for (const i of todo) {
        const entry = index.patches[i];
        progress({ phase: 'decode', done, total: todo.length, patchId: entry.id });
        const decoded = await decodePatch(entry);
        let present = 0;
        for (const m of CACHED_MODALITIES) {
          const rec = scratch[m];
          if (encodeRecord(m, decoded, rec)) present |= PRESENT_BIT[m];
          else rec.fill(0);
          const bytes = new Uint8Array(rec.buffer, rec.byteOffset, rec.byteLength);
          writeSync(fds[m], bytes, 0, bytes.byteLength, i * bytes.byteLength);
        }
        const vec = computeVectors(entry, decoded);
        const vbytes = new Uint8Array(vec.buffer, vec.byteOffset, vec.byteLength);
        writeSync(fds.vectors, vbytes, 0, vbytes.byteLength, i * vbytes.byteLength);
        headers[i] = { id: entry.id, fingerprint: fingerprints[i], present, grid: decoded.grid ?? null, problems: decoded.problems };
        done++;
      }
      progress({ phase: 'decode', done, total: todo.length });
    } finally {
      for (const fd of Object.values(fds)) closeSync(fd);
    }
  }
  const header: CacheHeader = {
    format: CACHE_FORMAT_VERSION,
    layout: index.layout,
    root: index.root,
    name: index.name,
    tablesFingerprint: tablesFp,
    patches: headers,
    createdAt: sameList && todo.length === 0 ? old!.createdAt : new Date().toISOString(),
  };
  if (todo.length > 0 || !sameList) {
    const tmp = join(dir, `.header.${process.pid}.tmp`);
    writeFileSync(tmp, JSON.stringify(header));
    renameSync(tmp, join(dir, 'header.json'));
  }
  return { decoded: todo.length, reused: n - todo.length, problems: headers.flatMap((h) => h.problems) };
}

/**
 * Reads a whole file into one buffer with positioned reads (no 2 GiB Buffer limit, no extra copy). The buffer is
 * shared memory, so worker threads can assemble batches from it without copies (ParallelBatcher).
 */
function readWhole(file: string, bytes: number): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(bytes);
  const view = new Uint8Array(buffer);
  const fd = openSync(file, 'r');
  try {
    const actual = fstatSync(fd).size;
    if (actual !== bytes) throw new Error(`${file}: cache file has ${actual} bytes, expected ${bytes}; rebuild the cache`);
    const chunk = 1 << 28;
    for (let pos = 0; pos < bytes; ) {
      const got = readSync(fd, view, pos, Math.min(chunk, bytes - pos), pos);
      if (got <= 0) throw new Error(`${file}: short read at byte ${pos}`);
      pos += got;
    }
  } finally {
    closeSync(fd);
  }
  return buffer;
}

export interface LoadOptions {
  onProgress?: (p: CacheProgress) => void;
  /**
   * Largest total size of the image files (s2, s1, dem, worldcover) kept in memory; above it records are read on
   * demand with positioned reads (the OS page cache then does the caching). Default: the smaller of 8 GiB and 40 %
   * of the machine's memory.
   */
  maxResidentBytes?: number;
}

/**
 * A loaded cache. Small caches (the usual case: ben-ge-800 is 0.4 GB) are resident, one typed array per modality
 * read with positioned reads into one ArrayBuffer each; larger ones stream records from disk. `locate(m, i)` hides
 * the difference: it returns the typed array holding record i of m and the index of its first value.
 */
export class PackedCache {
  readonly size: number;
  readonly resident: boolean;
  private readonly arrays: Partial<Record<CachedModality | 'vectors', StoredArray>>;
  private readonly fds: Partial<Record<CachedModality, number>> = {};
  private readonly scratch: Partial<Record<CachedModality, StoredArray>> = {};

  private constructor(readonly dir: string, readonly header: CacheHeader, arrays: Partial<Record<CachedModality | 'vectors', StoredArray>>, resident: boolean) {
    this.size = header.patches.length;
    this.arrays = arrays;
    this.resident = resident;
    if (!resident) {
      for (const m of CACHED_MODALITIES) {
        this.fds[m] = openSync(join(dir, `${m}.bin`), 'r');
        const len = recordLength(m);
        this.scratch[m] = STORE[m].make(new ArrayBuffer(len * STORE[m].bytesPerValue), 0, len);
      }
    }
  }

  static load(dir: string, options: LoadOptions | ((p: CacheProgress) => void) = {}): PackedCache {
    const opts: LoadOptions = typeof options === 'function' ? { onProgress: options } : options;
    const header = readHeader(dir);
    if (!header) throw new Error(`${dir}: no valid cache header; build the cache first`);
    const n = header.patches.length;
    const imageBytes = CACHED_MODALITIES.reduce((s, m) => s + n * recordLength(m) * STORE[m].bytesPerValue, 0);
    const limit = opts.maxResidentBytes ?? Math.min(8 * 2 ** 30, 0.4 * totalmem());
    const resident = imageBytes <= limit;
    const arrays: Partial<Record<CachedModality | 'vectors', StoredArray>> = {};
    const load = resident ? ([...CACHED_MODALITIES, 'vectors'] as const) : (['vectors'] as const);
    load.forEach((m, k) => {
      opts.onProgress?.({ phase: 'load', done: k, total: load.length });
      const len = n * recordLength(m);
      arrays[m] = STORE[m].make(readWhole(join(dir, `${m}.bin`), len * STORE[m].bytesPerValue), 0, len);
    });
    opts.onProgress?.({ phase: 'load', done: load.length, total: load.length });
    return new PackedCache(dir, header, arrays, resident);
  }

  /**
   * The array holding record i of modality m, and the index of its first value. When streaming, the array is a
   * one-record buffer that the next `locate`/`record` call for the same modality overwrites.
   */
  locate(m: CachedModality, i: number): { array: StoredArray; base: number } {
    const len = recordLength(m);
    const whole = this.arrays[m];
    if (whole) return { array: whole, base: i * len };
    const buf = this.scratch[m]!;
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    const got = readSync(this.fds[m]!, bytes, 0, bytes.byteLength, i * bytes.byteLength);
    if (got !== bytes.byteLength) throw new Error(`${join(this.dir, `${m}.bin`)}: short read of record ${i}; rebuild the cache`);
    return { array: buf, base: 0 };
  }

  /** The whole array of a resident modality (records back to back, shared memory); undefined when streaming. */
  residentArray(m: CachedModality): StoredArray | undefined {
    return this.arrays[m];
  }

  /** The per-patch vector records (always resident). */
  vectors(): Float32Array {
    return this.arrays.vectors as Float32Array;
  }

  /** Record i of m as its own view (streaming: valid until the next call for m). */
  record(m: CachedModality, i: number): StoredArray {
    const { array, base } = this.locate(m, i);
    return array.subarray(base, base + recordLength(m));
  }

  has(m: CachedModality, i: number): boolean {
    return (this.header.patches[i].present & PRESENT_BIT[m]) !== 0;
  }

  /** Closes the files of a streaming cache (a resident cache holds none). */
  close(): void {
    for (const fd of Object.values(this.fds)) if (fd !== undefined) closeSync(fd);
    for (const m of CACHED_MODALITIES) delete this.fds[m];
  }
}
