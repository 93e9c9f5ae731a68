/**
 * Differentiation and simplification through the backend, with the chain rule
 * for the special functions applied here: algebrite leaves d(lgamma(u), v)
 * unevaluated, so we rewrite it to digamma(u) * du/dv (and digamma to trigamma).
 * No answer carries algebrite's imaginary unit: simplify and expand keep their
 * input instead, and diff differentiates again with log and sqrt hidden.
 */
import type { MathNode } from 'mathjs/number';
import { parse } from 'mathjs/number';
import { algebriteRun, BackendError, BackendTimeout, restartBackend } from './backend.js';
import { freeVariables, parseExpr, printExpr, substituteVariables, type Expr } from './ast.js';

/**
 * Private names for log and sqrt that algebrite treats as unknown functions.
 * algebrite works over the complex numbers and rewrites log(-u) as
 * log(u) + i*pi (so d/d eta2 of eta1*log(-eta2) came back with a term
 * -i*pi); with these names it cannot, and the facade supplies the derivatives.
 */
const REAL_LOG = 'lnreal';
const REAL_SQRT = 'sqrtreal';

/** An answer of the backend that contains its imaginary unit: correct over C, not a real expression. */
export class ComplexAnswer extends BackendError {
  constructor(command: string, output: string) {
    super(command, `the answer contains the imaginary unit: ${output}`);
    this.name = 'ComplexAnswer';
  }
}

const TO_ALGEBRITE_FUNCTIONS: Record<string, string> = { sign: 'sgn', atan: 'arctan' };

/**
 * Derivatives the facade applies itself (chain rule included): the special
 * functions, which algebrite does not know, and the real logarithm and square
 * root under private names (see diff).
 */
const OWN_DERIVATIVE: Record<string, (u: Expr) => Expr> = {
  lgamma: (u) => `digamma(${u})`,
  digamma: (u) => `trigamma(${u})`,
  [REAL_LOG]: (u) => `1/(${u})`,
  [REAL_SQRT]: (u) => `1/(2*sqrt(${u}))`,
};

interface Renaming {
  text: string;
  toPrivate: Record<string, string>;
  toPublic: Record<string, string>;
}

/**
 * exp(c1 log u1 + c2 log u2 + ... + rest) -> u1^c1 u2^c2 ... exp(rest), for
 * constant c: sound wherever the left side is defined (u > 0). The backend
 * spends tens of seconds on such forms, which arise whenever natural
 * parameters eta = log(...) are substituted into exp(eta).
 */
