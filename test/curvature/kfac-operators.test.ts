/**
 * K-FAC on parameter vectors: the curvature operator and its damped inverse
 * for joint and separate biases, the separate bias's preconditioner, the
 * choice between the Cholesky and the spectral path, pi's fallback, and the
 * messages of bad input.
 */
import { describe, expect, test } from 'vitest';
import type { Vec } from '../../src/core/vec.js';
import {
  type KfacBlock,
  biasPreconditioner,
  blockIndex,
  kfacBlockPreconditioner,
  kfacFactors,
  kfacInverseOperator,
  kfacOperator,
  kfacPreconditioner,
  kfacResult,
  piFactor,
} from '../../src/curvature/kfac.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { addScaledIdentity, kron, matvec } from '../../src/linalg/ops.js';
import { solve } from '../../src/linalg/solve.js';
import { mlpProblem, paramCount } from '../../src/models/mlp.js';
import { randomProblem } from '../models/fixtures.js';
import { thrownError } from '../natgrad-error.js';

const reason = (f: () => unknown): { path: string; reason: string } => {
  const { path, reason } = thrownError(f);
  return { path, reason };
};

const maxGap = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
};

/** The dense K-FAC curvature built independently: G ⊗ A over each block's [W b] positions, G over a separate bias. */
function denseKfac(P: number, blocks: readonly KfacBlock[]): Matrix {
  const M = new Matrix(P, P);
  for (const b of blocks) {
    const K = kron(b.G, b.A);
    const n = b.out * b.cols;
    for (let p = 0; p < n; p++) {
      for (let q = 0; q < n; q++) M.set(blockIndex(b, Math.floor(p / b.cols), p % b.cols), blockIndex(b, Math.floor(q / b.cols), q % b.cols), K.get(p, q));
    }
    if (b.cols === b.fanIn && b.biasOffset !== null) {
      for (let i = 0; i < b.out; i++) for (let j = 0; j < b.out; j++) M.set(b.biasOffset + i, b.biasOffset + j, b.G.get(i, j));
    }
  }
  return M;
}

describe('parameter-vector operators, joint and separate bias', () => {
  // layer 0 with a bias, layer 1 without: the separate-bias case has a bias block only on layer 0
  const q = randomProblem(7100, { sizes: [3, 2, 2], activations: ['tanh', 'identity'], likelihood: 'categorical', bias: [true, false], N: 4 });
  const { model, theta, batch } = mlpProblem(q.spec, q.weights, q.inputs, q.targets);
  const P = paramCount(q.spec);
  const lambda = 0.05;
  const v = Float64Array.from({ length: P }, (_, i) => Math.sin(1 + 2 * i));

  for (const bias of ['joint', 'separate'] as const) {
    const { blocks } = kfacFactors(model, theta, batch, { bias });
    test(`${bias}: dense() and matvec are G ⊗ A (and G on a separate bias), built independently`, () => {
      const K = kfacOperator(P, blocks);
      const want = denseKfac(P, blocks);
      expect(maxGap(K.dense().data, want.data)).toBeLessThanOrEqual(1e-15);
      expect(maxGap(K.matvec(v), matvec(want, v))).toBeLessThanOrEqual(1e-14);
      expect(maxGap(K.rmatvec(v), matvec(want, v))).toBeLessThanOrEqual(1e-14);
      expect(K.shape).toEqual([P, P]);
    });
    test(`${bias}: the exact-scheme inverse operator is (K + λ I)^-1 on every parameter`, () => {
      const inv = kfacInverseOperator(
        P,
        blocks.map((b) => kfacBlockPreconditioner(b, lambda, 'exact')),
      );
      const direct = solve(addScaledIdentity(denseKfac(P, blocks), lambda), v);
      expect(maxGap(inv.matvec(v), direct)).toBeLessThanOrEqual(1e-12);
      expect(maxGap(inv.rmatvec(v), direct)).toBeLessThanOrEqual(1e-12);
      const D = inv.dense();
      expect(maxGap(matvec(D, v), direct)).toBeLessThanOrEqual(1e-12);
      expect(inv.shape).toEqual([P, P]);
    });
  }

  test('a separate bias under the factored scheme: (G + sqrt(λ) I)^-1 on the bias, as kfacResult reports it', () => {
    const { blocks } = kfacFactors(model, theta, batch, { bias: 'separate' });
    const b = blocks[0];
    expect(b.biasOffset).not.toBeNull();
    const p = kfacBlockPreconditioner(b, lambda, 'factored');
    const out = new Float64Array(P);
    p.applyTo(v, out);
    const db = v.subarray(b.biasOffset as number, (b.biasOffset as number) + b.out);
    const want = solve(addScaledIdentity(b.G, Math.sqrt(lambda)), Float64Array.from(db));
    expect(maxGap(out.subarray(b.biasOffset as number, (b.biasOffset as number) + b.out), want)).toBeLessThanOrEqual(1e-12);
    const r = kfacResult(model, theta, batch, { bias: 'separate', damping: lambda, dampingScheme: 'factored' }).blocks[0];
    const fromResult = solve(addScaledIdentity(r.G, Math.sqrt(lambda)), r.biasGradient as Vec);
    expect(maxGap(r.biasUpdate as Vec, fromResult)).toBeLessThanOrEqual(1e-12);
  });

  test('a vector of the wrong length is refused, naming the length', () => {
    const { blocks } = kfacFactors(model, theta, batch, {});
    expect(reason(() => kfacOperator(P, blocks).matvec(new Float64Array(P + 1)))).toEqual({
      path: 'v',
      reason: `must be a Float64Array of ${P} entries (one per parameter), got ${P + 1}`,
    });
    const inv = kfacInverseOperator(
      P,
      blocks.map((b) => kfacBlockPreconditioner(b, lambda, 'exact')),
    );
    expect(reason(() => inv.matvec(Array.from(v) as unknown as Vec)).path).toBe('v');
    expect(reason(() => inv.matvec(undefined as unknown as Vec)).reason).toBe(`must be a Float64Array of ${P} entries (one per parameter), got undefined`);
  });
});

