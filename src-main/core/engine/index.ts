export { initEngine, getEngineInfo, type InitEngineOptions } from './ladder';
export { registerWasmGradientKernels, WASM_GRADIENT_KERNELS } from './wasm-grads';
