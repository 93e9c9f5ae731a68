/**
 * A WebAssembly SIMD128 macro-kernel for the packed GEMM, assembled here byte
 * by byte (no compiler in the build): for every MR x NR = 4 x 4 tile of a
 * packed block, 8 f64x2 accumulators take kc rank-one updates
 * (v128.load64_splat of A times two v128 loads of B), and the 16 sums are
 * stored tile by tile into an output area that the caller adds into C.
 * Node 20 runs SIMD128 without flags; where WebAssembly or SIMD is missing the
 * instance is null and the caller keeps its JavaScript kernel.
 * Encoding reference: WebAssembly Core Specification 2.0, §5 (binary format).
 */

/** Byte offsets in the instance's memory. */
export interface WasmGemmLayout {
  packA: number;
  packB: number;
  out: number;
  bytes: number;
}

export interface WasmGemm {
  memory: WebAssembly.Memory;
  /** macro(mcTiles, ncTiles, kc, aByteOffset, bByteOffset, outByteOffset); kc must be >= 1 */
  macro: (mcTiles: number, ncTiles: number, kc: number, a: number, b: number, out: number) => void;
  layout: WasmGemmLayout;
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
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

const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const name = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

// opcodes
const I32 = 0x7f;
const V128 = 0x7b;
const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const tee = (i: number) => [0x22, ...uleb(i)];
const i32c = (v: number) => [0x41, ...sleb(v)];
const ADD = [0x6a];
const SUB = [0x6b];
const MUL = [0x6c];
const LT_S = [0x48];
const LOOP = [0x03, 0x40];
const END = [0x0b];
const brIf = (l: number) => [0x0d, ...uleb(l)];
const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
const load = (off: number) => simd(0x00, 3, ...uleb(off));
const store = (off: number) => simd(0x0b, 3, ...uleb(off));
const splat64 = (off: number) => simd(0x0a, 3, ...uleb(off));
const ZERO = simd(0x0c, ...new Array(16).fill(0));
const FADD = simd(0xf0);
const FMUL = simd(0xf2);

function macroBody(): number[] {
  // params: 0 mcTiles, 1 ncTiles, 2 kc, 3 aBase, 4 bBase, 5 out
  const [jt, it, p, a, b, o] = [6, 7, 8, 9, 10, 11];
  const acc = (k: number) => 12 + k;
  const [bv0, bv1, av] = [20, 21, 22];
  const code: number[] = [];
  code.push(...i32c(0), ...set(jt));
  code.push(...LOOP); // over column tiles
  code.push(...i32c(0), ...set(it));
  code.push(...LOOP); // over row tiles
  // a = aBase + it kc 32, b = bBase + jt kc 32
  code.push(...get(3), ...get(it), ...get(2), ...MUL, ...i32c(32), ...MUL, ...ADD, ...set(a));
  code.push(...get(4), ...get(jt), ...get(2), ...MUL, ...i32c(32), ...MUL, ...ADD, ...set(b));
  for (let k = 0; k < 8; k++) code.push(...ZERO, ...set(acc(k)));
  code.push(...get(2), ...set(p));
  code.push(...LOOP); // over the depth
  code.push(...get(b), ...load(0), ...set(bv0));
  code.push(...get(b), ...load(16), ...set(bv1));
  for (let r = 0; r < 4; r++) {
    code.push(...get(a), ...splat64(8 * r), ...set(av));
    code.push(...get(acc(2 * r)), ...get(av), ...get(bv0), ...FMUL, ...FADD, ...set(acc(2 * r)));
    code.push(...get(acc(2 * r + 1)), ...get(av), ...get(bv1), ...FMUL, ...FADD, ...set(acc(2 * r + 1)));
  }
  code.push(...get(a), ...i32c(32), ...ADD, ...set(a));
  code.push(...get(b), ...i32c(32), ...ADD, ...set(b));
  code.push(...get(p), ...i32c(1), ...SUB, ...tee(p), ...brIf(0));
  code.push(...END);
  // o = out + (jt mcTiles + it) 128; tile row-major: acc(2r) = row r cols 0-1, acc(2r+1) = cols 2-3
  code.push(...get(5), ...get(jt), ...get(0), ...MUL, ...get(it), ...ADD, ...i32c(128), ...MUL, ...ADD, ...set(o));
  for (let k = 0; k < 8; k++) code.push(...get(o), ...get(acc(k)), ...store(16 * k));
  code.push(...get(it), ...i32c(1), ...ADD, ...tee(it), ...get(0), ...LT_S, ...brIf(0));
  code.push(...END);
  code.push(...get(jt), ...i32c(1), ...ADD, ...tee(jt), ...get(1), ...LT_S, ...brIf(0));
  code.push(...END);
  code.push(...END); // function
  const locals = vec([[...uleb(6), I32], [...uleb(11), V128]]);
  const body = [...locals, ...code];
  return [...uleb(body.length), ...body];
}

function moduleBytes(pages: number): Uint8Array<ArrayBuffer> {
  const type = section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32]]), ...vec([])]]));
  const func = section(3, vec([uleb(0)]));
  const memory = section(5, vec([[0x00, ...uleb(pages)]]));
  const exports = section(7, vec([[...name('memory'), 0x02, 0x00], [...name('macro'), 0x00, 0x00]]));
  const code = section(10, vec([macroBody()]));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...func, ...memory, ...exports, ...code]);
}

/** Instantiates the kernel with room for packed blocks of the given sizes (in doubles), or returns null when unsupported. */
export function createWasmGemm(packADoubles: number, packBDoubles: number, outDoubles: number): WasmGemm | null {
  const layout: WasmGemmLayout = { packA: 0, packB: 8 * packADoubles, out: 8 * (packADoubles + packBDoubles), bytes: 8 * (packADoubles + packBDoubles + outDoubles) };
  const pages = Math.ceil(layout.bytes / 65536);
  try {
    if (typeof WebAssembly !== 'object') return null;
    const mod = new WebAssembly.Module(moduleBytes(pages));
    const inst = new WebAssembly.Instance(mod, {});
    const { memory, macro } = inst.exports as unknown as { memory: WebAssembly.Memory; macro: WasmGemm['macro'] };
    return { memory, macro, layout };
  } catch {
    return null;
  }
}
