import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';

/**
 * Atomic file writes: the data goes to a temporary file in the same folder, is flushed to disk, and is then
 * renamed over the target. A reader (or a crash, a cancelled job, a killed worker) therefore sees either the old
 * file or the complete new one, never a half-written one. Every module that saves user-visible files (settings,
 * checkpoints, metrics, predictions) goes through here, and shutdown waits for the writes still in flight.
 */

export interface WriteAtomicOptions {
  /** File mode of the new file (default 0o666 minus umask). */
  mode?: number;
  /** fsync the data (and the folder, where the OS allows) before returning. Default true. */
  fsync?: boolean;
}

const inFlight = new Set<Promise<unknown>>();
let counter = 0;

/** A temp name unique across threads of this process (workers share the pid) and across calls. */
function tempPathFor(target: string): string {
  counter += 1;
  return join(dirname(target), `.${basename(target)}.${process.pid}.${threadId}.${counter}.tmp`);
}

/** Windows refuses to rename over a file another process has open for a moment (antivirus, indexers): retry. */
async function renameWithRetry(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const retriable = code === 'EPERM' || code === 'EACCES' || code === 'EBUSY';
      if (!retriable || process.platform !== 'win32' || attempt >= 10) throw err;
      await new Promise((r) => setTimeout(r, 20 * (attempt + 1)));
    }
  }
}

async function fsyncFolder(folder: string): Promise<void> {
  // Makes the rename itself durable. Windows cannot open folders this way; there the rename is already journaled.
  if (process.platform === 'win32') return;
  let handle;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch {
    // Some file systems (network mounts) refuse fsync on folders; the data file itself was synced already.
  } finally {
    await handle?.close();
  }
}

async function writeNow(target: string, data: string | Uint8Array, opts: WriteAtomicOptions): Promise<void> {
  const temp = tempPathFor(target);
  const handle = await open(temp, 'wx', opts.mode ?? 0o666);
  let renamed = false;
  try {
    try {
      await handle.writeFile(data);
      if (opts.fsync !== false) await handle.sync();
    } finally {
      await handle.close();
    }
    await renameWithRetry(temp, target);
    renamed = true;
    if (opts.fsync !== false) await fsyncFolder(dirname(target));
  } finally {
    if (!renamed) await unlink(temp).catch(() => undefined);
  }
}

/** Writes `data` to `target` atomically (see the module comment). The folder must exist. */
export function writeFileAtomic(target: string, data: string | Uint8Array, opts: WriteAtomicOptions = {}): Promise<void> {
  const write = writeNow(target, data, opts);
  inFlight.add(write);
  const forget = (): void => {
    inFlight.delete(write);
  };
  write.then(forget, forget);
  return write;
}

/** JSON with two-space indentation and a final newline, written atomically. */
export function writeJsonAtomic(target: string, value: unknown, opts: WriteAtomicOptions = {}): Promise<void> {
  return writeFileAtomic(target, `${JSON.stringify(value, null, 2)}\n`, opts);
}

/** How many atomic writes of this thread have not finished yet. */
export function pendingAtomicWrites(): number {
  return inFlight.size;
}

/**
 * Resolves once every atomic write started in this thread (including ones started while waiting) has finished,
 * successfully or not. Shutdown calls this so that quitting never leaves a temporary file in place of a target.
 */
export async function flushAtomicWrites(): Promise<void> {
  while (inFlight.size > 0) {
    await Promise.allSettled([...inFlight]);
  }
}
