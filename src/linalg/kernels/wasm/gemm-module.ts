/**
 * The packed GEMM as WebAssembly functions over one linear memory (the
 * operands are copied into it by the caller): the Goto loop nest, packing of
 * both operands, an MR x NR register-blocked micro-kernel and the update of C.
 * Every address and stride is in bytes; op(X)_ij is at x + i*rs + j*cs.
 *
 * The micro-kernel keeps MR x NR/2 f64x2 accumulators; per depth step it
 * loads NR/2 vectors of the packed B sliver, splats each of the MR values of
 * the packed A sliver and multiplies-adds. `fused` selects relaxed SIMD's
 * f64x2.relaxed_madd (one FMA instruction where the CPU has it) instead of
 * f64x2.mul then f64x2.add.
 *
 * Reference: K. Goto and R. van de Geijn, "Anatomy of high-performance matrix
 * multiplication", ACM TOMS 34(3), 2008; F. Van Zee and R. van de Geijn,
 * "BLIS", ACM TOMS 41(3), 2015 (the macro-kernel loop order).
 */
import { type Code, F64, type FunctionDef, I32, Locals, brIf, call, f64, f64x2, forLoop, get, i32, iff, loop, minS, ret, seq, set, tee, v128 } from './asm.js';

export interface GemmShape {
  /** rows of a register tile */
  mr: number;
  /** columns of a register tile (even) */
  nr: number;
  /** f64x2.relaxed_madd (true) or f64x2.mul + f64x2.add */
  fused: boolean;
  /** depth of a packed panel */
  kc: number;
  /** rows of A packed at once (a multiple of mr) */
  mc: number;
  /** columns of B packed at once (a multiple of nr) */
  nc: number;
  /** depth steps per iteration of the inner loop (a power of two) [1] */
  unroll?: number;
}

/** Doubles of scratch one thread needs: packed A block, packed B panel, one edge tile. */
export function gemmScratchDoubles(s: GemmShape): number {
  return s.mc * s.kc + s.kc * s.nc + s.mr * s.nr;
}

/** Column offset meaning "no triangle": every entry of C is computed. */
export const FULL = 1 << 29;

/** Function indices inside the module. */
export const GEMM_FUNCS = { gemm: 0, packA: 1, packB: 2, macro: 3, scale: 4 } as const;

/**
 * A packing function over six i32 parameters (src first, dst last): `count`
 * lanes (rows of A, or columns of B) in slivers of `width` lanes, each sliver
 * `depth` steps deep and stored one step (its `width` lanes) after another,
 * zero-padded. Lane l of step p is at src + l*across + p*along; `roles` gives
 * the parameter index of across, along, count and depth.
 */
function packer(name: string, width: number, roles: { across: number; along: number; count: number; depth: number }): FunctionDef {
  const params = [I32, I32, I32, I32, I32, I32] as const;
  const [src, dst] = [0, 5];
  const { across, along, count, depth } = roles;
  const L = new Locals(params);
  const [i, p, h, q, t1, t2] = [L.i32(), L.i32(), L.i32(), L.i32(), L.i32(), L.i32()];
  const laneOff = Array.from({ length: width }, () => L.i32()); // l * across
  const element = (l: number) => seq(get(q), get(laneOff[l]), i32.add, f64.load());
  const stepDst = seq(get(dst), i32.const(8 * width), i32.add, set(dst));
  const stepQ = seq(get(q), get(along), i32.add, set(q));
  // full sliver, lanes contiguous in memory (across = 8): width/2 vector copies
  const fullContiguous = forLoop(
    p,
    i32.const(0),
    get(depth),
    1,
    seq(
      ...Array.from({ length: width >> 1 }, (_, v) => seq(get(dst), get(q), v128.load(16 * v), v128.store(16 * v))),
      ...(width % 2 ? [seq(get(dst), get(q), f64.load(8 * (width - 1)), f64.store(8 * (width - 1)))] : []),
      stepDst,
      stepQ,
    ),
  );
  const full = forLoop(
    p,
    i32.const(0),
    get(depth),
    1,
    seq(...Array.from({ length: width }, (_, l) => seq(get(dst), element(l), f64.store(8 * l))), stepDst, stepQ),
  );
  const partial = forLoop(
    p,
    i32.const(0),
    get(depth),
    1,
    seq(
      ...Array.from({ length: width }, (_, l) =>
        seq(get(dst), f64.const(0), f64.store(8 * l), i32.const(l), get(h), i32.ltS, iff(seq(get(dst), element(l), f64.store(8 * l)))),
      ),
      stepDst,
      stepQ,
    ),
  );
  const body = seq(
    ...laneOff.map((o, l) => seq(get(across), i32.const(l), i32.mul, set(o))),
    forLoop(
      i,
      i32.const(0),
      get(count),
      width,
      seq(
        minS(i32.const(width), seq(get(count), get(i), i32.sub), t1, t2),
        set(h),
        get(src),
        get(i),
        get(across),
        i32.mul,
        i32.add,
        set(q),
        get(h),
        i32.const(width),
        i32.eq,
        iff(seq(get(across), i32.const(8), i32.eq, iff(fullContiguous, full)), partial),
      ),
    ),
  );
  return { name, params, results: [], locals: L, body };
}

