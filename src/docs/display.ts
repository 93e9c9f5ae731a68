/**
 * Displayed equations that fit a screen by construction: every formula this
 * module writes has at most TEX_LIMIT characters of LaTeX. A matrix too wide
 * to show whole is shown entry by entry; an expression too long to show is
 * shown with named subexpressions, defined below it.
 */
import type { Equation } from '../families/steps.js';
import type { Domain } from '../core/domain.js';
import { freeVariables, matrixToLatex, nameSubexpressions, proveEqual, simplify, symbolTex, tidy, toLatex, type Expr } from '../symbolic/index.js';
import { displayMath, math, TEX_LIMIT } from './markdown.js';

/** Room left for the definitions' own `u_{12} = ` prefix. */
const NAME_ROOM = 12;

function definitionLines(definitions: readonly { name: string; expr: Expr }[]): string[] {
  if (definitions.length === 0) return [];
  return ['', 'where', '', ...definitions.flatMap((d) => [displayMath(`${symbolTex(d.name)} = ${toLatex(d.expr)}`), ''])];
}

/** Fallback when even named subexpressions do not fit (no such case in the catalogue; kept so the limit holds by construction). */
function tooLong(lhs: string, expr: Expr): string[] {
  return [`${math(lhs)} is an expression of ${expr.length} characters, too long to display; \`natgrad derive --json\` prints it.`];
}

function fits(tex: string, limit: number): boolean {
  return tex.length <= limit;
}

/** One expression `lhs = expr`, named subexpressions if needed. */
function expressionLines(lhs: string, expr: Expr, limit: number): string[] {
  const whole = `${lhs} = ${toLatex(expr)}`;
  if (fits(whole, limit)) return [displayMath(whole)];
  const named = nameSubexpressions([expr], limit - lhs.length - 3 - NAME_ROOM);
  const main = `${lhs} = ${toLatex(named.exprs[0])}`;
  if (!fits(main, limit) || named.definitions.some((d) => !fits(`${symbolTex(d.name)} = ${toLatex(d.expr)}`, limit))) return tooLong(lhs, expr);
  return [displayMath(main), ...definitionLines(named.definitions)];
}

function defaultEntryLhs(lhs: string): (i: number, j: number) => string {
  const name = lhs.split('=')[0].trim();
  return (i, j) => `(${name})_{${i}${j}}`;
}

function matrixLines(eq: Equation, m: readonly (readonly Expr[])[], symmetric: boolean, limit: number): string[] {
  const whole = `${eq.lhs} = ${matrixToLatex(m)}`;
  if (fits(whole, limit)) return [displayMath(whole)];
  const entries = m.flat();
  const named = nameSubexpressions(entries, Math.floor(limit / 2));
  const cols = m[0]?.length ?? 0;
  const namedMatrix = m.map((row, i) => row.map((_, j) => named.exprs[i * cols + j]));
  const definitionsFit = named.definitions.every((d) => fits(`${symbolTex(d.name)} = ${toLatex(d.expr)}`, limit));
  const namedWhole = `${eq.lhs} = ${matrixToLatex(namedMatrix)}`;
  if (definitionsFit && fits(namedWhole, limit)) return [displayMath(namedWhole), ...definitionLines(named.definitions)];
  // entry by entry, sharing the names across entries
  const entryLhs = eq.entryLhs ?? defaultEntryLhs(eq.lhs);
  const lines: string[] = [];
  const zeros: string[] = [];
  let lhsRoom = 0;
  for (let i = 0; i < m.length; i++) for (let j = 0; j < cols; j++) lhsRoom = Math.max(lhsRoom, entryLhs(i, j).length + 3);
  const perEntry = nameSubexpressions(entries, limit - lhsRoom - NAME_ROOM);
  for (let i = 0; i < m.length; i++) {
    for (let j = symmetric ? i : 0; j < cols; j++) {
      const e = perEntry.exprs[i * cols + j];
      if (e === '0') {
        zeros.push(entryLhs(i, j));
        continue;
      }
      const tex = `${entryLhs(i, j)} = ${toLatex(e)}`;
      lines.push(...(fits(tex, limit) ? [displayMath(tex)] : tooLong(entryLhs(i, j), m[i][j])), '');
    }
  }
  if (zeros.length) lines.push(`${symmetric ? 'The matrix is symmetric; the' : 'The'} other entries are 0: ${zeros.map(math).join(', ')}.`, '');
  else if (symmetric) lines.push('The matrix is symmetric.', '');
  const definitions = perEntry.definitions.every((d) => fits(`${symbolTex(d.name)} = ${toLatex(d.expr)}`, limit)) ? perEntry.definitions : [];
  return [...lines, ...definitionLines(definitions)].filter((l, k, all) => !(l === '' && all[k - 1] === ''));
}

