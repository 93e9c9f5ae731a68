/**
 * Small symbolic matrix algebra on expression strings, for building proof
 * steps: products that skip structural zeros, transposes, the inverse of a
 * 1x1 or 2x2 matrix by the adjugate, and composition of parameter maps.
 */
import { diff, freeVariables, simplify, substituteVariables, type Expr } from '../src/symbolic/index.js';

export type ExprMatrix = Expr[][];

const isZero = (e: Expr): boolean => e === '0' || e === '(0)' || e === '-0';

/** a * b with zero terms dropped; entries are left unsimplified. */
export function mulExpr(a: readonly (readonly Expr[])[], b: readonly (readonly Expr[])[]): ExprMatrix {
  const n = a.length;
  const k = b.length;
  const m = b[0].length;
  const out: ExprMatrix = [];
  for (let i = 0; i < n; i++) {
    out.push([]);
    for (let j = 0; j < m; j++) {
      const terms: string[] = [];
      for (let l = 0; l < k; l++) if (!isZero(a[i][l]) && !isZero(b[l][j])) terms.push(`(${a[i][l]})*(${b[l][j]})`);
      out[i].push(terms.length === 0 ? '0' : terms.join('+'));
    }
  }
  return out;
}

export function transposeExpr(a: readonly (readonly Expr[])[]): ExprMatrix {
  return a[0].map((_, j) => a.map((row) => row[j]));
}

/** The inverse of a 1x1 or 2x2 matrix through the adjugate. */
export function inverseExpr(a: readonly (readonly Expr[])[]): ExprMatrix {
  if (a.length === 1) return [[`1/(${a[0][0]})`]];
  if (a.length !== 2) throw new Error(`inverseExpr handles 1x1 and 2x2 matrices, got ${a.length}x${a.length}`);
  const det = `((${a[0][0]})*(${a[1][1]})-(${a[0][1]})*(${a[1][0]}))`;
  return [
    [`(${a[1][1]})/${det}`, `-(${a[0][1]})/${det}`],
    [`-(${a[1][0]})/${det}`, `(${a[0][0]})/${det}`],
  ];
}

export function substituteMatrix(a: readonly (readonly Expr[])[], values: Record<string, Expr>): ExprMatrix {
  return a.map((row) => row.map((e) => (isZero(e) ? '0' : substituteVariables(e, values))));
}

/** d outputs[i] / d variables[j], each entry simplified when the backend manages in time. */
export function jacobianExpr(outputs: readonly Expr[], variables: readonly string[]): ExprMatrix {
  return outputs.map((o) => variables.map((v) => simplifySafely(diff(o, v))));
}

/**
 * simplify, unless the result has variables the input had not: the backend
 * rewrites e.g. log(sqrt(-1/(2*eta2))) with the imaginary unit i, which is
 * correct over the complex numbers but not an expression in our language.
 */
export function simplifySafely(e: Expr): Expr {
  const before = freeVariables(e);
  const out = simplify(e);
  return [...freeVariables(out)].every((v) => before.has(v)) ? out : e;
}

/** A column vector of symbols. */
export const columnOf = (symbols: readonly string[]): ExprMatrix => symbols.map((s) => [s]);
