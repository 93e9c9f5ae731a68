/**
 * Declaring a family (declare.ts): the refusals a catalogue author meets, and
 * the helpers' shapes.
 */
import { describe, expect, test } from 'vitest';
import { POSITIVE } from '../../src/core/domain.js';
import { cite, diagonal, parameterization, symmetric } from '../../src/families/declare.js';
import type { BaseForms } from '../../src/families/numeric-forms.js';
import { W, wideRows } from '../../src/families/numeric-forms.js';

const forms: BaseForms<{ beta: ReturnType<typeof W> }> = {
  point: ([beta]) => ({ beta: W(beta) }),
  coordinates: (pt) => [pt.beta],
  fisher: (pt) => wideRows([[pt.beta.inv().square()]]),
};

describe('declaring a parameterization', () => {
  test('one with maps to the base but numeric forms without Jacobians is refused, by name', () => {
    expect(() => parameterization('scale', { beta: POSITIVE }, cite('a book', [['1/beta^2']]), forms, { toBase: { lambda: '1/beta' } })).toThrow(
      'scale: a parameterization with maps needs the Jacobians of its numeric forms',
    );
  });
  test('the base parameterization: its maps are the identity, and so are its Jacobians', () => {
    const p = parameterization('rate', { lambda: POSITIVE, nu: POSITIVE }, cite('a book', diagonal('1/lambda^2', '1/nu^2')), forms);
    expect(p.symbols).toEqual(['lambda', 'nu']);
    expect(p.paramNames).toEqual(['lambda', 'nu']);
    expect(p.toBase).toEqual({ lambda: 'lambda', nu: 'nu' });
    expect(p.fromBase).toEqual({ lambda: 'lambda', nu: 'nu' });
    expect(p.literatureFisher).toEqual([
      ['1/lambda^2', '0'],
      ['0', '1/nu^2'],
    ]);
    expect(p.literatureSource).toBe('a book');
  });
  test('a symmetric matrix from the rows of its lower triangle', () => {
    expect(symmetric(['a'], ['b', 'c'])).toEqual([
      ['a', 'b'],
      ['b', 'c'],
    ]);
    expect(symmetric(['a'], ['b', 'c'], ['d', 'e', 'f'])).toEqual([
      ['a', 'b', 'd'],
      ['b', 'c', 'e'],
      ['d', 'e', 'f'],
    ]);
  });
});
