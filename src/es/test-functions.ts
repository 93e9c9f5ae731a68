/**
 * Benchmark fitness functions (minimised, optimum value 0) as used by
 * Wierstra et al. (2014, section 6) and the BBOB suite.
 */
import type { Vec } from '../core/vec.js';

export type Objective = (x: Vec) => number;

/** Σ x_i². */
export const sphere: Objective = (x) => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return s;
};

/** Σ 10^{6 (i-1)/(d-1)} x_i²: condition number 10⁶. */
export const ellipsoid: Objective = (x) => {
  const d = x.length;
  let s = 0;
  for (let i = 0; i < d; i++) s += 10 ** ((6 * i) / Math.max(d - 1, 1)) * x[i] * x[i];
  return s;
};

/** Σ 100 (x_{i+1} - x_i²)² + (1 - x_i)², minimum 0 at (1, ..., 1). */
export const rosenbrock: Objective = (x) => {
  let s = 0;
  for (let i = 0; i < x.length - 1; i++) s += 100 * (x[i + 1] - x[i] * x[i]) ** 2 + (1 - x[i]) ** 2;
  return s;
};

export const TEST_FUNCTIONS: Readonly<Record<'sphere' | 'ellipsoid' | 'rosenbrock', Objective>> = { sphere, ellipsoid, rosenbrock };
