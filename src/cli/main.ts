/**
 * The natgrad command line. Thin: parse, validate, call the library, format.
 * Every command returns an exit code; bad input is one line on stderr,
 * `natgrad: <where>: <what is wrong and what is allowed>`, exit 2, never a
 * stack trace; the argument parser's own errors included.
 */
import { NatgradError } from '../core/errors.js';
import { natgradVersion } from '../oracle/vectors.js';
import { checkDefinition } from './check-command.js';
import { NatgradCommand, runCommandLine } from './command-line.js';
import { compareDefinition } from './compare-command.js';
import { deriveDefinition } from './derive-command.js';
import { docsDefinition } from './docs-command.js';
import { errorLine } from './error-message.js';
import type { Io } from './io.js';
import { oracleDefinition } from './oracle-command.js';
import { processIo } from './process-io.js';
import { trainDefinition } from './train-command.js';
import { vectorsDefinition } from './vectors-command.js';
import { verifyDefinition } from './verify-command.js';

const COMMANDS = [verifyDefinition, deriveDefinition, docsDefinition, trainDefinition, compareDefinition, vectorsDefinition, oracleDefinition, checkDefinition];

/** Runs the command line `argv` (without `node natgrad`); returns the exit code and never throws. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const result = { code: 0 };
  const program = new NatgradCommand('natgrad')
    .description('Natural-gradient theory, executable and verified: Fisher derivations, numeric cross-checks, optimizers and a reference oracle.')
    .usage('<command> [options]')
    .version(await natgradVersion(), '-V, --version', 'print the version of natgrad')
    .helpCommand('help [command]', 'show the help of a command');
  for (const define of COMMANDS) program.addCommand(define(io, result));
  if (argv.length === 0) {
    const names = program.commands.map((c) => c.name()).join(', ');
    io.stderr(errorLine(new NatgradError('args', `missing the command; allowed: ${names}; see natgrad --help`), 'args'));
    return 2;
  }
  return runCommandLine(program, argv, io, result);
}
