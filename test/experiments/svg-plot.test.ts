/**
 * The loss plot read back from its SVG: 20 series stay distinguishable,
 * axis ticks are 1-2-5 multiples (integers for iterations) and the iteration
 * axis ends at the budget, titles print numbers as written, and the target
 * line sits on the y axis's own scale (offset subtracted).
 */
import { describe, expect, test } from 'vitest';
import { formatNumber, linearTicks, logTicks, lossPlotSvg, type LossPlotOptions, PALETTE, seriesStyle } from '../../src/experiments/svg-plot.js';
import type { TrainRecord } from '../../src/optim/train.js';
import { xmlProblem } from './svg-well-formed.js';

/** CIELAB of an sRGB hex colour (D65). */
function lab(hex: string): [number, number, number] {
  const lin = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const [r, g, b] = [1, 3, 5].map((i) => lin(parseInt(hex.slice(i, i + 2), 16) / 255));
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  const X = f((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047);
  const Y = f(0.2126 * r + 0.7152 * g + 0.0722 * b);
  const Z = f((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883);
  return [116 * Y - 16, 500 * (X - Y), 200 * (Y - Z)];
}
/** The smallest CIE76 distance between two of the colours. */
function minDeltaE(colours: readonly string[]): number {
  let min = Infinity;
  colours.forEach((a, i) =>
    colours.slice(0, i).forEach((b) => {
      const p = lab(a);
      const q = lab(b);
      min = Math.min(min, Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]));
    }),
  );
  return min;
}

const history = (n: number, lossAt: (i: number) => number, msPerStep = 10): TrainRecord[] =>
  Array.from({ length: n + 1 }, (_, i) => ({ iteration: i, loss: lossAt(i), gradientNorm: 1, timeMs: msPerStep * i }));

/** Text contents of the elements of a class, in document order. */
const texts = (svg: string, cls: string): string[] => [...svg.matchAll(new RegExp(`<text class="${cls}"[^>]*>([^<]*)</text>`, 'g'))].map((m) => m[1]);
/** The attributes of the elements with a tag name. */
const elements = (svg: string, tag: string): Record<string, string>[] =>
  [...svg.matchAll(new RegExp(`<${tag} ([^>]*)/?>`, 'g'))].map((m) => Object.fromEntries([...m[1].matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])));
/** Whether v is 1, 2 or 5 times a power of ten (or 0). */
const isOneTwoFive = (v: number): boolean =>
  v === 0 || [1, 2, 5].some((m) => Math.abs(Math.log10(Math.abs(v) / m) - Math.round(Math.log10(Math.abs(v) / m))) < 1e-9);

function plot(o: Partial<LossPlotOptions> & Pick<LossPlotOptions, 'series'>): string {
  const svg = lossPlotSvg({ title: 't', ...o });
  expect(xmlProblem(svg)).toBeNull();
  return svg;
}

describe('20 series stay distinguishable', () => {
  const series = Array.from({ length: 20 }, (_, i) => ({ name: `opt${i}`, history: history(10, (k) => 1 / (k + 1 + i)) }));
  const svg = plot({ series });
  const lines = elements(svg, 'polyline');

  test('20 polylines per panel, each (colour, dash) pair different, all 20 colours at least ΔE76 = 29 apart, none black like the target line', () => {
    expect(lines).toHaveLength(40);
    const styles = lines.slice(0, 20).map((l) => `${l.stroke}|${l['stroke-dasharray'] ?? ''}`);
    expect(new Set(styles).size).toBe(20);
    const colours = lines.slice(0, 20).map((l) => l.stroke);
    expect(new Set(colours).size).toBe(20);
    expect(minDeltaE(colours)).toBeGreaterThanOrEqual(29);
    expect(colours).not.toContain('#000000');
    // the legend shows the same styles in the same order
    const legendLines = elements(svg, 'line').filter((l) => l['stroke-width'] === '3');
    expect(legendLines.map((l) => l.stroke)).toEqual(colours);
  });

  test('series after the tenth are dashed, the first ten solid', () => {
    expect(lines.slice(0, 10).every((l) => l['stroke-dasharray'] === undefined)).toBe(true);
    expect(lines.slice(10, 20).every((l) => l['stroke-dasharray'] !== undefined)).toBe(true);
    expect(seriesStyle(3).stroke).toBe(PALETTE[3]);
  });

  test('sensitivity: the former 12-colour palette repeats within 20 series (sgd and the 13th series both blue)', () => {
    const former = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf', '#000000', '#aec7e8'];
    const cycled = Array.from({ length: 20 }, (_, i) => former[i % former.length]);
    expect(new Set(cycled).size).toBeLessThan(20);
    expect(minDeltaE(cycled)).toBe(0);
  });
});

