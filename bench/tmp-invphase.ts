import { Rng } from '../src/core/rng.js';
import { kfacFactors } from '../src/curvature/kfac.js';
import { choleskyInverses } from '../src/linalg/cholesky.js';
import { spdInverses } from '../src/linalg/kernels/cholesky.js';
import { addScaledIdentity, asymmetry, finiteMaxAbs, normInf } from '../src/linalg/ops.js';
import { type MlpSpec, initWeights } from '../src/models/mlp.js';
import { KFAC } from './workloads.js';
const rng = new Rng(20260601);
const sizes = KFAC.sizes;
const spec: MlpSpec = { sizes, activations: [...sizes.slice(1, -1).map(() => 'tanh' as const), 'identity'], likelihood: 'categorical' };
const weights = initWeights(spec, rng.split());
const inputs = Array.from({ length: KFAC.batch }, () => Float64Array.from({ length: sizes[0] }, () => rng.normal()));
const targets = Array.from({ length: KFAC.batch }, () => Math.floor(rng.uniform() * sizes[sizes.length - 1]));
const { layers } = kfacFactors(spec, weights, inputs, targets, 'empirical-fisher');
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const res: Record<string, number[]> = {};
const rec = (k: string, v: number) => (res[k] ??= []).push(v);
const c = Math.sqrt(KFAC.lambda);
for (let r = 0; r < 25; r++) {
  let t = cpu();
  const damped = layers.flatMap(({ A, G }) => [addScaledIdentity(G, c), addScaledIdentity(A, c)]);
  const tDamp = cpu() - t;
  t = cpu();
  for (const m of damped) asymmetry(m, 1e-10, finiteMaxAbs(m, 'm'));
  const tCheck = cpu() - t;
  t = cpu();
  spdInverses(
    damped.map((m) => m.data),
    damped.map((m) => m.rows),
  );
  const tKernel = cpu() - t;
  t = cpu();
  const inv = choleskyInverses(damped);
  const tAll = cpu() - t;
  t = cpu();
  for (let i = 0; i < damped.length; i++) {
    normInf(damped[i]);
    normInf(inv[i] as never);
  }
  const tNorm = cpu() - t;
  if (r >= 5) {
    rec('damp (clone+diag)', tDamp);
    rec('checks', tCheck);
    rec('spdInverses', tKernel);
    rec('choleskyInverses', tAll);
    rec('normInf x2', tNorm);
  }
}
const med = (x: number[]) => [...x].sort((a, b) => a - b)[x.length >> 1];
for (const [k, v] of Object.entries(res)) console.log(k.padEnd(20), med(v).toFixed(2), `[${Math.min(...v).toFixed(2)}–${Math.max(...v).toFixed(2)}]`);
