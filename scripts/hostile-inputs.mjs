#!/usr/bin/env node
/**
 * A battery of hostile inputs against the CLI and the library, in six
 * categories (JSON, numeric edges, process, check, resource, library misuse),
 * each case with what a well-behaved natgrad does:
 *   refuse  exit 2 and exactly one stderr line `natgrad: ...`
 *   answer  exit 0 and a result that passes the case's own test (true values at the edges)
 *   quiet   exit 0 or 141 and nothing on stderr (a reader that stops early)
 *   ok      exit 0
 * Every case also fails on a stack trace, a time-out or more than 1 GiB of memory.
 *
 *   node scripts/hostile-inputs.mjs [--root DIR] [--json] [--verbose]
 *
 * DIR is a built natgrad checkout (bin/natgrad.js and dist/), so the same
 * battery measures an older commit too.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const argv = process.argv.slice(2);
const root = resolve(argv.includes('--root') ? argv[argv.indexOf('--root') + 1] : '.');
const asJson = argv.includes('--json');
const verbose = argv.includes('--verbose');
const bin = join(root, 'bin', 'natgrad.js');
const dir = mkdtempSync(join(tmpdir(), 'natgrad-hostile-'));
const MEMORY_LIMIT_KB = 1024 * 1024;
const STACK_TRACE = /^\s+at .+[(:]\d+|node:internal|node:events|^\w*Error: .*\n\s+at /m;

// ---------- cases ----------
const cases = [];
const add = (category, name, expect, run, extra = {}) => cases.push({ category, name, expect, run, ...extra });
const oracle = (spec) => ({ args: ['oracle', '-'], stdin: typeof spec === 'string' ? spec : JSON.stringify(spec) });
const relClose = (a, b, rtol) => Math.abs(a - b) <= rtol * Math.abs(b);
const matrixIs =
  (expected, rtol = 1e-12) =>
  (out) => {
    const m = JSON.parse(out).matrix;
    return expected.every((row, i) => row.every((e, j) => relClose(m[i][j], e, rtol)))
      ? null
      : `matrix ${JSON.stringify(m)}, expected ${JSON.stringify(expected)}`;
  };
const bern = (eta) => ({ kind: 'fisher', family: 'bernoulli', parameterization: 'natural', params: { eta } });
const normal = { kind: 'fisher', family: 'normal', parameterization: 'mean-std', params: { mu: 0, sigma: 1 } };
const mlp = (sizes, n, likelihood = 'categorical') => {
  let s = 1;
  const r = () => ((s = (s * 16807) % 2147483647), Math.round((s / 2147483647 - 0.5) * 1000) / 1000);
  const weights = sizes.slice(1).map((o, l) => ({ W: Array.from({ length: o }, () => Array.from({ length: sizes[l] }, r)), b: Array.from({ length: o }, r) }));
  return {
    kind: 'fisher',
    curvature: 'fisher',
    model: { type: 'mlp', sizes, activations: [...sizes.slice(2).map(() => 'tanh'), 'identity'], likelihood },
    weights,
    inputs: Array.from({ length: n }, () => Array.from({ length: sizes[0] }, r)),
    targets: Array.from({ length: n }, (_, k) => k % sizes.at(-1)),
  };
};

// JSON
add('json', 'empty input', 'refuse', oracle(''));
add('json', 'truncated JSON', 'refuse', oracle('{"kind":"fisher",'));
add('json', 'JSON null', 'refuse', oracle('null'));
add('json', 'a number', 'refuse', oracle('42'));
add('json', 'an empty object', 'refuse', oracle('{}'));
add('json', 'an empty array is an empty answer', 'answer', oracle('[]'), { test: (out) => (out.trim() === '[]' ? null : out.slice(0, 80)) });
add('json', 'unknown kind', 'refuse', oracle({ ...normal, kind: 'fishr' }));
add(
  'json',
  'misspelled field (dampng)',
  'refuse',
  oracle({ kind: 'natural-gradient', family: 'normal', parameterization: 'standard', params: { mu: 0, sigma: 1 }, gradient: [1, 1], dampng: 0.5 }),
);
add('json', 'a parameter the family lacks (normal params.nu)', 'refuse', oracle({ ...normal, params: { mu: 0, sigma: 1, nu: 3 } }));
add('json', 'an unknown field in the model', 'refuse', oracle({ ...mlp([2, 2], 2), model: { ...mlp([2, 2], 2).model, activation: ['identity'] } }));
add(
  'json',
  'an unknown field in a layer',
  'refuse',
  oracle({
    ...mlp([2, 2], 2),
    weights: [
      {
        W: [
          [1, 0],
          [0, 1],
        ],
        b: [0, 0],
        bias: [0, 0],
      },
    ],
  }),
);
add('json', 'a string where a number belongs', 'refuse', oracle({ ...normal, params: { mu: '0', sigma: 1 } }));
add(
  'json',
  'a number that overflows in JSON (1e999)',
  'refuse',
  oracle('{"kind":"fisher","family":"normal","parameterization":"mean-std","params":{"mu":1e999,"sigma":1}}'),
);
add('json', 'deeply nested arrays', 'refuse', oracle(`${'['.repeat(100000)}${']'.repeat(100000)}`));
add('json', 'a byte-order mark and a trailing comma', 'refuse', oracle('\uFEFF{"kind":"fisher",}'));
add('json', 'duplicate keys', 'answer', oracle('{"kind":"fisher","family":"bernoulli","parameterization":"mean","params":{"p":0.9},"params":{"p":0.5}}'), {
  test: matrixIs([[4]]),
});
for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
  add('json', `prototype key as the family (${key})`, 'refuse', oracle({ ...normal, family: key }));
  add('json', `prototype key as the parameterization (${key})`, 'refuse', oracle({ ...normal, parameterization: key }));
  add('json', `prototype key as the kind (${key})`, 'refuse', oracle({ ...normal, kind: key }));
  add(
    'json',
    `prototype key as a parameter (${key})`,
    'refuse',
    oracle(`{"kind":"fisher","family":"normal","parameterization":"mean-std","params":{"mu":0,"sigma":1,"${key}":1}}`),
  );
  add('json', `prototype key as the activation (${key})`, 'refuse', oracle({ ...mlp([2, 2], 2), model: { ...mlp([2, 2], 2).model, activations: [key] } }));
  add('json', `prototype key as the likelihood (${key})`, 'refuse', oracle({ ...mlp([2, 2], 2), model: { ...mlp([2, 2], 2).model, likelihood: key } }));
}

// numeric edges: the true values, not just finite ones
const expNeg = (x) => Math.exp(-x);
for (const eta of [400, -400, 700, -700, 36, -36]) {
  const p = 1 / (1 + Math.exp(-Math.abs(eta)));
  add('numeric', `bernoulli natural eta=${eta}`, 'answer', oracle(bern(eta)), {
    test: matrixIs([[(p * expNeg(Math.abs(eta))) / (1 + expNeg(Math.abs(eta)))]]),
  });
}
add('numeric', 'natural gradient at bernoulli eta=400 (finite, not singular)', 'answer', oracle({ ...bern(400), kind: 'natural-gradient', gradient: [1] }), {
  test: (out) => {
    const r = JSON.parse(out);
    return !r.singular && relClose(r.direction[0], Math.exp(400) * (1 + Math.exp(-400)) ** 2, 1e-12) ? null : `got ${out.slice(0, 200)}`;
  },
});
{
  // categorical natural, logits (-400, 30) against the last class: p1 ~ e^-430, 1 - p2 = (e^-30 + e^-430)/(1 + e^-30 + e^-430)
  const z = 1 + Math.exp(-30);
  const p1 = Math.exp(-430) / z,
    p2 = 1 / z,
    q2 = Math.exp(-30) / z;
  add(
    'numeric',
    'categorical natural, logits (-400, 30)',
    'answer',
    oracle({ kind: 'fisher', family: 'categorical', parameterization: 'natural', params: { eta: [-400, 30] } }),
    {
      test: matrixIs([
        [p1 * (1 - p1), -p1 * p2],
        [-p1 * p2, p2 * q2],
      ]),
    },
  );
}
add('numeric', 'normal sigma=1e-200 (Fisher 2e400 overflows)', 'refuse', oracle({ ...normal, params: { mu: 0, sigma: 1e-200 } }));
add('numeric', 'normal sigma=1e150', 'answer', oracle({ ...normal, params: { mu: 0, sigma: 1e150 } }), {
  test: matrixIs([
    [1e-300, 0],
    [0, 2e-300],
  ]),
});
add('numeric', 'normal sigma=1e-150', 'answer', oracle({ ...normal, params: { mu: 0, sigma: 1e-150 } }), {
  test: matrixIs([
    [1e300, 0],
    [0, 2e300],
  ]),
});
add('numeric', 'bernoulli p = 1e-300', 'answer', oracle({ kind: 'fisher', family: 'bernoulli', parameterization: 'mean', params: { p: 1e-300 } }), {
  test: matrixIs([[1 / (1e-300 * (1 - 1e-300))]]),
});
add('numeric', 'bernoulli p = 0 (outside the domain)', 'refuse', oracle({ kind: 'fisher', family: 'bernoulli', parameterization: 'mean', params: { p: 0 } }));
add('numeric', 'bernoulli p = -0.1', 'refuse', oracle({ kind: 'fisher', family: 'bernoulli', parameterization: 'mean', params: { p: -0.1 } }));
add('numeric', 'normal sigma = -1', 'refuse', oracle({ ...normal, params: { mu: 0, sigma: -1 } }));
add(
  'numeric',
  'poisson rate = 5e-324 (Fisher 1/rate overflows)',
  'refuse',
  oracle({ kind: 'fisher', family: 'poisson', parameterization: 'rate', params: { lambda: 5e-324 } }),
);
add('numeric', 'poisson rate = 1e-300', 'answer', oracle({ kind: 'fisher', family: 'poisson', parameterization: 'rate', params: { lambda: 1e-300 } }), {
  test: matrixIs([[1e300]]),
});
add(
  'numeric',
  'derive bernoulli natural at eta=800',
  'answer',
  { args: ['derive', 'bernoulli', '--parameterization', 'natural', '--at', 'eta=800', '--json'] },
  { test: (out) => (JSON.parse(out).matrix.flat().every(Number.isFinite) ? null : 'non-finite matrix') },
);
add('numeric', 'derive normal at sigma=1e-200', 'refuse', { args: ['derive', 'normal', '--at', 'mu=0,sigma=1e-200', '--json'] });
add('numeric', 'derive normal with a misspelled parameter (sgima)', 'refuse', { args: ['derive', 'normal', '--at', 'mu=0.3,sgima=1'] });
add('numeric', 'derive gamma --dim 3 (gamma has a fixed dimension)', 'refuse', { args: ['derive', 'gamma', '--dim', '3'] });
add('numeric', 'derive with --at __proto__=1', 'refuse', { args: ['derive', 'normal', '--at', '__proto__=1'] });
add(
  'numeric',
  'shampoo with gradients near 1e153: epsilon named as lost in rounding',
  'refuse',
  oracle({ kind: 'shampoo', epsilon: 1e-4, gradients: [[[1e153, -1e153]]] }),
  { test: (_, err) => (/0\.0001/.test(err) ? null : 'the message does not state epsilon') },
);
add('numeric', 'shampoo with epsilon 1e308', 'answer', oracle({ kind: 'shampoo', epsilon: 1e308, gradients: [[[1, 2]]] }), { test: () => null });
add('numeric', 'damping NaN written as a string', 'refuse', oracle({ ...bern(0), kind: 'natural-gradient', gradient: [1], damping: 'NaN' }));
add('numeric', 'negative damping', 'refuse', oracle({ ...bern(0), kind: 'natural-gradient', gradient: [1], damping: -1 }));
add('numeric', '--rtol 0x10 (hexadecimal)', 'refuse', {
  args: ['check', 'SPEC', 'CAND', '--rtol', '0x10'],
  files: { SPEC: JSON.stringify(bern(0)), CAND: '{"matrix":[[0.25]]}' },
});
add('numeric', '--rtol 1e-6x', 'refuse', {
  args: ['check', 'SPEC', 'CAND', '--rtol', '1e-6x'],
  files: { SPEC: JSON.stringify(bern(0)), CAND: '{"matrix":[[0.25]]}' },
});
add('numeric', '--rtol -1', 'refuse', {
  args: ['check', 'SPEC', 'CAND', '--rtol', '-1'],
  files: { SPEC: JSON.stringify(bern(0)), CAND: '{"matrix":[[0.25]]}' },
});
add('numeric', 'train --iterations 1e15', 'refuse', { args: ['train', '--problem', 'linear-regression', '--optimizer', 'sgd', '--iterations', '1e15'] });
add('numeric', 'train --lr -1', 'refuse', { args: ['train', '--problem', 'linear-regression', '--optimizer', 'sgd', '--iterations', '2', '--lr', '-1'] });
add('numeric', 'train --lr NaN', 'refuse', { args: ['train', '--problem', 'linear-regression', '--optimizer', 'sgd', '--iterations', '2', '--lr', 'NaN'] });
add('numeric', 'train --seed 1.5', 'refuse', { args: ['train', '--problem', 'linear-regression', '--optimizer', 'sgd', '--iterations', '2', '--seed', '1.5'] });

// process: streams, arguments, files
add('process', 'oracle | head -c 10', 'quiet', {
  shell: `node ${bin} oracle BIG | head -c 10 >/dev/null; exit \${PIPESTATUS[0]}`,
  files: { BIG: JSON.stringify(mlp([20, 12, 3], 20)) },
});
add('process', 'oracle | true', 'quiet', {
  shell: `node ${bin} oracle BIG | true; exit \${PIPESTATUS[0]}`,
  files: { BIG: JSON.stringify(mlp([20, 12, 3], 20)) },
});
add('process', 'verify --list | head -1', 'quiet', { shell: `node ${bin} verify --list | head -1 >/dev/null; exit \${PIPESTATUS[0]}` });
add('process', 'stdout on /dev/full', 'refuse', { shell: `node ${bin} oracle BIG > /dev/full`, files: { BIG: JSON.stringify(mlp([20, 12, 3], 20)) } });
add('process', 'bad input with stderr on /dev/full: still exit 2', 'refuse', {
  shell: `node ${bin} oracle NOPE 2>/dev/full; s=$?; echo "natgrad: (stderr unwritable)" >&2; exit $s`,
});
add('process', 'a missing spec file', 'refuse', { args: ['oracle', join(dir, 'does-not-exist.json')] });
add('process', 'a directory as the spec', 'refuse', { args: ['oracle', dir] });
add('process', 'an unknown command', 'refuse', { args: ['oracel', 'x.json'] });
add('process', 'an unknown option', 'refuse', { args: ['oracle', '--foo', 'x.json'] });
add('process', 'too many arguments', 'refuse', { args: ['oracle', 'a.json', 'b.json'] });
add('process', 'a missing argument', 'refuse', { args: ['check', 'a.json'] });
add(
  'process',
  'an ANSI escape in a path is not echoed raw',
  'refuse',
  { args: ['oracle', `${dir}/\u001b[31mred.json`] },
  { test: (_, err) => (err.includes('\u001b') ? 'raw escape echoed' : null) },
);
add('process', '--svg into a directory', 'refuse', {
  args: ['train', '--problem', 'linear-regression', '--optimizer', 'sgd', '--iterations', '2', '--svg', dir],
});
add('process', '--svg into a missing directory (created)', 'ok', {
  args: ['train', '--problem', 'linear-regression', '--optimizer', 'sgd', '--iterations', '2', '--svg', join(dir, 'no', 'such', 'plot.svg')],
});
add('process', '--version', 'ok', { args: ['--version'] });
add(
  'process',
  'verify --list --filter gamma lists only gamma',
  'answer',
  { args: ['verify', '--list', '--filter', 'gamma'] },
  { test: (out) => (out.split('\n').filter((l) => /\//.test(l) && !/gamma/.test(l)).length === 0 && /gamma/.test(out) ? null : 'the filter was ignored') },
);
add('process', 'unknown problem', 'refuse', { args: ['train', '--problem', 'mnist', '--optimizer', 'sgd'] });
add('process', 'unknown optimizer', 'refuse', { args: ['train', '--problem', 'linear-regression', '--optimizer', 'kfca'] });
add('process', 'unknown optimizer option', 'refuse', {
  args: ['train', '--problem', 'linear-regression', '--optimizer', 'sgd', '--iterations', '2', '--option', 'lrr=0.1'],
});
add('process', 'verify --jobs 0', 'refuse', { args: ['verify', '--jobs', '0'] });
add('process', 'verify with a filter that matches nothing', 'refuse', { args: ['verify', '--filter', 'no-such-check'] });

// check
const bernSpec = JSON.stringify(bern(0));
const chk = (cand, extra = []) => ({ args: ['check', 'SPEC', 'CAND', ...extra], files: { SPEC: bernSpec, CAND: cand } });
add('check', 'an empty candidate compares nothing', 'refuse', chk('{}'));
add('check', 'an empty array spec and candidate compare nothing', 'refuse', { args: ['check', 'SPEC', 'CAND'], files: { SPEC: '[]', CAND: '[]' } });
add('check', 'a misspelled candidate field', 'refuse', chk('{"matrx":[[0.25]]}'));
add('check', 'a candidate with an extra unknown field', 'refuse', chk('{"matrix":[[0.25]],"foo":1}'));
add('check', 'a candidate that is an array', 'refuse', chk('[1,2]'));
add('check', 'a candidate of the wrong shape is a mismatch', 'mismatch', chk('{"matrix":[[0.25,0]]}'));
add('check', 'a candidate with NaN written as a string is a mismatch', 'mismatch', chk('{"matrix":[["NaN"]]}'));
add('check', 'a candidate whose kind differs', 'refuse', chk('{"kind":"natural-gradient","matrix":[[0.25]]}'));
add('check', 'a wrong candidate is a mismatch (exit 1)', 'mismatch', chk('{"matrix":[[0.3]]}'));
add('check', 'a right candidate matches', 'ok', chk('{"matrix":[[0.25]]}'));
add('check', 'an empty array as the matrix is a mismatch', 'mismatch', chk('{"matrix":[]}'));
add('check', 'a prototype key in the candidate', 'refuse', chk('{"matrix":[[0.25]],"__proto__":{"x":1}}'));

// resource bombs: refused from the spec, before any work
add(
  'resource',
  'categorical with 10^4 classes',
  'refuse',
  oracle({ kind: 'fisher', family: 'categorical', parameterization: 'mean', params: { p: Array.from({ length: 9999 }, () => 1e-4) } }),
  { timeoutMs: 5000 },
);
add(
  'resource',
  'categorical with 10^6 classes',
  'refuse',
  oracle({ kind: 'fisher', family: 'categorical', parameterization: 'mean', params: { p: Array.from({ length: 999999 }, () => 1e-6) } }),
  { timeoutMs: 8000 },
);
add(
  'resource',
  'dirichlet with 10^5 components',
  'refuse',
  oracle({ kind: 'fisher', family: 'dirichlet', parameterization: 'standard', params: { alpha: Array.from({ length: 100000 }, () => 1) } }),
  { timeoutMs: 5000 },
);
add(
  'resource',
  'multivariate normal with d = 200',
  'refuse',
  oracle({
    kind: 'fisher',
    family: 'multivariate-normal',
    parameterization: 'mean-cov',
    params: { mu: Array(200).fill(0), Sigma: Array.from({ length: 200 }, (_, i) => Array.from({ length: 200 }, (_, j) => (i === j ? 1 : 0))) },
  }),
  { timeoutMs: 5000 },
);
add('resource', 'model Fisher with P = 4096 and N = 2000', 'refuse', oracle(mlp([63, 63, 2], 2000)), { timeoutMs: 8000 });
add('resource', 'K-FAC with 4096 classes', 'refuse', oracle({ ...mlp([2, 4096], 3), kind: 'kfac', curvature: undefined, fisher: 'fisher', damping: 1 }), {
  timeoutMs: 8000,
});
add('resource', 'endless standard input (yes |)', 'refuse', { shell: `yes | node ${bin} oracle -` }, { timeoutMs: 15000 });
add('resource', 'standard input from /dev/zero', 'refuse', { shell: `node ${bin} oracle - < /dev/zero` }, { timeoutMs: 15000 });
add('resource', '/dev/zero as the spec file', 'refuse', { args: ['oracle', '/dev/zero'] }, { timeoutMs: 15000 });
add('resource', 'a 300 MiB spec file', 'refuse', { args: ['oracle', 'HUGE'], files: { HUGE: { size: 300 * 1024 * 1024 } } }, { timeoutMs: 5000 });
add(
  'resource',
  'an array of 10^5 small specs is answered in bounded memory',
  'ok',
  oracle(`[${Array(100000).fill('{"kind":"fisher","family":"bernoulli","parameterization":"mean","params":{"p":0.5}}').join(',')}]`),
  { timeoutMs: 15000 },
);
add(
  'resource',
  'shampoo with a 10^5 x 10^5 gradient claim',
  'refuse',
  oracle({ kind: 'shampoo', epsilon: 1, gradients: [Array.from({ length: 1 }, () => Array(100000).fill(1))] }),
  { timeoutMs: 8000 },
);

// library misuse: a result or a NatgradError, never another exception or a silent NaN
const lib = (name, body) => add('library', name, 'refused', { library: body });
const data = 'const X=[Float64Array.of(1,2),Float64Array.of(0.5,-1)], Y=[0,1]; const spec={sizes:[2,2],activations:["identity"],likelihood:"categorical"};';
lib(
  'train with NaN data',
  `${data} X[0][0]=NaN; const {objective,extra}=L.modelProblem(spec,X,Y); return L.train(L.createOptimizer('sgd',{lr:0.1}),new Float64Array(6),{objective,extra,maxIterations:3}).finalLoss;`,
);
lib(
  'train with NaN initial parameters',
  `${data} const {objective,extra}=L.modelProblem(spec,X,Y); return L.train(L.createOptimizer('sgd',{lr:0.1}),new Float64Array(6).fill(NaN),{objective,extra,maxIterations:3}).finalLoss;`,
);
lib(
  'train with an empty data set',
  `${data} const {objective,extra}=L.modelProblem(spec,[],[]); return L.train(L.createOptimizer('sgd',{lr:0.1}),new Float64Array(6),{objective,extra,maxIterations:3}).finalLoss;`,
);
lib(
  'train with mismatched targets',
  `${data} const {objective,extra}=L.modelProblem(spec,X,[0]); return L.train(L.createOptimizer('sgd',{lr:0.1}),new Float64Array(6),{objective,extra,maxIterations:3}).finalLoss;`,
);
lib(
  'train with a gradient of the wrong length',
  `return L.train(L.createOptimizer('sgd',{lr:0.1}),new Float64Array(3),{objective:()=>({loss:1,gradient:new Float64Array(2)}),maxIterations:3}).finalLoss;`,
);
lib(
  'train when the loss becomes NaN',
  `let k=0; return L.train(L.createOptimizer('sgd',{lr:0.1}),new Float64Array(2),{objective:()=>({loss:k++>1?NaN:1,gradient:new Float64Array(2).fill(1)}),maxIterations:5}).finalLoss;`,
);
lib(
  'lossAndGradient with NaN weights',
  `${data} return L.lossAndGradient(spec,[{W:[Float64Array.of(NaN,0),Float64Array.of(0,0)],b:new Float64Array(2)}],X,Y).loss;`,
);
lib('a forward pass with an input of the wrong width', `${data} return L.forward(spec,L.initWeights(spec,new L.Rng(0)),Float64Array.of(1,2,3));`);
lib('a negative learning rate', `return L.createOptimizer('sgd',{lr:-1});`);
lib('a misspelled optimizer option (dampnig)', `return L.createOptimizer('kfac',{dampnig:1});`);
lib('an unknown optimizer', `return L.createOptimizer('kfca');`);
lib('modelCurvature(null)', `return L.modelCurvature(null);`);
lib('modelCurvature with a bad likelihood', `${data} return L.modelCurvature({...spec,likelihood:'cauchy'},L.initWeights(spec,new L.Rng(0)),X,Y,'fisher');`);
lib('a 10^5 x 10^5 matrix', `return new L.Matrix(100000,100000);`);
lib('xNES with a NaN mean', `return E.xnes((x)=>x[0]*x[0]+x[1]*x[1],2,{mean:[NaN,0],maxEvaluations:200}).best;`);
lib('xNES with a fitness that returns a string', `return E.xnes(()=>'1',2,{maxEvaluations:200}).best;`);
lib('Rng with a NaN seed', `return new L.Rng(NaN).next();`);

// ---------- runner ----------
function materialize(files) {
  const names = {};
  for (const [k, v] of Object.entries(files ?? {})) {
    const path = join(dir, `${k}.json`);
    if (typeof v === 'string') writeFileSync(path, v);
    else {
      writeFileSync(path, '');
      spawnSync('truncate', ['-s', String(v.size), path]);
    }
    names[k] = path;
  }
  return names;
}

function libraryScript(body) {
  const index = pathToFileURL(join(root, 'dist', 'src', 'index.js')).href;
  const es = pathToFileURL(join(root, 'dist', 'src', 'es', 'index.js')).href;
  return `
const L = await import(${JSON.stringify(index)});
const E = { ...L, ...(await import(${JSON.stringify(es)}).catch(() => ({}))) };
const finite = (v, seen = new Set()) => {
  if (typeof v === 'number') return Number.isFinite(v);
  if (v === null || v === undefined) return false;
  if (typeof v !== 'object' || seen.has(v)) return true;
  seen.add(v);
  return Object.values(v).every((x) => typeof x === 'function' || finite(x, seen));
};
let outcome;
try {
  const r = (() => { ${body} })();
  outcome = finite(r) ? 'result' : 'non-finite result passed through';
} catch (e) {
  outcome = e instanceof L.NatgradError || e?.name === 'NatgradError' ? 'refused' : 'threw ' + (e?.constructor?.name ?? typeof e) + ': ' + String(e?.message).slice(0, 120);
}
process.stdout.write(outcome);
`;
}

function runCase(c) {
  const files = materialize(c.run.files);
  const swap = (a) => (Object.hasOwn(files, a) ? files[a] : a);
  const timeout = c.timeoutMs ?? 20000;
  const timeFile = join(dir, 'time.txt');
  let command;
  if (c.run.library) command = ['node', '--input-type=module', '-e', libraryScript(c.run.library)];
  else if (c.run.shell) command = ['bash', '-c', Object.entries(files).reduce((s, [k, p]) => s.replaceAll(k, p), c.run.shell)];
  else command = ['node', bin, ...c.run.args.map(swap)];
  const t0 = performance.now();
  // timeout(1) kills the case's whole process group (a shell pipeline, a worker), so nothing outlives its case
  const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', timeFile, 'timeout', '-s', 'KILL', `${timeout / 1000}s`, ...command], {
    input: c.run.stdin,
    timeout: timeout + 5000,
    maxBuffer: 1 << 28,
    encoding: 'utf8',
    killSignal: 'SIGKILL',
  });
  const ms = performance.now() - t0;
  let rssKb = NaN;
  try {
    rssKb = Number(readFileSync(timeFile, 'utf8').trim().split('\n').at(-1));
  } catch {
    /* killed before time wrote it */
  }
  const out = r.stdout ?? '',
    err = r.stderr ?? '';
  const errLines = err.split('\n').filter((l) => l.trim() !== '' && !/^Command (exited|terminated)/.test(l));
  const problems = [];
  if (r.error?.code === 'ETIMEDOUT' || r.signal === 'SIGKILL' || r.status === 137) problems.push(`no answer within ${timeout / 1000} s`);
  if (STACK_TRACE.test(err)) problems.push('stack trace');
  if (rssKb > MEMORY_LIMIT_KB) problems.push(`${(rssKb / 1024).toFixed(0)} MiB of memory`);
  const status = r.status;
  if (problems.length === 0) {
    if (c.expect === 'refuse') {
      if (status !== 2) problems.push(`exit ${status}, expected 2`);
      else if (errLines.length !== 1 || !errLines[0].startsWith('natgrad:')) problems.push(`stderr is not one natgrad: line (${errLines.length} lines)`);
    } else if (c.expect === 'answer' || c.expect === 'ok') {
      if (status !== 0) problems.push(`exit ${status}: ${errLines[0] ?? ''}`.slice(0, 160));
      else if (c.test) {
        try {
          const p = c.test(out, err);
          if (p) problems.push(p.slice(0, 200));
        } catch (e) {
          problems.push(`unreadable output: ${e.message}`);
        }
      }
    } else if (c.expect === 'mismatch') {
      if (status !== 1) problems.push(`exit ${status}, expected 1`);
    } else if (c.expect === 'quiet') {
      if (status !== 0 && status !== 141) problems.push(`exit ${status}`);
      if (errLines.length) problems.push(`stderr: ${errLines[0].slice(0, 120)}`);
    } else if (c.expect === 'refused') {
      if (status !== 0) problems.push(`the script failed: ${errLines[0] ?? status}`.slice(0, 160));
      else if (out !== 'refused' && out !== 'result') problems.push(out);
    }
    if (c.test && c.expect === 'refuse' && status === 2) {
      const p = c.test(out, err);
      if (p) problems.push(p);
    }
  }
  return { category: c.category, name: c.name, ok: problems.length === 0, problems, ms: Math.round(ms), rssMiB: Math.round(rssKb / 1024) };
}

