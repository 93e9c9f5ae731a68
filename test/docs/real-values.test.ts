/**
 * Every expression a derivation page shows is real on its domain (sampled
 * and evaluated, src/docs/real-values.ts). The gamma page once showed
 * E[log x] = digamma(alpha) - log(beta) - pi*i - i*pi; the sensitivity runs
 * plant that term (and a log of a negative number) and must be caught.
 */
import { describe, expect, test } from 'vitest';
import { notRealInSteps, notRealOnDomain } from '../../src/docs/real-values.js';
import { gamma } from '../../src/families/catalogue/gamma.js';
import { normal } from '../../src/families/catalogue/normal.js';
import { bernoulli } from '../../src/families/catalogue/bernoulli.js';
import { derivationOf } from '../../src/families/derivation-cache.js';
import type { DerivationStep } from '../../src/families/steps.js';
import { POSITIVE } from '../../src/core/domain.js';

const SEED = 20261125;
const allSteps = (d: ReturnType<typeof derivationOf>): DerivationStep[] => [...d.steps, ...d.exponentialFamilySteps];

describe('every rendered expression is real on its domain', () => {
  const defs = { gamma, normal, bernoulli };
  test.each([
    ['gamma', 'shape-rate'],
    ['gamma', 'shape-scale'],
    ['normal', 'mean-std'],
    ['normal', 'natural'],
    ['normal', 'expectation'],
    ['bernoulli', 'natural'],
  ] as const)('%s %s', (family, p) => {
    expect(notRealInSteps(allSteps(derivationOf(defs[family], p)), SEED)).toEqual([]);
  });

  test('the gamma moment is digamma(alpha) - log(beta), with no imaginary unit', () => {
    const moments = derivationOf(gamma, 'shape-rate').steps.find((s) => s.title === 'Moments')!;
    const first = moments.equations[0].rhs;
    expect('expr' in first && first.expr).toBe('digamma(alpha)-log(beta)');
  });
});

describe('sensitivity: planted faults are caught', () => {
  const moments = (): DerivationStep => derivationOf(gamma, 'shape-rate').steps.find((s) => s.title === 'Moments')!;
  const planted = (expr: string): DerivationStep => ({ ...moments(), equations: [{ lhs: '\\mathbb{E}[\\log(x)]', rhs: { expr } }] });

  test('the pi*i term of the old gamma page', () => {
    const bad = notRealInSteps([planted('digamma(alpha)-log(beta)-pi*i-i*pi')], SEED);
    expect(bad).toHaveLength(1);
    expect(bad[0].reason).toMatch(/i has no domain.*imaginary unit/);
  });
  test('a log of a negative number (a sign lost in a substitution)', () => {
    expect(notRealInSteps([planted('digamma(alpha)-log(-beta)')], SEED)).toHaveLength(1);
  });
  test('a joint constraint is respected: sqrt(m2 - m1^2) is real where m2 > m1^2', () => {
    const valid = (s: Readonly<Record<string, number>>): boolean => s.m2 > s.m1 ** 2;
    const domains = { m1: POSITIVE, m2: POSITIVE };
    expect(notRealOnDomain('sqrt(m2-m1^2)', domains, valid, SEED)).toBeNull();
    expect(notRealOnDomain('sqrt(m2-m1^2)', domains, undefined, SEED)).toMatch(/NaN/);
  });
});
