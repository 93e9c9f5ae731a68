/** One page per family: the model, its exponential-family structure, and the three routes per parameterization. */
import type { FisherDerivation } from '../families/derive.js';
import type { FamilyDefinition, FamilyInstance } from '../families/types.js';
import { matrixToLatex, toLatex, symbolTex } from '../symbolic/index.js';
import { computed, displayMath, escapeCell, math } from './markdown.js';

function exprList(values: readonly string[]): string {
  return values.map((v) => math(toLatex(v))).join(', ');
}

function stepValue(v: string | string[] | string[][]): string {
  if (typeof v === 'string') return math(toLatex(v));
  if (Array.isArray(v[0])) return displayMath(matrixToLatex(v as string[][]));
  return (v as string[]).map((e) => `\`${e}\``).join('; ');
}

export interface FamilyPageInput {
  def: FamilyDefinition;
  dims: (number | undefined)[];
  derivation: (parameterization: string, dim?: number) => FisherDerivation;
}

export function familyPageName(family: string): string {
  return `family-${family}.md`;
}

export function renderFamilyPage({ def, dims, derivation }: FamilyPageInput): string {
  const out: string[] = [`# The Fisher information of the ${def.name} family`, ''];
  for (const dim of dims) {
    const inst: FamilyInstance = def.instance(dim);
    if (dim !== undefined) out.push(`## Dimension ${dim}`, '');
    out.push(`Data variables: ${inst.dataVars.map((v) => math(symbolTex(v))).join(', ')}; support: ${inst.support.kind}.`, '');
    out.push('Log-density (base parameterization):', '', displayMath(`\\log p = ${toLatex(inst.logDensity)}`), '');
    if (Object.keys(inst.fixed).length) out.push(`Fixed: ${Object.keys(inst.fixed).map((k) => math(symbolTex(k))).join(', ')}.`, '');
    if (inst.expFamily) {
      const ef = inst.expFamily;
      out.push('Exponential-family structure:', '');
      out.push(`* statistics $T$: ${exprList(ef.statistics)}`);
      out.push(`* natural parameters $\\eta(\\theta)$: ${exprList(ef.natural)}`);
      out.push(`* log-partition: ${math(`A(\\eta) = ${toLatex(ef.logPartition)}`)}`, '');
    } else {
      out.push(`Not an exponential family: ${inst.notExponentialFamily ?? ''}`, '');
    }
    if (inst.hessianRouteFails) out.push(`The Hessian route does not apply: ${inst.hessianRouteFails}`, '');
    for (const p of inst.parameterizations) {
      const d = derivation(p.name, dim);
      out.push(`### ${p.name}${dim !== undefined ? ` (dimension ${dim})` : ''}`, '');
      out.push(`Parameters: ${p.paramNames.map((n) => `\`${n}\``).join(', ')}.`, '');
      if (p.name !== inst.base) out.push(`Map to the base parameterization: ${Object.entries(p.toBase).map(([k, v]) => math(`${symbolTex(k)} = ${toLatex(v)}`)).join(', ')}.`, '');
      out.push(`Literature (${p.literatureSource}):`, '', displayMath(`F = ${matrixToLatex(p.literatureFisher)}`), '');
      const routeLines: string[] = [];
      for (const r of d.routes.slice(0, 2)) {
        routeLines.push(`**${r.route} route**: ${r.note}`, '');
        if (r.matrix) {
          for (const s of r.steps) routeLines.push(`* ${s.label}: ${stepValue(s.value as string | string[] | string[][])}`);
          routeLines.push('', displayMath(`F = ${matrixToLatex(r.matrix)}`), '');
        }
      }
      for (const c of d.comparisons) {
        const counts = new Map<string, number>();
        for (const e of c.entries) counts.set(e.method ?? 'refuted', (counts.get(e.method ?? 'refuted') ?? 0) + 1);
        routeLines.push(`${c.lhs} = ${c.rhs}: ${c.equal ? 'proved' : 'REFUTED'} (${[...counts].map(([m, k]) => `${k} ${m}`).join(', ')}).`);
      }
      out.push(computed(routeLines.join('\n')), '');
      out.push(`Checked numerically by \`natgrad verify --filter fisher/${def.name}/${p.name}\`${d.comparisons.length === 0 ? ' (the literature form against quadrature and Monte Carlo)' : ''}.`, '');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

export function familyIndexRows(def: FamilyDefinition, dims: (number | undefined)[], derivation: (p: string, dim?: number) => FisherDerivation): string[] {
  const rows: string[] = [];
  for (const dim of dims) {
    const inst = def.instance(dim);
    for (const p of inst.parameterizations) {
      const d = derivation(p.name, dim);
      const routes = d.comparisons.length ? d.comparisons.map((c) => `${c.lhs} = literature`).join('; ') : 'literature only; quadrature and Monte Carlo';
      rows.push(`| [${def.name} ${p.name}${dim !== undefined ? ` (${dim})` : ''}](${familyPageName(def.name)}) | Fisher information, three routes | ${escapeCell(p.literatureSource)} | ${routes} | \`fisher/${def.name}/${p.name}\` |`);
    }
  }
  return rows;
}
