import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { Cholesky } from '../../src/linalg/cholesky.js';
import { eigSymmetric } from '../../src/linalg/eigen-symmetric.js';
import {
  availableGemmBackends,
  choleskyInPlace,
  choleskyInverse,
  gemm,
  gemmBackend,
  gemmLower,
  mirrorLower,
  setGemmArenaLimit,
  setGemmBackend,
  syrk,
  trsmLower,
  trsmLowerTransposed,
  type GemmBackend,
} from '../../src/linalg/kernels/index.js';
import { UNFUSED_MADD, fusedKernelSupported, probeFusedMadd } from '../../src/linalg/kernels/wasm/runtime.js';
import { gemmRuntime, setParallelGemmMinFlops } from '../../src/linalg/kernels/gemm.js';
import { linalgWorkerJobCount, setLinalgThreads, startLinalgPool } from '../../src/linalg/parallel/pool.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { addScaledIdentity, matmul, matmulInto, matmulNT, matmulTN, maxAbs, maxAbsDiff } from '../../src/linalg/ops.js';
import { kfacPreconditioner, kfacUpdate, piFactor } from '../../src/curvature/kfac.js';

const EPS = 2 ** -52;
/** Every backend this process can run: each is held to the same tests. */
const BACKENDS: GemmBackend[] = availableGemmBackends();

function randomArray(seed: number, n: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n }, () => 2 * rng.uniform() - 1);
}

/**
 * Straightforward triple loop, and the entrywise forward-error bound of a
 * length-k dot product (Higham, Thm 3.5): |ĉ - c| <= γ_(k+2) (|alpha| |A||B| + |beta C|).
 * op(X)_ij of row-major X with leading dimension ld is read through strides
 * (X[off + i si + j sj]), the products summed in order of p.
 */
function referenceGemm(
  ta: boolean,
  tb: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  A: Float64Array,
  aOff: number,
  lda: number,
  B: Float64Array,
  bOff: number,
  ldb: number,
  beta: number,
  C: Float64Array,
  cOff: number,
  ldc: number,
) {
  const out = C.slice();
  const bound = new Float64Array(C.length);
  const [ai, ap] = ta ? [1, lda] : [lda, 1];
  const [bp, bj] = tb ? [1, ldb] : [ldb, 1];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let a = 0;
      for (let p = 0, x = aOff + i * ai, y = bOff + j * bj; p < k; p++, x += ap, y += bp) {
        const t = A[x] * B[y];
        s += t;
        a += Math.abs(t);
      }
      const c = C[cOff + i * ldc + j];
      out[cOff + i * ldc + j] = alpha * s + (beta === 0 ? 0 : beta * c);
      bound[cOff + i * ldc + j] = 1.01 * (k + 2) * EPS * (Math.abs(alpha) * a + Math.abs(beta * c)) + 1e-300;
    }
  }
  return { out, bound };
}

interface GemmCase {
  ta: boolean;
  tb: boolean;
  m: number;
  n: number;
  k: number;
  pad: number;
  alpha: number;
  beta: number;
  seed: number;
}

/**
 * A case's padded operands (offsets and leading dimensions larger than the shape) and the triple loop's
 * product with its bound: a function of the case alone, so computed once and shared by every backend
 * (and by gemm and gemmLower) that is held to it. Callers never write into the reference.
 */
const references = new Map<string, { A: Float64Array; B: Float64Array; C: Float64Array; out: Float64Array; bound: Float64Array }>();
function gemmReference(c: GemmCase) {
  const { ta, tb, m, n, k, pad, alpha, beta, seed } = c;
  const key = [ta, tb, m, n, k, pad, alpha, beta, seed].join();
  let r = references.get(key);
  if (!r) {
    const [ar, ac] = ta ? [k, m] : [m, k];
    const [br, bc] = tb ? [n, k] : [k, n];
    const lda = ac + pad;
    const ldb = bc + pad;
    const ldc = n + pad;
    const A = randomArray(seed, ar * lda + pad);
    const B = randomArray(seed + 1, br * ldb + pad);
    const C = randomArray(seed + 2, m * ldc + pad);
    r = { A, B, C, ...referenceGemm(ta, tb, m, n, k, alpha, A, pad, lda, B, pad, ldb, beta, C, pad, ldc) };
    references.set(key, r);
  }
  // the kernel reads A and B and writes into a copy of C
  return { ...r, C: r.C.slice(), lda: (ta ? m : k) + pad, ldb: (tb ? k : n) + pad, ldc: n + pad };
}

