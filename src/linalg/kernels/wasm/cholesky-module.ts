/**
 * The blocked Cholesky factorization and the inverse from the factor as
 * WebAssembly functions over the kernels' memory, so that one thread (a
 * worker included) runs a whole factor inverse without returning to
 * JavaScript. They are the loop nests of ../cholesky.ts operation for
 * operation: the same recursion, the same GEMM calls with the same
 * arguments (on the calling thread's scratch), the same scalar loops in the
 * same order, so a result is bit for bit the JavaScript driver's, whichever
 * thread runs it.
 *
 * Addresses and row strides in bytes, orders in elements. Temporaries are
 * taken from a stack (`sp`, a byte address 16-byte aligned) that the caller
 * provides, sized by choleskyStackDoubles.
 */
import {
  type Code,
  type FunctionDef,
  I32,
  Locals,
  brIf,
  call,
  f64,
  forLoop,
  get,
  i32,
  iff,
  memoryCopy,
  memoryFill,
  minS,
  ret,
  rowStart,
  select,
  seq,
  set,
  tee,
} from './asm.js';
import { FULL, GEMM_FUNCS } from './gemm-module.js';

/** Panel width of the blocked factorization and inverse (NB of ../cholesky.ts). */
export const CHOLESKY_NB = 64;
/** Order up to which a triangular block is done by scalar loops (LEAF of ../cholesky.ts). */
export const CHOLESKY_LEAF = 16;
/** Rows of a⁻¹ = Wᵀ W formed per GEMM call (GRAM_ROWS of ../cholesky.ts). */
export const CHOLESKY_GRAM_ROWS = 64;

/** Doubles of stack that spdInverse (factor and inverse) of order n may use, alignment included. */
export function choleskyStackDoubles(n: number): number {
  const nb = CHOLESKY_NB;
  return n * n + 2 * n * nb + 8 * nb * nb + 64;
}

const addr8 = (base: Code, index: Code): Code => seq(base, index, i32.const(3), i32.shl, i32.add);
/** bytes rounded up to a multiple of 16 */
const align16 = (bytes: Code): Code => seq(bytes, i32.const(15), i32.add, i32.const(-16), i32.and);
/** The bytes of `count` doubles. */
const doubles = (count: Code): Code => seq(count, i32.const(3), i32.shl);
const c = i32.const;

/** Function indices of this file's functions, given the index of the first. */
export function choleskyFuncIndices(first: number) {
  return {
    leafFactor: first,
    leafInverse: first + 1,
    triInv: first + 2,
    mulByTransposed: first + 3,
    factorDiagonal: first + 4,
    factorBlocked: first + 5,
    inverseFromFactor: first + 6,
    spdInverse: first + 7,
    inverseColumns: first + 8,
    mirror: first + 9,
  };
}
type Indices = ReturnType<typeof choleskyFuncIndices>;

/** gemm(m, n, k, alpha, beta, a, aRs, aCs, b, bRs, bCs, c, ldc, diag, work) */
function gemmCall(...args: Code[]): Code {
  if (args.length !== 15) throw new Error('gemm takes 15 arguments');
  return seq(...args, call(GEMM_FUNCS.gemm));
}

/** The recursion's base and split: at most CHOLESKY_LEAF rows return what `leaf` leaves on the stack; otherwise n1 = half(n), n2 = n - n1. */
function leafOrSplit(n: number, leaf: Code, tmp: number, n1: number, n2: number): Code {
  return seq(get(n), c(CHOLESKY_LEAF), i32.leS, iff(seq(leaf, ret)), half(get(n), tmp), set(n1), get(n), get(n1), i32.sub, set(n2));
}

/** Factors the diagonal block (size x size at `block`); on a failed pivot r, returns r + offset (the pivot's index in the caller's matrix). */
function factorOrReturn(ix: Indices, p: { block: Code; size: Code; lda: number; sp: Code; work: number; r: number; offset: Code | null }): Code {
  const failed = p.offset === null ? seq(get(p.r), ret) : seq(get(p.r), p.offset, i32.add, ret);
  return seq(p.block, p.size, get(p.lda), p.sp, get(p.work), call(ix.factorDiagonal), tee(p.r), c(0), i32.geS, iff(failed));
}

/**
 * The step after a diagonal block is factored, shared by the recursive and the
 * blocked factorization: T = L_D⁻¹ at sp, the panel P (rows x k) becomes
 * P T ᵀ, and the trailing block's lower triangle C -= P Pᵀ.
 */
