/**
 * Expressions as text in one small language (numbers, variables, + - * / ^,
 * exp, log, sqrt, abs and the special functions lgamma, digamma, trigamma),
 * parsed with mathjs. Here: parsing, printing, renaming, free variables,
 * compilation to numbers, and a forward rounding-error bound used by the
 * numeric identity test.
 */
import { parse, type MathNode } from 'mathjs/number';
import { NatgradError } from '../core/errors.js';
import { digamma, lgamma, trigamma } from './special.js';

export type Expr = string;

/** Numeric implementations of the functions the language knows, with derivatives for error propagation. */
const FUNCTIONS: Record<string, { f: (x: number) => number; df: (x: number) => number }> = {
  exp: { f: Math.exp, df: Math.exp },
  log: { f: Math.log, df: (x) => 1 / x },
  sqrt: { f: Math.sqrt, df: (x) => 0.5 / Math.sqrt(x) },
  abs: { f: Math.abs, df: (x) => Math.sign(x) },
  sign: { f: Math.sign, df: () => 0 },
  sin: { f: Math.sin, df: Math.cos },
  cos: { f: Math.cos, df: (x) => -Math.sin(x) },
  tan: { f: Math.tan, df: (x) => 1 / Math.cos(x) ** 2 },
  atan: { f: Math.atan, df: (x) => 1 / (1 + x * x) },
  sinh: { f: Math.sinh, df: Math.cosh },
  cosh: { f: Math.cosh, df: Math.sinh },
  tanh: { f: Math.tanh, df: (x) => 1 - Math.tanh(x) ** 2 },
  lgamma: { f: lgamma, df: digamma },
  digamma: { f: digamma, df: trigamma },
  trigamma: { f: trigamma, df: (x) => (trigamma(x + 1e-5) - trigamma(x - 1e-5)) / 2e-5 },
};

export const KNOWN_FUNCTIONS: ReadonlySet<string> = new Set(Object.keys(FUNCTIONS));
const CONSTANTS: Record<string, number> = { pi: Math.PI };

/** Names algebrite prints that the language spells differently. */
const FUNCTION_ALIASES: Record<string, string> = { sgn: 'sign', arctan: 'atan' };

export function parseExpr(text: Expr, path = 'expression'): MathNode {
  let node: MathNode;
  try {
    node = parse(text);
  } catch (e) {
    throw new NatgradError(path, `cannot parse '${text}': ${e instanceof Error ? e.message : e}`);
  }
  return node.transform((n: MathNode) => {
    if (n.type === 'FunctionNode') {
      const fn = n as unknown as { fn: { name: string }; args: MathNode[] };
      const alias = FUNCTION_ALIASES[fn.fn.name];
      if (alias)
        return parse(`${alias}(x)`).transform((m: MathNode) => (m.type === 'SymbolNode' && (m as unknown as { name: string }).name === 'x' ? fn.args[0] : m));
    }
    return n;
  });
}

/** Compact text form (no spaces around operators), readable by both mathjs and algebrite. */
export function printExpr(node: MathNode): Expr {
  // Parentheses are kept where written (algebrite cannot read mathjs' minimal
  // form `2*-x`), except around single names, numbers and calls, where they never matter.
  const lean = node.transform((n: MathNode) => {
    if (n.type !== 'ParenthesisNode') return n;
    const inner = (n as unknown as { content: MathNode }).content;
    const isAtom =
      inner.type === 'SymbolNode' ||
      inner.type === 'FunctionNode' ||
      (inner.type === 'ConstantNode' && Number((inner as unknown as { value: unknown }).value) >= 0);
    return isAtom ? inner : n;
  });
  return lean.toString({ parenthesis: 'keep', implicit: 'show' }).replace(/\s+/g, '');
}

/** The name of `n` where it stands for a variable or a constant (a symbol that is not the function of a call), else null. */
export function symbolName(n: MathNode, parent: MathNode | null): string | null {
  if (n.type !== 'SymbolNode') return null;
  const isCallee = parent !== null && parent.type === 'FunctionNode' && (parent as unknown as { fn: MathNode }).fn === n;
  return isCallee ? null : (n as unknown as { name: string }).name;
}

export function freeVariables(text: Expr): Set<string> {
  const out = new Set<string>();
  parseExpr(text).traverse((n: MathNode, _path: string, parent: MathNode | null) => {
    const name = symbolName(n, parent);
    if (name !== null && !(name in CONSTANTS)) out.add(name);
  });
  return out;
}

