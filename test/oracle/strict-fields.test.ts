/**
 * Strictness as a property: a valid spec of any kind (every committed test
 * vector) with one field name mutated at any depth (a typo, a case change,
 * an extra key) is bad input, and the one stderr line names the mutated
 * field. The same for a candidate of `check` (the vector's expected result).
 */
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { childPath } from '../../src/core/errors.js';
import { FAMILIES } from '../../src/families/catalogue/index.js';
import { LAYER_WEIGHT_FIELDS, MLP_MODEL_FIELDS } from '../../src/oracle/model-spec.js';
import { SPEC_FIELDS } from '../../src/oracle/spec.js';
import { VECTOR_GROUPS } from '../../src/oracle/vectors.js';

const VECTORS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'vectors');

interface Vector {
  path: string;
  spec: Record<string, unknown>;
  expected: Record<string, unknown>;
}

const vectors: Vector[] = [];
beforeAll(async () => {
  for (const g of VECTOR_GROUPS) {
    for (const f of (await readdir(join(VECTORS, g))).sort()) {
      const doc = JSON.parse(await readFile(join(VECTORS, g, f), 'utf8'));
      vectors.push({ path: `${g}/${f}`, spec: doc.spec, expected: doc.expected });
    }
  }
});

/**
 * Every name the contract defines somewhere (spec fields, model and weight
 * fields, every family's parameter and fixed names, result fields): a
 * mutation that lands on one of them might be valid where it lands, so it is
 * not drawn.
 */
const DEFINED = new Set<string>([
  ...[...SPEC_FIELDS.values()].flat(),
  ...MLP_MODEL_FIELDS,
  ...LAYER_WEIGHT_FIELDS,
  ...FAMILIES.flatMap((f) => [
    ...Object.values(f.layouts)
      .flat()
      .map((e) => e.name),
    ...Object.keys(f.fixed),
  ]),
  'paramNames',
  'matrix',
  'loss',
  'gradient',
  'direction',
  'singular',
  'layers',
  'A',
  'G',
  'update',
  'jacobian',
  'fisher',
  'L',
  'R',
  'symbolic',
  'latex',
  'params',
]);

type Keys = (string | number)[];

/** The key paths of every object inside a JSON value (the root included). */
function objectPaths(v: unknown, at: Keys = []): Keys[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => objectPaths(x, [...at, i]));
  if (typeof v !== 'object' || v === null) return [];
  return [at, ...Object.entries(v).flatMap(([k, x]) => objectPaths(x, [...at, k]))];
}

const get = (v: any, keys: Keys): any => keys.reduce((o, k) => o[k], v);
const jsonPath = (root: string, keys: Keys): string => keys.reduce<string>((p, k) => childPath(p, k), root);

type Mutation = { kind: 'typo' | 'case' | 'extra'; seed: number };

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_';

/** A misspelling of `name`: one insertion, deletion, substitution or adjacent transposition. */
function typo(name: string, seed: number): string {
  const i = seed % (name.length + 1);
  const c = LETTERS[(seed >>> 4) % LETTERS.length];
  switch ((seed >>> 10) % 4) {
    case 0:
      return name.slice(0, i) + c + name.slice(i);
    case 1:
      return name.length > 1 ? name.slice(0, Math.min(i, name.length - 1)) + name.slice(Math.min(i, name.length - 1) + 1) : `${name}${c}`;
    case 2:
      return name.slice(0, Math.min(i, name.length - 1)) + c + name.slice(Math.min(i, name.length - 1) + 1);
    default: {
      const j = Math.min(i, name.length - 2);
      return j < 0 ? `${c}${name}` : name.slice(0, j) + name[j + 1] + name[j] + name.slice(j + 2);
    }
  }
}

/** `name` with the case of one letter flipped (a trailing letter added when it has none). */
function caseChange(name: string, seed: number): string {
  const letters = [...name].map((ch, i) => (/[a-z]/i.test(ch) ? i : -1)).filter((i) => i >= 0);
  if (letters.length === 0) return `${name}X`;
  const i = letters[seed % letters.length];
  const ch = name[i];
  return name.slice(0, i) + (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase()) + name.slice(i + 1);
}

/**
 * The document with one key of the object at `at` mutated, and the JSON key
 * path of the new key; null when the mutation would give a defined name or
 * an existing key (then it tests nothing).
 */
