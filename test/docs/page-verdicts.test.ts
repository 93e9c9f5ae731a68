/**
 * `natgrad docs` (and `docs --check`, which CI runs) refuses pages that show a
 * failed check: the verdicts sit in the blocks the freshness comparison masks,
 * so a page whose step failed would otherwise compare equal to a committed
 * page that failed the same way.
 */
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { pageProblems } from '../../src/cli/docs-command.js';

const dir = resolve('docs', 'derivations');
const verdicts = (text: string): string[] => pageProblems(new Map([['family-x.md', text]]), dir).filter((p) => p.includes(': verdict: '));

describe('a page with a failed check is a problem of the docs', () => {
  test.each([
    ['a step whose check failed', '**FAILED** (quadrature): E[s] = 0.1 at theta = 1.'],
    ['a route refuted entry by entry', '* hessian = literature: REFUTED entry by entry (3 symbolic).'],
    ['a planted mistake the check let through', 'Sensitivity: with the factor ½ dropped, the same check DOES NOT fail (0.5 of the tolerance).'],
  ])('%s', (_what, line) => {
    const found = verdicts(`# Family x\n\nSome text.\n\n${line}\n`);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^family-x\.md:5: verdict: a check failed on the page/);
  });
  test('checked steps, proved routes and caught mistakes are not', () => {
    const page = [
      '# Family x',
      '**Checked** (quadrature): E[s] = 0 at theta = 1.',
      '* hessian = literature: proved entry by entry (3 symbolic).',
      'Sensitivity: with the factor ½ dropped, the same check fails (1.0e+12 of the tolerance).',
    ].join('\n\n');
    expect(verdicts(page)).toEqual([]);
  });
});
