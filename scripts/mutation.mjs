#!/usr/bin/env node
// `npm run test:mutation [-- <stryker run options>]`: Stryker, from tools/mutation. It has its own
// package.json and lockfile and is installed there on first use (`npm ci`, about 20 s), so that
// `npm install` and `npm ci` of natgrad do not fetch its ~170 packages for a run few people make.
// The runner's peer, vitest, is the project's own. Runs at lower priority (nice 10): it takes hours.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tools = join(root, 'tools', 'mutation');
const core = join(tools, 'node_modules', '@stryker-mutator', 'core');

/** The installed Stryker is the one the lockfile names (a stale or partial install is replaced). */
function installed() {
  const lock = JSON.parse(readFileSync(join(tools, 'package-lock.json'), 'utf8'));
  const want = lock.packages['node_modules/@stryker-mutator/core']?.version;
  const have = existsSync(join(core, 'package.json')) ? JSON.parse(readFileSync(join(core, 'package.json'), 'utf8')).version : null;
  return have !== null && have === want && existsSync(join(tools, 'node_modules', '@stryker-mutator', 'vitest-runner', 'package.json'));
}

if (!installed()) {
  console.error('test:mutation: installing Stryker into tools/mutation (npm ci, once)');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: tools, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('test:mutation: npm ci in tools/mutation failed');
    process.exit(r.status ?? 1);
  }
}

const stryker = [join(core, 'bin', 'stryker.js'), 'run', ...process.argv.slice(2)];
const useNice = process.platform !== 'win32' && spawnSync('nice', ['true']).status === 0;
const r = useNice
  ? spawnSync('nice', ['-n', '10', process.execPath, ...stryker], { cwd: root, stdio: 'inherit' })
  : spawnSync(process.execPath, stryker, { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
