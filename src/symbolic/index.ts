/**
 * The symbolic facade: the rest of natgrad uses expressions only through
 * these functions, so the computer-algebra libraries behind them can change
 * and be held to one conformance suite (test/symbolic/conformance.test.ts).
 *
 * @module natgrad/symbolic
 */
export type { Expr, CompiledExpr } from './ast.js';
export { parseExpr, printExpr, freeVariables, substituteVariables, compileExpr, evaluateWithError, KNOWN_FUNCTIONS } from './ast.js';
export { simplify, tidy, expand, diff, gradient, hessian, jacobian, isSymbolicallyZero } from './calculus.js';
export { proveEqual, type Proof, type ProofMethod, type ProveOptions } from './prove.js';
export { toLatex, matrixToLatex, symbolTex } from './latex.js';
export { nameSubexpressions, expandNames, rememberNamings, namingsUsed, type NamedExpressions, type KnownNaming } from './subexpressions.js';
export { BackendError } from './backend.js';
export { expectationByMoments, monomialKey } from './moments.js';
export { lgamma, digamma, trigamma } from './special.js';
