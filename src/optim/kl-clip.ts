/**
 * The KL clip of kfac-pytorch: the preconditioned gradient v = (F̃ + λ I)⁻¹ g
 * that a step -η v is built from is multiplied by
 *   ν = min(1, sqrt(κ / (η² |gᵀ v|))),
 * so that the step's squared damped approximate-Fisher norm
 * η² vᵀ (F̃ + λ I) v = η² gᵀ v (twice the KL divergence the quadratic model
 * predicts for the step) is at most κ. The same bound applies to any step δ
 * through its squared norm δᵀ(C + λ I)δ in a curvature C.
 *
 * References: J. Ba, R. Grosse and J. Martens, "Distributed second-order
 * optimization using Kronecker-factored approximations", ICLR 2017, section 5;
 * gpauloski/kfac-pytorch, kfac/base_preconditioner.py `_compute_grad_scale`
 * (ν = min(1, sqrt(kl_clip / |Σ_layers Σ v·g·lr²|)), default kl_clip 0.001),
 * and alecwangcq/KFAC-Pytorch, optimizers/kfac.py `_kl_clip_and_update_grad`
 * (the same without the absolute value).
 */
import { requireFiniteWhere } from '../core/validate.js';

/** Validates a KL bound κ: a finite number > 0, or null for no clip. */
export function validateKlClip(kappa: unknown, path = 'klClip'): number | null {
  if (kappa === null) return null;
  return requireFiniteWhere(kappa, path, 'a finite number > 0, or null for no clip', (x) => x > 0);
}

/**
 * ν = min(1, sqrt(κ / |n|)) for a step of squared Fisher norm n: η² gᵀv
 * for the step -η v of a preconditioned gradient v (kfac-pytorch), or
 * δᵀ(C + λ I)δ for a step δ that is not a multiple of v. 1 for a zero step.
 */
export function klClipFactor(kappa: number, squaredNorm: number): number {
  const n = Math.abs(squaredNorm);
  if (!(n > 0)) return 1;
  return Math.min(1, Math.sqrt(kappa / n));
}
