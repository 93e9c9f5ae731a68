/**
 * Conjugate gradients' refusals, each naming the option and what is allowed,
 * and a preconditioner that stops being positive definite during the run.
 */
import { expect, test } from 'vitest';
import { vec, type Vec } from '../../src/core/vec.js';
import { conjugateGradient } from '../../src/linalg/cg.js';
import type { LinearOperator } from '../../src/linalg/linear-operator.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { denseOperator, identityOperator } from '../../src/linalg/operators.js';
import { thrownLine } from '../natgrad-error.js';

const A = denseOperator(
  Matrix.from([
    [4, 1, 0],
    [1, 3, 1],
    [0, 1, 2],
  ]),
);
const b = vec([1, 2, 3]);

test('refusals name the option and say what is allowed', () => {
  expect(thrownLine(() => conjugateGradient(denseOperator(new Matrix(2, 3)), vec([0, 0])))).toBe(
    'operator: conjugate gradients need a square operator, got 2 x 3',
  );
  expect(thrownLine(() => conjugateGradient(A, vec([1, 2])))).toBe('b: right-hand side has length 2, expected 3');
  for (const rtol of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
    expect(thrownLine(() => conjugateGradient(A, b, { rtol }))).toBe(`rtol: must be a finite number >= 0, got ${rtol}`);
  }
  for (const atol of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
    expect(thrownLine(() => conjugateGradient(A, b, { atol }))).toBe(`atol: must be a finite number >= 0, got ${atol}`);
  }
  for (const maxIterations of [-1, 1.5]) {
    expect(thrownLine(() => conjugateGradient(A, b, { maxIterations }))).toBe(`maxIterations: must be an integer >= 0, got ${maxIterations}`);
  }
  const rect = (rows: number, cols: number): LinearOperator => ({
    shape: [rows, cols],
    matvec: (x: Vec) => x,
    rmatvec: (x: Vec) => x,
    dense: () => new Matrix(rows, cols),
  });
  expect(thrownLine(() => conjugateGradient(A, b, { preconditioner: rect(2, 3) }))).toBe('preconditioner: must be 3 x 3, got 2 x 3');
  expect(thrownLine(() => conjugateGradient(A, b, { preconditioner: rect(3, 2) }))).toBe('preconditioner: must be 3 x 3, got 3 x 2');
  expect(thrownLine(() => conjugateGradient(A, b, { x0: vec([0, 0]) }))).toBe('x0: starting point has length 2, expected 3');
});

test('the limits of the options are allowed: rtol 0 with an atol, atol 0, no iterations', () => {
  const r = conjugateGradient(A, b, { rtol: 0, atol: 1e-12 });
  expect(r.converged).toBe(true);
  expect(r.residualNorm).toBeLessThanOrEqual(1e-12);
  expect(conjugateGradient(A, b, { maxIterations: 0 })).toMatchObject({ iterations: 0, converged: false, reason: 'max-iterations' });
  expect(conjugateGradient(A, b, { preconditioner: identityOperator(3) }).converged).toBe(true);
});

test('a preconditioner that turns indefinite after the first step is reported at that iteration', () => {
  let calls = 0;
  // the identity on the first call, minus the identity afterwards
  const M: LinearOperator = {
    shape: [3, 3],
    matvec: (x: Vec) => (calls++ === 0 ? Float64Array.from(x) : vec([...x].map((v) => -v))),
    rmatvec: (x: Vec) => x,
    dense: () => Matrix.identity(3),
  };
  expect(conjugateGradient(A, b, { preconditioner: M })).toMatchObject({ iterations: 1, converged: false, reason: 'indefinite-preconditioner' });
  // the identity, then zero: rᵀ M r = 0 is not positive either
  let zeroCalls = 0;
  const Z: LinearOperator = { ...M, matvec: (x: Vec) => (zeroCalls++ === 0 ? Float64Array.from(x) : new Float64Array(3)) };
  expect(conjugateGradient(A, b, { preconditioner: Z })).toMatchObject({ iterations: 1, converged: false, reason: 'indefinite-preconditioner' });
});

