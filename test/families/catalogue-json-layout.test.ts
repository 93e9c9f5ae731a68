/**
 * A point reparameterized into its own parameterization comes back in the
 * JSON layout it was given in, exactly: scalars as numbers, vectors as arrays
 * of their own length, symmetric matrices as arrays of rows. This holds every
 * family's layout (the shapes of its parameters) to the way the oracle
 * writes a point back out.
 */
import { describe, expect, test } from 'vitest';
import { FAMILIES } from '../../src/families/catalogue/index.js';
import { reparameterizeAt } from '../../src/families/json-points.js';

const cases = FAMILIES.flatMap((def) => def.examples.map((ex, k) => ({ label: `${def.name} example ${k + 1}`, def, ex })));

describe('a point written back in its own layout', () => {
  test.each(cases)('$label', ({ def, ex }) => {
    const pname = Object.keys(def.layouts)[0];
    const r = reparameterizeAt(def.name, pname, pname, ex.params, ex.fixed ?? {}, 'spec');
    expect(r.params).toEqual(ex.params);
  });
});
