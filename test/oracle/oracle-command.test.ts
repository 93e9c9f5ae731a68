import { describe, expect, test } from 'vitest';
import { badInputLine, classifier, clone, kfacSpec, linearRegression, oracle, oracleOk, shampooSpec } from './fixtures.js';

const EPS = 2 ** -52;
/** Round-off bound for a sum of `terms` products of O(scale) numbers. */
const tolFor = (terms: number, scale = 1) => 16 * terms * EPS * scale;

function expectClose(actual: number[][] | number[], expected: number[][] | number[], tol: number) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i];
    if (Array.isArray(a) && Array.isArray(e)) expectClose(a, e, tol);
    else expect(Math.abs((a as number) - (e as number))).toBeLessThanOrEqual(tol);
  });
}

/** x̄ = [x; 1] and residuals r = W x + b - y of the linear-regression fixture. */
const X = linearRegression.inputs.map((x) => [...x, 1]);
const W = [...linearRegression.weights[0].W[0], linearRegression.weights[0].b[0]];
const r = X.map((x, n) => x.reduce((s, xi, i) => s + xi * W[i], 0) - linearRegression.targets[n][0]);
const N = X.length;
const meanOuter = (weight: (n: number) => number) => [0, 1, 2].map((i) => [0, 1, 2].map((j) => X.reduce((s, x, n) => s + weight(n) * x[i] * x[j], 0) / N));

describe('kind fisher for a model', () => {
  test('linear regression: the Fisher is XᵀX/N (bias included), with the loss and its gradient', async () => {
    const res = await oracleOk(linearRegression);
    expect(res.kind).toBe('fisher');
    expect(res.paramNames).toEqual(['W1[0][0]', 'W1[0][1]', 'b1[0]']);
    expectClose(
      res.matrix,
      meanOuter(() => 1),
      tolFor(N, 10),
    );
    const loss = r.reduce((s, ri) => s + 0.5 * Math.log(2 * Math.PI) + 0.5 * ri * ri, 0) / N;
    expect(Math.abs(res.loss - loss)).toBeLessThanOrEqual(tolFor(N, 10));
    const grad = [0, 1, 2].map((i) => X.reduce((s, x, n) => s + r[n] * x[i], 0) / N);
    expectClose(res.gradient, grad, tolFor(N, 10));
  });

  test('linear regression: the empirical Fisher weights each example by its squared residual', async () => {
    const res = await oracleOk({ ...linearRegression, curvature: 'empirical-fisher' });
    expectClose(
      res.matrix,
      meanOuter((n) => r[n] * r[n]),
      tolFor(N, 100),
    );
  });

  test('linear regression: GGN and Hessian equal the Fisher (canonical likelihood, linear model)', async () => {
    const fisher = await oracleOk(linearRegression);
    for (const curvature of ['ggn', 'hessian']) {
      const res = await oracleOk({ ...linearRegression, curvature });
      expectClose(res.matrix, fisher.matrix, tolFor(N, 10));
    }
  });

  test('logistic regression: the Fisher is (1/N) sum sigma(1 - sigma) x̄ x̄ᵀ', async () => {
    const spec = { ...linearRegression, model: { type: 'mlp', sizes: [2, 1], activations: ['identity'], likelihood: 'bernoulli' }, targets: [1, 0, 1] };
    const res = await oracleOk(spec);
    const s = X.map((x) => 1 / (1 + Math.exp(-x.reduce((acc, xi, i) => acc + xi * W[i], 0))));
    expectClose(
      res.matrix,
      meanOuter((n) => s[n] * (1 - s[n])),
      tolFor(N, 10),
    );
  });

  test('a categorical MLP: shapes, names in PyTorch order, symmetric positive semidefinite Fisher', async () => {
    const res = await oracleOk(classifier);
    const P = 4 * 3 + 4 + 3 * 4 + 3;
    expect(res.paramNames.length).toBe(P);
    expect(res.paramNames.slice(0, 4)).toEqual(['W1[0][0]', 'W1[0][1]', 'W1[0][2]', 'W1[1][0]']);
    expect(res.paramNames[12]).toBe('b1[0]');
    expect(res.paramNames[16]).toBe('W2[0][0]');
    expect(res.paramNames[P - 1]).toBe('b2[2]');
    expect(res.matrix.length).toBe(P);
    for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) expect(res.matrix[i][j]).toBe(res.matrix[j][i]);
    expect(res.gradient.length).toBe(P);
  });
});