export function cancelExpLog(text: Expr): Expr {
  if (!/exp\(/.test(text) || !/log\(/.test(text)) return text;
  const unwrap = (n: MathNode): MathNode => (n.type === 'ParenthesisNode' ? unwrap((n as unknown as { content: MathNode }).content) : n);
  const asLog = (n: MathNode): { u: MathNode; c: number } | null => {
    n = unwrap(n);
    const op = n as unknown as { fn: string | { name: string }; args: MathNode[] };
    if (n.type === 'FunctionNode' && (op.fn as { name: string }).name === 'log' && op.args.length === 1) return { u: op.args[0], c: 1 };
    if (n.type === 'OperatorNode' && op.fn === 'unaryMinus') {
      const r = asLog(op.args[0]);
      return r && { u: r.u, c: -r.c };
    }
    if (n.type === 'OperatorNode' && op.fn === 'multiply') {
      const [a, b] = op.args.map(unwrap);
      if (a.type === 'ConstantNode') {
        const r = asLog(b);
        return r && { u: r.u, c: r.c * Number((a as unknown as { value: unknown }).value) };
      }
    }
    return null;
  };
  const terms = (n: MathNode, sign: number, out: { node: MathNode; sign: number }[]): void => {
    n = unwrap(n);
    const op = n as unknown as { fn: string; args: MathNode[] };
    if (n.type === 'OperatorNode' && op.fn === 'add') {
      terms(op.args[0], sign, out);
      terms(op.args[1], sign, out);
      return;
    }
    if (n.type === 'OperatorNode' && op.fn === 'subtract') {
      terms(op.args[0], sign, out);
      terms(op.args[1], -sign, out);
      return;
    }
    out.push({ node: n, sign });
  };
  const out = parseExpr(text).transform((n: MathNode) => {
    if (n.type !== 'FunctionNode') return n;
    const f = n as unknown as { fn: { name: string }; args: MathNode[] };
    if (f.fn.name !== 'exp' || f.args.length !== 1) return n;
    const parts: { node: MathNode; sign: number }[] = [];
    terms(f.args[0], 1, parts);
    const factors: string[] = [];
    const rest: string[] = [];
    for (const t of parts) {
      const l = asLog(t.node);
      if (l) factors.push(`(${printExpr(l.u)})^(${t.sign * l.c})`);
      else rest.push(`${t.sign < 0 ? '-' : '+'}(${printExpr(t.node)})`);
    }
    if (factors.length === 0) return n;
    if (rest.length) factors.push(`exp(${rest.join('')})`);
    return parse(`(${factors.join('*')})`);
  });
  return printExpr(out);
}

/** Renames every variable to a private name the backend has no meaning for. */
function toBackend(text: Expr, extra: readonly string[] = [], realFunctions = false): Renaming {
  text = cancelExpLog(text);
  const names = [...new Set([...freeVariables(text), ...extra])].sort();
  const toPrivate: Record<string, string> = {};
  const toPublic: Record<string, string> = {};
  names.forEach((n, i) => {
    toPrivate[n] = `vv${i}`;
    toPublic[`vv${i}`] = n;
  });
  let renamed = substituteVariables(text, toPrivate);
  for (const [from, to] of Object.entries(TO_ALGEBRITE_FUNCTIONS)) renamed = renamed.replace(new RegExp(`\\b${from}\\(`, 'g'), `${to}(`);
  if (realFunctions) renamed = renamed.replace(/\blog\(/g, `${REAL_LOG}(`).replace(/\bsqrt\(/g, `${REAL_SQRT}(`);
  return { text: renamed, toPrivate, toPublic };
}

function fromBackend(command: string, output: string, renaming: Renaming): Expr {
  // algebrite prints floating-point numbers with a trailing ellipsis (0.4285...)
  const text = output.replace(/(\d)\.\.\./g, '$1');
  // Every name of the question is private (vv0, vv1, ...), so a free `i` in the answer is algebrite's imaginary unit.
  if (freeVariables(text).has('i')) throw new ComplexAnswer(command, output);
  return substituteVariables(printExpr(parseExpr(text)), renaming.toPublic);
}

const PRIVATE_NAME = /\bvv\d+\b/;

/**
 * Runs `fn(args)` in the backend with private names, and returns the result with public names.
 * A private name the question did not have means the answer is not this
 * question's (a binding left by an earlier command, or an answer mixed up
 * with another's), so the backend is restarted and asked once more; a second
 * such answer is an error, never a silently wrong expression.
 */
/**
 * Answers by command, for the life of the process: the same derivative or
 * simplification is asked many times over (every page and route of a family
 * derives from one log-density), and each costs 0.01-0.3 s. Time-outs are not
 * remembered (they depend on the machine's load); answers and complex
 * answers are (they do not).
 */
const answers = new Map<string, { out: Expr } | { complex: ComplexAnswer }>();
const ANSWERS_KEPT = 50_000;

function backendCall(fn: string, text: Expr, extraArgs: readonly string[] = [], timeoutMs?: number, realFunctions = false): Expr {
  const key = `${realFunctions ? 'R' : ''}${fn}|${text}|${extraArgs.join(',')}`;
  const known = answers.get(key);
  if (known) {
    if ('complex' in known) throw known.complex;
    return known.out;
  }
  try {
    const out = backendCallUncached(fn, text, extraArgs, timeoutMs, realFunctions);
    if (answers.size < ANSWERS_KEPT) answers.set(key, { out });
    return out;
  } catch (e) {
    if (e instanceof ComplexAnswer && answers.size < ANSWERS_KEPT) answers.set(key, { complex: e });
    throw e;
  }
}

function backendCallUncached(fn: string, text: Expr, extraArgs: readonly string[], timeoutMs: number | undefined, realFunctions: boolean): Expr {
  const r = toBackend(text, extraArgs, realFunctions);
  const command = `${fn}(${[r.text, ...extraArgs.map((a) => r.toPrivate[a])].join(',')})`;
  for (let attempt = 1; ; attempt++) {
    const out = fromBackend(command, algebriteRun(command, timeoutMs), r);
    if (!PRIVATE_NAME.test(out)) return out;
    if (process.env.NATGRAD_TRACE_CAS) process.stderr.write(`[cas STALE STATE] ${command.slice(0, 300)} -> ${out.slice(0, 300)}\n`);
    if (attempt === 2) throw new BackendError(command, `the answer names a variable the question did not: ${out}`);
    restartBackend();
  }
}

/** Differentiation and expansion are needed for a result, so they get a long limit; simplification is optional. */
const NEEDED_TIMEOUT_MS = 60_000;

/**
 * Above this length the backend's simplification takes seconds to minutes
 * (measured: a 2x2 Fisher in the normal's expectation coordinates took 258 s),
 * so longer expressions are left as they are and their identities are
 * established by the numeric identity test instead, which says so.
 */
export const SIMPLIFY_MAX_LENGTH = 240;

/**
 * Rewrites that hold wherever the input is real, and that the backend takes
 * seconds to find (measured: simplify timed out on log p of the normal with
 * sigma = exp(s) or sqrt(m2 - m1^2) substituted): log(exp(u)) = u,
 * exp(c1 log u1 + ... + rest) = u1^c1 ... exp(rest) (cancelExpLog),
 * log(sqrt(u)) = log(u)/2, sqrt(u)^(2k) = u^k, exp(u)^c = exp(c u).
 */
export function tidy(text: Expr): Expr {
  if (!/\b(exp|log|sqrt)\(/.test(text)) return text;
  text = cancelExpLog(text);
  const fnOf = (n: MathNode): { name: string; arg: MathNode } | null => {
    while (n.type === 'ParenthesisNode') n = (n as unknown as { content: MathNode }).content;
    if (n.type !== 'FunctionNode') return null;
    const f = n as unknown as { fn: { name: string }; args: MathNode[] };
    return f.args.length === 1 ? { name: f.fn.name, arg: f.args[0] } : null;
  };
  const constant = (n: MathNode): number | null => {
    while (n.type === 'ParenthesisNode') n = (n as unknown as { content: MathNode }).content;
    if (n.type === 'ConstantNode') return Number((n as unknown as { value: unknown }).value);
    if (n.type === 'OperatorNode' && (n as unknown as { fn: string }).fn === 'unaryMinus') {
      const v = constant((n as unknown as { args: MathNode[] }).args[0]);
      return v === null ? null : -v;
    }
    return null;
  };
  const p = (e: MathNode): string => `(${printExpr(e)})`;
  const rewrite = (n: MathNode): MathNode => {
    const m = n.map((child: MathNode) => rewrite(child));
    const f = fnOf(m);
    if (f) {
      const inner = fnOf(f.arg);
      if (f.name === 'log' && inner?.name === 'exp') return parse(p(inner.arg));
      if (f.name === 'exp' && inner?.name === 'log') return parse(p(inner.arg));
      if (f.name === 'log' && inner?.name === 'sqrt') return parse(`(log${p(inner.arg)}/2)`);
      return m;
    }
    if (m.type === 'OperatorNode' && (m as unknown as { fn: string }).fn === 'pow') {
      const [base, exponent] = (m as unknown as { args: MathNode[] }).args;
      const b = fnOf(base);
      const c = constant(exponent);
      if (b && c !== null) {
        if (b.name === 'sqrt' && Number.isInteger(c) && c % 2 === 0) return parse(c === 2 ? p(b.arg) : `(${p(b.arg)}^${c / 2})`);
        if (b.name === 'exp') return parse(`exp(${c}*${p(b.arg)})`);
      }
    }
    return m;
  };
  return printExpr(rewrite(parseExpr(text)));
}

/**
 * One product or quotient whose sums hold no fractions (-exp(a+b)/(1+exp(a)+exp(b))^2,
 * alpha/beta^2): the backend has nothing to combine, and takes 0.1-0.3 s to say so.
 */
function alreadySimple(text: Expr): boolean {
  const root = parseExpr(text);
  let top: MathNode = root;
  while (top.type === 'ParenthesisNode' || (top.type === 'OperatorNode' && (top as unknown as { fn: string }).fn === 'unaryMinus')) {
    top = top.type === 'ParenthesisNode' ? (top as unknown as { content: MathNode }).content : (top as unknown as { args: MathNode[] }).args[0];
  }
  if (top.type === 'OperatorNode' && ['add', 'subtract'].includes((top as unknown as { fn: string }).fn)) return false;
  let fractionInSum = false;
  let constantFactor = false;
  root.traverse((n: MathNode, _path: string, parent: MathNode | null) => {
    if (n.type !== 'OperatorNode') return;
    const op = n as unknown as { fn: string; args: MathNode[] };
    if (op.fn === 'multiply' && op.args.some((a) => a.type === 'ConstantNode' && Number((a as unknown as { value: unknown }).value) === 1))
      constantFactor = true;
    if (!['add', 'subtract'].includes(op.fn)) return;
    n.traverse((m: MathNode) => {
      if (
        m.type === 'OperatorNode' &&
        ((m as unknown as { fn: string }).fn === 'divide' ||
          ((m as unknown as { fn: string }).fn === 'pow' && /^\(?-/.test(printExpr((m as unknown as { args: MathNode[] }).args[1]))))
      )
        fractionInSum = true;
    });
    void parent;
  });
  return !fractionInSum && !constantFactor;
}

/**
 * The sums that occur more than once in the expression, outermost first,
 * replaced by fresh names. The backend simplifies such abbreviated forms in
 * milliseconds where it takes seconds on the full one (measured: the
 * categorical mean E[x0] = (p0/q)/(1 + p0/q + p1/q) with q = 1 - p0 - p1
 * took 1.4 s; with q a name, 47 ms, and 4 ms more after q is put back).
 */
function abbreviateRepeatedSums(text: Expr): { text: Expr; names: Record<string, Expr> } | null {
  const unwrap = (n: MathNode): MathNode => {
    while (n.type === 'ParenthesisNode') n = (n as unknown as { content: MathNode }).content;
    return n;
  };
  const isSum = (n: MathNode): boolean => n.type === 'OperatorNode' && ['add', 'subtract'].includes((n as unknown as { fn: string }).fn);
  // a sum's key: its signed terms, sorted, so that 1-(p0+p1) and 1-p0-p1 get one name
  const keyOf = (n: MathNode): string => {
    const terms: string[] = [];
    const walk = (m: MathNode, sign: number): void => {
      m = unwrap(m);
      if (isSum(m)) {
        const op = m as unknown as { fn: string; args: MathNode[] };
        walk(op.args[0], sign);
        walk(op.args[1], op.fn === 'add' ? sign : -sign);
        return;
      }
      terms.push(`${sign < 0 ? '-' : '+'}${printExpr(m)}`);
    };
    walk(n, 1);
    return terms.sort().join('');
  };
  const counts = new Map<string, { count: number; form: Expr }>();
  const visit = (n: MathNode): void => {
    const m = unwrap(n);
    if (isSum(m)) {
      const key = keyOf(m);
      const cur = counts.get(key);
      counts.set(key, { count: (cur?.count ?? 0) + 1, form: cur?.form ?? printExpr(m) });
      // the parts of a sum are terms, not sums of their own
      const collect = (t: MathNode): void => {
        t = unwrap(t);
        if (isSum(t)) (t as unknown as { args: MathNode[] }).args.forEach(collect);
        else t.forEach((c: MathNode) => visit(c));
      };
      (m as unknown as { args: MathNode[] }).args.forEach(collect);
      return;
    }
    m.forEach((c: MathNode) => visit(c));
  };
  visit(parseExpr(text));
  const all = [...counts].filter(([k, v]) => v.count >= 2 && k.length >= 5).map(([k]) => k);
  // innermost only: a repeated sum that holds another is left whole (abbreviating both leaves forms the backend handles worse)
  const innermost = all.filter((k) => !all.some((o) => o !== k && k.includes(o)));
  if (innermost.length === 0) return null;
  const names: Record<string, Expr> = {};
  innermost.forEach((k, i) => {
    names[`zzab${i}`] = counts.get(k)!.form;
  });
  const nameOf = new Map(innermost.map((k, i) => [k, `zzab${i}`]));
  const replaced = printExpr(
    parseExpr(text).transform((n: MathNode) => {
      const m = unwrap(n);
      if (!isSum(m)) return n;
      const name = nameOf.get(keyOf(m));
      return name ? parse(name) : n;
    }),
  );
  return replaced === text ? null : { text: replaced, names };
}

/** A simpler equal form when the backend finds one in time; otherwise the input (tidied) unchanged. */
export function simplify(text: Expr): Expr {
  text = tidy(text);
  if (text.length > SIMPLIFY_MAX_LENGTH || alreadySimple(text)) return text;
  const abbreviated = abbreviateRepeatedSums(text);
  if (abbreviated) {
    // the abbreviated form, with a variable of each sum eliminated in favour of the sum's name, simplified; then the sums put back
    const eliminated = eliminateInFavourOfNames(abbreviated.text, abbreviated.names);
    const back = substituteVariables(simplifyDirect(eliminated), abbreviated.names);
    const rational = back.length <= SIMPLIFY_MAX_LENGTH / 2 ? quickCall('rationalize', back) : null;
    const best = rational !== null && rational.length < back.length ? rational : back;
    if (best.length < text.length) return withoutNewSymbols(text, best);
  }
  return simplifyDirect(text);
}

/**
 * For each abbreviated sum z = c ± v + ... in which a variable v occurs once
 * with coefficient ±1 and that v also occurs outside it, v is written in
 * terms of z (v = ±(z - rest)): then the expression is a function of
 * independent variables and the relation the sum carries is not lost. The
 * categorical's E[-Hessian], 1/z^2 + (1/p0^2 - 1/z^2) p0 - p1/z^2 with
 * z = 1 - p0 - p1, becomes 1/p0 + 1/z this way; with z and p1 both free the
 * backend cannot see it.
 */
function eliminateInFavourOfNames(text: Expr, names: Record<string, Expr>): Expr {
  let out = text;
  for (const [name, sum] of Object.entries(names)) {
    const terms = signedTerms(sum);
    const outside = freeVariables(out);
    // a variable that is a whole term of the sum (coefficient +-1), in no other term, and used outside the sum;
    // of those, one that stands in no denominator (rewriting 1/p^2 in terms of the sum undoes the gain)
    const candidates = terms.filter(
      (t) => /^[A-Za-z_]\w*$/.test(t.text) && outside.has(t.text) && terms.filter((u) => u !== t && freeVariables(u.text).has(t.text)).length === 0,
    );
    const pick = candidates.map((t, k) => ({ t, k, bad: inDenominators(out, t.text) })).sort((a, b) => a.bad - b.bad || b.k - a.k)[0]?.t;
    if (!pick) continue;
    const rest =
      terms
        .filter((t) => t !== pick)
        .map((t) => `${t.sign < 0 ? '-' : '+'}(${t.text})`)
        .join('') || '0';
    // z = rest + sign v  =>  v = sign (z - rest)
    out = substituteVariables(out, { [pick.text]: `${pick.sign < 0 ? '-' : ''}(${name}-(${rest}))` });
  }
  return out;
}

/** How often `v` stands in a denominator of the expression (a divisor, or a base with a negative exponent). */
function inDenominators(text: Expr, v: string): number {
  let count = 0;
  parseExpr(text).traverse((n: MathNode) => {
    if (n.type !== 'OperatorNode') return;
    const op = n as unknown as { fn: string; args: MathNode[] };
    const negativePower = op.fn === 'pow' && /^\(?-/.test(printExpr(op.args[1]));
    if ((op.fn === 'divide' || negativePower) && freeVariables(printExpr(op.fn === 'divide' ? op.args[1] : op.args[0])).has(v)) count++;
  });
  return count;
}

/** The terms of a sum with their signs, parentheses and nested sums flattened. */
function signedTerms(text: Expr): { sign: number; text: Expr }[] {
  const out: { sign: number; text: Expr }[] = [];
  const walk = (n: MathNode, sign: number): void => {
    while (n.type === 'ParenthesisNode') n = (n as unknown as { content: MathNode }).content;
    const op = n as unknown as { fn: string; args: MathNode[] };
    if (n.type === 'OperatorNode' && (op.fn === 'add' || op.fn === 'subtract')) {
      walk(op.args[0], sign);
      walk(op.args[1], op.fn === 'add' ? sign : -sign);
      return;
    }
    if (n.type === 'OperatorNode' && op.fn === 'unaryMinus') {
      walk(op.args[0], -sign);
      return;
    }
    out.push({ sign, text: printExpr(n) });
  };
  walk(parseExpr(text), 1);
  return out;
}

function quickCall(fn: string, text: Expr): Expr | null {
  try {
    return backendCall(fn, text, [], ZERO_TEST_TIMEOUT_MS);
  } catch (e) {
    if (e instanceof BackendError) return null;
    throw e;
  }
}

function simplifyDirect(text: Expr): Expr {
  if (text.length > SIMPLIFY_MAX_LENGTH) return text;
  try {
    return withoutNewSymbols(text, backendCall('simplify', text));
  } catch (e) {
    if (e instanceof BackendTimeout || e instanceof ComplexAnswer) return text;
    throw e;
  }
}

/**
 * The backend works over the complex numbers: simplifying log(-x) can bring
 * in the imaginary unit i (log(-x) = log(x) + i pi), which is wrong on our
 * real domains. A result with a variable its input did not have is discarded.
 */
function withoutNewSymbols(input: Expr, output: Expr): Expr {
  const before = freeVariables(input);
  for (const v of freeVariables(output)) if (!before.has(v)) return input;
  return output;
}

export function expand(text: Expr): Expr {
  try {
    return withoutNewSymbols(text, backendCall('expand', text, [], NEEDED_TIMEOUT_MS));
  } catch (e) {
    if (e instanceof ComplexAnswer)
      return withoutNewSymbols(
        text,
        backendCall('expand', text, [], NEEDED_TIMEOUT_MS, true).replace(REAL_NAMES, (m) => PUBLIC_NAME[m]),
      );
    throw e;
  }
}

const REAL_NAMES = new RegExp(`\\b(${REAL_LOG}|${REAL_SQRT})\\b`, 'g');
const PUBLIC_NAME: Record<string, string> = { [REAL_LOG]: 'log', [REAL_SQRT]: 'sqrt' };

/**
 * d text / d variable, with the special functions' derivative relations
 * applied. When algebrite's answer is complex (it rewrote a log or square
 * root of a negative-looking argument), the derivative is taken again with
 * log and sqrt hidden from it and their derivatives applied here.
 */
export function diff(text: Expr, variable: string): Expr {
  let raw: Expr;
  try {
    raw = backendCall('d', text, [variable], NEEDED_TIMEOUT_MS);
  } catch (e) {
    if (!(e instanceof ComplexAnswer)) throw e;
    raw = backendCall('d', text, [variable], NEEDED_TIMEOUT_MS, true);
  }
  return resolveUnknownDerivatives(raw).replace(REAL_NAMES, (m) => PUBLIC_NAME[m]);
}

function resolveUnknownDerivatives(text: Expr): Expr {
  if (!/\bd\(/.test(text)) return text;
  const node = parseExpr(text).transform((n: MathNode) => {
    if (n.type !== 'FunctionNode') return n;
    const call = n as unknown as { fn: { name: string }; args: MathNode[] };
    if (call.fn.name !== 'd') return n;
    const [inner, wrt] = call.args;
    const innerCall = inner as unknown as { fn?: { name: string }; args?: MathNode[] };
    const derivative = inner.type === 'FunctionNode' && innerCall.fn ? OWN_DERIVATIVE[innerCall.fn.name] : undefined;
    if (!derivative || wrt.type !== 'SymbolNode' || !innerCall.args || innerCall.args.length !== 1) {
      throw new BackendError(`d(${inner.toString()})`, `no derivative rule for ${inner.toString()}`);
    }
    const u = printExpr(innerCall.args[0]);
    const du = diff(u, (wrt as unknown as { name: string }).name);
    if (du === '0') return parse('0');
    return parse(du === '1' ? `(${derivative(u)})` : `(${derivative(u)})*(${du})`);
  });
  return printExpr(node);
}

export function gradient(text: Expr, variables: readonly string[]): Expr[] {
  return variables.map((v) => simplify(diff(text, v)));
}

export function hessian(text: Expr, variables: readonly string[]): Expr[][] {
  const g = variables.map((v) => diff(text, v));
  return variables
    .map((_, i) => variables.map((w, j) => (j < i ? '' : simplify(diff(g[i], w)))))
    .map((row, i, all) => row.map((e, j) => (j < i ? all[j][i] : e)));
}

/** jacobian[i][j] = d outputs[i] / d variables[j] */
export function jacobian(outputs: readonly Expr[], variables: readonly string[]): Expr[][] {
  return outputs.map((o) => variables.map((v) => simplify(diff(o, v))));
}

/**
 * True when the backend reduces the expression to 0 (a sufficient, not
 * necessary, test): simplify once, then try expanding and rationalizing that
 * form. A time-out anywhere means "not shown", never an error.
 */
export function isSymbolicallyZero(text: Expr): boolean {
  if (!symbolicZeroTestWorthwhile(text)) return false;
  // cheapest first: rationalize settles rational functions in tens of
  // milliseconds; simplify (0.1-0.3 s a call) and expand reach the rest
  if (zeroTestCall('rationalize', text) === '0') return true;
  return text.length <= ZERO_TEST_SIMPLIFY_MAX_LENGTH && simplify(text) === '0';
}

function zeroTestCall(fn: string, text: Expr): Expr | null {
  try {
    return backendCall(fn, text, [], ZERO_TEST_TIMEOUT_MS);
  } catch (e) {
    if (!(e instanceof BackendError)) throw e;
    return null;
  }
}

/**
 * Whether the symbolic zero test is worth attempting. Measured: the backend
 * rarely reduces differences longer than ~500 characters to 0 and spends its
 * full time limit trying; with exp in them the bound is lower (5-9 s spent,
 * every attempt timing out, on 100-300 character identities mixing exp and
 * rational functions, e.g. logistic and softmax Fishers). Past these the
 * numeric identity test decides, and says so.
 */
export function symbolicZeroTestWorthwhile(text: Expr): boolean {
  return text.length <= (/\bexp\(/.test(text) ? 100 : 320);
}

const ZERO_TEST_TIMEOUT_MS = 1000;
/** Past this length simplify rarely reaches 0 where rationalize did not, and spends seconds trying (measured on the catalogue's Fisher entries). */
const ZERO_TEST_SIMPLIFY_MAX_LENGTH = 160;
