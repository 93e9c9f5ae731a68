/**
 * A small WebAssembly assembler: instruction encoders, a local-variable
 * allocator and a module builder, enough to write the float64 kernels of
 * this directory as TypeScript that emits their bytes (no compiler in the
 * build). Kernels are generated, not hand-typed, so one generator yields the
 * fused (relaxed SIMD) and the unfused variant of the same loop nest.
 * Encoding reference: WebAssembly Core Specification 2.0, §5 (binary format);
 * relaxed SIMD opcodes from the relaxed-simd proposal (phase 4).
 */

export type Code = readonly number[];

export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F64 | typeof V128;

export function uleb(n: number): Code {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): Code {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const f64Bytes = (v: number): Code => Array.from(new Uint8Array(Float64Array.of(v).buffer));

/** Concatenates code fragments (nested arrays flattened). */
export function seq(...parts: (Code | number)[]): Code {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else for (const b of p) out.push(b);
  }
  return out;
}

/** base + row·ld: where row `row` of a row-major matrix at `base` with row stride `ld` starts (in the units of base). */
export function rowStart(base: Code, row: Code, ld: Code): Code {
  return seq(base, row, ld, i32.mul, i32.add);
}

// ---- control ----------------------------------------------------------------
const EMPTY = 0x40;
/** `loop` whose body branches back with br_if(0). */
export const loop = (...body: Code[]): Code => seq(0x03, EMPTY, ...body, 0x0b);
/** `block`: br(0) inside jumps past its end. */
export const block = (...body: Code[]): Code => seq(0x02, EMPTY, ...body, 0x0b);
/** `if` on the i32 on the stack, with an optional else branch. */
export const iff = (then: Code, otherwise?: Code): Code => (otherwise ? seq(0x04, EMPTY, then, 0x05, otherwise, 0x0b) : seq(0x04, EMPTY, then, 0x0b));
export const br = (depth: number): Code => [0x0c, ...uleb(depth)];
export const brIf = (depth: number): Code => [0x0d, ...uleb(depth)];
export const ret: Code = [0x0f];
export const call = (index: number): Code => [0x10, ...uleb(index)];
export const drop: Code = [0x1a];
/** `select`: of (x, y, condition) on the stack, x when the condition is non-zero, else y. */
export const select: Code = [0x1b];

// ---- bulk memory ------------------------------------------------------------
/** memory.copy of `bytes` bytes from src to dst (overlap allowed). */
export const memoryCopy = (dst: Code, src: Code, bytes: Code): Code => seq(dst, src, bytes, 0xfc, ...uleb(10), 0x00, 0x00);
/** memory.fill of `bytes` bytes at dst with the byte `value`. */
export const memoryFill = (dst: Code, value: Code, bytes: Code): Code => seq(dst, value, bytes, 0xfc, ...uleb(11), 0x00);

// ---- locals -----------------------------------------------------------------
export const get = (i: number): Code => [0x20, ...uleb(i)];
export const set = (i: number): Code => [0x21, ...uleb(i)];
export const tee = (i: number): Code => [0x22, ...uleb(i)];

// ---- i32 --------------------------------------------------------------------
export const i32 = {
  const: (v: number): Code => [0x41, ...sleb(v | 0)],
  load: (off = 0): Code => [0x28, 2, ...uleb(off)],
  store: (off = 0): Code => [0x36, 2, ...uleb(off)],
  eqz: [0x45],
  eq: [0x46],
  ne: [0x47],
  ltS: [0x48],
  ltU: [0x49],
  gtS: [0x4a],
  leS: [0x4c],
  geS: [0x4e],
  add: [0x6a],
  sub: [0x6b],
  mul: [0x6c],
  divS: [0x6d],
  and: [0x71],
  or: [0x72],
  shl: [0x74],
  shrS: [0x75],
} as const;

// ---- f64 --------------------------------------------------------------------
export const f64 = {
  const: (v: number): Code => [0x44, ...f64Bytes(v)],
  load: (off = 0): Code => [0x2b, 3, ...uleb(off)],
  store: (off = 0): Code => [0x39, 3, ...uleb(off)],
  eq: [0x61],
  ne: [0x62],
  lt: [0x63],
  gt: [0x64],
  le: [0x65],
  ge: [0x66],
  abs: [0x99],
  neg: [0x9a],
  sqrt: [0x9f],
  add: [0xa0],
  sub: [0xa1],
  mul: [0xa2],
  div: [0xa3],
  min: [0xa4],
  max: [0xa5],
  convertI32S: [0xb7],
} as const;

