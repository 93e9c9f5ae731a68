/**
 * The rules of readable pages (src/docs/lint.ts) over the committed
 * derivation pages, and each rule's sensitivity run: a page with the fault
 * planted must be reported for it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { lintPage, mathSegments, PAGE_LIMIT } from '../../src/docs/lint.js';
import { TEX_LIMIT } from '../../src/docs/markdown.js';

const DIR = resolve('docs/derivations');
const ROOT = resolve('.');
const pages = readdirSync(DIR)
  .filter((f) => f.endsWith('.md'))
  .sort();

describe('the committed derivation pages', () => {
  test('there are pages to check', () => {
    expect(pages.length).toBeGreaterThan(50);
  });
  test.each(pages)('%s: KaTeX parses every formula; $x$ spacing; formulas within the limit; no imaginary unit; links inside the repository; size', (file) => {
    const problems = lintPage(readFileSync(join(DIR, file), 'utf8'), { dir: DIR, root: ROOT });
    expect(problems.map((p) => `${p.line}: ${p.rule}: ${p.detail}`)).toEqual([]);
  });
});

describe('each rule catches its fault (sensitivity)', () => {
  const clean = '# Title\n\nInline $x + y$, a [page](README.md) and [a paper](https://doi.org/10.1162/089976698300017746).\n\n$$\n\\frac{1}{\\sigma^{2}}\n$$\n';
  test('a clean page passes', () => {
    expect(lintPage(clean, { dir: DIR, root: ROOT })).toEqual([]);
  });
  test.each([
    ['a space after the opening $', 'Inline $ x + y$.', 'spacing'],
    ['a space before the closing $', 'Inline $x + y $.', 'spacing'],
    ['LaTeX that KaTeX refuses', 'Inline $\\frac{1}{$.', 'katex'],
    ['an unknown command', '$$\n\\mathit{Sigma0_1}\\foo\n$$', 'katex'],
    [`a formula over ${TEX_LIMIT} characters`, `$$\n${'x_{1} + '.repeat(60)}x\n$$`, 'length'],
    ['the planted imaginary term of the gamma page', '$$\n\\mathbb{E}[\\log(x)] = \\psi(\\alpha) - \\log(\\beta) - \\pi i - i\\pi\n$$', 'imaginary'],
    ['the same as expression text', '* moments: `E[log(x)] = digamma(alpha)-log(beta)-pi*i-i*pi`', 'imaginary'],
    ['a citation of a file not in the repository', 'See PITFALLS #9/#16.', 'link'],
    ['a link to a missing page', 'See [this](no-such-page.md).', 'link'],
    ['a link out of the repository', 'See [this](../../../etc/hosts).', 'link'],
    ['a page over the size limit', `# Big\n\n${'word '.repeat(PAGE_LIMIT / 5 + 10)}`, 'size'],
  ])('%s', (_what, fault, rule) => {
    const problems = lintPage(`${clean}\n${fault}\n`, { dir: DIR, root: ROOT });
    expect(problems.map((p) => p.rule)).toContain(rule);
  });
  test('math is found inline and displayed, not in code', () => {
    const segs = mathSegments('a $x$ b `$not$` c\n\n$$\ny\n$$\n<!-- $z$ -->\n');
    expect(segs.map((s) => [s.tex.trim(), s.display])).toEqual([
      ['x', false],
      ['y', true],
    ]);
  });
});

describe('every page under docs/ cites only what exists', () => {
  const all = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? all(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : []));
  test.each(all(resolve('docs')).filter((f) => !f.startsWith(DIR)))('%s: links inside the repository, no citation of a file it does not have', (file) => {
    const problems = lintPage(readFileSync(file, 'utf8'), { dir: resolve(file, '..'), root: ROOT }).filter((p) => p.rule === 'link');
    expect(problems.map((p) => `${p.line}: ${p.detail}`)).toEqual([]);
  });
});
