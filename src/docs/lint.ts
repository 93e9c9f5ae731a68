/**
 * Rules every generated page keeps, checked on the Markdown itself (by
 * `natgrad docs` before it writes, and by a test over the committed pages):
 *  - every formula parses in KaTeX;
 *  - inline math follows the `$x$` rule: no space after the opening or
 *    before the closing dollar (common Markdown renderers refuse `$ x$`);
 *  - no formula is longer than TEX_LIMIT characters of LaTeX;
 *  - no formula shows the imaginary unit (i pi, pi i: a branch cut of the
 *    computer algebra leaking into a real formula);
 *  - links point at files of the repository or at web addresses, and no page
 *    cites a file the repository does not have;
 *  - no page is larger than PAGE_LIMIT bytes.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, normalize } from 'node:path';
import type Katex from 'katex';
import { TEX_LIMIT } from './markdown.js';

/** KaTeX is a development dependency: without it (an installed package) the parse rule is skipped. */
let katexModule: typeof Katex | null | undefined;
function loadKatex(): typeof Katex | null {
  if (katexModule === undefined) {
    try {
      katexModule = createRequire(import.meta.url)('katex') as typeof Katex;
    } catch {
      katexModule = null;
    }
  }
  return katexModule;
}

export const PAGE_LIMIT = 50 * 1024;

export interface MathSegment {
  readonly tex: string;
  readonly display: boolean;
  readonly line: number;
}

/** Markdown with code spans, fenced code and HTML comments blanked (line numbers kept). */
function prose(markdown: string): string {
  const blank = (m: string): string => m.replace(/[^\n]/g, ' ');
  return markdown
    .replace(/```[\s\S]*?```/g, blank)
    .replace(/<!--[\s\S]*?-->/g, blank)
    .replace(/`[^`\n]*`/g, blank);
}

/** The formulas of a page: $$...$$ displays (one or several lines) and $...$ inline. */
export function mathSegments(markdown: string): MathSegment[] {
  const text = prose(markdown);
  const out: MathSegment[] = [];
  const lineAt = (offset: number): number => text.slice(0, offset).split('\n').length;
  let rest = text.replace(/\$\$([\s\S]*?)\$\$/g, (m, tex: string, offset: number) => {
    out.push({ tex, display: true, line: lineAt(offset) });
    return m.replace(/[^\n]/g, ' ');
  });
  rest = rest.replace(/(^|[^\\$])\$([^$\n]+?)\$(?!\$)/g, (m, before: string, tex: string, offset: number) => {
    out.push({ tex, display: false, line: lineAt(offset) });
    return before + ' '.repeat(m.length - before.length);
  });
  return out.sort((a, b) => a.line - b.line);
}

/** The imaginary unit as the computer algebra writes it, in LaTeX or in expression text. */
const IMAGINARY = /\\pi\s*i\b|(^|[^\w\\])i\s*\\pi|\bpi\s*\*\s*i\b|\bi\s*\*\s*pi\b|\\mathrm\{i\}|\\imath/;

export interface PageProblem {
  readonly line: number;
  readonly rule: string;
  readonly detail: string;
}

export interface LintOptions {
  /** the page's folder, to resolve relative links; links are not checked without it */
  readonly dir?: string;
  /** the repository's root, which relative links must not leave */
  readonly root?: string;
  /** pages being written alongside (links to them need not exist yet) */
  readonly siblings?: ReadonlySet<string>;
}

export function lintPage(markdown: string, opts: LintOptions = {}): PageProblem[] {
  const problems: PageProblem[] = [];
  const bytes = Buffer.byteLength(markdown, 'utf8');
  if (bytes > PAGE_LIMIT) problems.push({ line: 1, rule: 'size', detail: `${bytes} bytes, more than ${PAGE_LIMIT}` });
  for (const m of mathSegments(markdown)) {
    const where = m.tex.length > 60 ? `${m.tex.slice(0, 60)}...` : m.tex;
    if (!m.display && (/^\s/.test(m.tex) || /\s$/.test(m.tex)))
      problems.push({ line: m.line, rule: 'spacing', detail: `inline math with a space inside the dollars: $${where}$` });
    if (m.tex.trim().length > TEX_LIMIT)
      problems.push({ line: m.line, rule: 'length', detail: `a formula of ${m.tex.trim().length} characters (limit ${TEX_LIMIT}): ${where}` });
    if (IMAGINARY.test(m.tex)) problems.push({ line: m.line, rule: 'imaginary', detail: `the imaginary unit in ${where}` });
    try {
      loadKatex()?.renderToString(m.tex, { throwOnError: true, displayMode: m.display, strict: 'ignore' });
    } catch (e) {
      problems.push({ line: m.line, rule: 'katex', detail: `${e instanceof Error ? e.message.split('\n')[0] : e}: ${where}` });
    }
  }
  const text = prose(markdown);
  // outside the formulas too, code spans included: expression text such as `digamma(alpha)-pi*i`
  const outside = markdown.replace(/\$\$[\s\S]*?\$\$|\$[^$\n]+\$/g, '');
  if (IMAGINARY.test(outside)) problems.push({ line: 1, rule: 'imaginary', detail: 'the imaginary unit outside the formulas' });
  text.split('\n').forEach((line, k) => {
    if (/PITFALLS/.test(line))
      problems.push({ line: k + 1, rule: 'link', detail: 'cites PITFALLS, a file that is not in the repository; cite the public source instead' });
    for (const link of line.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = link[1];
      if (/^https?:\/\//.test(target) || target.startsWith('#')) continue;
      if (/^[a-z]+:/i.test(target)) {
        problems.push({ line: k + 1, rule: 'link', detail: `${target}: not a file of the repository or a web address` });
        continue;
      }
      if (opts.siblings?.has(target.split('#')[0])) continue;
      if (!opts.dir) continue;
      const file = normalize(join(opts.dir, target.split('#')[0]));
      if (opts.root && !file.startsWith(normalize(opts.root))) problems.push({ line: k + 1, rule: 'link', detail: `${target} leaves the repository` });
      else if (!existsSync(file)) problems.push({ line: k + 1, rule: 'link', detail: `${target} does not exist` });
    }
  });
  return problems;
}

/** The folder of a page, for lintPage's links. */
export const pageDir = (path: string): string => dirname(path);
