import katex from 'katex';
import { describe, expect, test } from 'vitest';
import { matrixToLatex, symbolTex, toLatex } from '../../src/symbolic/index.js';

const parses = (tex: string): void => {
  katex.renderToString(tex, { throwOnError: true });
};

describe('LaTeX as a mathematician writes it', () => {
  test.each([
    ['alpha*log(beta)-lgamma(alpha)+(alpha-1)*log(x)-beta*x', '\\alpha\\log(\\beta) - \\log\\Gamma(\\alpha) + (\\alpha - 1)\\log(x) - \\beta x'],
    ['-eta1^2/(4*eta2)-1/2*log(-2*eta2)', '-\\frac{\\eta_{1}^{2}}{4\\eta_{2}} - \\frac{\\log(-2\\eta_{2})}{2}'],
    ['(m2+m1^2)/(m2-m1^2)^2', '\\frac{m_{2} + m_{1}^{2}}{\\left(m_{2} - m_{1}^{2}\\right)^{2}}'],
    ['-1/beta', '-\\frac{1}{\\beta}'],
    ['exp(-2*s)', 'e^{-2s}'],
    ['x^(-1)', '\\frac{1}{x}'],
    ['x*(1-x)', 'x(1 - x)'],
    ['a-(b-c)', 'a - b + c'],
    ['sqrt(-1/(2*eta2))', '\\sqrt{-\\frac{1}{2\\eta_{2}}}'],
  ])('%s', (expr, tex) => {
    expect(toLatex(expr)).toBe(tex);
    parses(tex);
  });

  test('indexed names get subscripts: Sigma0_1 is \\Sigma_{01}, never \\mathit{Sigma0_1}', () => {
    expect(symbolTex('Sigma0_1')).toBe('\\Sigma_{01}');
    expect(symbolTex('q2_3')).toBe('q_{23}');
    expect(symbolTex('eta1')).toBe('\\eta_{1}');
    expect(symbolTex('x0')).toBe('x_{0}');
    expect(toLatex('Sigma0_1*mu0')).not.toContain('mathit');
  });

  test('no output starts or ends with a space (the $x$ spacing rule)', () => {
    for (const e of ['x', '-x', 'alpha', 'mu*x', 'log(x)', '1/sigma^2', 'exp(eta)/(1+exp(eta))^2']) {
      const tex = toLatex(e);
      expect(tex).toBe(tex.trim());
    }
    const m = matrixToLatex([
      ['1/sigma^2', '0'],
      ['0', '2/sigma^2'],
    ]);
    expect(m).toBe(m.trim());
    parses(m);
  });

  test('a command is never glued to a following letter', () => {
    for (const e of ['alpha*x', 'pi*x', 'sigma*mu*x*lambda', 'trigamma(alpha)*exp(2*s)/sigma^2+eta1']) {
      const tex = toLatex(e);
      expect(tex, tex).not.toMatch(/\\(alpha|pi|sigma|mu|lambda|cdot)[a-z]/);
      parses(tex);
    }
  });
});
