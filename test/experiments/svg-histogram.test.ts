import { describe, expect, test } from 'vitest';
import { histogramSvg } from '../../src/experiments/svg-histogram.js';
import { xmlProblem } from './svg-well-formed.js';

describe('the p-value histogram', () => {
  test('is well-formed, deterministic, and every bar stays inside its panel (the axis reaches the highest bar)', () => {
    // 128 is above the last tick (100) that the 1.1 head-room alone would give
    const counts = [91, 100, 111, 95, 88, 104, 106, 108, 87, 101, 118, 104, 128, 99, 91, 100, 82, 92, 101, 94];
    const svg = histogramSvg('title <&>', [
      { label: 'a', counts, note: 'n' },
      { label: 'b', counts: [1, 2] },
    ]);
    expect(xmlProblem(svg)).toBeNull();
    expect(svg).toContain('title &lt;&amp;&gt;');
    expect(
      histogramSvg('title <&>', [
        { label: 'a', counts, note: 'n' },
        { label: 'b', counts: [1, 2] },
      ]),
    ).toBe(svg);
    const bars = [...svg.matchAll(/<rect x="[^"]+" y="([^"]+)" width="[^"]+" height="([^"]+)" fill="#1f77b4"/g)].map((m) => Number(m[1]));
    expect(bars).toHaveLength(20);
    // panel 0 plots from y = 30 + 44 = 74 (its top) down to 180
    for (const y of bars) expect(y).toBeGreaterThanOrEqual(74);
  });
});
