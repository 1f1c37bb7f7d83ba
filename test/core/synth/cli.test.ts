import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src-main/cli';

const dir = mkdtempSync(join(tmpdir(), 'tf-synth-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('terrafuse synth', () => {
  it('writes a dataset and prints a JSON summary', async () => {
    const target = join(dir, 'mini');
    const r = await run(['synth', '--out', target, '--patches', '3', '--seed', 'alps', '--name', 'mini', '--json']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.out.trim()) as { patches: number; files: number; splits: Record<string, number> };
    expect(summary.patches).toBe(3);
    expect(summary.files).toBe(3 * 16 + 7);
    expect(readFileSync(join(target, 'mini_meta.csv'), 'utf8').trimEnd().split('\n')).toHaveLength(4);
    expect(JSON.parse(readFileSync(join(target, 'synth.json'), 'utf8')).seed).toBe('alps');
  });

  it('rejects bad flags and an existing folder with exit code 2', async () => {
    expect((await run(['synth', '--patches', '3'])).code).toBe(2);
    expect((await run(['synth', '--out', join(dir, 'x'), '--patches', 'many'])).code).toBe(2);
    const again = await run(['synth', '--out', join(dir, 'mini'), '--patches', '2']);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/--force/);
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });
});
