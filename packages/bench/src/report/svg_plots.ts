/**
 * Small dependency-free SVG charts for run reports: an accuracy-matrix heatmap, a line chart of the
 * accuracy after each task, and grouped bars of the forgetting of each task.
 *
 * @module
 */

/** A series of a chart: a name and one value per x position (NaN = missing). */
export interface ChartSeries {
  readonly name: string;
  readonly values: readonly number[];
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const FONT = 'font-family="Helvetica, Arial, sans-serif"';

/** Escapes text for SVG/XML content and attributes. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

/** Opening tags of a plot: the svg element, its title, a white background and the centred heading. */
function svgHeader(w: number, h: number, title: string, titleX: number): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" ${FONT} font-size="11" role="img">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${w}" height="${h}" fill="white"/>`,
    `<text x="${titleX}" y="20" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`,
  ];
}

/** A "nice" upper bound and tick step for an axis from 0 to max. */
function niceScale(max: number, ticks = 5): { top: number; step: number } {
  if (!(max > 0)) return { top: 1, step: 0.2 };
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
  return { top: Math.ceil(max / step) * step, step };
}

/** Interpolates white → blue for v in [0, 1]. */
function heatColor(v: number): string {
  const t = Math.max(0, Math.min(1, v));
  const r = Math.round(247 + (8 - 247) * t);
  const g = Math.round(251 + (69 - 251) * t);
  const b = Math.round(255 + (148 - 255) * t);
  return `rgb(${r},${g},${b})`;
}

/**
 * Heatmap of an accuracy matrix a[t][τ] (rows: after training task t; columns: evaluated task τ).
 *
 * @param matrix - T×T accuracies in %, upper triangle unused
 * @param title - chart title
 * @param rowsDone - rows filled so far (later rows are drawn empty)
 * @returns an SVG document
 * @category Plots
 */
export function accuracyHeatmapSvg(
  matrix: readonly (readonly number[])[],
  title: string,
  rowsDone = matrix.length,
): string {
  const T = matrix.length;
  const cell = T <= 10 ? 44 : T <= 20 ? 28 : 18;
  const left = 70;
  const top = 50;
  const w = left + T * cell + 20;
  const h = top + T * cell + 50;
  const parts = svgHeader(w, h, title, w / 2);
  for (let t = 0; t < T; t++) {
    for (let tau = 0; tau < T; tau++) {
      const x = left + tau * cell;
      const y = top + t * cell;
      if (tau > t || t >= rowsDone) {
        parts.push(
          `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="#f4f4f4" stroke="white"/>`,
        );
        continue;
      }
      const v = matrix[t][tau];
      parts.push(
        `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${heatColor(v / 100)}" stroke="white"/>`,
      );
      if (cell >= 28) {
        parts.push(
          `<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" text-anchor="middle" fill="${v > 55 ? 'white' : 'black'}" font-size="${cell >= 40 ? 11 : 8}">${fmt(v)}</text>`,
        );
      }
    }
    parts.push(
      `<text x="${left - 6}" y="${top + t * cell + cell / 2 + 4}" text-anchor="end">${t + 1}</text>`,
    );
    parts.push(
      `<text x="${left + t * cell + cell / 2}" y="${top + T * cell + 14}" text-anchor="middle">${t + 1}</text>`,
    );
  }
  parts.push(
    `<text x="${left + (T * cell) / 2}" y="${top + T * cell + 34}" text-anchor="middle">evaluated task τ</text>`,
  );
  parts.push(
    `<text transform="translate(18 ${top + (T * cell) / 2}) rotate(-90)" text-anchor="middle">after training task t</text>`,
  );
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function legend(series: readonly ChartSeries[], x: number, y: number): string[] {
  return series.map((s, i) => {
    const c = PALETTE[i % PALETTE.length];
    const yy = y + i * 16;
    return `<rect x="${x}" y="${yy - 9}" width="12" height="10" fill="${c}"/><text x="${x + 16}" y="${yy}">${escapeXml(s.name)}</text>`;
  });
}

function axes(
  parts: string[],
  o: {
    left: number;
    top: number;
    pw: number;
    ph: number;
    top0: number;
    step: number;
    yLabel: string;
    xLabel: string;
  },
): void {
  const { left, top, pw, ph, top0, step } = o;
  for (let v = 0; v <= top0 + 1e-9; v += step) {
    const y = top + ph - (v / top0) * ph;
    parts.push(`<line x1="${left}" y1="${y}" x2="${left + pw}" y2="${y}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${left - 6}" y="${y + 4}" text-anchor="end">${fmt(Number(v.toFixed(6)))}</text>`);
  }
  parts.push(`<line x1="${left}" y1="${top + ph}" x2="${left + pw}" y2="${top + ph}" stroke="black"/>`);
  parts.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${top + ph}" stroke="black"/>`);
  parts.push(
    `<text x="${left + pw / 2}" y="${top + ph + 34}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`,
  );
  parts.push(
    `<text transform="translate(16 ${top + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(o.yLabel)}</text>`,
  );
}

