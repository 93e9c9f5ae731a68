/**
 * Every command's definition: its arguments and options with their choices,
 * defaults and ranges (what `--help` shows and the parser accepts). A command's
 * work is imported when it runs, so `natgrad oracle`, `--help` and
 * `--version` do not load the computer algebra that `derive` and `verify` need.
 */
import type { Command } from 'commander';
import { PROBLEMS, PROBLEM_NAMES } from '../experiments/problems.js';
import { FAMILIES } from '../families/catalogue/index.js';
import { DEFAULT_TOLERANCE } from '../oracle/check.js';
import { OPTIMIZERS, OPTIMIZER_NAMES } from '../optim/registry.js';
import type { CompareCommandOptions } from './compare-command.js';
import type { DeriveOptions } from './derive-command.js';
import type { DocsOptions } from './docs-command.js';
import type { CheckOptions } from './check-command.js';
import { NatgradCommand, runCommandLine } from './command-line.js';
import type { Io } from './io.js';
import { defaultJobs, DEFAULT_VERIFY_SEED, DIM_RULE, ITERATION_CAP, JOBS_RULE, RUNS_RULE, SEED_RULE } from './limits.js';
import { describeOptions } from './optimizer-options.js';
import type { TrainCommandOptions } from './train-command.js';
import type { VectorsOptions } from './vectors-command.js';
import type { VerifyOptions } from './verify-command.js';

/** Where a command's action puts its exit code. */
export interface CommandResult {
  code: number;
}

const sci = (x: number): string => x.toExponential();

/** The action of a command: its module is loaded when it runs (so that --help loads nothing), its exit code goes to `result`. */
function recordingExit<A extends unknown[]>(result: CommandResult, run: (...args: A) => Promise<number>): (...args: A) => Promise<void> {
  return async (...args) => {
    result.code = await run(...args);
  };
}

export function verifyDefinition(io: Io, result: CommandResult): Command {
  return new NatgradCommand('verify')
    .description('run every proof and property (each with its sensitivity run: a deliberate mistake it must catch) and print the table')
    .option('--filter <pattern>', 'only checks whose id contains the pattern (comma-separated; * globs); see --list')
    .option('--seed <n>', `seed of the run, 0 to ${SEED_RULE.max}; each check derives its own from it (default: ${DEFAULT_VERIFY_SEED})`)
    .option('--runs <n>', `random cases per property, 1 to ${RUNS_RULE.max} (default: 8; 50 with --thorough)`)
    .option('--thorough', 'more cases and larger Monte Carlo samples')
    .option('--report <file>', 'also write the report to FILE.md or FILE.json')
    .option('--list', 'list the checks (id, kind, theorem) that --filter and --shard select, and exit')
    .option('--shard <i/n>', 'run the i-th of n deterministic parts of the suite (for a CI matrix)')
    .option('--merge <reports...>', 'join the JSON reports of shards (written with --report FILE.json) instead of running')
    .option('--jobs <n>', `worker threads, 1 to ${JOBS_RULE.max}; 1 runs in the main thread (default: one per core, at most 8; here ${defaultJobs()})`)
    .option(
      '--seeds <A..B>',
      'calibration: run each selected statistical check at every run seed from A to B (no sensitivity runs) and report the distribution of its ' +
        'statistic, the uniformity of its p-values and its false alarms',
    )
    .option('--plot <file.svg>', 'with --seeds: also draw the p-value histograms')
    .action(recordingExit(result, async (o: VerifyOptions) => (await import('./verify-command.js')).verifyCommand(o, io)));
}

