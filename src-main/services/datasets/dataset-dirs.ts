import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where a dataset's derived files live in the workspace: `<workspace>/cache/<dataset id>/` holds its georef index,
 * rendered imagery and (under `packed/`) the packed cache that training and prediction read. Keeping them in the
 * workspace, not the OS temp, matters: a packed cache is hundreds of MB per thousand patches and the OS temp is
 * often a small RAM disk that is emptied at boot. Also imported by job workers, so it stays free of service state.
 */

/** The id of a dataset folder: stable across sessions, so caches in the workspace stay valid. */
export function datasetIdOf(realPath: string): string {
  return createHash('sha1').update(realPath).digest('hex').slice(0, 16);
}

/** The packed cache folder of the dataset at `dataPath` under `cacheRoot`; undefined when the folder is not there. */
export function packedCacheDir(cacheRoot: string, dataPath: string): string | undefined {
  let real: string;
  try {
    real = realpathSync(dataPath);
  } catch {
    return undefined; // opening the dataset reports the missing folder, with its own clear message
  }
  return join(cacheRoot, datasetIdOf(real), 'packed');
}
