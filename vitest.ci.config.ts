import { configDefaults, defineConfig } from 'vitest/config';
import base, { FAMILY_PAGES } from './vitest.config.js';

/**
 * CI's tests (`npm run test:ci`): those of `npm test` and of `npm run
 * test:thorough` in one run, which loads the library once per worker for
 * both and keeps the cores busy to the end (the longest files first), except
 * the family pages: `natgrad docs --check`, which CI runs beside it, renders
 * and compares the same pages and refuses a page with a failed check.
 */
export default defineConfig({
  test: {
    ...base.test,
    exclude: [...configDefaults.exclude, FAMILY_PAGES],
    // a hang guard, not a speed bound: beside the other checks a test gets a share of the cores
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
