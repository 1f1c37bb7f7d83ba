import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Multi-threaded wasm under Node.
 *
 * tfjs-backend-wasm ships a threaded SIMD build (XNNPACK on a pthreadpool of Web Workers) but never uses it under
 * Node: its WASM_HAS_MULTITHREAD_SUPPORT flag is hard-wired to false there, because its loader hands Emscripten
 * the pthread worker script and the main script as Blob URLs, which Node's worker_threads cannot load. Emscripten's
 * own glue, however, supports Node workers. So Terrafuse instantiates the threaded build itself:
 *  - the worker script (shipped as a string in the package) is written to a file in the OS temp folder, and the
 *    main script is given as the package's real file path, so every worker loads from disk;
 *  - the backend caps XNNPACK's pool at emscripten_num_logical_cores() / 2 (it assumes hyper-threading), which is
 *    1 on a 2-core machine, so that import is answered with 2 × the wanted thread count;
 *  - the pool's workers are unref'd so they do not keep the process alive after the work is done.
 * The 'wasm' backend registration is then replaced by one that builds BackendWasm on that module. If anything
 * fails, the package's own single-threaded registration is put back and the reason is reported.
 */

/**
 * Threads to ask for: the caller's number, else TERRAFUSE_WASM_THREADS, else every core the OS offers; capped at
 * the build's pre-spawned pool of 8 workers.
 */
export function wantedThreads(requested?: number): number {
  const fromEnv = Number(process.env.TERRAFUSE_WASM_THREADS);
  const n =
    requested !== undefined && requested > 0
      ? Math.floor(requested)
      : Number.isInteger(fromEnv) && fromEnv > 0
        ? fromEnv
        : availableParallelism();
  return Math.max(1, Math.min(8, n));
}

/** What the tfjs loader expects on the Emscripten module (its `tfjs` bridge). */
interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  PThread?: { runningWorkers: Array<{ unref(): void }>; unusedWorkers: Array<{ unref(): void }> };
  tfjs?: Record<string, (...a: number[]) => number>;
}
type Factory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;

const require = createRequire(import.meta.url);

function packageRoot(): string {
  // dist/tf-backend-wasm.node.js → package root
  return dirname(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')));
}

/** The pthread worker script as a file (written once per package version, atomically). */
function workerScriptFile(root: string): string {
  const { wasmWorkerContents } = require(join(root, 'wasm-out/tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents: string;
  };
  // The string came out of a template literal, so escapes inside its JS string literals became real newlines;
  // the script is one line of code, so turning every newline back into "\n" restores it.
  const script = wasmWorkerContents.replace(/\n/g, '\\n');
  const hash = createHash('sha256').update(script).digest('hex').slice(0, 16);
  const folder = join(tmpdir(), `terrafuse-tfjs-wasm-${hash}`);
  const file = join(folder, 'tfjs-backend-wasm-threaded-simd.worker.cjs');
  if (!existsSync(file) || readFileSync(file, 'utf8') !== script) {
    mkdirSync(folder, { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, script);
    renameSync(partial, file);
  }
  return file;
}

async function instantiateThreaded(threads: number, wasmFolder: string): Promise<EmscriptenModule> {
  const root = packageRoot();
  const mainScript = join(root, 'wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const binary = join(wasmFolder, 'tfjs-backend-wasm-threaded-simd.wasm');
  const workerFile = workerScriptFile(root);
  const factory = require(mainScript) as Factory;
  // Emscripten gives instantiateWasm no way to report an asynchronous failure; race it against the factory.
  let failed: (err: unknown) => void = () => undefined;
  const failure = new Promise<never>((_, reject) => (failed = reject));
  const module = await Promise.race([
    factory({
      mainScriptUrlOrBlob: mainScript,
      locateFile: (path: string, prefix: string) =>
        path.endsWith('.worker.js') ? workerFile : path.endsWith('.wasm') ? binary : prefix + path,
      instantiateWasm(
        imports: { env: Record<string, unknown> },
        receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
      ) {
        imports.env.emscripten_num_logical_cores = () => 2 * threads;
        WebAssembly.instantiate(readFileSync(binary), imports as WebAssembly.Imports).then((r) => receive(r.instance, r.module), failed);
        return {};
      },
    }),
    failure,
  ]);
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return module;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    timer.unref();
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

type WasmPackage = typeof import('@tensorflow/tfjs-backend-wasm');

/**
 * Makes tf.setBackend('wasm') start the threaded build with `threads` threads. Must run before the wasm backend is
 * first initialised. Returns a function that restores the package's own registration (for the fallback).
 */
export function registerThreadedWasm(wasm: WasmPackage, threads: number, wasmFolder: string): () => void {
  if (tf.engine().registry.wasm !== undefined) throw new Error('the wasm backend is already running');
  const registry = tf.engine().registryFactory as Record<string, { factory: () => Promise<tf.KernelBackend>; priority: number }>;
  const original = registry.wasm;
  if (original === undefined) throw new Error('the wasm backend is not registered');
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      const module = await withTimeout(instantiateThreaded(threads, wasmFolder), 30_000, 'starting wasm threads');
      wasm.setThreadsCount(threads);
      const backend = new wasm.BackendWasm(module as unknown as ConstructorParameters<WasmPackage['BackendWasm']>[0]);
      // Idle pool threads block in Atomics.wait; unref'd, they no longer hold the process open at exit.
      for (const w of [...(module.PThread?.runningWorkers ?? []), ...(module.PThread?.unusedWorkers ?? [])]) w.unref();
      return backend;
    },
    original.priority,
  );
  return () => {
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', original.factory, original.priority);
  };
}
