import { describe, expect, test } from 'vitest';
import { checkCommand } from '../../src/cli/commands.js';
import { memoryIo } from '../../src/cli/io.js';
import { oracleCommand } from '../../src/cli/commands.js';
import { badInputLine, check, classifier, clone, kfacSpec, linearRegression, oracle, oracleOk, shampooSpec } from './fixtures.js';

const normal = { kind: 'fisher', family: 'normal', parameterization: 'mean-std', params: { mu: 0.3, sigma: 1.7 } };

/** A copy of `base` with `edit` applied. */
function edited<T>(base: T, edit: (s: any) => void): T {
  const s = clone(base);
  edit(s);
  return s;
}

/** Runs the oracle on a spec and returns the single stderr line (asserting the bad-input contract). */
async function oracleError(spec: unknown, opts: { raw?: boolean; stdin?: boolean } = {}): Promise<string> {
  return badInputLine(await oracle(spec, opts));
}

describe('files and JSON', () => {
  test('an unreadable file names the spec and the file', async () => {
    const io = memoryIo();
    const line = badInputLine({ code: await oracleCommand(['missing.json'], io), out: io.out, err: io.err });
    expect(line).toBe("natgrad: spec: cannot read file 'missing.json' (no such file)");
  });

  test('text that is not JSON', async () => {
    expect(await oracleError('{"kind": "fisher",', { raw: true })).toMatch(/^natgrad: spec: not valid JSON in 'spec.json' \(/);
    expect(await oracleError('', { raw: true, stdin: true })).toMatch(/^natgrad: spec: not valid JSON: stdin is empty/);
  });

  test('NaN and Infinity are not JSON; a number that overflows is not finite', async () => {
    expect(await oracleError('{"kind": "shampoo", "gradients": [[[NaN]]], "epsilon": 1}', { raw: true })).toMatch(
      /^natgrad: spec: not valid JSON .*NaN and Infinity are not JSON/,
    );
    const text = JSON.stringify(linearRegression).replace('[[1,2]', '[[1,1e999]');
    expect(await oracleError(text, { raw: true })).toBe('natgrad: spec.inputs[0][1]: must be a finite number, got Infinity (the number overflows float64)');
  });

  test('a spec that is neither an object nor an array', async () => {
    expect(await oracleError(42)).toMatch(/^natgrad: spec: must be a spec object/);
    expect(await oracleError([linearRegression, 'x'])).toMatch(/^natgrad: spec\[1\]: must be a spec object/);
  });

  test('command-line misuse of oracle', async () => {
    for (const args of [[], ['a.json', 'b.json'], ['--frobnicate', 'a.json']]) {
      const io = memoryIo();
      const line = badInputLine({ code: await oracleCommand(args, io), out: io.out, err: io.err });
      expect(line).toMatch(/^natgrad: args: /);
    }
  });
});

describe('spec fields', () => {
  const cases: [string, unknown, string | RegExp][] = [
    [
      'unknown kind',
      { ...normal, kind: 'hessian' },
      'natgrad: spec.kind: must be one of fisher, natural-gradient, kfac, reparameterize, shampoo, diagonal, per-example-gradients, ekfac, got "hessian"',
    ],
    ['missing kind', edited(normal, (s) => delete s.kind), /^natgrad: spec.kind: is required: one of fisher, /],
    ['neither family nor model', { kind: 'fisher' }, /^natgrad: spec: needs "family" .* or "model"/],
    ['both family and model', { ...linearRegression, family: 'normal' }, /^natgrad: spec: has both "family" and "model"/],
    ['missing model field', edited(linearRegression, (s) => delete s.weights), /^natgrad: spec.weights: is required: an array of 1 layers/],
    ['missing model type', edited(linearRegression, (s) => delete s.model.type), 'natgrad: spec.model.type: is required: one of mlp, sequential'],
    ['missing inputs', edited(linearRegression, (s) => delete s.inputs), /^natgrad: spec.inputs: is required/],
    [
      'missing curvature of a model fisher',
      edited(linearRegression, (s) => delete s.curvature),
      /^natgrad: spec.curvature: is required: one of fisher, empirical-fisher, ggn, hessian/,
    ],
    [
      'unknown curvature',
      { ...linearRegression, curvature: 'gauss' },
      'natgrad: spec.curvature: must be one of fisher, empirical-fisher, ggn, hessian, monte-carlo-fisher, got "gauss"',
    ],
    [
      'unknown activation',
      edited(classifier, (s) => (s.model.activations[1] = 'gelu')),
      'natgrad: spec.model.activations[1]: must be one of identity, tanh, sigmoid, relu, softplus, got "gelu"; did you mean "relu"?',
    ],
    [
      'wrong number of activations',
      edited(classifier, (s) => s.model.activations.push('tanh')),
      /^natgrad: spec.model.activations: must be an array of 2 activation names/,
    ],
    [
      'unknown likelihood',
      edited(linearRegression, (s) => (s.model.likelihood = 'poisson')),
      'natgrad: spec.model.likelihood: must be one of categorical, bernoulli, gaussian, mse, got "poisson"',
    ],
    [
      'sizes mistyped',
      edited(linearRegression, (s) => (s.model.sizes = '2,1')),
      /^natgrad: spec.model.sizes: must be an array of at least 2 positive integers/,
    ],
    [
      'a size that is not a positive integer',
      edited(linearRegression, (s) => (s.model.sizes = [2, 1.5])),
      /^natgrad: spec.model.sizes\[1\]: must be a positive integer/,
    ],
    [
      'bernoulli with two outputs',
      edited(classifier, (s) => (s.model.likelihood = 'bernoulli')),
      /^natgrad: spec.model.sizes\[2\]: must be 1 for the bernoulli likelihood/,
    ],
    [
      'W of the wrong shape',
      edited(
        linearRegression,
        (s) =>
          (s.weights[0].W = [
            [1, 2],
            [3, 4],
          ]),
      ),
      /^natgrad: spec.weights\[0\].W: must be a 1 x 2 \(out x in\) matrix.*got 2 rows/,
    ],
    ['a ragged W', edited(classifier, (s) => s.weights[1].W[2].pop()), /^natgrad: spec.weights\[1\].W\[2\]: must have 4 entries/],
    [
      'b of the wrong length',
      edited(classifier, (s) => s.weights[0].b.push(0)),
      /^natgrad: spec.weights\[0\].b: must be an array of 4 finite numbers, got an array of length 5/,
    ],
    ['a string in W', edited(classifier, (s) => (s.weights[0].W[1][2] = '0.2')), 'natgrad: spec.weights[0].W[1][2]: must be a finite number, got "0.2"'],
    ['an input of the wrong length', edited(classifier, (s) => s.inputs[3].push(1)), /^natgrad: spec.inputs\[3\]: must be an array of 3 finite numbers/],
    [
      'no examples',
      edited(linearRegression, (s) => {
        s.inputs = [];
        s.targets = [];
      }),
      /^natgrad: spec.inputs: must be a non-empty array/,
    ],
    [
      'targets not matching inputs',
      edited(linearRegression, (s) => s.targets.pop()),
      /^natgrad: spec.targets: must be an array of 3 targets, one per input, got an array of length 2/,
    ],
    [
      'a categorical target out of range',
      edited(classifier, (s) => (s.targets[4] = 3)),
      'natgrad: spec.targets[4]: must be a class index, an integer in 0..2, got 3',
    ],
    ['a categorical target that is not an integer', edited(classifier, (s) => (s.targets[0] = 1.5)), /^natgrad: spec.targets\[0\]: must be a class index/],
    [
      'a bernoulli target that is not 0 or 1',
      { ...linearRegression, model: { ...linearRegression.model, likelihood: 'bernoulli' }, targets: [1, 0, 2] },
      'natgrad: spec.targets[2]: must be 0 or 1 (bernoulli target), got 2',
    ],
    [
      'a gaussian target that is a number',
      edited(linearRegression, (s) => (s.targets[1] = 0.5)),
      /^natgrad: spec.targets\[1\]: must be an array of 1 finite number \(gaussian targets are arrays/,
    ],
    [
      'a gaussian target of two outputs that is a number',
      edited(linearRegression, (s) => {
        s.model.sizes = [2, 2];
        s.weights = [
          {
            W: [
              [0.5, -0.3],
              [0.1, 0.2],
            ],
            b: [0.1, 0],
          },
        ];
        s.targets = [[1, 0], [0, 1], 2];
      }),
      'natgrad: spec.targets[2]: must be an array of 2 finite numbers (gaussian targets are arrays of the output size, also when it is 1), got 2',
    ],
    [
      'a layer of width 0',
      edited(classifier, (s) => (s.model.sizes = [3, 0, 3])),
      'natgrad: spec.model.sizes[1]: must be a positive integer (a layer width), got 0',
    ],
    [
      'a bias flag per layer, one missing',
      edited(classifier, (s) => (s.model.bias = [true])),
      'natgrad: spec.model.bias: must be an array of 2 booleans (whether each layer has a bias; default all true), got an array of length 1',
    ],
    ['a layer with a bias and no b', edited(classifier, (s) => delete s.weights[0].b), 'natgrad: spec.weights[0].b: is required: an array of 4 numbers (out)'],
    [
      'negative damping',
      { ...linearRegression, kind: 'natural-gradient', damping: -1 },
      'natgrad: spec.damping: must be a finite number >= 0 (the damping lambda), got -1',
    ],
    ['damping as a string', { ...linearRegression, kind: 'natural-gradient', damping: '0.1' }, /^natgrad: spec.damping: must be a finite number >= 0/],
    [
      'a model gradient of the wrong length',
      { ...linearRegression, kind: 'natural-gradient', gradient: [1, 2] },
      /^natgrad: spec.gradient: must be an array of 3 numbers/,
    ],
    [
      'kfac without dampingScheme',
      edited(kfacSpec('exact'), (s) => delete s.dampingScheme),
      'natgrad: spec.dampingScheme: is required: one of factored, pi-factored, exact',
    ],
    [
      'kfac with an unknown scheme',
      { ...kfacSpec('exact'), dampingScheme: 'tikhonov' },
      'natgrad: spec.dampingScheme: must be one of factored, pi-factored, exact, got "tikhonov"',
    ],
    [
      'kfac with an unknown fisher',
      { ...kfacSpec('exact'), fisher: 'ggn' },
      'natgrad: spec.fisher: must be one of fisher, empirical-fisher, monte-carlo, got "ggn"',
    ],
    ['kfac without damping', edited(kfacSpec('exact'), (s) => delete s.damping), /^natgrad: spec.damping: is required/],
    ['shampoo without gradients', { kind: 'shampoo', epsilon: 1 }, /^natgrad: spec.gradients: is required: a non-empty array of m x n matrices/],
    ['shampoo with no gradient', { kind: 'shampoo', gradients: [], epsilon: 1 }, /^natgrad: spec.gradients: must be a non-empty array .* got an empty array/],
    [
      'shampoo gradients of different shapes',
      edited(shampooSpec, (s) => s.gradients[1].pop()),
      /^natgrad: spec.gradients\[1\]: must be a 2 x 3 \(the shape of gradients\[0\]\) matrix/,
    ],
    ['shampoo epsilon 0', { ...shampooSpec, epsilon: 0 }, 'natgrad: spec.epsilon: must be a finite number > 0, got 0'],
    ['shampoo epsilon missing', edited(shampooSpec, (s) => delete s.epsilon), /^natgrad: spec.epsilon: is required/],
    [
      'a shampoo gradient that is a number',
      { ...shampooSpec, gradients: [5] },
      'natgrad: spec.gradients[0]: must be a matrix, an array of rows of numbers, got 5',
    ],
    [
      'a shampoo gradient whose first row is a number',
      { ...shampooSpec, gradients: [[5, 6]] },
      'natgrad: spec.gradients[0][0]: must be a row (an array of numbers) of a matrix, an array of rows of numbers, got 5',
    ],
    [
      'a model too large for a dense matrix',
      {
        ...linearRegression,
        model: { ...linearRegression.model, sizes: [2100, 2] },
        weights: [{ W: [new Array(2100).fill(0), new Array(2100).fill(0)], b: [0, 0] }],
        inputs: [new Array(2100).fill(0)],
        targets: [[0, 0]],
      },
      /^natgrad: spec\.model: the result would have 1\.77e7 entries \(a 4202 x 4202 matrix of 4202 parameters\); natgrad's oracle prints at most 2\^24 = 16777216 numbers in one answer \(memory bound; the contract's limit is 2\^26\)$/,
    ],
  ];
  test.each(cases)('%s', async (_name, spec, expected) => {
    const line = await oracleError(spec);
    if (typeof expected === 'string') expect(line).toBe(expected);
    else expect(line).toMatch(expected);
  });

  test('inside an array spec the path starts with the index', async () => {
    const bad = edited(classifier, (s) => (s.model.activations[1] = 'gelu'));
    expect(await oracleError([linearRegression, shampooSpec, bad])).toBe(
      'natgrad: spec[2].model.activations[1]: must be one of identity, tanh, sigmoid, relu, softplus, got "gelu"; did you mean "relu"?',
    );
  });
});

describe('unknown fields at any depth are bad input, naming the field and the one meant', () => {
  const ngNormal = { ...normal, kind: 'natural-gradient', gradient: [1, 1] };
  const binomial = { kind: 'fisher', family: 'binomial', parameterization: 'mean', params: { p: 0.3 }, fixed: { n: 10 } };
  const cases: [string, unknown, string | RegExp][] = [
    [
      'a misspelled damping',
      { ...ngNormal, dampng: 0.5 },
      'natgrad: spec.dampng: is not a field of a natural-gradient spec of a family (allowed: "kind", "family", "parameterization", "params", "fixed", "gradient", "damping"); did you mean "damping"?',
    ],
    [
      'damping on a fisher spec',
      { ...normal, damping: 0.5 },
      /^natgrad: spec\.damping: is not a field of a fisher spec of a family \(allowed: .*\); "damping" is a field of specs of kinds natural-gradient, kfac, ekfac$/,
    ],
    [
      'curvature on a family',
      { ...normal, curvature: 'fisher' },
      /^natgrad: spec\.curvature: is not a field of a fisher spec of a family .*; "curvature" is a field of model specs of kinds fisher, natural-gradient, diagonal$/,
    ],
    [
      'params.nu on a normal',
      { ...normal, params: { mu: 0.3, sigma: 1.7, nu: 3 } },
      'natgrad: spec.params.nu: is not a field of the params of normal mean-std (allowed: "mu", "sigma"); did you mean "mu"?',
    ],
    [
      'a misspelled parameter, the right one missing',
      { ...normal, params: { mu: 0.3, sgima: 1.7 } },
      'natgrad: spec.params.sgima: is not a field of the params of normal mean-std, where sigma is missing (allowed: "mu", "sigma"); did you mean "sigma"?',
    ],
    [
      'weights[0].bias',
      edited(linearRegression, (s) => (s.weights[0].bias = [0.1])),
      'natgrad: spec.weights[0].bias: is not a field of the weights of layer 1 (allowed: "W", "b")',
    ],
    [
      'a model field misspelled',
      edited(classifier, (s) => {
        s.model.activation = s.model.activations;
        delete s.model.activations;
      }),
      /^natgrad: spec\.model\.activation: is not a field of an mlp model \(allowed: .*\); did you mean "activations"\?$/,
    ],
    [
      'fixed on a family without fixed values',
      { ...normal, fixed: { n: 10 } },
      'natgrad: spec.fixed.n: is not a field of the fixed values of normal, which has none (allowed: none)',
    ],
    [
      'a fixed value misspelled',
      { ...binomial, fixed: { m: 10 } },
      'natgrad: spec.fixed.m: is not a field of the fixed values of binomial (allowed: "n"); did you mean "n"?',
    ],
    [
      'kind misspelled',
      edited(shampooSpec, (s) => {
        s.kidn = s.kind;
        delete s.kind;
      }),
      /^natgrad: spec\.kidn: is not a field of a spec of any kind \(allowed: .*\); did you mean "kind"\?$/,
    ],
    [
      'family misspelled',
      edited(normal, (s) => {
        s.familly = s.family;
        delete s.family;
      }),
      /^natgrad: spec\.familly: is not a field of a fisher spec \(allowed: .*\); did you mean "family"\?$/,
    ],
    [
      'dampingScheme misspelled',
      edited(kfacSpec('exact'), (s) => {
        s.dampingSchme = s.dampingScheme;
        delete s.dampingScheme;
      }),
      /^natgrad: spec\.dampingSchme: is not a field of a kfac spec .*; did you mean "dampingScheme"\?$/,
    ],
    [
      'an unknown field of shampoo',
      { ...shampooSpec, epsillon: 1 },
      /^natgrad: spec\.epsillon: is not a field of a shampoo spec \(allowed: "kind", "gradients", "epsilon"\); did you mean "epsilon"\?$/,
    ],
    ['an unknown field in an array spec', [normal, { ...normal, note: 'x' }], /^natgrad: spec\[1\]\.note: is not a field of a fisher spec of a family/],
    ['a misspelled family name', { ...normal, family: 'nromal' }, /^natgrad: spec\.family: must be one of .*, got "nromal"; did you mean "normal"\?$/],
    [
      'a misspelled parameterization',
      { ...normal, parameterization: 'mean-sd' },
      'natgrad: spec.parameterization: normal has parameterizations mean-std, mean-var, mean-logstd, natural, expectation, got "mean-sd"; did you mean "mean-std"?',
    ],
    [
      'a misspelled kind',
      { ...normal, kind: 'fishr' },
      'natgrad: spec.kind: must be one of fisher, natural-gradient, kfac, reparameterize, shampoo, diagonal, per-example-gradients, ekfac, got "fishr"; did you mean "fisher"?',
    ],
  ];
  test.each(cases)('%s', async (_name, spec, expected) => {
    const line = await oracleError(spec);
    if (typeof expected === 'string') expect(line).toBe(expected);
    else expect(line).toMatch(expected);
  });
});

describe('families (domains are owned by the catalogue)', () => {
  const cases: [string, unknown, string | RegExp][] = [
    ['sigma <= 0', { ...normal, params: { mu: 0.3, sigma: -1 } }, 'natgrad: spec.params.sigma: must be > 0, got -1'],
    ['unknown family', { ...normal, family: 'normalish' }, /^natgrad: spec.family: must be one of bernoulli, .*got "normalish"/],
    ['unknown parameterization', { ...normal, parameterization: 'polar' }, /^natgrad: spec.parameterization: .*polar/],
    ['missing params', edited(normal, (s) => delete s.params), /^natgrad: spec.params: is required/],
    ['a parameter missing', { ...normal, params: { mu: 0.3 } }, /^natgrad: spec.params.sigma: /],
    [
      'probabilities that do not sum below 1',
      { kind: 'fisher', family: 'categorical', parameterization: 'mean', params: { p: [0.5, 0.6] } },
      /^natgrad: spec.params.p: .*sum/,
    ],
    [
      'probabilities summing to exactly 1',
      { kind: 'fisher', family: 'categorical', parameterization: 'mean', params: { p: [0.5, 0.5] } },
      /^natgrad: spec.params.p: .*sum/,
    ],
    ['a family natural gradient without gradient', { ...normal, kind: 'natural-gradient' }, /^natgrad: spec.gradient: is required/],
    [
      'a family gradient of the wrong length',
      { ...normal, kind: 'natural-gradient', gradient: [1, 2, 3] },
      'natgrad: spec.gradient: must have 2 entries, one per parameter (mu, sigma), got 3',
    ],
    [
      'a family gradient that is not an array',
      { ...normal, kind: 'natural-gradient', gradient: 'x' },
      'natgrad: spec.gradient: must be an array of finite numbers, got "x"',
    ],
    [
      'reparameterize to an unknown parameterization',
      { kind: 'reparameterize', family: 'normal', from: 'mean-std', to: 'cartesian', params: { mu: 0, sigma: 1 } },
      /^natgrad: spec\.(to|parameterization): .*cartesian/,
    ],
    ['a family name that is not a string', { ...normal, family: 3 }, 'natgrad: spec.family: must be a distribution family name (a string), got 3'],
  ];
  test.each(cases)('%s', async (_name, spec, expected) => {
    const line = await oracleError(spec);
    if (typeof expected === 'string') expect(line).toBe(expected);
    else expect(line).toMatch(expected);
  });

  test('an array spec reports the index of the bad family spec', async () => {
    expect(await oracleError([normal, normal, { ...normal, params: { mu: 0, sigma: 0 } }])).toBe('natgrad: spec[2].params.sigma: must be > 0, got 0');
  });
});

describe('messages say what happened and what the spec can change', () => {
  test('shampoo: an epsilon lost in rounding is named as such, with an epsilon that is resolved; no library option is suggested', async () => {
    const spec = {
      kind: 'shampoo',
      gradients: [
        [
          [1e153, 2e153],
          [3e153, 4e153],
          [1e153, 1e153],
        ],
      ],
      epsilon: 1e-4,
    };
    const line = await oracleError(spec);
    expect(line).toMatch(
      /^natgrad: spec\.epsilon: 0\.0001 is lost in rounding: ε I_m \+ Σ G Gᵀ has largest eigenvalue .*; it is with an epsilon of at least (\S+), or with gradients whose Σ G Gᵀ has no eigenvalue below \S+$/,
    );
    expect(line).not.toMatch(/epsilon > 0|floor|\{|pseudoInverse|option/);
    const resolved = Number(/at least ([^,\s]+),/.exec(line)![1]);
    expect((await oracle({ ...spec, epsilon: resolved })).code).toBe(0);
  });

  test('shampoo: epsilon 1e308 has a result and gets it', async () => {
    const res = await oracleOk({
      kind: 'shampoo',
      gradients: [
        [
          [1, 2],
          [3, 4],
        ],
      ],
      epsilon: 1e308,
    });
    expect(res.L[0][0] / 1e-77).toBeCloseTo(1, 14);
    expect(res.update[1][1] / 4e-154).toBeCloseTo(1, 14);
  });
});

describe('check command-line and candidate input', () => {
  test('a candidate that is not JSON, or missing', async () => {
    const io = memoryIo('', { 'spec.json': JSON.stringify(linearRegression), 'cand.json': '{oops' });
    expect(badInputLine({ code: await checkCommand(['spec.json', 'cand.json'], io), out: io.out, err: io.err })).toMatch(
      /^natgrad: candidate: not valid JSON in 'cand.json'/,
    );
    const io2 = memoryIo('', { 'spec.json': JSON.stringify(linearRegression) });
    expect(badInputLine({ code: await checkCommand(['spec.json', 'nope.json'], io2), out: io2.out, err: io2.err })).toBe(
      "natgrad: candidate: cannot read file 'nope.json' (no such file)",
    );
  });

  test('a candidate of the wrong top-level shape', async () => {
    expect(badInputLine(await check(linearRegression, [{}]))).toMatch(/^natgrad: candidate: must be a result object/);
    expect(badInputLine(await check([linearRegression, linearRegression], {}))).toMatch(/^natgrad: candidate: must be an array of 2 result objects/);
    expect(badInputLine(await check([linearRegression, linearRegression], [{}]))).toMatch(
      /^natgrad: candidate: must be an array of 2 result objects, one per spec, got 1/,
    );
    expect(badInputLine(await check([linearRegression], [3]))).toMatch(/^natgrad: candidate\[0\]: must be a result object/);
  });

  test('a candidate that compares nothing is bad input: check never passes having compared nothing', async () => {
    expect(badInputLine(await check(linearRegression, {}))).toBe(
      'natgrad: candidate: has no field of the result to compare (fields: kind, paramNames, matrix, loss, gradient; the numeric ones are compared: matrix, loss, gradient; kind, paramNames are not compared); check never passes having compared nothing',
    );
    expect(badInputLine(await check(linearRegression, { kind: 'fisher', paramNames: ['W1[0][0]'] }))).toMatch(
      /^natgrad: candidate: has no field of the result to compare/,
    );
    // one field that is not numeric: "is"
    expect(badInputLine(await check(kfacSpec('exact'), { layers: [{}, {}] }))).toBe(
      'natgrad: candidate: has no field of the result to compare (fields: kind, loss, layers; the numeric ones are compared: loss, layers; kind is not compared); check never passes having compared nothing',
    );
    const res = await oracleOk(linearRegression);
    expect(badInputLine(await check([linearRegression, linearRegression], [{ loss: res.loss }, {}]))).toMatch(
      /^natgrad: candidate\[1\]: has no field of the result to compare/,
    );
    expect(badInputLine(await check([], []))).toBe(
      'natgrad: spec: is an empty array: there is nothing to compare, and check never passes having compared nothing',
    );
  });

  test('unknown candidate fields are bad input at any depth, with the field meant', async () => {
    expect(badInputLine(await check(kfacSpec('exact'), { layerz: [] }))).toBe(
      'natgrad: candidate.layerz: is not a field of the kfac result (allowed: "kind", "loss", "layers"); did you mean "layers"?',
    );
    const k = await oracleOk(kfacSpec('exact'));
    expect(badInputLine(await check(kfacSpec('exact'), { layers: [{ G: k.layers[0].G, Gg: k.layers[0].G }, {}] }))).toBe(
      'natgrad: candidate.layers[0].Gg: is not a field of layers[0] of the kfac result (allowed: "A", "G", "gradient", "update"); did you mean "G"?',
    );
    // a mix of good and unknown fields: the unknown one would be a silent pass
    const res = await oracleOk(linearRegression);
    expect(badInputLine(await check(linearRegression, { loss: res.loss, matrx: res.matrix }))).toMatch(
      /^natgrad: candidate\.matrx: is not a field of the fisher result .*; did you mean "matrix"\?$/,
    );
    expect(
      badInputLine(await check([linearRegression, kfacSpec('exact')], [res, { loss: k.loss, layers: [{}, { update: k.layers[1].update, bias: [] }] }])),
    ).toMatch(/^natgrad: candidate\[1\]\.layers\[1\]\.bias: is not a field of layers\[1\] of the kfac result/);
    const rep = { kind: 'reparameterize', family: 'normal', from: 'mean-std', to: 'natural', params: { mu: 0.3, sigma: 1.7 } };
    expect(badInputLine(await check(rep, { params: { eta1: 0.1, eta3: 2 } }))).toMatch(
      /^natgrad: candidate\.params\.eta3: is not a field of params of the reparameterize result \(allowed: "eta1", "eta2"\); did you mean "eta1"\?$/,
    );
    expect(badInputLine(await check(linearRegression, { symbolic: [['1']], loss: res.loss }))).toMatch(
      /^natgrad: candidate\.symbolic: is not a field of the fisher result/,
    );
  });

  test('a candidate of another kind is bad input', async () => {
    const res = await oracleOk(linearRegression);
    expect(badInputLine(await check(linearRegression, { kind: 'kfac', loss: res.loss }))).toBe(
      'natgrad: candidate.kind: is "kfac", but the spec\'s result is of kind "fisher"; the candidate must have the shape of that result',
    );
  });

  test('a bad spec is reported before the candidate is compared', async () => {
    expect(badInputLine(await check({ ...linearRegression, curvature: 'x' }, {}))).toMatch(/^natgrad: spec.curvature: /);
  });

  test('non-finite candidate numbers are bad input', async () => {
    const io = memoryIo('', { 'spec.json': JSON.stringify(linearRegression), 'cand.json': '{"loss": -1e999}' });
    expect(badInputLine({ code: await checkCommand(['spec.json', 'cand.json'], io), out: io.out, err: io.err })).toBe(
      'natgrad: candidate.loss: must be a finite number, got -Infinity (the number overflows float64)',
    );
  });

  test('bad options', async () => {
    expect(badInputLine(await check(linearRegression, {}, ['--rtol', 'abc']))).toBe("natgrad: --rtol: must be a finite number >= 0, got 'abc'");
    expect(badInputLine(await check(linearRegression, {}, ['--atol=-1']))).toBe("natgrad: --atol: must be a finite number >= 0, got '-1'");
    expect(badInputLine(await check(linearRegression, {}, ['--atol']))).toMatch(/^natgrad: --atol: needs a value/);
    expect(badInputLine(await check(linearRegression, {}, ['--verbose']))).toMatch(/^natgrad: args: unknown option '--verbose'/);
    const io = memoryIo();
    expect(badInputLine({ code: await checkCommand(['only.json'], io), out: io.out, err: io.err })).toMatch(/^natgrad: args: expected SPEC and CANDIDATE/);
  });
});
