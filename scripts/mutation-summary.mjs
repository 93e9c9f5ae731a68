#!/usr/bin/env node
/**
 * Summarizes the runs of `npm run test:mutation` (reports/mutation/<target>/):
 * per file, the mutants killed, survived, timed out and without coverage, and
 * the score; with --survivors, each surviving or uncovered mutant's line,
 * mutator and replacement; with --folders, one more table that adds the files'
 * counts up per folder (a folder's score from per-file runs). A finished run is
 * read from its mutation.json; an interrupted one from the per-mutant events it
 * recorded (marked "partial"). When several runs mutated the same file, the
 * last directory given wins.
 * Usage: node scripts/mutation-summary.mjs [--survivors] [--folders] [TARGET_DIR ...]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const args = process.argv.slice(2);
const showSurvivors = args.includes('--survivors');
const showFolders = args.includes('--folders');
let dirs = args.filter((a) => !a.startsWith('--'));
if (dirs.length === 0) {
  const root = 'reports/mutation';
  dirs = existsSync(root) ? readdirSync(root).map((d) => join(root, d)) : [];
}

/** { files: { name: { source, mutants } }, partial } from a finished report, else from the recorded events. */
function readRun(dir) {
  const report = join(dir, 'mutation.json');
  if (existsSync(report)) return { ...JSON.parse(readFileSync(report, 'utf8')), partial: false };
  const events = join(dir, 'events');
  if (!existsSync(events)) return null;
  const files = {};
  for (const name of readdirSync(events)
    .filter((n) => n.endsWith('-onMutantTested.json'))
    .sort()) {
    const m = JSON.parse(readFileSync(join(events, name), 'utf8'));
    // events record absolute paths: a run copied from another checkout is read against this one's src/
    const fileName = existsSync(m.fileName) ? m.fileName : m.fileName.slice(m.fileName.lastIndexOf('/src/') + 1);
    const file = relative(process.cwd(), fileName);
    files[file] ??= { source: readFileSync(fileName, 'utf8'), mutants: [] };
    files[file].mutants.push(m);
  }
  return { files, partial: true };
}

const runs = dirs.map(readRun).filter((r) => r !== null);
if (runs.length === 0) {
  console.error('no reports: run `npm run test:mutation` first');
  process.exit(1);
}

const STATUSES = ['Killed', 'Survived', 'Timeout', 'NoCoverage', 'CompileError', 'RuntimeError', 'Ignored'];
const pad = (s, n) => String(s).padEnd(n);
/** (killed + timeout) / (killed + timeout + survived + no coverage), as a percentage with one decimal. */
function score(count) {
  const detected = count.Killed + count.Timeout;
  const valid = detected + count.Survived + count.NoCoverage;
  return valid > 0 ? `${((100 * detected) / valid).toFixed(1)}%` : 'n/a';
}

const lines = [];
const byFile = new Map();
for (const { files, partial } of runs) {
  for (const [file, { mutants, source }] of Object.entries(files)) {
    const count = Object.fromEntries(STATUSES.map((s) => [s, 0]));
    for (const m of mutants) count[m.status] = (count[m.status] ?? 0) + 1;
    byFile.set(file, { count, partial });
    lines.push(`| ${file}${partial ? ' (partial)' : ''} | ${count.Killed} | ${count.Survived} | ${count.Timeout} | ${count.NoCoverage} | ${score(count)} |`);
    if (showSurvivors) {
      const text = source.split('\n');
      for (const m of mutants.filter((x) => x.status === 'Survived' || x.status === 'NoCoverage')) {
        const { start, end } = m.location;
        const original =
          start.line === end.line ? text[start.line - 1].slice(start.column - 1, end.column - 1) : `${text[start.line - 1].slice(start.column - 1)} ...`;
        lines.push(
          `    ${pad(m.status, 10)} ${file}:${start.line}:${start.column} ${m.mutatorName}: ${JSON.stringify(original.slice(0, 80))} -> ${JSON.stringify((m.replacement ?? '').slice(0, 80))}`,
        );
      }
    }
  }
}
console.log('| file | killed | survived | timeout | no coverage | score |\n|---|---|---|---|---|---|');
console.log(lines.join('\n'));
if (showFolders) {
  const folders = new Map();
  for (const [file, { count, partial }] of byFile) {
    const folder = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '.';
    const f = folders.get(folder) ?? { count: Object.fromEntries(STATUSES.map((s) => [s, 0])), files: 0, partial: false };
    for (const s of STATUSES) f.count[s] += count[s] ?? 0;
    f.files++;
    f.partial ||= partial;
    folders.set(folder, f);
  }
  console.log('\n| folder | files run | killed | survived | timeout | no coverage | score |\n|---|---|---|---|---|---|---|');
  for (const [folder, { count, files, partial }] of [...folders].sort()) {
    console.log(
      `| ${folder}${partial ? ' (partial)' : ''} | ${files} | ${count.Killed} | ${count.Survived} | ${count.Timeout} | ${count.NoCoverage} | ${score(count)} |`,
    );
  }
}
