import { describe, expect, it } from 'vitest';
import { exponentialFamilyProofs } from '../../proofs/exponential-family.js';
import { allProofs, perturbedStep, proofChecks } from '../../proofs/index.js';
import { renderProofIndex, renderProofMarkdown } from '../../src/verify/proof-render.js';
import { checkProof } from '../../src/verify/proof-runner.js';
import { lawChecks } from '../../properties/laws-index.js';

describe('proof rendering and the proof registry', () => {
  const proof = exponentialFamilyProofs().find((p) => p.id.endsWith('/poisson'))!;

  it('renders statement, references and how each step was proved, deterministically', () => {
    const outcome = checkProof(proof);
    const md = renderProofMarkdown(proof, outcome);
    expect(md).toBe(renderProofMarkdown(proof, checkProof(proof)));
    expect(md).toContain(`# ${proof.title}`);
    expect(md).toContain(proof.references[0]);
    expect(md).toContain('**Checked** symbolically');
    expect(md).toContain('$$');
    expect(md).not.toMatch(/\d+ ms|\d{4}-\d{2}-\d{2}T/);
    const index = renderProofIndex([{ proof, outcome, file: 'poisson.md' }]);
    expect(index).toContain('[Exponential family (poisson)');
    expect(index).toContain('`equivalence/exponential-family/hessian-of-A`');
  });

  it('marks a refuted step with its counterexample', () => {
    const broken = { ...proof, id: `${proof.id}/broken`, steps: [perturbedStep(proof)] };
    const md = renderProofMarkdown(broken, checkProof(broken));
    expect(md).toContain('**Refuted**');
    expect(md).toContain('NOT every step holds');
  });

  it('gives every proof a unique id, references and a property that exists', () => {
    const proofs = allProofs();
    expect(new Set(proofs.map((p) => p.id)).size).toBe(proofs.length);
    const lawIds = new Set(lawChecks().map((c) => c.id));
    for (const p of proofs) {
      expect(p.references.length).toBeGreaterThan(0);
      expect(lawIds.has(p.property ?? ''), `${p.id} -> ${p.property}`).toBe(true);
    }
    const checks = proofChecks();
    expect(checks.every((c) => c.kind === 'proof' && c.id.startsWith('proof/') && c.sensitivity)).toBe(true);
  });
});
