/**
 * The argument parser's edges: its errors in the one-line form with exit 2
 * and the close name suggested, --version, and help that lists every option
 * with its choices and defaults.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { OPTIMIZERS } from '../../src/optim/registry.js';
import { PROBLEM_NAMES } from '../../src/experiments/problems.js';

/** Runs argv; asserts exit 2, nothing on stdout and exactly one `natgrad: ` line on stderr; returns the line. */
async function badLine(argv: string[]): Promise<string> {
  const io = memoryIo();
  const code = await main(argv, io);
  expect({ argv, code, out: io.out }).toEqual({ argv, code: 2, out: '' });
  expect(io.err).toMatch(/^natgrad: [^\n]+\n$/);
  return io.err.trimEnd();
}

async function stdoutOf(argv: string[]): Promise<string> {
  const io = memoryIo();
  expect(await main(argv, io)).toBe(0);
  expect(io.err).toBe('');
  return io.out;
}

describe('parser errors are one line, exit 2, with what is allowed', () => {
  test('no command', async () => {
    expect(await badLine([])).toMatch(/^natgrad: args: missing the command; allowed: verify, derive, .*check; see natgrad --help$/);
  });
  test('an unknown command, with the close one suggested', async () => {
    expect(await badLine(['verfy'])).toMatch(
      /^natgrad: args: unknown command 'verfy'; allowed: verify, derive, docs, train, compare, vectors, oracle, check, help; did you mean verify\?$/,
    );
    expect(await badLine(['help', 'verfy'])).toMatch(/^natgrad: args: unknown command 'verfy'; .*did you mean verify\?$/);
    expect(await badLine(['frobnicate'])).toMatch(/^natgrad: args: unknown command 'frobnicate'; allowed: .*check, help$/);
  });
  test('an unknown option, for the program and for each command, with the close one suggested', async () => {
    expect(await badLine(['--foo'])).toBe("natgrad: args: unknown option '--foo'; allowed: --version, --help");
    expect(await badLine(['verify', '--fitler', 'x'])).toMatch(
      /^natgrad: args: unknown option '--fitler' for verify; allowed: --filter, --seed, .*--help; did you mean --filter\?$/,
    );
    expect(await badLine(['oracle', '--foo', 'spec.json'])).toBe("natgrad: args: unknown option '--foo' for oracle; allowed: --help");
    expect(await badLine(['check', 'a.json', 'b.json', '--rtl', '1'])).toMatch(
      /unknown option '--rtl' for check; allowed: --rtol, --atol, --false-alarm, --precision, --json, --help; did you mean --rtol\?$/,
    );
    expect(await badLine(['train', '--problem', 'linear-regression', '--optimizer', 'sgd', '--learning-rate', '1'])).toMatch(
      /unknown option '--learning-rate' for train; allowed: .*--lr, --damping, --option/,
    );
  });
  test('a value given to a flag that takes none', async () => {
    expect(await badLine(['check', 'a.json', 'b.json', '--json=yes'])).toBe("natgrad: --json: takes no value, got 'yes'");
  });
  test('a missing argument, too many arguments, an option without its value', async () => {
    expect(await badLine(['derive'])).toBe('natgrad: args: missing the FAMILY argument; usage: natgrad derive [options] <family>');
    expect(await badLine(['oracle', 'a.json', 'b.json'])).toBe(
      "natgrad: args: too many arguments for oracle: expected 1 argument (SPEC), got 2 (extra: 'b.json'); usage: natgrad oracle [options] SPEC",
    );
    expect(await badLine(['check', 'a', 'b', 'c'])).toMatch(
      /^natgrad: args: too many arguments for check: expected 2 arguments \(SPEC, CANDIDATE\), got 3 \(extra: 'c'\)/,
    );
    expect(await badLine(['oracle'])).toMatch(/^natgrad: args: expected exactly one SPEC argument, got 0/);
    expect(await badLine(['verify', '--seed'])).toBe('natgrad: --seed: needs a value: --seed <n>');
  });
  test('control characters typed by the user are escaped: the message stays one printable line', async () => {
    const line = await badLine(['oracle', 'spec\u001b[31m\nred.json']);
    expect(line).toBe("natgrad: spec: cannot read file 'spec\\e[31m\\nred.json' (no such file)");
    expect(await badLine(['verify\u0007'])).toMatch(/^natgrad: args: unknown command 'verify\\x07'; .*did you mean verify\?$/);
    for (const argv of [['--\u001b[2J'], ['train', '--problem', 'x\ny', '--optimizer', 'sgd'], ['derive', 'normal', '--at', 'mu=1,\u009b31m=2']]) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: a bad-input line must not carry control characters
      expect(await badLine(argv)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    }
  });
});