/** Replaces variables by expressions, all at once (so a swap a<->b works). */
export function substituteVariables(text: Expr, values: Record<string, Expr | number>): Expr {
  const parsed: Record<string, MathNode> = {};
  for (const [k, v] of Object.entries(values)) parsed[k] = parse(typeof v === 'number' ? numberLiteral(v) : `(${v})`);
  const out = parseExpr(text).transform((n: MathNode, _path: string, parent: MathNode | null) => {
    const name = symbolName(n, parent);
    return name !== null && name in parsed ? parsed[name] : n;
  });
  return printExpr(out);
}

/** A number as an exact literal where possible (integers, simple fractions), else its shortest decimal form. */
export function numberLiteral(v: number): string {
  if (Number.isInteger(v)) return v < 0 ? `(${v})` : String(v);
  return v < 0 ? `(${v})` : String(v);
}

export type CompiledExpr = (scope: Record<string, number>) => number;

/**
 * Evaluators by expression text: parsing costs far more than evaluating, and
 * identity tests and step checks evaluate the same expressions at many points.
 */
const evaluators = new Map<string, Evaluator>();
const values = new Map<string, CompiledExpr>();
const EVALUATORS_KEPT = 20_000;

function evaluatorOf(text: Expr): Evaluator {
  let ev = evaluators.get(text);
  if (!ev) {
    ev = buildEvaluator(parseExpr(text));
    if (evaluators.size < EVALUATORS_KEPT) evaluators.set(text, ev);
  }
  return ev;
}

/** Compiles an expression to a plain function of its variables (throws on unknown functions). */
export function compileExpr(text: Expr): CompiledExpr {
  let f = values.get(text);
  if (!f) {
    f = buildValue(parseExpr(text));
    if (values.size < EVALUATORS_KEPT) values.set(text, f);
  }
  return f;
}

/**
 * Value and a first-order bound on its rounding error, propagated through the
 * expression tree. The numeric identity test uses the bound so that an exact
 * identity whose two sides cancel catastrophically is not rejected, while a
 * wrong identity still is.
 */
export function evaluateWithError(text: Expr, scope: Record<string, number>): { value: number; error: number } {
  const value = evaluatorOf(text)(scope);
  return { value, error: lastError };
}

const EPS = 2.220446049250313e-16;

// Evaluation runs in Monte Carlo loops of millions of nodes: a node returns its
// value and leaves its error bound here (evaluation is synchronous), so that
// no pair is allocated per node.
let lastError = 0;
type Evaluator = (scope: Record<string, number>) => number;

function variable(scope: Record<string, number>, name: string): number {
  const v = scope[name];
  if (v === undefined) throw new NatgradError('expression', `no value for variable '${name}'`);
  return v;
}

function functionOf(fnode: { fn: { name: string }; args: MathNode[] }): (typeof FUNCTIONS)[string] {
  const name = fnode.fn.name;
  const impl = FUNCTIONS[name];
  if (!impl) throw new NatgradError('expression', `unknown function '${name}' (known: ${[...KNOWN_FUNCTIONS].join(', ')})`);
  if (fnode.args.length !== 1) throw new NatgradError('expression', `${name} takes one argument, got ${fnode.args.length}`);
  return impl;
}

/**
 * The value alone, as one generated JavaScript function with the same
 * operations as buildEvaluator (so the same numbers): Monte Carlo step checks
 * evaluate expressions of hundreds of nodes at millions of points. The code
 * holds only number literals, numbered locals and calls of FUNCTIONS;
 * variable names reach it as JSON string literals.
 */
