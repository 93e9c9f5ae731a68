/** Workload parameters shared by the natgrad runner (the Python peers read the same numbers from bench/peers.py). */

export const KFAC = { sizes: [784, 256, 256, 10], batch: 256, lambda: 1e-2, lr: 1e-3, every: 10, runs: 7 };
/**
 * K-FAC step of a small CNN on 28x28 images: conv 1->16 3x3, relu, conv 16->32
 * 3x3 stride 2, relu, mean over positions, linear 32->10, softmax; empirical
 * Fisher, expand (KFC) factors with the bias joint, factored damping, Cholesky
 * inverses every step.
 */
export const CNN_KFAC = { batch: 128, image: 28, lambda: 1e-2, lr: 1e-3, runs: 7 };
export const DENSE_FISHER = { sizes: [20, 64, 10], batch: 256, runs: 5 };
export const SIZES = [128, 256, 512];
/** Monte Carlo Fisher of the normal (mean-std): draws per estimate. */
export const MC = { samples: 200_000 };
/** Thread counts compared, natgrad against NumPy and PyTorch with the same number of threads (BENCH_THREADS=1 for one only). */
export const THREADS: number[] = process.env.BENCH_THREADS ? process.env.BENCH_THREADS.split(',').map(Number) : [1, 2];

export interface Timing {
  /** median wall time of one run, ms */
  median: number;
  runs: number[];
}

/**
 * The clock of every timing: wall time, or with BENCH_CLOCK=cpu this process's
 * CPU time, which other processes on a loaded machine inflate far less
 * (meaningful for one thread only).
 */
export const CLOCK: 'wall' | 'cpu' = process.env.BENCH_CLOCK === 'cpu' ? 'cpu' : 'wall';
const now =
  CLOCK === 'cpu'
    ? () => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1000;
      }
    : () => performance.now();

/**
 * Warm-up before timing: at least this many calls and this long (ms), so that
 * the timed calls run the optimized code (V8 tiers JavaScript and WebAssembly
 * up while a function runs hot) with the memory it will keep using.
 * bench/peers.py warms PyTorch and NumPy up by the same rule.
 */
export const WARM_UP = { calls: 3, ms: 500 };

/** Median time (ms, on CLOCK) of `runs` calls after the warm-up (WARM_UP). */
export function timeIt(f: () => void, runs: number): Timing {
  const start = performance.now();
  for (let c = 0; c < WARM_UP.calls || performance.now() - start < WARM_UP.ms; c++) f();
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = now();
    f();
    times.push(now() - t);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]);
  return { median, runs: times };
}
