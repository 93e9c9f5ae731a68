/** The continuous families' Fisher checks, as `natgrad verify` runs them (see fisher-family-suite.ts). */
import { expect, test } from 'vitest';
import { checkSeed } from '../src/verify/runner.js';
import { familyChecks } from './fisher-families.js';
import { fisherFamilySuite } from './fisher-family-suite.js';

fisherFamilySuite('continuous');

test('the Laplace Monte Carlo check raises no false alarm over 40 run seeds (a Bartlett control of nonzero mean, at [mu][mu], once biased it at 10% of seeds)', () => {
  const check = familyChecks().find((c) => c.id === 'fisher/laplace/location-scale/monte-carlo')!;
  const failed = Array.from({ length: 40 }, (_, k) => k + 1).filter((s) => !check.run({ seed: checkSeed(s, check.id), runs: 8, thorough: false }).ok);
  expect(failed).toEqual([]);
});
