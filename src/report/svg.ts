/**
 * The report's charts as inline SVG built on the server: no script, nothing fetched, and
 * the same data always gives the same bytes (coordinates rounded to 0.1 unit). Labels go
 * through `html`, so a chain or endpoint name in a chart is escaped like any other text.
 */
import { decimalText, html, type Html } from './html-kit.js';
import type { Bin } from './hdr-bins.js';

/** A coordinate to 0.1 unit. */
function c(n: number): string {
  return String(Math.round(n * 10) / 10);
}

/** Round tick values (1, 2 or 5 times a power of ten, at least `minStep` apart) from 0 up to at least `max`. */
export function niceTicks(max: number, target = 4, minStep = 0): number[] {
  if (!(max > 0)) return [0, Math.max(minStep, 1)];
  const raw = Math.max(max / target, minStep);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / magnitude;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * magnitude;
  const ticks: number[] = [];
  for (let k = 0; ; k++) {
    const v = Number((k * step).toPrecision(12));
    ticks.push(v);
    if (v >= max) return ticks;
  }
}

/** A bar as long as `fraction` of its track (a thin sliver for any non-zero value, so a hit is never invisible). */
export function hbar(fraction: number, cls: string): Html {
  const w = fraction > 0 ? Math.max(fraction * 100, 0.8) : 0;
  return html`<svg class="hb" viewBox="0 0 100 10" preserveAspectRatio="none" width="100" height="10"><rect class="track" width="100" height="10"/><rect class="${cls}" width="${c(w)}" height="10"/></svg>`;
}

/** One bar split into parts proportional to their values, each with a title. */
export function stackedBar(parts: ReadonlyArray<{ cls: string; value: number; title: string }>): Html {
  const total = parts.reduce((n, p) => n + p.value, 0);
  let x = 0;
  const rects = parts.map((p) => {
    const w = total > 0 ? (600 * p.value) / total : 0;
    const r = html`<rect class="${p.cls}" x="${c(x)}" width="${c(w)}" height="18"><title>${p.title}</title></rect>`;
    x += w;
    return r;
  });
  return html`<svg class="chart stacked" viewBox="0 0 600 18" width="600" height="18">${rects}</svg>`;
}

const W = 560;
const H = 210;
const LEFT = 62;
const RIGHT = 30;
const TOP = 12;
const BOTTOM = 40;

/** The y axis: grid lines and labels for `ticks`, scaled by `y`. */
function yAxis(ticks: readonly number[], y: (v: number) => number, label: (v: number) => string): Html {
  return html`${ticks.map((t) => html`<line class="grid" x1="${LEFT}" x2="${W - RIGHT}" y1="${c(y(t))}" y2="${c(y(t))}"/><text class="tick" x="${LEFT - 6}" y="${c(y(t) + 4)}" text-anchor="end">${label(t)}</text>`)}`;
}

export interface ColumnChart {
  /** What the chart shows, for screen readers and the title. */
  title: string;
  bins: readonly Bin[];
  /** How a value of the x axis is written (ns as a duration, counts as numbers). */
  valueText: (v: number) => string;
  xLabel: string;
}

/** A histogram: one column per bin, equal widths, counts on a linear y axis. */
export function columnChart(chart: ColumnChart): Html {
  const maxCount = chart.bins.reduce((m, b) => Math.max(m, b.count), 0);
  const ticks = niceTicks(maxCount, 4, 1);
  const top = ticks[ticks.length - 1]!;
  const y = (v: number): number => H - BOTTOM - ((H - BOTTOM - TOP) * v) / top;
  const slot = (W - LEFT - RIGHT) / Math.max(chart.bins.length, 1);
  const range = (b: Bin): string => (b.from === b.to ? chart.valueText(b.from) : `${chart.valueText(b.from)} – ${chart.valueText(b.to)}`);
  const bars = chart.bins.map(
    (b, i) =>
      html`<rect class="col" x="${c(LEFT + i * slot + slot * 0.1)}" y="${c(y(b.count))}" width="${c(slot * 0.8)}" height="${c(y(0) - y(b.count))}" data-from="${b.from}" data-to="${b.to}" data-count="${b.count}"><title>${range(b)}: ${decimalText(b.count, 0)}</title></rect>`,
  );
  // Labels under at most six columns spread evenly, the first and the last among them.
  const n = chart.bins.length;
  const labelled = new Set(Array.from({ length: Math.min(n, 6) }, (_, k) => (n <= 6 ? k : Math.round((k * (n - 1)) / 5))));
  const labels = chart.bins.map((b, i) =>
    labelled.has(i) ? html`<text class="tick" x="${c(LEFT + (i + 0.5) * slot)}" y="${H - BOTTOM + 14}" text-anchor="middle">${chart.valueText(b.from)}</text>` : '',
  );
  return html`<svg class="chart" role="img" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}"><title>${chart.title}</title>${yAxis(ticks, y, (v) => decimalText(v, 6))}${bars}${labels}<line class="axis" x1="${LEFT}" x2="${W - RIGHT}" y1="${c(y(0))}" y2="${c(y(0))}"/><text class="label" x="${(LEFT + W - RIGHT) / 2}" y="${H - 6}" text-anchor="middle">${chart.xLabel}</text></svg>`;
}

