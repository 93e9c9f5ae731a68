/**
 * The worker side of the data-parallel Fisher: a self-contained JavaScript
 * kernel (run with `eval: true`, so the same text works under vitest, where
 * sources are TypeScript, and from dist/) that receives plain data and returns
 * per-shard SUMS (not means) of
 *   the exact Fisher Σ_n J_nᵀ F_out(f_n) J_n (P x P, row-major) and
 *   the K-FAC statistics Σ_n ā ā ᵀ and Σ_n Σ_r g_r g_rᵀ per layer,
 * for an MLP with a categorical (softmax) likelihood, parameters in the
 * library's order (per layer W row-major, then b). The single-process
 * reference is src/curvature (fisherMatrix, kfacFactors); the tests compare.
 */
export const FISHER_KERNEL_SOURCE = String.raw`
const { parentPort } = require('node:worker_threads');
const act = {
  identity: [(s) => s, () => 1],
  tanh: [(s) => Math.tanh(s), (s) => 1 - Math.tanh(s) ** 2],
  relu: [(s) => (s > 0 ? s : 0), (s) => (s > 0 ? 1 : 0)],
  sigmoid: [(s) => 1 / (1 + Math.exp(-s)), (s) => { const e = 1 / (1 + Math.exp(-s)); return e * (1 - e); }],
};
function run({ sizes, activations, theta, inputs }) {
  const L = sizes.length - 1;
  const W = [], B = [], offs = [];
  let k = 0;
  for (let l = 0; l < L; l++) {
    offs.push(k);
    const out = sizes[l + 1], inp = sizes[l];
    W.push(theta.subarray(k, k + out * inp)); k += out * inp;
    B.push(theta.subarray(k, k + out)); k += out;
  }
  const P = k;
  const fisher = new Float64Array(P * P);
  const A = [], G = [];
  for (let l = 0; l < L; l++) { A.push(new Float64Array((sizes[l] + 1) ** 2)); G.push(new Float64Array(sizes[l + 1] ** 2)); }
  const row = new Float64Array(P);
  for (const x of inputs) {
    const a = [Float64Array.from(x)], s = [];
    for (let l = 0; l < L; l++) {
      const out = sizes[l + 1], inp = sizes[l], sl = new Float64Array(out), al = new Float64Array(out);
      for (let i = 0; i < out; i++) { let t = B[l][i]; for (let j = 0; j < inp; j++) t += W[l][i * inp + j] * a[l][j]; sl[i] = t; al[i] = act[activations[l]][0](t); }
      s.push(sl); a.push(al);
    }
    for (let l = 0; l < L; l++) {
      const n = sizes[l] + 1, ab = new Float64Array(n);
      ab.set(a[l]); ab[n - 1] = 1;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[l][i * n + j] += ab[i] * ab[j];
    }
    const f = a[L], C = f.length;
    let m = -Infinity; for (const v of f) m = Math.max(m, v);
    const p = new Float64Array(C); let z = 0;
    for (let c = 0; c < C; c++) { p[c] = Math.exp(f[c] - m); z += p[c]; }
    for (let c = 0; c < C; c++) p[c] /= z;
    for (let r = 0; r < C; r++) {
      let da = new Float64Array(C);
      const sq = Math.sqrt(p[r]);
      for (let c = 0; c < C; c++) da[c] = sq * ((c === r ? 1 : 0) - p[c]);
      row.fill(0);
      for (let l = L - 1; l >= 0; l--) {
        const out = sizes[l + 1], inp = sizes[l], d = new Float64Array(out);
        for (let i = 0; i < out; i++) d[i] = act[activations[l]][1](s[l][i]) * da[i];
        for (let i = 0; i < out; i++) for (let j = 0; j < out; j++) G[l][i * out + j] += d[i] * d[j];
        let q = offs[l];
        for (let i = 0; i < out; i++) for (let j = 0; j < inp; j++) row[q++] = d[i] * a[l][j];
        for (let i = 0; i < out; i++) row[q++] = d[i];
        if (l > 0) { const nd = new Float64Array(inp); for (let i = 0; i < out; i++) for (let j = 0; j < inp; j++) nd[j] += W[l][i * inp + j] * d[i]; da = nd; }
      }
      for (let i = 0; i < P; i++) { const ri = row[i]; if (ri === 0) continue; for (let j = 0; j < P; j++) fisher[i * P + j] += ri * row[j]; }
    }
  }
  return { fisher, A, G, count: inputs.length };
}
parentPort.on('message', (msg) => parentPort.postMessage(run(msg)));
`;