/**
 * Line chart with one line per series over task indices 1..n (e.g. accuracy after each task).
 *
 * @param series - one per strategy; values[t] is the figure after task t (NaN = not reached)
 * @param title - chart title
 * @param yLabel - y-axis label
 * @param yMax - fixed top of the y axis (default: a nice bound over the data)
 * @returns an SVG document
 * @category Plots
 */
export function lineChartSvg(
  series: readonly ChartSeries[],
  title: string,
  yLabel: string,
  yMax?: number,
): string {
  const n = Math.max(1, ...series.map((s) => s.values.length));
  const dataMax = Math.max(0, ...series.flatMap((s) => s.values.filter((v) => Number.isFinite(v))));
  const { top: top0, step } = niceScale(yMax ?? dataMax);
  const left = 60;
  const top = 40;
  const pw = Math.max(240, n * 48);
  const ph = 240;
  const w = left + pw + 150;
  const h = top + ph + 50;
  const parts = svgHeader(w, h, title, left + pw / 2);
  axes(parts, { left, top, pw, ph, top0, step, yLabel, xLabel: 'after training task' });
  const xOf = (i: number) => left + (n === 1 ? pw / 2 : (i / (n - 1)) * (pw - 20) + 10);
  const yOf = (v: number) => top + ph - (Math.min(v, top0) / top0) * ph;
  for (let i = 0; i < n; i++) {
    parts.push(`<text x="${xOf(i)}" y="${top + ph + 14}" text-anchor="middle">${i + 1}</text>`);
  }
  series.forEach((s, k) => {
    const c = PALETTE[k % PALETTE.length];
    const pts = s.values.map((v, i) => [i, v] as const).filter(([, v]) => Number.isFinite(v));
    if (pts.length > 1) {
      const d = pts
        .map(([i, v], j) => `${j === 0 ? 'M' : 'L'}${xOf(i).toFixed(1)},${yOf(v).toFixed(1)}`)
        .join(' ');
      parts.push(`<path d="${d}" fill="none" stroke="${c}" stroke-width="2"/>`);
    }
    for (const [i, v] of pts) {
      parts.push(
        `<circle cx="${xOf(i).toFixed(1)}" cy="${yOf(v).toFixed(1)}" r="3" fill="${c}"><title>${escapeXml(`${s.name}: ${v.toFixed(2)}`)}</title></circle>`,
      );
    }
  });
  parts.push(...legend(series, left + pw + 16, top + 10));
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/**
 * Grouped bar chart: one group per x position (task), one bar per series (strategy).
 *
 * @param series - one per strategy; values[τ] is the figure of task τ
 * @param title - chart title
 * @param yLabel - y-axis label
 * @param xLabel - x-axis label
 * @returns an SVG document
 * @category Plots
 */
export function groupedBarSvg(
  series: readonly ChartSeries[],
  title: string,
  yLabel: string,
  xLabel: string,
): string {
  const n = Math.max(1, ...series.map((s) => s.values.length));
  const dataMax = Math.max(0, ...series.flatMap((s) => s.values.filter((v) => Number.isFinite(v))));
  const { top: top0, step } = niceScale(dataMax);
  const left = 60;
  const top = 40;
  const group = Math.max(30, 12 * series.length + 12);
  const pw = Math.max(240, n * group);
  const ph = 240;
  const w = left + pw + 150;
  const h = top + ph + 50;
  const parts = svgHeader(w, h, title, left + pw / 2);
  axes(parts, { left, top, pw, ph, top0, step, yLabel, xLabel });
  const gw = pw / n;
  const bw = Math.min(16, (gw - 8) / Math.max(1, series.length));
  for (let i = 0; i < n; i++) {
    parts.push(
      `<text x="${left + gw * i + gw / 2}" y="${top + ph + 14}" text-anchor="middle">${i + 1}</text>`,
    );
    series.forEach((s, k) => {
      const v = s.values[i];
      if (!Number.isFinite(v)) return;
      const bh = (Math.max(0, Math.min(v, top0)) / top0) * ph;
      const x = left + gw * i + (gw - bw * series.length) / 2 + k * bw;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${(top + ph - bh).toFixed(1)}" width="${bw.toFixed(1)}" height="${bh.toFixed(1)}" fill="${PALETTE[k % PALETTE.length]}"><title>${escapeXml(`${s.name}, task ${i + 1}: ${v.toFixed(2)}`)}</title></rect>`,
      );
    });
  }
  parts.push(...legend(series, left + pw + 16, top + 10));
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/**
 * The forgetting of each old task at the end: max over rows of a[·,τ] − a[last,τ] (the last task
 * itself has none and is left out).
 *
 * @param matrix - accuracy matrix in %
 * @param rowsDone - rows filled
 * @returns one value per task τ < rowsDone − 1
 * @category Plots
 */
export function perTaskForgetting(matrix: readonly (readonly number[])[], rowsDone: number): number[] {
  const last = rowsDone - 1;
  const out: number[] = [];
  for (let tau = 0; tau < last; tau++) {
    let best = -Infinity;
    for (let r = tau; r <= last; r++) best = Math.max(best, matrix[r][tau]);
    out.push(best - matrix[last][tau]);
  }
  return out;
}
