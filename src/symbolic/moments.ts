/**
 * Expectations of expressions that are linear combinations of monomials in
 * the data's statistics (x, x^2, 1/x, log x, x0*x1, ...): expand, split into
 * terms, and replace each term's data part by its moment. This is how the
 * Hessian route takes -E[∇² log p] symbolically. It is done on our own
 * expression tree because algebrite's subst gave wrong coefficients for
 * x^(-1) and failed on products and on log(x)^2 (SYMBOLIC.md, and measured).
 */
import type { MathNode } from 'mathjs';
import { parseExpr, printExpr, type Expr } from './ast.js';
import { expand, simplify } from './calculus.js';

interface Factor { base: MathNode; exponent: number }
interface Term { sign: number; factors: Factor[] }

function dependsOn(node: MathNode, dataVars: ReadonlySet<string>): boolean {
  let found = false;
  node.traverse((n: MathNode) => {
    if (n.type === 'SymbolNode' && dataVars.has((n as unknown as { name: string }).name)) found = true;
  });
  return found;
}

function unwrap(node: MathNode): MathNode {
  while (node.type === 'ParenthesisNode') node = (node as unknown as { content: MathNode }).content;
  return node;
}

function splitTerms(node: MathNode, sign: number, out: Term[]): void {
  node = unwrap(node);
  if (node.type === 'OperatorNode') {
    const op = node as unknown as { fn: string; args: MathNode[] };
    if (op.fn === 'add') { splitTerms(op.args[0], sign, out); splitTerms(op.args[1], sign, out); return; }
    if (op.fn === 'subtract') { splitTerms(op.args[0], sign, out); splitTerms(op.args[1], -sign, out); return; }
    if (op.fn === 'unaryMinus') { splitTerms(op.args[0], -sign, out); return; }
  }
  const factors: Factor[] = [];
  let s = sign;
  const collect = (n: MathNode, power: number): void => {
    n = unwrap(n);
    if (n.type === 'OperatorNode') {
      const op = n as unknown as { fn: string; args: MathNode[] };
      if (op.fn === 'multiply') { collect(op.args[0], power); collect(op.args[1], power); return; }
      if (op.fn === 'divide') { collect(op.args[0], power); collect(op.args[1], -power); return; }
      if (op.fn === 'unaryMinus') { s = -s; collect(op.args[0], power); return; }
      if (op.fn === 'pow') {
        const e = unwrap(op.args[1]);
        const exponent = constantValue(e);
        if (exponent !== null) { factors.push({ base: unwrap(op.args[0]), exponent: exponent * power }); return; }
      }
    }
    factors.push({ base: n, exponent: power });
  };
  collect(node, 1);
  out.push({ sign: s, factors });
}

function constantValue(node: MathNode): number | null {
  node = unwrap(node);
  if (node.type === 'ConstantNode') return Number((node as unknown as { value: unknown }).value);
  if (node.type === 'OperatorNode') {
    const op = node as unknown as { fn: string; args: MathNode[] };
    const vals = op.args.map(constantValue);
    if (vals.some((v) => v === null)) return null;
    const [a, b] = vals as number[];
    switch (op.fn) {
      case 'unaryMinus': return -a;
      case 'divide': return a / b;
      case 'multiply': return a * b;
      case 'add': return a + b;
      case 'subtract': return a - b;
    }
  }
  return null;
}

function keyOf(factors: readonly Factor[]): string {
  const powers = new Map<string, number>();
  for (const f of factors) {
    const k = printExpr(f.base);
    powers.set(k, (powers.get(k) ?? 0) + f.exponent);
  }
  return [...powers.entries()].filter(([, e]) => e !== 0).map(([b, e]) => `${b}^${e}`).sort().join('*');
}

/** Canonical key of a monomial in the data variables, e.g. 'x^2', 'x^-1', 'log(x)^1', 'x0^1*x1^1'. */
export function monomialKey(statistic: Expr, dataVars: readonly string[]): string {
  const terms: Term[] = [];
  splitTerms(parseExpr(expand(statistic)), 1, terms);
  const vars = new Set(dataVars);
  if (terms.length !== 1) throw new Error(`statistic '${statistic}' is not a single monomial`);
  return keyOf(terms[0].factors.filter((f) => dependsOn(f.base, vars)));
}

/**
 * E[expr] where the data variables enter only through monomials whose
 * expectations are given: `moments` maps a monomial's key (see monomialKey)
 * to its expectation. Throws naming the first term with no known moment.
 */
export function expectationByMoments(expr: Expr, dataVars: readonly string[], moments: Readonly<Record<string, Expr>>): Expr {
  const vars = new Set(dataVars);
  const terms: Term[] = [];
  splitTerms(parseExpr(expand(expr)), 1, terms);
  const parts = terms.map((t) => {
    const data = t.factors.filter((f) => dependsOn(f.base, vars));
    const rest = t.factors.filter((f) => !dependsOn(f.base, vars));
    const key = keyOf(data);
    let moment: Expr;
    if (key === '') moment = '1';
    else if (key in moments) moment = moments[key];
    else throw new Error(`no moment known for '${key}' (known: ${Object.keys(moments).join(', ')})`);
    const coeff = rest.map((f) => `(${printExpr(f.base)})^(${f.exponent})`).join('*') || '1';
    return `${t.sign < 0 ? '-' : '+'}(${coeff})*(${moment})`;
  });
  return simplify(parts.join('') || '0');
}
