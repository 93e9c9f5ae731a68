/**
 * LaTeX for expressions of the expression language, written as a
 * mathematician would: products by juxtaposition, quotients as \frac with
 * negative powers moved to the denominator, numeric coefficients first,
 * signs folded into sums, Greek names as letters and indexed names with
 * subscripts (Sigma0_1 -> \Sigma_{01}, eta1 -> \eta_{1}, x_a -> x_{a}), the special
 * functions in their usual notation. The output never starts or ends with
 * a space, so it can be put between `$...$` as it is.
 */
import type { MathNode } from 'mathjs/number';
import { parseExpr, type Expr } from './ast.js';
import { signedTerms, unwrapParentheses } from './terms.js';

const GREEK = new Set([
  'alpha',
  'beta',
  'gamma',
  'delta',
  'epsilon',
  'zeta',
  'eta',
  'theta',
  'iota',
  'kappa',
  'lambda',
  'mu',
  'nu',
  'xi',
  'pi',
  'rho',
  'sigma',
  'tau',
  'upsilon',
  'phi',
  'chi',
  'psi',
  'omega',
  'Gamma',
  'Delta',
  'Theta',
  'Lambda',
  'Xi',
  'Pi',
  'Sigma',
  'Upsilon',
  'Phi',
  'Psi',
  'Omega',
]);

/**
 * TeX for a variable name: Greek letters as letters, trailing digits as a
 * subscript, and a second index after an underscore joined to it
 * (eta1 -> \eta_{1}, x0 -> x_{0}, Sigma0_1 -> \Sigma_{01}, q2_3 -> q_{23}).
 */
export function symbolTex(name: string): string {
  const named = /^([A-Za-z]+)_([A-Za-z]\w*)$/.exec(name);
  if (named) return `${symbolTex(named[1])}_{${named[2]}}`;
  const m = /^([A-Za-z]+?)(\d+(?:_\d+)*)$/.exec(name);
  const base = m ? m[1] : name;
  const sub = m ? m[2].replace(/_/g, '') : '';
  const head = GREEK.has(base) ? `\\${base}` : base.length === 1 ? base : `\\mathit{${base}}`;
  return sub ? `${head}_{${sub}}` : head;
}

/** Binding strength of what a TeX fragment is, for deciding parentheses. */
enum Level {
  Sum = 1,
  Product = 2,
  Power = 3,
  Atom = 4,
}

interface Tex {
  tex: string;
  level: Level;
  negative?: boolean;
}

const node = <T>(n: MathNode): T => n as unknown as T;

const unwrap = unwrapParentheses;

function constantOf(n: MathNode): number | null {
  n = unwrap(n);
  if (n.type === 'ConstantNode') return Number(node<{ value: unknown }>(n).value);
  if (n.type === 'OperatorNode') {
    const op = node<{ fn: string; args: MathNode[] }>(n);
    if (op.fn === 'unaryMinus') {
      const v = constantOf(op.args[0]);
      return v === null ? null : -v;
    }
  }
  return null;
}

function numberTex(v: number): string {
  if (Number.isInteger(v) || !Number.isFinite(v)) return String(v);
  const s = String(v);
  const e = /^(-?[\d.]+)e([+-]\d+)$/.exec(s);
  return e ? `${e[1]}\\times 10^{${Number(e[2])}}` : s;
}

