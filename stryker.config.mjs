// @ts-check
import { createHash } from 'node:crypto';
/**
 * Mutation testing (`npm run test:mutation`): how many plausible bugs in the
 * numerical core the test suite catches. `npm run test:mutation -- --mutate
 * src/oracle/diagnose.ts` (a file, a folder glob such as 'src/numeric/**', or
 * a comma-separated list) mutates only those files. The last summary is in
 * docs/mutation.md.
 *
 * Incremental: a rerun retests only the mutants whose code or covering tests
 * changed. Each target keeps its own incremental file, report and sandbox
 * under a name taken from --mutate, so that runs of different targets neither
 * overwrite each other's results nor share a temporary directory.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */

/** The value of --mutate (or -m) on the command line, else null. */
function mutateArgument() {
  const argv = process.argv;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--mutate' || argv[i] === '-m') return argv[i + 1] ?? null;
    if (argv[i].startsWith('--mutate=')) return argv[i].slice('--mutate='.length);
  }
  return null;
}

const target = mutateArgument();
// a focused run (MUTATION_TESTS, see vitest.mutation.config.ts) keeps its results apart from the full one
const focus = process.env.MUTATION_TESTS ? '-focused' : '';
// a long --mutate value (a sample of line ranges, scripts/mutation-sample.mjs) is named by its hash, or by MUTATION_NAME
const readable = target === null ? 'all' : target.replace(/\*+/g, '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
const short = readable.length <= 80 ? readable : `ranges-${createHash('sha256').update(target ?? '').digest('hex').slice(0, 12)}`;
const name = (process.env.MUTATION_NAME || short) + focus;
const dir = `reports/mutation/${name}`;

export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  // the test files that import the mutated files (vitest related), from the unit tests (see vitest.mutation.config.ts)
  vitest: { configFile: 'vitest.mutation.config.ts', related: true },
  mutate: [
    'src/oracle/**/*.ts',
    'src/curvature/**/*.ts',
    'src/families/**/*.ts',
    'src/numeric/**/*.ts',
    'src/linalg/**/*.ts',
    'src/symbolic/prove.ts',
    '!src/**/index.ts',
  ],
  // the sandbox needs the sources and the tests, not the build, the docs or other runs' sandboxes
  // (the committed derivation pages stay: a unit test compares the family pages with them)
  ignorePatterns: ['/dist', '/docs/*', '!/docs/derivations', '/bench', '/reports', '/scratch', '/.stryker-tmp*'],
  coverageAnalysis: 'perTest',
  incremental: true,
  incrementalFile: `${dir}/incremental.json`,
  // the machine's cores are shared
  concurrency: 1,
  // the dry run of a widely imported file runs many test files, slowly on a loaded machine
  dryRunTimeoutMinutes: 60,
  timeoutMS: 60_000,
  timeoutFactor: 3,
  // event-recorder keeps each mutant's result as it comes, so an interrupted run is not lost
  reporters: ['clear-text', 'progress-append-only', 'json', 'html', 'event-recorder'],
  eventReporter: { baseDir: `${dir}/events` },
  jsonReporter: { fileName: `${dir}/mutation.json` },
  htmlReporter: { fileName: `${dir}/mutation.html` },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  tempDirName: `.stryker-tmp-${name}`,
  cleanTempDir: true,
};