test('boundary cases of the stopping rules: an exact solution at zero tolerance, a zero curvature, a zero preconditioner, one iteration', () => {
  // A = I: the first step lands exactly on b, with residual exactly 0 <= tol = 0
  const exact = conjugateGradient(identityOperator(3), b, { rtol: 0, atol: 0 });
  expect(exact).toMatchObject({ iterations: 1, converged: true, reason: 'converged', residualNorm: 0 });
  expect([...exact.x]).toEqual([1, 2, 3]);
  // pᵀ A p = 0 exactly (a positive semidefinite A) is not positive curvature
  const semidefinite = conjugateGradient(
    denseOperator(
      Matrix.from([
        [1, 0],
        [0, 0],
      ]),
    ),
    vec([0, 1]),
  );
  expect(semidefinite).toMatchObject({ iterations: 0, converged: false, reason: 'non-positive-curvature' });
  // rᵀ M r = 0 exactly is not a positive definite preconditioner
  const zero: LinearOperator = { shape: [3, 3], matvec: () => new Float64Array(3), rmatvec: () => new Float64Array(3), dense: () => new Matrix(3, 3) };
  expect(conjugateGradient(A, b, { preconditioner: zero })).toMatchObject({ iterations: 0, converged: false, reason: 'indefinite-preconditioner' });
  // one iteration is one steepest-descent step: x = (bᵀb / bᵀAb) b
  const one = conjugateGradient(A, b, { maxIterations: 1 });
  expect(one).toMatchObject({ iterations: 1, converged: false, reason: 'max-iterations' });
  const Ab = A.matvec(b);
  const alpha = (1 + 4 + 9) / (Ab[0] + 2 * Ab[1] + 3 * Ab[2]);
  [...one.x].forEach((xi, i) => expect(xi).toBeCloseTo(alpha * b[i], 14));
});

/**
 * A 1 x 1 operator whose second product disagrees with the first (the identity, then half): the
 * recursive residual reaches 0 after one step while the true one is 0.5, so the residual is
 * replaced and CG restarts. The preconditioner's products follow the given list, then the identity.
 */
function drifting(preconditioned: ((r: Vec) => Vec)[] | null) {
  let opCalls = 0;
  const op: LinearOperator = {
    shape: [1, 1],
    matvec: (v) => (opCalls++ === 0 ? Float64Array.from(v) : v.map((t) => 0.5 * t)),
    rmatvec: (v) => Float64Array.from(v),
    dense: () => Matrix.identity(1),
  };
  let mCalls = 0;
  const M: LinearOperator | undefined = preconditioned
    ? { shape: [1, 1], matvec: (v) => (preconditioned[mCalls++] ?? ((r: Vec) => Float64Array.from(r)))(v), rmatvec: (v) => v, dense: () => Matrix.identity(1) }
    : undefined;
  return conjugateGradient(op, vec([1]), { preconditioner: M });
}

test('after a residual replacement the restarted direction is checked: an indefinite or zero preconditioner stops the run there', () => {
  const identity = (r: Vec) => Float64Array.from(r);
  const negated = (r: Vec) => r.map((t) => -t);
  const zero = (r: Vec) => new Float64Array(r.length);
  for (const second of [negated, zero]) {
    const res = drifting([identity, second]);
    expect([res.reason, res.iterations, res.converged]).toEqual(['indefinite-preconditioner', 1, false]);
    expect(res.residualNorm).toBe(0.5);
  }
  // a positive preconditioner, and none: the restart converges at the second step
  for (const res of [drifting([identity, identity]), drifting(null)]) {
    expect([res.reason, res.iterations, res.converged]).toEqual(['converged', 2, true]);
    expect(res.residualNorm).toBe(0);
  }
});
