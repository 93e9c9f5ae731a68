/**
 * A hand-written SVG of training curves: loss against iterations (left) and
 * against wall time (right), log-scale y, one polyline per optimizer, the
 * target as a dashed line. The text depends only on the data (fixed palette,
 * fixed layout, numbers printed to fixed precision), so a re-run with the same
 * data gives the same file.
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
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf', '#000000', '#aec7e8'];
const PANEL_W = 420;
const PANEL_H = 300;
const MARGIN = { left: 64, right: 16, top: 40, bottom: 48 };
const LEGEND_W = 230;
/** Below this the log axis stops: gaps smaller than rounding error carry no information. */
const FLOOR = 1e-12;

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (v: number): string => (Math.round(v * 100) / 100).toFixed(2);

function tickLabel(e: number): string {
  return e >= -2 && e <= 3 ? String(Number((10 ** e).toPrecision(1))) : `1e${e}`;
}

interface Axis {
  min: number;
  max: number;
}

function niceLinearMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function panel(
  x0: number,
  xTitle: string,
  xs: (r: TrainRecord) => number,
  xAxis: Axis,
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
  for (let e = Math.ceil(yAxis.min); e <= Math.floor(yAxis.max); e++) {
    const y = py(10 ** e);
    parts.push(`<line x1="${fmt(left)}" y1="${fmt(y)}" x2="${fmt(left + w)}" y2="${fmt(y)}" stroke="#ddd"/>`);
    parts.push(`<text x="${fmt(left - 6)}" y="${fmt(y + 4)}" text-anchor="end" font-size="11">${tickLabel(e)}</text>`);
  }
  for (let k = 0; k <= 4; k++) {
    const xv = xAxis.min + ((xAxis.max - xAxis.min) * k) / 4;
    const x = px(xv);
    parts.push(`<line x1="${fmt(x)}" y1="${fmt(top + h)}" x2="${fmt(x)}" y2="${fmt(top + h + 4)}" stroke="#444"/>`);
    parts.push(`<text x="${fmt(x)}" y="${fmt(top + h + 18)}" text-anchor="middle" font-size="11">${esc(String(Number(xv.toPrecision(3))))}</text>`);
  }
  parts.push(`<text x="${fmt(left + w / 2)}" y="${fmt(top + h + 38)}" text-anchor="middle" font-size="12">${esc(xTitle)}</text>`);
  parts.push(
    `<text x="${fmt(x0 + 14)}" y="${fmt(top + h / 2)}" text-anchor="middle" font-size="12" transform="rotate(-90 ${fmt(x0 + 14)} ${fmt(top + h / 2)})">${esc(o.yLabel ?? 'training loss')}</text>`,
  );
  if (o.targetLoss !== undefined && o.targetLoss - offset > 0) {
    const y = py(o.targetLoss - offset);
    parts.push(`<line x1="${fmt(left)}" y1="${fmt(y)}" x2="${fmt(left + w)}" y2="${fmt(y)}" stroke="#000" stroke-dasharray="5,4"/>`);
  }
  o.series.forEach((s, i) => {
    const pts = s.history
      .filter((r) => Number.isFinite(r.loss))
      .map((r) => `${fmt(px(xs(r)))},${fmt(py(r.loss - offset))}`)
      .join(' ');
    if (pts) parts.push(`<polyline fill="none" stroke="${PALETTE[i % PALETTE.length]}" stroke-width="1.5" points="${pts}"/>`);
  });
  return parts.join('\n');
}

/** The two-panel SVG document of the training curves. */
export function lossPlotSvg(o: LossPlotOptions): string {
  const offset = o.offset ?? 0;
  const finite = o.series.flatMap((s) => s.history.filter((r) => Number.isFinite(r.loss)));
  const logs = finite.map((r) => Math.log10(Math.max(r.loss - offset, FLOOR)));
  if (o.targetLoss !== undefined && o.targetLoss - offset > 0) logs.push(Math.log10(o.targetLoss - offset));
  const yAxis: Axis = logs.length > 0 ? { min: Math.floor(Math.min(...logs)), max: Math.ceil(Math.max(...logs)) } : { min: -1, max: 1 };
  if (yAxis.max === yAxis.min) yAxis.max = yAxis.min + 1;
  const maxIt = niceLinearMax(Math.max(1, ...finite.map((r) => r.iteration)));
  const maxTime = niceLinearMax(Math.max(1e-3, ...finite.map((r) => r.timeMs / 1000)));
  const width = 2 * PANEL_W + LEGEND_W;
  const height = Math.max(PANEL_H, MARGIN.top + 20 * o.series.length + 20);
  const legend = o.series
    .map((s, i) => {
      const y = MARGIN.top + 10 + 20 * i;
      const x = 2 * PANEL_W + 10;
      return `<line x1="${x}" y1="${y}" x2="${x + 24}" y2="${y}" stroke="${PALETTE[i % PALETTE.length]}" stroke-width="3"/>\n<text x="${x + 30}" y="${y + 4}" font-size="12">${esc(s.name)}</text>`;
    })
    .join('\n');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${esc(o.title)}</text>`,
    panel(0, 'iterations', (r) => r.iteration, { min: 0, max: maxIt }, yAxis, o, offset),
    panel(PANEL_W, 'wall time (s)', (r) => r.timeMs / 1000, { min: 0, max: maxTime }, yAxis, o, offset),
    legend,
    '</svg>',
    '',
  ].join('\n');
}
