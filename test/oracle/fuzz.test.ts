/**
 * Robustness of the two commands on arbitrary input: they never throw, exit
 * only 0/1/2, never print a non-finite number, and on exit 2 print exactly
 * one `natgrad: <json path>: <reason>` line and nothing on stdout. Inputs are
 * random JSON values and valid specs mutated at one random place.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { checkCommand } from '../../src/cli/commands.js';
import { memoryIo } from '../../src/cli/io.js';
import { oracleCommand } from '../../src/cli/commands.js';
import { classifier, kfacSpec, linearRegression, shampooSpec, type Run } from './fixtures.js';

const PATH_ROOT = /^natgrad: (spec|candidate|args|--rtol|--atol|--json)(\[\d+\])?([.[][^\n]*?)?: \S[^\n]*$/;

/** Why a run breaks the command contract, or null when it keeps it. */
function contractViolation(r: Run, allowed: readonly number[]): string | null {
  if (!allowed.includes(r.code)) return `exit code ${r.code}`;
  if (r.code === 2) {
    if (r.out !== '') return 'stdout not empty on exit 2';
    if (!r.err.endsWith('\n') || r.err.slice(0, -1).includes('\n')) return `not exactly one stderr line: ${JSON.stringify(r.err)}`;
    const line = r.err.slice(0, -1);
    if (!PATH_ROOT.test(line)) return `no JSON path: ${line}`;
    if (/internal error|too large or too deeply nested|\bat .*\.ts:\d+/.test(line)) return `internal failure: ${line}`;
    return null;
  }
  if (r.err !== '') return `stderr on exit ${r.code}: ${r.err}`;
  if (/NaN|Infinity|null/.test(r.out) && !/"diagnosis":null/.test(r.out)) {
    // null is legal only as a diagnosis
    const stripped = r.out.replace(/"diagnosis":null/g, '');
    if (/NaN|Infinity|null/.test(stripped)) return `non-finite number printed: ${r.out.slice(0, 200)}`;
  }
  return null;
}

async function runOracleText(text: string): Promise<Run> {
  const io = memoryIo('', { 'spec.json': text });
  const code = await oracleCommand(['spec.json'], io);
  return { code, out: io.out, err: io.err };
}

async function runCheckText(spec: string, cand: string, options: string[]): Promise<Run> {
  const io = memoryIo('', { 'spec.json': spec, 'cand.json': cand });
  const code = await checkCommand(['spec.json', ...options, 'cand.json'], io);
  return { code, out: io.out, err: io.err };
}

/** Every path into a JSON value, as key lists. */
function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}

const OVERFLOW = '"__overflow__"';

type Mutation = { kind: 'replace'; value: unknown } | { kind: 'delete' } | { kind: 'overflow' };

