/**
 * Setup of the mutation runs only (vitest.mutation.config.ts), not of `npm test`.
 * The derivations are cached per process (src/families/derivation-cache.ts).
 * Under Stryker one test process runs the tests of many mutants in turn, and
 * a test is run against a mutant only if it executed the mutated code in the
 * first, unmutated run: a cached derivation would be reused from a run
 * against another mutant (or none), and a test that read a derivation another
 * test had made would not count as covering the code that made it (a false
 * survivor either way). Clearing the cache before each test makes every test
 * derive what it reads, under the mutant of its run.
 */
import { beforeEach } from 'vitest';
import { clearDerivationCache } from '../src/families/derivation-cache.js';

beforeEach(() => {
  clearDerivationCache();
});