/** Runs gemm on padded storage (offsets and leading dimensions larger than the shape) and checks every entry, padding included. */
function gemmAgrees(c: GemmCase, kernel = gemm): boolean {
  const { ta, tb, m, n, k, pad, alpha, beta } = c;
  const { A, B, C, out, bound, lda, ldb, ldc } = gemmReference(c);
  kernel(ta, tb, m, n, k, alpha, A, pad, lda, B, pad, ldb, beta, C, pad, ldc);
  return C.every((v, i) => Math.abs(v - out[i]) <= bound[i]);
}

const gemmCase = fc.record({
  ta: fc.boolean(),
  tb: fc.boolean(),
  m: fc.integer({ min: 0, max: 37 }),
  n: fc.integer({ min: 0, max: 37 }),
  k: fc.integer({ min: 0, max: 37 }),
  pad: fc.integer({ min: 0, max: 3 }),
  alpha: fc.constantFrom(1, -1, 0.5, 0),
  beta: fc.constantFrom(0, 1, -2),
  seed: fc.integer({ min: 0, max: 1e6 }),
});

describe('gemm: C <- alpha op(A) op(B) + beta C', () => {
  test('WebAssembly SIMD128 is available on Node 20, and the default is the fastest backend the probe allows', () => {
    const all = availableGemmBackends();
    expect(all).toContain('wasm-simd');
    expect(gemmBackend()).toBe(fusedKernelSupported() ? 'wasm-relaxed-fma' : 'wasm-simd');
  });

  describe.each(BACKENDS)('%s micro-kernel', (backend) => {
    const withBackend = (f: () => boolean) => () => {
      const before = gemmBackend();
      setGemmBackend(backend);
      try {
        return f();
      } finally {
        setGemmBackend(before);
      }
    };

    test('agrees with the triple loop for every transpose, odd and empty shapes, offsets and strides', () => {
      fc.assert(
        fc.property(gemmCase, (c) => withBackend(() => gemmAgrees(c))()),
        { seed: 601, numRuns: 300 },
      );
    });

    test('both operands read from one array at different offsets, leading dimensions or shapes are two operands, not one', () => {
      const X = randomArray(11, 400);
      // [m, n, k, aOff, lda, bOff, ldb, tb], square unless said: only the offset differs; only the leading dimension; only the rows (A 4 x 6, B 6 x 6);
      // only the columns (A 6 x 6, B 6 x 4); and X Xᵀ, which is one operand read twice
      const cases: [number, number, number, number, number, number, number, boolean][] = [
        [6, 6, 6, 0, 6, 50, 6, false],
        [6, 6, 6, 0, 6, 0, 8, false],
        [4, 6, 6, 0, 6, 0, 6, false],
        [6, 4, 6, 0, 6, 0, 6, false],
        [5, 5, 7, 3, 7, 3, 7, true],
      ];
      for (const [m, n, k, aOff, lda, bOff, ldb, tb] of cases) {
        const ldbStored = tb ? lda : ldb;
        const C = new Float64Array(m * n);
        withBackend(() => {
          // a decoy product first, so that what an earlier case left in the kernel's memory cannot stand in for an operand
          const D = randomArray(12, 64);
          gemm(false, false, 8, 8, 8, 1, D, 0, 8, D, 0, 8, 0, new Float64Array(64), 0, 8);
          gemm(false, tb, m, n, k, 1, X, aOff, lda, X, bOff, ldbStored, 0, C, 0, n);
          return true;
        })();
        const { out, bound } = referenceGemm(false, tb, m, n, k, 1, X, aOff, lda, X, bOff, ldbStored, 0, new Float64Array(m * n), 0, n);
        expect(C.every((v, i) => Math.abs(v - out[i]) <= bound[i])).toBe(true);
      }
    });

    test('shapes crossing every blocking boundary (MC = 96, KC = 256, NC = 512, tiles of 4)', () => {
      for (const [ta, tb] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ] as const) {
        expect(withBackend(() => gemmAgrees({ ta, tb, m: 101, n: 517, k: 259, pad: 1, alpha: 1, beta: 1, seed: 7 }))()).toBe(true);
      }
    });
  });

  test('the relaxed SIMD probe accepts a fused multiply-add and rejects the unfused one', () => {
    expect(probeFusedMadd(UNFUSED_MADD)).toBe(false);
    // Node 20 on x86-64 with FMA (this machine kind) accepts the flag and fuses
    expect(probeFusedMadd()).toBe(fusedKernelSupported());
  });

  test.each(BACKENDS.filter((b) => b !== 'js'))('%s: the product is fused exactly when the backend says so', (backend) => {
    // [1, 1 + 2^-30] . [-1, 1 - 2^-30] = -1 + 1 - 2^-60: one rounding keeps -2^-60, rounding the product first gives 0
    const before = gemmBackend();
    setGemmBackend(backend);
    try {
      const C = new Float64Array(1);
      gemm(false, false, 1, 1, 2, 1, Float64Array.of(1, 1 + 2 ** -30), 0, 2, Float64Array.of(-1, 1 - 2 ** -30), 0, 1, 0, C, 0, 1);
      expect(C[0]).toBe(backend === 'wasm-relaxed-fma' ? -(2 ** -60) : 0);
    } finally {
      setGemmBackend(before);
    }
  });

  test.each(BACKENDS.filter((b) => b !== 'js'))('%s: products larger than the arena are split along k, m and n with the same result', (backend) => {
    const before = gemmBackend();
    const limit = setGemmArenaLimit(8 * 1024);
    setGemmBackend(backend);
    try {
      for (const [ta, tb] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ] as const) {
        expect(gemmAgrees({ ta, tb, m: 40, n: 23, k: 61, pad: 1, alpha: 0.5, beta: -2, seed: 21 })).toBe(true);
        expect(gemmAgrees({ ta, tb, m: 61, n: 23, k: 9, pad: 2, alpha: 1, beta: 0, seed: 22 })).toBe(true);
        expect(gemmLowerAgrees({ ta, tb, m: 45, n: 60, k: 7, pad: 1, alpha: -1, beta: 1, seed: 23, diagonal: 3 })).toBe(true);
        expect(gemmLowerAgrees({ ta, tb, m: 70, n: 30, k: 50, pad: 0, alpha: 1, beta: 0, seed: 24, diagonal: -5 })).toBe(true);
      }
    } finally {
      setGemmArenaLimit(limit);
      setGemmBackend(before);
    }
  });

  test('a kernel that ignores the transpose of B is caught', () => {
    const wrong: typeof gemm = (ta, _tb, ...rest) => gemm(ta, false, ...rest);
    expect(gemmAgrees({ ta: false, tb: true, m: 5, n: 5, k: 5, pad: 0, alpha: 1, beta: 0, seed: 3 }, wrong)).toBe(false);
  });

  test('beta = 0 overwrites C: NaN already in C does not propagate', () => {
    const C = new Float64Array(4).fill(NaN);
    gemm(false, false, 2, 2, 1, 1, Float64Array.of(1, 2), 0, 1, Float64Array.of(3, 4), 0, 2, 0, C, 0, 2);
    expect(Array.from(C)).toEqual([3, 4, 6, 8]);
  });

  test('the ops facade dispatches large products to the kernel with unchanged results', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), fc.integer(), (m, n, k, seed) => {
        const a = new Matrix(m, k, randomArray(seed, m * k));
        const b = new Matrix(k, n, randomArray(seed + 1, k * n));
        const ref = referenceGemm(false, false, m, n, k, 1, a.data, 0, k, b.data, 0, n, 0, new Float64Array(m * n), 0, n);
        const close = (c: Matrix) => c.rows === m && c.cols === n && c.data.every((v, i) => Math.abs(v - ref.out[i]) <= ref.bound[i]);
        const aT = new Matrix(
          k,
          m,
          Float64Array.from({ length: k * m }, (_, i) => a.data[(i % m) * k + Math.floor(i / m)]),
        );
        const bT = new Matrix(
          n,
          k,
          Float64Array.from({ length: n * k }, (_, i) => b.data[(i % k) * n + Math.floor(i / k)]),
        );
        return close(matmul(a, b)) && close(matmulTN(aT, b)) && close(matmulNT(a, bT));
      }),
      { seed: 602, numRuns: 60 },
    );
  });
});

