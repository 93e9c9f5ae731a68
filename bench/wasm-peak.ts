/**
 * The fused multiply-add peak WebAssembly reaches on this machine: a loop of
 * independent f64x2.relaxed_madd on registers only (no loads, no stores), the
 * ceiling of any 128-bit WebAssembly kernel here. A GEMM at this rate would be
 * the fastest natgrad's kernels could possibly be, so a peer's time against
 * this one is the floor under natgrad / peer for a product.
 */
import { F64, I32, Locals, brIf, buildModule, f64, f64x2, get, i32, loop, seq, set, tee } from '../src/linalg/kernels/wasm/asm.js';
import { fusedKernelSupported } from '../src/linalg/kernels/wasm/runtime.js';

/** peak(iters): `acc` independent accumulators, each updated by one relaxed_madd per iteration. */
export function peakModule(acc: number): (iters: number) => number {
  const params = [I32] as const;
  const L = new Locals(params);
  const accs = Array.from({ length: acc }, () => L.v128());
  const x = L.v128();
  const y = L.v128();
  const body = seq(
    f64.const(1 - 2 ** -20),
    f64x2.splat,
    set(x),
    f64.const(2 ** -30),
    f64x2.splat,
    set(y),
    loop(...accs.map((a) => seq(get(a), get(x), get(y), f64x2.relaxedMadd, set(a))), get(0), i32.const(1), i32.sub, tee(0), brIf(0)),
    ...accs.slice(1).map((a) => seq(get(accs[0]), get(a), f64x2.add, set(accs[0]))),
    get(accs[0]),
    f64x2.extractLane(0),
  );
  const bytes = buildModule(null, [{ name: 'peak', params, results: [F64], locals: L, body }]);
  return (new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as { peak: (n: number) => number }).peak;
}

/**
 * Best rate (GF/s, wall clock) of the register-only FMA loop over `rounds`
 * runs of about 50 ms each (10 accumulators: more than the FMA latency times
 * the FMA units), or null where relaxed SIMD's fused multiply-add is missing.
 */
export function wasmFmaPeak(rounds = 7): number | null {
  if (!fusedKernelSupported()) return null;
  const acc = 10;
  const peak = peakModule(acc);
  const iters = 3e6;
  peak(iters);
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    peak(iters);
    best = Math.max(best, (4 * acc * iters) / ((performance.now() - t) * 1e6));
  }
  return best;
}