function panelStep(
  ix: Indices,
  p: { diagonal: Code; panel: Code; rows: Code; k: Code; trailing: Code; lda: number; sp: number; sp2: number; work: number },
): Code {
  const tStride = doubles(p.k);
  return seq(
    seq(p.diagonal, get(p.lda), p.k, get(p.sp), tStride, get(p.sp2), get(p.work), call(ix.triInv)),
    seq(p.panel, get(p.lda), p.rows, p.k, get(p.sp), tStride, get(p.sp2), get(p.work), call(ix.mulByTransposed)),
    gemmCall(p.rows, p.rows, p.k, f64.const(-1), f64.const(1), p.panel, get(p.lda), c(8), p.panel, c(8), get(p.lda), p.trailing, get(p.lda), c(0), get(p.work)),
  );
}

/** half(n): (n >> 1) & ~3 when positive, else n >> 1 (a multiple of the micro-kernel's 4 where possible). */
const half = (n: Code, tmp: number): Code => seq(n, c(1), i32.shrS, c(-4), i32.and, tee(tmp), c(0), i32.leS, iff(seq(n, c(1), i32.shrS, set(tmp))), get(tmp));

/** leafFactor(a, n, lda) -> -1, or the first pivot i that is not positive (its value stored at a[i, i]). */
function leafFactor(): FunctionDef {
  const params = [I32, I32, I32] as const;
  const [a, n, lda] = [0, 1, 2];
  const L = new Locals(params);
  const [i, j, k, ri, rj] = [L.i32(), L.i32(), L.i32(), L.i32(), L.i32()];
  const s = L.f64();
  const body = seq(
    forLoop(
      i,
      c(0),
      get(n),
      1,
      seq(
        rowStart(get(a), get(i), get(lda)),
        set(ri),
        forLoop(
          j,
          c(0),
          seq(get(i), c(1), i32.add),
          1,
          seq(
            rowStart(get(a), get(j), get(lda)),
            set(rj),
            addr8(get(ri), get(j)),
            f64.load(),
            set(s),
            forLoop(k, c(0), get(j), 1, seq(get(s), addr8(get(ri), get(k)), f64.load(), addr8(get(rj), get(k)), f64.load(), f64.mul, f64.sub, set(s))),
            get(i),
            get(j),
            i32.eq,
            iff(
              seq(
                // !(s > 0): store the pivot and report it
                get(s),
                f64.const(0),
                f64.gt,
                i32.eqz,
                iff(seq(addr8(get(ri), get(i)), get(s), f64.store(), get(i), ret)),
                addr8(get(ri), get(i)),
                get(s),
                f64.sqrt,
                f64.store(),
              ),
              seq(addr8(get(ri), get(j)), get(s), addr8(get(rj), get(j)), f64.load(), f64.div, f64.store()),
            ),
          ),
        ),
      ),
    ),
    c(-1),
  );
  return { name: 'leafFactor', params, results: [I32], locals: L, body, exported: false };
}

/** leafInverse(l, ldl, n, t, ldt): T = L⁻¹ for a lower-triangular n x n block by rows, T's upper part zeroed. */
function leafInverse(): FunctionDef {
  const params = [I32, I32, I32, I32, I32] as const;
  const [l, ldl, n, t, ldt] = [0, 1, 2, 3, 4];
  const L = new Locals(params);
  const [i, j, k, li, ti, tk] = [L.i32(), L.i32(), L.i32(), L.i32(), L.i32(), L.i32()];
  const [lik, inv] = [L.f64(), L.f64()];
  const body = forLoop(
    i,
    c(0),
    get(n),
    1,
    seq(
      rowStart(get(l), get(i), get(ldl)),
      set(li),
      rowStart(get(t), get(i), get(ldt)),
      set(ti),
      memoryFill(get(ti), c(0), doubles(get(n))),
      addr8(get(ti), get(i)),
      f64.const(1),
      f64.store(),
      forLoop(
        k,
        c(0),
        get(i),
        1,
        seq(
          addr8(get(li), get(k)),
          f64.load(),
          tee(lik),
          f64.const(0),
          f64.eq,
          brIf(0), // lik === 0: nothing to subtract
          rowStart(get(t), get(k), get(ldt)),
          set(tk),
          forLoop(
            j,
            c(0),
            seq(get(k), c(1), i32.add),
            1,
            seq(addr8(get(ti), get(j)), addr8(get(ti), get(j)), f64.load(), get(lik), addr8(get(tk), get(j)), f64.load(), f64.mul, f64.sub, f64.store()),
          ),
        ),
      ),
      f64.const(1),
      addr8(get(li), get(i)),
      f64.load(),
      f64.div,
      set(inv),
      forLoop(j, c(0), seq(get(i), c(1), i32.add), 1, seq(addr8(get(ti), get(j)), addr8(get(ti), get(j)), f64.load(), get(inv), f64.mul, f64.store())),
    ),
  );
  return { name: 'leafInverse', params, results: [], locals: L, body, exported: false };
}