test('aᵀ a and a aᵀ through the triangle (half the work) equal the full product bit for bit', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 90 }), fc.integer({ min: 1, max: 90 }), fc.integer(), (r, c, seed) => {
      const a = new Matrix(r, c, randomArray(seed, r * c));
      const copy = a.clone();
      const same = (x: Matrix, y: Matrix) => x.data.every((v, i) => Object.is(v, y.data[i]));
      return same(matmulTN(a, a), matmulTN(a, copy)) && same(matmulNT(a, a), matmulNT(a, copy));
    }),
    { seed: 614, numRuns: 40 },
  );
});

test.each(BACKENDS)('%s: syrk on padded storage is bit for bit the lower-triangle product mirrored, and leaves the padding alone', (backend) => {
  const before = gemmBackend();
  setGemmBackend(backend);
  try {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 70 }),
        fc.boolean(),
        fc.constantFrom(0, 1, -0.5),
        fc.integer(),
        (n, k, trans, beta, seed) => {
          const pad = 3;
          const ldx = (trans ? n : k) + pad;
          const X = randomArray(seed, (trans ? k : n) * ldx + pad);
          const ldc = n + pad;
          const C0 = randomArray(seed + 1, n * ldc + pad);
          // a symmetric C for beta != 0, as syrk requires
          for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) C0[pad + j * ldc + i] = C0[pad + i * ldc + j];
          const got = C0.slice();
          syrk(trans, n, k, 0.75, X, pad, ldx, beta, got, pad, ldc);
          const want = C0.slice();
          if (trans) gemmLower(true, false, n, n, k, 0.75, X, pad, ldx, X, pad, ldx, beta, want, pad, ldc);
          else gemmLower(false, true, n, n, k, 0.75, X, pad, ldx, X, pad, ldx, beta, want, pad, ldc);
          mirrorLower(n, want, pad, ldc);
          return got.every((v, i) => Object.is(v, want[i]));
        },
      ),
      { seed: 615, numRuns: 60 },
    );
  } finally {
    setGemmBackend(before);
  }
});

