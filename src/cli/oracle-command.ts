/**
 * `natgrad oracle SPEC.json` (or `-` for stdin): prints the contract's result
 * JSON. Exit 0 on success; 2 with one `natgrad: <path>: <reason>` line on
 * stderr and nothing on stdout for bad input of any kind.
 */
import { NatgradError } from '../core/errors.js';
import { readJson } from '../oracle/json-input.js';
import { runOracle } from '../oracle/oracle.js';
import { errorLine } from './error-message.js';
import type { Io } from './io.js';

const USAGE = 'usage: natgrad oracle SPEC.json (or - for stdin)';

/** Answers the spec in `source`; returns the exit code and never throws. */
export async function runOracleCommand(source: string | undefined, io: Io): Promise<number> {
  let text: string;
  try {
    if (source === undefined) throw new NatgradError('args', `expected exactly one SPEC argument, got 0; ${USAGE}`);
    const result = await runOracle(await readJson(io, source, 'spec'));
    text = `${JSON.stringify(result)}\n`;
  } catch (e) {
    io.stderr(errorLine(e, 'spec'));
    return 2;
  }
  io.stdout(text);
  return 0;
}
