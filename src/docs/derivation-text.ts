/**
 * Derivation steps as plain text for a terminal (`natgrad derive`):
 * expressions in the expression language, matrices row by row, and how each
 * step was checked.
 */
import type { DerivationStep, Equation } from '../families/steps.js';
import { checkLine } from './steps.js';

const TEX_WORDS: [RegExp, string][] = [
  [/\\mathbb\{E\}/g, 'E'],
  [/\\operatorname\{([^}]*)\}/g, '$1'],
  [/\\mathrm\{([^}]*)\}/g, '$1'],
  [/\\text\{([^}]*)\}/g, '$1'],
  [/\\tfrac12|\\frac12/g, '½'],
  [/\\t?frac\{([^{}]*)\}\{([^{}]*)\}/g, '($1)/($2)'],
  [/\^\{-1\}/g, '⁻¹'],
  [/\^\\top/g, 'ᵀ'],
  [/\^\{?2\}?/g, '²'],
  [/\\nabla/g, '∇'],
  [/\\partial ?/g, '∂'],
  [/\\otimes/g, '⊗'],
  [/\\langle/g, '⟨'],
  [/\\rangle/g, '⟩'],
  [/\\(big|Big|left|right)/g, ''],
  [/\\[,;:!]/g, ' '],
  [/\\ne\b/g, '≠'],
  [/\\le\b/g, '≤'],
  [/\\cdot/g, '·'],
  [/\\int/g, '∫'],
  [/\\quad/g, '  '],
  [/\\(alpha|beta|gamma|delta|eta|theta|lambda|mu|nu|pi|sigma|phi|psi|Sigma|Lambda|Gamma|Phi|Psi|Delta|Theta)\b/g, '\\$1'],
];
const GREEK_TEXT: Record<string, string> = {
  alpha: 'α',
  beta: 'β',
  gamma: 'γ',
  delta: 'δ',
  eta: 'η',
  theta: 'θ',
  lambda: 'λ',
  mu: 'μ',
  nu: 'ν',
  pi: 'π',
  sigma: 'σ',
  phi: 'φ',
  psi: 'ψ',
  Sigma: 'Σ',
  Lambda: 'Λ',
  Gamma: 'Γ',
  Phi: 'Φ',
  Psi: 'Ψ',
  Delta: 'Δ',
  Theta: 'Θ',
};

/** Inline TeX of a reason made readable in a terminal: Greek letters, ᵀ, ⁻¹, ½, no dollars or braces. */
export function texToText(markdown: string): string {
  let s = markdown.replace(/\$/g, '');
  for (const [re, to] of TEX_WORDS) s = s.replace(re, to);
  s = s.replace(/\\([A-Za-z]+)/g, (_m, name: string) => GREEK_TEXT[name] ?? `${name} `);
  return s
    .replace(/_\{([^{}]*)\}/g, '_$1')
    .replace(/[{}]/g, '')
    .replace(/ {2,}/g, ' ');
}

function equationText(eq: Equation): string[] {
  const lhs = eq.text ?? eq.lhs;
  const v = eq.rhs;
  if ('tex' in v) return [`${lhs} = ${v.text ?? v.tex}`];
  if ('expr' in v) return [`${lhs} = ${v.expr}`];
  return [`${lhs} =`, ...v.matrix.map((row, i) => `  [${i}] ${row.join('   |   ')}`)];
}

/** The steps as indented text lines, numbered from 1. */
export function stepsText(steps: readonly DerivationStep[], indent = '  '): string[] {
  const out: string[] = [];
  steps.forEach((s, k) => {
    out.push(`${indent}${k + 1}. ${s.title}: ${texToText(s.reason)}`);
    for (const eq of s.equations) out.push(...equationText(eq).map((l) => `${indent}   ${l}`));
    out.push(`${indent}   ${checkLine(s.check).replace(/\*/g, '')}`);
  });
  return out;
}
