/**
 * Every proof of the repository, and each one as a `verify` check whose
 * sensitivity run perturbs one step (its right-hand side times 101/100, or
 * plus 1/100 when that side is 0) and must see the step refuted.
 */
import type { Check, CheckContext, CheckOutcome } from '../src/verify/types.js';
import { empiricalFisherProof } from './empirical-fisher.js';
import { exponentialFamilyProofs } from './exponential-family.js';
import { exponentialFamilyNewtonProof } from './exponential-family-newton.js';
import { fisherIdentityProof } from './fisher-identity.js';
import { flowInvariance } from './flow-invariance.js';
import { ggnFisherProof } from './ggn-fisher.js';
import { glmCanonicalProof } from './glm-canonical.js';
import { linearRegressionProof } from './linear-regression.js';
import { mirrorDescentProof } from './mirror-descent.js';
import { mvnFisherProof } from './mvn-fisher.js';
import { naturalGradientInvariance } from './natural-gradient-invariance.js';
import { pullbackProofs } from './pullback.js';
import { checkProof, describeMethods, methodOf } from '../src/verify/proof-runner.js';
import type { Proof, ProofStep } from '../src/verify/proof-types.js';

/** All proofs, in the order of the docs. */
export function allProofs(): Proof[] {
  return [
    ...pullbackProofs(),
    naturalGradientInvariance,
    flowInvariance,
    linearRegressionProof,
    glmCanonicalProof,
    ...exponentialFamilyProofs(),
    exponentialFamilyNewtonProof,
    ggnFisherProof,
    mirrorDescentProof,
    fisherIdentityProof,
    empiricalFisherProof,
    mvnFisherProof,
  ];
}

/** The step of a proof that the sensitivity run perturbs: the first whose lhs is not 0 (a scaled 0 is still 0). */
export function perturbedStep(proof: Proof): ProofStep {
  const steps = proof.steps;
  const target = steps.find((s) => s.lhs.replace(/[()\s]/g, '') !== '0') ?? steps[0];
  const zero = target.lhs.replace(/[()\s]/g, '') === '0';
  // 101/100 and not 1.01: the backend answers decimals in a form that cannot be parsed back.
  const rhs = zero ? `(${target.rhs})+1/100` : `101/100*(${target.rhs})`;
  return { ...target, claim: `${target.claim} (perturbed)`, rhs, numericOnly: true };
}

function summarize(proof: Proof): CheckOutcome {
  const outcome = checkProof(proof);
  const refuted = outcome.steps.filter((s) => !s.equal);
  const detail = outcome.ok
    ? describeMethods(outcome)
    : `${describeMethods(outcome)}; first refuted: ${refuted[0]?.claim ?? 'no steps'}${refuted[0]?.counterexample ? ` at ${JSON.stringify(refuted[0].counterexample)}` : ''}`;
  return { ok: outcome.ok, runs: outcome.steps.length, detail, method: methodOf(outcome) };
}

export function proofCheck(proof: Proof): Check {
  return {
    id: `proof/${proof.id}`,
    theorem: proof.title,
    reference: proof.references.join('; '),
    kind: 'proof',
    run: (_ctx: CheckContext) => summarize(proof),
    sensitivity: {
      description: 'one step with its right-hand side scaled by 101/100 (or shifted by 1/100 when it is 0) must be refuted',
      run: (_ctx: CheckContext) => {
        const step = perturbedStep(proof);
        return summarize({ ...proof, id: `${proof.id}/perturbed`, steps: [step] });
      },
    },
  };
}

/** Every proof as a check of kind 'proof'. */
export function proofChecks(): Check[] {
  return allProofs().map(proofCheck);
}
