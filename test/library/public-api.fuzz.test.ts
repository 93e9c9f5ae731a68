/**
 * The library entry under hostile input: every exported function is called
 * with malformed arguments (a valid call with one argument, or one value deep
 * inside one, replaced by null, undefined, NaN, a huge number, a wrong type,
 * a wrong-length array, an object with prototype-named keys, ...), and must
 * either return or throw a NatgradError: never a TypeError, a RangeError or
 * another exception. The transforms the optimizers return get the same
 * treatment for their `update` arguments.
 *
 * Every valid call is small and stops by itself several ways (a time budget
 * as well as an iteration budget), so one mutation cannot make a call hang.
 * Seeded; a failure prints the seed and path to replay it.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as api from '../../src/index.js';

const { Matrix, NatgradError, Rng } = api;

// ---------------------------------------------------------------------------
// Valid calls, one per exported function (a fresh argument list per call).

const spec = (): api.MlpSpec => ({ sizes: [3, 4, 2], activations: ['tanh', 'identity'], likelihood: 'categorical' });
const weights = () => api.initWeights(spec(), new Rng(1));
const inputs = () => [Float64Array.of(1, 2, 3), Float64Array.of(0, 1, 0), Float64Array.of(1, 0, 0)];
const targets = () => [0, 1, 0];
const params = () => api.flattenWeights(weights());
const quadratic = (p: Float64Array) => ({ loss: 0.5 * p.reduce((a, t) => a + t * t, 0), gradient: Float64Array.from(p) });
const trainOptions = () => ({ objective: quadratic, maxIterations: 5, timeBudgetMs: 2000 });

const VALID_CALLS: Record<string, () => unknown[]> = {
  NatgradError: () => ['spec.lr', 'must be a finite number'],
  Rng: () => [7],
  Matrix: () => [2, 3, new Float64Array(6)],
  flattenWeights: () => [weights()],
  forward: () => [spec(), weights(), Float64Array.of(0.1, 0.2, 0.3)],
  initWeights: () => [spec(), new Rng(2)],
  lossAndGradient: () => [spec(), weights(), inputs(), targets()],
  paramCount: () => [spec()],
  unflattenWeights: () => [spec(), params()],
  modelFisherMatrix: () => [spec(), weights(), inputs()],
  modelCurvature: () => [spec(), weights(), inputs(), targets(), 'ggn', 'spec'],
  kfacLayers: () => [spec(), weights(), inputs(), targets(), 'fisher', 1e-3, 'pi-factored', 'spec'],
  shampooPreconditioners: () => [
    [
      Matrix.from([
        [1, 2],
        [3, 4],
      ]),
      Matrix.from([
        [0, 1],
        [1, 0],
      ]),
    ],
    1e-4,
    'spec',
  ],
  chain: () => [api.sgd({ lr: 0.1 }), api.adam({ lr: 0.01 })],
  applyUpdates: () => [Float64Array.of(1, 2), Float64Array.of(-0.5, 0.5)],
  modelProblem: () => [spec(), inputs(), targets(), 3],
  train: () => [api.sgd({ lr: 0.1 }), Float64Array.of(1, -1), trainOptions()],
  createOptimizer: () => ['adam', { lr: 0.01, b1: 0.8 }],
  optimizerEntry: () => ['kfac', 'optimizer'],
  sgd: () => [{ lr: 0.1 }],
  momentum: () => [{ lr: 0.1, decay: 0.5, nesterov: false }],
  nesterov: () => [{ lr: 0.1, decay: 0.5 }],
  adam: () => [{ lr: 0.1, b1: 0.9, b2: 0.99, eps: 1e-8 }],
  adagrad: () => [{ lr: 0.1, initialAccumulator: 0.1, eps: 1e-7 }],
  rmsprop: () => [{ lr: 0.1, decay: 0.9, eps: 1e-8 }],
  adahessian: () => [{ lr: 0.1, b1: 0.9, probes: 2 }],
  newton: () => [{ lr: 1, damping: 1e-3, negativeCurvature: 'clip', clip: { mode: 'floor', threshold: 1e-6 } }],
  gaussNewton: () => [{ lr: 1, damping: 1e-3, rcond: 1e-10 }],
  levenbergMarquardt: () => [{ damping: 1e-2, boost: 2, minDamping: 1e-6, maxDamping: 1e6 }],
  naturalGradient: () => [{ lr: 0.5, fisher: 'monte-carlo', samples: 2, solver: 'cg', damping: 1e-3, cg: { rtol: 1e-6, maxIterations: 10 } }],
  hessianFree: () => [{ damping: 1, cg: { maxIterations: 10 }, lineSearch: { shrink: 0.5, maxBacktracks: 3 } }],
  kfac: () => [{ lr: 0.5, damping: 1e-2, inverseEvery: 2 }],
  ekfac: () => [{ lr: 0.5, damping: 1e-2, basisEvery: 2 }],
  shampoo: () => [{ lr: 0.1, eps: 1e-4, preconditionEvery: 2 }],
  loadBreastCancer: () => [{ seed: 1, testFraction: 0.3 }],
  loadDigits: () => [{ seed: 1, features: 'unit-interval' }],
};

const CLASSES = new Set(['NatgradError', 'Rng', 'Matrix']);

/**
 * Factories whose option checks live in their own modules and do not yet
 * check the types of their options argument (a null options object, or a
 * Symbol or an object where a number belongs, reaches a field read or a
 * template string). The property tolerates a TypeError from these calls
 * only; the test below fails as soon as a null options object is refused,
 * and then the name comes off this list.
 */
