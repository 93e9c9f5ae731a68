/**
 * Naming subexpressions so that every displayed formula fits a screen: while
 * some expression's LaTeX is longer than the limit, the subexpression that
 * saves the most (its length times the number of places it occurs, among
 * those short enough to be shown themselves) is given a name u_1, u_2, ...
 * and replaced everywhere. Each step shortens the longest expression, so the
 * loop ends; the definitions are returned in the order a reader needs them.
 */
import { createHash } from 'node:crypto';
import type { MathNode } from 'mathjs/number';
import { freeVariables, parseExpr, printExpr, substituteVariables, symbolName, type Expr } from './ast.js';
import { toLatex } from './latex.js';

export interface NamedExpressions {
  /** the inputs with named subexpressions replaced by their names */
  readonly exprs: readonly Expr[];
  /** name -> definition, a definition may use earlier names */
  readonly definitions: readonly { readonly name: string; readonly expr: Expr }[];
}

const subtreeCache = new Map<Expr, Expr[]>();

function subtrees(text: Expr): Expr[] {
  const known = subtreeCache.get(text);
  if (known) return known;
  const out: Expr[] = [];
  parseExpr(text).traverse((n: MathNode) => {
    if (n.type === 'OperatorNode' || n.type === 'FunctionNode') out.push(printExpr(n));
  });
  if (subtreeCache.size > 5000) subtreeCache.clear();
  subtreeCache.set(text, out);
  return out;
}

/**
 * Only a subtree printed as `sub` is replaced, so an expression with no such
 * subtree (most of them, in a long identity) is returned as it is, without
 * parsing and printing every node of it again: naming took minutes on the
 * pages with the longest identities.
 */
function replaceSubtree(text: Expr, sub: Expr, name: string): Expr {
  // printed once more either way, as the replacement would print it
  if (!subtreeSet(text).has(sub)) return reprinted(text);
  const out = parseExpr(text).transform((n: MathNode) => (printExpr(n) === sub ? parseExpr(name) : n));
  return printExpr(out);
}

const reprintCache = new Map<Expr, Expr>();

function reprinted(text: Expr): Expr {
  let out = reprintCache.get(text);
  if (out === undefined) {
    out = printExpr(parseExpr(text));
    if (reprintCache.size > 5000) reprintCache.clear();
    reprintCache.set(text, out);
  }
  return out;
}

const subtreeSetCache = new Map<Expr, Set<Expr>>();

function subtreeSet(text: Expr): Set<Expr> {
  let known = subtreeSetCache.get(text);
  if (!known) {
    known = new Set(subtrees(text));
    if (subtreeSetCache.size > 5000) subtreeSetCache.clear();
    subtreeSetCache.set(text, known);
  }
  return known;
}

/**
 * Namings found earlier (`natgrad docs` keeps those of its pages in a file
 * beside them), each used only after checking it: the greedy search looks at
 * every subtree of every expression, round after round (minutes for the
 * longest identities), while checking a naming is one substitution per
 * expression. A naming that does not check (another algorithm, a changed
 * input) is computed again.
 */
export interface KnownNaming {
  readonly key: string;
  readonly named: NamedExpressions;
}
/** bump when the search changes, so that earlier namings are searched again */
const NAMING_VERSION = 1;
const known = new Map<string, NamedExpressions>();
const used = new Map<string, NamedExpressions>();

function namingKey(inputs: readonly Expr[], limit: number, prefix: string): string {
  return createHash('sha256')
    .update(JSON.stringify([NAMING_VERSION, inputs, limit, prefix]))
    .digest('hex')
    .slice(0, 32);
}

export function rememberNamings(entries: readonly KnownNaming[]): void {
  for (const e of entries) known.set(e.key, e.named);
}

/** The namings computed or reused since the process started, by key. */
export function namingsUsed(): KnownNaming[] {
  return [...used].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, named]) => ({ key, named }));
}

/** The expression tree printed with only the parentheses precedence needs (mathjs' `auto`): equal for equal trees. */
function withoutParentheses(text: Expr): Expr {
  return printedWithoutParentheses(parseExpr(text));
}

/** Whether `named` is a naming of `inputs`: fresh names, and every expression expands back to its input. */
function namingHolds(inputs: readonly Expr[], named: NamedExpressions, prefix: string): boolean {
  if (named.exprs.length !== inputs.length) return false;
  const taken = new Set(inputs.flatMap((e) => [...freeVariables(e)]));
  const names = new Set<string>();
  for (const d of named.definitions) {
    if (!d.name.startsWith(prefix) || taken.has(d.name) || names.has(d.name)) return false;
    names.add(d.name);
  }
  // in reading order: a definition uses only the names defined before it
  const later = new Set(names);
  for (const d of named.definitions) {
    for (const v of freeVariables(d.expr)) if (later.has(v)) return false;
    later.delete(d.name);
  }
  try {
    const expand = treeExpander(named.definitions);
    return inputs.every((e, k) => printedWithoutParentheses(expand(parseExpr(named.exprs[k]))) === withoutParentheses(e));
  } catch {
    return false;
  }
}

