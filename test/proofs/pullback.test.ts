import { describe, expect, it } from 'vitest';
import { proofCheck } from '../../proofs/index.js';
import { pullbackProofs } from '../../proofs/pullback.js';

const ctx = { seed: 1, runs: 5, thorough: false };

describe('pullback proofs (every ordered pair of parameterizations)', () => {
  const proofs = pullbackProofs();

  it('covers the twenty ordered pairs of the normal family', () => {
    expect(proofs.filter((p) => p.id.startsWith('pullback/normal/')).length).toBe(20);
  });

  for (const proof of proofs) {
    it(`${proof.id} checks, and a perturbed step is refuted`, () => {
      const check = proofCheck(proof);
      const outcome = check.run(ctx);
      expect(outcome.ok, outcome.detail).toBe(true);
      expect(outcome.method).toMatch(/symbolic|numeric-identity/);
      const sensitivity = check.sensitivity!.run(ctx);
      expect(sensitivity.ok, sensitivity.detail).toBe(false);
    });
  }
});
