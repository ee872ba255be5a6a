/**
 * Indicators per month in base and candidate as an inline SVG bar chart:
 * two bars a month, every month from the first to the last with any, so a
 * gap shows as a gap.
 */
import { escapeXml } from './escape.js';

export interface MonthCounts {
  base: number;
  candidate: number;
}

/** Every `YYYY-MM` from `first` to `last`, both included. */
export function monthsBetween(first: string, last: string): string[] {
  const months: string[] = [];
  let year = Number(first.slice(0, 4));
  let month = Number(first.slice(5, 7));
  for (;;) {
    const key = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
    months.push(key);
    if (key >= last) return months;
    month++;
    if (month > 12) {
      month = 1;
      year++;
    }
  }
}

const HEIGHT = 160;
const TOP = 12;
const BOTTOM = 28;
const LEFT = 36;
const BAR = 5;

export function monthChartSvg(months: ReadonlyMap<string, MonthCounts>, title: string): string {
  const keys = [...months.keys()].sort();
  const first = keys[0];
  const last = keys.at(-1);
  if (first === undefined || last === undefined) {
    return `<p class="empty">No indicators in either ruleset.</p>`;
  }
  const all = monthsBetween(first, last);
  const max = Math.max(1, ...[...months.values()].flatMap((c) => [c.base, c.candidate]));
  const step = 2 * BAR + 3;
  const width = LEFT + all.length * step + 8;
  const plot = HEIGHT - TOP - BOTTOM;
  const y = (n: number) => TOP + plot - (n / max) * plot;
  const parts = [
    `<svg class="month-chart" role="img" viewBox="0 0 ${width} ${HEIGHT}" width="${width}" height="${HEIGHT}"><title>${escapeXml(title)}</title>`,
    `<line class="axis" x1="${LEFT}" y1="${TOP + plot}" x2="${width - 4}" y2="${TOP + plot}"/>`,
    `<text class="tick" x="${LEFT - 4}" y="${TOP + 4}" text-anchor="end">${max}</text>`,
    `<text class="tick" x="${LEFT - 4}" y="${TOP + plot}" text-anchor="end">0</text>`,
  ];
  all.forEach((month, i) => {
    const counts = months.get(month) ?? { base: 0, candidate: 0 };
    const x = LEFT + i * step + 2;
    for (const [side, offset] of [
      ['base', 0],
      ['candidate', BAR],
    ] as const) {
      const n = counts[side];
      if (n === 0) continue;
      parts.push(
        `<rect class="bar ${side}" x="${x + offset}" y="${y(n).toFixed(1)}" width="${BAR}" height="${(TOP + plot - y(n)).toFixed(1)}"><title>${month} ${side}: ${n}</title></rect>`,
      );
    }
    // A label each January, and at the first month, so a long history stays readable.
    if (i === 0 || month.endsWith('-01')) {
      parts.push(
        `<text class="tick" x="${x}" y="${HEIGHT - BOTTOM + 14}">${escapeXml(month)}</text>`,
      );
    }
  });
  parts.push('</svg>');
  return parts.join('');
}