/**
 * gemmLower on padded storage: entries (i, j) with j <= i must match the triple loop within its bound,
 * and everything outside the m x n block (padding, neighbouring rows) must be untouched; entries above
 * the diagonal are unspecified.
 */
function gemmLowerAgrees(c: GemmCase & { diagonal?: number }, kernel = gemmLower): boolean {
  const { ta, tb, m, n, k, pad, alpha, beta } = c;
  const diagonal = c.diagonal ?? 0;
  const { A, B, C, out, bound, lda, ldb, ldc } = gemmReference(c);
  const C0 = C.slice();
  kernel(ta, tb, m, n, k, alpha, A, pad, lda, B, pad, ldb, beta, C, pad, ldc, diagonal);
  return C.every((v, idx) => {
    const rel = idx - pad;
    const i = Math.floor(rel / ldc);
    const j = rel - i * ldc;
    const inBlock = rel >= 0 && i < m && j < n;
    if (!inBlock) return v === C0[idx] || (Number.isNaN(v) && Number.isNaN(C0[idx]));
    return j > i + diagonal || Math.abs(v - out[idx]) <= bound[idx];
  });
}

describe('gemmLower: the lower triangle of C <- alpha op(A) op(B) + beta C', () => {
  describe.each(BACKENDS)('%s micro-kernel', (backend) => {
    const withBackend = (f: () => boolean) => () => {
      const before = gemmBackend();
      setGemmBackend(backend);
      try {
        return f();
      } finally {
        setGemmBackend(before);
      }
    };

    test('agrees with the triple loop on and below the diagonal for every transpose, odd and empty shapes, shifted diagonals', () => {
      const withDiagonal = fc.record({ c: gemmCase, diagonal: fc.integer({ min: -40, max: 40 }) });
      fc.assert(
        fc.property(withDiagonal, ({ c, diagonal }) => withBackend(() => gemmLowerAgrees({ ...c, diagonal }))()),
        { seed: 611, numRuns: 300 },
      );
    });

    test('shapes crossing every blocking boundary, wide and tall (MC = 96, KC = 256, NC = 512)', () => {
      for (const [ta, tb] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ] as const) {
        expect(withBackend(() => gemmLowerAgrees({ ta, tb, m: 530, n: 521, k: 31, pad: 1, alpha: -1, beta: 1, seed: 8 }))()).toBe(true);
        expect(withBackend(() => gemmLowerAgrees({ ta, tb, m: 101, n: 150, k: 259, pad: 2, alpha: 0.5, beta: 0, seed: 9 }))()).toBe(true);
        expect(withBackend(() => gemmLowerAgrees({ ta, tb, m: 200, n: 700, k: 9, pad: 0, alpha: 1, beta: -2, seed: 10, diagonal: 450 }))()).toBe(true);
      }
    });
  });

  test('a driver that ignores the diagonal shift is caught', () => {
    const wrong: typeof gemmLower = (...args) => gemmLower(...(args.slice(0, 16) as Parameters<typeof gemm>));
    expect(gemmLowerAgrees({ ta: false, tb: false, m: 30, n: 60, k: 3, pad: 0, alpha: 1, beta: 0, seed: 5, diagonal: 20 }, wrong)).toBe(false);
  });

  test('a driver that skips the last row block is caught', () => {
    const wrong: typeof gemmLower = (ta, tb, m, ...rest) => gemmLower(ta, tb, Math.max(0, m - 97), ...rest);
    expect(gemmLowerAgrees({ ta: false, tb: true, m: 120, n: 120, k: 5, pad: 0, alpha: 1, beta: 0, seed: 4 }, wrong)).toBe(false);
  });

  test('beta scales only on and below the diagonal, and beta = 0 overwrites NaN there', () => {
    const C = new Float64Array(4).fill(NaN);
    gemmLower(false, false, 2, 2, 1, 1, Float64Array.of(1, 2), 0, 1, Float64Array.of(3, 4), 0, 2, 0, C, 0, 2);
    expect([C[0], C[2], C[3]]).toEqual([3, 6, 8]);
  });
});

