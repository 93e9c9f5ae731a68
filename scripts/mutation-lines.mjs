#!/usr/bin/env node
/**
 * The score of a line-sample run (scripts/mutation-sample.mjs) with its
 * standard error taken over the sampled lines, not the mutants: the sampling
 * unit is a line, and the mutants of one line tend to live or die together,
 * so the binomial (Wilson) interval over mutants is too narrow. Ratio
 * estimator: score R = sum(detected) / sum(mutants) over the lines that carry
 * mutants, SE = sqrt(sum((d_l - R m_l)^2) / (k (k - 1))) / mean(m_l).
 * "after" also counts the mutants given as killed by later tests, each as
 * FILE:LINE:COLUMN (path under src/families/) with an optional =COUNT when
 * several mutants start there and only some are killed.
 * Usage: node scripts/mutation-lines.mjs REPORT.json[,REPORT.json...] [FILE:LINE:COL[=N] ...]
 */
import { readFileSync } from 'node:fs';

const [reports, ...killArgs] = process.argv.slice(2);
if (!reports) {
  console.error('usage: mutation-lines.mjs REPORT.json[,REPORT.json...] [FILE:LINE:COL[=N] ...]');
  process.exit(2);
}
const kills = new Map(
  killArgs.map((k) => {
    const [id, count] = k.split('=');
    return [id, count === undefined ? Number.POSITIVE_INFINITY : Number(count)];
  }),
);
const lines = new Map();
for (const report of reports.split(',')) {
  for (const [file, { mutants }] of Object.entries(JSON.parse(readFileSync(report, 'utf8')).files)) {
    const short = file.replace(/.*src\/families\//, '');
    for (const m of mutants) {
      if (!['Killed', 'Survived', 'Timeout', 'NoCoverage'].includes(m.status)) continue;
      const key = `${short}:${m.location.start.line}`;
      const id = `${key}:${m.location.start.column}`;
      const detected = m.status === 'Killed' || m.status === 'Timeout';
      const l = lines.get(key) ?? { n: 0, run: 0, after: 0 };
      l.n++;
      if (detected) {
        l.run++;
        l.after++;
      } else if ((kills.get(id) ?? 0) > 0) {
        l.after++;
        kills.set(id, kills.get(id) - 1);
      }
      lines.set(key, l);
    }
  }
}
const L = [...lines.values()];
const n = L.reduce((s, l) => s + l.n, 0);
for (const what of ['run', 'after']) {
  const d = L.reduce((s, l) => s + l[what], 0);
  const r = d / n;
  const k = L.length;
  const s2 = L.reduce((s, l) => s + (l[what] - r * l.n) ** 2, 0) / (k - 1);
  const se = Math.sqrt(s2 / k) / (n / k);
  console.log(`${what}: ${d}/${n} = ${(100 * r).toFixed(1)}% over ${k} lines, line-clustered SE ${(100 * se).toFixed(2)}% (±${(196 * se).toFixed(1)}%)`);
}
