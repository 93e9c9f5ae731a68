/**
 * A hand-written SVG of training curves: loss against iterations (left) and
 * against wall time (right), log-scale y, one polyline per optimizer, the
 * target as a dashed black line labelled in the y axis's own units. The text
 * depends only on the data (fixed palette, fixed layout, numbers printed to
 * fixed precision), so a re-run with the same data gives the same file.
 *
 * Axes: the iteration axis ends at the last iteration run (the budget, when
 * a run used all of it), the time axis at the longest run; ticks are the
 * multiples of 1, 2 or 5 times a power of ten (integers on the iteration
 * axis); the log axis has a tick per decade, or at 1, 2 and 5 times each
 * power of ten when it spans at most two decades, or every 2nd, 5th, ...
 * decade when it spans more than eight.
 * Series: 20 colours chosen for a minimum pairwise CIELAB distance of 29
 * (ΔE76; Tableau 10 alone has 27.7), none of them black (the target line's
 * colour), the series after the tenth also dashed, so no two of the first 20
 * look alike.
 */
import type { TrainRecord } from '../optim/train.js';

export interface PlotSeries {
  name: string;
  history: readonly TrainRecord[];
}

export interface LossPlotOptions {
  title: string;
  series: readonly PlotSeries[];
  /** Drawn as a dashed horizontal line (before the offset is subtracted). */
  targetLoss?: number;
  /** Subtracted from every loss before plotting (e.g. the known minimum), so a log axis shows the gap [0]. */
  offset?: number;
  /** Label of the y axis ['training loss']. */
  yLabel?: string;
  /** End of the iteration axis [the last iteration in the data]. */
  iterations?: number;
  /** Label of the right panel's x axis, the records' timeMs in seconds ['wall time (s)']. */
  timeLabel?: string;
}

/**
 * Greedy max-min selection in CIELAB from Tableau 10, Kelly's colours of
 * maximum contrast and ColorBrewer's Set1/Dark2, leaving out light colours
 * (L* > 82, faint on white) and black (kept for the target line); minimum
 * pairwise ΔE76 = 29.1.
 */
export const PALETTE: readonly string[] = [
  '#1f77b4',
  '#ff7f0e',
  '#006400',
  '#be0032',
  '#604e97',
  '#654522',
  '#e377c2',
  '#999999',
  '#808000',
  '#00ced1',
  '#2f4f4f',
  '#f3c300',
  '#000080',
  '#9acd32',
  '#f99379',
  '#ff00ff',
  '#1b9e77',
  '#c2b280',
  '#a1caf1',
  '#ff1493',
];
/** Dash pattern of each block of ten series ('' = solid). */
export const DASHES: readonly string[] = ['', '6,3', '2,2', '9,3,2,3'];

/** Colour and dash pattern of series i. */
export function seriesStyle(i: number): { stroke: string; dash: string } {
  return { stroke: PALETTE[i % PALETTE.length], dash: DASHES[Math.floor(i / 10) % DASHES.length] };
}

const PANEL_W = 420;
const PANEL_H = 300;
const MARGIN = { left: 64, right: 16, top: 40, bottom: 48 };
const LEGEND_W = 230;
/** Below this the log axis stops: gaps smaller than rounding error carry no information. */
const FLOOR = 1e-12;
/** At most this many ticks on a linear axis. */
const MAX_TICKS = 6;

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (v: number): string => (Math.round(v * 100) / 100).toFixed(2);

/**
 * A number as a reader writes it: at most `digits` significant digits, no
 * trailing zeros, exponent form (1e-4, 2.5e-7) below 1e-3 and from 1e6 on.
 */
export function formatNumber(v: number, digits = 6): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e6) {
    const [mantissa, exponent] = v.toExponential(digits - 1).split('e');
    return `${trimZeros(mantissa)}e${Number(exponent)}`;
  }
  return trimZeros(v.toPrecision(digits));
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** The smallest step 1, 2 or 5 times a power of ten (at least `minStep`) giving at most MAX_TICKS - 1 intervals over `span`. */
export function niceStep(span: number, minStep = 0): number {
  if (!(span > 0)) return Math.max(1, minStep);
  const raw = span / (MAX_TICKS - 1);
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw && m * p >= minStep) return m * p;
  return 10 * p;
}

