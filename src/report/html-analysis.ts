/**
 * The report's sections about cost and load: the histograms (rules evaluated and engine
 * time per packet), the cost per chain, conntrack occupancy and traffic over time, the
 * ordering proposal and the capacity projections. Each is left out when its data is.
 */
import type { HistogramJson } from '../engine/histograms.js';
import { histogramBins } from './hdr-bins.js';
import { decimalText, durationText, html, isoText, num, percentText, type Html } from './html-kit.js';
import type { CapacityReport, OrderingReport, ReportData, TrafficSeries } from './report-data.js';
import { columnChart, hbar, limitBar, lineChart, pairBar } from './svg.js';

const PERCENTILES = ['p50', 'p90', 'p99', 'p99.9', 'max'] as const;

/** A histogram's percentile table and chart, its numbers written by `valueText`. */
function histogramFigure(name: string, title: string, h: HistogramJson, valueText: (v: number) => string, caption: Html): Html {
  const cells = PERCENTILES.map((p) => html`<div><small>${p}</small><b>${num(p, h[p], valueText(h[p]))}</b></div>`);
  return html`<figure data-histogram="${name}"><h3>${title}</h3><figcaption>${caption}</figcaption>
<div class="stats"><div><small>packets</small><b>${num('count', h.count)}</b></div><div><small>mean</small><b>${num('mean', h.mean, valueText(h.mean))}</b></div>${cells}</div>
${h.count > 0 ? columnChart({ title, bins: histogramBins(h.encoded), valueText, xLabel: title }) : html`<p class="sub">No packet recorded.</p>`}</figure>`;
}

function histogramsSection(data: ReportData): Html | '' {
  const h = data.summary.histograms;
  if (h === undefined) return '';
  const rules = histogramFigure('rulesEvaluated', 'rules evaluated per packet', h.rulesEvaluated, (v) => decimalText(v, 3), html`Every rule the kernel's linear walk tests, over every table of every hook a packet passes.`);
  const engine = histogramFigure(
    'engineNs',
    'engine time per packet',
    h.engineNs,
    durationText,
    html`nfreplay's own time (not the kernel's): 1 packet in ${h.engineNs.sampleEvery} timed, the timer's ${h.engineNs.timerNs} ns taken off.`,
  );
  return html`<section id="histograms"><h2>Cost per packet</h2><div class="figs">${rules}${engine}</div></section>`;
}

function chainCostSection(data: ReportData): Html | '' {
  const chains = data.summary.histograms?.chains.filter((c) => c.evaluated > 0);
  if (chains === undefined || chains.length === 0) return '';
  const sorted = [...chains].sort((a, b) => b.evaluated - a.evaluated);
  const max = sorted[0]!.perPacket || 1;
  const rows = sorted.map(
    (c) =>
      html`<tr data-table="${c.table}" data-chain="${c.chain}"><td>${c.table}</td><td>${c.chain}</td><td>${hbar(c.perPacket / max, 'pk')}</td><td class="r">${num('perPacket', c.perPacket, decimalText(c.perPacket, 4))}</td><td class="r">${num('evaluated', c.evaluated)}</td></tr>`,
  );
  return html`<section id="chain-cost"><h2>Cost per chain</h2><p class="sub">Rules tested in each chain per replayed packet (chains where none was tested are left out); they add up to the mean of ${num('meanRulesEvaluated', data.summary.histograms!.rulesEvaluated.mean, decimalText(data.summary.histograms!.rulesEvaluated.mean, 3))} rules per packet.</p>
<table class="cost"><thead><tr><th>table</th><th>chain</th><th></th><th class="r">per packet</th><th class="r">rules tested</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function secondsText(v: number): string {
  return `${decimalText(v, 3)} s`;
}

function conntrackSection(data: ReportData): Html | '' {
  const ct = data.summary.conntrack;
  if (ct === undefined) return '';
  const points = ct.occupancy ?? [];
  const firstBranch = data.statistic === 'expected' ? html`<p class="notice">Conntrack is that of the replay of the first branch of the random draws.</p>` : '';
  return html`<section id="conntrack"><h2>Conntrack occupancy</h2>${firstBranch}<p>peak <span class="big">${num('conntrackPeak', ct.peak)}</span> entries at once, ${num('conntrackFinal', ct.final)} live after the last packet</p>
${points.length > 0 ? lineChart({ title: 'conntrack entries over capture time', series: [{ name: 'live entries', cls: 'l1', points }], xLabel: 'seconds since the first packet', xText: (v) => decimalText(v, 3), yText: (v) => decimalText(v, 2), yMinStep: 1 }) : ''}</section>`;
}

/** Per-second rates of one column of the traffic points. */
function rates(t: TrafficSeries, column: 1 | 3): Array<[number, number]> {
  return t.points.map((p) => [p[0], p[column] / t.binSeconds]);
}

function trafficSection(data: ReportData): Html | '' {
  const t = data.summary.traffic;
  if (t === undefined || t.points.length === 0) return '';
  const pps = rates(t, 1);
  const conns = rates(t, 3);
  const peak = (series: Array<[number, number]>): number => series.reduce((m, p) => Math.max(m, p[1]), 0);
  const chart = (title: string, points: Array<[number, number]>, cls: string): Html =>
    lineChart({ title, series: [{ name: title, cls, points }], xLabel: 'seconds since the first packet', xText: (v) => decimalText(v, 3), yText: (v) => decimalText(v, 2) });
  return html`<section id="traffic"><h2>Traffic over time</h2><p class="sub">Per ${decimalText(t.binSeconds, 6)} s of capture time.</p>
<p>peak <span class="big">${num('ppsPeak', peak(pps), decimalText(peak(pps), 2))}</span> packets/s, peak <span class="big">${num('newConnsPeak', peak(conns), decimalText(peak(conns), 2))}</span> new connections/s</p>
<div class="figs"><figure><h3>packets/s</h3>${chart('packets/s', pps, 'l1')}</figure><figure><h3>new connections/s</h3>${chart('new connections/s', conns, 'l2')}</figure></div></section>`;
}

function proofText(proof: OrderingReport['proof']): Html {
  if (proof === undefined) return html`<p class="notice">Not proven on the traffic: the costs after are estimates from the counters.</p>`;
  if (!proof.identical) return html`<p class="notice">The proof failed: ${num('differingPackets', proof.differingPackets)} packets' outcomes differ under the proposal.</p>`;
  return html`<p>Proven on the traffic: ${num('proofReplayed', proof.replayed)} packets replayed through both rulesets, every verdict, NAT, mark, LOG line and rewrite and the final conntrack table identical.</p>`;
}

