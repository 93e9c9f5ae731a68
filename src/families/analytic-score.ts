/**
 * A family's score in its base coordinates from the closed form: the
 * log-density expression of the catalogue (the `logDensity` the derivations
 * use) differentiated exactly, by forward-mode differentiation of its
 * expression tree, and turned once per family instance into one JavaScript
 * function that writes every component. No finite differences: the Monte
 * Carlo loop costs a draw, a few arithmetic operations and the accumulation.
 *
 * Differentiating the tree as written (rather than a simplified symbolic
 * derivative, which expands (x − μ)² into x² − 2μx + μ²) keeps the formula's
 * own numerical behaviour: each node's derivative is formed from its
 * operands' values and derivatives by the chain rule.
 *
 * The generated code is built only from the catalogue's expressions: every
 * variable is mapped to a generated local name and every constant printed as
 * a number literal, so no text from outside the library reaches it.
 */
import type { MathNode } from 'mathjs';
import { digamma, lgamma, parseExpr, trigamma } from '../symbolic/index.js';
import type { FamilyInstance, Sample } from './types.js';

/** Writes ∂ log p(x) / ∂ base_k into out[k]. */
export type BaseScore = (x: Sample, base: Float64Array, fixed: Readonly<Record<string, number>>, out: Float64Array) => void;

const SPECIAL_FUNCTIONS = { lgamma, digamma, trigamma } as const;

/** A node's value and its derivative in each base parameter (null: identically zero), as JavaScript locals or literals. */
interface Dual {
  v: string;
  d: (string | null)[];
}

/** Straight-line JavaScript for the value and gradient of an expression tree. */
class ForwardCode {
  /** per-sample lines (they read the data) */
  readonly lines: string[] = [];
  /** lines that read only parameters: run once per parameter value, not per sample */
  readonly hoisted: string[] = [];
  private readonly dataTemps = new Set<string>();
  private count = 0;

  constructor(
    private readonly names: ReadonlyMap<string, string>,
    /** base parameter index of each variable that is one */
    private readonly parameters: ReadonlyMap<string, number>,
    private readonly m: number,
  ) {}

  private temp(expr: string): string {
    const t = `t${this.count++}`;
    const readsData = (expr.match(/\b[xt]\d+\b/g) ?? []).some((name) => name[0] === 'x' || this.dataTemps.has(name));
    if (readsData) {
      this.dataTemps.add(t);
      this.lines.push(`const ${t} = ${expr};`);
    } else {
      this.hoisted.push(`${t} = ${expr};`);
    }
    return t;
  }

  /** d with each non-null entry replaced by f(entry), kept in temporaries */
  private mapD(d: (string | null)[], f: (e: string) => string): (string | null)[] {
    return d.map((e) => (e === null ? null : this.temp(f(e))));
  }

  private zero(): (string | null)[] {
    return new Array(this.m).fill(null);
  }

  /** x^e for a constant e, expanded for small integers */
  private static power(x: string, e: number): string {
    if (e === 0) return '1';
    if (e === 1) return x;
    if (Number.isInteger(e) && Math.abs(e) <= 4) {
      const p = new Array(Math.abs(e)).fill(x).join('*');
      return e > 0 ? `(${p})` : `(1/(${p}))`;
    }
    if (e === 0.5) return `Math.sqrt(${x})`;
    if (e === -0.5) return `(1/Math.sqrt(${x}))`;
    return `Math.pow(${x},${e})`;
  }

  visit(node: MathNode): Dual {
    switch (node.type) {
      case 'ConstantNode': {
        const v = Number((node as unknown as { value: unknown }).value);
        if (!Number.isFinite(v)) throw new Error(`constant ${String((node as unknown as { value: unknown }).value)}`);
        return { v: `(${v})`, d: this.zero() };
      }
      case 'SymbolNode': {
        const name = (node as unknown as { name: string }).name;
        if (name === 'pi') return { v: '(Math.PI)', d: this.zero() };
        const local = this.names.get(name);
        if (local === undefined) throw new Error(`unknown variable ${name}`);
        const d = this.zero();
        const k = this.parameters.get(name);
        if (k !== undefined) d[k] = '1';
        return { v: local, d };
      }
      case 'ParenthesisNode':
        return this.visit((node as unknown as { content: MathNode }).content);
      case 'OperatorNode':
        return this.operator(node as unknown as { fn: string; args: MathNode[] });
      case 'FunctionNode':
        return this.call(node as unknown as { fn: { name: string }; args: MathNode[] });
      default:
        throw new Error(`node ${node.type}`);
    }
  }

