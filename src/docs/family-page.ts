/**
 * One page per family: the model and its exponential-family structure, then
 * per parameterization the derivation of the Fisher information step by step
 * (log-density, score, Hessian, moments, expectation, Fisher), the
 * exponential-family route as steps, and the proof that the routes agree.
 */
import type { FisherDerivation } from '../families/derive.js';
import type { FamilyDefinition, FamilyInstance } from '../families/types.js';
import { symbolTex, toLatex } from '../symbolic/index.js';
import { equationLines } from './display.js';
import { computed, escapeCell, math, TEX_LIMIT } from './markdown.js';
import { renderSteps } from './steps.js';

export interface FamilyPageInput {
  def: FamilyDefinition;
  dims: (number | undefined)[];
  derivation: (parameterization: string, dim?: number) => FisherDerivation;
}

export function familyPageName(family: string): string {
  return `family-${family}.md`;
}

/** A short list of expressions inline, or displayed one per line when long. */
function exprList(values: readonly string[]): string {
  const inline = values.map((v) => math(toLatex(v)));
  return inline.join(', ').length <= TEX_LIMIT
    ? inline.join(', ')
    : `\n\n${values.map((v, k) => equationLines({ lhs: `(\\cdot)_{${k}}`, rhs: { expr: v } }).join('\n')).join('\n\n')}\n`;
}

function structureLines(inst: FamilyInstance): string[] {
  const out: string[] = [];
  out.push(`Data: ${inst.dataVars.map((v) => math(symbolTex(v))).join(', ')}; support: ${inst.support.kind}.`, '');
  if (Object.keys(inst.fixed).length)
    out.push(
      `Fixed (known) parameters: ${Object.keys(inst.fixed)
        .map((k) => math(symbolTex(k)))
        .join(', ')}.`,
      '',
    );
  out.push('Log-density in the base parameterization:', '', ...equationLines({ lhs: '\\log p', rhs: { expr: inst.logDensity } }), '');
  if (inst.expFamily) {
    const ef = inst.expFamily;
    out.push(
      'An exponential family, $\\log p = \\langle\\eta(\\theta), T(x)\\rangle - A(\\eta) + \\log h(x)$, with',
      '',
      `* statistics $T$: ${exprList(ef.statistics)}`,
      `* natural parameters ${math(`(${ef.etaSymbols.map(symbolTex).join(', ')})`)}: ${exprList(ef.natural)}`,
      `* log-partition:`,
      '',
      ...equationLines({ lhs: 'A(\\eta)', rhs: { expr: ef.logPartition } }),
      '',
    );
  } else {
    out.push(`Not an exponential family: ${inst.notExponentialFamily ?? ''}`, '');
  }
  return out;
}

function agreementLines(d: FisherDerivation): string[] {
  const lines: string[] = [];
  for (const c of d.comparisons) {
    const counts = new Map<string, number>();
    for (const e of c.entries) counts.set(e.method ?? 'refuted', (counts.get(e.method ?? 'refuted') ?? 0) + 1);
    lines.push(`* ${c.lhs} = ${c.rhs}: ${c.equal ? 'proved' : 'REFUTED'} entry by entry (${[...counts].map(([m, k]) => `${k} ${m}`).join(', ')}).`);
  }
  return lines;
}

export function renderFamilyPage({ def, dims, derivation }: FamilyPageInput): string {
  const out: string[] = [
    `# The Fisher information of the ${def.name} family`,
    '',
    'Each parameterization is derived step by step: the log-density, the score, the Hessian, the moments the expectation needs and where they come ' +
      'from, and the Fisher matrix; then again through the exponential-family structure. Every step names how it was checked: against an independent ' +
      'numeric computation (finite differences, quadrature or exact sums, Monte Carlo) at random points, or by the computer algebra.',
    '',
  ];
  for (const dim of dims) {
    const inst: FamilyInstance = def.instance(dim);
    const h = dim === undefined ? '##' : '###';
    if (dim !== undefined) out.push(`## Dimension ${dim}`, '');
    out.push(...structureLines(inst));
    for (const p of inst.parameterizations) {
      const d = derivation(p.name, dim);
      out.push(`${h} ${p.name}${dim !== undefined ? ` (dimension ${dim})` : ''}`, '');
      out.push(`Parameters ${math(`\\theta = (${p.symbols.map(symbolTex).join(', ')})`)} (in JSON: ${p.paramNames.map((n) => `\`${n}\``).join(', ')}).`, '');
      if (p.name !== inst.base)
        out.push(
          `Map to the base parameters: ${Object.entries(p.toBase)
            .map(([k, v]) => math(`${symbolTex(k)} = ${toLatex(v)}`))
            .join(', ')}.`,
          '',
        );
      out.push(`${h}# From the log-density to the Fisher information`, '');
      out.push(...renderSteps(d.steps, `${h}##`));
      if (d.exponentialFamilySteps.length) {
        out.push(`${h}# The exponential-family route`, '');
        out.push(...renderSteps(d.exponentialFamilySteps, `${h}##`));
      }
      out.push(`${h}# The routes agree`, '');
      const agree = agreementLines(d);
      if (agree.length) out.push(computed(agree.join('\n')), '');
      else out.push('Only the literature route applies; its closed form is checked against $\\mathbb{E}[s s^\\top]$ above.', '');
      out.push(
        `Checked numerically by \`natgrad verify --filter fisher/${def.name}/${p.name}\`${d.comparisons.length === 0 ? ' (the literature form against quadrature and Monte Carlo)' : ''}.`,
        '',
      );
    }
  }
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

export function familyIndexRows(def: FamilyDefinition, dims: (number | undefined)[], derivation: (p: string, dim?: number) => FisherDerivation): string[] {
  const rows: string[] = [];
  for (const dim of dims) {
    const inst = def.instance(dim);
    for (const p of inst.parameterizations) {
      const d = derivation(p.name, dim);
      const routes = d.comparisons.length ? d.comparisons.map((c) => `${c.lhs} = literature`).join('; ') : 'literature only; quadrature and Monte Carlo';
      rows.push(
        `| [${def.name} ${p.name}${dim !== undefined ? ` (${dim})` : ''}](${familyPageName(def.name)}) | Fisher information, step by step and three routes | ${escapeCell(p.literatureSource)} | ${routes} | \`fisher/${def.name}/${p.name}\` |`,
      );
    }
  }
  return rows;
}
