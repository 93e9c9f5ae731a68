/**
 * Peer conformance: curvlinops' answers on small MLPs (test/data/peer-runs/curvlinops,
 * see its README and PROVENANCE) checked as they are, with the spec stating the
 * loss as PyTorch configured it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCheck } from '../../src/oracle/check.js';
import { check } from './fixtures.js';

const DIR = join(__dirname, '..', 'data', 'peer-runs', 'curvlinops');
const CASES = readdirSync(DIR)
  .filter((f) => f.endsWith('.spec.json'))
  .map((f) => f.replace('.spec.json', ''))
  .sort();

/** Monte Carlo samples stated for items 5 and 9 (lower bounds of the estimates in PROVENANCE.md). */
const FISHER_SAMPLES = 1000;
const KFAC_SAMPLES = 10000;

interface PeerCase {
  name: string;
  mse: boolean;
  sum: boolean;
  D: number;
  specs: any[];
  candidates: any[];
}

function load(name: string): PeerCase {
  const specs = JSON.parse(readFileSync(join(DIR, `${name}.spec.json`), 'utf8'));
  const candidates = JSON.parse(readFileSync(join(DIR, `${name}.candidate.json`), 'utf8'));
  const D = specs[0].model.sizes[specs[0].model.sizes.length - 1];
  return { name, mse: name.includes('_MSE_'), sum: name.endsWith('__sum'), D, specs, candidates };
}

/** Item i's spec with the fields that state the peer's loss: nn.MSELoss and the reduction= argument. */
function stated(pc: PeerCase, i: number): any {
  const s = structuredClone(pc.specs[i]);
  if (pc.mse) s.model.likelihood = 'mse';
  s.reduction = pc.sum ? 'sum' : 'mean-elements';
  if (i === 5) Object.assign(s, { curvature: 'monte-carlo-fisher', samples: FISHER_SAMPLES });
  if (i === 9) Object.assign(s, { fisher: 'monte-carlo', samples: KFAC_SAMPLES });
  return s;
}

const scale = (v: any, c: number): any => (Array.isArray(v) ? v.map((x) => scale(x, c)) : typeof v === 'number' ? v * c : v);

const EXACT = [0, 1, 2, 3, 6, 7];

describe.each(CASES)('curvlinops %s', (name) => {
  const pc = load(name);

  test('every exact object passes check unchanged (Hessian, GGN, type-2 Fisher, empirical Fisher, K-FAC factors)', async () => {
    for (const i of EXACT) {
      const out = await runCheck(stated(pc, i), pc.candidates[i]);
      expect(out.mismatches, `item ${i}`).toEqual([]);
    }
  });

  test('without the convention fields the same objects fail, diagnosed by the convention', async () => {
    if (!pc.sum && !pc.mse) return; // mean CE/BCE is version 1's convention
    // the empirical Fisher: for MSE with reduction='mean' it carries 4/D, not 1, even at D = 2
    const out = await runCheck(pc.specs[3], pc.candidates[3]);
    expect(out.ok).toBe(false);
    expect(out.mismatches[0].diagnosis).toMatch(pc.mse ? /\[mse\]/ : /\[reduction\]/);
  });

  test('the Monte Carlo Fisher and K-FAC pass statistically; scaled by 1.5 they fail', async () => {
    for (const i of [5, 9]) {
      const c = pc.candidates[i];
      const good = await runCheck(stated(pc, i), c);
      expect(good.mismatches, `item ${i}`).toEqual([]);
      // exactly the label-dependent fields are judged statistically
      for (const f of good.fields) expect(f.z !== null, f.field).toBe(f.keys[0] === 'matrix' || f.keys[f.keys.length - 1] === 'G');
      const scaled = i === 5 ? { ...c, matrix: scale(c.matrix, 1.5) } : { ...c, layers: c.layers.map((l: any) => ({ ...l, G: scale(l.G, 1.5) })) };
      const bad = await runCheck(stated(pc, i), scaled);
      expect(bad.ok, `item ${i} scaled by 1.5`).toBe(false);
    }
  });

  test('the deliberate mismatches are named: empirical for true (items 4, 8), factors in internal order (item 10)', async () => {
    for (const i of [4, 8]) {
      const out = await runCheck(stated(pc, i), pc.candidates[i]);
      expect(out.ok).toBe(false);
      for (const m of out.mismatches) expect(m.diagnosis, `item ${i} ${m.field}`).toContain('[empirical]');
    }
    const swapped = await runCheck(stated(pc, 10), pc.candidates[10]);
    expect(swapped.ok).toBe(false);
    for (const m of swapped.mismatches) expect(m.diagnosis, m.field).toContain('[swapped]');
  });

  // only the mean cases hold items 11-14
  if (pc.specs.length > 11)
    test('the K-FAC inverses (items 11-14): plain λ = d² passes, λ = d is [damping]', async () => {
      for (const i of [11, 13, 14]) {
        const c = pc.candidates[i];
        // the MSE inverses were applied to the gradient of the gaussian loss (README): a factor D/2 on the update
        const cand = pc.mse ? { ...c, layers: c.layers.map((l: any) => ({ ...l, update: scale(l.update, 2 / pc.D) })) } : c;
        const out = await runCheck(stated(pc, i), cand);
        expect(out.mismatches, `item ${i}`).toEqual([]);
      }
      const out = await runCheck(stated(pc, 12), pc.candidates[12]);
      expect(out.ok).toBe(false);
      for (const m of out.mismatches) expect(m.diagnosis, m.field).toContain('[damping]');
    });
});

test('through the command line: a sum-reduced MSE GGN passes as it is, and the report states z for the Monte Carlo field', async () => {
  const pc = load('4-5-2_sigmoid_MSE__sum');
  const r = await check(stated(pc, 1), pc.candidates[1]);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  const mc = await check(stated(pc, 5), pc.candidates[5], ['--false-alarm', '1e-3']);
  expect(mc.code).toBe(0);
  expect(mc.out).toMatch(/Monte Carlo: within \d+\.\d\d standard errors, false-alarm rate 0.001/);
});
