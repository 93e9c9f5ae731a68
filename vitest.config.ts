import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { configDefaults, defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The family pages rendered and compared with the committed ones (the
 * comparison `natgrad docs --check` makes, plus the pages' verdicts): in
 * `test:thorough`, and also run against every mutant (vitest.mutation.config.ts),
 * where docs --check cannot run and it is what catches a catalogue string that
 * reaches a page. CI leaves it to docs --check (vitest.ci.config.ts), which
 * also refuses a page showing a failed check.
 */
export const FAMILY_PAGES = 'test/docs/family-pages.test.ts';

/**
 * The multivariate normal's matrix derivation, every step and its planted
 * mistake: `natgrad docs --check` renders the same derivation at more cases
 * (d from 2 to 8) and refuses a page whose step failed (**FAILED**) or whose
 * planted mistake passed (DOES NOT fail), so CI leaves it to docs --check too.
 */
export const MVN_MATRIX = 'test/proofs/mvn-matrix.test.ts';

/** The thorough tests whose checks `natgrad docs --check` makes as well, which CI runs instead. */
export const DOCS_CHECK_MAKES = [FAMILY_PAGES, MVN_MATRIX];

/**
 * Tests that run `natgrad verify`'s own checks one by one: the family
 * catalogue's (the same checks and seeds as verify: minutes of Monte Carlo and
 * symbolic derivation), every proof and its sensitivity run (theorems, the
 * d = 2 normal's entrywise derivation) and every law property. `npm test`
 * leaves them to `npm run test:thorough` (and to `natgrad verify`), which CI
 * runs as well; `npm test` keeps the tests of the machinery (runner, proofs'
 * rendering, the verify command) on a few cheap checks.
 */
export const THOROUGH = [
  'properties/fisher-families-*.test.ts',
  'test/proofs/theorems.test.ts',
  'test/proofs/laws.test.ts',
  'test/proofs/mvn-proof.test.ts',
  MVN_MATRIX,
  // the oracle's conventions against simulation (large Monte Carlo samples)
  'properties/oracle-conventions.test.ts',
  FAMILY_PAGES,
];

/**
 * The files that take longest (5 s or more on two cores, test:thorough's and
 * npm test's), longest first: started first, so that the last minutes are
 * not one long file on one core while the other core idles.
 */
export const SLOW_FIRST = [
  'properties/fisher-families-continuous.test.ts',
  'test/cli/process.test.ts',
  'test/linalg/kernels.test.ts',
  'test/cli/main.test.ts',
  'test/docs/family-pages.test.ts',
  'properties/fisher-families-multivariate.test.ts',
  'properties/oracle-conventions.test.ts',
  'test/cli/refusal-before-algebra.test.ts',
  'test/parallel/sharded-fisher.test.ts',
  'properties/fisher-families-edges.test.ts',
  'test/rl/gaussian-policy.test.ts',
  'properties/fisher-families-discrete.test.ts',
  'test/proofs/theorems.test.ts',
  'properties/edge-accuracy.test.ts',
  'test/oracle/fuzz.test.ts',
  'test/es/search-gradient.test.ts',
  'test/optim/optimizer-table.test.ts',
];

/**
 * Longest first: by the durations of the last run where vitest has them for
 * every file (node_modules/.vite), else (a fresh clone, CI) SLOW_FIRST, then
 * vitest's own order (larger files first).
 */
export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const root = this.ctx.config.root;
    const key = (f: TestSpecification): string => relative(root, f.moduleId).split('\\').join('/');
    if (files.every((f) => this.ctx.cache.getFileTestResults(`${f.project.name}:${key(f)}`))) return sorted;
    const rank = (f: TestSpecification): number => {
      const i = SLOW_FIRST.indexOf(key(f));
      return i < 0 ? SLOW_FIRST.length : i;
    };
    return sorted
      .map((f, i) => ({ f, i, r: rank(f) }))
      .sort((a, b) => a.r - b.r || a.i - b.i)
      .map((x) => x.f);
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'properties/**/*.test.ts', 'proofs/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...THOROUGH],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One fork more than the cores: the tests that wait on a child process or a
    // signal leave their fork idle (2 cores: 103 s with 3 forks, 132 s with 2, 108 s with 4).
    maxWorkers: availableParallelism() + 1,
    // One module graph per worker instead of one per file: importing the
    // library (the symbolic backend, mathjs) took about a third of the suite's
    // CPU time. No test stubs modules, globals or the environment, and module
    // caches (derivations, compiled expressions) are pure functions of their keys.
    isolate: false,
    sequence: { sequencer: SlowFirstSequencer },
    // Transformed modules kept on disk (node_modules/.experimental-vitest-cache),
    // keyed by content: a rerun skips transforming the unchanged sources
    // (npm test on 2 cores: 165 s CPU cold, 137 s warm; a fresh clone gains nothing).
    experimental: { fsModuleCache: true },
  },
});
