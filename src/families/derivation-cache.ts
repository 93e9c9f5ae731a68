/** Derivations are expensive (the backend takes seconds); each is done once per process. */
import { hashSeed } from '../core/rng.js';
import { deriveFisher, type FisherDerivation } from './derive.js';
import { mvnCases, mvnDerivationSteps, type SensitivityOutcome } from './mvn-derivation.js';
import type { DerivationStep } from './steps.js';
import type { FamilyDefinition } from './types.js';

const cache = new Map<string, FisherDerivation>();

export function derivationOf(def: FamilyDefinition, parameterization: string, dim?: number): FisherDerivation {
  const key = `${def.name}|${parameterization}|${dim ?? ''}`;
  let d = cache.get(key);
  if (!d) {
    const inst = def.instance(dim);
    const p = inst.parameterizations.find((q) => q.name === parameterization);
    if (!p) throw new Error(`${def.name} has no parameterization ${parameterization}`);
    d = deriveFisher(inst, p);
    cache.set(key, d);
  }
  return d;
}

/**
 * Forgets every derivation. Production never calls it; the mutation runs do,
 * before each test (test/mutation-setup.ts), so that a derivation made while
 * one mutant was active is never handed to a test run against another, and a
 * test that reads a derivation counts as covering the code that made it.
 */
export function clearDerivationCache(): void {
  cache.clear();
}

export interface MatrixDerivation {
  readonly steps: readonly DerivationStep[];
  readonly sensitivity: readonly SensitivityOutcome[];
  /** every step's check passed (and, when run, every planted mistake was caught) */
  readonly verified: boolean;
}

/**
 * Families derived in matrix notation for every dimension at once, where the
 * entrywise symbolic routes grow too fast to be shown or run in seconds (the
 * multivariate normal); null for the others. `dim` fixes the dimension of the
 * checks (`natgrad derive --dim`); without it they run at random d from 2 to 8.
 */
export function matrixDerivationOf(def: FamilyDefinition, opts: { dim?: number; sensitivity?: boolean } = {}): MatrixDerivation | null {
  if (def.name !== 'multivariate-normal') return null;
  const cases =
    opts.dim === undefined ? mvnCases(4, hashSeed('mvn/matrix-calculus')) : mvnCases(2, hashSeed(`mvn/matrix-calculus/d=${opts.dim}`), opts.dim, opts.dim);
  const { steps, sensitivity } = mvnDerivationSteps({ cases, sensitivity: opts.sensitivity });
  return { steps, sensitivity, verified: steps.every((s) => s.check === null || s.check.ok) && sensitivity.every((s) => s.caught) };
}
