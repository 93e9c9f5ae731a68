/**
 * Dense linear algebra and linear operators: the one entry point of src/linalg.
 *
 * @module natgrad/linalg
 */
export { Matrix } from './matrix.js';
export type { LinearOperator } from './linear-operator.js';
export * from './ops.js';
export * from './cholesky.js';
export * from './eigen-symmetric.js';
export * from './solve.js';
export * from './matrix-function.js';
export * from './operators.js';
export * from './cg.js';
export * from './woodbury.js';
export { linalgThreads, setLinalgThreads, shutdownLinalgPools } from './parallel/pool.js';
export { availableGemmBackends, gemmBackend, setGemmBackend, type GemmArgs, type GemmBackend } from './kernels/gemm.js';
export type { WasmKernel } from './kernels/wasm/runtime.js';
