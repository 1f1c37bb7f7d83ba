import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flushAtomicWrites, pendingAtomicWrites, writeFileAtomic, writeJsonAtomic } from '../../src-main/core/fs-atomic';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'terrafuse-atomic-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes and replaces files, leaving no temporary files behind', async () => {
    const target = join(dir, 'a.json');
    await writeFileAtomic(target, 'first');
    await writeJsonAtomic(target, { second: true });
    expect(await readFile(target, 'utf8')).toBe('{\n  "second": true\n}\n');
    await writeFileAtomic(join(dir, 'b.bin'), new Uint8Array([1, 2, 3]), { fsync: false });
    expect([...(await readFile(join(dir, 'b.bin')))]).toEqual([1, 2, 3]);
    expect((await readdir(dir)).sort()).toEqual(['a.json', 'b.bin']);
  });

  it('fails cleanly (no temp file, old content kept) when the write cannot happen', async () => {
    const target = join(dir, 'kept.txt');
    await writeFile(target, 'old');
    await expect(writeFileAtomic(join(dir, 'missing-folder', 'x.txt'), 'data')).rejects.toThrow();
    // Renaming a file over a folder fails after the data was written: the temp file must go.
    await expect(writeFileAtomic(dir, 'data')).rejects.toThrow();
    expect(await readFile(target, 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['kept.txt']);
  });

  it('readers only ever see a complete old or new version, never a mix or a truncated file', async () => {
    const target = join(dir, 'big.bin');
    const size = 4 * 1024 * 1024;
    const versions = [0x41, 0x42, 0x43, 0x44].map((byte) => new Uint8Array(size).fill(byte));
    await writeFileAtomic(target, versions[0]);
    let stop = false;
    let reads = 0;
    const reader = (async () => {
      while (!stop) {
        const data = await readFile(target);
        expect(data.length).toBe(size);
        expect(data.every((b) => b === data[0])).toBe(true);
        reads++;
      }
    })();
    for (let round = 0; round < 3; round++) {
      await Promise.all(versions.map((v) => writeFileAtomic(target, v, { fsync: false })));
    }
    stop = true;
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect((await readdir(dir))).toEqual(['big.bin']);
  });

  it('flushAtomicWrites waits for every write in flight', async () => {
    const writes = Array.from({ length: 10 }, (_, i) => writeFileAtomic(join(dir, `f${i}.txt`), `content ${i}`));
    expect(pendingAtomicWrites()).toBe(10);
    await flushAtomicWrites();
    expect(pendingAtomicWrites()).toBe(0);
    for (let i = 0; i < 10; i++) expect(await readFile(join(dir, `f${i}.txt`), 'utf8')).toBe(`content ${i}`);
    await Promise.all(writes);
  });
});
