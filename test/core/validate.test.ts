import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import {
  closestName,
  editDistance,
  rejectUnknownKeys,
  requireDecay,
  requireIntegerInRange,
  requireOneOf,
  requireRcond,
} from '../../src/core/validate.js';

const reason = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof NatgradError) return `${e.path}: ${e.reason}`;
    throw e;
  }
  throw new Error('expected a NatgradError');
};

describe('validators', () => {
  test('edit distance counts an adjacent transposition as one edit', () => {
    expect(editDistance('damping', 'dampnig')).toBe(1);
    expect(editDistance('damping', 'dampng')).toBe(1);
    expect(editDistance('sigma', 'sgima')).toBe(1);
    expect(editDistance('abc', 'xyz')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  test('the closest name is suggested only when it is a plausible typo', () => {
    expect(closestName('dampnig', ['lr', 'damping', 'emaDecay'])).toBe('damping');
    expect(closestName('layerz', ['layers', 'loss'])).toBe('layers');
    expect(closestName('nu', ['mu', 'sigma'])).toBe('mu');
    expect(closestName('banana', ['mu', 'sigma'])).toBeNull();
  });

  test('an unknown key names the field, the allowed ones and the closest', () => {
    const msg = reason(() => rejectUnknownKeys({ mu: 1, sgima: 2 }, ['mu', 'sigma'], 'spec.params', "a normal's params"));
    expect(msg).toBe('spec.params.sgima: is not a field of a normal\'s params (allowed: "mu", "sigma"); did you mean "sigma"?');
    expect(() => rejectUnknownKeys({ mu: 1 }, ['mu', 'sigma'], 'p')).not.toThrow();
  });

  test('a key that belongs elsewhere is said so, when no allowed name is close', () => {
    const elsewhere = (key: string) => (key === 'damping' ? '; "damping" is a field of kfac specs' : '');
    expect(reason(() => rejectUnknownKeys({ damping: 1 }, ['kind', 'family'], 'spec', 'a fisher spec', elsewhere))).toBe(
      'spec.damping: is not a field of a fisher spec (allowed: "kind", "family"); "damping" is a field of kfac specs',
    );
    // a close allowed name wins over the note
    expect(reason(() => rejectUnknownKeys({ damping: 1 }, ['dampings'], 'spec', 'x', elsewhere))).toBe('spec.damping: is not a field of x (allowed: "dampings"); did you mean "dampings"?');
    expect(reason(() => rejectUnknownKeys({ other: 1 }, ['kind'], 'spec', 'x', elsewhere))).toBe('spec.other: is not a field of x (allowed: "kind")');
  });

  test('prototype names are ordinary unknown keys, never resolved through the prototype', () => {
    const obj = JSON.parse('{"__proto__": 1, "constructor": 2}') as object;
    expect(reason(() => rejectUnknownKeys(obj, ['mu'], 'p'))).toMatch(/^p\["__proto__"\]|^p.__proto__/);
    expect(reason(() => requireOneOf('constructor', ['fisher', 'ggn'], 'x'))).toBe('x: must be one of fisher, ggn, got "constructor"');
  });

  test('ranges', () => {
    expect(requireDecay(0, 'd')).toBe(0);
    expect(reason(() => requireDecay(1, 'd'))).toBe('d: must be a number in [0, 1), got 1');
    expect(reason(() => requireRcond(0, 'r'))).toBe('r: must be a number in (0, 1), got 0');
    expect(reason(() => requireIntegerInRange(2.5, 'n', 1))).toBe('n: must be an integer >= 1, got 2.5');
    expect(reason(() => requireIntegerInRange(NaN, 'n', 1, 4))).toBe('n: must be an integer in 1..4, got NaN');
    expect(reason(() => requireOneOf('fishr', ['fisher', 'ggn'], 'c'))).toBe('c: must be one of fisher, ggn, got "fishr"; did you mean "fisher"?');
  });
});
