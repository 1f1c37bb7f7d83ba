import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { BackendName, type EngineInfo } from '../../api/engine';
import { wasmBinaryFolder } from './wasm-files';
import { installBatchNormGradient } from './batch-norm-grad';
import { installReluGradient } from './relu-grad';
import { registerWasmGradientKernels } from './wasm-grads';
import { registerThreadedWasm, wantedThreads } from './wasm-threads';

/**
 * The compute-engine ladder: native TensorFlow with CUDA, native TensorFlow on the CPU, the WebAssembly backend,
 * and plain JavaScript tfjs. Each rung is tried in turn; the first that comes up wins, and every rung above it is
 * recorded with the reason it was passed over so the user can see why training is not on the GPU.
 */

export interface InitEngineOptions {
  /** Use exactly this backend (also settable with TERRAFUSE_BACKEND); failing to start it is an error. */
  force?: BackendName;
  /**
   * Threads for the wasm backend's XNNPACK pool; default TERRAFUSE_WASM_THREADS or every core. Only takes effect
   * when wasm starts for the first time in the process.
   */
  threads?: number;
}

type Skip = EngineInfo['skipped'][number];

/** Why a rung could not be used; carries the one-line reason shown to the user. */
class RungUnavailable extends Error {}

interface Rung {
  backend: BackendName;
  pkg: string;
  /** Brings the backend up and makes it current, or throws RungUnavailable with a reason. */
  start(opts: InitEngineOptions): Promise<Record<string, string | number | boolean>>;
}

const require = createRequire(import.meta.url);

/** Version from the installed package.json, or undefined when the package is not installed at all. */
function installedVersion(pkg: string): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version?: string };
    return manifest.version ?? 'unknown';
  } catch {
    return undefined;
  }
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0].trim();
}

type ProcessErrorEvent = 'uncaughtException' | 'unhandledRejection';
const PROCESS_EVENTS: readonly ProcessErrorEvent[] = ['uncaughtException', 'unhandledRejection'];
type Listener = (...args: unknown[]) => void;
// process.listeners/removeListener are typed per event name; both events take the same treatment here.
const listenersOf = (event: ProcessErrorEvent) => process.listeners(event as 'uncaughtException') as Listener[];

/**
 * tf.setBackend('wasm'), with tfjs's logged-and-swallowed initialisation errors turned into a reason.
 *
 * Emscripten's Node glue installs process-wide 'uncaughtException' and 'unhandledRejection' handlers that rethrow,
 * so any stray rejected promise anywhere in the process (a server, a test) would kill it. tfjs only removes them
 * when the backend is disposed; we remove them as soon as the module is up, leaving the host's own policy in force.
 */
async function startWasm(): Promise<{ ok: true } | { ok: false; reason: string }> {
  const before = new Map(PROCESS_EVENTS.map((event) => [event, new Set(listenersOf(event))]));
  try {
    return await setWasmBackend();
  } finally {
    for (const event of PROCESS_EVENTS) {
      for (const listener of listenersOf(event)) {
        if (!before.get(event)?.has(listener)) process.removeListener(event as 'uncaughtException', listener);
      }
    }
  }
}

async function setWasmBackend(): Promise<{ ok: true } | { ok: false; reason: string }> {
  const warn = console.warn;
  let logged = '';
  console.warn = (...args: unknown[]) => {
    const text = args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
    if (!text.startsWith('Initialization of backend')) logged = text;
  };
  try {
    return (await tf.setBackend('wasm')) ? { ok: true } : { ok: false, reason: firstLine(logged || 'tf.setBackend returned false') };
  } catch (err) {
    return { ok: false, reason: firstLine(err) };
  } finally {
    console.warn = warn;
  }
}

/**
 * Loads a tfjs-node flavour. Both packages register a backend called "tensorflow" backed by the native binding
 * (libtensorflow), so "installed but the binding does not load" and "not installed" are told apart by whether the
 * package's own manifest resolves.
 */
async function loadNative(pkg: string): Promise<void> {
  if (installedVersion(pkg) === undefined) throw new RungUnavailable(`${pkg} is not installed`);
  try {
    await import(/* @vite-ignore */ pkg);
  } catch (err) {
    throw new RungUnavailable(`${pkg} is installed but failed to load libtensorflow: ${firstLine(err)}`);
  }
  if (!tf.engine().registryFactory.tensorflow) {
    throw new RungUnavailable(`${pkg} loaded but registered no "tensorflow" backend`);
  }
  if (!(await tf.setBackend('tensorflow'))) throw new RungUnavailable(`${pkg}: the tensorflow backend did not initialise`);
}

/**
 * Whether an NVIDIA driver is present. tfjs-node-gpu silently runs on the CPU when CUDA is missing, so the GPU rung
 * must check for the driver itself or it would claim a GPU that is not there.
 */
function cudaDriverFound(): string | undefined {
  if (process.platform === 'linux') {
    if (existsSync('/proc/driver/nvidia/version')) {
      return readFileSync('/proc/driver/nvidia/version', 'utf8').split('\n')[0].trim();
    }
    return undefined;
  }
  if (process.platform === 'win32') {
    const root = process.env.SystemRoot ?? 'C:\\Windows';
    return existsSync(`${root}\\System32\\nvcuda.dll`) ? 'nvcuda.dll' : undefined;
  }
  return undefined;
}

