/** Fast float64 kernels on row-major Float64Array storage (BLAS-style contracts). */
export { availableGemmBackends, gemm, gemmLower, gemmBackend, setGemmArenaLimit, setGemmBackend, type GemmBackend } from './gemm.js';
export { syrk, mirrorLower } from './syrk.js';
export { choleskyFactor, choleskyInPlace, choleskyInverse, trsmLower, trsmLowerTransposed, type FailedPivot } from './cholesky.js';