/**
 * triInv(l, ldl, n, t, ldt, sp, work): T = L⁻¹ (T's upper part zeroed):
 * T11 = L11⁻¹, T22 = L22⁻¹, T21 = -T22 (L21 T11), recursively.
 */
function triInv(ix: Indices): FunctionDef {
  const params = [I32, I32, I32, I32, I32, I32, I32] as const;
  const [l, ldl, n, t, ldt, sp, work] = [0, 1, 2, 3, 4, 5, 6];
  const L = new Locals(params);
  const [n1, n2, i, tmp] = [L.i32(), L.i32(), L.i32(), L.i32()];
  const body = seq(
    leafOrSplit(n, seq(get(l), get(ldl), get(n), get(t), get(ldt), call(ix.leafInverse)), tmp, n1, n2),
    seq(get(l), get(ldl), get(n1), get(t), get(ldt), get(sp), get(work), call(ix.triInv)),
    seq(
      addr8(rowStart(get(l), get(n1), get(ldl)), get(n1)),
      get(ldl),
      get(n2),
      addr8(rowStart(get(t), get(n1), get(ldt)), get(n1)),
      get(ldt),
      get(sp),
      get(work),
      call(ix.triInv),
    ),
    forLoop(i, c(0), get(n1), 1, memoryFill(addr8(rowStart(get(t), get(i), get(ldt)), get(n1)), c(0), doubles(get(n2)))),
    // x = L21 T11 (n2 x n1 at sp), then T21 = -T22 x
    gemmCall(
      get(n2),
      get(n1),
      get(n1),
      f64.const(1),
      f64.const(0),
      rowStart(get(l), get(n1), get(ldl)),
      get(ldl),
      c(8),
      get(t),
      get(ldt),
      c(8),
      get(sp),
      doubles(get(n1)),
      c(FULL),
      get(work),
    ),
    gemmCall(
      get(n2),
      get(n1),
      get(n2),
      f64.const(-1),
      f64.const(0),
      addr8(rowStart(get(t), get(n1), get(ldt)), get(n1)),
      get(ldt),
      c(8),
      get(sp),
      doubles(get(n1)),
      c(8),
      rowStart(get(t), get(n1), get(ldt)),
      get(ldt),
      c(FULL),
      get(work),
    ),
  );
  return { name: 'triInv', params, results: [], locals: L, body, exported: false };
}

/** mulByTransposed(x, ldx, rows, nb, t, ldt, sp, work): X <- X Tᵀ for the rows x nb block X (through a temporary at sp). */
function mulByTransposed(): FunctionDef {
  const params = [I32, I32, I32, I32, I32, I32, I32, I32] as const;
  const [x, ldx, rows, nb, t, ldt, sp, work] = [0, 1, 2, 3, 4, 5, 6, 7];
  const L = new Locals(params);
  const i = L.i32();
  const body = seq(
    gemmCall(
      get(rows),
      get(nb),
      get(nb),
      f64.const(1),
      f64.const(0),
      get(x),
      get(ldx),
      c(8),
      get(t),
      c(8),
      get(ldt),
      get(sp),
      doubles(get(nb)),
      c(FULL),
      get(work),
    ),
    forLoop(i, c(0), get(rows), 1, memoryCopy(rowStart(get(x), get(i), get(ldx)), addr8(get(sp), seq(get(i), get(nb), i32.mul)), doubles(get(nb)))),
  );
  return { name: 'mulByTransposed', params, results: [], locals: L, body, exported: false };
}

/**
 * factorDiagonal(a, n, lda, sp, work) -> -1 or the first failed pivot:
 * factor A11, L21 = A21 L11⁻ᵀ, A22 -= L21 L21ᵀ (lower triangle), factor A22.
 */
