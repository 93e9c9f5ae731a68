#!/usr/bin/env node
/**
 * Replays the score-outer-product comparisons of fisher/poisson/rate/monte-carlo
 * (after `npm run build`): for every run seed of A..B and each of its two
 * cases, the point fast-check draws (the check's arbitrary and seed), the
 * estimate from the check's draws (100,000, the score as control: the
 * negative Hessian resolves the entry exactly, so no pilot sizes it), its
 * standard error and the standardized deviation d, one JSON line each. With
 * --verify, d is compared with the deviations `natgrad verify --seeds`
 * collects (the check itself run at the same seed).
 * Usage: node scripts/poisson-rate-replay.mjs A B [--verify] > rows.jsonl
 */
import fc from 'fast-check';
import { familyPoint } from '../dist/properties/arbitraries/families.js';
import { monteCarloCheck } from '../dist/properties/fisher-families.js';
import { monteCarloFisherAnalytic } from '../dist/src/families/analytic-monte-carlo.js';
import { FAMILIES } from '../dist/src/families/catalogue/index.js';
import { familyFisherMatrix } from '../dist/src/families/json-points.js';
import { checkSeed } from '../dist/src/verify/runner.js';

const [from = '1', to = '1000'] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const verify = process.argv.includes('--verify');
const SAMPLES = 100_000;
const def = FAMILIES.find((f) => f.name === 'poisson');
const check = monteCarloCheck(def, 'rate', undefined);
const arb = familyPoint(def, 'rate');
for (let run = Number(from); run <= Number(to); run++) {
  const seed = checkSeed(run, check.id);
  const points = [];
  fc.check(
    fc.property(arb, (pt) => {
      points.push(pt);
      return true;
    }),
    { seed, numRuns: 2 },
  );
  const deviations = points.map((pt, k) => {
    // the check's estimate of case k + 1 (properties/fisher-families.ts: seed + 7919 per case)
    const est = monteCarloFisherAnalytic(pt, SAMPLES, (seed + 7919 * (k + 1)) >>> 0, { controlVariate: true });
    const F = familyFisherMatrix(pt.inst, pt.p, pt.theta, pt.fixed).get(0, 0);
    const value = est.value.get(0, 0);
    const se = est.stdError.get(0, 0);
    const d = (value - F) / se;
    process.stdout.write(`${JSON.stringify({ run, case: k + 1, lambda: pt.base[0], F, value, se, d })}\n`);
    return d;
  });
  if (verify) {
    const got = check.run({ seed, runs: 2, thorough: false }).statistic?.deviations ?? [];
    if (got.length !== 2 || got.some((d, k) => Math.abs(d - deviations[k]) > 1e-9)) {
      process.stderr.write(`run seed ${run}: the check's deviations ${JSON.stringify(got)} differ from the replay's ${JSON.stringify(deviations)}\n`);
      process.exitCode = 1;
    }
  }
}
