/**
 * Displayed equations that fit a screen by construction: every formula this
 * module writes has at most TEX_LIMIT characters of LaTeX. A matrix too wide
 * to show whole is shown entry by entry; an expression too long to show is
 * shown with named subexpressions, defined below it.
 */
import type { Equation } from '../families/steps.js';
import { matrixToLatex, nameSubexpressions, symbolTex, toLatex, type Expr } from '../symbolic/index.js';
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
      if (e === '0') { zeros.push(entryLhs(i, j)); continue; }
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
