/**
 * Displayed equations fit the limit by construction: a matrix too wide is
 * shown entry by entry, an expression too long with named subexpressions.
 */
import { describe, expect, test } from 'vitest';
import { equationLines } from '../../src/docs/display.js';
import { lintPage, mathSegments } from '../../src/docs/lint.js';
import { TEX_LIMIT } from '../../src/docs/markdown.js';

const sum = '(1+exp(eta0)+exp(eta1)+exp(eta2))';
const entry = (i: number, j: number): string => (i === j ? `exp(eta${i})/${sum}-exp(2*eta${i})/${sum}^2` : `-exp(eta${i}+eta${j})/${sum}^2`);

describe('displayed equations', () => {
  test('a short matrix is shown whole', () => {
    const lines = equationLines({
      lhs: 'F',
      rhs: {
        matrix: [
          ['1/sigma^2', '0'],
          ['0', '2/sigma^2'],
        ],
        symmetric: true,
      },
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('\\begin{pmatrix}');
  });
  test('a wide matrix fits the limit, every formula parses, and the names are defined', () => {
    const m = [0, 1, 2].map((i) => [0, 1, 2].map((j) => entry(i, j)));
    const page = equationLines({ lhs: 'F', rhs: { matrix: m, symmetric: true } }).join('\n');
    const segments = mathSegments(page);
    expect(segments.length).toBeGreaterThan(1);
    for (const s of segments) expect(s.tex.trim().length).toBeLessThanOrEqual(TEX_LIMIT);
    expect(lintPage(page)).toEqual([]);
  });
  test('a long expression gets named subexpressions, each within the limit', () => {
    const long = Array.from({ length: 30 }, (_, k) => entry(k % 3, (k + 1) % 3)).join('+');
    const page = equationLines({ lhs: 'L', rhs: { expr: long } }).join('\n');
    expect(page).toContain('where');
    for (const s of mathSegments(page)) expect(s.tex.trim().length).toBeLessThanOrEqual(TEX_LIMIT);
    expect(lintPage(page)).toEqual([]);
  });
});
