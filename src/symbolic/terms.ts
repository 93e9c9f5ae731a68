/**
 * The terms of a sum of mathjs nodes with their signs: the one reading of
 * `a - (b + c)` as +a, -b, -c that the LaTeX printer and the moment
 * expansion share.
 */
import type { MathNode } from 'mathjs/number';

/** A term of a sum and its sign (±1). */
export interface SignedTerm {
  sign: number;
  node: MathNode;
}

/** The node inside any parentheses. */
export function unwrapParentheses(node: MathNode): MathNode {
  while (node.type === 'ParenthesisNode') node = (node as unknown as { content: MathNode }).content;
  return node;
}

/**
 * The terms of `node`, a sum or difference of terms, each with its sign
 * (times `sign`), left to right. With `negations`, a unary minus flips the
 * sign of its operand's terms; without, `-x` is a term of its own (as the
 * printer shows it).
 */
export function signedTerms(node: MathNode, negations: boolean, sign = 1, out: SignedTerm[] = []): SignedTerm[] {
  const n = unwrapParentheses(node);
  if (n.type === 'OperatorNode') {
    const op = n as unknown as { fn: string; args: MathNode[] };
    if (op.fn === 'add' || op.fn === 'subtract') {
      signedTerms(op.args[0], negations, sign, out);
      signedTerms(op.args[1], negations, op.fn === 'add' ? sign : -sign, out);
      return out;
    }
    if (negations && op.fn === 'unaryMinus') return signedTerms(op.args[0], negations, -sign, out);
  }
  out.push({ sign, node: n });
  return out;
}