/** Multiples of the nice step within [min, max]; integers only when `integer`. */
export function linearTicks(min: number, max: number, integer = false): number[] {
  const step = niceStep(max - min, integer ? 1 : 0);
  const ticks: number[] = [];
  for (let k = Math.ceil(min / step - 1e-9); k * step <= max * (1 + 1e-12) + 1e-12; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

/** Ticks of a log axis from 10^lo to 10^hi (integer exponents). */
export function logTicks(lo: number, hi: number): number[] {
  const decades = hi - lo;
  if (decades <= 2) {
    const out: number[] = [];
    for (let e = lo; e <= hi; e++) for (const m of [1, 2, 5]) if (e < hi || m === 1) out.push(Number((m * 10 ** e).toPrecision(12)));
    return out;
  }
  const every = [1, 2, 5, 10, 20, 50].find((k) => decades / k <= 8) ?? 100;
  const out: number[] = [];
  for (let e = Math.ceil(lo / every) * every; e <= hi; e += every) out.push(Number((10 ** e).toPrecision(12)));
  return out;
}

interface Axis {
  min: number;
  max: number;
}

function panel(
  x0: number,
  xTitle: string,
  xs: (r: TrainRecord) => number,
  xAxis: Axis & { integer: boolean },
  yAxis: Axis,
  o: LossPlotOptions,
  offset: number,
): string {
  const left = x0 + MARGIN.left;
  const top = MARGIN.top;
  const w = PANEL_W - MARGIN.left - MARGIN.right;
  const h = PANEL_H - MARGIN.top - MARGIN.bottom;
  const px = (x: number) => left + ((x - xAxis.min) / (xAxis.max - xAxis.min || 1)) * w;
  const py = (y: number) => {
    const ly = Math.log10(Math.max(y, FLOOR));
    return top + h - ((ly - yAxis.min) / (yAxis.max - yAxis.min || 1)) * h;
  };
  const parts: string[] = [];
  parts.push(`<rect x="${fmt(left)}" y="${fmt(top)}" width="${fmt(w)}" height="${fmt(h)}" fill="none" stroke="#444"/>`);
  for (const t of logTicks(yAxis.min, yAxis.max)) {
    const y = py(t);
    parts.push(`<line x1="${fmt(left)}" y1="${fmt(y)}" x2="${fmt(left + w)}" y2="${fmt(y)}" stroke="#ddd"/>`);
    parts.push(`<text class="y-tick" x="${fmt(left - 6)}" y="${fmt(y + 4)}" text-anchor="end" font-size="11">${formatNumber(t)}</text>`);
  }
  for (const xv of linearTicks(xAxis.min, xAxis.max, xAxis.integer)) {
    const x = px(xv);
    parts.push(`<line x1="${fmt(x)}" y1="${fmt(top + h)}" x2="${fmt(x)}" y2="${fmt(top + h + 4)}" stroke="#444"/>`);
    parts.push(`<text class="x-tick" x="${fmt(x)}" y="${fmt(top + h + 18)}" text-anchor="middle" font-size="11">${formatNumber(xv)}</text>`);
  }
  parts.push(`<text class="x-label" x="${fmt(left + w / 2)}" y="${fmt(top + h + 38)}" text-anchor="middle" font-size="12">${esc(xTitle)}</text>`);
  parts.push(
    `<text x="${fmt(x0 + 14)}" y="${fmt(top + h / 2)}" text-anchor="middle" font-size="12" transform="rotate(-90 ${fmt(x0 + 14)} ${fmt(top + h / 2)})">${esc(o.yLabel ?? 'training loss')}</text>`,
  );
  if (o.targetLoss !== undefined && o.targetLoss - offset > 0) {
    const y = py(o.targetLoss - offset);
    parts.push(`<line class="target" x1="${fmt(left)}" y1="${fmt(y)}" x2="${fmt(left + w)}" y2="${fmt(y)}" stroke="#000" stroke-dasharray="5,4"/>`);
  }
  o.series.forEach((s, i) => {
    const pts = s.history
      .filter((r) => Number.isFinite(r.loss))
      .map((r) => `${fmt(px(xs(r)))},${fmt(py(r.loss - offset))}`)
      .join(' ');
    const { stroke, dash } = seriesStyle(i);
    if (pts) parts.push(`<polyline fill="none" stroke="${stroke}"${dash ? ` stroke-dasharray="${dash}"` : ''} stroke-width="1.5" points="${pts}"/>`);
  });
  return parts.join('\n');
}

/** The legend: one line sample per series, then the target in the y axis's units. */
function legend(o: LossPlotOptions, offset: number): string {
  const x = 2 * PANEL_W + 10;
  const rows = o.series.map((s, i) => {
    const y = MARGIN.top + 10 + 20 * i;
    const { stroke, dash } = seriesStyle(i);
    return `<line x1="${x}" y1="${y}" x2="${x + 24}" y2="${y}" stroke="${stroke}"${dash ? ` stroke-dasharray="${dash}"` : ''} stroke-width="3"/>\n<text class="legend" x="${x + 30}" y="${y + 4}" font-size="12">${esc(s.name)}</text>`;
  });
  if (o.targetLoss !== undefined && o.targetLoss - offset > 0) {
    const y = MARGIN.top + 10 + 20 * o.series.length;
    const inAxisUnits = formatNumber(o.targetLoss - offset, 4);
    const label = offset === 0 ? `target ${inAxisUnits}` : `target ${inAxisUnits} (loss ${formatNumber(o.targetLoss, 6)})`;
    rows.push(
      `<line x1="${x}" y1="${y}" x2="${x + 24}" y2="${y}" stroke="#000" stroke-dasharray="5,4"/>\n<text class="legend-target" x="${x + 30}" ` +
        `y="${y + 4}" font-size="12">${esc(label)}</text>`,
    );
  }
  return rows.join('\n');
}

/** The two-panel SVG document of the training curves. */
export function lossPlotSvg(o: LossPlotOptions): string {
  const offset = o.offset ?? 0;
  const finite = o.series.flatMap((s) => s.history.filter((r) => Number.isFinite(r.loss)));
  const logs = finite.map((r) => Math.log10(Math.max(r.loss - offset, FLOOR)));
  if (o.targetLoss !== undefined && o.targetLoss - offset > 0) logs.push(Math.log10(o.targetLoss - offset));
  const yAxis: Axis = logs.length > 0 ? { min: Math.floor(Math.min(...logs)), max: Math.ceil(Math.max(...logs)) } : { min: -1, max: 1 };
  if (yAxis.max === yAxis.min) yAxis.max = yAxis.min + 1;
  const maxIt = o.iterations ?? Math.max(1, ...finite.map((r) => r.iteration));
  const maxTime = Math.max(1e-3, ...finite.map((r) => r.timeMs / 1000));
  const width = 2 * PANEL_W + LEGEND_W;
  const legendRows = o.series.length + (o.targetLoss !== undefined ? 1 : 0);
  const height = Math.max(PANEL_H, MARGIN.top + 20 * legendRows + 20);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`,
    `<text class="title" x="${width / 2}" y="20" text-anchor="middle" font-size="14">${esc(o.title)}</text>`,
    panel(0, 'iterations', (r) => r.iteration, { min: 0, max: maxIt, integer: true }, yAxis, o, offset),
    panel(PANEL_W, o.timeLabel ?? 'wall time (s)', (r) => r.timeMs / 1000, { min: 0, max: maxTime, integer: false }, yAxis, o, offset),
    legend(o, offset),
    '</svg>',
    '',
  ].join('\n');
}