describe('--version and help', () => {
  test('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await stdoutOf(['--version'])).toBe(`${pkg.version}\n`);
    expect(await stdoutOf(['-V'])).toBe(`${pkg.version}\n`);
  });
  test('check --help lists its options with their defaults', async () => {
    const help = await stdoutOf(['check', '--help']);
    expect(help).toMatch(/^Usage: natgrad check \[options\] SPEC CANDIDATE/);
    expect(help).toMatch(/--rtol <x>[^\n]*\n?[^\n]*\(default:\s+1e-6\)/);
    expect(help).toMatch(/--false-alarm <p>/);
    expect(help).toMatch(/--precision <p>/);
    expect(help).toMatch(/--atol <x>\s+absolute tolerance \(default: 1e-9\)/);
    expect(help).toMatch(/--json\s/);
  });
  test('help COMMAND is COMMAND --help', async () => {
    expect(await stdoutOf(['help', 'check'])).toBe(await stdoutOf(['check', '--help']));
    expect(await stdoutOf(['help'])).toBe(await stdoutOf(['--help']));
  });
  test('oracle --help says what SPEC is', async () => {
    expect(await stdoutOf(['oracle', '--help'])).toMatch(
      /Usage: natgrad oracle \[options\] SPEC[\s\S]*spec\s+the spec file, or - for stdin \(at most 256 MiB\)/,
    );
  });
  test('train --help and compare --help list the problems, every optimizer and its options with their defaults', async () => {
    for (const command of ['train', 'compare']) {
      const help = await stdoutOf([command, '--help']);
      for (const flag of ['--problem', '--iterations', '--seed', '--target', '--lr', '--damping', '--option', '--svg']) expect(help).toContain(flag);
      expect(help).toContain('an integer from 1 to 1000000');
      for (const p of PROBLEM_NAMES) expect(help).toMatch(new RegExp(`^  ${p} `, 'm'));
      const lines = help.split('\n');
      for (const o of OPTIMIZERS) {
        const at = lines.findIndex((l) => l.startsWith(`  ${o.name} `) && l.endsWith(o.summary));
        expect(at, o.name).toBeGreaterThan(0);
        for (const key of Object.keys(o.defaults)) expect(lines[at + 1], `${o.name} ${key}`).toMatch(new RegExp(`(^| )${key}[=.]`));
      }
      expect(help).toMatch(/^ +lr=1 damping=1e-3 dampingScheme=pi-factored/m);
      expect(help).toMatch(/cg\.maxIterations=50/);
    }
  });
  test('verify and derive --help show ranges and defaults', async () => {
    const verify = await stdoutOf(['verify', '--help']);
    expect(verify).toMatch(/--seed <n>(?:(?!--)[\s\S])*\(default: 20261125\)/);
    expect(verify).toMatch(/--jobs <n>\s+worker threads, 1 to 64/);
    const derive = await stdoutOf(['derive', '--help']);
    expect(derive.replace(/\s+/g, ' ')).toContain('--dim <k> dimension, for categorical, dirichlet, multivariate-normal only: an integer from 2 to 4');
    expect(derive).toMatch(/^ {2}normal +mean-std, mean-var/m);
  });
  test('the program help lists every command with its usage', async () => {
    const help = await stdoutOf(['--help']);
    for (const c of [
      'verify [options]',
      'derive [options] <family>',
      'train [options]',
      'compare [options]',
      'oracle [options] SPEC',
      'check [options] SPEC CANDIDATE',
    ])
      expect(help).toContain(c);
  });
});
