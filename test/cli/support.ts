/**
 * Helpers of the CLI tests: run `terrafuse <command> ...` in this process through the real entry's main() (the
 * registry, the lazy command load, UsageError -> exit 2) with stdout/stderr captured, or as a child process through
 * bin/terrafuse.mjs; make a tiny synthetic dataset with the synth command itself; read one tensor of a checkpoint.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, vi } from 'vitest';
import { main } from '../../src-main/cli';
import { defaultCacheDir } from '../../src-main/core/data/cache/packed-cache';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `terrafuse ...argv` in this process; everything the command writes is captured, nothing reaches the terminal. */
export async function cli(argv: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
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

/** `node bin/terrafuse.mjs ...argv` as a user runs it: a fresh process, its real exit code. */
export function terrafuseChild(argv: string[]): CliResult & { signal: NodeJS.Signals | null } {
  const env = { ...process.env };
  // The child picks its engine as a user's would; the unit setup's forcing must not leak into it.
  delete env.TERRAFUSE_BACKEND;
  delete env.TERRAFUSE_WASM_THREADS;
  delete env.TERRAFUSE_DEBUG;
  const r = spawnSync(process.execPath, [join(REPO, 'bin', 'terrafuse.mjs'), ...argv], { cwd: REPO, encoding: 'utf8', env, timeout: 300_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

/** The one JSON line a `--json` command prints: stdout must be exactly that line and nothing else. */
export function jsonLine<T = Record<string, unknown>>(r: CliResult): T {
  expect(r.code, r.stderr).toBe(0);
  const lines = r.stdout.split('\n');
  expect(lines.at(-1), 'stdout ends with a newline').toBe('');
  expect(lines, `one line on stdout, got:\n${r.stdout}`).toHaveLength(2);
  return JSON.parse(lines[0]) as T;
}

/** A failure as the CLI must report it: the exit code, nothing on stdout, one stderr line, no stack trace. */
export function expectOneLineError(r: CliResult, code: number, pattern: RegExp): string {
  expect(r.code, `exit code; stderr: ${r.stderr}`).toBe(code);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  // Info lines of a job that started (e.g. "engine: wasm") may precede the error; the error is the last line.
  const last = lines.at(-1) ?? '';
  expect(last).toMatch(pattern);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/\b(TypeError|ReferenceError|ZodError)\b/);
  return last;
}

/** Writes a synthetic ben-ge dataset with `terrafuse synth` and returns its folder. */
export async function synthDataset(dir: string, patches: number, seed: string): Promise<string> {
  const r = await cli(['synth', '--out', dir, '--patches', String(patches), '--seed', seed, '--json']);
  const summary = jsonLine<{ patches: number }>(r);
  expect(summary.patches).toBe(patches);
  return dir;
}

/** Removes the packed cache the data layer builds for a dataset under the OS temp folder. */
export function removeDatasetCache(data: string): void {
  rmSync(defaultCacheDir(data), { recursive: true, force: true });
}

interface WeightsManifest {
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
}

/** One float32 tensor of a checkpoint folder (tfjs model.json + weight shards), by its weight name. */
export function checkpointTensor(checkpointDir: string, name: string): Float32Array {
  const model = JSON.parse(readFileSync(join(checkpointDir, 'model.json'), 'utf8')) as WeightsManifest;
  for (const group of model.weightsManifest) {
    const bytes = Buffer.concat(group.paths.map((p) => readFileSync(join(checkpointDir, p))));
    let offset = 0;
    for (const w of group.weights) {
      const size = w.shape.reduce((a, b) => a * b, 1);
      if (w.name === name) {
        expect(w.dtype).toBe('float32');
        return new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + size * 4));
      }
      // Every weight of these models is float32 (4 bytes); other types would have to be sized by dtype.
      expect(w.dtype).toBe('float32');
      offset += size * 4;
    }
  }
  throw new Error(`${checkpointDir}: no weight named ${name}`);
}
