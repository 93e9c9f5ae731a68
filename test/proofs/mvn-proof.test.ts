import { describe, expect, it } from 'vitest';
import { proofCheck } from '../../proofs/index.js';
import { mvnFisherProof } from '../../proofs/mvn-fisher.js';
import { checkProof } from '../../src/verify/proof-runner.js';

describe('multivariate normal (d = 2) Fisher from the log-density', () => {
  it('both routes equal the general formula entry by entry, and a perturbed entry is refuted', () => {
    const outcome = checkProof(mvnFisherProof);
    expect(outcome.ok).toBe(true);
    // 15 upper-triangle entries per route
    expect(outcome.steps.length).toBe(30);
    const check = proofCheck(mvnFisherProof);
    expect(check.sensitivity!.run({ seed: 1, runs: 1, thorough: false }).ok).toBe(false);
  });
});
