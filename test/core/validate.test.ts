import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import {
  closestName,
  editDistance,
  rejectUnknownKeys,
  requireDecay,
  requireIntegerInRange,
  requireOneOf,
  copyArray,
  hasOwnConstructor,
  requireBoolean,
  requireFiniteEntries,
  requireFiniteVector,
  requireNonNegative,
  requirePositive,
  requireAbove,
  requireFiniteWhere,
  requirePath,
  requireTypedOptions,
  requireFunction,
  requireOptions,
  requireRcond,
  requireResultSize,
} from '../../src/core/validate.js';
import { childPath, describeValue } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';

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
    expect(reason(() => rejectUnknownKeys({ damping: 1 }, ['dampings'], 'spec', 'x', elsewhere))).toBe(
      'spec.damping: is not a field of x (allowed: "dampings"); did you mean "dampings"?',
    );
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
    expect(requireRcond(0, 'r')).toBe(0);
    expect(reason(() => requireRcond(-1e-300, 'r'))).toBe('r: must be a number in [0, 1), got -1e-300');
    expect(reason(() => requireIntegerInRange(2.5, 'n', 1))).toBe('n: must be an integer >= 1, got 2.5');
    expect(reason(() => requireIntegerInRange(NaN, 'n', 1, 4))).toBe('n: must be an integer in 1..4, got NaN');
    expect(reason(() => requireOneOf('fishr', ['fisher', 'ggn'], 'c'))).toBe('c: must be one of fisher, ggn, got "fishr"; did you mean "fisher"?');
  });

  test('signs, with a note saying what the number is', () => {
    expect(requireNonNegative(0, 'd')).toBe(0);
    expect(reason(() => requireNonNegative(-1, 'd'))).toBe('d: must be a finite number >= 0, got -1');
    expect(reason(() => requireNonNegative(-1, 'spec.damping', 'the damping lambda'))).toBe(
      'spec.damping: must be a finite number >= 0 (the damping lambda), got -1',
    );
    expect(reason(() => requireNonNegative('1', 'd', 'the damping lambda'))).toBe('d: must be a finite number >= 0 (the damping lambda), got "1"');
    expect(reason(() => requirePositive(0, 'e'))).toBe('e: must be a finite number > 0, got 0');
    expect(reason(() => requirePositive(Infinity, 'e', 'a root'))).toBe('e: must be a finite number > 0 (a root), got Infinity');
    expect(requireAbove(1.5, 'boost', 1)).toBe(1.5);
    expect(reason(() => requireAbove(1, 'boost', 1))).toBe('boost: must be a finite number > 1, got 1');
    expect(reason(() => requireAbove(Number.NaN, 'boost', 1, 'the growth factor'))).toBe('boost: must be a finite number > 1 (the growth factor), got NaN');
  });

  test('a finite number keeping a rule: the rule is checked only on finite numbers, and the message says what is allowed', () => {
    const odd = (x: number) => Math.abs(x % 2) === 1;
    expect(requireFiniteWhere(3, 'k', 'an odd integer', odd)).toBe(3);
    expect(reason(() => requireFiniteWhere(4, 'k', 'an odd integer', odd))).toBe('k: must be an odd integer, got 4');
    expect(reason(() => requireFiniteWhere('3', 'k', 'an odd integer', odd))).toBe('k: must be an odd integer, got "3"');
    expect(reason(() => requireFiniteWhere(Infinity, 'k', 'an odd integer', () => true))).toBe('k: must be an odd integer, got Infinity');
  });

  test('finite entries: the first bad one is named by its flat index', () => {
    expect(() => requireFiniteEntries(Float64Array.of(1, -2, 0), 'W')).not.toThrow();
    expect(reason(() => requireFiniteEntries(Float64Array.of(1, NaN, Infinity), 'weights[1].W'))).toBe(
      'weights[1].W: entries must be finite numbers, entry 1 is NaN',
    );
    expect(reason(() => requireFiniteEntries([0, -Infinity], 'x'))).toBe('x: entries must be finite numbers, entry 1 is -Infinity');
  });

  test('an options object: nothing reads as {}, a non-object or an unknown key is refused', () => {
    expect(requireOptions(undefined, ['lr'], '')).toEqual({});
    expect(reason(() => requireOptions(null, ['lr', 'damping'], ''))).toBe('options: must be an object of options ("lr", "damping"), got null');
    expect(reason(() => requireOptions([1], ['lr'], 'cg'))).toBe('cg: must be an object of options ("lr"), got an array of length 1');
    expect(reason(() => requireOptions({ dampnig: 1 }, ['lr', 'damping'], '', 'the kfac options'))).toBe(
      'dampnig: is not a field of the kfac options (allowed: "lr", "damping"); did you mean "damping"?',
    );
    expect(reason(() => rejectUnknownKeys(null as unknown as object, ['a'], 'x', 'a thing'))).toBe('x: must be a thing (an object), got null');
  });

  test('a finite vector names the bad entry by its index', () => {
    expect(reason(() => requireFiniteVector([1, NaN], 'params'))).toBe('params[1]: must be a finite number, got NaN');
    expect(reason(() => requireFiniteVector(Float64Array.of(1, 2, Infinity), 'gradient'))).toBe('gradient[2]: must be a finite number, got Infinity');
    expect(reason(() => requireFiniteVector([1, '2'], 'x'))).toBe('x[1]: must be a finite number, got "2"');
    expect(reason(() => requireFiniteVector([1, 2], 'g', { length: 3, lengthWhat: 'one per parameter' }))).toBe(
      'g: must have 3 entries (one per parameter), got 2',
    );
    expect(reason(() => requireFiniteVector([], 'p', { nonEmpty: true }))).toBe('p: must not be empty');
    expect(reason(() => requireFiniteVector({ length: 1, 0: 1 }, 'p'))).toBe('p: must be an array of finite numbers, got an object');
    expect(requireFiniteVector(Float64Array.of(1, 2), 'p')).toEqual(Float64Array.of(1, 2));
  });

  test('functions, booleans and the result size limit', () => {
    expect(reason(() => requireFunction(3, 'objective'))).toBe('objective: must be a function, got 3');
    expect(reason(() => requireBoolean('false', 'nesterov'))).toBe('nesterov: must be true or false, got "false"');
    expect(() => requireResultSize(2 ** 26, 'm', 'the matrix')).not.toThrow();
    expect(reason(() => requireResultSize(2 ** 26 + 1, 'm', 'the matrix'))).toBe(
      'm: the matrix would have 67108865 entries, more than the limit of 2^26 = 67108864',
    );
    expect(reason(() => requireResultSize(NaN, 'm', 'the matrix'))).toMatch(/^m: the matrix would have NaN entries/);
  });

  test('paths and value descriptions', () => {
    expect(childPath('', 'lr')).toBe('lr');
    expect(childPath('', 'a b')).toBe('"a b"');
    expect(childPath('spec', 'lr')).toBe('spec.lr');
    expect(describeValue(Float64Array.of(1, 2))).toBe('a Float64Array of length 2');
    expect(describeValue(() => 1)).toBe('a function');
  });

  test('an Rng seed that is not a finite number or a string is a NatgradError', () => {
    expect(reason(() => new Rng(NaN))).toBe('seed: must be a finite number or a string, got NaN');
    expect(reason(() => new Rng({} as unknown as number))).toBe('seed: must be a finite number or a string, got an object');
  });

  test('typed options: the kind of each value is checked before any arithmetic sees it', () => {
    const kinds = { lr: 'schedule', damping: 'number', fisher: 'string', nesterov: 'boolean', cg: 'object', lineSearch: 'object-or-false' } as const;
    expect(requireTypedOptions({ lr: () => 0.1, damping: 1, lineSearch: false }, kinds, '')).toEqual({
      lr: expect.any(Function),
      damping: 1,
      lineSearch: false,
    });
    expect(reason(() => requireTypedOptions({ damping: Symbol('d') }, kinds, ''))).toBe('damping: must be a number, got Symbol(d)');
    expect(reason(() => requireTypedOptions({ damping: Object.create(null) }, kinds, ''))).toBe('damping: must be a number, got an object');
    expect(reason(() => requireTypedOptions({ lr: -1 }, kinds, ''))).toBe(
      'lr: must be a finite number >= 0 or a schedule (a function of the step returning one), got -1',
    );
    expect(reason(() => requireTypedOptions({ cg: [1] }, kinds, 'opts'))).toBe('opts.cg: must be an object, got an array of length 1');
    expect(reason(() => requireTypedOptions({ lineSearch: true }, kinds, ''))).toBe('lineSearch: must be an object or false, got true');
    expect(reason(() => requireTypedOptions({ nesterov: 1 }, kinds, ''))).toBe('nesterov: must be true or false, got 1');
    expect(reason(() => requireTypedOptions({ constructor: 1 }, kinds, ''))).toMatch(/^constructor: is not a field of the options/);
    const nullable = { klClip: 'number-or-null' } as const;
    expect(requireTypedOptions({ klClip: null }, nullable, '')).toEqual({ klClip: null });
    expect(requireTypedOptions({ klClip: 2 }, nullable, '')).toEqual({ klClip: 2 });
    expect(reason(() => requireTypedOptions({ klClip: 'off' }, nullable, ''))).toBe('klClip: must be a number or null, got "off"');
  });

  test('arrays with an own constructor key are detected and copied plainly; paths must be strings', () => {
    const a = [1, 2, 3] as number[] & { constructor?: unknown };
    expect(hasOwnConstructor(a)).toBe(false);
    Object.defineProperty(a, 'constructor', { value: 0, enumerable: true });
    expect(hasOwnConstructor(a)).toBe(true);
    expect(() => a.map((x) => x)).toThrow(TypeError);
    const copy = copyArray(a);
    expect(copy).toEqual([1, 2, 3]);
    expect(copy.map((x) => 2 * x)).toEqual([2, 4, 6]);
    expect(reason(() => requireFiniteVector(a, 'p'))).toBe('p: must be a plain array of numbers (it has its own "constructor" property)');
    expect(requirePath('spec')).toBe('spec');
    expect(reason(() => requirePath(Symbol('s')))).toBe('path: must be a string (the prefix of error paths, e.g. "spec"), got Symbol(s)');
  });
});
