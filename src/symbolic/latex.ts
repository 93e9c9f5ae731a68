/**
 * LaTeX rendering of expressions through mathjs' printer, with Greek names
 * rendered as letters (not as units in \mathrm) and the special functions in
 * their usual notation.
 */
import type { MathNode } from 'mathjs';
import { parseExpr, type Expr } from './ast.js';

const GREEK = new Set(['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda', 'mu', 'nu', 'xi', 'pi', 'rho', 'sigma', 'tau', 'upsilon', 'phi', 'chi', 'psi', 'omega', 'Gamma', 'Delta', 'Theta', 'Lambda', 'Xi', 'Pi', 'Sigma', 'Upsilon', 'Phi', 'Psi', 'Omega']);

const SPECIAL_TEX: Record<string, (arg: string) => string> = {
  lgamma: (a) => `\\ln\\Gamma\\left(${a}\\right)`,
  digamma: (a) => `\\psi\\left(${a}\\right)`,
  trigamma: (a) => `\\psi_1\\left(${a}\\right)`,
  exp: (a) => `\\exp\\left(${a}\\right)`,
  log: (a) => `\\log\\left(${a}\\right)`,
};

/** TeX for a variable name: Greek letters, digits as subscripts (eta1 -> \eta_{1}, m2 -> m_{2}). */
export function symbolTex(name: string): string {
  const m = /^([A-Za-z]+?)(\d+)$/.exec(name);
  const base = m ? m[1] : name;
  const sub = m ? m[2] : '';
  const head = GREEK.has(base) ? `\\${base}` : base.length === 1 ? base : `\\mathit{${base}}`;
  return sub ? `${head}_{${sub}}` : head;
}

export function toLatex(text: Expr): string {
  const handler = (node: MathNode, options: object): string | undefined => {
    // The leading space keeps mathjs from gluing a name to a preceding command (\cdot s -> \cdots).
    if (node.type === 'SymbolNode') return ` ${symbolTex((node as unknown as { name: string }).name)}`;
    if (node.type === 'FunctionNode') {
      const f = node as unknown as { fn: { name: string }; args: MathNode[] };
      const render = SPECIAL_TEX[f.fn.name];
      if (render && f.args.length === 1) return ` ${render(f.args[0].toTex(options))}`;
    }
    return undefined;
  };
  return parseExpr(text).toTex({ handler, parenthesis: 'auto', implicit: 'hide' } as object);
}

export function matrixToLatex(entries: readonly (readonly Expr[])[]): string {
  const rows = entries.map((row) => row.map(toLatex).join(' & '));
  return `\\begin{pmatrix} ${rows.join(' \\\\ ')} \\end{pmatrix}`;
}
