/**
 * The natgrad command line. Thin: parse, validate, call the library, format.
 * Every command returns an exit code; bad input is one line on stderr,
 * `natgrad: <where>: <what is wrong and what is allowed>`, exit 2, never a
 * stack trace; the argument parser's own errors included.
 */
import { NatgradError } from '../core/errors.js';
import { natgradVersion } from '../oracle/vectors.js';
import { runCommandLine, unknownCommand } from './command-line.js';
import { programDefinition } from './commands.js';
import { errorLine } from './error-message.js';
import type { Io } from './io.js';
import { processIo } from './process-io.js';

/** Runs the command line `argv` (without `node natgrad`); returns the exit code and never throws. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const result = { code: 0 };
  const program = programDefinition(io, result, await natgradVersion());
  if (argv.length === 0) {
    const names = program.commands.map((c) => c.name()).join(', ');
    io.stderr(errorLine(new NatgradError('args', `missing the command; allowed: ${names}; see natgrad --help`), 'args'));
    return 2;
  }
  const helpFor = argv[0] === 'help' ? argv[1] : undefined;
  if (helpFor !== undefined && !program.commands.some((c) => c.name() === helpFor)) {
    io.stderr(errorLine(unknownCommand(program, helpFor), 'args'));
    return 2;
  }
  return runCommandLine(program, argv, io, result);
}
