/**
 * How many threads the wasm backend may use. tfjs 4.22 disables its threaded-SIMD binary under Node
 * (WASM_HAS_MULTITHREAD_SUPPORT is hard-wired to false when IS_NODE, because its Emscripten pthread glue expects
 * browser Web Workers), so in Node the backend runs single-threaded.
 */
export interface ThreadPlan {
  threads: number;
  note: string;
}

export function wasmThreadPlan(): ThreadPlan {
  return { threads: 1, note: 'tfjs-backend-wasm disables its threaded build under Node' };
}
