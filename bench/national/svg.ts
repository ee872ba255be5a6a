/**
 * Line charts as plain SVG text, no dependency: cost against history size,
 * one line per series. A point that did not finish is drawn hollow at its
 * limit, so a chart never suggests a number nobody measured.
 */

export interface ChartPoint {
  x: number;
  y: number;
  /** Drawn hollow and labelled: the step hit its limit at `y`. */
  unfinished?: boolean;
}

export interface ChartSeries {
  label: string;
  points: ChartPoint[];
}

export interface Chart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
}

const WIDTH = 640;
const HEIGHT = 340;
const MARGIN = { left: 70, right: 20, top: 58, bottom: 48 };
const COLOURS = ['#1b6ca8', '#d1495b', '#2a9d8f', '#e9a23b', '#6c4f9c', '#555555'];

const escape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Round tick values from 0 to at least `max`: steps of 1, 2 or 5 times a power of ten. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const stepSize = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let t = 0; t < max + stepSize; t += stepSize) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

export function formatNumber(n: number): string {
  if (n >= 1e6) return `${Number((n / 1e6).toPrecision(3))}M`;
  if (n >= 1e3) return `${Number((n / 1e3).toPrecision(3))}k`;
  return String(Number(n.toPrecision(3)));
}

export function lineChart(chart: Chart): string {
  const all = chart.series.flatMap((s) => s.points);
  const xTicks = niceTicks(Math.max(1, ...all.map((p) => p.x)));
  const yTicks = niceTicks(Math.max(0, ...all.map((p) => p.y)));
  const xMax = xTicks[xTicks.length - 1]!;
  const yMax = yTicks[yTicks.length - 1]!;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (x: number): number => MARGIN.left + (x / xMax) * plotW;
  const sy = (y: number): number => MARGIN.top + plotH - (y / yMax) * plotH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="11">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${escape(chart.title)}</text>`,
  ];
  for (const t of yTicks) {
    const y = sy(t).toFixed(1);
    out.push(
      `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y}" y2="${y}" stroke="#e4e4e4"/>`,
      `<text x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${formatNumber(t)}</text>`,
    );
  }
  for (const t of xTicks) {
    const x = sx(t).toFixed(1);
    out.push(
      `<line x1="${x}" x2="${x}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH + 4}" stroke="#333"/>`,
      `<text x="${x}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${formatNumber(t)}</text>`,
    );
  }
  out.push(
    `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH}" stroke="#333"/>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#333"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 10}" text-anchor="middle">${escape(chart.xLabel)}</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escape(chart.yLabel)}</text>`,
  );
  chart.series.forEach((series, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const legendX = MARGIN.left + (i % 3) * 190;
    const legendY = 34 + Math.floor(i / 3) * 14;
    out.push(
      `<rect x="${legendX}" y="${legendY - 8}" width="10" height="10" fill="${colour}"/>`,
      `<text x="${legendX + 14}" y="${legendY}">${escape(series.label)}</text>`,
    );
    const points = [...series.points].sort((a, b) => a.x - b.x);
    if (points.length > 1) {
      const d = points.map(
        (p, k) => `${k === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`,
      );
      out.push(`<path d="${d.join(' ')}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    }
    for (const p of points) {
      const cx = sx(p.x).toFixed(1);
      const cy = sy(p.y).toFixed(1);
      out.push(
        p.unfinished === true
          ? `<circle cx="${cx}" cy="${cy}" r="5" fill="#ffffff" stroke="${colour}" stroke-width="2"><title>not finished within ${formatNumber(p.y)}</title></circle>` +
              `<text x="${cx}" y="${Number(cy) - 9}" text-anchor="middle" fill="${colour}">not finished</text>`
          : `<circle cx="${cx}" cy="${cy}" r="3.5" fill="${colour}"><title>${escape(series.label)}: ${formatNumber(p.y)}</title></circle>`,
      );
    }
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
