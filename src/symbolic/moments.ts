/**
 * Expectations of expressions that are linear combinations of monomials in
 * the data's statistics (x, x^2, 1/x, log x, x0*x1, ...): expand, split into
 * terms, and replace each term's data part by its moment. This is how the
 * Hessian route takes -E[∇² log p] symbolically. It is done on our own
 * expression tree because algebrite's subst gave wrong coefficients for
 * x^(-1) and failed on products and on log(x)^2 (SYMBOLIC.md, and measured).
 */
import type { MathNode } from 'mathjs/number';
import { parseExpr, printExpr, type Expr } from './ast.js';
import { expand, simplify } from './calculus.js';
import { signedTerms, unwrapParentheses } from './terms.js';

interface Factor {
  base: MathNode;
  exponent: number;
}
interface Term {
  sign: number;
  factors: Factor[];
}

function dependsOn(node: MathNode, dataVars: ReadonlySet<string>): boolean {
  let found = false;
  node.traverse((n: MathNode) => {
    if (n.type === 'SymbolNode' && dataVars.has((n as unknown as { name: string }).name)) found = true;
  });
  return found;
}

const unwrap = unwrapParentheses;

function splitTerms(node: MathNode, sign: number, out: Term[]): void {
  for (const t of signedTerms(node, true, sign)) out.push(termFactors(t.node, t.sign));
}

/** A term's factors (base and exponent), a unary minus inside it folded into the sign. */
function termFactors(node: MathNode, sign: number): Term {
  const factors: Factor[] = [];
  let s = sign;
  const collect = (n: MathNode, power: number): void => {
    n = unwrap(n);
    if (n.type === 'OperatorNode') {
      const op = n as unknown as { fn: string; args: MathNode[] };
      if (op.fn === 'multiply') {
        collect(op.args[0], power);
        collect(op.args[1], power);
        return;
      }
      if (op.fn === 'divide') {
        collect(op.args[0], power);
        collect(op.args[1], -power);
        return;
      }
      if (op.fn === 'unaryMinus') {
        s = -s;
        collect(op.args[0], power);
        return;
      }
      if (op.fn === 'pow') {
        const e = unwrap(op.args[1]);
        const exponent = constantValue(e);
        if (exponent !== null) {
          factors.push({ base: unwrap(op.args[0]), exponent: exponent * power });
          return;
        }
      }
    }
    factors.push({ base: n, exponent: power });
  };
  collect(node, 1);
  return { sign: s, factors };
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
      case 'unaryMinus':
        return -a;
      case 'divide':
        return a / b;
      case 'multiply':
        return a * b;
      case 'add':
        return a + b;
      case 'subtract':
        return a - b;
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
  return [...powers.entries()]
    .filter(([, e]) => e !== 0)
    .map(([b, e]) => `${b}^${e}`)
    .sort()
    .join('*');
}

/** Canonical key of a monomial in the data variables, e.g. 'x^2', 'x^-1', 'log(x)^1', 'x0^1*x1^1'. */
export function monomialKey(statistic: Expr, dataVars: readonly string[]): string {
  const collected = collectByMonomials(statistic, dataVars);
  if (collected && collected.size === 1) return [...collected.keys()][0];
  const terms: Term[] = [];
  splitTerms(parseExpr(expand(statistic)), 1, terms);
  const vars = new Set(dataVars);
  if (terms.length !== 1) throw new Error(`statistic '${statistic}' is not a single monomial`);
  return keyOf(terms[0].factors.filter((f) => dependsOn(f.base, vars)));
}

/** A polynomial in monomials of the data: monomial key -> (its factors, the coefficient's terms). */
type DataPolynomial = Map<string, { factors: Factor[]; coeff: Expr[] }>;

const constantPoly = (c: Expr): DataPolynomial => new Map([['', { factors: [], coeff: [c] }]]);
const sumOf = (terms: readonly Expr[]): Expr => (terms.length === 1 ? terms[0] : terms.map((t) => `(${t})`).join('+'));
const isAtom = (t: Expr): boolean => /^[A-Za-z_][\w]*$|^\d+(\.\d+)?$/.test(t);
const wrap = (t: Expr): Expr => (isAtom(t) ? t : `(${t})`);
/** a*b without the factors 1 (the coefficients stay short enough for the backend to simplify) */
function times(a: Expr, b: Expr): Expr {
  if (a === '1') return b;
  if (b === '1') return a;
  return `${wrap(a)}*${wrap(b)}`;
}
const negate = (t: Expr): Expr => (t.startsWith('-') && isAtom(t.slice(1)) ? t.slice(1) : `-${wrap(t)}`);

function addPoly(a: DataPolynomial, b: DataPolynomial, sign: number): DataPolynomial {
  const out: DataPolynomial = new Map([...a].map(([k, v]) => [k, { factors: v.factors, coeff: [...v.coeff] }]));
  for (const [k, v] of b) {
    const terms = sign < 0 ? v.coeff.map(negate) : v.coeff;
    const cur = out.get(k);
    if (cur) cur.coeff.push(...terms);
    else out.set(k, { factors: v.factors, coeff: [...terms] });
  }
  return out;
}

