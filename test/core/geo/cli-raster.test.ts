/**
 * `terrafuse raster FILE... --json` through the CLI's main(): one JSON line per file, compared with every file of
 * ../shared/data/*\/REFERENCE.json; bad files reported on stderr (file + reason) while the others still print,
 * exit code 1 at the end; the readable summary; and once end to end through bin/terrafuse.mjs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src-main/cli';
import { expectMean, REFERENCE_SETS, referenceFiles, SHARED_DATA } from './shared-data';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const dir = mkdtempSync(join(tmpdir(), 'terrafuse-cli-raster-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const CONTRACT_KEYS = ['path', 'width', 'height', 'count', 'dtype', 'crs_epsg', 'transform', 'nodata', 'bands'];

describe('raster --json agrees with GDAL on every reference file', () => {
  const files = REFERENCE_SETS.flatMap((set) => referenceFiles(set));

  it(`${files.length} files, one line each, in order`, async () => {
    const { code, stdout, stderr } = await run(['raster', ...files.map(([path]) => path), '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(files.length);
    lines.forEach((line, i) => {
      const [path, name, ref] = files[i];
      const obj = JSON.parse(line) as Record<string, unknown>;
      expect(Object.keys(obj).slice(0, CONTRACT_KEYS.length)).toEqual(CONTRACT_KEYS);
      const bands = obj.bands as { valid: number; min: number | null; max: number | null; mean: number | null }[];
      expect({ name, ...obj, bands: bands.map(({ valid, min, max }) => ({ valid, min, max })) }).toMatchObject({
        name,
        path,
        width: ref.width,
        height: ref.height,
        count: ref.count,
        dtype: ref.dtype,
        crs_epsg: ref.crs_epsg,
        transform: ref.transform,
        nodata: ref.nodata,
        bands: ref.bands.map(({ valid, min, max }) => ({ valid, min, max })),
        overviews: ref.overviews,
        compression: ref.compression,
        tiled: ref.tiled,
      });
      bands.forEach((b, k) => expectMean(b.mean, ref.bands[k].mean));
    });
  });
});

describe('raster: bad files', () => {
  const good = join(SHARED_DATA, 'geotiff-zoo', 'rasterio_byte.tif');
  const goodToo = join(SHARED_DATA, 'geotiff-zoo', 'rasterio_float_nan.tif');
  const truncated = join(dir, 'truncated.tif');
  const notTiff = join(dir, 'not-a-tiff.tif');
  const missing = join(dir, 'missing.tif');
  writeFileSync(truncated, readFileSync(join(SHARED_DATA, 'geotiff-zoo', 'riotiler_cog.tif')).subarray(0, 300000));
  writeFileSync(notTiff, 'just text, not an image\n');

  it('reports each bad file on stderr, still prints the others, exits 1', async () => {
    const { code, stdout, stderr } = await run(['raster', good, truncated, notTiff, missing, goodToo, '--json']);
    expect(code).toBe(1);
    const lines = stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { path: string; nodata: unknown });
    expect(lines.map((l) => l.path)).toEqual([good, goodToo]);
    expect(lines[1].nodata).toBe('nan');
    const errors = stderr.trimEnd().split('\n');
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(new RegExp(`^terrafuse raster: ${truncated}: truncated file: tile \\d+ occupies bytes`));
    expect(errors[1]).toBe(`terrafuse raster: ${notTiff}: not a TIFF file: it starts with text "just tex"`);
    expect(errors[2]).toBe(`terrafuse raster: ${missing}: file not found`);
  });

  it('exits 2 without files or with an unknown option', async () => {
    expect((await run(['raster'])).code).toBe(2);
    const bad = await run(['raster', good, '--jsn']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/terrafuse raster: .*--jsn/);
  });

  it('prints a readable summary without --json', async () => {
    const { code, stdout } = await run(['raster', join(SHARED_DATA, 'geotiff-zoo', 'rasterio_RGB.byte.tif')]);
    expect(code).toBe(0);
    expect(stdout).toContain('791 x 718 pixels, 3 bands uint8, uncompressed');
    expect(stdout).toContain('CRS EPSG:32618, origin (101985, 2826915)');
    expect(stdout).toContain('nodata 0');
    expect(stdout).toMatch(/band 1: 382776 valid, min 1, max 255, mean 44\.434479/);
  });

  it('works end to end through bin/terrafuse.mjs', () => {
    const res = spawnSync(process.execPath, [join(REPO, 'bin/terrafuse.mjs'), 'raster', good, missing, '--json'], {
      cwd: REPO,
      encoding: 'utf8',
    });
    expect(res.status).toBe(1);
    const line = JSON.parse(res.stdout.trim()) as { path: string; width: number; crs_epsg: number };
    expect([line.path, line.width, line.crs_epsg]).toEqual([good, 20, 26711]);
    expect(res.stderr.trim()).toBe(`terrafuse raster: ${missing}: file not found`);
  });
});
