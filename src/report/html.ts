/**
 * `--report FILE.html`: one self-contained page of a replay's results, for a person to look
 * at. Everything is inline (style, SVG charts built here); the page has no script and a
 * Content-Security-Policy that forbids fetching anything, so opening it contacts nothing.
 * The same data gives the same bytes. Sections whose data is absent are left out.
 */
import { countText, decimalText, html, Html, isoText, num, percentText } from './html-kit.js';
import { analysisSections } from './html-analysis.js';
import type { ReportData } from './report-data.js';
import type { RuleWithText, TableCounters } from './counters.js';
import type { ServiceBalance } from './kube.js';
import { hbar, shareBar, stackedBar } from './svg.js';

/** Nothing may be loaded or run: only the inline style applies. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

const STYLE = new Html(`
:root{--fg:#1d2330;--muted:#6b7280;--line:#e3e6eb;--bg:#f6f7f9;--card:#fff;--accept:#2f9e64;--drop:#d6453d;--other:#e0a030;--pk:#3a6fd8;--by:#9b6bd6;--before:#a8b0bd;--after:#2f9e64}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1180px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:0 0 12px}h3{font-size:15px;margin:18px 0 6px}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:18px 20px;margin:0 0 18px}
.sub{color:var(--muted);margin:0 0 12px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;margin:0 0 14px}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;word-break:break-all}
.notice{background:#fff7e6;border-left:4px solid var(--other);padding:6px 10px;margin:6px 0}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:3px 8px;border-bottom:1px solid var(--line);vertical-align:middle}
th{color:var(--muted);font-weight:600;font-size:12px}
td.r,th.r{text-align:right;white-space:nowrap}
td code{font:12px/1.3 ui-monospace,SFMono-Regular,Menlo,monospace;word-break:break-all}
tr.zero td{color:var(--muted)}tr.policy td{font-style:italic;background:#fafbfc}
.chainhead{display:flex;gap:12px;align-items:baseline;margin:16px 0 4px}.chainhead h4{margin:0;font-size:14px}
.chainhead span{color:var(--muted);font-size:12px}
svg.hb{width:120px;height:10px;display:block}
table.rules{table-layout:fixed}col.c-num{width:44px}col.c-bar{width:136px}col.c-count{width:96px}
.stats{display:flex;flex-wrap:wrap;gap:4px 16px;margin:0 0 8px}.stats div{display:flex;flex-direction:column}.stats small{color:var(--muted);font-size:11px}
svg .track{fill:#eef0f3}svg .pk{fill:var(--pk)}svg .by{fill:var(--by)}svg .before{fill:var(--before)}svg .after{fill:var(--after)}
svg .over{fill:var(--drop)}svg .expected{stroke:var(--fg);stroke-width:2}
svg.chart{max-width:100%;height:auto;display:block}
svg .grid{stroke:var(--line)}svg .axis{stroke:var(--muted)}svg .tick,svg .label,svg .legend text{fill:var(--muted);font-size:11px}
svg .col{fill:var(--pk)}
polyline.l1{stroke:var(--pk);stroke-width:2}circle.l1,rect.l1{fill:var(--pk)}
polyline.l2{stroke:var(--by);stroke-width:2}circle.l2,rect.l2{fill:var(--by)}
.v-ACCEPT{fill:var(--accept)}.v-DROP{fill:var(--drop)}.v-other{fill:var(--other)}
.legend-row{display:flex;flex-wrap:wrap;gap:6px 18px;margin:6px 0 0}
.sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px}
.sw.v-ACCEPT{background:var(--accept)}.sw.v-DROP{background:var(--drop)}.sw.v-other{background:var(--other)}
.figs{display:flex;flex-wrap:wrap;gap:18px}figure{margin:0;flex:1 1 520px}figcaption{color:var(--muted);margin:4px 0 8px}
.big{font-size:20px;font-weight:600}
`);

function verdictClass(verdict: string): string {
  return verdict === 'ACCEPT' || verdict === 'DROP' ? `v-${verdict}` : 'v-other';
}

/** Name → count pairs in name order, as "name count" items. */
function countList(field: string, counts: Record<string, number>): Html {
  const keys = Object.keys(counts).sort();
  if (keys.length === 0) return html`none`;
  return html`${keys.map((k, i) => html`${i > 0 ? ', ' : ''}<span data-key="${k}">${k} ${num(field, counts[k]!)}</span>`)}`;
}

