/**
 * Every test table keyed by family covers its part of the catalogue, so that
 * a family added to the catalogue cannot go untested because a table forgot
 * it. Tables that can be computed from the catalogue are (the family lists
 * of scalar-families.test.ts, the vector families' numeric dimensions of
 * properties/fisher-families.ts); those that hold facts written by hand are
 * listed here with the part of the catalogue each must cover.
 */
import { describe, expect, test } from 'vitest';
import { parsePoint } from '../../src/families/json-points.js';
import { FAMILIES } from '../../src/families/catalogue/index.js';
import { edgePoints } from '../../properties/arbitraries/edge-points.js';
import { EDGE_VECTOR_DIMENSIONS, edgeFamilyDimensions } from '../../properties/edge-families.js';
import { FISHER_FAMILY_GROUPS } from '../../properties/fisher-family-groups.js';
import { MOMENTS, NON_EXPONENTIAL_FAMILIES, NON_EXPONENTIAL_SCORES, SCALAR_FAMILIES } from './closed-forms.js';
import { SCORE_POINTS } from './score-points.js';

const names = (defs: readonly { name: string }[]): string[] => defs.map((d) => d.name).sort();
const ALL = names(FAMILIES);
const VECTOR = names(FAMILIES.filter((def) => def.verifyDimensions));

/** [table, the families it names, the families it must name] */
const TABLES: [string, readonly string[], readonly string[]][] = [
  ['properties/fisher-family-groups.ts FISHER_FAMILY_GROUPS', Object.values(FISHER_FAMILY_GROUPS).flat(), ALL],
  ['properties/edge-families.ts EDGE_VECTOR_DIMENSIONS', Object.keys(EDGE_VECTOR_DIMENSIONS), VECTOR],
  ['test/families/score-points.ts SCORE_POINTS', SCORE_POINTS.map(([f]) => f), ALL],
  ['test/families/closed-forms.ts MOMENTS', Object.keys(MOMENTS), names(SCALAR_FAMILIES)],
  ['test/families/closed-forms.ts NON_EXPONENTIAL_SCORES', Object.keys(NON_EXPONENTIAL_SCORES), names(NON_EXPONENTIAL_FAMILIES)],
];

describe('every family-indexed test table covers the catalogue', () => {
  test.each(TABLES)('%s', (_table, named, required) => {
    const set = new Set(named);
    expect(
      required.filter((f) => !set.has(f)),
      'families missing from the table',
    ).toEqual([]);
    expect([...set].filter((f) => !required.includes(f)).sort(), 'names that are not families of its part of the catalogue').toEqual([]);
  });

  test('each family is in exactly one Fisher check group', () => {
    const named = Object.values(FISHER_FAMILY_GROUPS).flat();
    expect(named.length).toBe(new Set(named).size);
  });

  test('properties/arbitraries/edge-points.ts has edge points for every family and parameterization', () => {
    for (const [family, dims] of edgeFamilyDimensions(true)) {
      const def = FAMILIES.find((d) => d.name === family)!;
      for (const dim of dims) for (const p of Object.keys(def.layouts)) expect(() => edgePoints(family, p, dim), `${family} ${p} ${dim}`).not.toThrow();
    }
  });

  test('every family has example points, valid in its first parameterization', () => {
    for (const def of FAMILIES) {
      expect(def.examples.length, def.name).toBeGreaterThan(0);
      for (const e of def.examples) expect(() => parsePoint(def.name, Object.keys(def.layouts)[0], e.params, e.fixed ?? {}, 'example'), def.name).not.toThrow();
      if (def.verifyDimensions) expect(def.dimensionSymbol, `${def.name} needs a dimension symbol`).toBeDefined();
    }
  });
});
