/**
 * The reported failures at the edges of the domain, pinned: each value is
 * held to its truth (computed at 60 digits, e.g. F = e^-400/(1 + e^-400)^2),
 * and each overflow to a refusal naming the field. Before the accurate forms
 * each of these failed: [[0]], direction 0 with singular true, an entry off by
 * 1e-3, [NaN], and null.
 */
import { describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { NatgradError } from '../../src/core/errors.js';
import { runOracle } from '../../src/oracle/oracle.js';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);
type Json = Record<string, unknown>;
const oracle = async (spec: Json): Promise<Json> => (await runOracle(spec)) as unknown as Json;

describe('the reported edge cases', () => {
  test('fisher bernoulli natural eta = 400 is e^-400/(1+e^-400)^2 = 1.915e-174, not 0', async () => {
    const r = await oracle({ kind: 'fisher', family: 'bernoulli', parameterization: 'natural', params: { eta: 400 } });
    const F = (r.matrix as number[][])[0][0];
    expect(rel(F, 1.915169596714005695e-174)).toBeLessThan(4e-16);
  });

  test('natural gradient there is g/F = 5.22e173 and not singular (the rule is relative: a 1 x 1 matrix is never singular)', async () => {
    const r = await oracle({ kind: 'natural-gradient', family: 'bernoulli', parameterization: 'natural', params: { eta: 400 }, gradient: [1] });
    expect(r.singular).toBe(false);
    expect(rel((r.direction as number[])[0], 5.2214696897641439506e173)).toBeLessThan(4e-16);
  });

  test('and where F itself underflows (eta = 800, F = 3.7e-348) the direction g/F is still given when it is representable', async () => {
    const r = await oracle({ kind: 'natural-gradient', family: 'bernoulli', parameterization: 'natural', params: { eta: 800 }, gradient: [1e-60] });
    expect(r.matrix).toEqual([[0]]);
    expect(r.singular).toBe(false);
    expect(rel((r.direction as number[])[0], 2.7263745721125665674e287)).toBeLessThan(4e-16);
    // and refused, naming the field, where it is not
    await expect(oracle({ kind: 'natural-gradient', family: 'bernoulli', parameterization: 'natural', params: { eta: 800 }, gradient: [1] })).rejects.toThrow(
      /direction\[0\] would be 2\.7e\+347/,
    );
  });

  test('categorical natural at logits (-400, 30): p(1 - p) without cancellation', async () => {
    const r = await oracle({ kind: 'fisher', family: 'categorical', parameterization: 'natural', params: { eta: [-400, 30] } });
    const F = r.matrix as number[][];
    const truth = [
      [1.7921435007433676858e-187, -1.7921435007431999838e-187],
      [-1.7921435007431999838e-187, 9.3576229688384233028e-14],
    ];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) expect(rel(F[i][j], truth[i][j]), `[${i}][${j}]`).toBeLessThan(4e-16);
  });

  test('derive bernoulli --at eta=800 prints 0 (3.7e-348 rounds to 0), not NaN', async () => {
    const io = memoryIo();
    await main(['derive', 'bernoulli', '--parameterization', 'natural', '--at', 'eta=800'], io);
    expect(io.out).not.toMatch(/NaN/);
    expect(io.out).toMatch(/At eta = 800:\n\s*\[0\]/);
  });

  test('derive normal --at mu=0,sigma=1e-200 --json: 1/sigma^2 = 1e400 overflows, so exit 2 naming the field, never null', async () => {
    const io = memoryIo();
    const code = await main(['derive', 'normal', '--at', 'mu=0,sigma=1e-200', '--json'], io);
    expect(code).toBe(2);
    expect(io.out).toBe('');
    expect(io.err).toMatch(/^natgrad: --at: the result field matrix\[0\]\[0\] overflows float64/);
    // the oracle says how large the value would be
    await expect(oracle({ kind: 'fisher', family: 'normal', parameterization: 'mean-std', params: { mu: 0, sigma: 1e-200 } })).rejects.toThrow(
      new NatgradError(
        'spec.params',
        'the result field matrix[0][0] would be 1.0e+400, beyond the largest float64 (1.8e+308): these inputs are outside the range where it can be reported',
      ),
    );
  });
});

describe('no intermediate leaves the range when the result is representable', () => {
  test('normal natural -> mean-logstd at sigma = 1e150: d s/d eta2 = sigma^2 although 1/sigma^3 underflows', async () => {
    // eta2 = -1/(2 sigma^2) = -5e-301; the Jacobian d(eta)/d(mu, s) = diag(1/v, 1/v) with v = 1e300
    const r = await oracle({ kind: 'reparameterize', family: 'normal', from: 'natural', to: 'mean-logstd', params: { eta1: 0, eta2: -5e-301 } });
    const J = r.jacobian as number[][];
    expect(rel(J[0][0], 1e-300)).toBeLessThan(1e-15);
    expect(rel(J[1][1], 1e-300)).toBeLessThan(1e-15);
    expect((r.fisher as number[][])[1][1]).toBe(2);
    expect(rel((r.params as Json).s as number, 345.38776394910684)).toBeLessThan(1e-15);
  });

  test('bernoulli natural -> mean at eta = 40: p rounds to 1 - 4e-18, yet 1/(p(1-p)) = 2.35e17 is exact', async () => {
    const r = await oracle({ kind: 'reparameterize', family: 'bernoulli', from: 'natural', to: 'mean', params: { eta: 40 } });
    // 1/(sigma(40) sigma(-40)) = e^40 + 2 + e^-40
    expect(rel((r.fisher as number[][])[0][0], Math.exp(40) + 2)).toBeLessThan(4e-16);
  });

  test('normal expectation with m2 - m1^2 far below an ulp of m2: the difference is formed exactly', async () => {
    // m1 = 1 + 2^-30, so m1^2 = 1 + 2^-29 + 2^-60 is not a float; with m2 = 1 + 2^-29 + 2^-52 the
    // variance is v = 255 2^-60 exactly, and F[1][1] = 1/(2 v^2) = 2^119/65025 (m2 - fl(m1^2) would give 2^-52)
    const r = await oracle({ kind: 'fisher', family: 'normal', parameterization: 'expectation', params: { m1: 1 + 2 ** -30, m2: 1 + 2 ** -29 + 2 ** -52 } });
    expect(rel((r.matrix as number[][])[1][1], 2 ** 119 / 65025)).toBeLessThan(4e-16);
  });
});
