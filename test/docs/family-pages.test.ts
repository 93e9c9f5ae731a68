/**
 * Every family's derivation page, rendered as `natgrad docs` renders it, is
 * the committed page under docs/derivations/, with the blocks that
 * `natgrad docs --check` masks (the computer algebra's printed forms, the
 * checks' numbers) masked the same way: the titles, reasons, structure,
 * symbols, sources and verdicts a reader sees come from the catalogue and
 * the derivation code, and a change to one of them must come with the
 * regenerated page. The same comparison as `docs --check`, for the family
 * pages only (seconds; the proofs' pages are left to `docs --check`); and,
 * since the masked blocks hold the verdicts, no step failed and no route was
 * refuted.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { normalizeForCheck, renderFamilyDoc } from '../../src/cli/docs-command.js';
import { FAMILIES } from '../../src/families/catalogue/index.js';

const DIR = join('docs', 'derivations');
const committedIndex = normalizeForCheck(readFileSync(join(DIR, 'README.md'), 'utf8')).split('\n');

describe('the family pages are the committed ones (run `natgrad docs` after changing the catalogue or the steps)', () => {
  for (const def of FAMILIES) {
    test(def.name, () => {
      const doc = renderFamilyDoc(def);
      expect(doc.notReal).toEqual([]);
      // the verdicts sit in the masked blocks: every step checked, every route proved equal, every planted mistake caught
      expect(doc.text).not.toMatch(/\*\*FAILED\*\*|REFUTED|DOES NOT fail/);
      const committed = readFileSync(join(DIR, doc.file), 'utf8');
      expect(normalizeForCheck(doc.text)).toBe(normalizeForCheck(committed));
      expect(doc.rows.length).toBeGreaterThan(0);
      for (const row of doc.rows) expect(committedIndex).toContain(normalizeForCheck(row));
      // the matrix derivation's page: each step checked at four random dimensions
      if (def.name === 'multivariate-normal') expect(doc.text).toMatch(/at 4 random points \(d = [\d, ]+\)/);
    });
  }
});
