/**
 * The one parser of numeric command-line values. Only decimal notation is a
 * number here (`0.001`, `-2`, `1e-6`, `.5`): JavaScript's Number() would also
 * read `0x10` as 16, `' '` as 0 and `Infinity` as a number, which on a command
 * line are typos, never what was meant. Messages echo the text as typed
 * (`got '1e15'`), since that, not the parsed double, is what the user sees.
 */
import { NatgradError } from '../core/errors.js';

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export interface NumberRule {
  /** only integers (written in decimal, `1e3` included) */
  integer?: boolean;
  /** the smallest value allowed */
  min?: number;
  /** whether `min` itself is excluded (`> 0` rather than `>= 0`) */
  exclusiveMin?: boolean;
  /** the largest value allowed */
  max?: number;
  /** why the maximum is what it is, printed after it (`the iteration cap`) */
  maxReason?: string;
}

/** `an integer >= 1 and <= 1000000 (the iteration cap)`, `a finite number > 0`. */
export function describeRule(rule: NumberRule): string {
  let s = rule.integer ? 'an integer' : 'a finite number';
  if (rule.min !== undefined) s += ` ${rule.exclusiveMin ? '>' : '>='} ${rule.min}`;
  if (rule.max !== undefined) s += `${rule.min !== undefined ? ' and' : ''} <= ${rule.max}${rule.maxReason ? ` (${rule.maxReason})` : ''}`;
  return s;
}

/** Text that was meant as a number but is not decimal: hex, a blank, Infinity, `1_000`, `1e`. */
const meantAsNumber = (text: string): boolean => /\d/.test(text) || !Number.isNaN(Number(text));

/** `text`, the value of `flag`, as a decimal number obeying `rule`; a NatgradError naming the flag otherwise. */
export function parseDecimal(text: string, flag: string, rule: NumberRule = {}): number {
  const allowed = describeRule(rule);
  if (!DECIMAL.test(text)) {
    const hint = meantAsNumber(text) ? ' (decimal notation only: digits with an optional point and exponent, e.g. 0.001 or 1e-3)' : '';
    throw new NatgradError(flag, `must be ${allowed}, got '${text}'${hint}`);
  }
  const x = Number(text);
  if (!Number.isFinite(x)) throw new NatgradError(flag, `must be ${allowed}, got '${text}' (beyond the range of float64)`);
  const tooSmall = rule.min !== undefined && (rule.exclusiveMin ? !(x > rule.min) : !(x >= rule.min));
  const tooLarge = rule.max !== undefined && x > rule.max;
  if ((rule.integer && !Number.isInteger(x)) || tooSmall || tooLarge) throw new NatgradError(flag, `must be ${allowed}, got '${text}'`);
  return x === 0 ? 0 : x; // -0 reads as 0
}

/** parseDecimal for an optional flag: `fallback` when the flag is absent. */
export function optionalDecimal(text: string | undefined, flag: string, rule: NumberRule, fallback: number): number {
  return text === undefined ? fallback : parseDecimal(text, flag, rule);
}