export function deriveDefinition(io: Io, result: CommandResult): Command {
  const sized = FAMILIES.filter((f) => f.verifyDimensions);
  const dims = (d: readonly number[] | undefined) => (d ? ` (--dim ${DIM_RULE.min} to ${DIM_RULE.max}, default ${d[0]})` : '');
  const families = FAMILIES.map((f) => `  ${f.name.padEnd(22)} ${Object.keys(f.layouts).join(', ')}${dims(f.verifyDimensions)}`);
  return new NatgradCommand('derive')
    .description("derive a family's Fisher three ways, show how each equality was proved, and evaluate it at a point")
    .argument('<family>', `the family (choices: ${FAMILIES.map((f) => f.name).join(', ')})`)
    .option('--parameterization <name>', "the parameterization (default: the family's first, see below)")
    .option('--at <values>', 'the point, e.g. mu=0.3,sigma=1.7 or p=[0.2,0.3] (default: the middle of the domain)')
    .option('--dim <k>', `dimension, for ${sized.map((f) => f.name).join(', ')} only: an integer from ${DIM_RULE.min} to ${DIM_RULE.max} (default: 2)`)
    .option('--json', 'machine-readable output')
    .addHelpText('after', ['', 'Families and their parameterizations (the first is the default):', ...families].join('\n'))
    .action(recordingExit(result, async (family: string, o: DeriveOptions) => (await import('./derive-command.js')).deriveCommand(family, o, io)));
}

/** A command that writes committed files to --out, or with --check compares them with what it would write. */
function committedFilesDefinition(name: string, description: string, defaultOut: string, check: string): Command {
  return new NatgradCommand(name).description(description).option('--out <dir>', `output folder (default: ${defaultOut})`).option('--check', check);
}

export function docsDefinition(io: Io, result: CommandResult): Command {
  return committedFilesDefinition(
    'docs',
    'render every proof and family derivation into Markdown pages (--check: exit 1 when the committed pages are stale)',
    'docs/derivations',
    'compare with the committed pages instead of writing',
  ).action(recordingExit(result, async (o: DocsOptions) => (await import('./docs-command.js')).docsCommand(o, io)));
}

/**
 * What `train` and `compare` share: the problem, the optimizer option
 * (`flags` and what it takes), the run's settings, and the problems and
 * optimizers listed after the options in the help.
 */
