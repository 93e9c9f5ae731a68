/**
 * The natgrad command line. Thin: parse, validate, call the library, format.
 * Every command returns an exit code; bad input is one line on stderr,
 * `natgrad: <where>: <what is wrong and what is allowed>`, never a stack trace.
 */
import { Command, CommanderError } from 'commander';
import { NatgradError } from '../core/errors.js';
import { checkCommand } from './check-command.js';
import { compareCommand } from './compare-command.js';
import { deriveCommand } from './derive-command.js';
import { docsCommand } from './docs-command.js';
import type { Io } from './io.js';
import { oracleCommand } from './oracle-command.js';
import { trainCommand } from './train-command.js';
import { processIo } from './process-io.js';
import { vectorsCommand } from './vectors-command.js';
import { verifyCommand } from './verify-command.js';

export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let code = 0;
  const program = new Command('natgrad')
    .description('Natural-gradient theory, executable and verified: Fisher derivations, numeric cross-checks, optimizers and a reference oracle.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .showHelpAfterError(false);

  program.command('verify')
    .description('run every proof and property (with sensitivity checks) and print the report')
    .option('--filter <pattern>', 'only checks whose id contains the pattern (comma-separated; * globs)')
    .option('--seed <n>', 'seed of the run (each check derives its own from it)')
    .option('--runs <n>', 'random cases per property (default 8; 50 with --thorough)')
    .option('--thorough', 'more cases and larger Monte Carlo samples')
    .option('--report <file>', 'also write the report to FILE.md or FILE.json')
    .option('--list', 'list the checks and exit')
    .option('--shard <i/n>', 'run the i-th of n deterministic parts of the suite (for a CI matrix)')
    .option('--merge <reports...>', 'join the JSON reports of shards (written with --report FILE.json) instead of running')
    .option('--jobs <n>', 'worker threads (default: one per core, at most 8; 1 runs in the main thread)')
    .action(async (opts) => { code = await verifyCommand(opts, io); });

  program.command('derive <family>')
    .description('derive a family\'s Fisher three ways, show how each equality was proved, and evaluate it')
    .option('--parameterization <name>', 'the parameterization (default: the first in the contract)')
    .option('--at <values>', 'the point, e.g. mu=0.3,sigma=1.7 or p=[0.2,0.3]')
    .option('--dim <k>', 'dimension of categorical/dirichlet/multivariate-normal (2 to 4)')
    .option('--json', 'machine-readable output')
    .action(async (family, opts) => { code = await deriveCommand(family, opts, io); });

  program.command('docs')
    .description('render every proof and family derivation into docs/derivations/ (--check: exit 1 when the committed pages are stale)')
    .option('--out <dir>', 'output folder', 'docs/derivations')
    .option('--check', 'compare with the committed pages instead of writing')
    .action(async (opts) => { code = await docsCommand(opts, io); });

  program.command('train')
    .description('train one optimizer on a problem: progress, a result table, optionally JSON and an SVG plot')
    .requiredOption('--problem <name>', 'linear-regression, logistic-breast-cancer, softmax-digits, mlp-digits or autoencoder-digits')
    .requiredOption('--optimizer <name>', 'an optimizer of the registry (e.g. kfac, adam, sgd, natural-gradient)')
    .option('--iterations <n>', 'iteration budget')
    .option('--seed <n>', 'seed of the initial weights and data split')
    .option('--target <loss>', 'target training loss')
    .option('--json', 'machine-readable output')
    .option('--svg <file>', 'write the loss plot (against iterations and time)')
    .action(async (opts) => { code = await trainCommand(opts, io); });

  program.command('compare')
    .description('run several optimizers on one problem: iterations and time to the target, final loss, test accuracy')
    .requiredOption('--problem <name>', 'the problem (see train)')
    .requiredOption('--optimizers <a,b,c>', 'comma-separated optimizer names')
    .option('--iterations <n>', 'iteration budget')
    .option('--seed <n>', 'seed')
    .option('--target <loss>', 'target training loss')
    .option('--svg <file>', 'write the loss plot')
    .option('--markdown <file>', 'write the table as Markdown')
    .action(async (opts) => { code = await compareCommand(opts, io); });

  program.command('vectors')
    .description('write the oracle test-vector suite to DIR (default vectors), or --check that DIR is fresh')
    .option('--out <dir>', 'output folder (default vectors)')
    .option('--check', 'regenerate in memory; exit 1 listing stale, missing or extra files')
    .action(async (opts) => { code = await vectorsCommand(opts, io); });

  program.command('oracle')
    .description('answer a reference-oracle spec (file or - for stdin) with JSON on stdout')
    .argument('[spec]', 'spec file, or - for stdin')
    .allowUnknownOption(true)
    .helpOption(false)
    .action(async () => { code = await oracleCommand(argvAfter(argv, 'oracle'), io); });

  program.command('check')
    .description('compare a candidate result against the oracle: natgrad check SPEC CANDIDATE [--rtol x] [--atol y] [--json]')
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .helpOption(false)
    .action(async () => { code = await checkCommand(argvAfter(argv, 'check'), io); });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      // commander has already printed its own message
      return 2;
    }
    if (e instanceof NatgradError) {
      io.stderr(`natgrad: ${e.path}: ${e.reason}\n`);
      return 2;
    }
    const msg = e instanceof Error ? e.message : String(e);
    io.stderr(`natgrad: internal: ${msg.split('\n')[0]}\n`);
    return 2;
  }
  return code;
}

/** The raw arguments after a sub-command's name: oracle and check parse their own. */
function argvAfter(argv: readonly string[], command: string): string[] {
  const i = argv.indexOf(command);
  return argv.slice(i + 1);
}