const rungs: Rung[] = [
  {
    backend: 'tensorflow-gpu',
    pkg: '@tensorflow/tfjs-node-gpu',
    async start() {
      if (installedVersion(this.pkg) === undefined) throw new RungUnavailable(`${this.pkg} is not installed`);
      const driver = cudaDriverFound();
      if (driver === undefined) {
        throw new RungUnavailable(`no CUDA: no NVIDIA driver found (tfjs-node-gpu needs CUDA 11.2 and cuDNN 8.1)`);
      }
      await loadNative(this.pkg);
      return { driver };
    },
  },
  {
    backend: 'tensorflow',
    pkg: '@tensorflow/tfjs-node',
    async start() {
      await loadNative(this.pkg);
      return {};
    },
  },
  {
    backend: 'wasm',
    pkg: '@tensorflow/tfjs-backend-wasm',
    async start(opts) {
      if (installedVersion(this.pkg) === undefined) throw new RungUnavailable(`${this.pkg} is not installed`);
      let folder: string;
      try {
        folder = wasmBinaryFolder();
      } catch (err) {
        throw new RungUnavailable(firstLine(err));
      }
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      try {
        wasm.setWasmPaths(folder);
      } catch {
        // setWasmPaths refuses once the module was instantiated; a second initEngine reuses that instance.
      }
      const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
      const threads = wantedThreads(opts.threads);
      let threadsNote = '';
      let restoreStock: (() => void) | undefined;
      if (tf.engine().registry.wasm === undefined && threads > 1) {
        if (!simd) threadsNote = 'single-threaded: the threaded build needs WebAssembly SIMD';
        else if (typeof SharedArrayBuffer === 'undefined') threadsNote = 'single-threaded: no SharedArrayBuffer';
        else restoreStock = registerThreadedWasm(wasm, threads, folder);
      }
      let started = await startWasm();
      if (!started.ok && restoreStock) {
        restoreStock();
        threadsNote = `single-threaded: the threaded build failed (${started.reason})`;
        started = await startWasm();
      }
      if (!started.ok) throw new RungUnavailable(`wasm failed to initialise: ${started.reason}`);
      const registered = registerWasmGradientKernels();
      installBatchNormGradient();
      installReluGradient();
      const active = wasm.getThreadsCount();
      return {
        simd,
        threads: active,
        ...(threadsNote ? { threadsNote } : {}),
        binary: active > 1 ? 'threaded-simd' : simd ? 'simd' : 'plain',
        gradientKernels: registered.join(','),
        gradients: 'FusedBatchNorm,Relu',
      };
    },
  },
  {
    backend: 'cpu',
    pkg: '@tensorflow/tfjs-backend-cpu',
    async start() {
      if (!(await tf.setBackend('cpu'))) throw new RungUnavailable('the tfjs cpu backend did not initialise');
      return {};
    },
  },
];

let cached: { key: string; info: Promise<EngineInfo> } | undefined;
let settled: EngineInfo | undefined;

/** The backend requested through the option or TERRAFUSE_BACKEND; an unknown name is an error. */
function requestedBackend(opts: InitEngineOptions): BackendName | undefined {
  const raw = opts.force ?? (process.env.TERRAFUSE_BACKEND?.trim() || undefined);
  if (raw === undefined) return undefined;
  const parsed = BackendName.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`unknown backend "${raw}" (TERRAFUSE_BACKEND / force); choose one of ${BackendName.options.join(', ')}`);
  }
  return parsed.data;
}

async function climb(force: BackendName | undefined, opts: InitEngineOptions): Promise<EngineInfo> {
  const skipped: Skip[] = [];
  for (const rung of rungs) {
    if (force !== undefined && rung.backend !== force) {
      // Only rungs above the forced one are reported: they were passed over because of the user's choice.
      if (rungs.findIndex((r) => r.backend === force) > rungs.indexOf(rung)) {
        skipped.push({ backend: rung.backend, package: rung.pkg, reason: `not tried: backend forced to ${force}` });
      }
      continue;
    }
    try {
      const details = await rung.start(opts);
      await tf.ready();
      return {
        backend: rung.backend,
        package: rung.pkg,
        version: installedVersion(rung.pkg) ?? tf.version_core,
        forced: force !== undefined,
        skipped,
        details: { tfjs: tf.version_core, ...details },
      };
    } catch (err) {
      const reason = err instanceof RungUnavailable ? err.message : `unexpected failure: ${firstLine(err)}`;
      if (force !== undefined) {
        throw new Error(`forced backend ${force} (${rung.pkg}) is unavailable: ${reason}`);
      }
      skipped.push({ backend: rung.backend, package: rung.pkg, reason });
    }
  }
  // The cpu rung ships inside @tensorflow/tfjs and cannot be missing; reaching here means tfjs itself is broken.
  throw new Error(`no compute backend could start: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`);
}

/**
 * Chooses and activates the compute engine. Repeated calls with the same request share one result; a different
 * forced backend re-runs the ladder (tests switch to cpu and back this way).
 */
export function initEngine(opts: InitEngineOptions = {}): Promise<EngineInfo> {
  let force: BackendName | undefined;
  try {
    force = requestedBackend(opts);
  } catch (err) {
    return Promise.reject(err);
  }
  const key = force ?? 'auto';
  if (cached?.key === key && (settled === undefined || tf.getBackend() === backendId(settled.backend))) {
    return cached.info;
  }
  const info = climb(force, opts).then(
    (result) => {
      settled = result;
      return result;
    },
    (err: unknown) => {
      if (cached?.key === key) cached = undefined;
      throw err;
    },
  );
  cached = { key, info };
  return info;
}

/** tfjs's own name for a ladder backend (both native flavours register as "tensorflow"). */
function backendId(name: BackendName): string {
  return name === 'tensorflow-gpu' ? 'tensorflow' : name;
}

/** The result of the last successful initEngine, or undefined before the engine is up. */
export function getEngineInfo(): EngineInfo | undefined {
  return settled;
}
