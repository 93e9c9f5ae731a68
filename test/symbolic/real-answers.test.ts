/**
 * The backend works over the complex numbers; the facade must hand back real
 * expressions only. The gamma family's E[log x] came back as
 * digamma(alpha) - log(beta) - pi*i - i*pi because algebrite differentiated
 * eta1*log(-eta2) to log(eta2) + i*pi.
 */
import { describe, expect, test } from 'vitest';
import { NEGATIVE, POSITIVE, REAL } from '../../src/core/domain.js';
import { diff, expand, freeVariables, proveEqual, simplify, substituteVariables } from '../../src/symbolic/index.js';

describe('no imaginary unit in any answer of the facade', () => {
  test('d/d eta1 of the gamma log-partition is digamma(eta1) - log(-eta2), real for eta2 < 0', () => {
    const dA = diff('lgamma(eta1)-eta1*log(-eta2)', 'eta1');
    expect(freeVariables(dA)).toEqual(new Set(['eta1', 'eta2']));
    expect(proveEqual(dA, 'digamma(eta1)-log(-eta2)', { eta1: POSITIVE, eta2: NEGATIVE }).equal).toBe(true);
    const moment = simplify(substituteVariables(dA, { eta1: 'alpha', eta2: '-beta' }));
    expect(freeVariables(moment)).toEqual(new Set(['alpha', 'beta']));
    expect(proveEqual(moment, 'digamma(alpha)-log(beta)', { alpha: POSITIVE, beta: POSITIVE }).equal).toBe(true);
  });
  test.each([
    ['eta1*log(-eta2)', 'eta2', 'eta1/eta2'],
    ['sqrt(-1/(2*eta2))', 'eta2', '1/(4*eta2^2*sqrt(-1/(2*eta2)))'],
    ['log(-eta2)^2', 'eta2', '2*log(-eta2)/eta2'],
  ])('d(%s)/d%s is real', (f, v, expected) => {
    const out = diff(f, v);
    expect(freeVariables(out).has('i'), out).toBe(false);
    expect(proveEqual(out, expected, { eta1: REAL, eta2: NEGATIVE }).equal).toBe(true);
  });
  test('expand and simplify keep log(-u) real', () => {
    for (const f of [expand('x*log(-y)*(x+1)'), simplify('log(-y)+log(-y)')]) expect(freeVariables(f).has('i'), f).toBe(false);
  });
});
