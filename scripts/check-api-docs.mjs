#!/usr/bin/env node
// CI check of the API documentation: docs/api is what typedoc generates from
// the current sources (regenerated into a temporary folder and compared), and
// every export of the library entry (src/index.ts) has a doc comment.
// `npm run docs:api` rewrites docs/api. typedoc does not type-check the program
// (skipErrorChecking in typedoc.json): `npm test`'s type check does, and that
// check was half of this one's time. The pages depend on the setting (the
// order in which a union's members are printed follows the order TypeScript
// met the types), so docs:api and this check read it from the same file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const typedoc = join(root, 'node_modules', 'typedoc', 'bin', 'typedoc');

function run(args) {
  const r = spawnSync(process.execPath, [typedoc, ...args], { cwd: root, encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

const files = (dir) =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();

let failed = false;
const out = mkdtempSync(join(tmpdir(), 'natgrad-api-docs-'));
try {
  const gen = run(['--out', out]);
  if (!gen.ok) {
    console.error(`typedoc failed:\n${gen.output}`);
    failed = true;
  } else {
    const committed = join(root, 'docs', 'api');
    const want = files(out);
    const have = files(committed);
    const stale = want.filter((f) => have.includes(f) && readFileSync(join(out, f), 'utf8') !== readFileSync(join(committed, f), 'utf8'));
    const missing = want.filter((f) => !have.includes(f));
    const extra = have.filter((f) => !want.includes(f));
    for (const [what, list] of [
      ['stale', stale],
      ['missing', missing],
      ['extra', extra],
    ]) {
      for (const f of list) console.error(`docs/api/${f}: ${what}`);
    }
    if (stale.length + missing.length + extra.length > 0) {
      console.error('docs/api is not what the sources generate; run `npm run docs:api` and commit docs/api');
      failed = true;
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}

// Exports whose declarations live in modules documented elsewhere and that
// carry their documentation in the module comment only; each name here must
// still be undocumented, so the list cannot go stale.
const DOCUMENTED_IN_MODULE_COMMENT = ['KfacOptions', 'EkfacOptions'];

const kinds = ['Class', 'Interface', 'TypeAlias', 'Variable', 'Function'];
const coverage = run([
  '--entryPoints',
  'src/index.ts',
  '--emit',
  'none',
  '--validation.notExported',
  'false',
  '--validation.invalidLink',
  'false',
  '--validation.notDocumented',
  'true',
  '--treatWarningsAsErrors',
  'false',
  ...kinds.flatMap((k) => ['--requiredToBeDocumented', k]),
]);
// biome-ignore lint/suspicious/noControlCharactersInRegex: removes terminal colour codes
const plain = coverage.output.replace(/\x1b\[[0-9;]*m/g, '');
const undocumented = [...plain.matchAll(/\[warning\] (\S+) \(\w+\), defined in .* does not have any documentation/g)].map((m) => m[1]);
const owner = (name) => name.split('.')[0];
const unexpected = undocumented.filter((n) => !DOCUMENTED_IN_MODULE_COMMENT.includes(owner(n)));
const nowDocumented = DOCUMENTED_IN_MODULE_COMMENT.filter((n) => !undocumented.some((u) => owner(u) === n));
if (!coverage.ok || unexpected.length > 0) {
  console.error(`exports of the library entry without a doc comment:\n${unexpected.join('\n') || plain}`);
  failed = true;
}
if (nowDocumented.length > 0) {
  console.error(`now documented, take them off DOCUMENTED_IN_MODULE_COMMENT in scripts/check-api-docs.mjs: ${nowDocumented.join(', ')}`);
  failed = true;
}
if (!failed) console.log('docs/api is fresh and every export of the library entry is documented');
process.exit(failed ? 1 : 0);
