/**
 * Proofs as GitHub-flavoured Markdown with $...$ LaTeX, for `natgrad docs`.
 * The output depends only on the proof and its outcome (no times, no dates),
 * so committed docs can be compared byte for byte with a fresh rendering.
 */
import { toLatex } from '../src/symbolic/index.js';
import { describeMethods } from './runner.js';
import type { Proof, ProofOutcome, StepOutcome } from './types.js';

/** Steps whose two sides together are longer than this are shown by their claim only. */
export const EQUATION_DISPLAY_MAX_LENGTH = 240;

const METHOD_TEXT: Record<string, string> = {
  symbolic: 'symbolically (the computer algebra reduced lhs - rhs to 0; confirmed at random points)',
  'numeric-identity': 'by the numeric identity test (equal at random points of the domain, within the rounding-error bound)',
};

function formatNumber(x: number): string {
  return x === 0 ? '0' : x.toExponential(1);
}

function stepHow(s: StepOutcome): string {
  if (!s.equal) {
    const at = s.counterexample ? ` at ${Object.entries(s.counterexample.point).map(([k, v]) => `${k} = ${formatNumber(v)}`).join(', ')} (lhs ${formatNumber(s.counterexample.lhs)}, rhs ${formatNumber(s.counterexample.rhs)})` : '';
    return `**refuted**${at}`;
  }
  return `proved ${METHOD_TEXT[s.method ?? ''] ?? s.method}; ${s.points} points, largest relative difference beyond round-off ${formatNumber(s.maxRelErr)}`;
}

function equationTex(lhs: string, rhs: string): string | null {
  if (lhs.length + rhs.length > EQUATION_DISPLAY_MAX_LENGTH) return null;
  try {
    return `$$${toLatex(lhs)} = ${toLatex(rhs)}$$`;
  } catch {
    return null;
  }
}

/** One proof page: statement, references, each step with how it was proved. */
export function renderProofMarkdown(proof: Proof, outcome: ProofOutcome): string {
  const lines: string[] = [];
  lines.push(`# ${proof.title}`, '');
  lines.push(`Identifier: \`${proof.id}\``, '');
  lines.push(`**Theorem.** ${proof.statement}`, '');
  lines.push('**References.**', '');
  for (const r of proof.references) lines.push(`- ${r}`);
  lines.push('');
  const verdict = outcome.ok ? 'every step holds' : 'NOT every step holds';
  lines.push(`**Check.** ${describeMethods(outcome)}; ${verdict}.` + (proof.property ? ` Checked numerically on random inputs by the property \`${proof.property}\`.` : ''), '');
  lines.push('## Steps', '');
  outcome.steps.forEach((s, k) => {
    const step = proof.steps[k];
    lines.push(`${k + 1}. ${s.claim}`);
    const eq = step ? equationTex(step.lhs, step.rhs) : null;
    if (eq) lines.push('', `   ${eq}`, '');
    lines.push(`   — ${stepHow(s)}.`, '');
  });
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

export interface ProofIndexEntry {
  proof: Proof;
  outcome: ProofOutcome;
  /** the page's file name, relative to the index */
  file: string;
}

/** The index table: theorem, references, how its steps were proved, the property that checks it. */
export function renderProofIndex(entries: readonly ProofIndexEntry[]): string {
  const cell = (t: string): string => t.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = ['| theorem | references | how the steps were proved | property |', '|---|---|---|---|'];
  for (const e of entries) {
    lines.push(`| [${cell(e.proof.title)}](${e.file}) | ${cell(e.proof.references.join('; '))} | ${cell(describeMethods(e.outcome))}${e.outcome.ok ? '' : ' (**fails**)'} | ${e.proof.property ? `\`${e.proof.property}\`` : ''} |`);
  }
  return `${lines.join('\n')}\n`;
}
