/**
 * `natgrad oracle SPEC.json` (or `-` for stdin): prints the contract's result
 * JSON. Exit 0 on success; 2 with one `natgrad: <path>: <reason>` line on
 * stderr and nothing on stdout for bad input of any kind.
 */
import { NatgradError } from '../core/errors.js';
import { errorLine } from '../oracle/error-line.js';
import { readJson } from '../oracle/json-input.js';
import { runOracle } from '../oracle/oracle.js';
import type { Io } from './io.js';

const USAGE = 'usage: natgrad oracle SPEC.json (or - for stdin)';

function specSource(args: string[]): string {
  const positional: string[] = [];
  for (const a of args) {
    if (a.startsWith('-') && a !== '-') throw new NatgradError('args', `unknown option '${a}'; ${USAGE}`);
    positional.push(a);
  }
  if (positional.length !== 1) {
    throw new NatgradError('args', `expected exactly one SPEC argument, got ${positional.length}; ${USAGE}`);
  }
  return positional[0];
}

/** Runs `natgrad oracle` with the arguments after `oracle`; returns the exit code and never throws. */
export async function oracleCommand(args: string[], io: Io): Promise<number> {
  let text: string;
  try {
    const source = specSource(args);
    const result = await runOracle(await readJson(io, source, 'spec'));
    text = `${JSON.stringify(result)}\n`;
  } catch (e) {
    io.stderr(errorLine(e, 'spec'));
    return 2;
  }
  try {
    io.stdout(text);
  } catch (e) {
    io.stderr(errorLine(e, 'stdout'));
    return 2;
  }
  return 0;
}
