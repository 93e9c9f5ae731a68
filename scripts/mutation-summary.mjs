#!/usr/bin/env node
/**
 * Summarizes Stryker's JSON reports (reports/mutation/<target>/mutation.json,
 * written by `npm run test:mutation`): per file, the mutants killed, survived,
 * timed out and without coverage, and the score; with --survivors, each
 * surviving or uncovered mutant's line, mutator and replacement.
 * Usage: node scripts/mutation-summary.mjs [--survivors] [REPORT.json ...]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const showSurvivors = args.includes('--survivors');
let reports = args.filter((a) => !a.startsWith('--'));
if (reports.length === 0) {
  const root = 'reports/mutation';
  reports = existsSync(root) ? readdirSync(root).map((d) => join(root, d, 'mutation.json')).filter(existsSync) : [];
}
if (reports.length === 0) {
  console.error('no reports: run `npm run test:mutation` first');
  process.exit(1);
}

const STATUSES = ['Killed', 'Survived', 'Timeout', 'NoCoverage', 'CompileError', 'RuntimeError', 'Ignored'];
const pad = (s, n) => String(s).padEnd(n);
const lines = [];
for (const report of reports) {
  const { files } = JSON.parse(readFileSync(report, 'utf8'));
  for (const [file, { mutants, source }] of Object.entries(files)) {
    const count = Object.fromEntries(STATUSES.map((s) => [s, 0]));
    for (const m of mutants) count[m.status] = (count[m.status] ?? 0) + 1;
    const detected = count.Killed + count.Timeout;
    const valid = detected + count.Survived + count.NoCoverage;
    const score = valid > 0 ? ((100 * detected) / valid).toFixed(1) : 'n/a';
    lines.push(`| ${file} | ${count.Killed} | ${count.Survived} | ${count.Timeout} | ${count.NoCoverage} | ${score}% |`);
    if (showSurvivors) {
      const text = source.split('\n');
      for (const m of mutants.filter((x) => x.status === 'Survived' || x.status === 'NoCoverage')) {
        const { start, end } = m.location;
        const original = start.line === end.line ? text[start.line - 1].slice(start.column - 1, end.column - 1) : `${text[start.line - 1].slice(start.column - 1)} ...`;
        lines.push(`    ${pad(m.status, 10)} ${file}:${start.line}:${start.column} ${m.mutatorName}: ${JSON.stringify(original.slice(0, 80))} -> ${JSON.stringify((m.replacement ?? '').slice(0, 80))}`);
      }
    }
  }
}
console.log('| file | killed | survived | timeout | no coverage | score |\n|---|---|---|---|---|---|');
console.log(lines.join('\n'));