const exportedFunctions = Object.entries(api)
  .filter(([, v]) => typeof v === 'function')
  .map(([k]) => k)
  .sort();

// ---------------------------------------------------------------------------
// Malformed values and mutations.

const prototypeKeys = (): object => JSON.parse('{"__proto__": {"lr": 1}, "constructor": 1, "toString": 2, "hasOwnProperty": 3, "valueOf": null}');

/** A malformed value (a thunk, so each case gets a fresh object). */
const junk: fc.Arbitrary<() => unknown> = fc.oneof(
  fc.constantFrom<() => unknown>(
    () => null,
    () => undefined,
    () => NaN,
    () => Infinity,
    () => -Infinity,
    () => -1,
    () => 0,
    () => 0.5,
    () => 1e308,
    () => -1e308,
    () => 2 ** 53,
    () => 1e15,
    () => 100_000,
    () => '',
    () => 'x',
    () => '1',
    () => 'constructor',
    () => '__proto__',
    () => 'toString',
    () => true,
    () => false,
    () => [],
    () => [NaN],
    () => [null, null],
    () => [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    () => new Float64Array(0),
    () => Float64Array.of(NaN, 1),
    () => Float64Array.of(1e308, -1e308, 1e308),
    () => ({}),
    prototypeKeys,
    () => Object.create(null),
    () => () => undefined,
    () => () => NaN,
    () => (x: unknown) => x,
    () => Symbol('s'),
    () => 10n,
    () => new Matrix(1, 1),
  ),
  fc.double().map((x) => () => x),
  fc.integer({ min: -5, max: 50 }).map((x) => () => x),
  fc.string({ maxLength: 8 }).map((s) => () => s),
);

type Container = Record<string | number, unknown>;

/**
 * Every (container, key) inside `root`, depth first, to depth `maxDepth`. An
 * Rng is opaque (its fields are private state): it is replaced, never edited.
 */
function slots(root: unknown, maxDepth = 4, depth = 0, out: [Container, string | number][] = []): [Container, string | number][] {
  if (depth > maxDepth || root === null || typeof root !== 'object' || root instanceof Rng) return out;
  const c = root as Container;
  const keys: (string | number)[] = ArrayBuffer.isView(root) ? Array.from({ length: Math.min((root as Float64Array).length, 8) }, (_, i) => i) : Object.keys(c);
  for (const k of keys) {
    out.push([c, k]);
    if (!ArrayBuffer.isView(root)) slots(c[k], maxDepth, depth + 1, out);
  }
  return out;
}

type Mutation =
  | { kind: 'replace-argument'; index: number; value: () => unknown }
  | { kind: 'truncate-arguments'; keep: number }
  | { kind: 'replace-inside'; index: number; slot: number; value: () => unknown }
  | { kind: 'delete-inside'; index: number; slot: number }
  | { kind: 'add-key'; index: number; slot: number; key: string; value: () => unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace-argument' as const), index: fc.nat(7), value: junk }),
  fc.record({ kind: fc.constant('truncate-arguments' as const), keep: fc.nat(7) }),
  fc.record({ kind: fc.constant('replace-inside' as const), index: fc.nat(7), slot: fc.nat(200), value: junk }),
  fc.record({ kind: fc.constant('delete-inside' as const), index: fc.nat(7), slot: fc.nat(200) }),
  fc.record({
    kind: fc.constant('add-key' as const),
    index: fc.nat(7),
    slot: fc.nat(200),
    key: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'lr', 'dampnig', 'extra'),
    value: junk,
  }),
);

/**
 * The valid arguments with one mutation applied, and what it was.
 * `depthOf(i)` bounds how deep argument i is edited (0: its own entries only).
 * A mutation the value refuses (a frozen object) leaves it unchanged.
 */
function mutate(args: unknown[], m: Mutation, depthOf: (i: number) => number = () => 4): { args: unknown[]; what: string } {
  try {
    return mutateOnce(args, m, depthOf);
  } catch (e) {
    if (e instanceof TypeError) return { args, what: `no change (${m.kind} refused by a frozen value)` };
    throw e;
  }
}