/** The spec text with one mutation at `path` (an overflowing literal 1e999 is written into the text). */
function mutate(spec: unknown, path: (string | number)[], m: Mutation): string {
  const root = JSON.parse(JSON.stringify(spec));
  if (path.length === 0) return m.kind === 'replace' ? JSON.stringify(m.value) : m.kind === 'overflow' ? '1e999' : '';
  let parent = root;
  for (const k of path.slice(0, -1)) parent = parent[k];
  const last = path[path.length - 1];
  if (m.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else {
    parent[last] = m.kind === 'replace' ? m.value : '__overflow__';
  }
  return JSON.stringify(root).replace(OVERFLOW, '-1e999');
}

const specialNumbers = fc.constantFrom(0, -0, -1, 1, 2, 0.5, 3, -1e-300, 1e-320, 1e308, -1e308, 2 ** 53 + 2, 4097, 1e6, 2.5);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((value) => ({ kind: 'replace' as const, value })) },
  { weight: 3, arbitrary: specialNumbers.map((value) => ({ kind: 'replace' as const, value })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', 'identity', 'gelu', 'fisher', 'exact', 'normal', 'mean', '1').map((value) => ({ kind: 'replace' as const, value })),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'delete' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'overflow' as const }) },
);

const VALID_SPECS: unknown[] = [
  linearRegression,
  { ...linearRegression, model: { ...linearRegression.model, likelihood: 'bernoulli' }, targets: [1, 0, 1] },
  classifier,
  { ...classifier, kind: 'natural-gradient', damping: 0.1 },
  { ...linearRegression, kind: 'natural-gradient', curvature: 'hessian', gradient: [1, 2, 3] },
  kfacSpec('pi-factored'),
  kfacSpec('exact', 0, 'empirical-fisher'),
  shampooSpec,
  { kind: 'fisher', family: 'normal', parameterization: 'mean-std', params: { mu: 0.3, sigma: 1.7 } },
  { kind: 'fisher', family: 'categorical', parameterization: 'mean', params: { p: [0.2, 0.3] } },
  { kind: 'fisher', family: 'binomial', parameterization: 'mean', params: { p: 0.3 }, fixed: { n: 10 } },
  { kind: 'natural-gradient', family: 'gamma', parameterization: 'shape-rate', params: { alpha: 2, beta: 3 }, gradient: [1, -1], damping: 0.01 },
  { kind: 'reparameterize', family: 'normal', from: 'mean-std', to: 'natural', params: { mu: 0.3, sigma: 1.7 } },
  {
    kind: 'fisher',
    family: 'multivariate-normal',
    parameterization: 'mean-cov',
    params: {
      mu: [0, 1],
      Sigma: [
        [2, 0.5],
        [0.5, 1],
      ],
    },
  },
];

const specAndMutation = fc
  .integer({ min: 0, max: VALID_SPECS.length - 1 })
  .chain((i) => fc.record({ i: fc.constant(i), p: fc.constantFrom(...paths(VALID_SPECS[i])), m: mutation }));

describe('the contract predicate can fail', () => {
  test('it rejects the breaches it is meant to catch', () => {
    expect(contractViolation({ code: 3, out: '', err: 'x\n' }, [0, 2])).toMatch(/exit code/);
    expect(contractViolation({ code: 2, out: '{}', err: 'natgrad: spec: x\n' }, [0, 2])).toMatch(/stdout/);
    expect(contractViolation({ code: 2, out: '', err: 'natgrad: spec: a\nnatgrad: spec: b\n' }, [0, 2])).toMatch(/one stderr line/);
    expect(contractViolation({ code: 2, out: '', err: 'TypeError: x is undefined\n' }, [0, 2])).toMatch(/no JSON path/);
    expect(contractViolation({ code: 2, out: '', err: 'natgrad: spec: internal error (boom)\n' }, [0, 2])).toMatch(/internal/);
    expect(contractViolation({ code: 0, out: '{"matrix":[[null]]}\n', err: '' }, [0, 2])).toMatch(/non-finite/);
    expect(contractViolation({ code: 0, out: '{"matrix":[[1]]}\n', err: '' }, [0, 2])).toBeNull();
    expect(contractViolation({ code: 2, out: '', err: 'natgrad: spec[3].params.sigma: must be > 0, got -1\n' }, [0, 2])).toBeNull();
  });
});

describe('oracle never breaks its contract', () => {
  test('random JSON documents', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (v) => {
        const r = await runOracleText(JSON.stringify(v));
        expect(contractViolation(r, [0, 2])).toBeNull();
      }),
      { seed: 20261125, numRuns: 800 },
    );
  });

  test('random text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 40 }), async (s) => {
        expect(contractViolation(await runOracleText(s), [0, 2])).toBeNull();
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  test('valid specs mutated at one place', async () => {
    await fc.assert(
      fc.asyncProperty(specAndMutation, async ({ i, p, m }) => {
        const r = await runOracleText(mutate(VALID_SPECS[i], p, m));
        expect(contractViolation(r, [0, 2]), `spec ${i} at ${JSON.stringify(p)} with ${JSON.stringify(m)}`).toBeNull();
      }),
      { seed: 424242, numRuns: 2500 },
    );
  });

  test('every valid spec succeeds unmutated', async () => {
    for (const s of VALID_SPECS) expect((await runOracleText(JSON.stringify(s))).code).toBe(0);
  });
});

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const holdsNumber = (v: unknown): boolean =>
  typeof v === 'number' ? true : Array.isArray(v) ? v.some(holdsNumber) : isObj(v) ? Object.values(v).some(holdsNumber) : false;

