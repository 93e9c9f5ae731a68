import { describe, expect, test } from 'vitest';
import { check, checkJson, classifier, clone, kfacSpec, linearRegression, oracleOk, shampooSpec } from './fixtures.js';

const N = classifier.inputs.length; // 5: distinct from the factor 2 used for [scale]

const transposed = (M: number[][]) => M[0].map((_, j) => M.map((row) => row[j]));
const times = (M: number[][], c: number) => M.map((row) => row.map((x) => c * x));

/** The first mismatch of `check --json` on a candidate, asserting exit 1 and a single mismatching field. */
async function onlyMismatch(spec: unknown, candidate: unknown) {
  const { code, report } = await checkJson(spec, candidate);
  expect(code).toBe(1);
  expect(report.ok).toBe(false);
  expect(report.mismatches.length).toBe(1);
  return report.mismatches[0];
}

/** The model-parameter permutation with W flattened column-major in each layer (b after it). */
function columnMajorOrder(sizes: number[]): number[] {
  const order: number[] = [];
  let off = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const [inp, out] = [sizes[l], sizes[l + 1]];
    for (let j = 0; j < inp; j++) for (let i = 0; i < out; i++) order.push(off + i * inp + j);
    for (let i = 0; i < out; i++) order.push(off + out * inp + i);
    off += out * inp + out;
  }
  return order;
}

describe('check: matching candidates', () => {
  test('the oracle result itself passes, with a human report by default', async () => {
    for (const spec of [classifier, kfacSpec('pi-factored'), shampooSpec, { ...classifier, kind: 'natural-gradient', damping: 0.1 }]) {
      const r = await check(spec, await oracleOk(spec));
      expect(r.code).toBe(0);
      expect(r.err).toBe('');
      expect(r.out).toMatch(/^ok: \d+ fields match/m);
    }
  });

  test('--json gives exactly {ok, mismatches}', async () => {
    const { code, report } = await checkJson(classifier, await oracleOk(classifier));
    expect(code).toBe(0);
    expect(report).toEqual({ ok: true, mismatches: [] });
  });

  test('a subset candidate compares only the fields it has', async () => {
    const res = await oracleOk(kfacSpec('exact'));
    const cand = { loss: res.loss, layers: [{ G: res.layers[0].G }, {}] };
    const r = await check(kfacSpec('exact'), cand);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/ok\s+loss/);
    expect(r.out).toMatch(/ok\s+layers\[0\]\.G/);
    expect(r.out).not.toMatch(/layers\[0\]\.A|layers\[1\]/);
  });

  test('values within rtol/atol pass; just outside fail; options may stand anywhere', async () => {
    const res = await oracleOk(linearRegression);
    const cand = { loss: res.loss * (1 + 1e-7) };
    expect((await check(linearRegression, cand)).code).toBe(0);
    const far = { loss: res.loss * (1 + 1e-5) };
    expect((await check(linearRegression, far)).code).toBe(1);
    for (const order of ['before', 'between', 'after'] as const) {
      expect((await check(linearRegression, far, ['--rtol', '1e-4'], order)).code).toBe(0);
      expect((await check(linearRegression, far, ['--rtol=1e-4', '--json'], order)).out).toBe('{"ok":true,"mismatches":[]}\n');
    }
    expect((await check(linearRegression, { loss: res.loss + 0.01 }, ['--rtol', '0', '--atol', '0.02'])).code).toBe(0);
  });

  test('non-numeric fields (kind, paramNames, singular, symbolic) are accepted and not compared', async () => {
    const res = await oracleOk(linearRegression);
    expect((await check(linearRegression, { kind: 'fisher', paramNames: ['x'], loss: res.loss })).code).toBe(0);
    const ng = { ...linearRegression, kind: 'natural-gradient' };
    expect((await check(ng, { singular: true, direction: (await oracleOk(ng)).direction })).code).toBe(0);
    const normal = { kind: 'fisher', family: 'normal', parameterization: 'mean-std', params: { mu: 0.3, sigma: 2 } };
    expect((await check(normal, { symbolic: 3, latex: 'x', matrix: (await oracleOk(normal)).matrix })).code).toBe(0);
  });

  test('an array spec takes an array candidate; fields are prefixed with the index', async () => {
    const specs = [linearRegression, kfacSpec('exact')];
    const res = await oracleOk(specs);
    const cand = clone(res);
    cand[1].layers[0].G = times(cand[1].layers[0].G, 2);
    const m = await onlyMismatch(specs, cand);
    expect(m.field).toBe('[1].layers[0].G');
  });
});

