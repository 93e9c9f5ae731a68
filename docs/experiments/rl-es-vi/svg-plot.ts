/** A minimal hand-written SVG line plot (no dependencies) for the experiment notes. */
export interface Series {
  name: string;
  points: [number, number][];
}

export interface PlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  logX?: boolean;
  logY?: boolean;
  series: Series[];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#17becf'];

function ticks(lo: number, hi: number, log: boolean): number[] {
  if (log) {
    const step = Math.max(1, Math.ceil((Math.ceil(hi) - Math.floor(lo)) / 8));
    const out: number[] = [];
    for (let e = Math.floor(lo / step) * step; e <= Math.ceil(hi); e += step) out.push(e);
    return out;
  }
  const step = 10 ** Math.floor(Math.log10((hi - lo) / 5 || 1));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => (hi - lo) / s <= 8) ?? 10 * step;
  const out: number[] = [];
  for (let t = Math.ceil(lo / nice) * nice; t <= hi + 1e-12; t += nice) out.push(t);
  return out;
}

const fmt = (v: number, log: boolean): string => (log ? `1e${v}` : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v !== 0) ? v.toExponential(0) : String(+v.toPrecision(4)));

/** Renders the plot; non-finite points and (on log axes) non-positive values are skipped. */
export function linePlot(o: PlotOptions): string {
  const W = 640;
  const H = 400;
  const m = { l: 70, r: 170, t: 36, b: 50 };
  const tx = (v: number): number => (o.logX ? Math.log10(v) : v);
  const ty = (v: number): number => (o.logY ? Math.log10(v) : v);
  const ok = ([x, y]: [number, number]): boolean => Number.isFinite(x) && Number.isFinite(y) && (!o.logX || x > 0) && (!o.logY || y > 0);
  const pts = o.series.map((s) => s.points.filter(ok).map(([x, y]) => [tx(x), ty(y)] as [number, number]));
  const all = pts.flat();
  let [x0, x1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  let [y0, y1] = [Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) y1 = y0 + 1;
  const pad = 0.03 * (y1 - y0);
  y0 -= pad;
  y1 += pad;
  const X = (v: number): number => m.l + ((v - x0) / (x1 - x0)) * (W - m.l - m.r);
  const Y = (v: number): number => H - m.b - ((v - y0) / (y1 - y0)) * (H - m.t - m.b);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(`<text x="${(W - m.r + m.l) / 2}" y="20" text-anchor="middle" font-size="14">${o.title}</text>`);
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#444"/>`);
  for (const t of ticks(x0, x1, !!o.logX)) {
    if (t < x0 - 1e-9 || t > x1 + 1e-9) continue;
    parts.push(`<line x1="${X(t)}" y1="${H - m.b}" x2="${X(t)}" y2="${m.t}" stroke="#eee"/><text x="${X(t)}" y="${H - m.b + 16}" text-anchor="middle">${fmt(t, !!o.logX)}</text>`);
  }
  for (const t of ticks(y0, y1, !!o.logY)) {
    if (t < y0 - 1e-9 || t > y1 + 1e-9) continue;
    parts.push(`<line x1="${m.l}" y1="${Y(t)}" x2="${W - m.r}" y2="${Y(t)}" stroke="#eee"/><text x="${m.l - 6}" y="${Y(t) + 4}" text-anchor="end">${fmt(t, !!o.logY)}</text>`);
  }
  parts.push(`<text x="${(W - m.r + m.l) / 2}" y="${H - 12}" text-anchor="middle">${o.xLabel}</text>`);
  parts.push(`<text transform="translate(16 ${(H - m.b + m.t) / 2}) rotate(-90)" text-anchor="middle">${o.yLabel}</text>`);
  pts.forEach((p, i) => {
    if (p.length === 0) return;
    const c = COLORS[i % COLORS.length];
    parts.push(`<polyline fill="none" stroke="${c}" stroke-width="1.8" points="${p.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ')}"/>`);
    parts.push(`<line x1="${W - m.r + 10}" y1="${m.t + 10 + 18 * i}" x2="${W - m.r + 30}" y2="${m.t + 10 + 18 * i}" stroke="${c}" stroke-width="2"/><text x="${W - m.r + 35}" y="${m.t + 14 + 18 * i}">${o.series[i].name}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
