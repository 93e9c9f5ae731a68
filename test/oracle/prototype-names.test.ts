/**
 * No user string is looked up through an object's prototype chain: every
 * name of Object.prototype (`constructor`, `__proto__`, `toString`,
 * `hasOwnProperty`, `valueOf`, ...) fed into every name field of every kind,
 * and as an extra or renamed key of every object a spec or a candidate has,
 * is bad input: exit 2 with one `natgrad:` line, never "internal error" or a
 * TypeError. Checked through the library (runOracle, runCheck, the family
 * API) and through the CLI entry.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { NatgradError } from '../../src/core/errors.js';
import { fisherAt, parsePoint, reparameterizeAt } from '../../src/families/json-points.js';
import { runCheck } from '../../src/oracle/check.js';
import { runOracle } from '../../src/oracle/oracle.js';
import { classifier, clone, kfacSpec, linearRegression, shampooSpec } from './fixtures.js';

/** constructor, __defineGetter__, ..., __proto__, toLocaleString. */
const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype);

const normal = { kind: 'fisher', family: 'normal', parameterization: 'mean-std', params: { mu: 0.3, sigma: 1.7 } };
const binomial = { kind: 'fisher', family: 'binomial', parameterization: 'mean', params: { p: 0.3 }, fixed: { n: 10 } };
const naturalGradientFamily = { kind: 'natural-gradient', family: 'gamma', parameterization: 'shape-rate', params: { alpha: 2, beta: 3 }, gradient: [1, -1] };
const naturalGradientModel = { ...classifier, kind: 'natural-gradient', damping: 0.1 };
const reparameterize = { kind: 'reparameterize', family: 'normal', from: 'mean-std', to: 'natural', params: { mu: 0.3, sigma: 1.7 } };
const kfac = kfacSpec('exact');

/** Sets an own enumerable property, also for `__proto__` (an assignment would change the prototype instead). */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Renames key `from` of `obj` to `to`, keeping the others. */
function renameKey(obj: Record<string, unknown>, from: string, to: string): void {
  const value = obj[from];
  delete obj[from];
  setOwn(obj, to, value);
}

/** A place a name can go: it edits a copy of a valid spec (and for check, of its candidate). */
interface Site {
  what: string;
  spec: Record<string, unknown>;
  /** edits the spec copy with the name; returns the candidate (for `check`) or null */
  edit: (spec: any, name: string, result: any) => unknown;
  check?: boolean;
}

const sites: Site[] = [
  // names of things
  { what: 'kind', spec: normal, edit: (s, n) => void (s.kind = n) },
  { what: 'family', spec: normal, edit: (s, n) => void (s.family = n) },
  { what: 'parameterization', spec: normal, edit: (s, n) => void (s.parameterization = n) },
  { what: 'natural-gradient parameterization', spec: naturalGradientFamily, edit: (s, n) => void (s.parameterization = n) },
  { what: 'from', spec: reparameterize, edit: (s, n) => void (s.from = n) },
  { what: 'to', spec: reparameterize, edit: (s, n) => void (s.to = n) },
  { what: 'curvature', spec: classifier, edit: (s, n) => void (s.curvature = n) },
  { what: 'natural-gradient curvature', spec: naturalGradientModel, edit: (s, n) => void (s.curvature = n) },
  { what: 'kfac fisher', spec: kfac, edit: (s, n) => void (s.fisher = n) },
  { what: 'dampingScheme', spec: kfac, edit: (s, n) => void (s.dampingScheme = n) },
  { what: 'model.type', spec: classifier, edit: (s, n) => void (s.model.type = n) },
  { what: 'model.likelihood', spec: classifier, edit: (s, n) => void (s.model.likelihood = n) },
  { what: 'model.activations[0]', spec: classifier, edit: (s, n) => void (s.model.activations[0] = n) },
  // extra keys of every object
  ...[normal, classifier, naturalGradientFamily, naturalGradientModel, kfac, reparameterize, shampooSpec].map(
    (spec): Site => ({ what: `an extra key of a ${String(spec.kind)} spec`, spec, edit: (s, n) => setOwn(s, n, 1) }),
  ),
  { what: 'an extra key of model', spec: classifier, edit: (s, n) => setOwn(s.model, n, 1) },
  { what: 'an extra key of weights[1]', spec: kfac, edit: (s, n) => setOwn(s.weights[1], n, [1]) },
  { what: 'an extra key of params', spec: normal, edit: (s, n) => setOwn(s.params, n, 1) },
  { what: 'an extra key of fixed (binomial)', spec: binomial, edit: (s, n) => setOwn(s.fixed, n, 3) },
  { what: 'a key of fixed (normal, which has none)', spec: normal, edit: (s, n) => setOwn((s.fixed = {}), n, 3) },
  // names in place of the defined ones
  { what: 'a parameter renamed', spec: normal, edit: (s, n) => renameKey(s.params, 'sigma', n) },
  { what: 'a fixed value renamed', spec: binomial, edit: (s, n) => renameKey(s.fixed, 'n', n) },
  { what: 'the kind key renamed', spec: shampooSpec, edit: (s, n) => renameKey(s, 'kind', n) },
  // candidates of check
  { what: 'an extra candidate key', spec: linearRegression, check: true, edit: (_s, n, r) => ({ loss: r.loss, ...withOwn(n, 1) }) },
  { what: 'a candidate with only that key', spec: linearRegression, check: true, edit: (_s, n) => withOwn(n, [[1]]) },
  {
    what: 'an extra key in a candidate layer',
    spec: kfac,
    check: true,
    edit: (_s, n, r) => ({ layers: [{ G: r.layers[0].G, ...withOwn(n, 1) }, withOwn(n, 1)] }),
  },
  { what: 'an extra key in candidate params', spec: reparameterize, check: true, edit: (_s, n, r) => ({ params: { ...r.params, ...withOwn(n, 1) } }) },
  { what: 'a candidate kind', spec: linearRegression, check: true, edit: (_s, n, r) => ({ kind: n, loss: r.loss }) },
];

