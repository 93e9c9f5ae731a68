/**
 * The CLI's option values: strict decimal numbers, caps, optimizer
 * hyperparameters, derive's arguments, verify's --list and table, and output
 * paths that cannot be written.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Io, memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { processIo } from '../../src/cli/process-io.js';
import { allChecks } from '../../src/cli/check-registry.js';
import { textTable } from '../../src/verify/report.js';
import type { CheckResult } from '../../src/verify/runner.js';

const problem = 'logistic-breast-cancer';
const train = ['train', '--problem', problem, '--iterations', '2'];

async function outcome(argv: string[], io: Io & { out: string; err: string } = memoryIo()) {
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

/** Asserts exit 2 with one line and nothing on stdout; returns the line. */
async function refused(argv: string[], io?: Io & { out: string; err: string }): Promise<string> {
  const r = await outcome(argv, io);
  expect({ argv, code: r.code, out: r.out }).toEqual({ argv, code: 2, out: '' });
  expect(r.err).toMatch(/^natgrad: [^\n]+\n$/);
  return r.err.trimEnd();
}

/** The options a `train --json` run used. */
async function trainedOptions(argv: string[]): Promise<Record<string, unknown>> {
  const r = await outcome([...train, ...argv, '--json']);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return (JSON.parse(r.out) as { options: Record<string, unknown> }).options;
}

describe('numbers are decimal only', () => {
  const candidate = { 'spec.json': '{"kind":"fisher","family":"poisson","parameterization":"rate","params":{"lambda":2}}', 'cand.json': '{"matrix":[[0.5]]}' };
  test.each(['0x10', '0b1', '0o7', '1e', '', '  ', 'Infinity', '-Infinity', 'NaN', '1_000', '1,5', '1e999', '--1', '1.2.3', 'one'])(
    '--rtol %j is refused, saying what is allowed',
    async (text) => {
      const line = await refused(['check', 'spec.json', 'cand.json', '--rtol', text], memoryIo('', candidate));
      expect(line.startsWith(`natgrad: --rtol: must be a finite number >= 0, got '${text}'`)).toBe(true);
      if (/\d|^\s*$|Infinity/.test(text)) expect(line).toMatch(/decimal notation only|beyond the range of float64/);
    },
  );
  test.each(['1e-6', '.5', '5.', '+1', '0', '-0', '2E-3'])('--rtol %j is a number', async (text) => {
    const r = await outcome(['check', 'spec.json', 'cand.json', '--rtol', text], memoryIo('', candidate));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });
  test('every numeric option of every command uses the same parser', async () => {
    for (const [argv, flag] of [
      [[...train, '--optimizer', 'sgd', '--target', '0x1'], '--target'],
      [['train', '--problem', problem, '--optimizer', 'sgd', '--iterations', '0x10'], '--iterations'],
      [[...train, '--optimizer', 'sgd', '--seed', ' 1'], '--seed'],
      [[...train, '--optimizer', 'sgd', '--lr', 'Infinity'], '--lr'],
      [['compare', '--problem', problem, '--optimizers', 'sgd', '--iterations', '1_0'], '--iterations'],
      [['verify', '--runs', '0x8'], '--runs'],
      [['verify', '--jobs', '2.0e'], '--jobs'],
      [['derive', 'normal', '--at', 'mu=0x1,sigma=1'], '--at.mu'],
      [['derive', 'categorical', '--dim', '0x3'], '--dim'],
    ] as const) {
      expect(await refused([...argv])).toMatch(new RegExp(`^natgrad: ${flag.replace('.', '\\.')}: must be .*decimal notation only`));
    }
  });
});

