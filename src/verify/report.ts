/** Text, Markdown and JSON forms of a verify run. */
import type { CheckResult, Summary } from './runner.js';

export function summaryLine(s: Summary, seed: number): string {
  const bad = [s.failed && `${s.failed} failed`, s.insensitive && `${s.insensitive} insensitive`, s.errors && `${s.errors} errors`].filter(Boolean).join(', ');
  return `${s.total} checks: ${s.verified} verified${bad ? `, ${bad}` : ''} in ${(s.millis / 1000).toFixed(1)} s (seed ${seed})`;
}

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));

/**
 * What the sensitivity run showed: `caught: <the deliberate mistake>`, `NOT
 * caught: ...` (the check cannot fail, so it proves nothing), `none` for a
 * check without one, and `not run` when the check itself did not pass.
 */
export function sensitivityCell(r: CheckResult): string {
  if (r.status === 'FAILED' || r.status === 'ERROR') return 'not run';
  return r.sensitivity;
}

// One row's cells in the order of the header, wide enough for the longest id and method the registry has
// (57 and 25 characters: symbolic+numeric-identity); the sensitivity, of any length, comes last.
const cells = (status: string, id: string, kind: string, runs: string, method: string, time: string, sensitivity: string): string =>
  `${pad(status, 11)} ${pad(id, 58)} ${pad(kind, 8)} ${pad(runs, 5)} ${pad(method, 25)} ${time.padStart(9)}  ${sensitivity}`;

/** The column headers of the verify table. */
export function tableHeader(): string {
  return cells('status', 'id', 'kind', 'runs', 'method', 'time', 'sensitivity');
}

export function resultLine(r: CheckResult): string {
  return cells(r.status, r.id, r.kind, String(r.runs), r.method, `${(r.millis / 1000).toFixed(2)} s`, sensitivityCell(r));
}

/** The detail of every check that is not verified, with its seed to replay it. */
export function problemDetails(results: readonly CheckResult[]): string[] {
  return results.filter((r) => r.status !== 'verified').map((r) => `\n${r.status} ${r.id} (seed ${r.seed}):\n  ${r.detail}\n  sensitivity: ${r.sensitivity}`);
}

export function textTable(results: readonly CheckResult[]): string {
  return [tableHeader(), ...results.map(resultLine), ...problemDetails(results)].join('\n');
}

export function markdownReport(results: readonly CheckResult[], s: Summary, seed: number): string {
  const esc = (t: string) => t.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const rows = results.map(
    (r) =>
      `| ${r.status} | \`${r.id}\` | ${esc(r.theorem)} | ${r.kind} | ${r.runs} | ${esc(r.method)} | ${esc(sensitivityCell(r))} | ${r.seed} | ` +
      `${(r.millis / 1000).toFixed(2)} s |`,
  );
  return [
    `# natgrad verify report`,
    '',
    summaryLine(s, seed),
    '',
    '| status | id | theorem | kind | runs | method | sensitivity | seed | time |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

export function jsonReport(results: readonly CheckResult[], s: Summary, seed: number): string {
  return `${JSON.stringify({ seed, summary: s, results }, null, 2)}\n`;
}
