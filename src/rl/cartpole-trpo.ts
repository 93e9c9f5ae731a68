/**
 * TRPO on CartPole with an MLP categorical policy: batches of whole episodes,
 * advantages = discounted rewards-to-go minus a linear feature baseline
 * (features s, s², t, t², t³, 1, as rllab's LinearFeatureBaseline), normalised;
 * the Fisher-vector products use a subsample of the batch's states.
 */
import { Rng } from '../core/rng.js';
import type { Vec } from '../core/vec.js';
import { fitLinearBaseline } from './baseline.js';
import { CARTPOLE, cartPoleReset, cartPoleStep } from './cartpole.js';
import { actionProbs, meanKl, mlpCategoricalPolicy, policyFisherOperator, sampleAction, scoreVector } from './policy.js';
import { type TrpoOptions, trpoStep } from './trpo.js';

export interface CartPoleTrpoOptions extends TrpoOptions {
  seed?: number;
  iterations?: number;
  /** environment steps per batch (whole episodes, at least this many) [2000] */
  batchSteps?: number;
  hidden?: number;
  gamma?: number;
  /** use every k-th state of the batch for Fisher-vector products [2] */
  fisherSubsample?: number;
}

export interface CartPoleTrpoIteration {
  iteration: number;
  episodes: number;
  /** mean return of the last 100 episodes finished so far */
  averageReturn100: number;
  accepted: boolean;
  kl: number;
}

function baselineFeatures(s: Vec, t: number): number[] {
  const u = t / CARTPOLE.maxSteps;
  return [s[0], s[1], s[2], s[3], s[0] * s[0], s[1] * s[1], s[2] * s[2], s[3] * s[3], u, u * u, u * u * u, 1];
}

/** Runs TRPO on CartPole-v1; returns one record per iteration. */
export function runCartPoleTrpo(o: CartPoleTrpoOptions = {}): CartPoleTrpoIteration[] {
  const rng = new Rng(o.seed ?? 1);
  const policy = mlpCategoricalPolicy([4, o.hidden ?? 16, 2], 'tanh');
  let theta = policy.init(rng.split());
  const gamma = o.gamma ?? 0.99;
  const batchSteps = o.batchSteps ?? 2000;
  const sub = o.fisherSubsample ?? 2;
  const returns: number[] = [];
  const out: CartPoleTrpoIteration[] = [];
  for (let it = 0; it < (o.iterations ?? 50); it++) {
    const states: Vec[] = [];
    const actions: number[] = [];
    const rtg: number[] = [];
    const feats: number[][] = [];
    let episodes = 0;
    while (states.length < batchSteps) {
      let s = cartPoleReset(rng);
      const start = states.length;
      for (let t = 0; t < CARTPOLE.maxSteps; t++) {
        const a = sampleAction(policy, theta, s, rng);
        states.push(s);
        actions.push(a);
        feats.push(baselineFeatures(s, t));
        const r = cartPoleStep(s, a);
        s = r.state;
        if (r.done) break;
      }
      const len = states.length - start;
      let g = 0;
      const seg = new Array<number>(len);
      for (let t = len - 1; t >= 0; t--) seg[t] = g = 1 + gamma * g;
      rtg.push(...seg);
      returns.push(len);
      episodes++;
    }
    const w = fitLinearBaseline(feats, rtg, 1e-5);
    const adv = rtg.map((g, n) => g - feats[n].reduce((acc, f, i) => acc + f * w[i], 0));
    const mean = adv.reduce((a, b) => a + b, 0) / adv.length;
    const sd = Math.sqrt(adv.reduce((a, b) => a + (b - mean) ** 2, 0) / adv.length) || 1;
    for (let n = 0; n < adv.length; n++) adv[n] = (adv[n] - mean) / sd;
    const N = states.length;
    const oldProb = states.map((s, n) => actionProbs(policy, theta, s)[actions[n]]);
    const gradient = new Float64Array(policy.paramCount);
    states.forEach((s, n) => {
      const psi = scoreVector(policy, theta, s, actions[n]);
      for (let k = 0; k < psi.length; k++) gradient[k] += (adv[n] * psi[k]) / N;
    });
    const fisherStates = states.filter((_, n) => n % sub === 0);
    const fisher = policyFisherOperator(policy, theta, fisherStates, new Float64Array(fisherStates.length).fill(1 / fisherStates.length));
    const uniform = new Float64Array(N).fill(1 / N);
    const thetaOld = theta;
    const step = trpoStep(
      {
        theta,
        gradient,
        fisher,
        surrogate: (th) => states.reduce((acc, s, n) => acc + (actionProbs(policy, th, s)[actions[n]] / oldProb[n]) * adv[n], 0) / N,
        kl: (th) => meanKl(policy, thetaOld, th, states, uniform),
      },
      o,
    );
    theta = step.theta;
    const last = returns.slice(-100);
    out.push({ iteration: it, episodes, averageReturn100: last.reduce((a, b) => a + b, 0) / last.length, accepted: step.accepted, kl: step.kl });
  }
  return out;
}
