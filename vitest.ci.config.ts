import { defineConfig } from 'vitest/config';
import base, { DOCS_CHECK_MAKES, THOROUGH } from './vitest.config.js';

/**
 * The thorough tests as CI runs them (`.ci/run`, beside `npm test`): those of
 * `npm run test:thorough` except those whose checks `natgrad docs --check`,
 * run beside them, makes too (the family pages, the multivariate normal's
 * matrix derivation): it refuses a page with a failed check.
 */
export default defineConfig({
  test: {
    ...base.test,
    include: THOROUGH.filter((f) => !DOCS_CHECK_MAKES.includes(f)),
    exclude: [],
    // a hang guard, not a speed bound: beside the other checks a test gets a share of the cores
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