describe('singular flags and the spectral fallback', () => {
  test('a damped factor with condition beyond 1/KFAC_RCOND: the eigen path, its small direction dropped, singular', () => {
    const G = Matrix.from([
      [100, 0],
      [0, 0],
    ]);
    const A = Matrix.identity(2);
    const grad = Matrix.from([
      [1, 2],
      [3, 4],
    ]);
    // c = sqrt(λ) = 1e-11: G + c I has condition 1e13 > 1e12 (and norm 100, so the test is relative to the norm)
    const p = kfacPreconditioner({ A, G }, 1e-22, 'factored');
    expect(p.method).toBe('eigen');
    expect(p.singular).toBe(true);
    const u = p.apply(grad);
    const d = (100 + 1e-11) * (1 + 1e-11);
    expect(Array.from(u.data)).toEqual([expect.closeTo(1 / d, 15), expect.closeTo(2 / d, 15), 0, 0]);
    // with damping 1e-6 the same block is regular (condition 1e5) and takes the Cholesky path
    const r = kfacPreconditioner({ A, G }, 1e-6, 'factored');
    expect(r.method).toBe('cholesky');
    expect(r.singular).toBe(false);
    // without damping the spectral path is taken even for a regular block
    expect(kfacPreconditioner({ A, G: Matrix.identity(2) }, 0, 'factored').method).toBe('eigen');
    expect(kfacPreconditioner({ A, G: Matrix.identity(2) }, 0, 'pi-factored').singular).toBe(false);
  });
  test('the spectral path with damping divides by the damped eigenvalues it names (factored, pi-factored)', () => {
    // diagonal factors: the update is grad_ij / (dg_i da_j), a damped eigenvalue <= KFAC_RCOND times the largest cut to 0
    const grad = Matrix.from([
      [1, 2],
      [3, 4],
    ]);
    const spectral = (G: Matrix, A: Matrix, lambda: number, scheme: 'factored' | 'pi-factored') => {
      const p = kfacPreconditioner({ A, G }, lambda, scheme);
      expect(p.method).toBe('eigen');
      return p.apply(grad);
    };
    const rel = (got: number, want: number) => Math.abs(got - want) / Math.abs(want);
    // factored, c = 1e-11: G + c I has condition 1e13 (its small eigenvalue is cut); A + c I = diag(2e-11, 4e-11) is kept
    let c = 1e-11;
    let u = spectral(
      Matrix.from([
        [100, 0],
        [0, 0],
      ]),
      Matrix.from([
        [1e-11, 0],
        [0, 3e-11],
      ]),
      c * c,
      'factored',
    );
    expect(rel(u.get(0, 0), 1 / ((100 + c) * (1e-11 + c)))).toBeLessThanOrEqual(1e-14);
    expect(rel(u.get(0, 1), 2 / ((100 + c) * (3e-11 + c)))).toBeLessThanOrEqual(1e-14);
    expect([u.get(1, 0), u.get(1, 1)]).toEqual([0, 0]);
    // pi-factored, pi = sqrt((tr A / 2) / (tr G / 2)) = 1/2, c = 1.6e-12: G + (c/pi) I has condition 1.25e12
    c = 1.6e-12;
    const pi = 0.5;
    u = spectral(
      Matrix.from([
        [4, 0],
        [0, 0],
      ]),
      Matrix.from([
        [1, 0],
        [0, 0],
      ]),
      c * c,
      'pi-factored',
    );
    expect(rel(u.get(0, 0), 1 / ((4 + c / pi) * (1 + pi * c)))).toBeLessThanOrEqual(1e-14);
    expect([u.get(0, 1), u.get(1, 0), u.get(1, 1)]).toEqual([0, 0, 0]);
    // undamped regular factors: nothing is cut, the update is G^-1 grad A^-1 and the block is not singular
    const q = kfacPreconditioner(
      {
        A: Matrix.from([
          [2, 0],
          [0, 4],
        ]),
        G: Matrix.identity(2),
      },
      0,
      'pi-factored',
    );
    expect(q.singular).toBe(false);
    expect(Array.from(q.apply(grad).data)).toEqual([0.5, 0.5, 1.5, 1]);
  });
  test('a separate bias with a singular G makes the block singular; a regular one does not', () => {
    const G = Matrix.from([
      [1, 0],
      [0, 0],
    ]);
    expect(biasPreconditioner(G, 0, 'exact').singular).toBe(true);
    expect(biasPreconditioner(G, 0.01, 'exact').singular).toBe(false);
    // exact: (G + λ I)^-1; factored: (G + sqrt(λ) I)^-1
    expect(Array.from(biasPreconditioner(G, 0.01, 'exact').apply(Float64Array.of(1, 1)))).toEqual([1 / 1.01, 1 / 0.01].map((x) => expect.closeTo(x, 12)));
    expect(Array.from(biasPreconditioner(G, 0.01, 'factored').apply(Float64Array.of(1, 1)))).toEqual([1 / 1.1, 1 / 0.1].map((x) => expect.closeTo(x, 12)));
    // the pseudo-inverse drops the null direction
    expect(Array.from(biasPreconditioner(G, 0, 'exact').apply(Float64Array.of(2, 5)))).toEqual([2, 0]);
  });
  test('an ill-conditioned A alone also sends the block to the spectral path', () => {
    const p = kfacPreconditioner(
      {
        A: Matrix.from([
          [100, 0],
          [0, 0],
        ]),
        G: Matrix.identity(2),
      },
      1e-22,
      'factored',
    );
    expect(p.method).toBe('eigen');
    expect(p.singular).toBe(true);
    expect(
      Array.from(
        p.apply(
          Matrix.from([
            [1, 2],
            [3, 4],
          ]),
        ).data,
      ),
    ).toEqual([expect.closeTo(1 / ((1 + 1e-11) * (100 + 1e-11)), 15), 0, expect.closeTo(3 / ((1 + 1e-11) * (100 + 1e-11)), 15), 0]);
  });
  test("a block is singular when its weight part or its separate bias is; the bias's G is named in errors", () => {
    const q = randomProblem(7101, { sizes: [2, 2], activations: ['identity'], likelihood: 'gaussian', N: 3 });
    const { model, theta, batch } = mlpProblem(q.spec, q.weights, q.inputs, q.targets);
    const separate = kfacFactors(model, theta, batch, { bias: 'separate' }).blocks[0];
    const joint = kfacFactors(model, theta, batch, {}).blocks[0];
    const I = Matrix.identity(2);
    const with2 = (b: KfacBlock, A: Matrix, G: Matrix): KfacBlock => ({ ...b, A, G });
    expect(kfacBlockPreconditioner(with2(joint, Matrix.identity(joint.cols), I), 0, 'exact').singular).toBe(false);
    expect(kfacBlockPreconditioner(with2(separate, I, I), 0, 'exact').singular).toBe(false);
    // A = 0: the weight part is singular, the bias (G = I) is not
    expect(kfacBlockPreconditioner(with2(separate, new Matrix(2, 2), I), 0, 'exact').singular).toBe(true);
    // exact, λ = 1e-13: with A = 1e-6 I the weight's products λ_G λ_A + λ keep λ (1e-13 > 1e-12 * 1e-6);
    // the bias's G + λ I cuts it (1e-13 <= 1e-12 * 1)
    const G = Matrix.from([
      [1, 0],
      [0, 0],
    ]);
    const A = Matrix.from([
      [1e-6, 0],
      [0, 1e-6],
    ]);
    expect(kfacPreconditioner({ A, G }, 1e-13, 'exact').singular).toBe(false);
    expect(biasPreconditioner(G, 1e-13, 'exact').singular).toBe(true);
    expect(kfacBlockPreconditioner(with2(separate, A, G), 1e-13, 'exact').singular).toBe(true);
    expect(
      reason(() =>
        biasPreconditioner(
          Matrix.from([
            [1, 2],
            [0, 1],
          ]),
          0.1,
          'exact',
        ),
      ).path,
    ).toBe('G');
  });
  test('kfacResult: one example makes the weight block singular (A = x xᵀ) while the gaussian bias block (G = I) is not', () => {
    const q = randomProblem(7102, { sizes: [2, 2], activations: ['identity'], likelihood: 'gaussian', N: 1 });
    const { model, theta, batch } = mlpProblem(q.spec, q.weights, q.inputs, q.targets);
    const b = kfacResult(model, theta, batch, { bias: 'separate', damping: 0, dampingScheme: 'exact' }).blocks[0];
    expect(b.singular).toBe(true);
    expect(biasPreconditioner(b.G, 0, 'exact').singular).toBe(false);
  });
  test('pi falls back to 1 when G or A is zero', () => {
    const I = Matrix.identity(2);
    const Z = new Matrix(2, 2);
    expect(piFactor(I, Z)).toBe(1);
    expect(piFactor(Z, I)).toBe(1);
    expect(
      piFactor(
        Matrix.from([
          [4, 0],
          [0, 4],
        ]),
        I,
      ),
    ).toBe(2);
  });
});

