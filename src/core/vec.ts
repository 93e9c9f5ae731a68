/** Dense float64 vector; the one vector type of the library. */
export type Vec = Float64Array;

export const vec = (values: ArrayLike<number> | number): Vec => (typeof values === 'number' ? new Float64Array(values) : Float64Array.from(values));

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export const norm2 = (a: ArrayLike<number>): number => Math.sqrt(dot(a, a));

export function add(a: ArrayLike<number>, b: ArrayLike<number>): Vec {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
  return out;
}

export function sub(a: ArrayLike<number>, b: ArrayLike<number>): Vec {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
  return out;
}

export function scale(alpha: number, a: ArrayLike<number>): Vec {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = alpha * a[i];
  return out;
}
