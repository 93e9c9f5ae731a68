/**
 * K-FAC: per layer the Fisher block is approximated by G ⊗ A (kfacFactors),
 * the factors are running averages A <- ε A + (1-ε) A_batch (same for G), and
 * the preconditioner (the damped inverse of kfacUpdate, scheme 'factored',
 * 'pi-factored' or 'exact') uses the factors frozen at the last refresh,
 * every `inverseEvery` steps, when the damped inverses are factorized once
 * (kfacPreconditioner) and reused until the next refresh. The step is -lr · update.
 *
 * Options [defaults]: lr [1], damping λ [1e-3], dampingScheme ['pi-factored'],
 * fisher ['fisher' | 'empirical-fisher' | 'monte-carlo'] ['fisher'],
 * emaDecay ε [0.95], inverseEvery T [1]. Needs a ModelBatch in extra (with an
 * rng for 'monte-carlo'). Example: `kfac({ lr: 0.5, damping: 1e-2, inverseEvery: 5 })`.
 * Reference: J. Martens and R. Grosse, "Optimizing neural networks with
 * Kronecker-factored approximate curvature", ICML 2015 (sections 5, 6.3, 8).
 */
import { NatgradError } from '../core/errors.js';
import type { Vec } from '../core/vec.js';
import {
  type KfacDampingScheme,
  KFAC_DAMPING_SCHEMES,
  blockLayoutFromParams,
  type KfacPreconditioner,
  kfacFactors,
  kfacPreconditioner,
  paramsFromLayerMatrices,
} from '../curvature/kfac.js';
import { emaMatrix, validateDecay } from '../curvature/stability.js';
import { Matrix } from '../linalg/matrix.js';
import { layerCount, layerHasBias, type MlpSpec, sampleTargets } from '../models/mlp.js';
import { assertFiniteUpdate, type Schedule, scaleByLearningRate } from './common.js';
import { batchWeights, type ModelBatch, requireModelBatch, requireRng } from './extra.js';
import { chain, type Transform } from './transform.js';

export type KfacFisherChoice = 'fisher' | 'empirical-fisher' | 'monte-carlo';

export interface KfacState {
  count: number;
  /** Running averages of the factors. */
  A: Matrix[] | null;
  G: Matrix[] | null;
  /** The factors the preconditioner uses, refreshed every inverseEvery steps. */
  frozen: { A: Matrix; G: Matrix }[] | null;
  /** Per layer, the damped inverse of `frozen`, factorized at the refresh and reused until the next. */
  preconditioners: KfacPreconditioner[] | null;
}

export interface ScaleByKfacOptions {
  damping?: number;
  dampingScheme?: KfacDampingScheme;
  fisher?: KfacFisherChoice;
  emaDecay?: number;
  inverseEvery?: number;
}

/** The gradient as per-layer out x (in+1) matrices [dW db] (bias last column). */
export function layerGradientMatrices(spec: MlpSpec, g: Vec): Matrix[] {
  const v = blockLayoutFromParams(spec, g);
  const mats: Matrix[] = [];
  let k = 0;
  for (let l = 0; l < layerCount(spec); l++) {
    const rows = spec.sizes[l + 1];
    const cols = spec.sizes[l] + (layerHasBias(spec, l) ? 1 : 0);
    mats.push(new Matrix(rows, cols, v.slice(k, k + rows * cols)));
    k += rows * cols;
  }
  return mats;
}

/** The K-FAC preconditioned gradient with running-average factors. */
export function scaleByKfac(o: ScaleByKfacOptions = {}): Transform<KfacState, ModelBatch> {
  const damping = o.damping ?? 1e-3;
  const scheme = o.dampingScheme ?? 'pi-factored';
  const fisher = o.fisher ?? 'fisher';
  const decay = o.emaDecay ?? 0.95;
  const every = o.inverseEvery ?? 1;
  if (!(Number.isFinite(damping) && damping >= 0)) throw new NatgradError('damping', `must be a finite number >= 0, got ${damping}`);
  if (!KFAC_DAMPING_SCHEMES.includes(scheme)) throw new NatgradError('dampingScheme', `must be one of ${KFAC_DAMPING_SCHEMES.join(', ')}, got ${JSON.stringify(scheme)}`);
  if (!['fisher', 'empirical-fisher', 'monte-carlo'].includes(fisher)) {
    throw new NatgradError('fisher', `must be one of fisher, empirical-fisher, monte-carlo, got ${JSON.stringify(fisher)}`);
  }
  validateDecay(decay, 'emaDecay');
  if (!(Number.isInteger(every) && every >= 1)) throw new NatgradError('inverseEvery', `must be an integer >= 1, got ${every}`);
  return {
    init: () => ({ count: 0, A: null, G: null, frozen: null, preconditioners: null }),
    update(g, s, params, extra) {
      const b = requireModelBatch(extra, params, 'kfac');
      const w = batchWeights(b, params);
      // A Monte Carlo K-FAC is the empirical one at targets drawn from the model.
      const targets = fisher === 'monte-carlo' ? sampleTargets(b.spec, w, b.inputs, requireRng(b, 'kfac')) : b.targets;
      const kind = fisher === 'fisher' ? 'fisher' : 'empirical-fisher';
      const { layers } = kfacFactors(b.spec, w, b.inputs, targets, kind);
      const A = layers.map((f, l) => emaMatrix(s.A?.[l] ?? null, f.A, decay));
      const G = layers.map((f, l) => emaMatrix(s.G?.[l] ?? null, f.G, decay));
      const refresh = s.frozen === null || s.preconditioners === null || s.count % every === 0;
      const frozen = refresh ? A.map((a, l) => ({ A: a, G: G[l] })) : s.frozen!;
      const preconditioners = refresh ? frozen.map((f) => kfacPreconditioner(f, damping, scheme)) : s.preconditioners!;
      const grads = layerGradientMatrices(b.spec, g);
      const updates = grads.map((gradient, l) => preconditioners[l].apply(gradient));
      const out = paramsFromLayerMatrices(b.spec, updates);
      return [assertFiniteUpdate(out, 'kfac'), { count: s.count + 1, A, G, frozen, preconditioners }] as const;
    },
  };
}

export interface KfacOptions extends ScaleByKfacOptions {
  lr?: Schedule;
}

export const kfac = (o: KfacOptions = {}): Transform<unknown[], ModelBatch> => chain<ModelBatch>(scaleByKfac(o), scaleByLearningRate(o.lr ?? 1));
