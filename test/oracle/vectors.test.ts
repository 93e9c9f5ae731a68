import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCommand } from '../../src/cli/commands.js';
import type { Io } from '../../src/cli/io.js';
import { memoryIo } from '../../src/cli/io.js';
import { vectorsCommand } from '../../src/cli/vectors-command.js';
import { VECTOR_GROUPS, VECTORS_CONTRACT_VERSION, isFresh, stableJson } from '../../src/oracle/vectors.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const VECTORS = join(ROOT, 'vectors');

interface Vector {
  path: string;
  spec: Record<string, unknown>;
  expected: Record<string, unknown>;
}

async function committedVectors(): Promise<Vector[]> {
  const out: Vector[] = [];
  for (const g of VECTOR_GROUPS) {
    for (const f of (await readdir(join(VECTORS, g))).sort()) {
      const doc = JSON.parse(await readFile(join(VECTORS, g, f), 'utf8'));
      out.push({ path: `${g}/${f}`, spec: doc.spec, expected: doc.expected });
    }
  }
  return out;
}

/** `natgrad check --json` in-process on an array spec and an array candidate. */
async function checkAll(specs: unknown[], candidates: unknown[]) {
  const io = memoryIo('', { 'spec.json': JSON.stringify(specs), 'cand.json': JSON.stringify(candidates) });
  const code = await checkCommand(['spec.json', 'cand.json', '--json'], io);
  return { code, err: io.err, report: code === 2 ? null : (JSON.parse(io.out) as { ok: boolean; mismatches: { field: string; diagnosis: string | null }[] }) };
}

/** An Io on the real file system that records what the command prints. */
function fsIo(): Io & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    interactive: false,
    stdout(t: string) {
      io.out += t;
    },
    stderr(t: string) {
      io.err += t;
    },
    async readStdin() {
      return '';
    },
    readFile: (p: string) => readFile(p, 'utf8'),
    async writeFile(p: string, t: string) {
      await mkdir(dirname(p), { recursive: true });
      await writeFile(p, t, 'utf8');
    },
  };
  return io;
}