describe('check: mismatch reports', () => {
  test('--json mismatch entries have exactly field, maxAbsErr, maxRelErr, diagnosis', async () => {
    const res = await oracleOk(linearRegression);
    const m = await onlyMismatch(linearRegression, { loss: res.loss + 1 });
    expect(Object.keys(m).sort()).toEqual(['diagnosis', 'field', 'maxAbsErr', 'maxRelErr']);
    expect(m.field).toBe('loss');
    expect(m.maxAbsErr).toBeCloseTo(1, 12);
    expect(m.maxRelErr).toBeCloseTo(1 / Math.abs(res.loss), 12);
  });

  test('maxRelErr is over the entries whose expected value is not 0, 0 if none', async () => {
    const normal = { kind: 'fisher', family: 'normal', parameterization: 'mean-std', params: { mu: 0.3, sigma: 2 } };
    const m = await onlyMismatch(normal, {
      matrix: [
        [0.25, 0.1],
        [0.1, 0.5],
      ],
    });
    expect(m.maxAbsErr).toBeCloseTo(0.1, 15);
    expect(m.maxRelErr).toBe(0);
  });

  test('a candidate field of the wrong shape is a mismatch (exit 1) with finite errors', async () => {
    const m = await onlyMismatch(linearRegression, {
      matrix: [
        [1, 2],
        [3, 4],
      ],
    });
    expect(m.field).toBe('matrix');
    expect(Number.isFinite(m.maxAbsErr) && Number.isFinite(m.maxRelErr)).toBe(true);
    const s = await onlyMismatch(linearRegression, { loss: 'high' });
    expect(s.field).toBe('loss');
    expect(s.diagnosis).toBeNull();
    const k = await onlyMismatch(kfacSpec('exact'), { layers: [{}] });
    expect(k.field).toBe('layers');
  });

  test('the human report names the field, the errors and the diagnosis', async () => {
    const res = await oracleOk(classifier);
    const r = await check(classifier, { matrix: times(res.matrix, N) });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/MISMATCH\s+matrix\s+max abs err/);
    expect(r.out).toContain(`diagnosis: scaled by ${N} = N [batch-size]`);
    expect(r.out).toMatch(/^FAILED: 1 of 1 field do not match/m);
  });

  test('an unrecognised mistake has diagnosis null', async () => {
    const res = await oracleOk(classifier);
    const M = clone(res.matrix);
    M[0][0] += 0.01;
    expect((await onlyMismatch(classifier, { matrix: M })).diagnosis).toBeNull();
  });
});