describe('kind natural-gradient', () => {
  test('a model: (F + λI) direction = gradient, matrix is F without λ', async () => {
    const lambda = 0.05;
    const spec = { ...clone(classifier), kind: 'natural-gradient', damping: lambda };
    const res = await oracleOk(spec);
    const fisher = await oracleOk(classifier);
    expect(res.kind).toBe('natural-gradient');
    expect(res.singular).toBe(false);
    expect(res.matrix).toEqual(fisher.matrix);
    const P = res.direction.length;
    const lhs = res.matrix.map((row: number[], i: number) => row.reduce((s, f, j) => s + f * res.direction[j], 0) + lambda * res.direction[i]);
    // backward error of an eigen-solve: ~ P eps ||F + λI|| ||d||
    const dNorm = Math.max(...res.direction.map(Math.abs));
    expectClose(lhs, fisher.gradient, tolFor(P * P, dNorm));
  });

  test('a singular Fisher (one example, three parameters): the minimum-norm solution, singular true', async () => {
    const spec = { ...linearRegression, kind: 'natural-gradient', inputs: [[1, 2]], targets: [[0.5]] };
    const res = await oracleOk(spec);
    expect(res.singular).toBe(true);
    // F = x̄ x̄ᵀ and g = r x̄, so F⁺ g = r x̄ / |x̄|²
    const xb = [1, 2, 1];
    const rr = 0.5 * 1 - 0.3 * 2 + 0.1 - 0.5;
    const nn = xb.reduce((s, v) => s + v * v, 0);
    expectClose(
      res.direction,
      xb.map((v) => (rr * v) / nn),
      1e-12,
    );
  });

  test('a model with a given gradient uses it', async () => {
    const spec = { ...linearRegression, kind: 'natural-gradient', damping: 1, gradient: [1, 0, 0] };
    const res = await oracleOk(spec);
    const F = meanOuter(() => 1);
    const lhs = F.map((row, i) => row.reduce((s, f, j) => s + f * res.direction[j], 0) + res.direction[i]);
    expectClose(lhs, [1, 0, 0], 1e-13);
  });

  test('curvature chooses F (default fisher)', async () => {
    const base = { ...linearRegression, kind: 'natural-gradient' } as Record<string, unknown>;
    delete base.curvature;
    const def = await oracleOk(base);
    const emp = await oracleOk({ ...base, curvature: 'empirical-fisher' });
    expectClose(
      def.matrix,
      meanOuter(() => 1),
      1e-14,
    );
    expectClose(
      emp.matrix,
      meanOuter((n) => r[n] * r[n]),
      1e-13,
    );
  });
});

describe('kind kfac', () => {
  const lrKfac = (scheme: string, damping: number, fisher = 'fisher') => {
    const { curvature: _c, ...rest } = linearRegression;
    return { ...rest, kind: 'kfac', fisher, damping, dampingScheme: scheme };
  };

  test('linear regression: A = mean x̄x̄ᵀ, G = 1 (Fisher) or mean r² (empirical), gradient = mean r x̄ᵀ', async () => {
    const res = await oracleOk(lrKfac('exact', 0));
    expect(res.kind).toBe('kfac');
    expect(res.layers.length).toBe(1);
    const [layer] = res.layers;
    expectClose(
      layer.A,
      meanOuter(() => 1),
      1e-14,
    );
    expectClose(layer.G, [[1]], 1e-15);
    expectClose(layer.gradient, [[0, 1, 2].map((i) => X.reduce((s, x, n) => s + r[n] * x[i], 0) / N)], 1e-14);
    const emp = await oracleOk(lrKfac('exact', 0, 'empirical-fisher'));
    expectClose(emp.layers[0].G, [[r.reduce((s, v) => s + v * v, 0) / N]], 1e-14);
    expect(Math.abs(res.loss - (await oracleOk(linearRegression)).loss)).toBeLessThanOrEqual(1e-15);
  });

  test('linear regression: the three damping schemes solve their own systems', async () => {
    const lambda = 0.25;
    const A = meanOuter(() => 1);
    for (const scheme of ['exact', 'factored', 'pi-factored']) {
      const res = await oracleOk(lrKfac(scheme, lambda));
      const { update, gradient } = res.layers[0];
      // G = [[1]]: exact (A + λI) u = g; factored (1 + c) u (A + c I) = g with c = sqrt λ;
      // pi-factored: pi = sqrt(tr(A)/3 / 1), (1 + c/pi) u (A + pi c I) = g.
      const pi = Math.sqrt((A[0][0] + A[1][1] + A[2][2]) / 3);
      const [gScale, aShift] =
        scheme === 'exact'
          ? [1, lambda]
          : scheme === 'factored'
            ? [1 + Math.sqrt(lambda), Math.sqrt(lambda)]
            : [1 + Math.sqrt(lambda) / pi, pi * Math.sqrt(lambda)];
      const u = update[0];
      const lhs = [0, 1, 2].map((j) => gScale * (u.reduce((s: number, ui: number, i: number) => s + ui * A[i][j], 0) + aShift * u[j]));
      expectClose(lhs, gradient[0], 1e-13);
    }
  });

  test('a categorical MLP: factor shapes per layer; one example makes G ⊗ A the exact Fisher block', async () => {
    const res = await oracleOk(kfacSpec('factored'));
    expect(res.layers.map((l: any) => [l.A.length, l.G.length, l.gradient.length, l.gradient[0].length, l.update[0].length])).toEqual([
      [4, 4, 4, 4, 4],
      [5, 3, 3, 5, 5],
    ]);
    const one = { ...kfacSpec('exact', 0), inputs: [classifier.inputs[0]], targets: [classifier.targets[0]] };
    const k = await oracleOk(one);
    const f = await oracleOk({ ...classifier, inputs: one.inputs, targets: one.targets });
    // layer 2 block in [W b] row-major order: (i, j) -> W2[i][j] for j < 4, b2[i] for j = 4
    const names = (i: number, j: number) => (j < 4 ? `W2[${i}][${j}]` : `b2[${i}]`);
    const { A, G } = k.layers[1];
    let worst = 0;
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 5; j++)
        for (let p = 0; p < 3; p++)
          for (let q = 0; q < 5; q++) {
            const a = f.paramNames.indexOf(names(i, j));
            const b = f.paramNames.indexOf(names(p, q));
            worst = Math.max(worst, Math.abs(f.matrix[a][b] - G[i][p] * A[j][q]));
          }
    expect(worst).toBeLessThanOrEqual(1e-14);
  });
});

