/**
 * The expression language of the catalogue (src/symbolic/ast.ts) evaluated in
 * interval arithmetic at any precision, with forward-mode derivatives: each
 * value carries its gradient with respect to chosen variables, so the
 * Jacobians of the parameter maps are the exact derivatives of the written
 * closed forms, enclosed like the values (no step size, no symbolic backend).
 */
import type { MathNode } from 'mathjs';
import { parseExpr } from '../../src/symbolic/index.js';
import { trigammaDecimal } from './decimal-special.js';
import { Interval, type IntervalContext } from './interval.js';

/** A value and its partial derivatives, each an enclosure. */
export interface Dual {
  v: Interval;
  d: Interval[];
}

type Scope = Record<string, Dual>;
type Evaluator = (c: IntervalContext, scope: Scope, n: number) => Dual;

/**
 * Values of subexpressions already evaluated in the current scope, by their
 * text: the multivariate normal's closed forms repeat the same cofactors and
 * determinant hundreds of times.
 */
let memo: Map<string, Dual> | null = null;

/** Wraps an evaluator of a compound node so that each distinct subexpression is evaluated once per scope. */
function memoized(node: MathNode, ev: Evaluator): Evaluator {
  const key = node.toString();
  return (c, s, n) => {
    if (!memo) return ev(c, s, n);
    let v = memo.get(key);
    if (!v) {
      v = ev(c, s, n);
      memo.set(key, v);
    }
    return v;
  };
}

const zeros = (c: IntervalContext, n: number): Interval[] => Array.from({ length: n }, () => Interval.of(c, 0));
const constant = (c: IntervalContext, v: Interval, n: number): Dual => ({ v, d: zeros(c, n) });

/** f(u) with f'(u) given: the chain rule on the derivative vector. */
function chain(u: Dual, v: Interval, df: () => Interval): Dual {
  let dfv: Interval | null = null;
  return { v, d: u.d.map((x) => (x.isExactZero() ? x : x.mul((dfv ??= df())))) };
}

const FUNCTIONS: Record<string, (c: IntervalContext, u: Dual) => Dual> = {
  exp: (_c, u) => {
    const e = u.v.exp();
    return chain(u, e, () => e);
  },
  log: (c, u) => chain(u, u.v.ln(), () => Interval.of(c, 1).div(u.v)),
  sqrt: (c, u) => {
    const s = u.v.sqrt();
    return chain(u, s, () => Interval.of(c, 1).div(s.add(s)));
  },
  trigamma: (_c, u) => {
    if (u.d.some((x) => !x.isExactZero())) throw new Error('derivatives of trigamma are not needed by any map');
    return { v: u.v.decreasing(trigammaDecimal), d: u.d };
  },
};

function build(node: MathNode): Evaluator {
  const ev = buildNode(node);
  return node.type === 'OperatorNode' || node.type === 'FunctionNode' ? memoized(node, ev) : ev;
}