describe('gemm on two threads (column or row panels on a worker over shared memory)', () => {
  test.each(BACKENDS.filter((b) => b !== 'js'))(
    '%s: bit-identical to one thread for every transpose, triangle and shape, and the worker did part of it',
    async (backend) => {
      const before = gemmBackend();
      setGemmBackend(backend);
      const threads = setLinalgThreads(2);
      const minFlops = setParallelGemmMinFlops(0);
      try {
        await startLinalgPool(gemmRuntime()!);
        const jobsBefore = linalgWorkerJobCount();
        const cases = fc.sample(fc.record({ c: gemmCase, diagonal: fc.option(fc.integer({ min: -40, max: 40 })) }), { seed: 613, numRuns: 120 });
        for (const { c, diagonal } of cases) {
          const { ta, tb, m, n, k, pad, alpha, beta, seed } = c;
          const [ar, ac] = ta ? [k, m] : [m, k];
          const [br, bc] = tb ? [n, k] : [k, n];
          const A = randomArray(seed, ar * (ac + pad) + pad);
          const B = randomArray(seed + 1, br * (bc + pad) + pad);
          const C0 = randomArray(seed + 2, m * (n + pad) + pad);
          const run = (T: number) => {
            setLinalgThreads(T);
            const C = C0.slice();
            if (diagonal === null) gemm(ta, tb, m, n, k, alpha, A, pad, ac + pad, B, pad, bc + pad, beta, C, pad, n + pad);
            else gemmLower(ta, tb, m, n, k, alpha, A, pad, ac + pad, B, pad, bc + pad, beta, C, pad, n + pad, diagonal);
            return C;
          };
          const one = run(1);
          const two = run(2);
          expect(two.every((v, i) => Object.is(v, one[i]))).toBe(true);
        }
        // a large product as well, split into real panels; a worker that wakes after the caller has
        // claimed every panel does none, so repeat (a bounded number of times) until it has done one
        for (let r = 0; r < 200 && linalgWorkerJobCount() === jobsBefore; r++) {
          expect(gemmAgrees({ ta: false, tb: true, m: 130, n: 141, k: 70, pad: 1, alpha: 1, beta: 0.5, seed: 31 + r })).toBe(true);
        }
        expect(linalgWorkerJobCount()).toBeGreaterThan(jobsBefore);
      } finally {
        setParallelGemmMinFlops(minFlops);
        setLinalgThreads(threads);
        setGemmBackend(before);
      }
    },
  );
});

describe('matmulInto: the product into a reused buffer', () => {
  test('equals matmul bit for bit on both sides of the kernel threshold, whatever the buffer held', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 70 }), fc.integer(), (m, n, k, seed) => {
        const a = new Matrix(m, k, randomArray(seed, m * k));
        const b = new Matrix(k, n, randomArray(seed + 1, k * n));
        const out = new Matrix(
          m,
          n,
          randomArray(seed + 2, m * n).map((v) => v * 1e300),
        );
        const into = matmulInto(a, b, out);
        const ref = matmul(a, b);
        return into === out && out.data.every((v, i) => Object.is(v, ref.data[i]));
      }),
      { seed: 612, numRuns: 60 },
    );
  });

  test('a buffer of the wrong shape is refused', () => {
    expect(() => matmulInto(Matrix.zeros(2, 3), Matrix.zeros(3, 4), Matrix.zeros(4, 2))).toThrow(/shapes do not match/);
    // each dimension wrong on its own
    expect(() => matmulInto(Matrix.zeros(2, 3), Matrix.zeros(4, 5), Matrix.zeros(2, 5))).toThrow(
      'cannot multiply 2 x 3 by 4 x 5 into 2 x 5: shapes do not match',
    );
    expect(() => matmulInto(Matrix.zeros(2, 3), Matrix.zeros(3, 4), Matrix.zeros(3, 4))).toThrow(/shapes do not match/);
    expect(() => matmulInto(Matrix.zeros(2, 3), Matrix.zeros(3, 4), Matrix.zeros(2, 5))).toThrow(/shapes do not match/);
  });
});

describe('syrk: C <- alpha X Xᵀ + beta C (or Xᵀ X)', () => {
  test('agrees with gemm on the full product and is exactly symmetric', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.integer({ min: 0, max: 150 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 1e6 }), (trans, n, k, seed) => {
        const X = randomArray(seed, n * k);
        const ldx = trans ? n : k;
        const S0 = randomArray(seed + 1, n * n);
        for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) S0[j * n + i] = S0[i * n + j];
        const S = S0.slice();
        syrk(trans, n, k, 0.5, X, 0, ldx, 2, S, 0, n);
        const { out, bound } = referenceGemm(trans, !trans, n, n, k, 0.5, X, 0, ldx, X, 0, ldx, 2, S0, 0, n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (S[i * n + j] !== S[j * n + i]) return false;
        return S.every((v, i) => Math.abs(v - out[i]) <= bound[i]);
      }),
      { seed: 603, numRuns: 60 },
    );
  });
});