function header(data: ReportData): Html {
  const s = data.summary;
  const skipped = Object.values(s.skipped).reduce((n, v) => n + v, 0);
  const verdicts = Object.entries(s.verdicts);
  const w = s.window;
  const notices: Html[] = [];
  if (data.statistic === 'expected') {
    notices.push(html`<p class="notice">Counters are <b>expected values</b> over every branch of the <code>statistic --mode random</code> draws (${s.expected?.worlds ?? 0} replays), hence fractional.${s.histograms === undefined ? ' The cost per packet comes from a sampled replay: --statistic sample gives it.' : ''}</p>`);
  }
  if (s.interrupted) notices.push(html`<p class="notice">Interrupted: everything covers the first ${countText(s.packetsRead)} packets read only.</p>`);
  if (s.damage) notices.push(html`<p class="notice">Capture damaged at byte ${s.damage.offset}: ${s.damage.message}. Results cover the packets before it.</p>`);
  if (Object.keys(s.notes).length > 0) notices.push(html`<p class="notice">Not modelled, counted: ${countList('note', s.notes)}</p>`);
  const e = s.egress;
  if (e !== undefined && (e.observed > 0 || e.notObserved > 0)) {
    notices.push(html`<p class="notice">Egress check: ${num('egress.observed', e.observed)} forwarded packets seen leaving, ${num('egress.matched', e.matched)} as the replay forwarded them, ${num('egress.mismatches', e.differs + e.predictedDropped + e.unexplained + e.notObserved)} not.</p>`);
  }
  return html`<header><h1>nfreplay report</h1><p class="sub">${data.capture} through ${data.rules}</p></header>
<section id="summary"><h2>Replay</h2><dl class="facts">
<dt>Capture</dt><dd>${data.capture}</dd>
<dt>Ruleset</dt><dd>${data.rules}</dd>
<dt>Packets read</dt><dd>${num('packetsRead', s.packetsRead)}</dd>
<dt>Replayed</dt><dd>${num('replayed', s.replayed)}</dd>
<dt>Not replayed</dt><dd>${num('skippedTotal', skipped)}${skipped > 0 ? html` (${countList('skipped', s.skipped)})` : ''}</dd>
<dt>Dropped before PREROUTING (malformed)</dt><dd>${countList('malformed', s.malformed)}</dd>
${s.replies !== undefined ? html`<dt>Replies sent</dt><dd>${countList('replies.sent', s.replies.sent)}; their verdicts ${countList('replies.verdicts', s.replies.verdicts)}; not sent ${countList('replies.notSent', s.replies.notSent)}</dd>` : ''}
${w !== undefined ? html`<dt>Capture window</dt><dd>${isoText(w.firstSec)} → ${isoText(w.lastSec)} (${num('windowSeconds', Math.round((w.lastSec - w.firstSec) * 1e6) / 1e6, `${decimalText(w.lastSec - w.firstSec, 3)} s`)})</dd>` : ''}
<dt>Replay time</dt><dd>${num('seconds', s.seconds, `${decimalText(s.seconds, 3)} s`)}${s.threads !== undefined && s.threads.workers > 1 ? ` on ${s.threads.workers} threads` : ''}</dd>
</dl>
<h3>Verdicts</h3>
${stackedBar(verdicts.map(([v, n]) => ({ cls: verdictClass(v), value: n, title: `${v}: ${countText(n)}` })))}
<div class="legend-row">${verdicts.map(([v, n]) => html`<span data-verdict="${v}"><i class="sw ${verdictClass(v)}"></i>${v} ${num('verdict', n)} (${percentText(s.replayed > 0 ? n / s.replayed : 0)})</span>`)}</div>
${notices}</section>`;
}

/** The largest of `values`, at least 1 (so a table without hits draws empty bars). */
function maxOf(values: readonly number[]): number {
  return values.reduce((m, v) => Math.max(m, v), 0) || 1;
}

