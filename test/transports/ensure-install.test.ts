import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installStatus } from '../../scripts/ensure-install.mjs';

// The prestart/pretest hook: a fresh clone installs once; an installed tree is left alone until the lock changes.
describe('npm start / npm test: the install check before them', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'terrafuse-install-'));
    await writeFile(join(dir, 'package-lock.json'), '{}');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a fresh clone (no node_modules) needs an install', () => {
    expect(installStatus(dir)).toEqual({ needed: true, reason: 'dependencies are not installed yet' });
  });

  it('an install newer than the lock file is enough; a lock file changed after it is not', async () => {
    const marker = join(dir, 'node_modules', '.package-lock.json');
    await mkdir(join(dir, 'node_modules'), { recursive: true });
    await writeFile(marker, '{}');
    await utimes(join(dir, 'package-lock.json'), new Date(1_000_000), new Date(1_000_000));
    await utimes(marker, new Date(2_000_000), new Date(2_000_000));
    expect(installStatus(dir)).toEqual({ needed: false });
    await utimes(join(dir, 'package-lock.json'), new Date(3_000_000), new Date(3_000_000));
    expect(installStatus(dir)).toEqual({ needed: true, reason: 'package-lock.json changed since the last install' });
  });
});
