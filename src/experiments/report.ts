/**
 * The comparison table of experiment runs, as aligned text for a terminal and
 * as Markdown for docs: iterations and wall time to the target loss, final
 * loss, the test metric, and why the run stopped.
 */
import type { RunResult } from './run.js';

const HEADERS = ['optimizer', 'iterations to target', 'time to target (s)', 'final loss', 'iterations run', 'time run (s)', 'stop'];

function rows(results: readonly RunResult[]): { header: string[]; body: string[][] } {
  const metricName = results[0]?.metric.name ?? 'test accuracy';
  const header = [...HEADERS.slice(0, 4), metricName, ...HEADERS.slice(4)];
  const body = results.map((r) => [
    r.optimizer,
    r.reachedTarget ? String(r.reachedTarget.iteration) : 'not reached',
    r.reachedTarget ? (r.reachedTarget.timeMs / 1000).toFixed(2) : '-',
    Number.isFinite(r.finalLoss) ? r.finalLoss.toPrecision(6) : String(r.finalLoss),
    r.metric.name === 'test accuracy' ? `${(100 * r.metric.value).toFixed(1)}%` : r.metric.value.toPrecision(6),
    String(r.iterations),
    (r.timeMs / 1000).toFixed(2),
    r.stopReason,
  ]);
  return { header, body };
}

/** The table as aligned plain text, one line per optimizer. */
export function resultsTable(results: readonly RunResult[]): string {
  const { header, body } = rows(results);
  const widths = header.map((h, j) => Math.max(h.length, ...body.map((r) => r[j].length)));
  const line = (cells: string[]) => cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n') + '\n';
}

/** The table as Markdown. */
export function resultsMarkdown(results: readonly RunResult[]): string {
  const { header, body } = rows(results);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((_, j) => (j === 0 ? '---' : '---:'))), ...body.map(line)].join('\n') + '\n';
}

/** The winner by iterations and by time to the target, or null when no run reached it. */
export function winners(results: readonly RunResult[]): { byIterations: RunResult; byTime: RunResult } | null {
  const hit = results.filter((r) => r.reachedTarget !== null);
  if (hit.length === 0) return null;
  const byIterations = hit.reduce((a, b) => (b.reachedTarget!.iteration < a.reachedTarget!.iteration ? b : a));
  const byTime = hit.reduce((a, b) => (b.reachedTarget!.timeMs < a.reachedTarget!.timeMs ? b : a));
  return { byIterations, byTime };
}