/** packA(src, rs, cs, mc, kc, dst): op(A)'s mc x kc block as MR-row slivers. */
const packA = (s: GemmShape): FunctionDef => packer('packA', s.mr, { across: 1, along: 2, count: 3, depth: 4 });
/** packB(src, rs, cs, kc, nc, dst): op(B)'s kc x nc panel as NR-column slivers. */
const packB = (s: GemmShape): FunctionDef => packer('packB', s.nr, { across: 2, along: 1, count: 4, depth: 3 });

/**
 * C (mc x nc at c, row stride ldc) += alpha packA packB (= alpha packA packB
 * when `store` is 1), tile by tile; tiles lying wholly above the line
 * j = i + d (block-relative) are skipped.
 */
function macro(s: GemmShape): FunctionDef {
  const params = [I32, I32, I32, F64, I32, I32, I32, I32, I32, I32, I32] as const; // mc, nc, kc, alpha, ap, bp, c, ldc, d, tile, store
  const [mc, nc, kc, alpha, ap, bp, c, ldc, d, tile, store] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const L = new Locals(params);
  const [jr, ir, p, a, b, cp, h, w, t1, t2, r, q] = Array.from({ length: 12 }, () => L.i32());
  const alphaV = L.v128();
  const MR = s.mr;
  const NQ = s.nr >> 1;
  const acc = Array.from({ length: MR * NQ }, () => L.v128());
  const bv = Array.from({ length: NQ }, () => L.v128());
  const av = L.v128();
  const madd = (x: Code, y: Code, z: number): Code =>
    s.fused ? seq(x, y, get(z), f64x2.relaxedMadd, set(z)) : seq(get(z), x, y, f64x2.mul, f64x2.add, set(z));
  const U = s.unroll ?? 1;
  const oneStep = (u: number) =>
    seq(
      ...bv.map((v, k) => seq(get(b), v128.load(16 * k + 8 * s.nr * u), set(v))),
      ...Array.from({ length: MR }, (_, i) =>
        seq(get(a), v128.load64Splat(8 * i + 8 * MR * u), set(av), ...bv.map((v, k) => madd(get(av), get(v), acc[i * NQ + k]))),
      ),
    );
  const advance = (steps: number) => seq(get(a), i32.const(8 * MR * steps), i32.add, set(a), get(b), i32.const(8 * s.nr * steps), i32.add, set(b));
  const depthStep = seq(oneStep(0), advance(1));
  const depthBlock = seq(...Array.from({ length: U }, (_, u) => oneStep(u)), advance(U));
  const rowAddr = (i: number) => seq(get(cp), get(ldc), i32.const(i), i32.mul, i32.add);
  const fullUpdate = seq(
    ...Array.from({ length: MR }, (_, i) =>
      seq(
        ...Array.from({ length: NQ }, (_, k) =>
          seq(
            rowAddr(i), // address for the store
            s.fused
              ? seq(get(acc[i * NQ + k]), get(alphaV), rowAddr(i), v128.load(16 * k), f64x2.relaxedMadd)
              : seq(get(acc[i * NQ + k]), get(alphaV), f64x2.mul, rowAddr(i), v128.load(16 * k), f64x2.add),
            v128.store(16 * k),
          ),
        ),
      ),
    ),
  );
  const fullStore = seq(
    ...Array.from({ length: MR }, (_, i) =>
      seq(...Array.from({ length: NQ }, (_, k) => seq(rowAddr(i), get(acc[i * NQ + k]), get(alphaV), f64x2.mul, v128.store(16 * k)))),
    ),
  );
  const product = seq(get(alpha), get(tile), get(r), i32.const(8 * s.nr), i32.mul, i32.add, get(q), i32.const(3), i32.shl, i32.add, f64.load(), f64.mul);
  const edgeUpdate = seq(
    ...acc.map((v, idx) => seq(get(tile), get(v), v128.store(16 * idx))),
    forLoop(
      r,
      i32.const(0),
      get(h),
      1,
      forLoop(
        q,
        i32.const(0),
        get(w),
        1,
        seq(
          get(cp),
          get(r),
          get(ldc),
          i32.mul,
          i32.add,
          get(q),
          i32.const(3),
          i32.shl,
          i32.add,
          set(t1),
          get(store),
          iff(seq(get(t1), product, f64.store()), seq(get(t1), get(t1), f64.load(), product, f64.add, f64.store())),
        ),
      ),
    ),
  );
  const body = seq(
    get(alpha),
    f64x2.splat,
    set(alphaV),
    forLoop(
      jr,
      i32.const(0),
      get(nc),
      s.nr,
      seq(
        minS(i32.const(s.nr), seq(get(nc), get(jr), i32.sub), t1, t2),
        set(w),
        forLoop(
          ir,
          i32.const(0),
          get(mc),
          MR,
          seq(
            // wholly above the line: the tile's first column exceeds its last row + d
            get(jr),
            get(ir),
            i32.const(MR - 1),
            i32.add,
            get(d),
            i32.add,
            i32.gtS,
            brIf(0),
            minS(i32.const(MR), seq(get(mc), get(ir), i32.sub), t1, t2),
            set(h),
            get(ap),
            get(ir),
            get(kc),
            i32.mul,
            i32.const(8),
            i32.mul,
            i32.add,
            set(a),
            get(bp),
            get(jr),
            get(kc),
            i32.mul,
            i32.const(8),
            i32.mul,
            i32.add,
            set(b),
            ...acc.map((v) => seq(v128.zero, set(v))),
            ...(U > 1
              ? [
                  // kc / U unrolled blocks, then the remainder one step at a time
                  get(kc),
                  i32.const(U),
                  i32.divS,
                  tee(p),
                  iff(loop(depthBlock, get(p), i32.const(1), i32.sub, tee(p), brIf(0))),
                  get(kc),
                  i32.const(U - 1),
                  i32.and,
                  tee(p),
                  iff(loop(depthStep, get(p), i32.const(1), i32.sub, tee(p), brIf(0))),
                ]
              : [get(kc), set(p), loop(depthStep, get(p), i32.const(1), i32.sub, tee(p), brIf(0))]),
            get(c),
            get(ir),
            get(ldc),
            i32.mul,
            i32.add,
            get(jr),
            i32.const(3),
            i32.shl,
            i32.add,
            set(cp),
            get(h),
            i32.const(MR),
            i32.eq,
            get(w),
            i32.const(s.nr),
            i32.eq,
            i32.and,
            iff(seq(get(store), iff(fullStore, fullUpdate)), edgeUpdate),
          ),
        ),
      ),
    ),
  );
  return { name: 'macro', params, results: [], locals: L, body };
}