function orderingSection(o: OrderingReport | undefined): Html | '' {
  if (o === undefined) return '';
  const saved = o.costBefore - o.costAfter;
  const max = o.chains.reduce((m, c) => Math.max(m, c.before, c.after), 0);
  const chains = o.chains.map(
    (c) =>
      html`<tr data-table="${c.table}" data-chain="${c.chain}"><td>${c.table}</td><td>${c.chain}</td><td>${pairBar(c.before, c.after, max)}</td><td class="r">${num('before', c.before, decimalText(c.before, 4))}</td><td class="r">${num('after', c.after, decimalText(c.after, 4))}</td><td class="r">${num('moves', c.moves)}</td></tr>`,
  );
  const anomalies = o.anomalies.map(
    (a) =>
      html`<tr data-table="${a.table}" data-chain="${a.chain}" data-rule="${a.rule}"><td>${a.kind}</td><td>${a.table} ${a.chain} #${a.rule}</td><td><code>${a.text}</code></td><td>${a.by.map((b) => html`<div>#${b.rule} <code>${b.text}</code></div>`)}</td></tr>`,
  );
  return html`<section id="ordering"><h2>Rule ordering proposal</h2><p class="sub">From ${num('windowPackets', o.window.packets)} packets from ${isoText(o.window.firstSec)} to ${isoText(o.window.lastSec)}; a rule not hit is only not hit in this capture.</p>
<p>rules evaluated per packet: <span class="big">${num('costBefore', o.costBefore, decimalText(o.costBefore, 4))}</span> now, <span class="big">${num('costAfter', o.costAfter, decimalText(o.costAfter, 4))}</span> reordered, saving ${num('saved', saved, decimalText(saved, 4))} (${num('savedFraction', o.costBefore > 0 ? saved / o.costBefore : 0, percentText(o.costBefore > 0 ? saved / o.costBefore : 0))})</p>
${proofText(o.proof)}
${chains.length > 0 ? html`<table class="ordering"><thead><tr><th>table</th><th>chain</th><th>before (grey) / after (green)</th><th class="r">before</th><th class="r">after</th><th class="r">rules moved</th></tr></thead><tbody>${chains}</tbody></table>` : ''}
${anomalies.length > 0 ? html`<h3>Shadowed and redundant rules</h3><table class="anomalies"><thead><tr><th>kind</th><th>rule</th><th>text</th><th>covered by</th></tr></thead><tbody>${anomalies}</tbody></table>` : ''}</section>`;
}

function capacitySection(cap: CapacityReport | undefined): Html | '' {
  if (cap === undefined) return '';
  const rows = cap.projections.map(
    (p) =>
      html`<tr data-scale="${p.scale}"><td class="r">×${num('scale', p.scale, decimalText(p.scale, 3))}</td><td class="r">${num('ppsPeak', p.ppsPeak, decimalText(p.ppsPeak, 2))}</td><td class="r">${num('newConnsPeak', p.newConnsPeak, decimalText(p.newConnsPeak, 2))}</td><td>${limitBar(p.conntrackPeak, cap.conntrackMax)}</td><td class="r">${num('conntrackPeak', p.conntrackPeak)}</td><td class="r">${p.fullAtSec === null ? html`<span data-field="fullAtSec" data-v="null">never</span>` : num('fullAtSec', p.fullAtSec, secondsText(p.fullAtSec))}</td><td class="r">${p.cpuFraction === null ? html`<span data-field="cpuFraction" data-v="null">no calibration</span>` : num('cpuFraction', p.cpuFraction, percentText(p.cpuFraction))}</td></tr>`,
  );
  const calibration =
    cap.calibration === null
      ? html`No calibration given: no CPU estimate.`
      : html`CPU from the calibration <b data-field="calibration">${cap.calibration.name}</b>: ${num('nsPerRule', cap.calibration.nsPerRule, `${decimalText(cap.calibration.nsPerRule, 3)} ns`)} per rule evaluated.`;
  return html`<section id="capacity"><h2>Capacity projections</h2><p class="sub">The capture's traffic at several times its rate, against a conntrack table of ${num('conntrackMax', cap.conntrackMax)} entries. ${calibration}</p>
<table class="capacity"><thead><tr><th class="r">scale</th><th class="r">peak packets/s</th><th class="r">peak new conns/s</th><th>conntrack peak / max</th><th class="r">conntrack peak</th><th class="r">table full at</th><th class="r">CPU (one core)</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

/** The sections after the rule hits, those with data. */
export function analysisSections(data: ReportData): Html {
  return html`${histogramsSection(data)}${chainCostSection(data)}${conntrackSection(data)}${trafficSection(data)}${orderingSection(data.ordering)}${capacitySection(data.capacity)}`;
}
