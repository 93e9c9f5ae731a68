/**
 * Parsing the command line with commander, with commander's own errors
 * (`error: unknown option '--foo'`, `error: missing required argument`) turned
 * into the CLI's one-line form, `natgrad: <where>: <what is wrong and what is
 * allowed>`, exit 2, with the close name suggested for a typo.
 *
 * Commander reports every parse error through `Command.error(message,
 * {code})`; NatgradCommand overrides it and rebuilds the message from the code
 * and the command it happened in (its options, arguments and sub-commands),
 * so what the user reads never depends on commander's wording.
 */
import { Command, CommanderError, type Option } from 'commander';
import { NatgradError } from '../core/errors.js';
import { closestName } from '../core/validate.js';
import { errorLine } from './error-message.js';
import type { Io } from './io.js';

/** `; did you mean --filter?` or the empty string. */
function suggestion(name: string, allowed: readonly string[]): string {
  const c = closestName(name, allowed);
  return c === null ? '' : `; did you mean ${c}?`;
}

const listed = (names: readonly string[]): string => names.join(', ');

/** `natgrad verify` for a sub-command, `natgrad` for the program. */
function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  if (names[0] !== 'natgrad') names.unshift('natgrad');
  return names.join(' ');
}

/** The long flags a command accepts, help included. */
function longFlags(cmd: Command): string[] {
  const flags = cmd.options.filter((o) => !o.hidden && o.long).map((o) => o.long!);
  return [...flags, '--help'];
}

function usageLine(cmd: Command): string {
  return `usage: ${commandPath(cmd)} ${cmd.usage()}`;
}

/** The quoted part of commander's message (`'--foo'` in `error: unknown option '--foo'`). */
function quoted(message: string, before: string): string | null {
  const start = message.indexOf(`${before}'`);
  if (start < 0) return null;
  const from = start + before.length + 1;
  const end = message.lastIndexOf("'");
  return end > from ? message.slice(from, end) : message.slice(from);
}

function findOption(cmd: Command, flags: string | null): Option | undefined {
  return flags === null ? undefined : cmd.options.find((o) => o.flags === flags);
}

/** `name` is not one of the sub-commands of `cmd`. */
export function unknownCommand(cmd: Command, name: string): NatgradError {
  const names = cmd
    .createHelp()
    .visibleCommands(cmd)
    .map((c) => c.name());
  return new NatgradError('args', `unknown command '${name}'; allowed: ${listed(names)}${suggestion(name, names)}`);
}

/** The NatgradError that stands for one of commander's parse errors in `cmd`. */
export function translateParseError(cmd: Command, message: string, code: string): NatgradError {
  const where = commandPath(cmd);
  switch (code) {
    case 'commander.unknownCommand':
      return unknownCommand(cmd, cmd.args[0] ?? '');
    case 'commander.unknownOption': {
      const flag = quoted(message, 'unknown option ') ?? message;
      const allowed = longFlags(cmd);
      const eq = flag.indexOf('=');
      if (eq > 0 && allowed.includes(flag.slice(0, eq))) return new NatgradError(flag.slice(0, eq), `takes no value, got '${flag.slice(eq + 1)}'`);
      const forWhat = cmd.parent ? ` for ${cmd.name()}` : '';
      return new NatgradError('args', `unknown option '${flag}'${forWhat}; allowed: ${listed(allowed)}${suggestion(flag, allowed)}`);
    }
    case 'commander.missingArgument': {
      const name = quoted(message, 'missing required argument ') ?? 'argument';
      return new NatgradError('args', `missing the ${name.toUpperCase()} argument; ${usageLine(cmd)}`);
    }
    case 'commander.excessArguments': {
      const expected = cmd.registeredArguments.map((a) => a.name().toUpperCase());
      const extra = cmd.args
        .slice(expected.length)
        .map((a) => `'${a}'`)
        .join(' ');
      const what = expected.length === 0 ? 'no arguments' : `${expected.length} argument${expected.length === 1 ? '' : 's'} (${expected.join(', ')})`;
      return new NatgradError('args', `too many arguments for ${cmd.name()}: expected ${what}, got ${cmd.args.length} (extra: ${extra}); ${usageLine(cmd)}`);
    }
    case 'commander.optionMissingArgument': {
      const option = findOption(cmd, quoted(message, 'option '));
      const flag = option?.long ?? option?.short ?? 'option';
      return new NatgradError(flag, `needs a value: ${option?.flags ?? flag}`);
    }
    case 'commander.missingMandatoryOptionValue': {
      const option = findOption(cmd, quoted(message, 'required option '));
      return new NatgradError(option?.long ?? 'args', `is required: ${option?.flags ?? ''}; ${usageLine(cmd)}`);
    }
    default: {
      const text = message.replace(/^error: /, '').replace(/\n/g, ' ');
      return new NatgradError('args', `${text} (in ${where})`);
    }
  }
}

/** A commander Command whose parse errors are NatgradErrors (see the module comment). */
export class NatgradCommand extends Command {
  override createCommand(name?: string): Command {
    return new NatgradCommand(name);
  }

  override error(message: string, errorOptions?: { code?: string; exitCode?: number }): never {
    throw translateParseError(this, message, errorOptions?.code ?? 'commander.error');
  }
}

/** Help and version output go through `io`; commander never exits the process. */
function configure(cmd: Command, io: Io): void {
  cmd
    .exitOverride()
    .showSuggestionAfterError(false)
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });
  cmd.configureHelp({ helpWidth: 100, subcommandTerm: (sub) => `${sub.name()} ${sub.usage()}`.trim() });
  for (const sub of cmd.commands) configure(sub, io);
}

/**
 * Parses `argv` with `cmd` (a program or a single command, its actions setting
 * the exit code through `result`) and returns the exit code: the action's, 0
 * after help or the version, 2 with one error line for bad input.
 */
export async function runCommandLine(cmd: Command, argv: readonly string[], io: Io, result: { code: number }, root = 'args'): Promise<number> {
  configure(cmd, io);
  try {
    await cmd.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      // asked for (`natgrad help`), or printed on stderr as the usage of a command line that did nothing
      if (e.code === 'commander.help') return e.exitCode === 0 ? 0 : 2;
      io.stderr(errorLine(new NatgradError('args', e.message.replace(/^error: /, '')), root));
      return 2;
    }
    io.stderr(errorLine(e, root));
    return 2;
  }
  return result.code;
}