/** Wraps in parentheses, tall ones when the content has fractions or roots. */
function parens(tex: string): string {
  return /\\frac|\\sqrt|\^\{/.test(tex) ? `\\left(${tex}\\right)` : `(${tex})`;
}

function atLeast(t: Tex, level: Level): string {
  return t.level >= level ? t.tex : parens(t.tex);
}

const FUNCTION_TEX: Record<string, string> = {
  log: '\\log',
  lgamma: '\\log\\Gamma',
  digamma: '\\psi',
  trigamma: '\\psi_1',
  sin: '\\sin',
  cos: '\\cos',
  tan: '\\tan',
  sinh: '\\sinh',
  cosh: '\\cosh',
  tanh: '\\tanh',
  atan: '\\arctan',
  sign: '\\operatorname{sign}',
};

/** Above this many characters, e^{u} becomes \exp(u): long exponents are hard to read. */
const SHORT_EXPONENT = 24;

function functionTex(name: string, args: MathNode[]): Tex {
  if (args.length !== 1) return { tex: `\\operatorname{${name}}(${args.map((a) => render(a).tex).join(', ')})`, level: Level.Atom };
  const arg = render(args[0]);
  if (name === 'sqrt') return { tex: `\\sqrt{${arg.tex}}`, level: Level.Atom };
  if (name === 'abs') return { tex: `\\left|${arg.tex}\\right|`, level: Level.Atom };
  if (name === 'exp') {
    if (arg.tex.length <= SHORT_EXPONENT && !arg.tex.includes('\\frac')) return { tex: `e^{${arg.tex}}`, level: Level.Power };
    return { tex: `\\exp${parens(arg.tex)}`, level: Level.Atom };
  }
  const head = FUNCTION_TEX[name] ?? `\\operatorname{${name}}`;
  return { tex: `${head}${parens(arg.tex)}`, level: Level.Atom };
}

interface Factor {
  base: MathNode;
  exponent: number | MathNode;
  lower?: boolean;
}

/** Order of factors in a product, as usually written: coefficients and letters, then parenthesised sums, then functions: (alpha - 1) log(x). */
function factorRank(f: Factor, t: Tex): number {
  const b = unwrap(f.base);
  if (b.type === 'FunctionNode') return 2;
  return t.level < Level.Power ? 1 : 0;
}

/** A product or quotient flattened: sign, numeric coefficient, factors with their powers (negative: in the denominator). */
function flattenProduct(n: MathNode, power: number, acc: { sign: number; num: number; den: number; factors: Factor[] }): void {
  n = unwrap(n);
  const c = constantOf(n);
  if (c !== null && Number.isFinite(c)) {
    if (c < 0) acc.sign = -acc.sign;
    const a = Math.abs(c);
    if (power > 0) acc.num *= a ** power;
    else acc.den *= a ** -power;
    return;
  }
  if (n.type === 'OperatorNode') {
    const op = node<{ fn: string; args: MathNode[] }>(n);
    if (op.fn === 'multiply') {
      flattenProduct(op.args[0], power, acc);
      flattenProduct(op.args[1], power, acc);
      return;
    }
    if (op.fn === 'divide') {
      flattenProduct(op.args[0], power, acc);
      flattenProduct(op.args[1], -power, acc);
      return;
    }
    if (op.fn === 'unaryMinus') {
      acc.sign = -acc.sign;
      flattenProduct(op.args[0], power, acc);
      return;
    }
    if (op.fn === 'pow') {
      const e = constantOf(op.args[1]);
      if (e !== null) acc.factors.push({ base: op.args[0], exponent: e * power });
      else acc.factors.push({ base: op.args[0], exponent: op.args[1], lower: power < 0 });
      return;
    }
  }
  acc.factors.push({ base: n, exponent: power });
}

const powerBase = (b: Tex): string => (b.level >= Level.Atom && !b.tex.includes('^') ? b.tex : parens(b.tex));

/** base^e for a positive power e (1 for the base itself). */
function powerTex(base: MathNode, e: number | MathNode): Tex {
  if (typeof e === 'number') {
    if (e === 1) return render(base);
    if (e === 0.5) return { tex: `\\sqrt{${render(base).tex}}`, level: Level.Atom };
    return { tex: `${powerBase(render(base))}^{${numberTex(e)}}`, level: Level.Power };
  }
  return { tex: `${powerBase(render(base))}^{${render(e).tex}}`, level: Level.Power };
}

/** Factors side by side: a thin space only where two would run together (a digit after a digit). */
function juxtapose(parts: Tex[]): string {
  let out = '';
  for (const p of parts) {
    const piece = atLeast(p, Level.Power);
    if (out && /\d$/.test(out) && /^\d/.test(piece)) out += '\\cdot ';
    else if (out && /[A-Za-z]$/.test(out) && /^[A-Za-z]/.test(piece)) out += ' ';
    out += piece;
  }
  return out;
}

function productTex(n: MathNode): Tex {
  const acc = { sign: 1, num: 1, den: 1, factors: [] as Factor[] };
  flattenProduct(n, 1, acc);
  const upperRanked: [number, Tex][] = [];
  const lowerRanked: [number, Tex][] = [];
  for (const f of acc.factors) {
    const down = (typeof f.exponent === 'number' && f.exponent < 0) || f.lower === true;
    const t = powerTex(f.base, typeof f.exponent === 'number' && f.exponent < 0 ? -f.exponent : f.exponent);
    (down ? lowerRanked : upperRanked).push([factorRank(f, t), t]);
  }
  const byRank = (xs: [number, Tex][]): Tex[] =>
    xs
      .map((x, k) => [x[0], k, x[1]] as const)
      .sort((a, b) => a[0] - b[0] || a[1] - b[1])
      .map((x) => x[2]);
  const upper = byRank(upperRanked);
  const lower = byRank(lowerRanked);
  const isFraction = lower.length > 0 || acc.den !== 1;
  // Inside \frac a lone factor needs no parentheses: the bar groups it.
  const side = (coefficient: number, factors: Tex[]): string => {
    if (coefficient === 1 && factors.length === 1 && isFraction) return factors[0].tex;
    return coefficient === 1 && factors.length > 0 ? juxtapose(factors) : juxtapose([{ tex: numberTex(coefficient), level: Level.Atom }, ...factors]);
  };
  const num = side(acc.num, upper);
  const tex = isFraction ? `\\frac{${num}}{${side(acc.den, lower)}}` : num;
  const lone = upper.length === 1 && acc.num === 1;
  const level = isFraction || upper.length === 0 ? Level.Atom : lone ? upper[0].level : Level.Product;
  return { tex, level, negative: acc.sign < 0 };
}

function sumTex(n: MathNode): Tex {
  const terms = signedTerms(n, false);
  let out = '';
  terms.forEach((t, k) => {
    const p = productTex(t.node);
    const negative = t.sign < 0 !== (p.negative === true);
    const body = p.level === Level.Sum ? parens(p.tex) : p.tex;
    if (k === 0) out = negative ? `-${body}` : body;
    else out += negative ? ` - ${body}` : ` + ${body}`;
  });
  if (terms.length === 1) {
    const p = productTex(terms[0].node);
    const negative = terms[0].sign < 0 !== (p.negative === true);
    return { tex: out, level: negative ? Level.Sum : p.level };
  }
  return { tex: out, level: Level.Sum };
}

function render(n: MathNode): Tex {
  n = unwrap(n);
  switch (n.type) {
    case 'ConstantNode': {
      const v = Number(node<{ value: unknown }>(n).value);
      return { tex: numberTex(v), level: v < 0 ? Level.Sum : Level.Atom };
    }
    case 'SymbolNode': {
      const name = node<{ name: string }>(n).name;
      return { tex: name === 'pi' ? '\\pi' : symbolTex(name), level: Level.Atom };
    }
    case 'FunctionNode': {
      const f = node<{ fn: { name: string }; args: MathNode[] }>(n);
      return functionTex(f.fn.name, f.args);
    }
    case 'OperatorNode': {
      const op = node<{ fn: string; args: MathNode[] }>(n);
      if (op.fn === 'add' || op.fn === 'subtract' || op.fn === 'unaryMinus') return sumTex(n);
      if (op.fn === 'unaryPlus') return render(op.args[0]);
      if (op.fn === 'multiply' || op.fn === 'divide' || op.fn === 'pow') {
        const p = productTex(n);
        return p.negative ? { tex: `-${p.tex}`, level: Level.Sum } : p;
      }
      throw new Error(`toLatex: operator '${op.fn}' is not supported`);
    }
    default:
      throw new Error(`toLatex: unsupported syntax (${n.type})`);
  }
}

export function toLatex(text: Expr): string {
  return render(parseExpr(text)).tex;
}

export function matrixToLatex(entries: readonly (readonly Expr[])[]): string {
  const rows = entries.map((row) => row.map(toLatex).join(' & '));
  return `\\begin{pmatrix}${rows.join(' \\\\ ')}\\end{pmatrix}`;
}
