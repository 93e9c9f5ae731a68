import { defineConfig } from 'vitest/config';
import base, { THOROUGH } from './vitest.config.js';

/**
 * `npm run test:thorough`: every verify check of the family catalogue run as
 * a test, with the seeds `natgrad verify` uses (the slow part: Monte Carlo and
 * symbolic routes). CI runs it beside `npm test`, which leaves these out.
 */
export default defineConfig({
  test: {
    ...base.test,
    include: [...THOROUGH],
    exclude: [],
  },
});
