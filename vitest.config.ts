import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Tests that run the family catalogue's verify checks one by one (the same
 * checks and seeds as `natgrad verify`): minutes of Monte Carlo and symbolic
 * derivation. `npm test` leaves them to `npm run test:thorough` (and to
 * `natgrad verify`), which CI runs as well.
 */
export const THOROUGH = ['properties/fisher-families-*.test.ts'];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'properties/**/*.test.ts', 'proofs/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...THOROUGH],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
