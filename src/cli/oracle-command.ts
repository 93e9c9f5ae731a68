/**
 * `natgrad oracle SPEC.json` (or `-` for stdin): prints the contract's result
 * JSON. Exit 0 on success; 2 with one `natgrad: <path>: <reason>` line on
 * stderr and nothing on stdout for bad input of any kind.
 */
import type { Command } from 'commander';
import { NatgradError } from '../core/errors.js';
import { readJson } from '../oracle/json-input.js';
import { runOracle } from '../oracle/oracle.js';
import { NatgradCommand, runCommandLine } from './command-line.js';
import { errorLine } from './error-message.js';
import type { Io } from './io.js';

const USAGE = 'usage: natgrad oracle SPEC.json (or - for stdin)';

/** Answers the spec in `source`; returns the exit code and never throws. */
async function runOracleCommand(source: string | undefined, io: Io): Promise<number> {
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

/** The `oracle` command; its action stores the exit code in `result`. */
export function oracleDefinition(io: Io, result: { code: number }): Command {
  return new NatgradCommand('oracle')
    .description('answer a reference-oracle spec (one object or an array of them) with the result JSON on stdout; the kinds and fields are in docs/oracle.md')
    .usage('[options] SPEC')
    .argument('[spec]', 'the spec file, or - for stdin (at most 256 MiB)')
    .action(async (spec: string | undefined) => {
      result.code = await runOracleCommand(spec, io);
    });
}

/** Runs `natgrad oracle` with the arguments after `oracle`; returns the exit code and never throws. */
export async function oracleCommand(args: string[], io: Io): Promise<number> {
  const result = { code: 0 };
  return runCommandLine(oracleDefinition(io, result), args, io, result, 'spec');
}