/** C_ij <- beta C_ij for j < min(n, i + 1 + diag); beta = 0 writes zeros (NaN in C does not propagate). */
function scale(): FunctionDef {
  const params = [I32, I32, F64, I32, I32, I32] as const; // m, n, beta, c, ldc, diag
  const [m, n, beta, c, ldc, diag] = [0, 1, 2, 3, 4, 5];
  const L = new Locals(params);
  const [i, j, w, row, t1, t2] = Array.from({ length: 6 }, () => L.i32());
  const body = forLoop(
    i,
    i32.const(0),
    get(m),
    1,
    seq(
      minS(get(n), seq(get(i), i32.const(1), i32.add, get(diag), i32.add), t1, t2),
      set(w),
      get(c),
      get(i),
      get(ldc),
      i32.mul,
      i32.add,
      set(row),
      forLoop(
        j,
        i32.const(0),
        get(w),
        1,
        seq(
          get(row),
          get(j),
          i32.const(3),
          i32.shl,
          i32.add,
          set(t1),
          get(beta),
          f64.const(0),
          f64.eq,
          iff(seq(get(t1), f64.const(0), f64.store()), seq(get(t1), get(t1), f64.load(), get(beta), f64.mul, f64.store())),
        ),
      ),
    ),
  );
  return { name: 'scale', params, results: [], locals: L, body };
}

/**
 * gemm(m, n, k, alpha, beta, a, aRs, aCs, b, bRs, bCs, c, ldc, diag, work):
 * C <- alpha op(A) op(B) + beta C for the entries with j <= i + diag (diag =
 * FULL: all), the BLAS contract; `work` is this thread's scratch
 * (gemmScratchDoubles doubles, 16-byte aligned).
 */
