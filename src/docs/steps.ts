/**
 * Derivation steps as Markdown: a numbered heading, the reason, the displayed
 * equations and how the step was checked. The equations and the check (the
 * computer algebra's printed forms and whether it or the numeric identity test
 * settled an identity can change with the machine's speed) go in a computed
 * block that `natgrad docs --check` does not compare; titles and reasons are
 * compared exactly.
 */
import type { DerivationStep, StepCheck } from '../families/steps.js';
import { equationLines } from './display.js';
import { computed } from './markdown.js';

const METHOD_NAME: Record<StepCheck['method'], string> = {
  symbolic: 'symbolic',
  'numeric-identity': 'numeric identity test',
  'finite-differences': 'finite differences',
  'numeric-density': 'numeric log-density',
  'exact-sum': 'exact sums',
  quadrature: 'quadrature',
  'monte-carlo': 'Monte Carlo',
  'matrix-identity': 'numeric matrix identity',
};

export function checkLine(check: StepCheck | null): string {
  if (!check) return '*A definition.*';
  return `${check.ok ? '**Checked**' : '**FAILED**'} (${METHOD_NAME[check.method]}): ${check.detail}.`;
}

/** The steps as Markdown, headings at `level` (e.g. '####'), numbered from 1. */
export function renderSteps(steps: readonly DerivationStep[], level: string): string[] {
  const out: string[] = [];
  steps.forEach((s, k) => {
    out.push(`${level} ${k + 1}. ${s.title}`, '', s.reason, '');
    const body = [...s.equations.flatMap((eq) => [...equationLines(eq), '']), checkLine(s.check)];
    out.push(computed(body.join('\n').replace(/\n{3,}/g, '\n\n')), '');
  });
  return out;
}