/** A = M Mᵀ / k + shift I, symmetric positive definite for shift > 0. */
function spd(seed: number, n: number, shift: number): Float64Array {
  const k = n + 3;
  const M = randomArray(seed, n * k);
  const A = new Float64Array(n * n);
  syrk(false, n, k, 1 / k, M, 0, k, 0, A, 0, n);
  for (let i = 0; i < n; i++) A[i * n + i] += shift;
  return A;
}

/** max |L Lᵀ - A| against the backward-error bound (n + 1) eps |L||Lᵀ| (Higham, Thm 10.3). */
function factorAgrees(A: Float64Array, L: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (j > i && L[i * n + j] !== 0) return false;
      let s = 0;
      let a = 0;
      for (let k = 0; k <= Math.min(i, j); k++) {
        s += L[i * n + k] * L[j * n + k];
        a += Math.abs(L[i * n + k] * L[j * n + k]);
      }
      if (!(Math.abs(s - A[i * n + j]) <= 2 * (n + 1) * EPS * a + 1e-300)) return false;
    }
  }
  return true;
}

describe.each(BACKENDS)('blocked Cholesky, triangular solves and inverse (%s GEMM)', (backend) => {
  const sizes = fc.integer({ min: 0, max: 150 });
  let before: GemmBackend;
  beforeAll(() => {
    before = gemmBackend();
    setGemmBackend(backend);
  });
  afterAll(() => {
    setGemmBackend(before);
  });

  test('L Lᵀ = A within the backward-error bound, across panel boundaries (NB = 64)', () => {
    fc.assert(
      fc.property(sizes, fc.integer({ min: 0, max: 1e6 }), (n, seed) => {
        const A = spd(seed, n, 1e-3);
        const L = A.slice();
        for (let i = 0; i < n; i++) L.fill(NaN, i * n + i + 1, (i + 1) * n); // the upper triangle is never read
        return choleskyInPlace(L, n) === null && factorAgrees(A, L, n);
      }),
      { seed: 604, numRuns: 40 },
    );
  });

  test('a factor of a different matrix is caught', () => {
    const n = 70;
    const A = spd(5, n, 1);
    const L = spd(6, n, 1);
    expect(choleskyInPlace(L, n)).toBeNull();
    expect(factorAgrees(A, L, n)).toBe(false);
  });

  test('an indefinite matrix reports its first non-positive pivot, also in a late panel', () => {
    const n = 100;
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) A[i * n + i] = i === 83 ? -1 : 1;
    expect(choleskyInPlace(A, n)?.index).toBe(83);
    const B = new Matrix(n, n, new Float64Array(n * n));
    for (let i = 0; i < n; i++) B.data[i * n + i] = i === 90 ? 0 : 2;
    expect(() => new Cholesky(B)).toThrow(/pivot 90/);
  });

  test('L X = B and Lᵀ X = B with many right-hand sides: residual within n eps |L||X|', () => {
    fc.assert(
      fc.property(sizes, fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 1e6 }), (n, m, seed) => {
        const L = spd(seed, n, 1);
        choleskyInPlace(L, n);
        const B = randomArray(seed + 1, n * m);
        const ok = (trans: boolean) => {
          const X = B.slice();
          (trans ? trsmLowerTransposed : trsmLower)(L, n, X, m);
          const r = referenceGemm(trans, false, n, m, n, 1, L, 0, n, X, 0, m, 0, new Float64Array(n * m), 0, m);
          // backward stable: the residual is a few times the rounding of the product L X itself
          return r.out.every((v, i) => Math.abs(v - B[i]) <= 4 * r.bound[i]);
        };
        return ok(false) && ok(true);
      }),
      { seed: 605, numRuns: 40 },
    );
  });

  test('inverse: A X = I within n eps cond(A)', () => {
    fc.assert(
      fc.property(sizes, fc.integer({ min: 0, max: 1e6 }), (n, seed) => {
        const A = spd(seed, n, 0.5);
        const L = A.slice();
        choleskyInPlace(L, n);
        const X = choleskyInverse(L, n);
        // ||A|| <= 1 + 0.5 entrywise-ish and ||A⁻¹|| <= 2, so cond(A) <= 2 n (1.5)
        const bound = 8 * n * EPS * (3 * n) + 1e-300;
        const R = referenceGemm(false, false, n, n, n, 1, A, 0, n, X, 0, n, 0, new Float64Array(n * n), 0, n).out;
        return R.every((v, i) => Math.abs(v - (i % (n + 1) === 0 ? 1 : 0)) <= bound);
      }),
      { seed: 606, numRuns: 30 },
    );
  });

  test('n = 1 and orders on both sides of the leaf (16) and panel (64) sizes: L Lᵀ = A within the backward-error bound, A X = I within n eps cond(A)', () => {
    for (const n of [1, 2, 3, 15, 16, 17, 31, 33, 47, 48, 63, 64, 65, 66, 127, 128, 129]) {
      const A = spd(1000 + n, n, 0.5);
      const L = A.slice();
      expect(choleskyInPlace(L, n)).toBeNull();
      expect(factorAgrees(A, L, n)).toBe(true);
      const X = choleskyInverse(L, n);
      const bound = 8 * n * EPS * (3 * n) + 1e-300;
      const R = referenceGemm(false, false, n, n, n, 1, A, 0, n, X, 0, n, 0, new Float64Array(n * n), 0, n).out;
      expect(R.every((v, i) => Math.abs(v - (i % (n + 1) === 0 ? 1 : 0)) <= bound)).toBe(true);
    }
  });

  test('graded by powers of two (condition ~1e12): the factor of D S D is D L_S and its inverse D⁻¹ S⁻¹ D⁻¹, bit for bit', () => {
    // every rounding in the factorization and inverse acts on terms of one common power-of-two scale per entry, so a
    // correct driver reproduces the scaling exactly; a term with the wrong row or column scale breaks the equality
    for (const n of [1, 17, 64, 100, 131]) {
      const S = spd(2000 + n, n, 0.5);
      const d = Array.from({ length: n }, (_, i) => 2 ** -Math.round((20 * i) / Math.max(1, n - 1)));
      const A = S.map((v, k) => v * d[Math.floor(k / n)] * d[k % n]);
      const LS = S.slice();
      const LA = A.slice();
      expect(choleskyInPlace(LS, n)).toBeNull();
      expect(choleskyInPlace(LA, n)).toBeNull();
      expect(factorAgrees(A, LA, n)).toBe(true);
      expect(LA.every((v, k) => Object.is(v, LS[k] * d[Math.floor(k / n)]))).toBe(true);
      const XS = choleskyInverse(LS, n);
      const XA = choleskyInverse(LA, n);
      expect(XA.every((v, k) => Object.is(v, XS[k] / d[Math.floor(k / n)] / d[k % n]))).toBe(true);
    }
  });

  test('the graded check catches a factor whose one entry is off by one unit in the last place', () => {
    const n = 100;
    const S = spd(3, n, 0.5);
    const d = Array.from({ length: n }, (_, i) => 2 ** -Math.round((20 * i) / (n - 1)));
    const A = S.map((v, k) => v * d[Math.floor(k / n)] * d[k % n]);
    const LS = S.slice();
    const LA = A.slice();
    choleskyInPlace(LS, n);
    choleskyInPlace(LA, n);
    LA[70 * n + 3] *= 1 + EPS;
    expect(LA.every((v, k) => Object.is(v, LS[k] * d[Math.floor(k / n)]))).toBe(false);
  });

  test('the Cholesky class gives the same factor, inverse and solves on its blocked path (n >= 48) as the unblocked one', () => {
    const n = 90;
    const a = new Matrix(n, n, spd(9, n, 0.5));
    const c = new Cholesky(a);
    expect(factorAgrees(a.data, c.L.data, n)).toBe(true);
    const inv = c.inverse();
    const B = new Matrix(n, 3, randomArray(10, n * 3));
    const X = c.solveMatrix(B);
    const AX = matmul(a, X);
    expect(AX.data.every((v, i) => Math.abs(v - B.data[i]) <= 1e-12)).toBe(true);
    const I = matmul(a, inv);
    expect(I.data.every((v, i) => Math.abs(v - (i % (n + 1) === 0 ? 1 : 0)) <= 1e-12)).toBe(true);
  });
});