function driver(s: GemmShape): FunctionDef {
  const params = [I32, I32, I32, F64, F64, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32] as const;
  const [m, n, k, alpha, beta, a, aRs, aCs, b, bRs, bCs, c, ldc, diag, work] = Array.from({ length: 15 }, (_, i) => i);
  const L = new Locals(params);
  const [jc, pc, ic, ncb, kcb, mcb, ncEff, icStart, pa, pb, tile, t1, t2, kstep] = Array.from({ length: 14 }, () => L.i32());
  const body = seq(
    get(work),
    set(pa),
    get(work),
    i32.const(8 * s.mc * s.kc),
    i32.add,
    set(pb),
    get(pb),
    i32.const(8 * s.kc * s.nc),
    i32.add,
    set(tile),
    // nothing to add: only C <- beta C
    get(k),
    i32.eqz,
    get(alpha),
    f64.const(0),
    f64.eq,
    i32.or,
    iff(seq(get(beta), f64.const(1), f64.ne, iff(seq(get(m), get(n), get(beta), get(c), get(ldc), get(diag), call(GEMM_FUNCS.scale))), ret)),
    // beta = 0: the first depth panel stores instead of adding; otherwise scale first
    get(beta),
    f64.const(1),
    f64.ne,
    get(beta),
    f64.const(0),
    f64.ne,
    i32.and,
    iff(seq(get(m), get(n), get(beta), get(c), get(ldc), get(diag), call(GEMM_FUNCS.scale))),
    // depth panels of equal size, at most kc: k = 257 makes two of 129, not 256 and a 1-deep one that costs a whole pass over C
    get(k),
    i32.const(s.kc - 1),
    i32.add,
    i32.const(s.kc),
    i32.divS,
    set(t1),
    get(k),
    get(t1),
    i32.add,
    i32.const(1),
    i32.sub,
    get(t1),
    i32.divS,
    set(kstep),
    forLoop(
      jc,
      i32.const(0),
      get(n),
      s.nc,
      seq(
        minS(i32.const(s.nc), seq(get(n), get(jc), i32.sub), t1, t2),
        set(ncb),
        // row blocks ending at or above column jc - diag have nothing to compute
        get(jc),
        get(diag),
        i32.sub,
        i32.const(s.mc),
        i32.divS,
        i32.const(s.mc),
        i32.mul,
        set(icStart),
        get(icStart),
        i32.const(0),
        i32.ltS,
        iff(seq(i32.const(0), set(icStart))),
        get(icStart),
        get(m),
        i32.geS,
        brIf(2),
        forLoop(
          pc,
          i32.const(0),
          get(k),
          get(kstep),
          seq(
            minS(get(kstep), seq(get(k), get(pc), i32.sub), t1, t2),
            set(kcb),
            // B columns that some row of C needs: j < m + diag
            get(b),
            get(pc),
            get(bRs),
            i32.mul,
            i32.add,
            get(jc),
            get(bCs),
            i32.mul,
            i32.add,
            get(bRs),
            get(bCs),
            get(kcb),
            minS(get(ncb), seq(get(m), get(diag), i32.add, get(jc), i32.sub), t1, t2),
            get(pb),
            call(GEMM_FUNCS.packB),
            forLoop(
              ic,
              get(icStart),
              get(m),
              s.mc,
              seq(
                minS(i32.const(s.mc), seq(get(m), get(ic), i32.sub), t1, t2),
                set(mcb),
                minS(get(ncb), seq(get(ic), get(mcb), i32.add, get(diag), i32.add, get(jc), i32.sub), t1, t2),
                set(ncEff),
                get(ncEff),
                i32.const(0),
                i32.leS,
                brIf(0),
                get(a),
                get(ic),
                get(aRs),
                i32.mul,
                i32.add,
                get(pc),
                get(aCs),
                i32.mul,
                i32.add,
                get(aRs),
                get(aCs),
                get(mcb),
                get(kcb),
                get(pa),
                call(GEMM_FUNCS.packA),
                get(mcb),
                get(ncEff),
                get(kcb),
                get(alpha),
                get(pa),
                get(pb),
                get(c),
                get(ic),
                get(ldc),
                i32.mul,
                i32.add,
                get(jc),
                i32.const(3),
                i32.shl,
                i32.add,
                get(ldc),
                get(ic),
                get(diag),
                i32.add,
                get(jc),
                i32.sub,
                get(tile),
                get(pc),
                i32.eqz,
                get(beta),
                f64.const(0),
                f64.eq,
                i32.and,
                call(GEMM_FUNCS.macro),
              ),
            ),
          ),
        ),
      ),
    ),
  );
  return { name: 'gemm', params, results: [], locals: L, body };
}

/** The module's functions, in GEMM_FUNCS order. */
export function gemmFunctions(s: GemmShape): FunctionDef[] {
  if (s.nr % 2 !== 0 || s.mc % s.mr !== 0 || s.nc % s.nr !== 0) throw new Error(`bad GEMM blocking ${JSON.stringify(s)}`);
  return [driver(s), packA(s), packB(s), macro(s), scale()];
}