function factorDiagonal(ix: Indices): FunctionDef {
  const params = [I32, I32, I32, I32, I32] as const;
  const [a, n, lda, sp, work] = [0, 1, 2, 3, 4];
  const L = new Locals(params);
  const [n1, n2, r, tmp, a21, sp2] = [L.i32(), L.i32(), L.i32(), L.i32(), L.i32(), L.i32()];
  const body = seq(
    leafOrSplit(n, seq(get(a), get(n), get(lda), call(ix.leafFactor)), tmp, n1, n2),
    factorOrReturn(ix, { block: get(a), size: get(n1), lda, sp: get(sp), work, r, offset: null }),
    rowStart(get(a), get(n1), get(lda)),
    set(a21),
    // t = L11⁻¹ (n1 x n1 at sp), temporaries above it
    get(sp),
    align16(doubles(seq(get(n1), get(n1), i32.mul))),
    i32.add,
    set(sp2),
    panelStep(ix, { diagonal: get(a), panel: get(a21), rows: get(n2), k: get(n1), trailing: addr8(get(a21), get(n1)), lda, sp, sp2, work }),
    factorOrReturn(ix, { block: addr8(get(a21), get(n1)), size: get(n2), lda, sp: get(sp), work, r, offset: get(n1) }),
    c(-1),
  );
  return { name: 'factorDiagonal', params, results: [I32], locals: L, body, exported: false };
}

/**
 * choleskyFactor(a, n, lda, sp, work) -> -1, or the first pivot i that is not
 * positive (its value left at a[i, i]): the blocked right-looking
 * factorization, the lower triangle of a overwritten by L.
 */
function factorBlocked(ix: Indices): FunctionDef {
  const params = [I32, I32, I32, I32, I32] as const;
  const [a, n, lda, sp, work] = [0, 1, 2, 3, 4];
  const L = new Locals(params);
  const [j0, jb, j1, d, rows, r, sp2, panel, t1] = Array.from({ length: 9 }, () => L.i32());
  const tBytes = 8 * CHOLESKY_NB * CHOLESKY_NB;
  const body = seq(
    get(sp),
    c(tBytes),
    i32.add,
    set(sp2),
    forLoop(
      j0,
      c(0),
      get(n),
      CHOLESKY_NB,
      seq(
        get(n),
        get(j0),
        i32.sub,
        tee(t1),
        c(CHOLESKY_NB),
        get(t1),
        c(CHOLESKY_NB),
        i32.ltS,
        select, // min(NB, n - j0)
        set(jb),
        get(j0),
        get(jb),
        i32.add,
        set(j1),
        addr8(rowStart(get(a), get(j0), get(lda)), get(j0)),
        set(d),
        factorOrReturn(ix, { block: get(d), size: get(jb), lda, sp: get(sp2), work, r, offset: get(j0) }),
        get(n),
        get(j1),
        i32.sub,
        tee(rows),
        i32.eqz,
        brIf(0),
        addr8(rowStart(get(a), get(j1), get(lda)), get(j0)),
        set(panel),
        panelStep(ix, {
          diagonal: get(d),
          panel: get(panel),
          rows: get(rows),
          k: get(jb),
          trailing: addr8(rowStart(get(a), get(j1), get(lda)), get(j1)),
          lda,
          sp,
          sp2,
          work,
        }),
      ),
    ),
    c(-1),
  );
  return { name: 'choleskyFactor', params, results: [I32], locals: L, body };
}

/** Tile edge of the mirroring (MIRROR_TILE of ../syrk.ts): a tile and its transpose stay in L1, so the column-wise stores do not miss the cache. */
const MIRROR_TILE = 32;

/**
 * c[j, i] = c[i, j] for j < i (n x n at local `cc`, row stride in local `ld`
 * bytes), tile by tile in the order of mirrorLower in ../syrk.ts; `locals`
 * are seven i32 scratch locals.
 */
function mirrorLower(cc: number, n: number, ld: number, locals: readonly number[]): Code {
  const [i0, i1, j0, i, j, j1, t] = locals;
  const rowAt = (row: Code) => rowStart(get(cc), row, get(ld));
  return forLoop(
    i0,
    c(0),
    get(n),
    MIRROR_TILE,
    seq(
      minS(get(n), seq(get(i0), c(MIRROR_TILE), i32.add), t, i1),
      set(i1),
      forLoop(
        j0,
        c(0),
        seq(get(i0), c(1), i32.add),
        MIRROR_TILE,
        forLoop(
          i,
          get(i0),
          get(i1),
          1,
          seq(
            minS(get(i), seq(get(j0), c(MIRROR_TILE), i32.add), t, j1),
            set(j1),
            forLoop(j, get(j0), get(j1), 1, seq(addr8(rowAt(get(j)), get(i)), addr8(rowAt(get(i)), get(j)), f64.load(), f64.store())),
          ),
        ),
      ),
    ),
  );
}