function mulPoly(a: DataPolynomial, b: DataPolynomial): DataPolynomial {
  let out: DataPolynomial = new Map();
  for (const [, u] of a) {
    for (const [, v] of b) {
      const factors = [...u.factors, ...v.factors];
      const key = keyOf(factors);
      out = addPoly(out, new Map([[key, { factors: mergeFactors(factors), coeff: [times(sumOf(u.coeff), sumOf(v.coeff))] }]]), 1);
    }
  }
  return out;
}

function mergeFactors(factors: readonly Factor[]): Factor[] {
  const byBase = new Map<string, Factor>();
  for (const f of factors) {
    const k = printExpr(f.base);
    const cur = byBase.get(k);
    byBase.set(k, { base: f.base, exponent: (cur?.exponent ?? 0) + f.exponent });
  }
  return [...byBase.values()].filter((f) => f.exponent !== 0);
}

/**
 * The expression as a sum of data monomials with coefficients free of the
 * data, found on the expression tree without the computer algebra (whose
 * expand multiplies out the parameters' denominators too, and then takes
 * seconds to simplify them back); null when the expression is not such a
 * polynomial (a data-dependent denominator that is not a monomial, say).
 */
export function collectByMonomials(text: Expr, dataVars: readonly string[]): DataPolynomial | null {
  const vars = new Set(dataVars);
  const walk = (n: MathNode): DataPolynomial | null => {
    n = unwrap(n);
    if (!dependsOn(n, vars)) return constantPoly(printExpr(n));
    if (n.type === 'OperatorNode') {
      const op = n as unknown as { fn: string; args: MathNode[] };
      if (op.fn === 'unaryMinus') {
        const a = walk(op.args[0]);
        return a && addPoly(new Map(), a, -1);
      }
      if (op.fn === 'unaryPlus') return walk(op.args[0]);
      if (op.fn === 'add' || op.fn === 'subtract') {
        const a = walk(op.args[0]);
        const b = walk(op.args[1]);
        return a && b && addPoly(a, b, op.fn === 'add' ? 1 : -1);
      }
      if (op.fn === 'multiply') {
        const a = walk(op.args[0]);
        const b = walk(op.args[1]);
        return a && b && mulPoly(a, b);
      }
      if (op.fn === 'divide') {
        const a = walk(op.args[0]);
        const den = unwrap(op.args[1]);
        if (!dependsOn(den, vars)) return a && mulPoly(a, constantPoly(`1/(${printExpr(den)})`));
        const inv = monomialPower(den, -1);
        return a && inv && mulPoly(a, inv);
      }
      if (op.fn === 'pow') {
        const e = constantValue(op.args[1]);
        if (e !== null && Number.isInteger(e) && e >= 0 && e <= 8) {
          const b = walk(op.args[0]);
          if (!b) return null;
          let out = constantPoly('1');
          for (let k = 0; k < e; k++) out = mulPoly(out, b);
          return out;
        }
        if (e !== null) return monomialPower(unwrap(op.args[0]), e);
        return null;
      }
      return null;
    }
    // a data variable, or a function of the data (log(x), lgamma(x+1)): a monomial of its own
    return monomialPower(n, 1);
  };
  const monomialPower = (base: MathNode, exponent: number): DataPolynomial | null => {
    if (base.type === 'OperatorNode') {
      const op = base as unknown as { fn: string; args: MathNode[] };
      if (op.fn === 'pow') {
        const e = constantValue(op.args[1]);
        return e === null ? null : monomialPower(unwrap(op.args[0]), e * exponent);
      }
      if (op.fn === 'multiply') {
        const a = monomialPower(unwrap(op.args[0]), exponent);
        const b = monomialPower(unwrap(op.args[1]), exponent);
        return a && b && mulPoly(a, b);
      }
      if (!dependsOn(base, vars)) return constantPoly(`(${printExpr(base)})^(${exponent})`);
      return null;
    }
    if (!dependsOn(base, vars)) return constantPoly(`(${printExpr(base)})^(${exponent})`);
    const factors = [{ base, exponent }];
    return new Map([[keyOf(factors), { factors, coeff: ['1'] }]]);
  };
  const out = walk(parseExpr(text));
  if (!out) return null;
  for (const [k, v] of out) if (v.coeff.length === 0) out.delete(k);
  return out;
}

/**
 * E[expr] where the data variables enter only through monomials whose
 * expectations are given: `moments` maps a monomial's key (see monomialKey)
 * to its expectation. Throws naming the first term with no known moment.
 */
export function expectationByMoments(expr: Expr, dataVars: readonly string[], moments: Readonly<Record<string, Expr>>): Expr {
  const collected = collectByMonomials(expr, dataVars);
  if (collected) {
    const parts: Expr[] = [];
    for (const [key, { coeff }] of collected) {
      let moment: Expr;
      if (key === '') moment = '1';
      else if (key in moments) moment = moments[key];
      else throw new Error(`no moment known for '${key}' (known: ${Object.keys(moments).join(', ')})`);
      parts.push(times(sumOf(coeff), moment));
    }
    return simplify(sumOf(parts.length ? parts : ['0']));
  }
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
