/**
 * The sales chart of the reports page: one bar per day, drawn on the server as SVG (no chart library, no script
 * in the browser). Pure: figures in, markup out.
 */
import { html, type Html } from '../html.js';

export interface ChartDay {
  /** `YYYY-MM-DD` */
  date: string;
  revenue: number;
}

export interface ChartGeometry {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const CHART_WIDTH = 320;
export const CHART_HEIGHT = 120;
/** Room under the bars for the first and last date. */
const AXIS = 16;

/** Where each day's bar goes: equal slots over the width, heights scaled to the best day (0 → no bar). */
export function barGeometry(days: readonly ChartDay[], width = CHART_WIDTH, height = CHART_HEIGHT): ChartGeometry[] {
  const max = Math.max(0, ...days.map((d) => d.revenue));
  const slot = days.length ? width / days.length : width;
  const gap = slot > 6 ? 2 : 0;
  const plot = height - AXIS;
  return days.map((d, i) => {
    const h = max > 0 ? Math.round((d.revenue / max) * plot * 10) / 10 : 0;
    return {
      x: Math.round((i * slot + gap / 2) * 10) / 10,
      y: Math.round((plot - h) * 10) / 10,
      width: Math.max(1, Math.round((slot - gap) * 10) / 10),
      height: h,
    };
  });
}

/** `2026-11-30` → `30/11` (the axis labels). */
const dayMonth = (date: string): string => `${Number(date.slice(8, 10))}/${Number(date.slice(5, 7))}`;

/**
 * The chart. `label` names it for screen readers (the figures are also in the table under it); each bar has a
 * `<title>` with its day and amount, which a long press shows.
 */
export function salesChart(days: readonly ChartDay[], opts: { label: string; money: (n: number) => string }): Html {
  const bars = barGeometry(days);
  const last = days.at(-1);
  const axis = CHART_HEIGHT - AXIS + 0.5;
  const rects = bars.map((b, i) => {
    if (b.height <= 0) return '';
    const tip = `${dayMonth(days[i]!.date)}: ${opts.money(days[i]!.revenue)}`;
    return html`<rect x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" fill="#0b6e4f">
<title>${tip}</title></rect>`;
  });
  const label = (x: number, anchor: string, date: string) =>
    html`<text x="${x}" y="${CHART_HEIGHT - 3}" font-size="11" fill="#555"
 text-anchor="${anchor}">${dayMonth(date)}</text>`;
  return html`<svg class="chart" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" width="100%" role="img"
 aria-label="${opts.label}" data-testid="sales-chart" xmlns="http://www.w3.org/2000/svg">
<line x1="0" y1="${axis}" x2="${CHART_WIDTH}" y2="${axis}" stroke="#999" stroke-width="1"/>
${rects}
${days.length ? label(0, 'start', days[0]!.date) : ''}
${last ? label(CHART_WIDTH, 'end', last.date) : ''}
</svg>`;
}
