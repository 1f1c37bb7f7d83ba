import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inspectCommand } from '../../../src-main/cli/inspect';
import { writeBengeFixture, type BengeFixture } from './helpers/write-benge';

const BEN1 = join(__dirname, '../../../../shared/data/bigearthnet-v1');

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
  try {
    const code = await inspectCommand.run(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

let dir: string;
let fx: BengeFixture;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tf-inspect-'));
  fx = writeBengeFixture(join(dir, 'mini'), { patches: 4, seed: 2 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('terrafuse inspect', () => {
  it('summarises the real BigEarthNet v1 folder as JSON', async () => {
    const { code, out } = await run([BEN1, '--json']);
    expect(code).toBe(0);
    const s = JSON.parse(out);
    expect(s.layout).toBe('bigearthnet-v1');
    expect(s.patches).toBe(17);
    expect(s.modalities).toMatchObject({ s2: 14, s1: 9 });
    expect(s.missing).toMatchObject({ s2: 3, s1: 8 });
    // AT 33N, IE 29N, PT 29N, FI/LT 35N, RS 34N
    expect(s.crs).toEqual([32629, 32633, 32634, 32635]);
    const [w, so, e, n] = s.bbox_wgs84;
    expect(w).toBeLessThan(-8); // Portugal / Ireland
    expect(e).toBeGreaterThan(25); // Finland / Lithuania
    expect(so).toBeGreaterThan(35);
    expect(n).toBeLessThan(71);
    expect(s.splits).toEqual({ source: 'none', train: 0, val: 0, test: 0, unassigned: 17 });
  });

  it('summarises a ben-ge folder with its splits', async () => {
    const { out } = await run([fx.root, '--json']);
    const s = JSON.parse(out);
    expect(s.layout).toBe('ben-ge');
    expect(s.patches).toBe(4);
    expect(s.crs).toEqual([32632]);
    expect(s.splits).toMatchObject({ source: 'csv', train: 4 });
    expect(s.missing).toEqual({});
  });

  it('reports one patch per modality and band with native size, dtype and statistics', async () => {
    const { code, out } = await run([BEN1, '--patch', 'S2A_MSIL2A_20170613T101031_87_48', '--json']);
    expect(code).toBe(0);
    const r = JSON.parse(out);
    expect(r.modalities.s2.B01).toMatchObject({ width: 20, height: 20, dtype: 'uint16', valid: 400 });
    expect(r.modalities.s2.B05).toMatchObject({ width: 60, height: 60 });
    expect(r.modalities.s2.B02).toMatchObject({ width: 120, height: 120, crs_epsg: 32633 });
    expect(r.modalities.s1.VV.dtype).toBe('float32');
    expect(r.labels.ben43).toContain('Non-irrigated arable land');
    expect(r.footprint.corners[0]).toEqual([404400, 5342400]);
  });

  it('fails clearly on an unknown layout and on bad usage', async () => {
    const bad = await run([join(fx.root, 'dem'), '--json']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/unknown layout|no patches/);
    await expect(run([])).rejects.toThrow(/exactly one dataset folder/);
  });
});
