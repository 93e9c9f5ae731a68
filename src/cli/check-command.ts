/**
 * `natgrad check SPEC.json CANDIDATE.json [--rtol 1e-6] [--atol 1e-9] [--json]`,
 * options anywhere: compares the candidate with the oracle's result. Exit 0
 * when every present numeric field matches, 1 when one does not, 2 with one
 * `natgrad: <path>: <reason>` line on stderr for bad input.
 */
import { NatgradError } from '../core/errors.js';
import { DEFAULT_TOLERANCE, runCheck } from '../oracle/check.js';
import { checkJson, checkReport } from '../oracle/check-report.js';
import { errorLine } from '../oracle/error-line.js';
import { readJson } from '../oracle/json-input.js';
import type { Tolerance } from '../oracle/tensor.js';
import type { Io } from './io.js';

const USAGE = 'usage: natgrad check SPEC.json CANDIDATE.json [--rtol 1e-6] [--atol 1e-9] [--json]';

interface CheckArgs {
  spec: string;
  candidate: string;
  tol: Tolerance;
  json: boolean;
}

function readTolerance(name: string, text: string | undefined): number {
  if (text === undefined) throw new NatgradError(name, `needs a value, e.g. ${name} 1e-6; ${USAGE}`);
  const x = text.trim() === '' ? NaN : Number(text);
  if (!(Number.isFinite(x) && x >= 0)) throw new NatgradError(name, `must be a finite number >= 0, got '${text}'`);
  return x;
}

/** Parses the arguments after `check`; options may stand anywhere. */
export function parseCheckArgs(args: string[]): CheckArgs {
  const positional: string[] = [];
  const tol = { ...DEFAULT_TOLERANCE };
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-' || !a.startsWith('-')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(0, eq) : a;
    const inline = eq >= 0 ? a.slice(eq + 1) : undefined;
    if (name === '--json') {
      if (inline !== undefined) throw new NatgradError('--json', `takes no value, got '${inline}'`);
      json = true;
    } else if (name === '--rtol' || name === '--atol') {
      const value = inline ?? args[++i];
      tol[name === '--rtol' ? 'rtol' : 'atol'] = readTolerance(name, value);
    } else {
      throw new NatgradError('args', `unknown option '${a}'; allowed: --rtol, --atol, --json; ${USAGE}`);
    }
  }
  if (positional.length !== 2) throw new NatgradError('args', `expected SPEC and CANDIDATE (2 arguments), got ${positional.length}; ${USAGE}`);
  if (positional[0] === '-' && positional[1] === '-') throw new NatgradError('args', 'SPEC and CANDIDATE cannot both be - (stdin)');
  return { spec: positional[0], candidate: positional[1], tol, json };
}

/** Runs `natgrad check` with the arguments after `check`; returns the exit code and never throws. */
export async function checkCommand(args: string[], io: Io): Promise<number> {
  let text: string;
  let ok: boolean;
  try {
    const a = parseCheckArgs(args);
    const spec = await readJson(io, a.spec, 'spec');
    const candidate = await readJson(io, a.candidate, 'candidate');
    const outcome = await runCheck(spec, candidate, a.tol);
    text = a.json ? checkJson(outcome) : checkReport(outcome, a.tol);
    ok = outcome.ok;
  } catch (e) {
    io.stderr(errorLine(e, 'check'));
    return 2;
  }
  try {
    io.stdout(text);
  } catch (e) {
    io.stderr(errorLine(e, 'stdout'));
    return 2;
  }
  return ok ? 0 : 1;
}