function printedWithoutParentheses(node: MathNode): Expr {
  return node.toString({ parenthesis: 'auto', implicit: 'show' }).replace(/\s+/g, '');
}

/**
 * The names replaced by their definitions on the parsed tree, each definition
 * parsed and expanded once: expanding by text (`expandNames`) parses and prints
 * the whole growing expression once per name, which made checking a remembered
 * naming cost a third of `natgrad docs`. Printed without parentheses, the tree
 * is the one `expandNames`' text parses to.
 */
function treeExpander(definitions: NamedExpressions['definitions']): (node: MathNode) => MathNode {
  const byName = new Map(definitions.map((d) => [d.name, d.expr]));
  const expanded = new Map<string, MathNode>();
  const expand = (node: MathNode): MathNode =>
    node.transform((n: MathNode, _path: string, parent: MathNode | null) => {
      const name = symbolName(n, parent);
      const definition = name === null ? undefined : byName.get(name);
      if (name === null || definition === undefined) return n;
      let tree = expanded.get(name);
      if (!tree) {
        tree = expand(parseExpr(definition));
        expanded.set(name, tree);
      }
      return tree;
    });
  return expand;
}

export function nameSubexpressions(inputs: readonly Expr[], limit: number, prefix = 'u'): NamedExpressions {
  const key = namingKey(inputs, limit, prefix);
  const earlier = known.get(key);
  if (earlier && namingHolds(inputs, earlier, prefix)) {
    used.set(key, earlier);
    return earlier;
  }
  const named = searchNames(inputs, limit, prefix);
  used.set(key, named);
  return named;
}

function searchNames(inputs: readonly Expr[], limit: number, prefix: string): NamedExpressions {
  const used = new Set(inputs.flatMap((e) => [...freeVariables(e)]));
  let exprs = [...inputs];
  const definitions: { name: string; expr: Expr }[] = [];
  let counter = 0;
  const lengths = new Map<Expr, number>();
  const texLength = (e: Expr): number => {
    let n = lengths.get(e);
    if (n === undefined) {
      n = toLatex(e).length;
      lengths.set(e, n);
    }
    return n;
  };
  for (let round = 0; round < 200; round++) {
    const all = [...exprs, ...definitions.map((d) => d.expr)];
    const lengths = all.map(texLength);
    const longest = lengths.indexOf(Math.max(...lengths));
    if (lengths[longest] <= limit) break;
    const target = all[longest];
    let best: { sub: Expr; gain: number } | null = null;
    const everywhere = all.flatMap(subtrees);
    const counts = new Map<Expr, number>();
    for (const t of everywhere) counts.set(t, (counts.get(t) ?? 0) + 1);
    for (const sub of new Set(subtrees(target))) {
      if (sub === target) continue;
      const len = texLength(sub);
      if (len > limit || len < 8) continue;
      const count = counts.get(sub) ?? 1;
      const gain = len * count;
      if (!best || gain > best.gain) best = { sub, gain };
    }
    if (!best) break;
    let name: string;
    do {
      name = `${prefix}${++counter}`;
    } while (used.has(name));
    used.add(name);
    const sub = best.sub;
    exprs = exprs.map((e) => replaceSubtree(e, sub, name));
    for (const d of definitions) d.expr = replaceSubtree(d.expr, sub, name);
    definitions.push({ name, expr: sub });
  }
  return { exprs, definitions: inReadingOrder(definitions) };
}

/** Definitions ordered so that each uses only names defined before it. */
function inReadingOrder(definitions: { name: string; expr: Expr }[]): { name: string; expr: Expr }[] {
  const byName = new Map(definitions.map((d) => [d.name, d]));
  const out: { name: string; expr: Expr }[] = [];
  const done = new Set<string>();
  const visit = (d: { name: string; expr: Expr }): void => {
    if (done.has(d.name)) return;
    done.add(d.name);
    for (const v of freeVariables(d.expr)) {
      const dep = byName.get(v);
      if (dep) visit(dep);
    }
    out.push(d);
  };
  definitions.forEach(visit);
  return out;
}

/** The expression with every name replaced by its definition (for evaluating a named form). */
export function expandNames(text: Expr, definitions: NamedExpressions['definitions']): Expr {
  let out = text;
  for (let k = definitions.length - 1; k >= 0; k--) out = substituteVariables(out, { [definitions[k].name]: definitions[k].expr });
  return out;
}
