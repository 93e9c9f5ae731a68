import { Rng } from '../src/core/rng.js';
import { Cholesky } from '../src/linalg/cholesky.js';
import { Matrix } from '../src/linalg/matrix.js';
import { matmulNT } from '../src/linalg/ops.js';
const rng = new Rng(1);
for (const n of (process.argv[2] ?? '785,257').split(',').map(Number)) {
  const X = new Matrix(
    n,
    n,
    Float64Array.from({ length: n * n }, () => rng.normal()),
  );
  const A = matmulNT(X, X);
  for (let i = 0; i < n; i++) A.data[i * n + i] += n;
  for (let r = 0; r < 3; r++) new Cholesky(A).inverse();
  const t: number[] = [];
  for (let r = 0; r < 9; r++) {
    const c0 = process.cpuUsage();
    new Cholesky(A).inverse();
    const c = process.cpuUsage(c0);
    t.push((c.user + c.system) / 1000);
  }
  t.sort((a, b) => a - b);
  console.log(`n=${n} cpu ms min ${t[0].toFixed(1)} median ${t[4].toFixed(1)}  GF/s(n^3) ${(n ** 3 / t[0] / 1e6).toFixed(1)}`);
}
