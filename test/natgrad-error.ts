/** What a call throws, for tests of error messages: the NatgradError, or a failure when it throws something else or nothing. */
import { NatgradError } from '../src/core/errors.js';

export function thrownError(f: () => unknown): NatgradError {
  try {
    f();
  } catch (e) {
    if (e instanceof NatgradError) return e;
    throw e;
  }
  throw new Error('expected a NatgradError');
}

/** The error as the CLI prints it after `natgrad: `: `path: reason`. */
export function thrownLine(f: () => unknown): string {
  const e = thrownError(f);
  return `${e.path}: ${e.reason}`;
}
