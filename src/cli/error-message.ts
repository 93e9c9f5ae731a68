/**
 * The one formatter of the CLI's error line, `natgrad: <where>: <what is wrong
 * and what is allowed>`. Anything that is not a NatgradError is an internal
 * failure and is reported the same way, without a stack trace. Paths, names
 * and values typed by the user are echoed
 * in messages; a control character among them (an ANSI escape, a newline)
 * would recolour the terminal or split the line, so every one is escaped here
 * and the message stays one printable line.
 */
import { NatgradError } from '../core/errors.js';

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\x1b': '\\e' };

/**
 * `s` with every control character (C0, DEL, C1) and line or paragraph
 * separator written as a visible escape (`\n`, `\e`, `\x07`, `\u2028`).
 */
export function printable(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this escapes
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const named = ESCAPES[c];
    if (named) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** The stderr line (with its newline) for an error a command threw; `root` names the input when the error has no path. */
export function errorLine(e: unknown, root: string): string {
  if (e instanceof NatgradError) return `natgrad: ${printable(e.path.trim()) || root}: ${printable(e.reason.trim())}\n`;
  const what = e instanceof RangeError ? 'the input is too large or too deeply nested to process' : 'internal error';
  const detail = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim();
  return `natgrad: ${root}: ${what} (${printable(detail.slice(0, 300))})\n`;
}
