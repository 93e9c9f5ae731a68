/**
 * Random valid points of each family, valid by construction (never by
 * filtering): base parameters are drawn from their domains (vector families
 * by construction: normalised weights, L Lᵀ + eps I), then mapped into the
 * parameterization under test.
 */
import fc from 'fast-check';
import type { Domain } from '../../src/core/domain.js';
import { fromBase } from '../../src/families/catalogue.js';
import type { FamilyDefinition, FamilyInstance, ParameterizationInstance } from '../../src/families/types.js';
import { baseParameterization, parameterizationOf } from '../../src/families/instance.js';

export interface FamilyPoint {
  inst: FamilyInstance;
  p: ParameterizationInstance;
  base: Float64Array;
  theta: Float64Array;
  fixed: Record<string, number>;
}

/** Values away from the edges where float64 quadrature and sampling stay accurate. */
export function domainArbitrary(domain: Domain): fc.Arbitrary<number> {
  switch (domain.kind) {
    case 'real': return fc.double({ min: -2, max: 2, noNaN: true });
    case 'positive': return fc.double({ min: Math.log(0.3), max: Math.log(5), noNaN: true }).map(Math.exp);
    case 'negative': return fc.double({ min: Math.log(0.3), max: Math.log(5), noNaN: true }).map((v) => -Math.exp(v));
    case 'interval': {
      const w = domain.hi - domain.lo;
      return fc.double({ min: domain.lo + 0.05 * w, max: domain.hi - 0.05 * w, noNaN: true });
    }
    case 'positive-integer': return fc.integer({ min: 1, max: 20 });
  }
}

function baseArbitrary(inst: FamilyInstance): fc.Arbitrary<Float64Array> {
  const base = baseParameterization(inst);
  switch (inst.family) {
    case 'categorical': {
      const K = inst.dim!;
      return fc.array(fc.double({ min: 0.2, max: 1, noNaN: true }), { minLength: K, maxLength: K }).map((w) => {
        const s = w.reduce((a, b) => a + b, 0);
        return Float64Array.from(w.slice(0, K - 1), (v) => v / s);
      });
    }
    case 'multivariate-normal': {
      const d = inst.dim!;
      return fc.tuple(
        fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: d, maxLength: d }),
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: d * d, maxLength: d * d }),
      ).map(([mu, l]) => {
        const S = new Float64Array(d * d);
        for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
          let s = i === j ? 0.3 : 0;
          for (let k = 0; k < d; k++) s += l[i * d + k] * l[j * d + k];
          S[i * d + j] = s;
        }
        const out = [...mu];
        for (let i = 0; i < d; i++) for (let j = i; j < d; j++) out.push(S[i * d + j]);
        return Float64Array.from(out);
      });
    }
    default:
      return fc.tuple(...base.symbols.map((s) => domainArbitrary(base.domains[s]))).map((v) => Float64Array.from(v));
  }
}

function fixedArbitrary(inst: FamilyInstance): fc.Arbitrary<Record<string, number>> {
  const names = Object.keys(inst.fixed);
  if (names.length === 0) return fc.constant({});
  return fc.tuple(...names.map((n) => (n === 'nu' ? fc.double({ min: 1, max: 12, noNaN: true }) : domainArbitrary(inst.fixed[n]))))
    .map((vals) => Object.fromEntries(names.map((n, i) => [n, vals[i]])));
}

export function familyPoint(def: FamilyDefinition, parameterization: string, dim?: number): fc.Arbitrary<FamilyPoint> {
  const inst = def.instance(dim);
  const p = parameterizationOf(inst, parameterization);
  return fc.tuple(baseArbitrary(inst), fixedArbitrary(inst)).map(([base, fixed]) => ({
    inst, p, base, fixed, theta: fromBase(inst, p, base, fixed),
  }));
}
