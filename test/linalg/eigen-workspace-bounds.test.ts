import { expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { tridiagonalEigen } from '../../src/linalg/eigen/divide-conquer.js';
import { tridiagonalize } from '../../src/linalg/eigen/householder.js';
import { type Workspace, withWorkspace } from '../../src/linalg/kernels/workspace.js';

/**
 * The eigensolver's stages share one workspace with their caller's arrays, so each must write only
 * its own output and its own allocations: a write one row past a block lands in the caller's next
 * array. Here the output is followed by a guard region of known contents, which must be left as it
 * was; so must the memory past the last allocation of a stage that keeps what it allocates.
 */
const SENTINEL = 7.25;

/** Fills `doubles` past the workspace's current top with the sentinel, then frees them. */
function markFreeMemory(ws: Workspace, doubles: number): number {
  return ws.scoped(() => {
    const p = ws.alloc(doubles);
    ws.heap().fill(SENTINEL, p, p + doubles);
    return p + doubles;
  });
}

function untouched(ws: Workspace, from: number, to: number): number[] {
  const H = ws.heap();
  const changed: number[] = [];
  for (let i = from; i < to; i++) if (H[i] !== SENTINEL) changed.push(i - from);
  return changed.slice(0, 5);
}

test('the Householder reduction writes only its matrix and its own allocations', () => {
  const rng = new Rng('householder-bounds');
  // 70 = two full panels of 32 and a last one of 6: the trailing update runs after each full panel
  const n = 70;
  withWorkspace((ws) => {
    const a = ws.alloc(n * n);
    const guard = ws.alloc(2 * n * n);
    const H = ws.heap();
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) H[a + i * n + j] = H[a + j * n + i] = rng.normal();
    H.fill(SENTINEL, guard, guard + 2 * n * n);
    const free = markFreeMemory(ws, 20 * n * n);
    const d = new Float64Array(n);
    const e = new Float64Array(n);
    tridiagonalize(ws, a, n, d, e);
    const end = ws.alloc(0);
    expect(untouched(ws, guard, guard + 2 * n * n), 'the guard after the matrix').toEqual([]);
    expect(untouched(ws, end, free), 'the memory past the last allocation').toEqual([]);
  });
});

test('the divide and conquer writes only its n x n eigenvectors and its own allocations', () => {
  // a palindromic tridiagonal: the two halves of the top merge have equal eigenvalues, which deflate
  // in pairs by rotations of the eigenvector columns (over every row of the block)
  const n = 60;
  const rng = new Rng('dc-bounds');
  const half = Float64Array.from({ length: n / 2 }, () => rng.normal());
  const offHalf = Float64Array.from({ length: n / 2 }, () => 0.5 + rng.uniform());
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  for (let i = 0; i < n / 2; i++) {
    d[i] = d[n - 1 - i] = half[i];
    if (i < n / 2 - 1) e[i] = e[n - 2 - i] = offHalf[i];
  }
  e[n / 2 - 1] = offHalf[n / 2 - 1];
  withWorkspace((ws) => {
    const z = ws.alloc(n * n);
    const guard = ws.alloc(n * n);
    ws.heap().fill(SENTINEL, guard, guard + n * n);
    // (its merges free their temporaries, which lie past the top: only the guard is checked)
    tridiagonalEigen(ws, d, e, n, z, 'a');
    expect(untouched(ws, guard, guard + n * n), 'the guard after the eigenvectors').toEqual([]);
    for (let i = 1; i < n; i++) expect(d[i]).toBeGreaterThanOrEqual(d[i - 1]);
  });
});