describe('committed vectors', () => {
  let vectors: Vector[];
  beforeAll(async () => {
    vectors = await committedVectors();
  });

  it('index.json lists every vector file, with the contract version and counts', async () => {
    const index = JSON.parse(await readFile(join(VECTORS, 'index.json'), 'utf8'));
    expect(index.contractVersion).toBe(VECTORS_CONTRACT_VERSION);
    expect(typeof index.natgradVersion).toBe('string');
    expect(index.files.map((f: { path: string }) => f.path).sort()).toEqual(vectors.map((v) => v.path).sort());
    expect(index.counts.total).toBe(vectors.length);
    for (const g of VECTOR_GROUPS) expect(index.counts[g]).toBeGreaterThan(0);
  });

  it('covers every kind, both subjects of fisher, the four curvatures, three damping schemes and a singular case', () => {
    const kinds = new Set(vectors.map((v) => v.spec.kind));
    expect([...kinds].sort()).toEqual(['diagonal', 'ekfac', 'fisher', 'kfac', 'natural-gradient', 'per-example-gradients', 'reparameterize', 'shampoo']);
    const curvatures = new Set(vectors.filter((v) => v.spec.kind === 'fisher' && v.spec.model).map((v) => v.spec.curvature));
    expect([...curvatures].sort()).toEqual(['empirical-fisher', 'fisher', 'ggn', 'hessian', 'monte-carlo-fisher']);
    const reductions = new Set(vectors.map((v) => v.spec.reduction).filter((r) => r !== undefined));
    expect([...reductions].sort()).toEqual(['mean', 'mean-elements', 'sum']);
    expect(vectors.some((v) => (v.spec.model as { likelihood?: string } | undefined)?.likelihood === 'mse')).toBe(true);
    expect(vectors.some((v) => v.spec.bias === 'separate')).toBe(true);
    const schemes = new Set(vectors.filter((v) => v.spec.kind === 'kfac').map((v) => `${v.spec.fisher}/${v.spec.dampingScheme}`));
    for (const f of ['fisher', 'empirical-fisher']) for (const s of ['factored', 'pi-factored', 'exact']) expect(schemes.has(`${f}/${s}`)).toBe(true);
    const singular = vectors.filter((v) => v.expected.kind === 'natural-gradient').map((v) => v.expected.singular);
    expect(singular).toContain(true);
    expect(singular).toContain(false);
  });

  it('every file is in the stable format (sorted keys, exactly {spec, expected})', async () => {
    for (const v of vectors) {
      const text = await readFile(join(VECTORS, v.path), 'utf8');
      expect(Object.keys(JSON.parse(text))).toEqual(['expected', 'spec']);
      expect(text).toBe(`${stableJson({ spec: v.spec, expected: v.expected })}\n`);
    }
  });

  it('natgrad check accepts every expected result (exit 0)', async () => {
    const r = await checkAll(
      vectors.map((v) => v.spec),
      vectors.map((v) => v.expected),
    );
    expect(r.err).toBe('');
    expect(r.report?.mismatches).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('natgrad check rejects a vector whose expected result is altered (exit 1, the field named)', async () => {
    const v = vectors.find((x) => x.path === 'kfac/mlp-categorical--fisher--factored.json')!;
    const layers = v.expected.layers as { A: number[][]; G: number[][] }[];
    const swapped = { ...v.expected, layers: layers.map((l, i) => (i === 0 ? { ...l, A: l.G, G: l.A } : l)) };
    const r = await checkAll([v.spec], [swapped]);
    expect(r.code).toBe(1);
    expect(r.report?.mismatches.map((m) => m.field)).toEqual(['[0].layers[0].A', '[0].layers[0].G']);
    expect(r.report?.mismatches[0].diagnosis).toContain('[swapped]');
  });
});

describe('natgrad vectors', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'natgrad-vectors-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the suite, the committed copy is fresh, and --check lists stale, missing and extra files', async () => {
    const out = join(dir, 'v');
    const w = fsIo();
    expect(await vectorsCommand({ out }, w)).toBe(0);
    expect(w.err).toBe('');
    // the committed copy is what generation writes (the CI freshness check)
    const committed = fsIo();
    expect(await vectorsCommand({ out: VECTORS, check: true }, committed)).toBe(0);
    expect(committed.out).toContain('is fresh');

    const fresh = fsIo();
    expect(await vectorsCommand({ out, check: true }, fresh)).toBe(0);

    const target = join(out, 'shampoo', '2x3-two-steps.json');
    const doc = JSON.parse(await readFile(target, 'utf8'));
    doc.expected.update[0][0] *= 1 + 1e-9;
    await writeFile(target, stableJson(doc));
    await rm(join(out, 'kfac', 'mlp-categorical--fisher--exact.json'));
    await writeFile(join(out, 'shampoo', 'old.json'), '{}');
    const stale = fsIo();
    expect(await vectorsCommand({ out, check: true }, stale)).toBe(1);
    expect(stale.out).toContain('stale    shampoo/2x3-two-steps.json');
    expect(stale.out).toContain('missing  kfac/mlp-categorical--fisher--exact.json');
    expect(stale.out).toContain('extra    shampoo/old.json');
    expect(stale.out.split('\n').filter((l) => l.startsWith('  '))).toHaveLength(3);
  }, 60_000);

  it('--check of a folder that does not exist lists every file as missing', async () => {
    const io = fsIo();
    expect(await vectorsCommand({ out: join(dir, 'nothing'), check: true }, io)).toBe(1);
    expect(io.out).toContain('missing  index.json');
  }, 60_000);

  it('freshness ignores round-off in the last digits only', () => {
    const a = stableJson({ x: [0.1 + 0.2, 1e-17] });
    expect(isFresh('a.json', a, stableJson({ x: [0.3, 0] }))).toBe(true);
    expect(isFresh('a.json', a, stableJson({ x: [0.3 * (1 + 1e-9), 0] }))).toBe(false);
    expect(isFresh('a.json', a, stableJson({ x: [0.3], y: 1 }))).toBe(false);
    expect(isFresh('README.md', 'a', 'b')).toBe(false);
  });
});