/** Markdown lines displaying one equation within the limit. */
export function equationLines(eq: Equation, limit = TEX_LIMIT): string[] {
  const v = eq.rhs;
  if ('tex' in v) return [displayMath(`${eq.lhs} = ${v.tex}`)];
  if ('expr' in v) return expressionLines(eq.lhs, v.expr, limit);
  return matrixLines(eq, v.matrix, v.symmetric === true, limit);
}

/**
 * A simpler form of an expression for display, when the computer algebra
 * finds one in time and the numbers confirm it (a guard against a backend
 * bug showing a wrong formula); otherwise the expression tidied.
 */
export function displayForm(e: Expr, domains: Readonly<Record<string, Domain>>): Expr {
  const tidied = tidy(e);
  const simpler = simplify(tidied);
  if (simpler === tidied || simpler.length >= tidied.length) return tidied;
  const vars = [...freeVariables(e)];
  if (vars.some((v) => !(v in domains))) return tidied;
  try {
    return proveEqual(simpler, e, domains as Record<string, Domain>, { numericOnly: true, points: 20 }).equal ? simpler : tidied;
  } catch {
    // no points where the simpler form is finite: the backend rewrote it over the complex numbers (log(-u) as log(u) + ...), not a real form
    return tidied;
  }
}

/**
 * The identity lhs = rhs displayed within the limit: each side in its
 * simplest form the computer algebra finds (confirmed numerically), so that a
 * reader sees the two sides agree rather than two nested fractions; with
 * named subexpressions shared by the sides when that is still too long.
 */
export function identityLines(lhs: Expr, rhs: Expr, domains: Readonly<Record<string, Domain>>, limit = TEX_LIMIT): string[] {
  const texOf = ([l, r]: readonly Expr[]): string => `${toLatex(l)} = ${toLatex(r)}`;
  const simpler = [displayForm(lhs, domains), displayForm(rhs, domains)];
  if (fits(texOf(simpler), limit)) return [displayMath(texOf(simpler))];
  const named = nameSubexpressions(simpler, Math.floor((limit - 3) / 2) - NAME_ROOM);
  const main = texOf(named.exprs);
  const definitions = named.definitions.map((d) => `${symbolTex(d.name)} = ${toLatex(d.expr)}`);
  if (fits(main, limit) && definitions.every((d) => fits(d, limit)) && definitions.join('').length <= NAMED_BUDGET)
    return [displayMath(main), ...definitionLines(named.definitions)];
  // a side that needs more names than a reader can hold is described, and the other shown when it fits
  const [l, r] = simpler.map(toLatex);
  if (fits(r, limit - 20))
    return [
      `The left side, an expression of ${simpler[0].length} characters (shown by \`natgrad derive\` and re-derived by \`natgrad verify\`), equals`,
      '',
      displayMath(r),
    ];
  if (fits(l, limit - 20)) return [displayMath(l), '', `equals the right side, an expression of ${simpler[1].length} characters.`];
  return [`The two sides are expressions of ${simpler[0].length} and ${simpler[1].length} characters, too long to display.`];
}

/** Most LaTeX of named-subexpression definitions one identity may show: past this a reader cannot follow the names. */
const NAMED_BUDGET = 1200;