describe('kind shampoo', () => {
  test('one diagonal gradient: L, R, update in closed form', async () => {
    const eps = 1e-3;
    const res = await oracleOk({
      kind: 'shampoo',
      gradients: [
        [
          [1, 0],
          [0, 2],
        ],
      ],
      epsilon: eps,
    });
    expect(res.kind).toBe('shampoo');
    const d = [(1 + eps) ** -0.25, (4 + eps) ** -0.25];
    expectClose(
      res.L,
      [
        [d[0], 0],
        [0, d[1]],
      ],
      1e-15,
    );
    expectClose(
      res.R,
      [
        [d[0], 0],
        [0, d[1]],
      ],
      1e-15,
    );
    expectClose(
      res.update,
      [
        [d[0] * d[0], 0],
        [0, 2 * d[1] * d[1]],
      ],
      1e-15,
    );
  });

  test('rectangular gradients: L is m x m, R n x n, update m x n', async () => {
    const res = await oracleOk(shampooSpec);
    expect([res.L.length, res.L[0].length, res.R.length, res.R[0].length, res.update.length, res.update[0].length]).toEqual([2, 2, 3, 3, 2, 3]);
  });
});

describe('input and output forms', () => {
  test('an array spec gives an array of results in order', async () => {
    const res = await oracleOk([shampooSpec, linearRegression, kfacSpec('exact')]);
    expect(res.map((x: any) => x.kind)).toEqual(['shampoo', 'fisher', 'kfac']);
    expect(res[1]).toEqual(await oracleOk(linearRegression));
  });

  test('an empty array spec gives an empty array', async () => {
    expect(await oracleOk([])).toEqual([]);
  });

  test('- reads the spec from stdin', async () => {
    const r = await oracle(linearRegression, { stdin: true });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(await oracleOk(linearRegression));
  });

  test('numbers are printed in shortest round-trip form and parse back exactly', async () => {
    const r = await oracle(classifier);
    const res = JSON.parse(r.out);
    expect(r.out).toBe(`${JSON.stringify(res)}\n`);
    expect(r.out).not.toMatch(/NaN|Infinity/);
  });

  test('results have exactly the contract fields', async () => {
    const keys = async (spec: unknown) => Object.keys(await oracleOk(spec)).sort();
    expect(await keys(linearRegression)).toEqual(['gradient', 'kind', 'loss', 'matrix', 'paramNames']);
    expect(await keys({ ...linearRegression, kind: 'natural-gradient' })).toEqual(['direction', 'kind', 'matrix', 'singular']);
    expect(await keys(kfacSpec('exact'))).toEqual(['kind', 'layers', 'loss']);
    expect(Object.keys((await oracleOk(kfacSpec('exact'))).layers[0]).sort()).toEqual(['A', 'G', 'gradient', 'update']);
    expect(await keys(shampooSpec)).toEqual(['L', 'R', 'kind', 'update']);
  });

  test('unknown fields are bad input, at the top and inside the model', async () => {
    expect(badInputLine(await oracle({ ...linearRegression, note: 'hello' }))).toMatch(
      /^natgrad: spec\.note: is not a field of a fisher spec of a model \(allowed: /,
    );
    expect(badInputLine(await oracle({ ...linearRegression, model: { ...linearRegression.model, extra: 1 } }))).toMatch(
      /^natgrad: spec\.model\.extra: is not a field of an mlp model/,
    );
  });

  test('model.bias: false removes a layer bias (an extension of the contract)', async () => {
    const spec = { ...linearRegression, model: { ...linearRegression.model, bias: [false] }, weights: [{ W: [[0.5, -0.3]] }] };
    const res = await oracleOk(spec);
    expect(res.paramNames).toEqual(['W1[0][0]', 'W1[0][1]']);
  });
});

describe('distribution families', () => {
  const sigma = 1.7;
  const normal = { kind: 'fisher', family: 'normal', parameterization: 'mean-std', params: { mu: 0.3, sigma } };

  test('normal mean-std: diag(1/σ², 2/σ²), with symbolic entries', async () => {
    const res = await oracleOk(normal);
    expect(res.kind).toBe('fisher');
    expect(res.paramNames).toEqual(['mu', 'sigma']);
    expectClose(
      res.matrix,
      [
        [1 / sigma ** 2, 0],
        [0, 2 / sigma ** 2],
      ],
      4 * EPS,
    );
    if (res.symbolic) expect(res.symbolic.length).toBe(2);
  });

  test('vector parameters expand in order: categorical mean p[0], p[1]; F = diag(1/p) + 1/p_K', async () => {
    const p = [0.2, 0.3];
    const res = await oracleOk({ kind: 'fisher', family: 'categorical', parameterization: 'mean', params: { p } });
    expect(res.paramNames).toEqual(['p[0]', 'p[1]']);
    const pK = 1 - p[0] - p[1];
    expectClose(
      res.matrix,
      [
        [1 / p[0] + 1 / pK, 1 / pK],
        [1 / pK, 1 / p[1] + 1 / pK],
      ],
      1e-13,
    );
  });

  test('fixed values: binomial n p gives n/(p(1-p))', async () => {
    const res = await oracleOk({ kind: 'fisher', family: 'binomial', parameterization: 'mean', params: { p: 0.3 }, fixed: { n: 10 } });
    expectClose(res.matrix, [[10 / (0.3 * 0.7)]], 1e-12);
  });

  test('natural gradient: F⁻¹ g for a diagonal F, singular false', async () => {
    const res = await oracleOk({ ...normal, kind: 'natural-gradient', gradient: [1, 2] });
    expect(res.singular).toBe(false);
    expectClose(res.direction, [sigma ** 2, sigma ** 2], 1e-14);
    const damped = await oracleOk({ ...normal, kind: 'natural-gradient', gradient: [1, 2], damping: 0.5 });
    expectClose(damped.direction, [1 / (1 / sigma ** 2 + 0.5), 2 / (2 / sigma ** 2 + 0.5)], 1e-14);
  });

  test('reparameterize mean-std -> natural: the Jacobian d(mu, sigma)/d(eta1, eta2) and Jᵀ F J', async () => {
    const mu = 0.3;
    const res = await oracleOk({ kind: 'reparameterize', family: 'normal', from: 'mean-std', to: 'natural', params: { mu, sigma } });
    expect(res.kind).toBe('reparameterize');
    const v = sigma ** 2;
    expectClose([res.params.eta1, res.params.eta2], [mu / v, -1 / (2 * v)], 1e-15);
    // mu = -eta1/(2 eta2), sigma = (-2 eta2)^(-1/2): dmu/deta1 = v, dmu/deta2 = 2 mu v, dsigma/deta1 = 0, dsigma/deta2 = sigma^3
    const J = [
      [v, 2 * mu * v],
      [0, sigma ** 3],
    ];
    expectClose(res.jacobian, J, 1e-13);
    const F = [
      [1 / v, 0],
      [0, 2 / v],
    ];
    const JtFJ = [0, 1].map((i) => [0, 1].map((j) => J[0][i] * F[0][0] * J[0][j] + J[1][i] * F[1][1] * J[1][j]));
    expectClose(res.fisher, JtFJ, 1e-12);
  });
});