function mutateOnce(args: unknown[], m: Mutation, depthOf: (i: number) => number): { args: unknown[]; what: string } {
  const n = Math.max(args.length, 1);
  switch (m.kind) {
    case 'replace-argument': {
      const i = m.index % n;
      const out = [...args];
      out[i] = m.value();
      return { args: out, what: `argument ${i} = ${show(out[i])}` };
    }
    case 'truncate-arguments': {
      const keep = m.keep % n;
      return { args: args.slice(0, keep), what: `only the first ${keep} arguments` };
    }
    default: {
      const i = m.index % n;
      const all = slots(args[i], depthOf(i));
      if (all.length === 0)
        return mutateOnce(args, { kind: 'replace-argument', index: i, value: m.kind === 'delete-inside' ? () => undefined : m.value }, depthOf);
      const [container, key] = all[m.slot % all.length];
      if (m.kind === 'replace-inside') {
        let v = m.value();
        // a typed array holds numbers only: store what the value converts to
        if (ArrayBuffer.isView(container)) v = toNumber(v);
        container[key] = v;
        return { args, what: `argument ${i}, ${String(key)} = ${show(v)}` };
      }
      if (m.kind === 'delete-inside') {
        if (Array.isArray(container) && Number.isInteger(Number(key))) container.length = Math.min(container.length, Number(key));
        else if (!ArrayBuffer.isView(container)) delete container[key];
        return { args, what: `argument ${i}, ${String(key)} deleted (arrays truncated there)` };
      }
      const target =
        typeof container[key] === 'object' && container[key] !== null && !ArrayBuffer.isView(container[key]) ? (container[key] as Container) : container;
      const v = m.value();
      if (!ArrayBuffer.isView(target)) Object.defineProperty(target, m.key, { value: v, enumerable: true, configurable: true, writable: true });
      return { args, what: `argument ${i}, key ${m.key} = ${show(v)} added` };
    }
  }
}

function toNumber(v: unknown): number {
  try {
    return Number(v);
  } catch {
    return NaN;
  }
}

function show(v: unknown): string {
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'bigint' || typeof v === 'symbol') return String(v);
  if (ArrayBuffer.isView(v)) return `Float64Array[${Array.from(v as Float64Array).join(', ')}]`;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Calls `name` with `args`; returns the non-NatgradError thrown, or null. */
function offendingError(name: string, args: unknown[]): unknown {
  const f = (api as Record<string, unknown>)[name] as (...a: unknown[]) => unknown;
  try {
    if (CLASSES.has(name)) new (f as unknown as new (...a: unknown[]) => unknown)(...args);
    else f(...args);
    return null;
  } catch (e) {
    if (e instanceof NatgradError) return null;
    return e;
  }
}

// NATGRAD_FUZZ_SEED replays or explores another seed; the suite's own seed is fixed.
const SEED = Number(process.env.NATGRAD_FUZZ_SEED ?? 20260601);

describe('the public API under malformed arguments', () => {
  test('every exported function has a valid call in the table (and the table names only exports)', () => {
    expect(Object.keys(VALID_CALLS).sort()).toEqual(exportedFunctions);
  });

  test('each valid call succeeds (so the mutations start from a working call)', () => {
    for (const name of exportedFunctions) expect(offendingError(name, VALID_CALLS[name]()), name).toBeNull();
    for (const name of exportedFunctions) {
      const f = (api as Record<string, unknown>)[name] as (...a: unknown[]) => unknown;
      expect(
        () => (CLASSES.has(name) ? new (f as unknown as new (...a: unknown[]) => unknown)(...VALID_CALLS[name]()) : f(...VALID_CALLS[name]())),
        name,
      ).not.toThrow();
    }
  });

  test('every exported function returns or throws a NatgradError, never another exception', () => {
    const names = fc.constantFrom(...exportedFunctions);
    fc.assert(
      fc.property(names, mutation, (name, m) => {
        const { args, what } = mutate(VALID_CALLS[name](), m);
        const e = offendingError(name, args);
        if (e !== null) throw new Error(`${name} with ${what} threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      }),
      { seed: SEED, numRuns: 1500 },
    );
  });
});

describe("each optimizer's update under malformed arguments", () => {
  test('update returns or throws a NatgradError for a malformed gradient, state, params or extra', () => {
    const names = fc.constantFrom(...api.OPTIMIZER_NAMES);
    fc.assert(
      fc.property(names, mutation, (name, m) => {
        const opt = api.createOptimizer(name);
        const p = params();
        const valid = [new Float64Array(p.length).fill(0.01), opt.init(p), p, { spec: spec(), inputs: inputs(), targets: targets(), rng: new Rng(1) }];
        // The state is opaque: it is replaced, or one of its entries is, but never edited inside.
        const { args, what } = mutate(valid, m, (i) => (i === 1 ? 0 : 4));
        try {
          (opt.update as (...a: unknown[]) => unknown)(...args);
        } catch (e) {
          if (!(e instanceof NatgradError)) throw new Error(`${name}.update with ${what} threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
        }
      }),
      { seed: SEED, numRuns: 600 },
    );
  });
});