/** mirrorLower(c, n, ld): c[j, i] = c[i, j] for j < i, the n x n block at c (row stride ld bytes), tile by tile as ../syrk.ts mirrorLower. */
function mirror(): FunctionDef {
  const params = [I32, I32, I32] as const;
  const [cc, n, ld] = [0, 1, 2];
  const L = new Locals(params);
  const locals = Array.from({ length: 7 }, () => L.i32());
  return { name: 'mirrorLower', params, results: [], locals: L, body: mirrorLower(cc, n, ld, locals) };
}

/**
 * choleskyInverseFromFactor(l, n, c, sp, work): a⁻¹ = Wᵀ W into c (n x n,
 * contiguous) from the factor L at l (n x n, contiguous, lower triangle read):
 * W = L⁻¹ by blocked forward substitution on the identity, the lower block
 * triangle of Wᵀ W by strips of rows, mirrored.
 */
function inverseFromFactor(ix: Indices): FunctionDef {
  const params = [I32, I32, I32, I32, I32] as const;
  const [l, n, cc, sp, work] = [0, 1, 2, 3, 4];
  const L = new Locals(params);
  const [w, t, ld, i0, i1, i, r0, rb, j, t1] = Array.from({ length: 10 }, () => L.i32());
  const rowAt = (base: number, row: Code) => rowStart(get(base), row, get(ld));
  const body = seq(
    doubles(get(n)),
    set(ld),
    get(sp),
    set(w),
    // the substitution's stack (its T, copy and recursion) above W
    get(w),
    align16(seq(get(n), get(ld), i32.mul)),
    i32.add,
    set(t),
    memoryFill(get(w), c(0), seq(get(n), get(ld), i32.mul)),
    forLoop(i, c(0), get(n), 1, seq(addr8(rowAt(w, get(i)), get(i)), f64.const(1), f64.store())),
    seq(get(l), get(n), get(w), c(0), get(n), get(t), get(work), call(ix.inverseColumns)),
    forLoop(
      r0,
      c(0),
      get(n),
      CHOLESKY_GRAM_ROWS,
      seq(
        get(n),
        get(r0),
        i32.sub,
        tee(t1),
        c(CHOLESKY_GRAM_ROWS),
        get(t1),
        c(CHOLESKY_GRAM_ROWS),
        i32.ltS,
        select,
        set(rb),
        gemmCall(
          get(rb),
          seq(get(r0), get(rb), i32.add),
          seq(get(n), get(r0), i32.sub),
          f64.const(1),
          f64.const(0),
          addr8(rowAt(w, get(r0)), get(r0)),
          c(8),
          get(ld),
          rowAt(w, get(r0)),
          get(ld),
          c(8),
          rowAt(cc, get(r0)),
          get(ld),
          get(r0),
          get(work),
        ),
      ),
    ),
    mirrorLower(cc, n, ld, [i0, i1, r0, i, j, t1, t]),
  );
  return { name: 'choleskyInverseFromFactor', params, results: [], locals: L, body };
}

/**
 * choleskyInverseColumns(l, n, w, c0, c1, sp, work): columns c0..c1 of
 * W = L⁻¹ by blocked forward substitution, on W (n x n, contiguous) that
 * holds the identity in those columns, from the factor L at l (lower triangle
 * read). Per block row i0..i1 (those below c0 only: W is zero above its
 * diagonal): W[i0..i1, c] = T (W[i0..i1, c]) with T = L[i0..i1, i0..i1]⁻¹, then
 * every row below subtracts L[i1.., i0..i1] W[i0..i1, c], c the columns
 * c0..min(c1, i1). Columns are independent: the column ranges of a partition
 * can run on different threads, and with c0 a multiple of 4 every entry gets
 * the bits of the whole-width substitution (the same kernel tiles).
 */