function mutateKey(doc: unknown, at: Keys, m: Mutation): { doc: unknown; keys: Keys } | null {
  const copy = JSON.parse(JSON.stringify(doc));
  const obj = get(copy, at) as Record<string, unknown>;
  const names = Object.keys(obj);
  let from: string | null = null;
  let to: string;
  if (m.kind === 'extra' || names.length === 0) {
    to = typo(`note${m.seed % 97}`, m.seed);
  } else {
    from = names[m.seed % names.length];
    to = m.kind === 'typo' ? typo(from, m.seed >>> 3) : caseChange(from, m.seed >>> 3);
  }
  if (to === '' || DEFINED.has(to) || names.includes(to)) return null;
  if (from === null) {
    obj[to] = 1;
  } else {
    // keep the key order, so that only the name changes
    const entries = Object.entries(obj).map(([k, v]) => [k === from ? to : k, v] as const);
    for (const k of names) delete obj[k];
    for (const [k, v] of entries) obj[k] = v;
  }
  return { doc: copy, keys: [...at, to] };
}

const mutation: fc.Arbitrary<Mutation> = fc.record({ kind: fc.constantFrom('typo' as const, 'case' as const, 'extra' as const), seed: fc.nat() });

/** The stderr line of a run that must be bad input naming `path`, or why it is not. */
function namesField(code: number, out: string, err: string, path: string): string | null {
  if (code !== 2) return `exit ${code}`;
  if (out !== '') return 'stdout not empty';
  if (!err.endsWith('\n') || err.slice(0, -1).includes('\n')) return `not one line: ${JSON.stringify(err)}`;
  if (!err.startsWith(`natgrad: ${path}: `)) return `does not name ${path}: ${err.trim()}`;
  return null;
}

describe('a valid spec with one field name mutated is bad input naming the field', () => {
  test('every vector is valid unmutated (the property starts from valid specs)', async () => {
    expect(vectors.length).toBe(179);
    for (const v of vectors.filter((_, i) => i % 10 === 0)) {
      const io = memoryIo('', { 's.json': JSON.stringify(v.spec) });
      expect(await main(['oracle', 's.json'], io), `${v.path}: ${io.err}`).toBe(0);
    }
  });

  test('oracle: a typo, a case change or an extra key at any depth', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), mutation, async (vi, pi, m) => {
        const v = vectors[vi % vectors.length];
        const sites = objectPaths(v.spec);
        const at = sites[pi % sites.length];
        const mutated = mutateKey(v.spec, at, m);
        fc.pre(mutated !== null);
        const io = memoryIo('', { 's.json': JSON.stringify(mutated!.doc) });
        const code = await main(['oracle', 's.json'], io);
        expect(namesField(code, io.out, io.err, jsonPath('spec', mutated!.keys)), `${v.path}, ${JSON.stringify(m)} at ${JSON.stringify(at)}`).toBeNull();
      }),
      { seed: 31337, numRuns: 400 },
    );
  }, 120_000);

  test("check: the same mutations of a candidate (the vector's expected result)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), mutation, async (vi, pi, m) => {
        const v = vectors[vi % vectors.length];
        const sites = objectPaths(v.expected);
        const at = sites[pi % sites.length];
        const mutated = mutateKey(v.expected, at, m);
        fc.pre(mutated !== null);
        const io = memoryIo('', { 's.json': JSON.stringify(v.spec), 'c.json': JSON.stringify(mutated!.doc) });
        const code = await main(['check', 's.json', 'c.json'], io);
        expect(namesField(code, io.out, io.err, jsonPath('candidate', mutated!.keys)), `${v.path}, ${JSON.stringify(m)} at ${JSON.stringify(at)}`).toBeNull();
      }),
      { seed: 4711, numRuns: 200 },
    );
  }, 120_000);

  test('the property can fail: an unmutated spec, or a field that is ignored, is not named', async () => {
    const v = vectors.find((x) => x.path.startsWith('kfac/'))!;
    const io = memoryIo('', { 's.json': JSON.stringify(v.spec) });
    const code = await main(['oracle', 's.json'], io);
    expect(namesField(code, io.out, io.err, 'spec.dampng')).toBe('exit 0');
    expect(mutateKey({ a: { damping: 1 } }, ['a'], { kind: 'typo', seed: 0 })?.keys[0]).toBe('a');
  });
});
