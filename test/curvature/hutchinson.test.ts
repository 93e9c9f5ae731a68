import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { norm2, sub } from '../../src/core/vec.js';
import { hessianMatrix } from '../../src/curvature/dense-curvature.js';
import { curvatureDiagonal } from '../../src/curvature/diagonal.js';
import { hutchinsonDiagonal, hutchinsonDiagonalOperator } from '../../src/curvature/hutchinson.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { denseOperator } from '../../src/linalg/operators.js';
import { hessianVectorProduct, lossAndGradient } from '../../src/models/mlp.js';
import { withinStdError, zForFalseAlarm } from '../../src/numeric/statistics.js';
import { randomProblem } from '../models/fixtures.js';
import { logLogSlope, RATE_BAND, rmsErrors, SAMPLE_SIZES } from './rates.js';

const p = randomProblem(1201, { sizes: [2, 3, 2], activations: ['tanh', 'identity'], likelihood: 'categorical', N: 4 });
const hv = (v: Float64Array) => hessianVectorProduct(p.spec, p.weights, p.inputs, p.targets, v);
const P = 17;
const exactDiag = curvatureDiagonal(p.spec, p.weights, p.inputs, p.targets, 'hessian');

describe('Hutchinson diagonal estimator', () => {
  test('the exact Hessian diagonal agrees with the dense Hessian', () => {
    const H = hessianMatrix(p.spec, p.weights, p.inputs, p.targets);
    expect(exactDiag.length).toBe(P);
    exactDiag.forEach((d, i) => expect(Math.abs(d - H.get(i, i))).toBeLessThan(1e-12));
  });

  test('is exact on a diagonal matrix with one probe (z ⊙ D z = D for z in {±1})', () => {
    const D = Matrix.diagonal([3, -1, 0.5]);
    const { operator } = hutchinsonDiagonalOperator(denseOperator(D), 2, new Rng(1));
    expect(Array.from(operator.dense().data)).toEqual(Array.from(D.data));
  });

  test('is within its standard errors of the Hessian diagonal (not the squared gradient, optax#968)', () => {
    const est = hutchinsonDiagonal(hv, P, 2000, new Rng(1202));
    const z = zForFalseAlarm(1e-6, P);
    expect(withinStdError(est.value, est.stdError, exactDiag, z).ok).toBe(true);
    const g = lossAndGradient(p.spec, p.weights, p.inputs, p.targets).gradient;
    expect(
      withinStdError(
        est.value,
        est.stdError,
        g.map((v) => v * v),
        z,
      ).ok,
    ).toBe(false);
  });

  test('converges at rate 1/sqrt(samples): log-log slope of the RMS error', () => {
    const errs = rmsErrors(SAMPLE_SIZES, 12, (S, seed) => norm2(sub(hutchinsonDiagonal(hv, P, S, new Rng(seed)).value, exactDiag)));
    const slope = logLogSlope(SAMPLE_SIZES, errs);
    expect(slope).toBeGreaterThanOrEqual(RATE_BAND[0]);
    expect(slope).toBeLessThanOrEqual(RATE_BAND[1]);
  });

  test('sensitivity: an estimator that averages squared gradients of the same batch has a constant error, slope outside the band', () => {
    const g = lossAndGradient(p.spec, p.weights, p.inputs, p.targets).gradient;
    const errs = SAMPLE_SIZES.map(() =>
      norm2(
        sub(
          g.map((v) => v * v),
          exactDiag,
        ),
      ),
    );
    expect(logLogSlope(SAMPLE_SIZES, errs)).toBeGreaterThan(RATE_BAND[1]);
  });
});