const results = [];
for (const c of cases) {
  const r = runCase(c);
  results.push(r);
  if (verbose)
    process.stderr.write(`${r.ok ? 'ok  ' : 'FAIL'} ${r.category}/${r.name} (${r.ms} ms, ${r.rssMiB} MiB)${r.ok ? '' : `: ${r.problems.join('; ')}`}\n`);
}
rmSync(dir, { recursive: true, force: true });

const categories = [...new Set(results.map((r) => r.category))];
const summary = categories.map((cat) => {
  const rs = results.filter((r) => r.category === cat);
  return { category: cat, cases: rs.length, behaved: rs.filter((r) => r.ok).length };
});
if (asJson) {
  process.stdout.write(`${JSON.stringify({ root, summary, results }, null, 2)}\n`);
} else {
  const total = results.length,
    behaved = results.filter((r) => r.ok).length;
  process.stdout.write(`hostile inputs against ${root}\n\n| category | cases | behaved |\n|---|---:|---:|\n`);
  for (const s of summary) process.stdout.write(`| ${s.category} | ${s.cases} | ${s.behaved} |\n`);
  process.stdout.write(`| all | ${total} | ${behaved} |\n`);
  const failed = results.filter((r) => !r.ok);
  if (failed.length) process.stdout.write(`\nmisbehaved:\n${failed.map((r) => `  ${r.category}/${r.name}: ${r.problems.join('; ')}`).join('\n')}\n`);
}
process.exitCode = results.every((r) => r.ok) ? 0 : 1;