describe('axis ticks', () => {
  test('a budget of 150: iteration ticks 0, 50, 100, 150 and the axis ends at 150, not 200', () => {
    const svg = plot({ series: [{ name: 'a', history: history(150, (k) => 1 / (k + 1)) }] });
    const xTicks = texts(svg, 'x-tick');
    const iterTicks = xTicks.slice(0, xTicks.indexOf('0', 1));
    expect(iterTicks).toEqual(['0', '50', '100', '150']);
    // the last tick sits on the right edge of the panel's frame
    const frame = elements(svg, 'rect')[1];
    const tickLines = elements(svg, 'line').filter((l) => l.y2 !== l.y1 && l.x1 === l.x2);
    const right = Number(frame.x) + Number(frame.width);
    expect(Number(tickLines[3].x1)).toBeCloseTo(right, 2);
  });

  test('iteration ticks are integers for any budget; time ticks are 1-2-5 multiples', () => {
    for (const n of [3, 4, 7, 12, 45, 150, 300, 500, 1000]) {
      const ticks = linearTicks(0, n, true);
      expect(ticks.every(Number.isInteger)).toBe(true);
      expect(ticks.at(-1)).toBeLessThanOrEqual(n);
      expect(ticks.length).toBeGreaterThanOrEqual(3);
      expect(ticks.length).toBeLessThanOrEqual(6);
      expect(isOneTwoFive(ticks[1] - ticks[0])).toBe(true);
    }
    const svg = plot({ series: [{ name: 'a', history: history(150, (k) => 1 / (k + 1), 95.3) }] });
    const timeTicks = texts(svg, 'x-tick').slice(4).map(Number);
    expect(timeTicks).toEqual([0, 5, 10]);
    expect(isOneTwoFive(timeTicks[1] - timeTicks[0])).toBe(true);
  });

  test('sensitivity: splitting the axis into quarters (the former ticks) gives 12.5 on a 50-wide axis', () => {
    const quarters = [0, 1, 2, 3, 4].map((k) => (50 * k) / 4);
    expect(quarters.every(Number.isInteger)).toBe(false);
    expect(isOneTwoFive(quarters[1] - quarters[0])).toBe(false);
  });

  test('log ticks: 1-2-5 within two decades, each decade up to eight, every nice k-th decade beyond', () => {
    expect(logTicks(0, 1)).toEqual([1, 2, 5, 10]);
    expect(logTicks(-2, 0)).toEqual([0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1]);
    expect(logTicks(-3, 1)).toEqual([0.001, 0.01, 0.1, 1, 10]);
    expect(logTicks(-10, 1)).toEqual([1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1]);
    const svg = plot({ series: [{ name: 'a', history: history(10, (k) => 1.4 + 0.6 * k) }] });
    expect(texts(svg, 'y-tick').slice(0, 4)).toEqual(['1', '2', '5', '10']);
  });
});

describe('honest text', () => {
  test("the target prints as written: 'target 0.01', not 'target 0.0100000'; the title is the caller's, unchanged", () => {
    const svg = plot({ title: 'mlp-digits (target 0.01), 1.50', series: [{ name: 'a', history: history(5, (k) => 1 / (k + 1)) }], targetLoss: 0.01 });
    expect(texts(svg, 'title')).toEqual(['mlp-digits (target 0.01), 1.50']);
    expect(texts(svg, 'legend-target')).toEqual(['target 0.01']);
  });

  test("the time panel's axis says wall time unless the caller names another clock", () => {
    const series = [{ name: 'a', history: history(5, (k) => 1 / (k + 1)) }];
    expect(plot({ series })).toContain('>wall time (s)<');
    const cpu = plot({ series, timeLabel: 'CPU time (s)' });
    expect(cpu).toContain('>CPU time (s)<');
    expect(cpu).not.toContain('wall time');
  });

  test('formatNumber: shortest reading, exponent form for tiny and huge numbers', () => {
    expect([0.01, 0.0100000001, 150, 12.5, 1e-4, 2.5e-7, 1e6, 60.31239, 0, -0.5].map((v) => formatNumber(v))).toEqual([
      '0.01',
      '0.01',
      '150',
      '12.5',
      '1e-4',
      '2.5e-7',
      '1e6',
      '60.3124',
      '0',
      '-0.5',
    ]);
  });
});

describe("the target line is on the y axis's scale", () => {
  const offset = 58.8124;
  const target = offset + 1.5;
  const svg = plot({
    series: [{ name: 'ae', history: history(20, (k) => offset + 8 / (k + 1)) }],
    targetLoss: target,
    offset,
    yLabel: 'half squared error per image',
  });

  test('with an offset the line is drawn at target - offset (1.5), where the tick labels put 1.5, and the legend says so', () => {
    const yTicks = elements(svg, 'text').filter((t) => t.class === 'y-tick');
    const labels = texts(svg, 'y-tick');
    const yOf = (label: string) => Number(yTicks[labels.indexOf(label)].y) - 4;
    const line = elements(svg, 'line').find((l) => l.class === 'target')!;
    const expected = yOf('1') + (yOf('10') - yOf('1')) * Math.log10(1.5);
    expect(Number(line.y1)).toBeCloseTo(expected, 1);
    expect(texts(svg, 'legend-target')).toEqual(['target 1.5 (loss 60.3124)']);
  });

  test('sensitivity: the line at the raw target (60.3) would lie outside the axis range', () => {
    const labels = texts(svg, 'y-tick').map(Number);
    expect(Math.max(...labels)).toBeLessThan(target);
  });
});