// ---- SIMD -------------------------------------------------------------------
const simd = (op: number, ...imm: number[]): Code => [0xfd, ...uleb(op), ...imm];
export const v128 = {
  /** alignment hint 2^3: the kernels keep every vector 8-byte aligned, not 16 */
  load: (off = 0): Code => simd(0x00, 3, ...uleb(off)),
  store: (off = 0): Code => simd(0x0b, 3, ...uleb(off)),
  load64Splat: (off = 0): Code => simd(0x0a, 3, ...uleb(off)),
  zero: simd(0x0c, ...new Array(16).fill(0)),
} as const;
export const f64x2 = {
  splat: simd(0x14),
  extractLane: (lane: number): Code => simd(0x21, lane),
  add: simd(0xf0),
  sub: simd(0xf1),
  mul: simd(0xf2),
  /** relaxed SIMD: a b + c, fused where the hardware has FMA (the stack holds a, b, c) */
  relaxedMadd: simd(0x107),
  /** relaxed SIMD: -(a b) + c */
  relaxedNmadd: simd(0x108),
} as const;

// ---- functions and modules --------------------------------------------------

/** Hands out local indices: parameters first (in order), then declared locals. */
export class Locals {
  private readonly declared: ValType[] = [];
  constructor(private readonly params: readonly ValType[]) {}
  private add(t: ValType): number {
    this.declared.push(t);
    return this.params.length + this.declared.length - 1;
  }
  i32(): number {
    return this.add(I32);
  }
  f64(): number {
    return this.add(F64);
  }
  v128(): number {
    return this.add(V128);
  }
  /** The local declarations of the code entry (runs of equal types). */
  encode(): Code {
    const runs: [number, ValType][] = [];
    for (const t of this.declared) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    return seq(uleb(runs.length), ...runs.map(([n, t]) => seq(uleb(n), t)));
  }
}

export interface FunctionDef {
  name: string;
  params: readonly ValType[];
  results: readonly ValType[];
  locals: Locals;
  body: Code;
  /** exported under its name unless false */
  exported?: boolean;
}

export interface MemoryImport {
  module: string;
  field: string;
  initialPages: number;
  maximumPages: number;
  shared: boolean;
}

const section = (id: number, body: Code): Code => seq(id, uleb(body.length), body);
const vec = (items: Code[]): Code => seq(uleb(items.length), ...items);
const name = (s: string): Code =>
  seq(
    uleb(s.length),
    Array.from(s, (c) => c.charCodeAt(0)),
  );

/**
 * A module importing one memory (or none) and defining `funcs` (function i has index i,
 * so kernels can call each other by position).
 */
export function buildModule(memory: MemoryImport | null, funcs: readonly FunctionDef[]): Uint8Array<ArrayBuffer> {
  const types = funcs.map((f) => seq(0x60, vec(f.params.map((t) => [t])), vec(f.results.map((t) => [t]))));
  const limits = memory && seq(memory.shared ? 0x03 : 0x01, uleb(memory.initialPages), uleb(memory.maximumPages));
  const imports = vec(memory && limits ? [seq(name(memory.module), name(memory.field), 0x02, limits)] : []);
  const exported = funcs.map((f, i) => [f, i] as const).filter(([f]) => f.exported !== false);
  const bodies = funcs.map((f) => {
    const body = seq(f.locals.encode(), f.body, 0x0b);
    return seq(uleb(body.length), body);
  });
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(2, imports),
    ...section(3, vec(funcs.map((_, i) => uleb(i)))),
    ...section(7, vec(exported.map(([f, i]) => seq(name(f.name), 0x00, uleb(i))))),
    ...section(10, vec(bodies)),
  ]);
}

/** i32 min of the two values on the stack (through `select`, needs two scratch locals). */
export function minS(x: Code, y: Code, t1: number, t2: number): Code {
  return seq(x, tee(t1), y, tee(t2), get(t1), get(t2), i32.ltS, select);
}

/**
 * for (i = start; i < end; i += step) body. Inside `body`, br(0) continues
 * with the next i and br(2) leaves the loop; `end` is re-evaluated each time.
 */
export function forLoop(i: number, start: Code, end: Code, step: number | Code, body: Code): Code {
  const inc = typeof step === 'number' ? i32.const(step) : step;
  return seq(start, set(i), block(loop(get(i), end, i32.geS, brIf(1), block(body), get(i), inc, i32.add, set(i), br(0))));
}