function ruleRow(table: string, chain: string, r: RuleWithText, maxPackets: number, maxBytes: number): Html {
  return html`<tr data-table="${table}" data-chain="${chain}" data-rule="${r.rulenum}"${r.packets === 0 ? new Html(' class="zero"') : ''}><td class="r">${r.rulenum}</td><td>${hbar(r.packets / maxPackets, 'pk')}</td><td class="r">${num('packets', r.packets)}</td><td>${hbar(r.bytes / maxBytes, 'by')}</td><td class="r">${num('bytes', r.bytes)}</td><td><code>${r.text}</code></td></tr>`;
}

/** Every chain of one table in order: a bar per rule for packets and bytes, the policy last. */
function tableRules(t: TableCounters<RuleWithText>): Html {
  const maxPackets = maxOf(t.chains.flatMap((c) => [c.policyPackets, ...c.rules.map((r) => r.packets)]));
  const maxBytes = maxOf(t.chains.flatMap((c) => [c.policyBytes, ...c.rules.map((r) => r.bytes)]));
  const chains = t.chains.map((c) => {
    const unhit = c.rules.filter((r) => r.packets === 0).length;
    const policy =
      c.policy !== null
        ? html`<tr class="policy" data-table="${t.table}" data-chain="${c.chain}" data-rule="policy"><td></td><td>${hbar(c.policyPackets / maxPackets, 'pk')}</td><td class="r">${num('packets', c.policyPackets)}</td><td>${hbar(c.policyBytes / maxBytes, 'by')}</td><td class="r">${num('bytes', c.policyBytes)}</td><td>policy ${c.policy}</td></tr>`
        : '';
    return html`<div class="chainhead"><h4>${c.chain}</h4><span>${c.policy !== null ? `policy ${c.policy}, ` : ''}${c.rules.length} rule${c.rules.length === 1 ? '' : 's'}${unhit > 0 ? `, ${unhit} never hit` : ''}</span></div>
<table class="rules"><colgroup><col class="c-num"><col class="c-bar"><col class="c-count"><col class="c-bar"><col class="c-count"><col></colgroup><thead><tr><th class="r">#</th><th colspan="2">packets</th><th colspan="2">bytes</th><th>rule</th></tr></thead><tbody>${c.rules.map((r) => ruleRow(t.table, c.chain, r, maxPackets, maxBytes))}${policy}</tbody></table>`;
  });
  return html`<h3>table ${t.table}</h3>${chains}`;
}

function rulesSection(data: ReportData): Html {
  return html`<section id="rules"><h2>Rule hits</h2><p class="sub">Every chain in the order iptables-save lists it; bars are to scale within a table (the longest is its most-hit rule). A rule never hit was not hit by this capture.</p>${data.tables.map(tableRules)}</section>`;
}

function serviceTable(s: ServiceBalance): Html {
  const rows = s.endpoints.map((e) => {
    const share = s.connections > 0 ? e.connections / s.connections : 0;
    return html`<tr data-service="${s.service}" data-endpoint="${e.endpoint}"><td>${e.endpoint}</td><td><code>${e.chain}</code></td><td class="r">${num('connections', e.connections)}</td><td>${shareBar(share, e.probability)}</td><td class="r">${num('share', share, percentText(share))}</td><td class="r">${num('probability', e.probability, percentText(e.probability))}</td></tr>`;
  });
  return html`<h3 data-service="${s.service}">${s.service} <code>${s.chain}</code>: ${num('serviceConnections', s.connections)} connection${s.connections === 1 ? '' : 's'}</h3>
<table class="services"><thead><tr><th>endpoint</th><th>chain</th><th class="r">connections</th><th>share (bar) vs expected (mark)</th><th class="r">share</th><th class="r">expected</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function servicesSection(data: ReportData): Html | '' {
  if (data.services === undefined || data.services.length === 0) return '';
  return html`<section id="services"><h2>kube-proxy endpoint balance</h2><p class="sub">Connections each endpoint's DNAT rule counted, against the share the <code>statistic</code> ladder of its service gives it.</p>${data.services.map(serviceTable)}</section>`;
}

export function renderHtmlReport(data: ReportData): string {
  const page = html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${CSP}"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer">
<title>nfreplay report: ${data.capture}</title><style>${STYLE}</style></head>
<body><main>
${header(data)}
${rulesSection(data)}
${analysisSections(data)}
${servicesSection(data)}
</main></body></html>
`;
  return page.text;
}
