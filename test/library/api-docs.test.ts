/**
 * The generated API documentation (docs/api, from the types by typedoc; see
 * `npm run docs:api`) and the README link only to files and headings that
 * exist. Its freshness against the sources is checked in CI
 * (`npm run docs:api:check`), since generating it takes tens of seconds.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
// @ts-expect-error a plain ES module of the scripts folder, without type declarations
import { anchorsOf, brokenLinks, slug } from '../../scripts/markdown-links.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const markdownUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.md'))
    .map((e) => join(e.parentPath, e.name));

describe('API documentation', () => {
  const apiFiles = markdownUnder(join(root, 'docs/api'));

  test('has a page for the library entry and each area entry point', () => {
    const names = apiFiles.map((f) => f.slice(root.length)).sort();
    for (const area of ['families', 'optim', 'models', 'curvature', 'linalg', 'numeric', 'symbolic', 'data', 'rl', 'es', 'vi', 'parallel']) {
      // an entry point with a namespace export (natgrad/curvature's sequentialCurvature) is a folder with its README
      expect(names.filter((n) => n === `docs/api/natgrad/${area}.md` || n === `docs/api/natgrad/${area}/README.md`)).toHaveLength(1);
    }
    expect(names).toContain('docs/api/natgrad.md');
  });

  test('no broken internal link in docs/api or the README', () => {
    expect(brokenLinks([...apiFiles, join(root, 'README.md')])).toEqual([]);
  });

  test('the link check finds a missing file, a missing heading and a repeated heading', () => {
    const dir = mkdtempSync(join(tmpdir(), 'natgrad-links-'));
    try {
      writeFileSync(
        join(dir, 'a.md'),
        '# Title\n## Part\n## Part\n[ok](b.md#other-heading) [ok](#part-1) [bad](missing.md) [bad](b.md#nowhere) `[not a link](x.md)`\n',
      );
      writeFileSync(join(dir, 'b.md'), '## Other heading\n');
      const broken = brokenLinks([join(dir, 'a.md')]) as string[];
      expect(broken.map((b) => b.slice(dir.length + 1))).toEqual(['a.md:4: missing.md (no such file)', 'a.md:4: b.md#nowhere (no heading or anchor #nowhere)']);
      expect(slug('The `train()` loop: stop rules')).toBe('the-train-loop-stop-rules');
      expect([...anchorsOf('# A\n# A\n```\n# not a heading\n```\n')]).toEqual(['a', 'a-1']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
