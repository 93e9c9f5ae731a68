/**
 * What each package entry point loads. The library entry and the area entry
 * points must not load the command line, the proofs and properties, their
 * tooling (fast-check, commander, cli-progress) or, except the families and
 * symbolic entries, the computer algebra (mathjs, algebrite): a user who
 * imports an optimizer should not wait seconds for a CAS.
 *
 * All entries are imported in one process, in order, and each is charged the
 * modules it added; the clean entries come first, so a forbidden module can
 * only be charged to the entry that loads it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, { default: string } | string> };

/** The source file of an export target: ./dist/src/x/index.js -> src/x/index.ts. */
const sourceOf = (target: string): string => join(root, target.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts'));

const TOOLING = /\/(proofs|properties|cli)\/|\/node_modules\/(fast-check|commander|cli-progress)\//;
const CAS = /\/node_modules\/(mathjs|algebrite)\//;
const CAS_ENTRIES = new Set(['./families', './symbolic']);

const subpaths = Object.keys(pkg.exports).filter((k) => typeof pkg.exports[k] === 'object');
// Clean entries first, then those allowed the CAS; the CLI (allowed everything) is not loaded.
const order = [...subpaths.filter((s) => !CAS_ENTRIES.has(s) && s !== './cli'), ...subpaths.filter((s) => CAS_ENTRIES.has(s))];

const dir = mkdtempSync(join(tmpdir(), 'natgrad-entry-points-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Per entry, the project-relative modules it added to the process. */
function loadInOrder(): Map<string, string[]> {
  const log = join(dir, 'modules.txt');
  const marks = order.map((s) => {
    const url = pathToFileURL(sourceOf((pkg.exports[s] as { default: string }).default)).href;
    return `await import(${JSON.stringify(url)}); appendFileSync(${JSON.stringify(log)}, ${JSON.stringify(`@@ ${s}\n`)});`;
  });
  const script = `import { appendFileSync } from 'node:fs';\n${marks.join('\n')}`;
  execFileSync(process.execPath, ['--import', 'tsx', '--import', join(root, 'scripts/module-count-register.mjs'), '--input-type=module', '-e', script], {
    cwd: root,
    env: { ...process.env, MODULE_LOG: log },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const added = new Map<string, string[]>();
  const seen = new Set<string>();
  let current: string[] = [];
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    if (line.startsWith('@@ ')) {
      added.set(line.slice(3), current);
      current = [];
    } else if (line.startsWith('file:') && !seen.has(line)) {
      seen.add(line);
      current.push(fileURLToPath(line).slice(root.length - 1));
    }
  }
  return added;
}

describe('package entry points', () => {
  const added = loadInOrder();

  test('every export but the CLI is loaded, and the CLI entry exists', () => {
    expect([...added.keys()].sort()).toEqual(subpaths.filter((s) => s !== './cli').sort());
    expect(subpaths).toContain('./cli');
    expect(readFileSync(sourceOf((pkg.exports['./cli'] as { default: string }).default), 'utf8')).toContain('export async function main');
  });

  test.each(order)('%s loads no command line, proofs, properties or their tooling', (s) => {
    expect(added.get(s)!.filter((m) => TOOLING.test(m))).toEqual([]);
  });

  test.each(order.filter((s) => !CAS_ENTRIES.has(s)))('%s loads no computer algebra', (s) => {
    expect(added.get(s)!.filter((m) => CAS.test(m))).toEqual([]);
  });

  test('the library entry stays small (it loaded 1242 modules when it included the CLI)', () => {
    // The engine, models, curvature, data and core are about 55 modules; the bound leaves room to grow.
    expect(added.get('.')!.length).toBeLessThan(120);
  });
});
