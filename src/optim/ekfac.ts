/**
 * EKFAC: K-FAC's Kronecker eigenbasis (from running-average factors, refreshed
 * every `basisEvery` steps) with the diagonal re-estimated every step in that
 * basis from per-example gradients (running average, restarted when the basis
 * changes), preconditioner Q diag(1/(s + λ)) Qᵀ per layer.
 *
 * Options [defaults]: lr [1], damping λ [1e-3], fisher ['fisher' | 'empirical-fisher'
 * | 'monte-carlo'] ['fisher'], emaDecay [0.95], basisEvery [1], clip [none].
 * Needs a ModelBatch in extra. Example: `ekfac({ lr: 0.5, damping: 1e-2 })`.
 * Reference: T. George et al., "Fast approximate natural gradient descent in a
 * Kronecker-factored eigenbasis", NeurIPS 2018 (Algorithm 1).
 */
import { NatgradError } from '../core/errors.js';
import { ekfacBases, ekfacInverseOperator, ekfacScalings, type EkfacBasis, inParameterOrder } from '../curvature/ekfac.js';
import { kfacFactors } from '../curvature/kfac.js';
import { type StabilityOptions, emaMatrix, validateDecay, validateStability } from '../curvature/stability.js';
import type { Matrix } from '../linalg/matrix.js';
import { sampleTargets } from '../models/mlp.js';
import { assertFiniteUpdate, type Schedule, scaleByLearningRate } from './common.js';
import { batchWeights, type ModelBatch, requireModelBatch, requireRng } from './extra.js';
import type { KfacFisherChoice } from './kfac.js';
import { chain, type Transform } from './transform.js';

export interface EkfacState {
  count: number;
  A: Matrix[] | null;
  G: Matrix[] | null;
  bases: EkfacBasis[] | null;
  scalings: Matrix[] | null;
}

export interface ScaleByEkfacOptions extends StabilityOptions {
  fisher?: KfacFisherChoice;
  emaDecay?: number;
  basisEvery?: number;
}

export function scaleByEkfac(o: ScaleByEkfacOptions = {}): Transform<EkfacState, ModelBatch> {
  const stab: StabilityOptions = { damping: o.damping ?? 1e-3, clip: o.clip, rcond: o.rcond };
  validateStability(stab);
  const fisher = o.fisher ?? 'fisher';
  const decay = o.emaDecay ?? 0.95;
  const every = o.basisEvery ?? 1;
  validateDecay(decay, 'emaDecay');
  if (!['fisher', 'empirical-fisher', 'monte-carlo'].includes(fisher)) {
    throw new NatgradError('fisher', `must be one of fisher, empirical-fisher, monte-carlo, got ${JSON.stringify(fisher)}`);
  }
  if (!(Number.isInteger(every) && every >= 1)) throw new NatgradError('basisEvery', `must be an integer >= 1, got ${every}`);
  return {
    init: () => ({ count: 0, A: null, G: null, bases: null, scalings: null }),
    update(g, s, params, extra) {
      const b = requireModelBatch(extra, params, 'ekfac');
      const w = batchWeights(b, params);
      const targets = fisher === 'monte-carlo' ? sampleTargets(b.spec, w, b.inputs, requireRng(b, 'ekfac')) : b.targets;
      const kind = fisher === 'fisher' ? 'fisher' : 'empirical-fisher';
      const { layers } = kfacFactors(b.spec, w, b.inputs, targets, kind);
      const A = layers.map((f, l) => emaMatrix(s.A?.[l] ?? null, f.A, decay));
      const G = layers.map((f, l) => emaMatrix(s.G?.[l] ?? null, f.G, decay));
      const refresh = s.bases === null || s.count % every === 0;
      const bases = refresh ? ekfacBases(A.map((a, l) => ({ A: a, G: G[l] }))) : (s.bases as EkfacBasis[]);
      const fresh = ekfacScalings(b.spec, w, b.inputs, targets, kind, bases);
      const scalings = fresh.map((S, l) => emaMatrix(refresh ? null : (s.scalings?.[l] ?? null), S, decay));
      const inv = inParameterOrder(b.spec, ekfacInverseOperator(bases.map((q, l) => ({ ...q, scalings: scalings[l] })), stab));
      return [assertFiniteUpdate(inv.matvec(g), 'ekfac'), { count: s.count + 1, A, G, bases, scalings }] as const;
    },
  };
}

export interface EkfacOptions extends ScaleByEkfacOptions {
  lr?: Schedule;
}

export const ekfac = (o: EkfacOptions = {}): Transform<unknown[], ModelBatch> => chain<ModelBatch>(scaleByEkfac(o), scaleByLearningRate(o.lr ?? 1));
