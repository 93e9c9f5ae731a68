/**
 * natgrad derive FAMILY: the Fisher of a family derived step by step (each
 * step checked) and three ways (Hessian, exponential family, literature), how
 * each equality was proved, and the numeric matrix at a point. The
 * multivariate normal is derived in matrix notation at the given dimension;
 * its entrywise symbolic routes are run by `natgrad verify`.
 */
import { NatgradError } from '../core/errors.js';
import { pointInDomain } from '../core/domain.js';
import { hasOwn, rejectUnknownKeys, requireOneOf } from '../core/validate.js';
import { requireFiniteResult } from '../core/finite-result.js';
import { familyNames, familyFisherMatrix, fromBase, getFamily, getParameterization, parsePoint } from '../families/json-points.js';
import { FAMILIES } from '../families/catalogue/index.js';
import { derivationOf, matrixDerivationOf, type MatrixDerivation } from '../families/derivation-cache.js';
import type { FamilyDefinition } from '../families/types.js';
import { stepsText } from '../docs/derivation-text.js';
import { matrixToLatex } from '../symbolic/index.js';
import type { Io } from './io.js';
import { DIM_RULE } from './limits.js';
import { parseDecimal } from './numbers.js';
import { parameterizationOf } from '../families/instance.js';
import { centrePoint } from '../families/unit-points.js';

export interface DeriveOptions {
  parameterization?: string;
  at?: string;
  dim?: string;
  json?: boolean;
}

/** `text` split at the commas outside brackets: `p=[0.2,0.3],q=1` -> `p=[0.2,0.3]`, `q=1`. */
function topLevelParts(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '[') depth++;
    else if (text[i] === ']') depth--;
    else if (text[i] === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

const AT_FORM = 'name=value pairs separated by commas, numbers in decimal and vectors or matrices as JSON arrays (e.g. mu=0.3,sigma=1.7 or p=[0.2,0.3])';

/** `mu=0.3,sigma=1.7` or `p=[0.2,0.3]` into a params object; every part must be one name=value. */
function parseAt(text: string): Record<string, unknown> {
  // No prototype: a name such as __proto__ must become an own key (and be refused as unknown), not set the prototype.
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const part of topLevelParts(text)) {
    const m = /^\s*([A-Za-z_]\w*)\s*=\s*(.*?)\s*$/s.exec(part);
    if (!m) throw new NatgradError('--at', `must be ${AT_FORM}, got '${part}' in '${text}'`);
    const [, name, raw] = m;
    if (hasOwn(out, name)) throw new NatgradError(`--at.${name}`, 'is given twice');
    if (raw.startsWith('[')) {
      try {
        out[name] = JSON.parse(raw);
      } catch {
        throw new NatgradError(`--at.${name}`, `must be a decimal number or a JSON array of them, got '${raw}'`);
      }
    } else {
      out[name] = parseDecimal(raw, `--at.${name}`);
    }
  }
  return out;
}

function dimension(def: FamilyDefinition, text: string | undefined): number | undefined {
  const sized = FAMILIES.filter((f) => f.verifyDimensions).map((f) => f.name);
  if (text === undefined) return def.verifyDimensions?.[0];
  if (!def.verifyDimensions)
    throw new NatgradError(
      '--dim',
      `applies only to ${sized.join(', ')} (an integer from ${DIM_RULE.min} to ${DIM_RULE.max}); ${def.name} has a fixed dimension`,
    );
  return parseDecimal(text, '--dim', DIM_RULE);
}

