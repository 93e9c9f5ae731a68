import { configDefaults, defineConfig } from 'vitest/config';
import base, { THOROUGH } from './vitest.config.js';

/**
 * The tests `npm run test:mutation` runs against each mutant: the unit tests
 * of `npm test` without the property laws and the oracle's fuzz test, which
 * take tens of seconds each (a surviving mutant reruns every test that covers
 * it, so with them a one-file run took hours on two cores), and without the
 * oracle's resource-limit test, whose time bound does not hold under the
 * instrumented code on a loaded machine. The scores are therefore a lower
 * bound on what the whole suite catches.
 */
export const SLOW_FOR_MUTATION = ['properties/**', 'test/oracle/fuzz.test.ts', 'test/oracle/limits.test.ts'];

export default defineConfig({
  test: {
    ...base.test,
    exclude: [...configDefaults.exclude, ...THOROUGH, ...SLOW_FOR_MUTATION],
  },
});
