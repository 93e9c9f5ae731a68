/**
 * The size limits are checked from the spec's shapes before any work: each
 * resource bomb is refused with exit 2 and one line that says the size, the
 * limit and which bound fired, quickly and without allocating the result.
 * Run in-process through the CLI entry; times and memory are measured and
 * printed, with only a generous bound asserted (a bomb that is not refused
 * runs for minutes or exhausts the heap).
 */
import { describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import {
  HELD_ENTRY_LIMIT,
  OPERATION_LIMIT,
  RESULT_ENTRY_LIMIT,
  denseModelEstimate,
  familyEstimate,
  kfacEstimate,
  shampooEstimate,
} from '../../src/oracle/limits.js';
import { runOracle } from '../../src/oracle/oracle.js';
import { badInputLine, linearRegression } from './fixtures.js';

const zeros = (n: number): number[] => new Array<number>(n).fill(0);

/** An mlp spec of the given sizes and N examples, every weight and input 0. */
function modelSpec(kind: string, sizes: number[], likelihood: string, N: number, extra: Record<string, unknown>) {
  const L = sizes.length - 1;
  const D = sizes[L];
  const target = likelihood === 'gaussian' ? zeros(D) : 0;
  return {
    kind,
    model: { type: 'mlp', sizes, activations: new Array(L).fill('identity'), likelihood },
    weights: sizes.slice(1).map((out, l) => ({ W: Array.from({ length: out }, () => zeros(sizes[l])), b: zeros(out) })),
    inputs: Array.from({ length: N }, () => zeros(sizes[0])),
    targets: new Array(N).fill(target),
    ...extra,
  };
}

const bombs: [string, () => unknown, RegExp][] = [
  [
    'a categorical with 10^4 classes',
    () => ({ kind: 'fisher', family: 'categorical', parameterization: 'mean', params: { p: new Array(9999).fill(1e-4) } }),
    /^natgrad: spec\.params: the result would have 1\.00e8 entries \(a 9999 x 9999 Fisher matrix of 9999 parameters\); the contract allows at most 2\^26 = 67108864 entries in one result$/,
  ],
  [
    'a categorical with 10^6 classes',
    () => ({ kind: 'natural-gradient', family: 'categorical', parameterization: 'natural', params: { eta: zeros(999999) }, gradient: zeros(999999) }),
    /^natgrad: spec\.params: the result would have 1\.00e12 entries \(a 999999 x 999999 Fisher matrix .*\); the contract allows at most 2\^26/,
  ],
  [
    'a Dirichlet with 10^5 components',
    () => ({ kind: 'fisher', family: 'dirichlet', parameterization: 'standard', params: { alpha: new Array(100000).fill(1.5) } }),
    /^natgrad: spec\.params: the result would have 1\.00e10 entries \(a 100000 x 100000 Fisher matrix .*\); the contract allows at most 2\^26/,
  ],
  [
    'a multivariate normal with d = 200 (P = 20300)',
    () => ({
      kind: 'fisher',
      family: 'multivariate-normal',
      parameterization: 'mean-cov',
      params: { mu: zeros(200), Sigma: Array.from({ length: 200 }, (_, i) => zeros(200).map((_, j) => (i === j ? 1 : 0))) },
    }),
    /^natgrad: spec\.params: the result would have 4\.12e8 entries \(a 20300 x 20300 Fisher matrix of 20300 parameters\); the contract allows at most 2\^26/,
  ],
  [
    'a model Fisher with P = 4096 and N = 2000',
    () => modelSpec('fisher', [4095, 1], 'gaussian', 2000, { curvature: 'fisher' }),
    /^natgrad: spec\.model: the result would have 1\.68e7 entries \(a 4096 x 4096 matrix of 4096 parameters\); natgrad's oracle prints at most 2\^24 = 16777216 numbers in one answer \(memory bound; the contract's limit is 2\^26\)$/,
  ],
  [
    'a model Fisher with P = 4032 and N = 2000 categorical examples (the N·K x P score matrix)',
    () => modelSpec('fisher', [62, 64], 'categorical', 2000, { curvature: 'fisher' }),
    /^natgrad: spec\.model: computing it holds the 128000 x 4032 matrix of per-example score vectors \(N·R = 2000·64 rows of P = 4032\), 5\.16e8 entries; natgrad's oracle holds at most 2\^24 = 16777216 entries in one array \(memory bound\)$/,
  ],
  [
    'a model Hessian with P = 4032 and N = 2000 (time)',
    () => modelSpec('fisher', [62, 64], 'categorical', 2000, { curvature: 'hessian' }),
    /^natgrad: spec\.model: computing it takes about 1\.30e11 multiply-adds \(P Hessian-vector products over N examples, 4·N·P², N = 2000, P = 4032\); natgrad's oracle does at most 2\^35 = 3\.44e10 for one answer, about half a minute \(time bound\)$/,
  ],
  [
    'a natural gradient with P = 1500 (the eigendecomposition)',
    () => modelSpec('natural-gradient', [149, 10], 'categorical', 1, {}),
    /^natgrad: spec\.model: computing it takes about 1\.35e11 multiply-adds \(N·R·P² for the exact Fisher, .*, and the eigendecomposition of the 1500 x 1500 matrix, about 1\.35e11\); .*\(time bound\)$/,
  ],
  [
    'a K-FAC with 4096 classes',
    () => modelSpec('kfac', [10, 4096], 'categorical', 100, { fisher: 'fisher', damping: 0.1, dampingScheme: 'exact' }),
    /^natgrad: spec\.model: the result would have 1\.69e7 entries \(the K-FAC factors, gradients and updates of 1 layer\); natgrad's oracle prints at most 2\^24 .*\(memory bound; the contract's limit is 2\^26\)$/,
  ],
  [
    'a K-FAC with 3000 classes and 100 examples (the back-propagated rows)',
    () => modelSpec('kfac', [10, 3000], 'categorical', 100, { fisher: 'fisher', damping: 0.1, dampingScheme: 'exact' }),
    /^natgrad: spec\.model: computing it holds the 300000 x 3000 back-propagated rows of layer 1 \(N·R = 100·3000\), 9\.00e8 entries; .*\(memory bound\)$/,
  ],
  [
    'a K-FAC with 3000 classes and one example (the eigendecomposition of G)',
    () => modelSpec('kfac', [10, 3000], 'categorical', 1, { fisher: 'fisher', damping: 0.1, dampingScheme: 'exact' }),
    /^natgrad: spec\.model: computing it takes about 1\.1\de12 multiply-adds .*\(time bound\)$/,
  ],
  [
    'shampoo on 3000 x 3000 gradients',
    () => ({ kind: 'shampoo', gradients: [Array.from({ length: 3000 }, () => zeros(3000))], epsilon: 1e-4 }),
    /^natgrad: spec\.gradients: the result would have 2\.70e7 entries \(L \(3000 x 3000\), R \(3000 x 3000\) and the update \(3000 x 3000\)\); .*\(memory bound; the contract's limit is 2\^26\)$/,
  ],
  [
    'an array spec whose results are within the limits one by one, not together',
    () => [
      modelSpec('fisher', [2999, 1], 'gaussian', 1, { curvature: 'empirical-fisher' }),
      modelSpec('fisher', [2999, 1], 'gaussian', 1, { curvature: 'empirical-fisher' }),
    ],
    /^natgrad: spec: the result would have 1\.80e7 entries \(the 2 results of the array together\); natgrad's oracle prints at most 2\^24 = 16777216 numbers in one answer/,
  ],
];

