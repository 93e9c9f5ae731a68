/** Text, Markdown and JSON forms of a verify run. */
import type { CheckResult, Summary } from './runner.js';

export function summaryLine(s: Summary, seed: number): string {
  const bad = [s.failed && `${s.failed} failed`, s.insensitive && `${s.insensitive} insensitive`, s.errors && `${s.errors} errors`].filter(Boolean).join(', ');
  return `${s.total} checks: ${s.verified} verified${bad ? `, ${bad}` : ''} in ${(s.millis / 1000).toFixed(1)} s (seed ${seed})`;
}

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));

export function resultLine(r: CheckResult): string {
  return `${pad(r.status, 11)} ${pad(r.id, 58)} ${pad(r.kind, 8)} ${pad(String(r.runs), 5)} ${pad(r.method, 22)} ${(r.millis / 1000).toFixed(2).padStart(7)} s`;
}

export function textTable(results: readonly CheckResult[]): string {
  const head = `${pad('status', 11)} ${pad('theorem', 58)} ${pad('kind', 8)} ${pad('runs', 5)} ${pad('method', 22)} ${'time'.padStart(9)}`;
  const lines = results.map(resultLine);
  const problems = results.filter((r) => r.status !== 'verified').map((r) => `\n${r.status} ${r.id} (seed ${r.seed}):\n  ${r.detail}\n  sensitivity: ${r.sensitivity}`);
  return [head, ...lines, ...problems].join('\n');
}

export function markdownReport(results: readonly CheckResult[], s: Summary, seed: number): string {
  const esc = (t: string) => t.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const rows = results.map((r) => `| ${r.status} | \`${r.id}\` | ${esc(r.theorem)} | ${r.kind} | ${r.runs} | ${esc(r.method)} | ${esc(r.sensitivity)} | ${r.seed} | ${(r.millis / 1000).toFixed(2)} s |`);
  return [`# natgrad verify report`, '', summaryLine(s, seed), '', '| status | id | theorem | kind | runs | method | sensitivity | seed | time |', '|---|---|---|---|---|---|---|---|---|', ...rows, ''].join('\n');
}

export function jsonReport(results: readonly CheckResult[], s: Summary, seed: number): string {
  return `${JSON.stringify({ seed, summary: s, results }, null, 2)}\n`;
}
