import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { BatchMemory } from '../../../src-main/core/data/batch-memory';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects garbage until `done()` holds (finalization callbacks run in later tasks), a few rounds at most. */
async function collectUntil(done: () => boolean): Promise<void> {
  for (let round = 0; round < 20 && !done(); round++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('BatchMemory', () => {
  it('hands out aligned, disjoint views of one shared memory after the reserved bytes, growing it on demand', () => {
    const m = new BatchMemory(100_000, 64);
    expect(m.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    const a = m.float32(1000)!;
    const b = m.int32(3)!;
    const c = m.float32(300_000)!; // more than the initial pages: the memory grows
    expect(m.memory.buffer.byteLength).toBeGreaterThanOrEqual(100_000 + 4032 + 64 + 1_200_000);
    for (const v of [a, b, c]) {
      expect(v.byteOffset % 64).toBe(0);
      expect(v.byteOffset).toBeGreaterThanOrEqual(100_000);
      expect(m.owns(v)).toBe(true);
    }
    const ranges = [a, b, c].map((v) => [v.byteOffset, v.byteOffset + v.byteLength]).sort((x, y) => x[0] - y[0]);
    for (let k = 1; k < ranges.length; k++) expect(ranges[k][0]).toBeGreaterThanOrEqual(ranges[k - 1][1]);
    // Writes through one view are seen through the memory (and nowhere else).
    a.fill(1.5);
    c.fill(-2);
    expect(new Float32Array(m.memory.buffer, a.byteOffset, 1000).every((x) => x === 1.5)).toBe(true);
    expect(b.every((x) => x === 0)).toBe(true);
    expect(m.owns(new Float32Array(4))).toBe(false);
    expect(m.allocatedBytes).toBe(4032 + 64 + 1_200_000); // sizes rounded up to 64 bytes
  });

  it('returns null beyond its maximum size', () => {
    const m = new BatchMemory(65536, 4); // 4 pages = 256 KiB in all
    expect(m.float32(40_000)).not.toBeNull(); // 160 KB fits after the reserved page
    expect(m.float32(40_000)).toBeNull();
  });

  it('reuses the block of a collected view (and merges free neighbours)', async () => {
    const m = new BatchMemory(0, 64);
    const keep1 = m.float32(1024)!;
    let drop: Float32Array | null = m.float32(4096);
    let drop2: Float32Array | null = m.float32(4096);
    const keep2 = m.float32(1024)!;
    const where = drop!.byteOffset;
    drop = null;
    drop2 = null;
    await collectUntil(() => m.allocatedBytes === 2 * 4096);
    expect(m.allocatedBytes).toBe(2 * 4096);
    // The two freed neighbours form one block: an array of both their sizes fits where the first one was.
    const again = m.float32(8192)!;
    expect(again.byteOffset).toBe(where);
    expect(keep1.byteOffset).toBeLessThan(where);
    expect(keep2.byteOffset).toBe(where + 2 * 16384);
    expect(drop ?? drop2).toBeNull();
  });
});
