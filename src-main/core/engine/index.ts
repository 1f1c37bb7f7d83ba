export { initEngine, getEngineInfo, type InitEngineOptions } from './ladder';
export { registerWasmGradientKernels, WASM_GRADIENT_KERNELS } from './wasm-grads';
export { installBatchNormGradient, leanGradient as leanBatchNormGradient } from './batch-norm-grad';
export { batchNormTrain } from './batch-norm-train';
export { installReluGradient, reluGradient } from './relu-grad';
