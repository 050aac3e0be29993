/**
 * A dependency-free SVG line chart for docs/benchmarks.md (throughput vs record size, latency
 * percentiles vs load). Plain SVG 1.1 so it renders on GitHub and in any browser.
 */
export interface Series {
  name: string;
  points: [number, number][];
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  logX?: boolean;
  logY?: boolean;
  width?: number;
  height?: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

function niceTicks(lo: number, hi: number, log: boolean): number[] {
  if (log) {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(10 ** e);
    return out;
  }
  const span = hi - lo || 1;
  const step = 10 ** Math.floor(Math.log10(span / 5));
  const mult = [1, 2, 5, 10].find((m) => span / (m * step) <= 6) ?? 10;
  const s = mult * step;
  const out: number[] = [];
  for (let v = Math.floor(lo / s) * s; v <= hi + s / 2; v += s) out.push(+v.toPrecision(6));
  return out;
}

const label = (v: number) => (v >= 1e6 ? `${v / 1e6}M` : v >= 1e3 ? `${v / 1e3}k` : String(v));
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function lineChart(o: ChartOptions): string {
  const W = o.width ?? 640;
  const H = o.height ?? 360;
  const m = { l: 64, r: 170, t: 36, b: 48 };
  const pts = o.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const xt = niceTicks(Math.min(...xs), Math.max(...xs), !!o.logX);
  const yt = niceTicks(o.logY ? Math.min(...ys) : 0, Math.max(...ys), !!o.logY);
  const [x0, x1, y0, y1] = [xt[0]!, xt[xt.length - 1]!, yt[0]!, yt[yt.length - 1]!];
  const tx = (v: number) => (o.logX ? Math.log10(v / x0) / Math.log10(x1 / x0) : (v - x0) / (x1 - x0 || 1));
  const ty = (v: number) => (o.logY ? Math.log10(v / y0) / Math.log10(y1 / y0) : (v - y0) / (y1 - y0 || 1));
  const px = (v: number) => m.l + tx(v) * (W - m.l - m.r);
  const py = (v: number) => H - m.b - ty(v) * (H - m.t - m.b);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2 - m.r / 2}" y="20" text-anchor="middle" font-size="13">${esc(o.title)}</text>`,
  ];
  for (const v of xt) {
    out.push(`<line x1="${px(v)}" x2="${px(v)}" y1="${m.t}" y2="${H - m.b}" stroke="#eee"/>`);
    out.push(`<text x="${px(v)}" y="${H - m.b + 14}" text-anchor="middle">${label(v)}</text>`);
  }
  for (const v of yt) {
    out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${py(v)}" y2="${py(v)}" stroke="#eee"/>`);
    out.push(`<text x="${m.l - 6}" y="${py(v) + 4}" text-anchor="end">${label(v)}</text>`);
  }
  out.push(
    `<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#888"/>`,
  );
  out.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 12}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  out.push(
    `<text transform="translate(16 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`,
  );
  o.series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length]!;
    const p = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)).sort((a, b) => a[0] - b[0]);
    if (p.length > 1)
      out.push(
        `<polyline fill="none" stroke="${c}" stroke-width="2" points="${p.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`,
      );
    for (const [x, y] of p) out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${c}"/>`);
    const ly = m.t + 8 + i * 18;
    out.push(`<line x1="${W - m.r + 10}" x2="${W - m.r + 28}" y1="${ly}" y2="${ly}" stroke="${c}" stroke-width="2"/>`);
    out.push(`<text x="${W - m.r + 32}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