export interface LineSeries {
  name: string;
  cls: string;
  /** [x, y] in x order. */
  points: ReadonlyArray<readonly [number, number]>;
}

export interface LineChart {
  title: string;
  series: readonly LineSeries[];
  xLabel: string;
  yText: (v: number) => string;
  xText: (v: number) => string;
  /** Least step between y ticks (1 for counts). */
  yMinStep?: number;
}

/** Lines over a shared x axis from 0 and a y axis from 0; points marked when there are few. */
export function lineChart(chart: LineChart): Html {
  const all = chart.series.flatMap((s) => s.points);
  const maxX = all.reduce((m, p) => Math.max(m, p[0]), 0);
  const maxY = all.reduce((m, p) => Math.max(m, p[1]), 0);
  const xTicks = niceTicks(maxX > 0 ? maxX : 1, 5);
  const yTicks = niceTicks(maxY, 4, chart.yMinStep ?? 0);
  const xTop = xTicks[xTicks.length - 1]!;
  const yTop = yTicks[yTicks.length - 1]!;
  const x = (v: number): number => LEFT + ((W - LEFT - RIGHT) * v) / xTop;
  const y = (v: number): number => H - BOTTOM - ((H - BOTTOM - TOP) * v) / yTop;
  const lines = chart.series.map((s) => {
    const pts = s.points.map((p) => `${c(x(p[0]))},${c(y(p[1]))}`).join(' ');
    const marks = s.points.length <= 80 ? s.points.map((p) => html`<circle class="${s.cls}" cx="${c(x(p[0]))}" cy="${c(y(p[1]))}" r="2.5"><title>${chart.xText(p[0])}: ${chart.yText(p[1])}</title></circle>`) : [];
    return html`<g data-series="${s.name}" data-points="${s.points.length}"><polyline class="${s.cls}" fill="none" points="${pts}"/>${marks}</g>`;
  });
  const xLabels = xTicks.map((t) => html`<text class="tick" x="${c(x(t))}" y="${H - BOTTOM + 14}" text-anchor="middle">${chart.xText(t)}</text>`);
  const legend =
    chart.series.length > 1
      ? chart.series.map((s, i) => html`<g class="legend"><rect class="${s.cls}" x="${LEFT + 8 + i * 150}" y="${TOP}" width="10" height="10"/><text x="${LEFT + 22 + i * 150}" y="${TOP + 9}">${s.name}</text></g>`)
      : [];
  return html`<svg class="chart" role="img" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}"><title>${chart.title}</title>${yAxis(yTicks, y, chart.yText)}${xLabels}<line class="axis" x1="${LEFT}" x2="${W - RIGHT}" y1="${c(y(0))}" y2="${c(y(0))}"/>${lines}${legend}<text class="label" x="${(LEFT + W - RIGHT) / 2}" y="${H - 6}" text-anchor="middle">${chart.xLabel}</text></svg>`;
}

/** A share as a bar, with a mark where the expected share is (kube-proxy endpoints). */
export function shareBar(share: number, expected: number): Html {
  const x = c(Math.min(Math.max(expected, 0), 1) * 100);
  return html`<svg class="hb" viewBox="0 0 100 10" preserveAspectRatio="none" width="100" height="10"><rect class="track" width="100" height="10"/><rect class="pk" width="${c(share * 100)}" height="10"/><line class="expected" x1="${x}" x2="${x}" y1="0" y2="10"/></svg>`;
}

/** Two bars on one scale, one above the other: before (grey) and after (green). */
export function pairBar(before: number, after: number, max: number): Html {
  const w = (v: number): string => c(max > 0 ? (100 * v) / max : 0);
  return html`<svg class="hb pair" viewBox="0 0 100 10" preserveAspectRatio="none" width="100" height="10"><rect class="track" width="100" height="10"/><rect class="before" width="${w(before)}" height="5"/><rect class="after" y="5" width="${w(after)}" height="5"/></svg>`;
}

/** A fill against a limit: over the limit, the bar is full and red. */
export function limitBar(value: number, limit: number): Html {
  // A limit of 0 is none (nf_conntrack_max 0: the kernel does not limit the table).
  const over = limit > 0 && value > limit;
  return html`<svg class="hb" viewBox="0 0 100 10" preserveAspectRatio="none" width="100" height="10"><rect class="track" width="100" height="10"/><rect class="${over ? 'over' : 'pk'}" width="${c(limit <= 0 ? 0 : over ? 100 : (100 * value) / limit)}" height="10"/></svg>`;
}