describe('caps', () => {
  test('train and compare refuse more iterations than the cap of 10^6, naming it', async () => {
    expect(await refused(['train', '--problem', problem, '--optimizer', 'sgd', '--iterations', '1e15'])).toBe(
      "natgrad: --iterations: must be an integer >= 1 and <= 1000000 (the iteration cap), got '1e15'",
    );
    expect(await refused(['compare', '--problem', problem, '--optimizers', 'sgd,adam', '--iterations', '1000001'])).toMatch(
      /--iterations: .*<= 1000000 \(the iteration cap\), got '1000001'/,
    );
  });
  test('seeds are 32-bit; verify caps its cases and workers', async () => {
    expect(await refused([...train, '--optimizer', 'sgd', '--seed', '4294967296'])).toMatch(
      /--seed: must be an integer >= 0 and <= 4294967295 \(seeds are 32-bit\)/,
    );
    expect(await refused(['verify', '--runs', '1e9'])).toMatch(/--runs: must be an integer >= 1 and <= 10000/);
    expect(await refused(['verify', '--jobs', '1000'])).toMatch(/--jobs: must be an integer >= 1 and <= 64/);
  });
});

describe('optimizer hyperparameters on the command line', () => {
  test('--lr, --damping and --option set the options the run uses; the others keep their defaults', async () => {
    expect(await trainedOptions(['--optimizer', 'sgd', '--lr', '0.5'])).toEqual({ lr: 0.5 });
    expect(await trainedOptions(['--optimizer', 'kfac', '--damping', '0.01', '--option', 'emaDecay=0.9', '--option', 'dampingScheme=exact'])).toEqual({
      lr: 1,
      damping: 0.01,
      dampingScheme: 'exact',
      fisher: 'fisher',
      emaDecay: 0.9,
      inverseEvery: 1,
      approximation: 'expand',
      adaptiveDamping: true,
      rescale: 'alpha-mu',
      klClip: 1,
    });
    expect((await trainedOptions(['--optimizer', 'hessian-free', '--option', 'cg.maxIterations=20'])).cg).toEqual({
      maxIterations: 20,
      progressTolerance: 5e-4,
      warmStartDecay: 0.95,
    });
    expect((await trainedOptions(['--optimizer', 'nesterov', '--option', 'nesterov=false'])).nesterov).toBe(false);
  });
  test('the text report says which options were set', async () => {
    const r = await outcome([...train, '--optimizer', 'kfac', '--damping', '0.02']);
    expect(r.out).toMatch(/seed 0, kfac with damping=0\.02\n/);
  });
  test('an unknown option is refused with the close name', async () => {
    expect(await refused([...train, '--optimizer', 'kfac', '--option', 'dampnig=1'])).toBe(
      "natgrad: --option dampnig: 'dampnig' is not one of kfac's options (allowed: lr, damping, dampingScheme, fisher, emaDecay, inverseEvery, approximation, adaptiveDamping, rescale, klClip); did you mean damping?",
    );
    expect(await refused([...train, '--optimizer', 'hessian-free', '--option', 'cg.maxIteratoins=5'])).toMatch(/did you mean cg\.maxIterations\?$/);
    expect(await refused([...train, '--optimizer', 'hessian-free', '--lr', '1'])).toMatch(/^natgrad: --lr: 'lr' is not one of hessian-free's options/);
    expect(await refused([...train, '--optimizer', 'hessian-free', '--option', 'cg=5'])).toMatch(
      /--option cg: is a group of options: set one of cg\.maxIterations/,
    );
  });
  test('values are typed after the default they replace and checked by the optimizer', async () => {
    expect(await refused([...train, '--optimizer', 'sgd', '--option', 'lr=0x1'])).toMatch(
      /^natgrad: --option lr: must be a finite number, got '0x1' \(decimal notation only/,
    );
    expect(await refused([...train, '--optimizer', 'nesterov', '--option', 'nesterov=yes'])).toBe(
      "natgrad: --option nesterov: must be true or false, got 'yes'",
    );
    expect(await refused([...train, '--optimizer', 'kfac', '--damping', '-1'])).toBe('natgrad: --damping: must be a finite number >= 0, got -1 (for kfac)');
    expect(await refused([...train, '--optimizer', 'kfac', '--option', 'fisher=exact'])).toMatch(
      /^natgrad: --option fisher: must be one of fisher, empirical-fisher, monte-carlo/,
    );
    expect(await refused([...train, '--optimizer', 'sgd', '--option', 'lr'])).toMatch(/^natgrad: --option: must be key=value/);
    expect(await refused([...train, '--optimizer', 'sgd', '--lr', '1', '--option', 'lr=2'])).toMatch(/^natgrad: --option lr: sets lr of sgd a second time/);
  });
  test('compare: an option goes to every listed optimizer that has it, or to one with name:key=value', async () => {
    const r = await outcome([
      'compare',
      '--problem',
      problem,
      '--optimizers',
      'sgd,kfac',
      '--iterations',
      '2',
      '--damping',
      '0.05',
      '--option',
      'sgd:lr=0.2',
      '--markdown',
      'table.md',
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/at most 2 iterations; sgd with lr=0\.2; kfac with damping=0\.05\n/);
    const io = memoryIo();
    await main(['compare', '--problem', problem, '--optimizers', 'sgd,kfac', '--iterations', '2', '--damping', '0.05', '--markdown', 'table.md'], io);
    expect(io.files['table.md']).toMatch(/`kfac`: `\{"lr":1,"damping":0\.05,/);
    expect(await refused(['compare', '--problem', problem, '--optimizers', 'sgd,adam', '--damping', '1'])).toBe(
      "natgrad: --damping: 'damping' is not one of the options of sgd, adam (allowed: lr, b1, b2, eps)",
    );
    expect(await refused(['compare', '--problem', problem, '--optimizers', 'sgd,kfac', '--option', 'kfca:damping=1'])).toMatch(
      /must be one of sgd, kfac, got "kfca"; did you mean "kfac"\?$/,
    );
    expect(await refused(['compare', '--problem', problem, '--optimizers', 'sgd,kfac', '--option', 'sgd:damping=1'])).toMatch(
      /'damping' is not one of sgd's options \(allowed: lr\)/,
    );
  });
});

describe('compare plot', () => {
  test('the title states the target as it was given, without padding digits', async () => {
    const io = memoryIo();
    const r = await outcome(['compare', '--problem', problem, '--optimizers', 'sgd', '--iterations', '2', '--target', '0.01', '--svg', 'plot.svg'], io);
    expect(r.code).toBe(0);
    expect(io.files['plot.svg']).toContain(`${problem} (target 0.01)`);
    expect(io.files['plot.svg']).not.toMatch(/target 0\.0100/);
  });
});

describe('derive checks its arguments', () => {
  test('--dim applies only to the families with a dimension, in its range', async () => {
    expect(await refused(['derive', 'gamma', '--dim', '3'])).toBe(
      'natgrad: --dim: applies only to categorical, dirichlet, multivariate-normal (an integer from 2 to 4); gamma has a fixed dimension',
    );
    expect(await refused(['derive', 'categorical', '--dim', '5'])).toMatch(/^natgrad: --dim: must be an integer >= 2 and <= 4 .*got '5'$/);
  });
  test('an unknown key of --at is named, with the close one', async () => {
    expect(await refused(['derive', 'normal', '--at', 'mu=0.3,sgima=1'])).toBe(
      'natgrad: --at.sgima: is not a field of normal\'s parameters in mean-std (allowed: "mu", "sigma"); did you mean "sigma"?',
    );
  });
  test('a prototype name in --at is an unknown key like any other', async () => {
    for (const name of ['__proto__', 'constructor', 'toString']) {
      expect(await refused(['derive', 'normal', '--at', `mu=0.3,sigma=1,${name}=2`])).toMatch(
        new RegExp(`^natgrad: --at(\\.|\\[")${name}("\\])?: is not a field of normal's parameters`),
      );
    }
  });
  test('--at is name=value pairs and nothing else; names and parameterizations are suggested', async () => {
    expect(await refused(['derive', 'normal', '--at', 'garbage,mu=1,sigma=1'])).toMatch(/^natgrad: --at: must be name=value pairs .*got 'garbage'/);
    expect(await refused(['derive', 'normal', '--at', 'mu=1,mu=2,sigma=1'])).toBe('natgrad: --at.mu: is given twice');
    expect(await refused(['derive', 'normall'])).toMatch(/^natgrad: family: must be one of .*got "normall"; did you mean "normal"\?$/);
    expect(await refused(['derive', 'normal', '--parameterization', 'mean-sd'])).toMatch(/did you mean "mean-std"\?$/);
  });
});

describe('verify --list and the table', () => {
  test('--list honours --filter and --shard', async () => {
    const ids = (out: string) =>
      out
        .trim()
        .split('\n')
        .map((l) => l.split('\t')[0]);
    const gamma = ids((await outcome(['verify', '--list', '--filter', 'gamma'])).out);
    expect(gamma).toEqual(
      allChecks()
        .map((c) => c.id)
        .filter((id) => id.includes('gamma')),
    );
    expect(gamma.length).toBeGreaterThan(1);
    const halves = [1, 2].map(async (i) => ids((await outcome(['verify', '--list', '--filter', 'gamma', '--shard', `${i}/2`])).out));
    const [a, b] = await Promise.all(halves);
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
    expect([...a, ...b].sort()).toEqual([...gamma].sort());
    expect(await refused(['verify', '--list', '--filter', 'no-such-check'])).toMatch(/^natgrad: --filter: no check matches "no-such-check"/);
  });
  test("the table has column headers and shows each check's sensitivity result", () => {
    const base: CheckResult = {
      id: 'fisher/x/routes',
      theorem: 't',
      reference: 'r',
      kind: 'proof',
      status: 'verified',
      runs: 2,
      method: 'symbolic',
      detail: 'd',
      sensitivity: 'caught: the Fisher scaled by 1.01 is refuted',
      seed: 7,
      millis: 1200,
    };
    const table = textTable([
      base,
      { ...base, id: 'fisher/x/exact', status: 'INSENSITIVE', sensitivity: 'NOT caught: a 1% error' },
      { ...base, id: 'fisher/x/mc', status: 'FAILED', sensitivity: 'none' },
    ]).split('\n');
    expect(table[0]).toMatch(/^status +id +kind +runs +method +time +sensitivity$/);
    expect(table[1]).toMatch(/^verified +fisher\/x\/routes +proof +2 +symbolic +1\.20 s +caught: the Fisher scaled by 1\.01 is refuted$/);
    expect(table[2]).toMatch(/^INSENSITIVE .* NOT caught: a 1% error$/);
    expect(table[3]).toMatch(/^FAILED .* not run$/);
  });
});

describe('output files that cannot be written are bad input naming the path, found before the run', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'natgrad-out-'));
    writeFileSync(join(dir, 'file.txt'), 'x');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const realFiles = () => {
    const io = { ...processIo(), out: '', err: '', interactive: false };
    io.stdout = (t: string) => {
      io.out += t;
    };
    io.stderr = (t: string) => {
      io.err += t;
    };
    return io;
  };
  test('--svg into an existing file used as a folder, or onto a folder', async () => {
    const inFile = join(dir, 'file.txt', 'plot.svg');
    expect(await refused(['train', '--problem', problem, '--optimizer', 'sgd', '--svg', inFile], realFiles())).toBe(
      `natgrad: --svg: cannot write '${inFile}' (a part of the path is a file, not a folder)`,
    );
    expect(await refused(['compare', '--problem', problem, '--optimizers', 'sgd', '--svg', dir], realFiles())).toBe(
      `natgrad: --svg: cannot write '${dir}' (it is a folder)`,
    );
    expect(await refused(['compare', '--problem', problem, '--optimizers', 'sgd', '--markdown', join(dir, 'file.txt', 'a', 'b.md')], realFiles())).toMatch(
      /^natgrad: --markdown: cannot write .*\(a part of the path is a file, not a folder\)$/,
    );
    expect(await refused(['verify', '--filter', 'gamma', '--report', join(dir, 'file.txt', 'r.json')], realFiles())).toMatch(
      /^natgrad: --report: cannot write .*\(a part of the path is a file, not a folder\)$/,
    );
  });
  test('a write that fails after the run is the same one line', async () => {
    const io = memoryIo();
    io.writeFile = async () => {
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    };
    expect(await outcome([...train, '--optimizer', 'sgd', '--svg', 'plot.svg'], io)).toMatchObject({
      code: 2,
      err: "natgrad: --svg: cannot write 'plot.svg' (no space left on the device)\n",
    });
  });
});
