/**
 * Errors that name what is wrong and what is allowed, with the JSON path of
 * the offending value, so the CLI can print one line and never a stack trace.
 */
export class NatgradError extends Error {
  readonly path: string;
  readonly reason: string;
  constructor(path: string, reason: string) {
    // Non-string arguments (from untyped callers) are described, never coerced (a Symbol would throw).
    const p = typeof path === 'string' ? path : describeValue(path);
    const r = typeof reason === 'string' ? reason : describeValue(reason);
    super(`${p}: ${r}`);
    this.name = 'NatgradError';
    this.path = p;
    this.reason = r;
  }
}

/** Appends a key or index to a JSON path: `spec.params` + `sigma` -> `spec.params.sigma`. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  // At the root (a library function's options argument) the key is the whole path.
  if (path === '') return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key);
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** A short printable form of a value for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value) && 'length' in value) return `a ${Object.prototype.toString.call(value).slice(8, -1)} of length ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'function') return 'a function';
  return typeof value === 'object' ? 'an object' : String(value);
}
