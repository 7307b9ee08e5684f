import { describe, expect, it } from 'vitest';
import { barGeometry, CHART_HEIGHT, CHART_WIDTH, salesChart } from './sales-chart.js';

const days = (revenues: number[]) =>
  revenues.map((revenue, i) => ({ date: `2026-11-${String(i + 1).padStart(2, '0')}`, revenue }));

describe('barGeometry', () => {
  it('scales bars to the best day and leaves empty days without a bar', () => {
    const bars = barGeometry(days([0, 5000, 10000, 2500]));
    expect(bars).toHaveLength(4);
    expect(bars[0]!.height).toBe(0);
    expect(bars[2]!.height).toBe(CHART_HEIGHT - 16);
    expect(bars[2]!.y).toBe(0);
    expect(bars[1]!.height).toBe((CHART_HEIGHT - 16) / 2);
    expect(bars[3]!.height).toBe((CHART_HEIGHT - 16) / 4);
  });

  it('fits 30 days into the width, in order, without overlap', () => {
    const bars = barGeometry(days(Array.from({ length: 30 }, (_, i) => i * 100)));
    for (let i = 1; i < bars.length; i++)
      expect(bars[i]!.x).toBeGreaterThanOrEqual(bars[i - 1]!.x + bars[i - 1]!.width);
    expect(bars.at(-1)!.x + bars.at(-1)!.width).toBeLessThanOrEqual(CHART_WIDTH);
  });

  it('draws nothing tall when nothing was sold', () => {
    expect(barGeometry(days([0, 0, 0])).every((b) => b.height === 0)).toBe(true);
  });
});

describe('salesChart', () => {
  it('is an SVG image with its label, a bar per selling day and the first and last dates', () => {
    const svg = salesChart(days([100, 0, 300]), { label: 'Sales <7 days>', money: (n) => `₹${n / 100}` }).value;
    expect(svg).toMatch(/^<svg[^>]+role="img"[^>]+aria-label="Sales &lt;7 days&gt;"/);
    expect(svg.match(/<rect /g)).toHaveLength(2);
    expect(svg).toContain('<title>3/11: ₹3</title>');
    expect(svg).toContain('>1/11</text>');
    expect(svg).toContain('>3/11</text>');
  });
});