  private operator({ fn, args }: { fn: string; args: MathNode[] }): Dual {
    if (args.length === 1) {
      const a = this.visit(args[0]);
      if (fn === 'unaryPlus') return a;
      if (fn === 'unaryMinus') return { v: this.temp(`-(${a.v})`), d: this.mapD(a.d, (e) => `-(${e})`) };
      throw new Error(`operator ${fn}`);
    }
    if (fn === 'pow' && args[1].type === 'ConstantNode') {
      const e = Number((args[1] as unknown as { value: unknown }).value);
      const a = this.visit(args[0]);
      const v = this.temp(ForwardCode.power(a.v, e));
      const slope = a.d.some((x) => x !== null) ? this.temp(`${e}*${ForwardCode.power(a.v, e - 1)}`) : '';
      return { v, d: this.mapD(a.d, (x) => `${slope}*${x}`) };
    }
    const a = this.visit(args[0]);
    const b = this.visit(args[1]);
    const pair = (f: (x: string | null, y: string | null) => string | null) =>
      a.d.map((x, k) => {
        const r = f(x, b.d[k]);
        return r === null ? null : this.temp(r);
      });
    switch (fn) {
      case 'add':
        return { v: this.temp(`${a.v}+${b.v}`), d: pair((x, y) => (x && y ? `${x}+${y}` : (x ?? y))) };
      case 'subtract':
        return { v: this.temp(`${a.v}-${b.v}`), d: pair((x, y) => (x && y ? `${x}-${y}` : (x ?? (y && `-(${y})`)))) };
      case 'multiply':
        return {
          v: this.temp(`${a.v}*${b.v}`),
          d: pair((x, y) => (x && y ? `${x}*${b.v}+${a.v}*${y}` : x ? `${x}*${b.v}` : y ? `${a.v}*${y}` : null)),
        };
      case 'divide': {
        const v = this.temp(`${a.v}/${b.v}`);
        // (a/b)' = (a' − (a/b) b') / b
        return { v, d: pair((x, y) => (x && y ? `(${x}-${v}*${y})/${b.v}` : x ? `${x}/${b.v}` : y ? `-(${v}*${y}/${b.v})` : null)) };
      }
      case 'pow': {
        // a^b = exp(b log a): (a^b)' = a^b (b' log a + b a'/a)
        const v = this.temp(`Math.pow(${a.v},${b.v})`);
        return { v, d: pair((x, y) => (x || y ? `${v}*(${y ? `${y}*Math.log(${a.v})` : '0'}+${x ? `${b.v}*${x}/${a.v}` : '0'})` : null)) };
      }
      default:
        throw new Error(`operator ${fn}`);
    }
  }

  private call({ fn, args }: { fn: { name: string }; args: MathNode[] }): Dual {
    if (args.length !== 1) throw new Error(`function ${fn.name} with ${args.length} arguments`);
    const a = this.visit(args[0]);
    const varies = a.d.some((x) => x !== null);
    const chain = (value: string, slope: () => string): Dual => {
      const v = this.temp(value);
      if (!varies) return { v, d: this.zero() };
      const s = this.temp(slope());
      return { v, d: this.mapD(a.d, (x) => `${s}*${x}`) };
    };
    const x = a.v;
    switch (fn.name) {
      case 'exp':
        return chain(`Math.exp(${x})`, () => `Math.exp(${x})`);
      case 'log':
        return chain(`Math.log(${x})`, () => `1/${x}`);
      case 'sqrt':
        return chain(`Math.sqrt(${x})`, () => `0.5/Math.sqrt(${x})`);
      case 'abs':
        return chain(`Math.abs(${x})`, () => `Math.sign(${x})`);
      case 'sign':
        return { v: this.temp(`Math.sign(${x})`), d: this.zero() };
      case 'sin':
        return chain(`Math.sin(${x})`, () => `Math.cos(${x})`);
      case 'cos':
        return chain(`Math.cos(${x})`, () => `-Math.sin(${x})`);
      case 'tan':
        return chain(`Math.tan(${x})`, () => `1/(Math.cos(${x})*Math.cos(${x}))`);
      case 'atan':
        return chain(`Math.atan(${x})`, () => `1/(1+${x}*${x})`);
      case 'sinh':
        return chain(`Math.sinh(${x})`, () => `Math.cosh(${x})`);
      case 'cosh':
        return chain(`Math.cosh(${x})`, () => `Math.sinh(${x})`);
      case 'tanh':
        return chain(`Math.tanh(${x})`, () => `1-Math.tanh(${x})*Math.tanh(${x})`);
      case 'lgamma':
        return chain(`S.lgamma(${x})`, () => `S.digamma(${x})`);
      case 'digamma':
        return chain(`S.digamma(${x})`, () => `S.trigamma(${x})`);
      case 'trigamma':
        if (varies) throw new Error('the derivative of trigamma is not available');
        return { v: this.temp(`S.trigamma(${x})`), d: this.zero() };
      default:
        throw new Error(`function ${fn.name}`);
    }
  }
}

