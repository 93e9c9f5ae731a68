/**
 * Matrix-vector kernels on the kernels' memory, two doubles per instruction:
 * the symmetric product from the lower triangle (the bandwidth-bound half of
 * the Householder tridiagonalization) and the two general products.
 * Addresses in bytes, leading dimensions in bytes, lengths in elements.
 */
import { type Code, F64, type FunctionDef, I32, Locals, f64, f64x2, forLoop, get, i32, iff, rowStart, seq, set, tee, v128 } from './asm.js';

/** acc <- a b + acc, fused when `fused` (relaxed SIMD), else multiply then add; works for f64x2 and, with scalar ops, f64. */
function vmadd(fused: boolean, a: Code, b: Code, acc: Code): Code {
  return fused ? seq(a, b, acc, f64x2.relaxedMadd) : seq(a, b, f64x2.mul, acc, f64x2.add);
}

const addr = (base: number, index: number): Code => seq(get(base), get(index), i32.const(3), i32.shl, i32.add);

/**
 * symvLower(n, a, lda, x, y): y = A x for symmetric A given by its lower
 * triangle (row i: entries 0..i). One pass over the rows: row i's dot
 * product gives y_i's lower part, and the same loads add A_ij x_i into y_j
 * for j < i (the upper part, by symmetry).
 */
function symvLower(fused: boolean): FunctionDef {
  const params = [I32, I32, I32, I32, I32] as const;
  const [n, a, lda, x, y] = [0, 1, 2, 3, 4];
  const L = new Locals(params);
  const [i, j, row, pairs] = [L.i32(), L.i32(), L.i32(), L.i32()];
  const [acc, xi, av] = [L.v128(), L.v128(), L.v128()];
  const [s, xs] = [L.f64(), L.f64()];
  const body = seq(
    forLoop(
      i,
      i32.const(0),
      get(n),
      1,
      seq(
        rowStart(get(a), get(i), get(lda)),
        set(row),
        addr(x, i),
        f64.load(),
        tee(xs),
        f64x2.splat,
        set(xi),
        v128.zero,
        set(acc),
        get(i),
        i32.const(-2),
        i32.and,
        set(pairs),
        forLoop(
          j,
          i32.const(0),
          get(pairs),
          2,
          seq(
            addr(row, j),
            v128.load(),
            set(av),
            vmadd(fused, get(av), seq(addr(x, j), v128.load()), get(acc)),
            set(acc),
            addr(y, j),
            vmadd(fused, get(av), get(xi), seq(addr(y, j), v128.load())),
            v128.store(),
          ),
        ),
        get(acc),
        f64x2.extractLane(0),
        get(acc),
        f64x2.extractLane(1),
        f64.add,
        set(s),
        // odd tail j = i - 1
        get(pairs),
        get(i),
        i32.ltS,
        iff(
          seq(
            get(s),
            addr(row, pairs),
            f64.load(),
            addr(x, pairs),
            f64.load(),
            f64.mul,
            f64.add,
            set(s),
            addr(y, pairs),
            addr(y, pairs),
            f64.load(),
            addr(row, pairs),
            f64.load(),
            get(xs),
            f64.mul,
            f64.add,
            f64.store(),
          ),
        ),
        addr(y, i),
        get(s),
        addr(row, i),
        f64.load(),
        get(xs),
        f64.mul,
        f64.add,
        f64.store(),
      ),
    ),
  );
  return { name: 'symvLower', params, results: [], locals: L, body };
}

/** gemvN(m, n, alpha, a, lda, x, y): y_r += alpha sum_c A_rc x_c for r < m. */
function gemvN(fused: boolean): FunctionDef {
  const params = [I32, I32, F64, I32, I32, I32, I32] as const;
  const [m, n, alpha, a, lda, x, y] = [0, 1, 2, 3, 4, 5, 6];
  const L = new Locals(params);
  const [r, c, row, pairs] = [L.i32(), L.i32(), L.i32(), L.i32()];
  const [acc0, acc1] = [L.v128(), L.v128()];
  const s = L.f64();
  const body = seq(
    get(n),
    i32.const(-4),
    i32.and,
    set(pairs),
    forLoop(
      r,
      i32.const(0),
      get(m),
      1,
      seq(
        rowStart(get(a), get(r), get(lda)),
        set(row),
        v128.zero,
        set(acc0),
        v128.zero,
        set(acc1),
        forLoop(
          c,
          i32.const(0),
          get(pairs),
          4,
          seq(
            vmadd(fused, seq(addr(row, c), v128.load()), seq(addr(x, c), v128.load()), get(acc0)),
            set(acc0),
            vmadd(fused, seq(addr(row, c), v128.load(16)), seq(addr(x, c), v128.load(16)), get(acc1)),
            set(acc1),
          ),
        ),
        get(acc0),
        get(acc1),
        f64x2.add,
        set(acc0),
        get(acc0),
        f64x2.extractLane(0),
        get(acc0),
        f64x2.extractLane(1),
        f64.add,
        set(s),
        forLoop(c, get(pairs), get(n), 1, seq(get(s), addr(row, c), f64.load(), addr(x, c), f64.load(), f64.mul, f64.add, set(s))),
        addr(y, r),
        addr(y, r),
        f64.load(),
        get(alpha),
        get(s),
        f64.mul,
        f64.add,
        f64.store(),
      ),
    ),
  );
  return { name: 'gemvN', params, results: [], locals: L, body };
}

/** gemvT(m, n, alpha, a, lda, x, y): y_c += alpha sum_r A_rc x_r for c < n (row by row, axpy form). */
function gemvT(fused: boolean): FunctionDef {
  const params = [I32, I32, F64, I32, I32, I32, I32] as const;
  const [m, n, alpha, a, lda, x, y] = [0, 1, 2, 3, 4, 5, 6];
  const L = new Locals(params);
  const [r, c, row, pairs] = [L.i32(), L.i32(), L.i32(), L.i32()];
  const sv = L.v128();
  const s = L.f64();
  const body = seq(
    get(n),
    i32.const(-2),
    i32.and,
    set(pairs),
    forLoop(
      r,
      i32.const(0),
      get(m),
      1,
      seq(
        rowStart(get(a), get(r), get(lda)),
        set(row),
        get(alpha),
        addr(x, r),
        f64.load(),
        f64.mul,
        tee(s),
        f64x2.splat,
        set(sv),
        forLoop(
          c,
          i32.const(0),
          get(pairs),
          2,
          seq(addr(y, c), vmadd(fused, seq(addr(row, c), v128.load()), get(sv), seq(addr(y, c), v128.load())), v128.store()),
        ),
        get(pairs),
        get(n),
        i32.ltS,
        iff(seq(addr(y, pairs), addr(y, pairs), f64.load(), addr(row, pairs), f64.load(), get(s), f64.mul, f64.add, f64.store())),
      ),
    ),
  );
  return { name: 'gemvT', params, results: [], locals: L, body };
}

/** The matrix-vector kernels, appended after the GEMM functions in the kernel module. */
export function vectorFunctions(fused: boolean): FunctionDef[] {
  return [symvLower(fused), gemvN(fused), gemvT(fused)];
}