describe('resource bombs are refused before any work', () => {
  test.each(bombs)(
    '%s',
    async (name, make, expected) => {
      const text = JSON.stringify(make());
      const io = memoryIo('', { 'spec.json': text });
      const before = process.memoryUsage();
      // CPU time, not wall time: a loaded machine stretches the wall clock, not the work done
      const cpu0 = process.cpuUsage();
      const code = await main(['oracle', 'spec.json'], io);
      const cpu = process.cpuUsage(cpu0);
      const ms = (cpu.user + cpu.system) / 1000;
      const after = process.memoryUsage();
      const grownMiB = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 2 ** 20;
      const line = badInputLine({ code, out: io.out, err: io.err });
      expect(line).toMatch(expected);
      // measured, reported; the bound is generous (an unrefused bomb takes minutes or the whole heap)
      console.log(
        `limits: ${name}: refused in ${ms.toFixed(0)} ms of CPU, memory grew ${grownMiB.toFixed(0)} MiB (spec text ${(text.length / 2 ** 20).toFixed(1)} MiB)`,
      );
      expect(ms).toBeLessThan(5000);
      expect(grownMiB).toBeLessThan(512);
    },
    60_000,
  );
});

describe('the estimates', () => {
  test('the bounds are the contract limit, then memory, then time', () => {
    expect(RESULT_ENTRY_LIMIT).toBe(2 ** 26);
    expect(HELD_ENTRY_LIMIT).toBe(2 ** 24);
    expect(OPERATION_LIMIT).toBe(2 ** 35);
  });

  test('a family Fisher has P² entries, a reparameterization also a P x P Jacobian', () => {
    expect(familyEstimate('fisher', 10).result.size).toBe(110);
    expect(familyEstimate('reparameterize', 10).result.size).toBe(210);
    expect(familyEstimate('natural-gradient', 10).operations.size).toBeGreaterThan(40 * 1000);
  });

  test('the exact Fisher holds N·R x P scores, the empirical N x P, the GGN and Hessian only P x P', () => {
    const shape = { sizes: [3, 4, 5], bias: [true, true], N: 1000, R: 5, P: 4 * 4 + 5 * 5 };
    expect(denseModelEstimate('fisher', 'fisher', shape).largest.size).toBe(5000 * 41);
    expect(denseModelEstimate('fisher', 'empirical-fisher', shape).largest.size).toBe(1000 * 41);
    expect(denseModelEstimate('fisher', 'ggn', shape).largest.size).toBe(41 * 41);
    expect(denseModelEstimate('fisher', 'hessian', shape).operations.size).toBe(4 * 1000 * 41 * 41);
  });

  test('K-FAC counts A, G, gradient and update of every layer', () => {
    const shape = { sizes: [3, 4, 5], bias: [true, false], N: 7, R: 5, P: 16 + 20 };
    // layer 1: in+1 = 4, out = 4; layer 2: in = 4 (no bias), out = 5
    expect(kfacEstimate('fisher', shape).result.size).toBe(1 + (16 + 16 + 2 * 16) + (16 + 25 + 2 * 20));
    expect(kfacEstimate('empirical-fisher', shape).largest.size).toBe(7 * 5); // the N x out rows of layer 2
  });

  test('shampoo: L, R and the update', () => {
    expect(shampooEstimate(3, 4, 5).result.size).toBe(16 + 25 + 20);
  });
});

describe('specs within the limits are answered', () => {
  test('a categorical with 200 classes, a model just below the printing bound', async () => {
    const p = new Array(199).fill(1 / 200);
    const res = (await runOracle({ kind: 'fisher', family: 'categorical', parameterization: 'mean', params: { p } })) as { matrix: number[][] };
    expect(res.matrix.length).toBe(199);
    expect(((await runOracle(linearRegression)) as { matrix: number[][] }).matrix.length).toBe(3);
  });
});
