/** Lookups in a family instance by name, in one place instead of a `find(...)!` at every call site. */
import { NatgradError } from '../core/errors.js';
import type { FamilyInstance, ParameterizationInstance } from './types.js';

/** The parameterization of `inst` named `name`; an error naming the ones there are when it has none. */
export function parameterizationOf(inst: FamilyInstance, name: string): ParameterizationInstance {
  const p = inst.parameterizations.find((q) => q.name === name);
  if (!p)
    throw new NatgradError(
      'parameterization',
      `${inst.family} has parameterizations ${inst.parameterizations.map((q) => q.name).join(', ')}, got ${JSON.stringify(name)}`,
    );
  return p;
}

/** The base parameterization of `inst`, in which its log-density is written. */
export const baseParameterization = (inst: FamilyInstance): ParameterizationInstance => parameterizationOf(inst, inst.base);
