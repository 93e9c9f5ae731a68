import { afterEach, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { availableGemmBackends, gemm, gemmBackend, gemmRuntime, setGemmBackend } from '../../src/linalg/kernels/gemm.js';
import { triangularInverse } from '../../src/linalg/kernels/cholesky.js';
import { withWorkspace } from '../../src/linalg/kernels/workspace.js';

const initial = gemmBackend();
afterEach(() => {
  setGemmBackend(initial);
});

test('a workspace lives in the memory of the backend in use: the WebAssembly runtime when there is one, else JavaScript', () => {
  // the eigensolver's products then run on the same kernels as the GEMMs the backend was chosen for
  const rt = gemmRuntime();
  withWorkspace((ws) => {
    expect(ws.runtime).toBe(rt);
    if (rt) expect(ws.heap().buffer).toBe(rt.memory.buffer);
  });
  setGemmBackend('js');
  withWorkspace((ws) => {
    expect(ws.runtime).toBeNull();
  });
});

test('gemm with alpha = 0 reads neither A nor B (BLAS): C = beta C even when A holds NaN, on every backend', () => {
  for (const backend of availableGemmBackends()) {
    setGemmBackend(backend);
    const m = 5;
    const n = 7;
    const k = 6;
    const A = new Float64Array(m * k).fill(Number.NaN);
    const B = new Float64Array(k * n).fill(Number.POSITIVE_INFINITY);
    const C = Float64Array.from({ length: m * n }, (_, i) => i - 10);
    gemm(false, false, m, n, k, 0, A, 0, k, B, 0, n, 0.5, C, 0, n);
    expect(Array.from(C), backend).toEqual(Array.from({ length: m * n }, (_, i) => 0.5 * (i - 10)));
  }
});

test('gemm writes only its m x n block of C: the entries between rows (ldc > n) keep their bits, -0 included', () => {
  const rng = new Rng('gemm-block');
  for (const backend of availableGemmBackends()) {
    setGemmBackend(backend);
    for (const [m, n, k] of [
      [5, 6, 3],
      [9, 13, 7],
      [2, 1, 4],
    ]) {
      const ldc = n + 5;
      const A = Float64Array.from({ length: m * k }, () => rng.normal());
      const B = Float64Array.from({ length: k * n }, () => rng.normal());
      const C = new Float64Array(m * ldc).fill(-0);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) C[i * ldc + j] = rng.normal();
      gemm(false, false, m, n, k, 1.5, A, 0, k, B, 0, n, 1, C, 0, ldc);
      for (let i = 0; i < m; i++) {
        for (let j = n; j < ldc; j++) expect(Object.is(C[i * ldc + j], -0), `${backend} ${m}x${n}x${k} (${i}, ${j})`).toBe(true);
      }
    }
  }
});

test('the triangular inverse writes only its n x n block: a guard after it keeps its contents, at a leaf and split', () => {
  // T = L⁻¹ by rows; the order 12 is one scalar leaf, 40 halves into leaves and GEMMs. A row past the block
  // would land in whatever the caller allocated next.
  const SENTINEL = 7.25;
  const rng = new Rng('triangular-inverse-bounds');
  for (const n of [12, 40]) {
    withWorkspace((ws) => {
      const l = ws.alloc(n * n);
      const t = ws.alloc(n * n);
      const guard = ws.alloc(2 * n);
      const H = ws.heap();
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) H[l + i * n + j] = j < i ? 0.1 * rng.normal() : j === i ? 1 + rng.uniform() : 0;
      H.fill(SENTINEL, guard, guard + 2 * n);
      triangularInverse(ws, l, n, n, t, n);
      const after = ws.heap();
      expect(
        Array.from(after.subarray(guard, guard + 2 * n)).filter((x) => x !== SENTINEL),
        `n = ${n}`,
      ).toEqual([]);
      // and it is the inverse: (T L)_ii = 1 to rounding (L is well conditioned: unit-range diagonal, small below it)
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += after[t + i * n + k] * after[l + k * n + i];
        expect(Math.abs(s - 1), `n = ${n}, row ${i}`).toBeLessThanOrEqual(64 * n * 2 ** -52);
      }
    });
  }
});