/**
 * Why a candidate is bad input for `check` (an independent statement of the
 * rules): a key the result lacks at the same place, another kind, or no
 * field compared; null when it is a fair candidate (exit 0 or 1).
 */
function badCandidate(result: unknown, cand: unknown): string | null {
  if (!isObj(result) || !isObj(cand)) return null;
  if ('kind' in cand && cand.kind !== result.kind) return 'another kind';
  const unknownKey = (e: unknown, c: unknown): boolean => {
    if (isObj(e) && isObj(c)) return Object.keys(c).some((k) => !Object.hasOwn(e, k) || unknownKey(e[k], c[k]));
    if (Array.isArray(e) && Array.isArray(c) && e.some(isObj)) return c.slice(0, e.length).some((x, i) => unknownKey(e[i], x));
    return false;
  };
  if (unknownKey(result, cand)) return 'an unknown key';
  // a field is compared when the result holds a number there, whatever the candidate's shape
  const compares = (e: unknown, c: unknown): boolean => {
    if (!holdsNumber(e)) return false;
    if (isObj(e) && isObj(c)) return Object.keys(c).some((k) => compares(e[k], c[k]));
    if (Array.isArray(e) && e.some(isObj) && Array.isArray(c) && c.length === e.length) return e.some((x, i) => compares(x, c[i]));
    return true;
  };
  return compares(result, cand) ? null : 'nothing compared';
}

describe('check never breaks its contract', () => {
  const results = new Map<number, unknown>();
  async function resultOf(i: number): Promise<unknown> {
    if (!results.has(i)) results.set(i, JSON.parse((await runOracleText(JSON.stringify(VALID_SPECS[i]))).out));
    return results.get(i);
  }

  test('results mutated at one place: exit 0 or 1, 2 only for a non-finite number or a candidate that is bad input, --json well formed', async () => {
    await fc.assert(
      fc.asyncProperty(specAndMutation, fc.boolean(), async ({ i, m }, json) => {
        const result = await resultOf(i);
        const ps = paths(result).filter((p) => p.length > 0);
        const p = ps[(JSON.stringify(m).length * 7919) % ps.length];
        const cand = mutate(result, p, m);
        const r = await runCheckText(JSON.stringify(VALID_SPECS[i]), cand, json ? ['--json'] : []);
        const allowed = m.kind === 'overflow' || badCandidate(result, JSON.parse(cand)) !== null ? [2] : [0, 1];
        expect(contractViolation(r, allowed), `spec ${i} at ${JSON.stringify(p)} with ${JSON.stringify(m)}`).toBeNull();
        if (json && r.code !== 2) {
          const report = JSON.parse(r.out);
          expect(Object.keys(report).sort()).toEqual(['mismatches', 'ok']);
          expect(report.ok).toBe(r.code === 0);
          for (const mm of report.mismatches) {
            expect(Object.keys(mm).sort()).toEqual(['diagnosis', 'field', 'maxAbsErr', 'maxRelErr']);
            expect(Number.isFinite(mm.maxAbsErr) && Number.isFinite(mm.maxRelErr)).toBe(true);
            expect(mm.diagnosis === null || /\[[a-z-]+\]/.test(mm.diagnosis)).toBe(true);
          }
        }
      }),
      { seed: 99, numRuns: 600 },
    );
  });

  test('random argument lists', async () => {
    const arg = fc.oneof(
      fc.constantFrom('spec.json', 'cand.json', '-', '--json', '--rtol', '--atol', '--rtol=1', '--atol=x', '1e-3', '--'),
      fc.string({ maxLength: 6 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(arg, { maxLength: 6 }), async (args) => {
        const io = memoryIo('{"loss": 1}', { 'spec.json': JSON.stringify(linearRegression), 'cand.json': '{"loss": 1}' });
        const code = await checkCommand(args, io);
        expect(contractViolation({ code, out: io.out, err: io.err }, [0, 1, 2])).toBeNull();
      }),
      { seed: 5, numRuns: 400 },
    );
  });
});