/** The source of the score function of `inst` (exported for tests, which read what was generated). */
export function baseScoreSource(inst: FamilyInstance): string {
  const baseP = inst.parameterizations.find((q) => q.name === inst.base);
  if (!baseP) throw new Error('no base parameterization');
  const names = new Map<string, string>();
  const parameters = new Map<string, number>();
  const prologue: string[] = [];
  inst.dataVars.forEach((v, i) => {
    names.set(v, `x${i}`);
    prologue.push(`const x${i} = ${inst.dataVars.length === 1 ? '(typeof x === "number" ? x : x[0])' : `x[${i}]`};`);
  });
  baseP.symbols.forEach((s, k) => {
    names.set(s, `b${k}`);
    parameters.set(s, k);
    prologue.push(`const b${k} = b[${k}];`);
  });
  Object.keys(inst.fixed).forEach((s, k) => {
    names.set(s, `f${k}`);
    prologue.push(`const f${k} = f[${JSON.stringify(s)}];`);
  });
  const code = new ForwardCode(names, parameters, baseP.symbols.length);
  const { d } = code.visit(parseExpr(inst.logDensity));
  const outs = d.map((e, k) => `out[${k}] = ${e ?? '0'};`);
  // Terms free of the data (lgamma of the parameters, normalizers) are
  // computed when the parameters change, not at every sample: the parameter
  // values of the last call are kept (NaN at first, so the first call computes).
  const keys = [...baseP.symbols.map((_, k) => `b${k}`), ...Object.keys(inst.fixed).map((_, k) => `f${k}`)];
  const hoistedNames = code.hoisted.map((line) => line.slice(0, line.indexOf(' ')));
  const state = [...keys.map((k) => `let last_${k} = NaN;`), ...(hoistedNames.length ? [`let ${hoistedNames.join(', ')};`] : [])];
  const changed = keys.length ? keys.map((k) => `${k} !== last_${k}`).join(' || ') : 'true';
  // the keys are stored after the terms, so a call that throws midway leaves them stale and the next call recomputes
  const refresh = code.hoisted.length ? [`if (${changed}) {`, ...code.hoisted, ...keys.map((k) => `last_${k} = ${k};`), '}'] : [];
  const dataPrologue = prologue.filter((line) => /^const x\d/.test(line));
  const parameterPrologue = prologue.filter((line) => !/^const x\d/.test(line));
  return `"use strict";\n${state.join('\n')}\nreturn function baseScore(x, b, f, out) {\n${[...parameterPrologue, ...refresh, ...dataPrologue, ...code.lines, ...outs].join('\n')}\n};`;
}

const cache = new WeakMap<FamilyInstance, BaseScore | null>();

/**
 * The analytic base-coordinate score of a family instance, or null when its
 * log-density uses something this differentiation does not cover (the
 * caller then keeps the numeric derivative). Built once per instance.
 */
export function analyticBaseScore(inst: FamilyInstance): BaseScore | null {
  if (cache.has(inst)) return cache.get(inst)!;
  let score: BaseScore | null;
  if (inst.score) {
    const own = inst.score.bind(inst);
    cache.set(inst, own);
    return own;
  }
  try {
    // The Function constructor compiles source generated from the catalogue's expressions only (see the module comment)
    score = new Function('S', baseScoreSource(inst))(SPECIAL_FUNCTIONS) as BaseScore;
  } catch {
    score = null;
  }
  cache.set(inst, score);
  return score;
}
