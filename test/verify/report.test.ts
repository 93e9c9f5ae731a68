/**
 * The verify table as rows stream in: every column starts where its header
 * does, for the longest id of the registry and the widest method a check reports.
 */
import { expect, test } from 'vitest';
import { allChecks } from '../../src/cli/check-registry.js';
import { resultLine, tableHeader } from '../../src/verify/report.js';
import type { CheckResult } from '../../src/verify/runner.js';

const row = (id: string, method: string): CheckResult =>
  ({
    id,
    method,
    status: 'verified',
    kind: 'property',
    runs: 30,
    millis: 4930,
    sensitivity: 'caught: x',
    detail: '',
    theorem: '',
    reference: '',
    seed: 1,
  }) as CheckResult;

/** Where each cell after the id starts: the header's words, and the row's after the two text columns. */
function columnStarts(line: string, cells: readonly string[]): number[] {
  let from = 0;
  return cells.map((c) => {
    const at = line.indexOf(c, from);
    from = at + c.length;
    return at;
  });
}

test('the kind, runs, method, time and sensitivity columns start under their headers', () => {
  const longestId = allChecks()
    .map((c) => c.id)
    .reduce((a, b) => (b.length > a.length ? b : a));
  const header = tableHeader();
  const [kind, runs, method, sensitivity] = columnStarts(header, ['kind', 'runs', 'method', 'sensitivity']);
  const timeEnd = header.indexOf('time') + 'time'.length;
  for (const m of ['symbolic+numeric-identity', 'numeric-identity+symbolic', 'exact']) {
    const line = resultLine(row(longestId, m));
    expect(columnStarts(line, ['property', '30', m, 'caught'])).toEqual([kind, runs, method, sensitivity]);
    expect(line.indexOf('4.93 s') + '4.93 s'.length).toBe(timeEnd);
  }
});
