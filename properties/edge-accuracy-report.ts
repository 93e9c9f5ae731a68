/**
 * The accuracy of the oracle's family results across the whole domain, per
 * family, measured against the high-precision reference: the worst relative
 * error of any reported entry whose true value is in the normal float range
 * (natural-gradient directions are reported apart, their bound depends on
 * the conditioning), and how often the oracle refused a representable result
 * or answered where the truth overflows.
 *
 *   npx tsx properties/edge-accuracy-report.ts [cases per question kind] [seed]
 *   (NATGRAD_FAMILIES=normal,gamma to measure some families; NATGRAD_REPORT_WORST=1 to print each worst case)
 *
 * The same draws as properties/edge-accuracy.test.ts; a longer measurement
 * than the test runs, for the record (bench/RESULTS.md style), not for CI.
 */
import fc from 'fast-check';
import { parameterizationNames } from '../src/families/json-points.js';
import { runOracle } from '../src/oracle/oracle.js';
import { edgePoints, type EdgePoint } from './arbitraries/edge-points.js';
import { edgeFamilyDimensions } from './edge-families.js';
import { type Question, judge, referenceAnswer, specOf, worstRelativeError } from './reference/oracle-reference.js';

const RUNS = Number(process.argv[2] ?? 40);
const SEED = Number(process.argv[3] ?? 20260412);

const FAMILY_DIMS_ALL = edgeFamilyDimensions(true);

interface Tally {
  cases: number;
  worst: number;
  worstAt: string;
  worstDirection: number;
  wrongRefusals: number;
  wrongAnswers: number;
  failures: number;
  example: string;
}

async function measure(q: Question, t: Tally): Promise<void> {
  let answer: ReturnType<typeof referenceAnswer>;
  try {
    answer = referenceAnswer(q);
  } catch {
    return;
  }
  if (answer.invalid) return;
  let outcome: { result?: unknown; error?: unknown };
  try {
    outcome = { result: await runOracle(specOf(q)) };
  } catch (error) {
    outcome = { error };
  }
  t.cases++;
  const v = judge(answer, outcome);
  if (!v.ok) {
    t.failures++;
    if (!t.example) t.example = `${JSON.stringify(specOf(q)).slice(0, 160)}: ${v.why.slice(0, 160)}`;
  }
  if (outcome.error !== undefined) {
    if (answer.overflow.length === 0 && answer.unclear.length === 0) t.wrongRefusals++;
    return;
  }
  if (answer.overflow.length > 0) {
    t.wrongAnswers++;
    return;
  }
  const e = worstRelativeError(answer, outcome.result, (f) => !f.startsWith('direction'));
  if (e > t.worst) {
    t.worst = e;
    t.worstAt = JSON.stringify(specOf(q)).slice(0, 200);
  }
  t.worstDirection = Math.max(
    t.worstDirection,
    worstRelativeError(answer, outcome.result, (f) => f.startsWith('direction')),
  );
}

const only = process.env.NATGRAD_FAMILIES?.split(',');
const FAMILY_DIMS = FAMILY_DIMS_ALL.filter(([f]) => !only || only.includes(f));
/** a seed per question, independent of which families run */
const seedOf = (key: string): number => [...key].reduce((h, ch) => (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0, SEED);

const tallies = new Map<string, Tally>();
for (const [family, dims] of FAMILY_DIMS) {
  const t: Tally = { cases: 0, worst: 0, worstAt: '', worstDirection: 0, wrongRefusals: 0, wrongAnswers: 0, failures: 0, example: '' };
  tallies.set(family, t);
  for (const dim of dims) {
    for (const pname of parameterizationNames(family)) {
      const seed = seedOf(`${family}/${dim}/${pname}`);
      for (const point of fc.sample(edgePoints(family, pname, dim), { seed, numRuns: RUNS })) await measure({ kind: 'fisher', point }, t);
      const gradients = fc.sample(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 12, maxLength: 12 }), { seed, numRuns: RUNS });
      const points: EdgePoint[] = fc.sample(edgePoints(family, pname, dim), { seed: seed + 7, numRuns: RUNS });
      for (let i = 0; i < points.length; i++) {
        const n = referenceAnswer({ kind: 'fisher', point: points[i] }).entries.filter((e) => /\[(\d+)\]\[\1\]$/.test(e.field));
        const scale = n.reduce((m, e) => Math.max(m, Math.min(e.truth.abs().toNumber(), Number.MAX_VALUE)), 0) || 1;
        await measure(
          { kind: 'natural-gradient', point: points[i], damping: i % 2 ? 0 : scale * 1e-6, gradient: n.map((_, k) => scale * 10 ** gradients[i][k]) },
          t,
        );
      }
      for (const to of parameterizationNames(family).filter((x) => x !== pname)) {
        for (const point of fc.sample(edgePoints(family, pname, dim), { seed: seed + 13, numRuns: RUNS }))
          await measure({ kind: 'reparameterize', point, to }, t);
      }
    }
  }
  console.log(
    `${family.padEnd(20)} cases ${String(t.cases).padStart(5)}  worst rel. error ${t.worst.toExponential(2)}  directions ${t.worstDirection.toExponential(2)}  refused representable ${t.wrongRefusals}  answered an overflow ${t.wrongAnswers}  failing the property ${t.failures}${t.example ? `  e.g. ${t.example}` : ''}`,
  );
  if (process.env.NATGRAD_REPORT_WORST) console.log(`  worst at ${t.worstAt}`);
}