describe('check: diagnoses of the known mistakes', () => {
  test('[sign]', async () => {
    const spec = { ...classifier, kind: 'natural-gradient', damping: 0.1 };
    const res = await oracleOk(spec);
    const m = await onlyMismatch(spec, { direction: res.direction.map((x: number) => -x) });
    expect(m.diagnosis).toContain('[sign]');
  });

  test('[batch-size]: a factor N or 1/N', async () => {
    const res = await oracleOk(classifier);
    expect((await onlyMismatch(classifier, { matrix: times(res.matrix, N) })).diagnosis).toContain(`scaled by ${N} = N [batch-size]`);
    expect((await onlyMismatch(classifier, { gradient: res.gradient.map((x: number) => x / N) })).diagnosis).toContain('[batch-size]');
    const k = await oracleOk(kfacSpec('exact'));
    expect((await onlyMismatch(kfacSpec('exact'), { layers: [{}, { G: times(k.layers[1].G, N) }] })).diagnosis).toContain('[batch-size]');
  });

  test('[scale]: a constant factor 2 (and 1/C) is named', async () => {
    const k = await oracleOk(kfacSpec('exact'));
    const m = await onlyMismatch(kfacSpec('exact'), { layers: [{ G: times(k.layers[0].G, 2) }, {}] });
    expect(m.diagnosis).toContain('[scale]');
    expect(m.diagnosis).toContain('scaled by 2');
    const f = await oracleOk(classifier);
    const third = await onlyMismatch(classifier, { matrix: times(f.matrix, 1 / 3) });
    expect(third.diagnosis).toContain('1/C');
    expect(third.diagnosis).toContain('[scale]');
  });

  test('[transpose]: the kfac gradient and update, the shampoo update', async () => {
    const spec = kfacSpec('factored');
    const k = await oracleOk(spec);
    expect((await onlyMismatch(spec, { layers: [{}, { gradient: transposed(k.layers[1].gradient) }] })).diagnosis).toContain('[transpose]');
    expect((await onlyMismatch(spec, { layers: [{}, { update: transposed(k.layers[1].update) }] })).diagnosis).toContain('[transpose]');
    const s = await oracleOk(shampooSpec);
    expect((await onlyMismatch(shampooSpec, { update: transposed(s.update) })).diagnosis).toContain('[transpose]');
  });

  test('[swapped]: A and G exchanged', async () => {
    const spec = kfacSpec('exact');
    const k = await oracleOk(spec);
    const cand = { layers: [{ A: k.layers[0].G, G: k.layers[0].A }, {}] };
    const { code, report } = await checkJson(spec, cand);
    expect(code).toBe(1);
    expect(report.mismatches.map((m) => m.field)).toEqual(['layers[0].A', 'layers[0].G']);
    for (const m of report.mismatches) expect(m.diagnosis).toContain('[swapped]');
    const other = await onlyMismatch(spec, { layers: [{}, { A: k.layers[1].G }] });
    expect(other.diagnosis).toContain('[swapped]');
  });

  test('[swapped]: the update computed with the Kronecker factors in the order A ⊗ G', async () => {
    // a square layer (out = in + 1 = 3) so that both orders type-check
    const spec = {
      ...kfacSpec('factored', 0.2),
      model: { type: 'mlp', sizes: [2, 3], activations: ['identity'], likelihood: 'categorical' },
      weights: [
        {
          W: [
            [0.2, -0.1],
            [0.4, 0.3],
            [-0.3, 0.1],
          ],
          b: [0, 0.1, -0.1],
        },
      ],
      inputs: [
        [1, 2],
        [0.5, -1],
        [-0.3, 0.2],
        [1.5, 0.1],
      ],
      targets: [0, 1, 2, 1],
    };
    const k = await oracleOk(spec);
    const { A, G, gradient } = k.layers[0];
    // (A + c I)^-1 gradient (G + c I)^-1 via 3x3 inverses
    const c = Math.sqrt(0.2);
    const inv3 = (M: number[][]) => {
      const [[a, b, cc], [d, e, f], [g, h, i]] = M;
      const det = a * (e * i - f * h) - b * (d * i - f * g) + cc * (d * h - e * g);
      return [
        [e * i - f * h, cc * h - b * i, b * f - cc * e],
        [f * g - d * i, a * i - cc * g, cc * d - a * f],
        [d * h - e * g, b * g - a * h, a * e - b * d],
      ].map((row) => row.map((x) => x / det));
    };
    const mul = (X: number[][], Y: number[][]) => X.map((row) => Y[0].map((_, j) => row.reduce((s, x, t) => s + x * Y[t][j], 0)));
    const shift = (M: number[][]) => M.map((row, i) => row.map((x, j) => (i === j ? x + c : x)));
    const wrong = mul(mul(inv3(shift(A)), gradient), inv3(shift(G)));
    expect((await onlyMismatch(spec, { layers: [{ update: wrong }] })).diagnosis).toContain('[swapped]');
  });

  test('[empirical]: the empirical Fisher for the Fisher, for model fisher, natural-gradient and kfac', async () => {
    const emp = await oracleOk({ ...classifier, curvature: 'empirical-fisher' });
    expect((await onlyMismatch(classifier, { matrix: emp.matrix })).diagnosis).toContain('[empirical]');
    const fisher = await oracleOk(classifier);
    // the sentence names which one was asked
    expect((await onlyMismatch({ ...classifier, curvature: 'empirical-fisher' }, { matrix: fisher.matrix })).diagnosis).toBe(
      'the Fisher (expectation over y drawn from the model) where the empirical Fisher (the given targets) was asked [empirical]',
    );
    const ng = { ...classifier, kind: 'natural-gradient', damping: 0.01 };
    const ngEmp = await oracleOk({ ...ng, curvature: 'empirical-fisher' });
    expect((await onlyMismatch(ng, { direction: ngEmp.direction })).diagnosis).toContain('[empirical]');
    const kEmp = await oracleOk(kfacSpec('factored', 0.1, 'empirical-fisher'));
    expect((await onlyMismatch(kfacSpec('factored'), { layers: [{}, { G: kEmp.layers[1].G }] })).diagnosis).toContain('[empirical]');
    const upd = await onlyMismatch(kfacSpec('factored'), { layers: [{}, { update: kEmp.layers[1].update }] });
    expect(upd.diagnosis).toContain('[empirical]');
  });

  test('an undamped natural gradient has no damping variants: a direction twice too large is a plain [scale]', async () => {
    // with λ = 0 every confused damping solves the undamped system, the oracle's own direction, which no factor may pair with
    const ng = { ...linearRegression, kind: 'natural-gradient' };
    const { direction } = await oracleOk(ng);
    expect((await onlyMismatch(ng, { direction: direction.map((x: number) => 2 * x) })).diagnosis).toBe(
      'scaled by 2 [scale]: a constant factor on every entry',
    );
  });

  test('[bias]: the bias column dropped or placed first', async () => {
    const spec = kfacSpec('exact');
    const k = await oracleOk(spec);
    const dropLast = (M: number[][]) => M.map((row) => row.slice(0, -1));
    const lastFirst = (M: number[][]) => M.map((row) => [row[row.length - 1], ...row.slice(0, -1)]);
    const dropped = await onlyMismatch(spec, { layers: [{}, { gradient: dropLast(k.layers[1].gradient) }] });
    expect(dropped.diagnosis).toContain('[bias]');
    expect(dropped.diagnosis).toContain('3 x 4 (out x in) instead of 3 x 5 (out x (in+1))');
    expect((await onlyMismatch(spec, { layers: [{}, { update: lastFirst(k.layers[1].update) }] })).diagnosis).toContain('[bias]');
    const A = k.layers[0].A;
    const perm = [3, 0, 1, 2];
    const Afirst = perm.map((i) => perm.map((j) => A[i][j]));
    expect((await onlyMismatch(spec, { layers: [{ A: Afirst }, {}] })).diagnosis).toContain('[bias]');
    const Adrop = A.slice(0, 3).map((row: number[]) => row.slice(0, 3));
    expect((await onlyMismatch(spec, { layers: [{ A: Adrop }, {}] })).diagnosis).toContain('[bias]');
  });

  test('[bias]: a model matrix without the bias entries, or with b before W', async () => {
    const res = await oracleOk(classifier);
    const sizes = classifier.model.sizes;
    const noBias: number[] = [];
    const biasFirst: number[] = [];
    let off = 0;
    for (let l = 0; l + 1 < sizes.length; l++) {
      const nw = sizes[l] * sizes[l + 1];
      const nb = sizes[l + 1];
      for (let k = 0; k < nw; k++) noBias.push(off + k);
      for (let k = 0; k < nb; k++) biasFirst.push(off + nw + k);
      for (let k = 0; k < nw; k++) biasFirst.push(off + k);
      off += nw + nb;
    }
    const pick = (order: number[]) => order.map((i) => order.map((j) => res.matrix[i][j]));
    const dropped = await onlyMismatch(classifier, { matrix: pick(noBias) });
    expect(dropped.diagnosis).toContain('[bias]');
    expect((await onlyMismatch(classifier, { matrix: pick(biasFirst) })).diagnosis).toContain('[bias]');
    const ng = { ...classifier, kind: 'natural-gradient', damping: 0.1 };
    const d = (await oracleOk(ng)).direction as number[];
    expect((await onlyMismatch(ng, { direction: noBias.map((i) => d[i]) })).diagnosis).toContain('[bias]');
  });

  test('[column-major]: W flattened column-major in a model matrix and gradient, kfac gradient read column-major', async () => {
    const res = await oracleOk(classifier);
    const order = columnMajorOrder(classifier.model.sizes);
    const M = order.map((i) => order.map((j) => res.matrix[i][j]));
    expect((await onlyMismatch(classifier, { matrix: M })).diagnosis).toContain('[column-major]');
    expect((await onlyMismatch(classifier, { gradient: order.map((i) => res.gradient[i]) })).diagnosis).toContain('[column-major]');
    const spec = kfacSpec('exact');
    const k = await oracleOk(spec);
    const g = k.layers[1].gradient as number[][];
    const flatCol = g[0].flatMap((_, j) => g.map((row) => row[j]));
    const reshaped = g.map((row, i) => row.map((_, j) => flatCol[i * row.length + j]));
    expect((await onlyMismatch(spec, { layers: [{}, { gradient: reshaped }] })).diagnosis).toContain('[column-major]');
  });

  test('[damping]: each other scheme, damping applied twice, λ in place of sqrt(λ)', async () => {
    const lambda = 0.3;
    const schemes = ['exact', 'factored', 'pi-factored'] as const;
    for (const asked of schemes) {
      for (const given of schemes) {
        if (given === asked) continue;
        const wrong = await oracleOk(kfacSpec(given, lambda));
        const m = await onlyMismatch(kfacSpec(asked, lambda), { layers: [{}, { update: wrong.layers[1].update }] });
        expect(m.diagnosis, `${given} for ${asked}`).toContain('[damping]');
      }
    }
    const twiceExact = await oracleOk(kfacSpec('exact', 2 * lambda));
    expect((await onlyMismatch(kfacSpec('exact', lambda), { layers: [{ update: twiceExact.layers[0].update }, {}] })).diagnosis).toContain('twice');
    for (const scheme of ['factored', 'pi-factored'] as const) {
      // 2 sqrt(λ) = sqrt(4λ); λ in place of sqrt(λ) = sqrt(λ²)
      const twice = await oracleOk(kfacSpec(scheme, 4 * lambda));
      expect((await onlyMismatch(kfacSpec(scheme, lambda), { layers: [{ update: twice.layers[0].update }, {}] })).diagnosis).toContain('twice');
      const squared = await oracleOk(kfacSpec(scheme, lambda * lambda));
      const m = await onlyMismatch(kfacSpec(scheme, lambda), { layers: [{ update: squared.layers[0].update }, {}] });
      expect(m.diagnosis).toContain('[damping]');
      expect(m.diagnosis).toContain('λ in place of sqrt(λ)');
    }
    const ng = { ...classifier, kind: 'natural-gradient', damping: lambda };
    const ngTwice = await oracleOk({ ...ng, damping: 2 * lambda });
    expect((await onlyMismatch(ng, { direction: ngTwice.direction })).diagnosis).toContain('[damping]');
    const ngRes = await oracleOk(ng);
    const withLambda = ngRes.matrix.map((row: number[], i: number) => row.map((x, j) => (i === j ? x + lambda : x)));
    expect((await onlyMismatch(ng, { matrix: withLambda })).diagnosis).toContain('[damping]');
  });

  test('more: damping left out of a natural gradient, G from per-example gradients of the mean loss, the gaussian constant', async () => {
    const ng = { ...classifier, kind: 'natural-gradient', damping: 0.2 };
    const undamped = await oracleOk({ ...ng, damping: 0 });
    expect((await onlyMismatch(ng, { direction: undamped.direction })).diagnosis).toContain('the damping left out');
    const k = await oracleOk(kfacSpec('exact'));
    const g = await onlyMismatch(kfacSpec('exact'), { layers: [{ G: times(k.layers[0].G, 1 / (N * N)) }, {}] });
    expect(g.diagnosis).toContain(`1/${N * N} = 1/N² [batch-size]`);
    const lr = await oracleOk(linearRegression);
    expect((await onlyMismatch(linearRegression, { loss: lr.loss - 0.5 * Math.log(2 * Math.PI) })).diagnosis).toContain('[constant]');
  });

  test('shampoo: the exponent -1/2 for -1/4, L and R swapped', async () => {
    const square = {
      kind: 'shampoo',
      gradients: [
        [
          [1, 0.5],
          [0.2, 2],
        ],
        [
          [0.3, -0.4],
          [0.1, 0.9],
        ],
      ],
      epsilon: 1e-3,
    };
    const s = await oracleOk(square);
    const squaredL = (s.L as number[][]).map((row) => row.map((_, j) => row.reduce((acc, x, k) => acc + x * s.L[k][j], 0)));
    expect((await onlyMismatch(square, { L: squaredL })).diagnosis).toContain('[exponent]');
    expect((await onlyMismatch(square, { L: s.R })).diagnosis).toContain('[swapped]');
  });

  test('reparameterize: the Jacobian transposed or inverted', async () => {
    const spec = { kind: 'reparameterize', family: 'normal', from: 'mean-std', to: 'natural', params: { mu: 0.3, sigma: 1.7 } };
    const r = await oracleOk(spec);
    expect((await onlyMismatch(spec, { jacobian: transposed(r.jacobian) })).diagnosis).toContain('[transpose]');
    const [[a, b], [c, d]] = r.jacobian as number[][];
    const det = a * d - b * c;
    expect(
      (
        await onlyMismatch(spec, {
          jacobian: [
            [d / det, -b / det],
            [-c / det, a / det],
          ],
        })
      ).diagnosis,
    ).toContain('[inverse]');
  });

  test('a diagnosis is only made within the tolerances: noise on a scaled matrix is not [batch-size]', async () => {
    const res = await oracleOk(classifier);
    const M = times(res.matrix, N);
    M[1][1] *= 1.01;
    expect((await onlyMismatch(classifier, { matrix: M })).diagnosis).toBeNull();
  });
});
