/**
 * What `npm pack` would publish: the package is publishable (not private,
 * MIT with a LICENSE file), the tarball holds every file the exports, the
 * bin and the data loaders need, and nothing private (no tests, CI, sources,
 * scripts or configuration). Reads the file list of `npm pack --dry-run`
 * over the current build (dist/, made by `npm install` or `npm run build`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  private?: boolean;
  license: string;
  exports: Record<string, { types: string; default: string } | string>;
  bin: Record<string, string>;
  files: string[];
  main: string;
  types: string;
};

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function packedFiles(): string[] {
  if (!existsSync(join(root, 'dist', 'src', 'index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` (npm install runs it) before this test');
  }
  const out = execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return (JSON.parse(out) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
}

describe('the published package', () => {
  const files = packedFiles();
  const has = (p: string) => files.includes(p.replace(/^\.\//, ''));

  test('is publishable: not private, MIT, with the LICENSE, README and package.json', () => {
    expect(pkg.private).toBeUndefined();
    expect(pkg.license).toBe('MIT');
    const license = readFileSync(join(root, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License/);
    expect(license).toMatch(/Copyright \(c\) \d{4} the natgrad authors/);
    for (const f of ['LICENSE', 'README.md', 'package.json']) expect(files).toContain(f);
  });

  test('holds every file the exports, main, types and bin point to', () => {
    const targets = Object.values(pkg.exports).flatMap((t) => (typeof t === 'string' ? [t] : [t.types, t.default]));
    for (const t of [...targets, pkg.main, pkg.types, ...Object.values(pkg.bin)]) expect(has(t), t).toBe(true);
  });

  test('holds what the CLI and the loaders read at run time', () => {
    for (const f of [
      'data/README.md',
      'data/breast_cancer.csv',
      'data/digits.csv.gz',
      'dist/src/cli/main.js',
      'dist/src/verify/check-worker.js',
      'dist/proofs/index.js',
      'dist/properties/fisher-families.js',
    ]) {
      expect(files).toContain(f);
    }
  });

  test('holds nothing private: no tests, CI, sources, scripts or configuration', () => {
    const privatePath =
      /^(test|\.ci|src|scripts|bench|proofs|properties|node_modules|scratch)\/|^dist\/test\/|\.test\.(js|d\.ts)$|^(tsconfig.*|vitest\.config\.ts|typedoc\.json|package-lock\.json)$/;
    expect(files.filter((f) => privatePath.test(f))).toEqual([]);
    expect(files.every((f) => !f.endsWith('.ts') || f.endsWith('.d.ts'))).toBe(true);
  });
});
