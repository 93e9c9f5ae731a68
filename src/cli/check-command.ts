/**
 * `natgrad check SPEC.json CANDIDATE.json [--rtol 1e-6] [--atol 1e-9] [--json]`,
 * options anywhere: compares the candidate with the oracle's result. Exit 0
 * when every present numeric field matches, 1 when one does not, 2 with one
 * `natgrad: <path>: <reason>` line on stderr for bad input.
 */
import { NatgradError } from '../core/errors.js';
import { DEFAULT_TOLERANCE, runCheck } from '../oracle/check.js';
import { DEFAULT_FALSE_ALARM } from '../oracle/compare.js';
import { PRECISIONS, type Precision } from '../oracle/float32.js';
import { requireOneOf } from '../core/validate.js';
import { checkJson, checkReport } from '../oracle/check-report.js';
import { readJson } from '../oracle/json-input.js';
import type { Tolerance } from '../oracle/tensor.js';
import { errorLine } from './error-message.js';
import type { Io } from './io.js';
import { optionalDecimal } from './numbers.js';

const USAGE = 'usage: natgrad check SPEC.json CANDIDATE.json [--rtol 1e-6] [--atol 1e-9] [--false-alarm 1e-6] [--precision float64|float32] [--json]';

export interface CheckOptions {
  rtol?: string;
  atol?: string;
  falseAlarm?: string;
  precision?: string;
  json?: boolean;
}

interface CheckArgs {
  spec: string;
  candidate: string;
  tol: Tolerance;
  falseAlarm: number;
  precision: Precision;
  json: boolean;
}

/** The files and tolerances of a check, validated. */
function checkArgs(positional: readonly string[], o: CheckOptions): CheckArgs {
  const tol = {
    rtol: optionalDecimal(o.rtol, '--rtol', { min: 0 }, DEFAULT_TOLERANCE.rtol),
    atol: optionalDecimal(o.atol, '--atol', { min: 0 }, DEFAULT_TOLERANCE.atol),
  };
  const falseAlarm = optionalDecimal(o.falseAlarm, '--false-alarm', { min: 0, exclusiveMin: true, max: 0.5 }, DEFAULT_FALSE_ALARM);
  if (positional.length !== 2) throw new NatgradError('args', `expected SPEC and CANDIDATE (2 arguments), got ${positional.length}; ${USAGE}`);
  if (positional[0] === '-' && positional[1] === '-') throw new NatgradError('args', 'SPEC and CANDIDATE cannot both be - (stdin)');
  const precision = o.precision === undefined ? 'float64' : requireOneOf(o.precision, PRECISIONS, '--precision');
  return { spec: positional[0], candidate: positional[1], tol, falseAlarm, precision, json: Boolean(o.json) };
}

/** Runs a parsed check; returns the exit code and never throws. */
export async function runCheckCommand(positional: readonly string[], o: CheckOptions, io: Io): Promise<number> {
  let text: string;
  let ok: boolean;
  try {
    const a = checkArgs(positional, o);
    const spec = await readJson(io, a.spec, 'spec');
    const candidate = await readJson(io, a.candidate, 'candidate');
    const outcome = await runCheck(spec, candidate, a.tol, { falseAlarm: a.falseAlarm, precision: a.precision });
    text = a.json ? checkJson(outcome) : checkReport(outcome, a.tol, a.falseAlarm, a.precision);
    ok = outcome.ok;
  } catch (e) {
    io.stderr(errorLine(e, 'check'));
    return 2;
  }
  io.stdout(text);
  return ok ? 0 : 1;
}