export async function deriveCommand(family: string, opts: DeriveOptions, io: Io): Promise<number> {
  const def = getFamily(requireOneOf(family, familyNames(), 'family'), 'family');
  const pnames = Object.keys(def.layouts);
  const pname = getParameterization(def, requireOneOf(opts.parameterization ?? pnames[0], pnames, '--parameterization'), '--parameterization');
  const dim = dimension(def, opts.dim);
  const at = opts.at === undefined ? undefined : parseAt(opts.at);
  if (at)
    rejectUnknownKeys(
      at,
      def.layouts[pname].map((e) => e.name),
      '--at',
      `${def.name}'s parameters in ${pname}`,
    );
  const matrix = matrixDerivationOf(def, { dim });
  if (matrix) return deriveInMatrixForm(def.name, pname, dim!, matrix, opts, io);
  const d = derivationOf(def, pname, dim);
  const inst = def.instance(dim);
  const p = parameterizationOf(inst, pname);
  // fixed values at the middle of their domains (a count of 10 trials)
  const fixed = Object.fromEntries(Object.entries(inst.fixed).map(([k, dom]) => [k, dom.kind === 'positive-integer' ? 10 : pointInDomain(dom, 0.5)]));
  const point = at ? parsePoint(def.name, pname, at, fixed, 'at') : defaultPoint(def.name, pname, dim, fixed);
  const F = familyFisherMatrix(point.inst, point.p, point.theta, point.fixed);
  requireFiniteResult({ matrix: F.toArray() }, '--at');
  if (opts.json) {
    io.stdout(
      `${JSON.stringify(
        {
          family: def.name,
          parameterization: pname,
          dim,
          paramNames: p.paramNames,
          routes: d.routes.map((r) => ({ route: r.route, matrix: r.matrix, note: r.note, latex: r.matrix ? matrixToLatex(r.matrix) : null })),
          steps: [...d.steps, ...d.exponentialFamilySteps].map((s) => ({
            title: s.title,
            reason: s.reason,
            equations: s.equations.map((e) => ({ lhs: e.text ?? e.lhs, ...e.rhs })),
            check: s.check,
          })),
          proofs: d.comparisons.map((c) => ({
            lhs: c.lhs,
            rhs: c.rhs,
            equal: c.equal,
            entries: c.entries.map((e) => ({ i: e.i, j: e.j, method: e.method ?? 'refuted', points: e.points, maxRelErr: e.maxRelErr })),
          })),
          at: Object.fromEntries(p.paramNames.map((n, i) => [n, point.theta[i]])),
          fixed: point.fixed,
          matrix: F.toArray(),
          verified: d.verified,
        },
        null,
        2,
      )}\n`,
    );
    return d.verified ? 0 : 1;
  }
  const lines: string[] = [`${def.name} (${pname}${dim ? `, dimension ${dim}` : ''}): parameters ${p.paramNames.join(', ')}`, ''];
  lines.push('From the log-density to the Fisher information:', ...stepsText(d.steps), '');
  if (d.exponentialFamilySteps.length) lines.push('The exponential-family route:', ...stepsText(d.exponentialFamilySteps), '');
  d.routes.forEach((r, k) => {
    lines.push(`Route ${k + 1}: ${r.route} — ${r.note}`);
    if (r.matrix) {
      r.matrix.forEach((row, i) => lines.push(`  [${i}] ${row.join('   |   ')}`));
      lines.push(`  LaTeX: ${matrixToLatex(r.matrix)}`);
    }
    lines.push('');
  });
  lines.push('Proofs:');
  if (d.comparisons.length === 0) lines.push('  (only the literature route applies; it is held to quadrature and Monte Carlo by natgrad verify)');
  for (const c of d.comparisons) {
    lines.push(`  ${c.lhs} = ${c.rhs}: ${c.equal ? 'proved' : 'REFUTED'}`);
    for (const e of c.entries) {
      const numeric = e.method === 'numeric-identity' ? ` (${e.points} points, max rel. err ${e.maxRelErr.toExponential(1)})` : '';
      lines.push(`    [${e.i}][${e.j}] ${e.method ?? 'refuted'}${numeric}`);
    }
  }
  const fixedText = Object.keys(point.fixed).length ? ` (fixed ${JSON.stringify(point.fixed)})` : '';
  lines.push('', `At ${p.paramNames.map((n, i) => `${n} = ${point.theta[i]}`).join(', ')}${fixedText}:`);
  F.toArray().forEach((row) => lines.push(`  [${row.join(', ')}]`));
  io.stdout(`${lines.join('\n')}\n`);
  return d.verified ? 0 : 1;
}

/** A family derived in matrix notation (the multivariate normal): its steps checked at this dimension, and the matrix at the point. */
function deriveInMatrixForm(family: string, pname: string, dim: number, m: MatrixDerivation, opts: DeriveOptions, io: Io): number {
  const def = getFamily(family, 'family');
  const inst = def.instance(dim);
  const p = parameterizationOf(inst, pname);
  const point = opts.at ? parsePoint(def.name, pname, parseAt(opts.at), {}, 'at') : defaultPoint(def.name, pname, dim, {});
  const F = familyFisherMatrix(point.inst, point.p, point.theta, point.fixed);
  requireFiniteResult({ matrix: F.toArray() }, '--at');
  if (opts.json) {
    io.stdout(
      `${JSON.stringify(
        {
          family,
          parameterization: pname,
          dim,
          paramNames: p.paramNames,
          steps: m.steps.map((s) => ({
            title: s.title,
            reason: s.reason,
            equations: s.equations.map((e) => ({ lhs: e.text ?? e.lhs, ...e.rhs })),
            check: s.check,
          })),
          at: Object.fromEntries(p.paramNames.map((n, i) => [n, point.theta[i]])),
          matrix: F.toArray(),
          verified: m.verified,
        },
        null,
        2,
      )}\n`,
    );
    return m.verified ? 0 : 1;
  }
  const lines = [
    `${family} (${pname}, dimension ${dim}): parameters ${p.paramNames.join(', ')}`,
    '',
    `Derived in matrix notation for every d; each step checked numerically at random points of dimension ${dim}:`,
    ...stepsText(m.steps),
    '',
    'The entrywise derivation by the computer algebra (Hessian and exponential-family routes at d = 2) is a cross-check run by natgrad verify ' +
      '--filter mvn/fisher-d2.',
    '',
    `At ${p.paramNames.map((n, i) => `${n} = ${point.theta[i]}`).join(', ')}:`,
    ...F.toArray().map((row) => `  [${row.join(', ')}]`),
  ];
  io.stdout(`${lines.join('\n')}\n`);
  return m.verified ? 0 : 1;
}

/** The default point: the centre of the family's unit cube (the middle of each domain, or of its joint constraints), mapped from the base parameterization. */
function defaultPoint(family: string, pname: string, dim: number | undefined, fixed: Record<string, number>) {
  const def = getFamily(family, 'family');
  const inst = def.instance(dim);
  const p = parameterizationOf(inst, pname);
  return { inst, p, theta: fromBase(inst, p, centrePoint(def, dim).base, fixed), fixed };
}
