#!/usr/bin/env node
/**
 * A seeded uniform sample of the code lines of some source files, printed as
 * one comma-separated `--mutate` value of line ranges for Stryker. For folders
 * too large to mutate whole in the time at hand, the score of a sample of
 * lines is an unbiased estimate of the score of the mutants that lie on one
 * line; mutants that span several lines (block removals) are not sampled, and
 * a report must say so.
 *
 * A code line is one that is not blank, not only a comment, and not an import,
 * export-from or type-only declaration (Stryker does not mutate those).
 *
 * Usage: node scripts/mutation-sample.mjs --fraction 0.2 --seed 1 src/oracle/*.ts
 */
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
let fraction = 0.2;
let seed = 1;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--fraction') fraction = Number(args[++i]);
  else if (args[i] === '--seed') seed = Number(args[++i]);
  else files.push(args[i]);
}
if (!(fraction > 0 && fraction <= 1) || !Number.isInteger(seed) || files.length === 0) {
  console.error('usage: mutation-sample.mjs [--fraction F in (0, 1]] [--seed INTEGER] FILE...');
  process.exit(2);
}

/** mulberry32: a small seeded generator, enough for drawing lines. */
function generator(s) {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOT_CODE = /^\s*(\/\/|\/\*|\*|$|import\b|export\s+(type|interface)\b|export\s+\*|export\s+\{[^}]*\}\s+from\b|type\s|interface\s)/;
const random = generator(seed);
const ranges = [];
let total = 0;
for (const file of files.filter((f) => f.endsWith('.ts') && !f.endsWith('/index.ts')).sort()) {
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (NOT_CODE.test(line)) return;
    total++;
    if (random() < fraction) ranges.push(`${file}:${i + 1}-${i + 1}`);
  });
}
console.error(`${ranges.length} of ${total} code lines sampled (fraction ${fraction}, seed ${seed})`);
console.log(ranges.join(','));