function runDefinition(name: string, description: string, flags: string, what: string): Command {
  return new NatgradCommand(name)
    .description(description)
    .option('--problem <name>', `the problem (required; choices: ${PROBLEM_NAMES.join(', ')})`)
    .option(flags, `${what} (required; choices: ${OPTIMIZER_NAMES.join(', ')})`)
    .option('--iterations <n>', `iteration budget, an integer from 1 to ${ITERATION_CAP} (default: the problem's, 200 to 500)`)
    .option('--seed <n>', `seed of the initial weights and the data split, 0 to ${SEED_RULE.max} (default: 0)`)
    .option('--target <loss>', "target training loss; iterations and time to reach it are the headline measures (default: the problem's)")
    .option('--lr <x>', "learning rate: shortcut for --option lr=x (default: the optimizer's, see below)")
    .option('--damping <x>', "damping: shortcut for --option damping=x (default: the optimizer's, see below)")
    .option(
      '--option <key=value>',
      'set an optimizer option (repeatable), e.g. --option emaDecay=0.9 or --option cg.maxIterations=20; compare also takes name:key=value for one optimizer',
      (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
    )
    .option('--svg <file>', 'write the loss plot (against iterations and time) to FILE')
    .addHelpText('after', runHelpText());
}

/** The problems, the optimizers and every option with its default, after the options in the help. */
function runHelpText(): string {
  return [
    '',
    'Problems (--problem):',
    ...PROBLEMS.map((p) => `  ${p.name.padEnd(24)} ${p.summary}`),
    '',
    'Optimizers (--optimizer) and their options with the registry defaults (a problem may override some):',
    ...OPTIMIZERS.flatMap((o) => [`  ${o.name.padEnd(32)} ${o.summary}`, `  ${''.padEnd(32)} ${describeOptions(o.defaults)}`]),
  ].join('\n');
}

export function trainDefinition(io: Io, result: CommandResult): Command {
  const description = 'train one optimizer on a problem: progress, a result table, optionally JSON and an SVG plot';
  return runDefinition('train', description, '--optimizer <name>', 'an optimizer of the registry')
    .option('--json', 'print the whole run (history, options, parameters) as JSON')
    .action(recordingExit(result, async (o: TrainCommandOptions) => (await import('./train-command.js')).trainCommand(o, io)));
}

export function compareDefinition(io: Io, result: CommandResult): Command {
  const description = 'run several optimizers on one problem from the same start: iterations and time to the target, final loss, test metric';
  return runDefinition('compare', description, '--optimizers <a,b,c>', 'comma-separated optimizer names')
    .option('--markdown <file>', "write the table and every optimizer's options as Markdown to FILE")
    .action(recordingExit(result, async (o: CompareCommandOptions) => (await import('./compare-command.js')).compareCommand(o, io)));
}

export function vectorsDefinition(io: Io, result: CommandResult): Command {
  return committedFilesDefinition(
    'vectors',
    'write the oracle test-vector suite (spec and expected result of every case) to DIR, or --check that DIR is fresh',
    'vectors',
    'regenerate in memory; exit 1 listing stale, missing or extra files',
  ).action(recordingExit(result, async (o: VectorsOptions) => (await import('./vectors-command.js')).vectorsCommand(o, io)));
}

export function oracleDefinition(io: Io, result: CommandResult): Command {
  return new NatgradCommand('oracle')
    .description('answer a reference-oracle spec (one object or an array of them) with the result JSON on stdout; the kinds and fields are in docs/oracle.md')
    .usage('[options] SPEC')
    .argument('[spec]', 'the spec file, or - for stdin (at most 256 MiB)')
    .action(recordingExit(result, async (spec: string | undefined) => (await import('./oracle-command.js')).runOracleCommand(spec, io)));
}

export function checkDefinition(io: Io, result: CommandResult): Command {
  return new NatgradCommand('check')
    .description(
      "compare a candidate result (your code's output) with the oracle's answer to SPEC: exit 0 when every numeric field CANDIDATE has matches, 1 " +
        'when one does not, 2 for bad input',
    )
    .usage('[options] SPEC CANDIDATE')
    .argument('[spec]', 'the spec file (see natgrad oracle), or - for stdin')
    .argument('[candidate]', "a result file with any subset of the result's fields, or - for stdin")
    .option('--rtol <x>', `relative tolerance: a number matches when |c - e| <= atol + rtol |e| (default: ${sci(DEFAULT_TOLERANCE.rtol)})`)
    .option('--atol <x>', `absolute tolerance (default: ${sci(DEFAULT_TOLERANCE.atol)})`)
    .option(
      '--false-alarm <p>',
      'false-alarm rate of each Monte Carlo field: its entries pass within z standard errors, z the two-sided Bonferroni critical value for the field ' +
        '(default: 1e-6)',
    )
    .option(
      '--precision <p>',
      'float64 (default) or float32: a field also passes within its float32 error bound, derived from the unit roundoff 2^-24, the length of the ' +
        'computation and, for solves, the condition number',
    )
    .option('--json', 'print {"ok", "mismatches": [{field, maxAbsErr, maxRelErr, diagnosis}]} instead of the report')
    .action(
      recordingExit(result, async (spec: string | undefined, candidate: string | undefined, o: CheckOptions) => {
        const files = [spec, candidate].filter((a): a is string => a !== undefined);
        return (await import('./check-command.js')).runCheckCommand(files, o, io);
      }),
    );
}

/** The natgrad program with every command. */
export function programDefinition(io: Io, result: CommandResult, version: string): Command {
  const program = new NatgradCommand('natgrad')
    .description('Natural-gradient theory, executable and verified: Fisher derivations, numeric cross-checks, optimizers and a reference oracle.')
    .usage('<command> [options]')
    .version(version, '-V, --version', 'print the version of natgrad')
    .helpCommand('help [command]', 'show the help of a command');
  const commands = [
    verifyDefinition,
    deriveDefinition,
    docsDefinition,
    trainDefinition,
    compareDefinition,
    vectorsDefinition,
    oracleDefinition,
    checkDefinition,
  ];
  for (const define of commands) program.addCommand(define(io, result));
  return program;
}

/** Runs `natgrad oracle` with the arguments after `oracle`; returns the exit code and never throws. */
export async function oracleCommand(args: string[], io: Io): Promise<number> {
  const result = { code: 0 };
  return runCommandLine(oracleDefinition(io, result), args, io, result, 'spec');
}

/** Runs `natgrad check` with the arguments after `check`; returns the exit code and never throws. */
export async function checkCommand(args: string[], io: Io): Promise<number> {
  const result = { code: 0 };
  return runCommandLine(checkDefinition(io, result), args, io, result, 'check');
}
