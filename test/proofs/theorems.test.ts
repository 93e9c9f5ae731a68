import { describe, expect, it } from 'vitest';
import { allProofs, proofCheck } from '../../proofs/index.js';

const ctx = { seed: 1, runs: 5, thorough: false };

describe('theorem proofs: invariance and the equivalences', () => {
  const proofs = allProofs().filter((p) => !p.id.startsWith('pullback/') && !p.id.startsWith('mvn/'));
  for (const proof of proofs) {
    it(`${proof.id} checks, and a perturbed step is refuted`, () => {
      const check = proofCheck(proof);
      const outcome = check.run(ctx);
      expect(outcome.ok, outcome.detail).toBe(true);
      const sensitivity = check.sensitivity!.run(ctx);
      expect(sensitivity.ok, sensitivity.detail).toBe(false);
    });
  }
});
