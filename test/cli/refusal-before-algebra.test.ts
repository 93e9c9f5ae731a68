/**
 * A misnamed or oversized family spec is refused from the catalogue's layouts
 * alone, before the symbolic definitions are compiled (about a second of
 * start-up): the child runs with the computer algebra blocked, and still
 * refuses with the usual one line and exit 2. A valid spec in the same set-up
 * fails, which shows the block is in force.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BIN, ROOT, ensureBuilt } from './child-process.js';

const BLOCK = join(ROOT, 'test', 'cli', 'block-algebra.mjs');
let dir: string;

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'natgrad-refusal-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function oracleWithoutAlgebra(spec: unknown): { code: number | null; stderr: string; stdout: string; millis: number } {
  const file = join(dir, 'spec.json');
  writeFileSync(file, JSON.stringify(spec));
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', BLOCK, BIN, 'oracle', file], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stderr: r.stderr, stdout: r.stdout, millis: performance.now() - t0 };
}

const zeros = (n: number): number[] => new Array<number>(n).fill(0);
const identity = (d: number): number[][] => Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 1 : 0)));

const refused: [string, unknown, RegExp][] = [
  [
    'a categorical with 10^6 classes',
    { kind: 'natural-gradient', family: 'categorical', parameterization: 'natural', params: { eta: zeros(999999) }, gradient: zeros(999999) },
    /^natgrad: spec\.params: the result would have .* entries/,
  ],
  [
    'a Dirichlet with 10^5 components',
    { kind: 'fisher', family: 'dirichlet', parameterization: 'standard', params: { alpha: new Array(100000).fill(1) } },
    /^natgrad: spec\.params: the result would have/,
  ],
  [
    'a multivariate normal with d = 200',
    { kind: 'fisher', family: 'multivariate-normal', parameterization: 'mean-cov', params: { mu: zeros(200), Sigma: identity(200) } },
    /^natgrad: spec\.params: the result would have/,
  ],
  [
    'an unknown family',
    { kind: 'fisher', family: 'bernouli', parameterization: 'natural', params: { eta: 0 } },
    /^natgrad: spec\.family: must be one of .*did you mean "bernoulli"/,
  ],
  ['an unknown parameter name', { kind: 'fisher', family: 'bernoulli', parameterization: 'natural', params: { eta: 0, mu: 1 } }, /^natgrad: spec\.params/],
];

describe('family specs are refused before the computer algebra loads', () => {
  test.each(refused)('%s', (name, spec, expected) => {
    const r = oracleWithoutAlgebra(spec);
    console.log(`refused without algebra: ${name}: ${(r.millis / 1000).toFixed(2)} s`);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(expected);
    expect(r.code).toBe(2);
  });

  test('a valid family spec needs the algebra, so it fails when the algebra is blocked', () => {
    const r = oracleWithoutAlgebra({ kind: 'fisher', family: 'bernoulli', parameterization: 'natural', params: { eta: 0.3 } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/blocked/);
  });
});
