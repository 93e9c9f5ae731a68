import { defineConfig } from 'vitest/config';
import base, { THOROUGH } from './vitest.config.js';

/**
 * `npm run test:thorough`: every verify check of the family catalogue run as
 * a test, with the seeds `natgrad verify` uses (the slow part: Monte Carlo and
 * symbolic routes), which `npm test` leaves out. CI runs them beside `npm test`,
 * all but the family pages (vitest.ci.config.ts).
 */
export default defineConfig({
  test: {
    ...base.test,
    include: [...THOROUGH],
    exclude: [],
  },
});