function buildValue(root: MathNode): CompiledExpr {
  const names = new Map<string, string>();
  const local = (name: string): string => {
    let v = names.get(name);
    if (!v) names.set(name, (v = `v${names.size}`));
    return v;
  };
  const used = new Map<string, string>();
  const fn = (name: string): string => {
    let v = used.get(name);
    if (!v) used.set(name, (v = `f${used.size}`));
    return v;
  };
  const code = (node: MathNode): string => {
    switch (node.type) {
      case 'ConstantNode': {
        const v = Number((node as unknown as { value: unknown }).value);
        return `(${v})`;
      }
      case 'SymbolNode': {
        const name = (node as unknown as { name: string }).name;
        return name in CONSTANTS ? `(${CONSTANTS[name]})` : local(name);
      }
      case 'ParenthesisNode':
        return code((node as unknown as { content: MathNode }).content);
      case 'OperatorNode': {
        const op = node as unknown as { op: string; fn: string; args: MathNode[] };
        if (op.args.length === 1) {
          if (op.fn === 'unaryMinus') return `(-${code(op.args[0])})`;
          if (op.fn === 'unaryPlus') return code(op.args[0]);
          throw new NatgradError('expression', `operator '${op.op}' is not supported`);
        }
        const symbol = ({ add: '+', subtract: '-', multiply: '*', divide: '/' } as Record<string, string>)[op.fn];
        if (symbol) return `(${code(op.args[0])}${symbol}${code(op.args[1])})`;
        if (op.fn === 'pow') return `Math.pow(${code(op.args[0])},${code(op.args[1])})`;
        throw new NatgradError('expression', `operator '${op.op}' is not supported`);
      }
      case 'FunctionNode': {
        const fnode = node as unknown as { fn: { name: string }; args: MathNode[] };
        functionOf(fnode);
        return `${fn(fnode.fn.name)}(${code(fnode.args[0])})`;
      }
      default:
        throw new NatgradError('expression', `unsupported syntax (${node.type}) in '${node.toString()}'`);
    }
  };
  const body = code(root);
  const reads = [...names].map(([name, v]) => `const ${v} = variable(s, ${JSON.stringify(name)});`);
  const fns = [...used].map(([name, v]) => `const ${v} = FUNCTIONS[${JSON.stringify(name)}].f;`);
  // The Function constructor compiles source generated from a parsed expression tree.
  return new Function('FUNCTIONS', 'variable', `${fns.join('\n')}\nreturn (s) => {\n${reads.join('\n')}\nreturn ${body};\n};`)(
    FUNCTIONS,
    variable,
  ) as CompiledExpr;
}

function buildEvaluator(node: MathNode): Evaluator {
  switch (node.type) {
    case 'ConstantNode': {
      const v = Number((node as unknown as { value: unknown }).value);
      const e = EPS * Math.abs(v);
      return () => {
        lastError = e;
        return v;
      };
    }
    case 'SymbolNode': {
      const name = (node as unknown as { name: string }).name;
      if (name in CONSTANTS) {
        const c = CONSTANTS[name];
        return () => {
          lastError = EPS * c;
          return c;
        };
      }
      return (scope) => {
        const v = variable(scope, name);
        lastError = EPS * Math.abs(v);
        return v;
      };
    }
    case 'ParenthesisNode':
      return buildEvaluator((node as unknown as { content: MathNode }).content);
    case 'OperatorNode': {
      const op = node as unknown as { op: string; fn: string; args: MathNode[] };
      const args = op.args.map(buildEvaluator);
      if (args.length === 1) {
        const fa = args[0];
        if (op.fn === 'unaryMinus') return (s) => -fa(s);
        if (op.fn === 'unaryPlus') return fa;
        throw new NatgradError('expression', `operator '${op.op}' is not supported`);
      }
      const [fa, fb] = args;
      switch (op.fn) {
        case 'add':
          return (s) => {
            const a = fa(s);
            const ea = lastError;
            const b = fb(s);
            const v = a + b;
            lastError = ea + lastError + EPS * Math.abs(v);
            return v;
          };
        case 'subtract':
          return (s) => {
            const a = fa(s);
            const ea = lastError;
            const b = fb(s);
            const v = a - b;
            lastError = ea + lastError + EPS * Math.abs(v);
            return v;
          };
        case 'multiply':
          return (s) => {
            const a = fa(s);
            const ea = lastError;
            const b = fb(s);
            const v = a * b;
            lastError = Math.abs(a) * lastError + Math.abs(b) * ea + EPS * Math.abs(v);
            return v;
          };
        case 'divide':
          return (s) => {
            const a = fa(s);
            const ea = lastError;
            const b = fb(s);
            const v = a / b;
            lastError = (ea + Math.abs(v) * lastError) / Math.abs(b) + EPS * Math.abs(v);
            return v;
          };
        case 'pow':
          return (s) => {
            const a = fa(s);
            const ea = lastError;
            const b = fb(s);
            const eb = lastError;
            const v = Math.pow(a, b);
            const da = a === 0 ? 0 : Math.abs((b * v) / a) * ea;
            const db = a > 0 ? Math.abs(v * Math.log(a)) * eb : 0;
            lastError = da + db + 2 * EPS * Math.abs(v);
            return v;
          };
        default:
          throw new NatgradError('expression', `operator '${op.op}' is not supported`);
      }
    }
    case 'FunctionNode': {
      const fnode = node as unknown as { fn: { name: string }; args: MathNode[] };
      const impl = functionOf(fnode);
      const arg = buildEvaluator(fnode.args[0]);
      return (s) => {
        const a = arg(s);
        const ea = lastError;
        const v = impl.f(a);
        lastError = Math.abs(impl.df(a)) * ea + 4 * EPS * Math.abs(v);
        return v;
      };
    }
    default:
      throw new NatgradError('expression', `unsupported syntax (${node.type}) in '${node.toString()}'`);
  }
}
