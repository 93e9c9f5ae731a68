/**
 * The data sets of the experiments: Breast Cancer Wisconsin and the 8x8
 * digits (real data, split into train and test by a seeded shuffle and
 * standardized with training statistics only), and a seeded ill-conditioned
 * linear regression with a known solution.
 *
 * @example
 * ```ts
 * import { loadDigits } from 'natgrad/data';
 * const digits = loadDigits({ seed: 0, testFraction: 0.2 });
 * console.log(digits.trainInputs.length, digits.classes); // 1438 10
 * ```
 *
 * @module natgrad/data
 */
export * from './datasets.js';
