/**
 * A hand-written SVG of histograms of values in [0, 1] (p-values), one panel
 * per series stacked vertically, each with the count a uniform distribution
 * expects as a dashed black line. Like svg-plot.ts, the text depends only on
 * the data (fixed layout, the same palette, numbers printed to fixed
 * precision), so a re-run with the same data gives the same file.
 */
import { formatNumber, linearTicks, PALETTE } from './svg-plot.js';

export interface HistogramPanel {
  /** the panel's title (a check id) */
  label: string;
  /** counts per equal cell of [0, 1] */
  counts: readonly number[];
  /** a line of notes under the title (test results) */
  note?: string;
}

const W = 560;
const H = 190;
const M = { left: 56, right: 16, top: 44, bottom: 40 };

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function panel(p: HistogramPanel, index: number, top: number): string {
  const bins = p.counts.length;
  const total = p.counts.reduce((a, b) => a + b, 0);
  const expected = total / bins;
  const highest = Math.max(...p.counts, expected);
  const ticks = linearTicks(0, highest * 1.1, true);
  // the axis ends at a tick at or above the highest bar
  if (ticks[ticks.length - 1] < highest) ticks.push(ticks[ticks.length - 1] + (ticks[1] - ticks[0]));
  const yMax = ticks[ticks.length - 1];
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (u: number): number => M.left + u * pw;
  const y = (c: number): number => top + M.top + ph - (c / yMax) * ph;
  const out: string[] = [];
  out.push(`<text x="${M.left}" y="${top + 18}" font-size="13" font-weight="bold">${esc(p.label)}</text>`);
  if (p.note) out.push(`<text x="${M.left}" y="${top + 34}" font-size="11">${esc(p.note)}</text>`);
  const colour = PALETTE[index % PALETTE.length];
  p.counts.forEach((c, k) => {
    const x0 = x(k / bins);
    const x1 = x((k + 1) / bins);
    out.push(
      `<rect x="${formatNumber(x0, 6)}" y="${formatNumber(y(c), 6)}" width="${formatNumber(x1 - x0 - 1, 6)}" height="${formatNumber(y(0) - y(c), 6)}" ` +
        `fill="${colour}" fill-opacity="0.75"/>`,
    );
  });
  out.push(`<line x1="${x(0)}" y1="${formatNumber(y(expected), 6)}" x2="${x(1)}" y2="${formatNumber(y(expected), 6)}" stroke="#000" stroke-dasharray="6,3"/>`);
  out.push(`<line x1="${x(0)}" y1="${formatNumber(y(0), 6)}" x2="${x(1)}" y2="${formatNumber(y(0), 6)}" stroke="#000"/>`);
  out.push(`<line x1="${x(0)}" y1="${formatNumber(y(0), 6)}" x2="${x(0)}" y2="${formatNumber(y(yMax), 6)}" stroke="#000"/>`);
  for (const t of ticks) out.push(`<text x="${x(0) - 6}" y="${formatNumber(y(t) + 4, 6)}" font-size="11" text-anchor="end">${formatNumber(t)}</text>`);
  for (let k = 0; k <= 10; k += 2)
    out.push(`<text x="${formatNumber(x(k / 10), 6)}" y="${formatNumber(y(0) + 16, 6)}" font-size="11" text-anchor="middle">${formatNumber(k / 10)}</text>`);
  out.push(
    `<text x="${formatNumber(x(0.5), 6)}" y="${formatNumber(y(0) + 32, 6)}" font-size="11" text-anchor="middle">p-value (dashed: the count of a ` +
      `uniform distribution)</text>`,
  );
  return out.join('\n');
}

/** The panels stacked vertically under a title. */
export function histogramSvg(title: string, panels: readonly HistogramPanel[]): string {
  const height = 30 + panels.length * H;
  const body = panels.map((p, i) => panel(p, i, 30 + i * H)).join('\n');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="sans-serif">\n<rect ` +
    `width="100%" height="100%" fill="#fff"/>\n<text x="${W / 2}" y="20" font-size="14" text-anchor="middle">${esc(title)}</text>\n${body}\n</svg>\n`
  );
}
