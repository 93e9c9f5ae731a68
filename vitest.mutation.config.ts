import { configDefaults, defineConfig } from 'vitest/config';
import base, { FAMILY_PAGES, THOROUGH } from './vitest.config.js';

/**
 * The tests `npm run test:mutation` runs against each mutant: the unit tests
 * of `npm test` without the property laws and the oracle's fuzz test, which
 * take tens of seconds each (a surviving mutant reruns every test that covers
 * it, so with them a one-file run took hours on two cores), and without the
 * oracle's resource-limit test, whose time bound does not hold under the
 * instrumented code on a loaded machine. The scores are therefore a lower
 * bound on what the whole suite catches.
 *
 * MUTATION_TESTS (comma-separated test files) narrows the run to those files,
 * e.g. a module's own tests, for a quick focused score:
 * `MUTATION_TESTS=test/numeric/statistics.test.ts npm run test:mutation -- --mutate src/numeric/statistics.ts`.
 */
export const SLOW_FOR_MUTATION = ['properties/**', 'test/oracle/fuzz.test.ts', 'test/oracle/limits.test.ts'];

const focused = process.env.MUTATION_TESTS?.split(',')
  .map((f) => f.trim())
  .filter((f) => f !== '');

export default defineConfig({
  test: {
    ...base.test,
    ...(focused && focused.length > 0 ? { include: focused } : {}),
    exclude: [...configDefaults.exclude, ...THOROUGH.filter((f) => f !== FAMILY_PAGES), ...SLOW_FOR_MUTATION],
    // A fresh module graph for each test file of each run: the module-level
    // caches (derivations, analytic scores and instances per family) and the
    // catalogue's records, evaluated once when imported, are then built under
    // the mutant of the run, never carried over from an earlier run.
    isolate: true,
    // and the derivation cache emptied before each test (see the file)
    setupFiles: ['test/mutation-setup.ts'],
    // every module transformed from the sandbox's instrumented sources, none from a cache shared with other runs
    experimental: { fsModuleCache: false },
  },
});
