#!/usr/bin/env node
// Measures each package entry point of the build (dist/): the modules it
// loads and the wall time of `import`, each in a fresh process, the median of
// three runs. Usage: npm run build && node scripts/measure-entry-points.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const register = join(root, 'scripts', 'module-count-register.mjs');
const dir = mkdtempSync(join(tmpdir(), 'natgrad-entries-'));
const rows = [];
for (const [subpath, target] of Object.entries(pkg.exports)) {
  if (typeof target !== 'object') continue;
  const url = pathToFileURL(join(root, target.default)).href;
  const log = join(dir, 'modules.txt');
  rmSync(log, { force: true });
  const script = `const t = performance.now(); await import(${JSON.stringify(url)}); console.log(performance.now() - t);`;
  execFileSync(process.execPath, ['--import', register, '--input-type=module', '-e', script], { env: { ...process.env, MODULE_LOG: log } });
  const modules = new Set(
    readFileSync(log, 'utf8')
      .split('\n')
      .filter((u) => u.startsWith('file:')),
  );
  const times = [0, 1, 2].map(() => Number(execFileSync(process.execPath, ['--input-type=module', '-e', script]).toString()));
  times.sort((a, b) => a - b);
  rows.push({ entry: subpath === '.' ? 'natgrad' : `natgrad/${subpath.slice(2)}`, modules: modules.size, ms: Math.round(times[1]) });
}
rmSync(dir, { recursive: true, force: true });
console.log('| entry | modules | import time (ms, median of 3) |\n|---|---|---|');
for (const r of rows) console.log(`| ${r.entry} | ${r.modules} | ${r.ms} |`);
