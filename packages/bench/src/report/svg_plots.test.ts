import { describe, expect, it } from 'vitest';
import {
  accuracyHeatmapSvg,
  escapeXml,
  groupedBarSvg,
  lineChartSvg,
  perTaskForgetting,
} from './svg_plots.js';

function wellFormed(svg: string): void {
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  // an accessible title first (Biome's a11y rule for SVGs)
  expect(svg.split('\n')[1]).toMatch(/^<title>.+<\/title>$/);
  expect(svg).not.toMatch(/NaN|undefined|Infinity/);
  // tags nest properly (a tiny stack check instead of an XML parser)
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-z]+)\b[^>]*?(\/?)>/g)) {
    if (m[3] === '/') continue;
    if (m[1] === '/') expect(stack.pop()).toBe(m[2]);
    else stack.push(m[2]);
  }
  expect(stack).toEqual([]);
}

describe('svg plots', () => {
  const m = [
    [95, 0, 0],
    [90, 92, 0],
    [88, 85, 90],
  ];
  it('draws a heatmap with one value cell per lower-triangle entry', () => {
    const svg = accuracyHeatmapSvg(m, 'acc <matrix> & co');
    wellFormed(svg);
    expect(svg).toContain('acc &lt;matrix&gt; &amp; co');
    for (const v of ['95', '92', '88', '85']) expect(svg).toContain(`>${v}</text>`);
    expect((svg.match(/fill="#f4f4f4"/g) ?? []).length).toBe(3); // upper triangle
  });
  it('leaves unfinished rows empty', () => {
    const svg = accuracyHeatmapSvg(m, 't', 2);
    expect(svg).not.toContain('>88</text>');
    expect((svg.match(/fill="#f4f4f4"/g) ?? []).length).toBe(3 + 3);
  });
  it('draws one line per series, skipping missing points', () => {
    const svg = lineChartSvg(
      [
        { name: 'mamba-cl', values: [95, 91, 87.7] },
        { name: 'finetune', values: [96, Number.NaN, 37.7] },
      ],
      'acc',
      'accuracy (%)',
      100,
    );
    wellFormed(svg);
    expect((svg.match(/<path /g) ?? []).length).toBe(2);
    expect((svg.match(/<circle /g) ?? []).length).toBe(5);
    expect(svg).toContain('mamba-cl: 87.70');
  });
  it('draws grouped bars', () => {
    const svg = groupedBarSvg(
      [
        { name: 'a', values: [7, 7] },
        { name: 'b', values: [91, 87] },
      ],
      'forgetting',
      '%',
      'task',
    );
    wellFormed(svg);
    expect(
      (svg.match(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+" fill="#/g) ?? []).length,
    ).toBe(4 + 2);
  });
  it('computes the per-task forgetting at the end', () => {
    expect(perTaskForgetting(m, 3)).toEqual([7, 7]);
    expect(perTaskForgetting(m, 2)).toEqual([5]);
    expect(perTaskForgetting(m, 1)).toEqual([]);
  });
  it('escapes XML', () => {
    expect(escapeXml(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;');
  });
});
