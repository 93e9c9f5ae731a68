/**
 * The one stderr line of a failed oracle command: `natgrad: <json path>:
 * <what is wrong and what is allowed>`. Anything that is not a NatgradError is
 * an internal failure and is reported the same way, without a stack trace.
 */
import { NatgradError } from '../core/errors.js';

const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** The stderr line (with its newline) for an error thrown by a command. */
export function errorLine(e: unknown, root: string): string {
  if (e instanceof NatgradError) return `natgrad: ${oneLine(e.path) || root}: ${oneLine(e.reason)}\n`;
  const what = e instanceof RangeError ? 'the input is too large or too deeply nested to process' : 'internal error';
  const detail = e instanceof Error ? e.message : String(e);
  return `natgrad: ${root}: ${what} (${oneLine(detail).slice(0, 300)})\n`;
}
