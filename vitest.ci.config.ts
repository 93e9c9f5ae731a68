import { defineConfig } from 'vitest/config';
import base, { FAMILY_PAGES, THOROUGH } from './vitest.config.js';

/**
 * The thorough tests as CI runs them (`.ci/run`, beside `npm test`): those of
 * `npm run test:thorough` except the family pages, which `natgrad docs
 * --check`, run beside them, renders and compares too, and where it also
 * refuses a page with a failed check.
 */
export default defineConfig({
  test: {
    ...base.test,
    include: THOROUGH.filter((f) => f !== FAMILY_PAGES),
    exclude: [],
    // a hang guard, not a speed bound: beside the other checks a test gets a share of the cores
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
