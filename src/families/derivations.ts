/** Derivations are expensive (the backend takes seconds); each is done once per process. */
import { deriveFisher, type FisherDerivation } from './derive.js';
import type { FamilyDefinition } from './types.js';

const cache = new Map<string, FisherDerivation>();

export function derivationOf(def: FamilyDefinition, parameterization: string, dim?: number): FisherDerivation {
  const key = `${def.name}|${parameterization}|${dim ?? ''}`;
  let d = cache.get(key);
  if (!d) {
    const inst = def.instance(dim);
    const p = inst.parameterizations.find((q) => q.name === parameterization);
    if (!p) throw new Error(`${def.name} has no parameterization ${parameterization}`);
    d = deriveFisher(inst, p);
    cache.set(key, d);
  }
  return d;
}
