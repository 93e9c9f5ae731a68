/** Small oracle specs with hand-checkable answers, and in-process runners of the two commands. */
import { checkCommand } from '../../src/cli/commands.js';
import { memoryIo } from '../../src/cli/io.js';
import { oracleCommand } from '../../src/cli/commands.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface Run {
  code: number;
  out: string;
  err: string;
}

/** `natgrad oracle` on a spec given as a JSON value (written to a file) or raw text. */
export async function oracle(spec: unknown, opts: { raw?: boolean; stdin?: boolean } = {}): Promise<Run> {
  const text = opts.raw ? (spec as string) : JSON.stringify(spec);
  const io = memoryIo(opts.stdin ? text : '', opts.stdin ? {} : { 'spec.json': text });
  const code = await oracleCommand([opts.stdin ? '-' : 'spec.json'], io);
  return { code, out: io.out, err: io.err };
}

/** `natgrad oracle` whose result must succeed; returns the parsed JSON. */
export async function oracleOk(spec: unknown): Promise<any> {
  const r = await oracle(spec);
  if (r.code !== 0) throw new Error(`oracle failed (${r.code}): ${r.err}`);
  return JSON.parse(r.out);
}

/** `natgrad check spec.json cand.json ...extra` (extra may hold options anywhere, via `order`). */
export async function check(spec: unknown, candidate: unknown, options: string[] = [], order: 'after' | 'before' | 'between' = 'after'): Promise<Run> {
  const io = memoryIo('', { 'spec.json': JSON.stringify(spec), 'cand.json': JSON.stringify(candidate) });
  const args =
    order === 'after'
      ? ['spec.json', 'cand.json', ...options]
      : order === 'before'
        ? [...options, 'spec.json', 'cand.json']
        : ['spec.json', ...options, 'cand.json'];
  const code = await checkCommand(args, io);
  return { code, out: io.out, err: io.err };
}

/** `check --json`, parsed. */
export async function checkJson(
  spec: unknown,
  candidate: unknown,
  options: string[] = [],
): Promise<{ code: number; report: { ok: boolean; mismatches: { field: string; maxAbsErr: number; maxRelErr: number; diagnosis: string | null }[] } }> {
  const r = await check(spec, candidate, ['--json', ...options]);
  if (r.code === 2) throw new Error(`check failed: ${r.err}`);
  return { code: r.code, report: JSON.parse(r.out) };
}

/** Asserts the bad-input contract: exit 2, nothing on stdout, one `natgrad: <path>: ...` line. Returns the line. */
export function badInputLine(r: Run): string {
  if (r.code !== 2) throw new Error(`expected exit 2, got ${r.code}; stdout ${r.out.slice(0, 200)}; stderr ${r.err}`);
  if (r.out !== '') throw new Error(`expected empty stdout, got ${r.out.slice(0, 200)}`);
  const lines = r.err.split('\n');
  if (lines.length !== 2 || lines[1] !== '') throw new Error(`expected exactly one stderr line, got ${JSON.stringify(r.err)}`);
  return lines[0];
}

export const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

/** Linear regression y = W x + b with unit-variance gaussian noise, 3 examples in 2 dimensions. */
export const linearRegression = {
  kind: 'fisher',
  model: { type: 'mlp', sizes: [2, 1], activations: ['identity'], likelihood: 'gaussian' },
  weights: [{ W: [[0.5, -0.3]], b: [0.1] }],
  inputs: [
    [1, 2],
    [3, -1],
    [0.5, 0.5],
  ],
  targets: [[1], [0], [2]],
  curvature: 'fisher',
};

/** A small tanh network with a categorical output: sizes [3, 4, 3], 5 examples. */
export const classifier = {
  kind: 'fisher',
  model: { type: 'mlp', sizes: [3, 4, 3], activations: ['tanh', 'identity'], likelihood: 'categorical' },
  weights: [
    {
      W: [
        [0.3, -0.2, 0.5],
        [-0.4, 0.1, 0.2],
        [0.25, 0.35, -0.15],
        [0.05, -0.45, 0.3],
      ],
      b: [0.1, -0.1, 0.05, 0.2],
    },
    {
      W: [
        [0.6, -0.3, 0.2, 0.1],
        [-0.2, 0.4, -0.5, 0.3],
        [0.1, 0.2, 0.3, -0.4],
      ],
      b: [0.05, -0.05, 0.1],
    },
  ],
  inputs: [
    [1, 0.5, -1],
    [0.2, -0.3, 0.8],
    [-1.2, 0.4, 0.1],
    [0.7, 0.7, -0.2],
    [0.0, -1.0, 0.5],
  ],
  targets: [0, 2, 1, 1, 0],
  curvature: 'fisher',
};

/** The classifier as a K-FAC spec. */
export const kfacSpec = (scheme: 'factored' | 'pi-factored' | 'exact', damping = 0.1, fisher: 'fisher' | 'empirical-fisher' = 'fisher') => {
  const { curvature: _c, kind: _k, ...rest } = classifier;
  return { ...rest, kind: 'kfac', fisher, damping, dampingScheme: scheme };
};

export const shampooSpec = {
  kind: 'shampoo',
  gradients: [
    [
      [1, 0, 0.5],
      [0, 2, -1],
    ],
    [
      [0.3, -0.2, 0.1],
      [0.4, 0.5, -0.6],
    ],
  ],
  epsilon: 1e-4,
};