function inverseColumns(ix: Indices): FunctionDef {
  const params = [I32, I32, I32, I32, I32, I32, I32] as const;
  const [l, n, w, c0, c1, sp, work] = [0, 1, 2, 3, 4, 5, 6];
  const L = new Locals(params);
  const [t, tmp, sp2, ld, i0, ib, i1, i, cw, t1, t2] = Array.from({ length: 11 }, () => L.i32());
  const NB = CHOLESKY_NB;
  const minNb = (x: Code) => seq(x, tee(t1), c(NB), get(t1), c(NB), i32.ltS, select);
  const rowAt = (base: number, row: Code) => rowStart(get(base), row, get(ld));
  const body = seq(
    doubles(get(n)),
    set(ld),
    get(sp),
    set(t),
    get(t),
    c(8 * NB * NB),
    i32.add,
    set(tmp),
    get(tmp),
    align16(seq(minNb(get(n)), get(ld), i32.mul)),
    i32.add,
    set(sp2),
    forLoop(
      i0,
      seq(get(c0), c(-NB), i32.and),
      get(n),
      NB,
      seq(
        minNb(seq(get(n), get(i0), i32.sub)),
        set(ib),
        get(i0),
        get(ib),
        i32.add,
        set(i1),
        // cw = min(c1, i1) - c0 columns of this block row are not zero
        minS(get(c1), get(i1), t1, t2),
        get(c0),
        i32.sub,
        set(cw),
        seq(addr8(rowAt(l, get(i0)), get(i0)), get(ld), get(ib), get(t), doubles(get(ib)), get(sp2), get(work), call(ix.triInv)),
        forLoop(
          i,
          c(0),
          get(ib),
          1,
          memoryCopy(addr8(get(tmp), seq(get(i), get(cw), i32.mul)), addr8(rowAt(w, seq(get(i0), get(i), i32.add)), get(c0)), doubles(get(cw))),
        ),
        gemmCall(
          get(ib),
          get(cw),
          get(ib),
          f64.const(1),
          f64.const(0),
          get(t),
          doubles(get(ib)),
          c(8),
          get(tmp),
          doubles(get(cw)),
          c(8),
          addr8(rowAt(w, get(i0)), get(c0)),
          get(ld),
          c(FULL),
          get(work),
        ),
        get(i1),
        get(n),
        i32.ltS,
        iff(
          gemmCall(
            seq(get(n), get(i1), i32.sub),
            get(cw),
            get(ib),
            f64.const(-1),
            f64.const(1),
            addr8(rowAt(l, get(i1)), get(i0)),
            get(ld),
            c(8),
            addr8(rowAt(w, get(i0)), get(c0)),
            get(ld),
            c(8),
            addr8(rowAt(w, get(i1)), get(c0)),
            get(ld),
            c(FULL),
            get(work),
          ),
        ),
      ),
    ),
  );
  return { name: 'choleskyInverseColumns', params, results: [], locals: L, body };
}

/**
 * spdInverse(a, n, c, status, invert, sp, work): factor the n x n matrix at a
 * (contiguous, lower triangle read, overwritten by L) and, when every pivot
 * is positive and `invert` is 1 (0: the factor only), write its inverse to c; the i32 at
 * status receives -1 or the first failed pivot. One call is one whole factor
 * inverse (or factorization): the job a worker thread runs (the pool appends
 * `work`, the thread's scratch).
 */
function spdInverse(ix: Indices): FunctionDef {
  const params = [I32, I32, I32, I32, I32, I32, I32] as const;
  const [a, n, cc, status, invert, sp, work] = [0, 1, 2, 3, 4, 5, 6];
  const L = new Locals(params);
  const r = L.i32();
  const body = seq(
    get(status),
    get(a),
    get(n),
    doubles(get(n)),
    get(sp),
    get(work),
    call(ix.factorBlocked),
    tee(r),
    i32.store(),
    get(r),
    c(0),
    i32.ltS,
    get(invert),
    i32.and,
    iff(seq(get(a), get(n), get(cc), get(sp), get(work), call(ix.inverseFromFactor))),
  );
  return { name: 'spdInverse', params, results: [], locals: L, body };
}

/** This file's functions, in choleskyFuncIndices order, for a module whose function `first` is the first of them. */
export function choleskyFunctions(first: number): FunctionDef[] {
  const ix = choleskyFuncIndices(first);
  return [
    leafFactor(),
    leafInverse(),
    triInv(ix),
    mulByTransposed(),
    factorDiagonal(ix),
    factorBlocked(ix),
    inverseFromFactor(ix),
    spdInverse(ix),
    inverseColumns(ix),
    mirror(),
  ];
}