function withOwn(key: string, value: unknown): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  setOwn(o, key, value);
  return o;
}

const ONE_LINE = /^natgrad: (spec|candidate)\S*: [^\n]+\n$/;

const results = new Map<Site, unknown>();
async function resultOf(site: Site): Promise<unknown> {
  if (!results.has(site)) results.set(site, await runOracle(clone(site.spec)));
  return results.get(site);
}

/** Runs one (site, name) through the library and the CLI; returns why it broke the contract, or null. */
async function violation(site: Site, name: string): Promise<string | null> {
  const spec = clone(site.spec) as Record<string, unknown>;
  const candidate = site.edit(spec, name, site.check ? await resultOf(site) : null);
  // JSON text, as the CLI reads it: an own "__proto__" key survives JSON.parse
  const specText = JSON.stringify(spec);
  const candText = JSON.stringify(candidate ?? {});
  try {
    if (site.check) await runCheck(JSON.parse(specText), JSON.parse(candText));
    else await runOracle(JSON.parse(specText));
    return 'the library accepted it';
  } catch (e) {
    if (!(e instanceof NatgradError)) return `the library threw ${String(e)}`;
    if (/\n/.test(`${e.path}: ${e.reason}`)) return 'a multi-line message';
  }
  const io = memoryIo('', { 's.json': specText, 'c.json': candText });
  const code = await main(site.check ? ['check', 's.json', 'c.json'] : ['oracle', 's.json'], io);
  if (code !== 2) return `exit ${code}`;
  if (io.out !== '') return 'stdout not empty';
  if (!ONE_LINE.test(io.err)) return `not one natgrad line: ${JSON.stringify(io.err)}`;
  if (/internal|TypeError|is not iterable|undefined/.test(io.err)) return `an internal failure: ${io.err}`;
  return null;
}

describe('prototype names are ordinary unknown names', () => {
  test('the names and the sites', () => {
    expect(PROTOTYPE_NAMES).toEqual(expect.arrayContaining(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']));
    expect(sites.length).toBeGreaterThan(25);
  });

  test('every Object.prototype name in every name field and as every extra or renamed key: exit 2, one line', async () => {
    const every = sites.flatMap((site) => PROTOTYPE_NAMES.map((name): [Site, string] => [site, name]));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...sites), fc.constantFrom(...PROTOTYPE_NAMES), async (site, name) => {
        expect(await violation(site, name), `${site.what} = ${JSON.stringify(name)}`).toBeNull();
      }),
      // every combination first, then random ones (the same set: a replay prints the failing pair)
      { seed: 20260214, examples: every, numRuns: every.length + 50 },
    );
  }, 120_000);

  test('the property can fail: a valid name, a lookup through the prototype', async () => {
    expect(await violation(sites[0], 'fisher')).toBe('the library accepted it');
    // what `name in layouts` did: 'constructor' in {} is true
    const layouts: Record<string, unknown> = { 'mean-std': [] };
    expect('constructor' in layouts).toBe(true);
  });

  test('the family API throws NatgradError for prototype names, never a TypeError', () => {
    for (const name of PROTOTYPE_NAMES) {
      expect(() => fisherAt('normal', name, { mu: 0, sigma: 1 }, undefined, 'spec')).toThrow(NatgradError);
      expect(() => fisherAt(name, 'mean-std', { mu: 0, sigma: 1 }, undefined, 'spec')).toThrow(NatgradError);
      expect(() => reparameterizeAt('normal', 'mean-std', name, { mu: 0, sigma: 1 }, undefined, 'spec')).toThrow(NatgradError);
      expect(() => parsePoint('binomial', 'mean', { p: 0.5 }, JSON.parse(`{"n": 3, ${JSON.stringify(name)}: 1}`), 'at')).toThrow(NatgradError);
    }
  });
});