function buildNode(node: MathNode): Evaluator {
  switch (node.type) {
    case 'ConstantNode': {
      const text = String((node as unknown as { value: unknown }).value);
      return (c, _s, n) => constant(c, Interval.of(c, text), n);
    }
    case 'SymbolNode': {
      const name = (node as unknown as { name: string }).name;
      if (name === 'pi') return (c, _s, n) => constant(c, Interval.pi(c), n);
      return (_c, s) => {
        const v = s[name];
        if (!v) throw new Error(`no value for variable '${name}'`);
        return v;
      };
    }
    case 'ParenthesisNode':
      return build((node as unknown as { content: MathNode }).content);
    case 'OperatorNode': {
      const op = node as unknown as { fn: string; args: MathNode[] };
      const args = op.args.map(build);
      if (args.length === 1) {
        if (op.fn === 'unaryMinus')
          return (c, s, n) => {
            const a = args[0](c, s, n);
            return { v: a.v.neg(), d: a.d.map((x) => x.neg()) };
          };
        if (op.fn === 'unaryPlus') return args[0];
      }
      const [fa, fb] = args;
      switch (op.fn) {
        case 'add':
          return (c, s, n) => {
            const a = fa(c, s, n);
            const b = fb(c, s, n);
            return { v: a.v.add(b.v), d: a.d.map((x, i) => x.add(b.d[i])) };
          };
        case 'subtract':
          return (c, s, n) => {
            const a = fa(c, s, n);
            const b = fb(c, s, n);
            return { v: a.v.sub(b.v), d: a.d.map((x, i) => x.sub(b.d[i])) };
          };
        case 'multiply':
          return (c, s, n) => {
            const a = fa(c, s, n);
            const b = fb(c, s, n);
            return {
              v: a.v.mul(b.v),
              d: a.d.map((x, i) => sumNonZero(c, [x.isExactZero() ? null : x.mul(b.v), b.d[i].isExactZero() ? null : b.d[i].mul(a.v)])),
            };
          };
        case 'divide':
          return (c, s, n) => {
            const a = fa(c, s, n);
            const b = fb(c, s, n);
            const q = a.v.div(b.v);
            // (a/b)' = a'/b - a b'/b^2
            return {
              v: q,
              d: a.d.map((x, i) => sumNonZero(c, [x.isExactZero() ? null : x.div(b.v), b.d[i].isExactZero() ? null : a.v.mul(b.d[i]).div(b.v.mul(b.v)).neg()])),
            };
          };
        case 'pow':
          return (c, s, n) => {
            const a = fa(c, s, n);
            const b = fb(c, s, n);
            const k = b.v.lo.eq(b.v.hi) && b.v.lo.isInteger() && b.d.every((x) => x.isExactZero()) ? b.v.lo.toNumber() : null;
            if (k !== null) return chain(a, a.v.powInt(k), () => (k === 0 ? Interval.of(c, 0) : a.v.powInt(k - 1).mul(Interval.of(c, k))));
            throw new Error("only integer constant exponents occur in the catalogue's closed forms");
          };
        default:
          throw new Error(`operator ${op.fn} is not supported`);
      }
    }
    case 'FunctionNode': {
      const f = node as unknown as { fn: { name: string }; args: MathNode[] };
      const impl = FUNCTIONS[f.fn.name];
      if (!impl || f.args.length !== 1) throw new Error(`function ${f.fn.name} is not supported by the high-precision evaluator`);
      const arg = build(f.args[0]);
      return (c, s, n) => impl(c, arg(c, s, n));
    }
    default:
      throw new Error(`unsupported syntax ${node.type}`);
  }
}

function sumNonZero(c: IntervalContext, xs: (Interval | null)[]): Interval {
  const present = xs.filter((x): x is Interval => x !== null);
  return present.length === 0 ? Interval.of(c, 0) : present.reduce((a, b) => a.add(b));
}

const cache = new Map<string, Evaluator>();

/**
 * Evaluates `text` at `values` (variables in `vars` carry derivatives, in
 * that order; the others are constants).
 */
export function evaluateDual(c: IntervalContext, text: string, values: Record<string, Interval>, vars: readonly string[] = []): Dual {
  return evaluateAll(c, [text], values, vars)[0];
}

/** Several expressions at the same point, sharing their common subexpressions. */
export function evaluateAll(c: IntervalContext, texts: readonly string[], values: Record<string, Interval>, vars: readonly string[] = []): Dual[] {
  const n = vars.length;
  const scope: Scope = {};
  for (const [k, v] of Object.entries(values)) {
    const i = vars.indexOf(k);
    scope[k] = { v, d: Array.from({ length: n }, (_, j) => Interval.of(c, j === i ? 1 : 0)) };
  }
  memo = new Map();
  try {
    return texts.map((text) => {
      let ev = cache.get(text);
      if (!ev) {
        ev = build(parseExpr(text));
        cache.set(text, ev);
      }
      return ev(c, scope, n);
    });
  } finally {
    memo = null;
  }
}

export const evaluateInterval = (c: IntervalContext, text: string, values: Record<string, Interval>): Interval => evaluateDual(c, text, values).v;
