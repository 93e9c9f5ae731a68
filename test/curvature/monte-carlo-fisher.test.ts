import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { empiricalFisherMatrix, fisherMatrix } from '../../src/curvature/dense-curvature.js';
import { monteCarloFisher } from '../../src/curvature/monte-carlo-fisher.js';
import { frobeniusNorm, scale, sub } from '../../src/linalg/ops.js';
import { withinStdError, zForFalseAlarm } from '../../src/numeric/statistics.js';
import { paramCount } from '../../src/models/mlp.js';
import { randomProblem } from '../models/fixtures.js';
import { logLogSlope, RATE_BAND, rmsErrors, SAMPLE_SIZES } from './rates.js';

const p = randomProblem(1101, { sizes: [2, 3, 3], activations: ['tanh', 'identity'], likelihood: 'categorical', N: 3 });
const F = fisherMatrix(p.spec, p.weights, p.inputs);

describe('Monte Carlo Fisher', () => {
  test('is within its standard errors of the exact Fisher (z for a 1e-6 false-alarm rate over all entries)', () => {
    const P = paramCount(p.spec);
    const mc = monteCarloFisher(p.spec, p.weights, p.inputs, 400, new Rng(1102));
    const z = zForFalseAlarm(1e-6, P * P);
    expect(withinStdError(mc.operator.dense(), mc.stdError(), F, z).ok).toBe(true);
  });

  test('converges at rate 1/sqrt(samples): log-log slope of the RMS Frobenius error', () => {
    const errs = rmsErrors(SAMPLE_SIZES, 12, (S, seed) =>
      frobeniusNorm(sub(monteCarloFisher(p.spec, p.weights, p.inputs, S, new Rng(seed)).operator.dense(), F)),
    );
    const slope = logLogSlope(SAMPLE_SIZES, errs);
    expect(slope).toBeGreaterThanOrEqual(RATE_BAND[0]);
    expect(slope).toBeLessThanOrEqual(RATE_BAND[1]);
  });

  test('sensitivity: the empirical Fisher (training labels in place of sampled ones) does not converge to the Fisher', () => {
    const E = empiricalFisherMatrix(p.spec, p.weights, p.inputs, p.targets);
    // Averaging S copies of the empirical Fisher is the "Monte Carlo" estimate with y fixed at the labels.
    const errs = SAMPLE_SIZES.map(() => frobeniusNorm(sub(E, F)));
    expect(logLogSlope(SAMPLE_SIZES, errs)).toBeGreaterThan(RATE_BAND[1]);
  });

  test('sensitivity: a 1/C applied twice (curvlinops#111) fails the standard-error check', () => {
    const P = paramCount(p.spec);
    const mc = monteCarloFisher(p.spec, p.weights, p.inputs, 400, new Rng(1103));
    const z = zForFalseAlarm(1e-6, P * P);
    expect(withinStdError(scale(1 / 3, mc.operator.dense()), mc.stdError(), F, z).ok).toBe(false);
  });

  test('the standard error needs two draws; samples must be a positive integer', () => {
    expect(() => monteCarloFisher(p.spec, p.weights, p.inputs, 1, new Rng(1)).stdError()).toThrow(NatgradError);
    expect(() => monteCarloFisher(p.spec, p.weights, p.inputs, 0, new Rng(1))).toThrow(/samples/);
  });
});
