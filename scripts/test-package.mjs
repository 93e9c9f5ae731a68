#!/usr/bin/env node
// The package as a user gets it: pack natgrad (npm pack, which builds it),
// install the tarball into a fresh TypeScript project in a temporary folder,
// then type-check and run every TypeScript example of README.md there (taken
// from the README, so the examples cannot drift from what works), import
// each entry point, and run the installed CLI.
//
// Usage: npm run test:package [-- --keep] (--keep leaves the project folder for inspection)
// Dependencies come from the npm cache when they are there (--prefer-offline).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const keep = process.argv.includes('--keep');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const started = performance.now();
const step = (what) => console.log(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${what}`);

/** The ```ts blocks of a Markdown text, in order. */
export function typescriptBlocks(markdown) {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

/** Files under `dir` (relative paths) whose names end with `suffix`, with their modification times. */
function filesWithTimes(dir, suffix) {
  const out = new Map();
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith(suffix)) {
      const path = join(e.parentPath, e.name);
      out.set(relative(dir, path).slice(0, -suffix.length), statSync(path).mtimeMs);
    }
  }
  return out;
}

/**
 * dist/ holds exactly the compiled sources (src/, proofs/, properties/: a .js for each .ts, nothing
 * else), each written after the newest source and after tsconfig.json and package.json were changed.
 */
function distIsFresh() {
  const configs = ['tsconfig.json', 'package.json'].map((f) => statSync(join(root, f)).mtimeMs);
  for (const folder of ['src', 'proofs', 'properties']) {
    const built = join(root, 'dist', folder);
    if (!existsSync(built)) return false;
    const sources = filesWithTimes(join(root, folder), '.ts');
    for (const k of [...sources.keys()]) if (k.endsWith('.d')) sources.delete(k);
    const outputs = filesWithTimes(built, '.js');
    if (sources.size !== outputs.size || [...sources.keys()].some((k) => !outputs.has(k))) return false;
    const newestInput = Math.max(...sources.values(), ...configs);
    if (Math.min(...outputs.values()) < newestInput) return false;
  }
  return true;
}

function run(cmd, args, cwd, what) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) {
    console.error(`${what} failed (exit ${r.status}):\n${r.stdout ?? ''}${r.stderr ?? ''}`);
    throw new Error(what);
  }
  return r.stdout;
}

const work = mkdtempSync(join(tmpdir(), 'natgrad-package-'));
let failed = false;
try {
  // A dist/ built from the sources as they are (CI: by `npm ci`'s prepare script) is packed as it is:
  // the rebuild would empty dist/ under the commands that run the CLI beside this one in CI.
  const fresh = distIsFresh();
  step(fresh ? 'npm pack --ignore-scripts (dist/ is built from the current sources)' : 'npm pack (builds dist/ through the prepare script)');
  const packed = JSON.parse(
    execFileSync(npm, ['pack', '--json', ...(fresh ? ['--ignore-scripts'] : []), '--pack-destination', work], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  const tarball = join(work, packed[0].filename);

  const project = join(work, 'project');
  mkdirSync(join(project, 'src'), { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'natgrad-consumer', private: true, type: 'module' }, null, 2));
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          // the installed declarations are checked too
          skipLibCheck: false,
          types: ['node'],
          outDir: 'out',
        },
        include: ['src/**/*.ts'],
      },
      null,
      2,
    ),
  );

  step(`npm install ${packed[0].filename} into a fresh project`);
  const typesNode = pkg.devDependencies['@types/node'];
  run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball, `@types/node@${typesNode}`], project, 'npm install');

  const examples = typescriptBlocks(readFileSync(join(root, 'README.md'), 'utf8'));
  if (examples.length === 0) throw new Error('README.md has no ```ts examples');
  examples.forEach((code, i) => writeFileSync(join(project, 'src', `readme-example-${i + 1}.ts`), code));
  // Every entry point resolves, with types, from the installed package.
  const entries = Object.keys(pkg.exports)
    .filter((k) => k !== './package.json')
    .map((k) => (k === '.' ? 'natgrad' : `natgrad/${k.slice(2)}`));
  writeFileSync(
    join(project, 'src', 'entry-points.ts'),
    `${entries.map((e, i) => `import * as entry${i} from '${e}';`).join('\n')}\nexport const entryPoints = [${entries.map((_, i) => `entry${i}`).join(', ')}];\n`,
  );

  step(
    `type-check ${examples.length} README examples and ${entries.length} entry points (tsc ${JSON.parse(readFileSync(join(root, 'node_modules', 'typescript', 'package.json'), 'utf8')).version})`,
  );
  run(process.execPath, [tsc, '-p', project], project, 'tsc');

  for (const file of readdirSync(join(project, 'out'))
    .filter((f) => f.startsWith('readme-example-'))
    .sort()) {
    step(`run ${file}`);
    const output = run(process.execPath, [join(project, 'out', file)], project, `node ${file}`).trimEnd();
    if (output) console.log(output.replace(/^/gm, '    '));
  }
  step('run entry-points.js (imports every entry point)');
  run(process.execPath, [join(project, 'out', 'entry-points.js')], project, 'node entry-points.js');

  step('run the installed CLI');
  const help = run(process.execPath, [join(project, 'node_modules', '.bin', 'natgrad'), '--help'], project, 'natgrad --help');
  if (!help.includes('oracle')) throw new Error('natgrad --help does not list the oracle command');
  step('the package installs, type-checks and runs');
} catch (e) {
  failed = true;
  console.error(`test:package failed: ${e instanceof Error ? e.message : String(e)}`);
} finally {
  if (keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