describe('blocked Cholesky at a size crossing the GEMM blocking (default backend)', () => {
  test('factor and inverse across the GEMM blocking boundaries (n = 530 > NC = 512)', () => {
    const n = 530;
    const A = spd(12, n, 0.5);
    const L = A.slice();
    expect(choleskyInPlace(L, n)).toBeNull();
    expect(factorAgrees(A, L, n)).toBe(true);
    const X = choleskyInverse(L, n);
    const bound = 8 * n * EPS * (3 * n);
    const R = new Float64Array(n * n);
    gemm(false, false, n, n, n, 1, A, 0, n, X, 0, n, 0, R, 0, n);
    expect(R.every((v, i) => Math.abs(v - (i % (n + 1) === 0 ? 1 : 0)) <= bound)).toBe(true);
    // one assertion over the whole matrix: an expect per entry (140,000 of them) cost seconds
    const asymmetric: [number, number][] = [];
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) if (!Object.is(X[i * n + j], X[j * n + i])) asymmetric.push([i, j]);
    expect(asymmetric.slice(0, 5)).toEqual([]);
  });
});

describe('eigSymmetric scales by a power of two before iterating', () => {
  /** Eigenvalues of s B against s times those of B: error within the rounding of the scaled entries (Weyl). */
  function scaledValuesAgree(values: Float64Array, s: number, B: Matrix): boolean {
    const ref = eigSymmetric(B).values;
    const n = B.rows;
    const entryRounding = Math.max(2 ** -1074, EPS * s); // the rounding of s b_ij: absolute for subnormals, relative otherwise
    return values.every((v, i) => Math.abs(v - s * ref[i]) <= 4 * n * (entryRounding + EPS * Math.abs(s * ref[i]) * n));
  }

  test.each([1e-316, 1e-310, 1e-200, 1e300])('entries of size %s converge to the scaled spectrum', (s) => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 1e6 }), (n, seed) => {
        const B = new Matrix(n, n, spd(seed, n, 0));
        for (let i = 0; i < n * n; i++) B.data[i] -= 0.3;
        const a = new Matrix(
          n,
          n,
          B.data.map((v) => v * s),
        );
        return scaledValuesAgree(eigSymmetric(a).values, s, B);
      }),
      { seed: 607, numRuns: 25 },
    );
  });

  test('the check catches eigenvalues left unscaled', () => {
    const n = 4;
    const B = new Matrix(n, n, spd(3, n, 1));
    expect(scaledValuesAgree(eigSymmetric(B).values, 1e-316, B)).toBe(false);
  });
});

