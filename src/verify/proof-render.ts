/**
 * Proofs as GitHub-flavoured Markdown with $...$ LaTeX, for `natgrad docs`:
 * the theorem, its references, the definitions it uses, then each step as a
 * displayed equation with how it was checked. Every formula fits the page's
 * limit (src/docs/display.ts). The output depends only on the proof and its
 * outcome (no times, no dates); the computer algebra's printed forms and the
 * method of each step go in computed blocks that `natgrad docs --check` masks.
 */
import { equationLines, identityLines } from '../docs/display.js';
import { computed } from '../docs/markdown.js';
import { describeMethods } from './proof-runner.js';
import type { Proof, ProofOutcome, StepOutcome } from './proof-types.js';

const METHOD_TEXT: Record<string, string> = {
  symbolic: 'symbolically (the computer algebra reduced lhs - rhs to 0; confirmed at random points)',
  'numeric-identity': 'by the numeric identity test (equal at random points of the domain, within the rounding-error bound)',
};

function formatNumber(x: number): string {
  return x === 0 ? '0' : x.toExponential(1);
}

function stepHow(s: StepOutcome): string {
  if (!s.equal) {
    const at = s.counterexample
      ? ` at ${Object.entries(s.counterexample.point)
          .map(([k, v]) => `${k} = ${formatNumber(v)}`)
          .join(', ')} (lhs ${formatNumber(s.counterexample.lhs)}, rhs ${formatNumber(s.counterexample.rhs)})`
      : '';
    return `**Refuted**${at}.`;
  }
  const method = METHOD_TEXT[s.method ?? ''] ?? s.method;
  return `**Checked** ${method}; ${s.points} points, largest relative difference beyond round-off ${formatNumber(s.maxRelErr)}.`;
}

/** One proof page: statement, references, definitions, each step with its equation and how it was proved. */
export function renderProofMarkdown(proof: Proof, outcome: ProofOutcome): string {
  const lines: string[] = [];
  lines.push(`# ${proof.title}`, '');
  lines.push(`Identifier: \`${proof.id}\``, '');
  lines.push(`**Theorem.** ${proof.statement}`, '');
  lines.push('**References.**', '');
  for (const r of proof.references) lines.push(`- ${r}`);
  lines.push('');
  const verdict = outcome.ok ? 'every step holds' : 'NOT every step holds';
  lines.push(
    `**Check.** ${describeMethods(outcome)}; ${verdict}.` +
      (proof.property ? ` Checked numerically on random inputs by the property \`${proof.property}\`.` : ''),
    '',
  );
  if (proof.setup?.length) {
    lines.push('## Definitions', '');
    lines.push(computed(proof.setup.flatMap((eq) => [...equationLines(eq), '']).join('\n')), '');
  }
  lines.push('## Steps', '');
  outcome.steps.forEach((s, k) => {
    const step = proof.steps[k];
    lines.push(`**Step ${k + 1}.** ${s.claim}`, '');
    const body = [...(step ? identityLines(step.lhs, step.rhs, step.domains) : []), '', stepHow(s)];
    lines.push(computed(body.join('\n')), '');
  });
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
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
    lines.push(
      `| [${cell(e.proof.title)}](${e.file}) | ${cell(e.proof.references.join('; '))} | ${cell(describeMethods(e.outcome))}${e.outcome.ok ? '' : ' (**fails**)'} | ${e.proof.property ? `\`${e.proof.property}\`` : ''} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
