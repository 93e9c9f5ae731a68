/**
 * K-FAC diagnoses that depend on a layer's bias and on the damping: an update
 * solved without the bias row of A, a layer declared without a bias (no
 * [bias] variants there, and still in the layers that have one), and G
 * reported with the full damping λ added.
 */
import { describe, expect, test } from 'vitest';
import { eigSymmetric } from '../../src/linalg/eigen-symmetric.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { FLOAT32_UNIT_ROUNDOFF } from '../../src/oracle/float32.js';
import { checkJson, clone, kfacSpec, oracleOk } from './fixtures.js';

/** The one mismatch of a candidate. */
async function diagnosisOf(spec: unknown, candidate: unknown): Promise<string | null> {
  const { code, report } = await checkJson(spec, candidate);
  expect(code).toBe(1);
  expect(report.mismatches.length).toBe(1);
  return report.mismatches[0].diagnosis;
}

const dropLast = (M: number[][]) => M.map((row) => row.slice(0, -1));

/** The classifier's K-FAC spec with the second layer's bias zero, and the same network declared without that bias. */
function withAndWithoutBias() {
  const withBias = clone(kfacSpec('exact'));
  withBias.weights[1].b = [0, 0, 0];
  const without: any = clone(withBias);
  without.model.bias = [true, false];
  delete without.weights[1].b;
  return { withBias, without };
}

describe('the bias of a K-FAC layer', () => {
  test('an update solved without the bias row and column of A is [bias]', async () => {
    const { withBias, without } = withAndWithoutBias();
    const noBias = await oracleOk(without);
    expect(await diagnosisOf(withBias, { layers: [{}, { update: noBias.layers[1].update }] })).toBe(
      'the bias column missing: 3 x 4 (out x in) instead of 3 x 5 (out x (in+1)) [bias]',
    );
  });

  test('a layer declared without a bias has no [bias] variants; the layer before it keeps them', async () => {
    const { without } = withAndWithoutBias();
    const r = await oracleOk(without);
    expect(await diagnosisOf(without, { layers: [{ gradient: dropLast(r.layers[0].gradient) }, {}] })).toContain('[bias]');
    expect((await diagnosisOf(without, { layers: [{}, { gradient: dropLast(r.layers[1].gradient) }] })) ?? '').not.toContain('[bias]');
  });
});

test('G reported as G + λI (the exact scheme)', async () => {
  const spec = kfacSpec('exact', 0.1);
  const r = await oracleOk(spec);
  const G: number[][] = r.layers[0].G;
  const damped = G.map((row, i) => row.map((x, j) => (i === j ? x + 0.1 : x)));
  expect(await diagnosisOf(spec, { layers: [{ G: damped }, {}] })).toBe('G + λI: the damping included in G, which is reported without damping [damping]');
});

test('the float32 bound of a K-FAC update in the exact scheme uses κ of G ⊗ A + λI', async () => {
  const spec = kfacSpec('exact', 0.1);
  const r = await oracleOk(spec);
  const layer = r.layers[1];
  const eig = (M: number[][]) => eigSymmetric(Matrix.from(M)).values;
  const a = eig(layer.A);
  const g = eig(layer.G);
  const hi = Math.max(...a) * Math.max(...g) + 0.1;
  const kappa = hi / Math.max(Math.max(0, Math.min(...a) * Math.min(...g)) + 0.1, hi * 1e-12);
  // sizes [3, 4, 3] and 5 examples: k = 2 (3 + 4 + 3) + 5 + 4
  const k = 29;
  const ku = k * FLOAT32_UNIT_ROUNDOFF;
  const U: number[][] = layer.update;
  const bound = 2 * kappa * (ku / (1 - ku)) * Math.sqrt(U.flat().reduce((s, x) => s + x * x, 0));
  const shifted = U.map((row, i) => row.map((x, j) => (i === 0 && j === 0 ? x + 0.5 * bound : x)));
  expect(await diagnosisOf(spec, { layers: [{}, { update: shifted }] })).toContain(
    `2 κ γ_k ||e||₂ with κ = ${kappa.toExponential(2)} (the damped system's condition number), k = ${k}, u = 2^-24) [float32]`,
  );
});