describe('bad damping and gradients', () => {
  const f = { A: Matrix.identity(2), G: Matrix.identity(3) };
  test('messages name what is wrong and what is allowed', () => {
    expect(reason(() => kfacPreconditioner(f, -1, 'factored'))).toEqual({ path: 'damping', reason: 'must be a finite number >= 0, got -1' });
    expect(reason(() => kfacPreconditioner(f, Infinity, 'factored'))).toEqual({ path: 'damping', reason: 'must be a finite number >= 0, got Infinity' });
    expect(reason(() => biasPreconditioner(f.G, 0.1, 'tikhonov' as 'exact'))).toEqual({
      path: 'dampingScheme',
      reason: 'must be one of factored, pi-factored, exact, got "tikhonov"',
    });
    for (const damping of [0, 0.1]) {
      expect(reason(() => kfacPreconditioner(f, damping, 'factored').apply(new Matrix(2, 3)))).toEqual({
        path: 'gradient',
        reason: 'must be 3 x 2 (rows of G by rows of A), got 2 x 3',
      });
      expect(reason(() => kfacPreconditioner(f, damping, 'exact').apply(new Matrix(3, 3))).reason).toBe('must be 3 x 2 (rows of G by rows of A), got 3 x 3');
      expect(reason(() => kfacPreconditioner(f, damping, 'factored').apply(new Matrix(2, 2)))).toEqual({
        path: 'gradient',
        reason: 'must be 3 x 2 (rows of G by rows of A), got 2 x 2',
      });
    }
    // an asymmetric factor is named on the spectral path too
    expect(
      reason(() =>
        kfacPreconditioner(
          {
            A: f.A,
            G: Matrix.from([
              [1, 2, 0],
              [0, 1, 0],
              [0, 0, 1],
            ]),
          },
          0,
          'exact',
        ),
      ).path,
    ).toBe('G');
    expect(
      reason(() =>
        kfacPreconditioner(
          {
            A: Matrix.from([
              [1, 2],
              [0, 1],
            ]),
            G: f.G,
          },
          0,
          'exact',
        ),
      ).path,
    ).toBe('A');
  });
});