describe('kfacPreconditioner: the Cholesky path solves the same damped system as the spectral one', () => {
  /** Residual of (G + cg I) U (A + ca I) = grad, relative to the sizes involved. */
  function residual(G: Matrix, A: Matrix, U: Matrix, grad: Matrix, cg: number, ca: number): number {
    const Gd = addScaledIdentity(G, cg);
    const Ad = addScaledIdentity(A, ca);
    const R = matmul(matmul(Gd, U), Ad);
    return maxAbsDiff(R, grad) / (maxAbs(Gd) * maxAbs(Ad) * maxAbs(U) * (G.rows + A.rows) + 1e-300);
  }

  test('factored and pi-factored schemes with positive damping, blocked sizes included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 70 }),
        fc.constantFrom('factored', 'pi-factored') as fc.Arbitrary<'factored' | 'pi-factored'>,
        fc.integer({ min: 0, max: 1e6 }),
        (m, k, scheme, seed) => {
          const G = new Matrix(m, m, spd(seed, m, 0));
          const A = new Matrix(k, k, spd(seed + 1, k, 0));
          const grad = new Matrix(m, k, randomArray(seed + 2, m * k));
          const damping = 1e-2;
          const p = kfacPreconditioner({ A, G }, damping, scheme);
          const pi = scheme === 'pi-factored' ? piFactor(A, G) : 1;
          const c = Math.sqrt(damping);
          const U = p.apply(grad);
          // explicit inverses of factors with condition number <= (4 + 0.1) / 0.1 ~ 40: residual ~ n eps cond, below 160 eps (m + k) in these units
          return (
            p.method === 'cholesky' &&
            !p.singular &&
            residual(G, A, U, grad, c / pi, pi * c) <= 16 * EPS * 10 &&
            maxAbsDiff(U, kfacUpdate({ A, G, gradient: grad }, damping, scheme).update) === 0
          );
        },
      ),
      { seed: 608, numRuns: 30 },
    );
  });

  test('a singular factor without damping falls back to the pseudo-inverse; a wrong gradient shape is refused', () => {
    const n = 5;
    const G = Matrix.identity(n);
    const A = new Matrix(n, n);
    A.data[0] = 1; // rank one
    const p = kfacPreconditioner({ A, G }, 0, 'factored');
    expect(p.method).toBe('eigen');
    expect(p.singular).toBe(true);
    expect(() => p.apply(new Matrix(n, n + 1))).toThrow(/must be 5 x 5/);
    // the residual check is able to fail: the undamped solve does not satisfy the damped system
    const grad = new Matrix(n, n, randomArray(1, n * n));
    const q = kfacPreconditioner({ A: Matrix.identity(n), G }, 1e-2, 'factored');
    expect(residual(G, Matrix.identity(n), q.apply(grad), grad, 0, 0)).toBeGreaterThan(1e-3);
  });
});
