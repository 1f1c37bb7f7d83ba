import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Where the job worker's entry is. From the TypeScript sources (tsx, vitest) it is worker-bootstrap.mjs beside
 * this file; in the built app it is job-worker.js, which electron-vite emits next to index.js and cli.js (this code
 * may sit in a chunk one folder below). TERRAFUSE_JOB_WORKER overrides both.
 */
export function resolveWorkerEntry(moduleUrl: string = import.meta.url): URL {
  const override = process.env.TERRAFUSE_JOB_WORKER?.trim();
  if (override) return pathToFileURL(resolve(override));
  if (/\.ts($|\?)/.test(moduleUrl)) return new URL('./worker-bootstrap.mjs', moduleUrl);
  const here = dirname(fileURLToPath(moduleUrl));
  for (const candidate of [join(here, 'job-worker.js'), join(here, '..', 'job-worker.js')]) {
    if (existsSync(candidate)) return pathToFileURL(candidate);
  }
  throw new Error(`job worker entry (job-worker.js) not found next to ${here}; run the build again`);
}
