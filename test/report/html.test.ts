/**
 * The HTML report's renderer: everything from rules escaped, no external reference, the
 * same data giving the same bytes, sections present exactly when their data is, and the
 * numbers in data-v equal to the data's.
 */
import { describe, expect, it } from 'vitest';
import * as hdr from 'hdr-histogram-js';
import { ReplayHistograms } from '../../src/engine/histograms.js';
import { counterTablesWithText } from '../../src/report/counters.js';
import { histogramBins } from '../../src/report/hdr-bins.js';
import { escapeHtml, html, Html, isoText, countText } from '../../src/report/html-kit.js';
import { renderHtmlReport } from '../../src/report/html.js';
import { kubeBalance } from '../../src/report/kube.js';
import type { ReportData } from '../../src/report/report-data.js';
import { niceTicks } from '../../src/report/svg.js';
import { loadRulesetText } from '../../src/rules/index.js';

const HOSTILE = '</script><img src=x onerror=alert(1)>';

const RULES = [
  '*filter',
  ':INPUT DROP [0:0]',
  ':FORWARD DROP [0:0]',
  ':OUTPUT ACCEPT [0:0]',
  ':<svg/onload=alert(2)> - [0:0]',
  `-A INPUT -i "<if>" -m comment --comment "${HOSTILE}" -j ACCEPT`,
  `-A INPUT -p tcp -j LOG --log-prefix "<b>\\"'&x"`,
  '-A INPUT -j <svg/onload=alert(2)>',
  '-A <svg/onload=alert(2)> -p udp -j ACCEPT',
  'COMMIT',
  '*nat',
  ':PREROUTING ACCEPT [0:0]',
  ':INPUT ACCEPT [0:0]',
  ':OUTPUT ACCEPT [0:0]',
  ':POSTROUTING ACCEPT [0:0]',
  ':KUBE-SVC-A - [0:0]',
  ':KUBE-SEP-1 - [0:0]',
  ':KUBE-SEP-2 - [0:0]',
  '-A PREROUTING -p tcp --dport 80 -j KUBE-SVC-A',
  '-A KUBE-SVC-A -m comment --comment "ns/<web>:http -> 10.0.0.2:80" -m statistic --mode random --probability 0.5 -j KUBE-SEP-1',
  '-A KUBE-SVC-A -m comment --comment "ns/<web>:http -> 10.0.0.3:80" -j KUBE-SEP-2',
  '-A KUBE-SEP-1 -p tcp -j DNAT --to-destination 10.0.0.2:80',
  '-A KUBE-SEP-2 -p tcp -j DNAT --to-destination 10.0.0.3:80',
  'COMMIT',
  '',
].join('\n');

/** A report of a made-up replay of RULES with hand-set counters and distributions. */
function reportData(): ReportData {
  const { ruleset } = loadRulesetText(RULES, { source: 'hostile' });
  const filter = ruleset.tables.find((t) => t.name === 'filter')!;
  const input = filter.chains.get('INPUT')!;
  input.rules[0]!.counters.packets = 1234567n;
  input.rules[0]!.counters.bytes = 98765432n;
  input.rules[2]!.counters.packets = 3n;
  input.policyCounters.packets = 40n;
  const nat = ruleset.tables.find((t) => t.name === 'nat')!;
  nat.chains.get('KUBE-SEP-1')!.rules[0]!.counters.packets = 7n;
  nat.chains.get('KUBE-SEP-2')!.rules[0]!.counters.packets = 5n;
  const h = new ReplayHistograms();
  for (let i = 0; i < 500; i++) {
    h.recordRules(1 + (i % 9));
    h.engineNs.recordValue(200 + ((i * 7919) % 50_000));
  }
  return {
    capture: `cap<${HOSTILE}>.pcap`,
    rules: 'rules&.v4',
    statistic: 'sample',
    summary: {
      packetsRead: 1234620,
      replayed: 1234610,
      skipped: { 'skip.arp': 10 },
      malformed: {},
      verdicts: { ACCEPT: 1234570, DROP: 40 },
      notes: { [`note ${HOSTILE}`]: 2 },
      conntrack: { peak: 12, final: 3, occupancy: [[0, 1], [1, 12], [2, 8], [2.5, 3]] },
      window: { firstSec: 1700000000.000001, lastSec: 1700000002.5 },
      histograms: { ...h.json(), chains: [{ table: 'filter', chain: '<svg/onload=alert(2)>', evaluated: 30, perPacket: 0.0001 }, { table: 'filter', chain: 'INPUT', evaluated: 2469220, perPacket: 2 }] },
      seconds: 1.5,
    },
    tables: counterTablesWithText(ruleset, undefined),
    services: kubeBalance(ruleset),
  };
}

/** Every element with data-field in `page`, in order: [field, data-v, text]. */
function numbers(page: string): Array<[string, string, string]> {
  return [...page.matchAll(/<span class="n" data-field="([^"]*)" data-v="([^"]*)">([^<]*)<\/span>/g)].map((m) => [m[1]!, m[2]!, m[3]!]);
}

describe('html kit', () => {
  it('escapes & < > " \' in text and attributes, and only Html passes as it is', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
    const evil = '"><script>alert(1)</script>';
    expect(html`<p title="${evil}">${evil}</p>`.text).toBe('<p title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expect(html`${[html`<b>`, '<i>', 3, null, undefined, false]}`.text).toBe('<b>&lt;i&gt;3');
    expect(html`${new Html('<br>')}`.text).toBe('<br>');
  });

  it('writes counts grouped, fractions to two decimals, times in UTC to the µs', () => {
    expect(countText(1234567)).toBe('1,234,567');
    expect(countText(20.3333333)).toBe('20.33');
    expect(countText(0)).toBe('0');
    expect(isoText(1700000000.000001)).toBe('2023-11-14T22:13:20.000001Z');
    expect(isoText(1700000002.9999996)).toBe('2023-11-14T22:13:23.000000Z');
  });

  it('makes round ticks that reach the maximum', () => {
    expect(niceTicks(14)).toEqual([0, 5, 10, 15]);
    expect(niceTicks(0.7)).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(1, 4, 1)).toEqual([0, 1]);
    expect(niceTicks(0)).toEqual([0, 1]);
  });
});

describe('histogram bins', () => {
  const encode = (values: number[]): string => {
    const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });
    for (const v of values) h.recordValue(v);
    return hdr.encodeIntoCompressedBase64(h);
  };

  it('gives one bar per value over a small range, zeros included', () => {
    expect(histogramBins(encode([0, 0, 2, 2, 2, 5]))).toEqual([
      { from: 0, to: 0, count: 2 },
      { from: 1, to: 1, count: 0 },
      { from: 2, to: 2, count: 3 },
      { from: 3, to: 3, count: 0 },
      { from: 4, to: 4, count: 0 },
      { from: 5, to: 5, count: 1 },
    ]);
  });

  it('gives at most maxBars growing bars over a wide range, every count in one', () => {
    const values = Array.from({ length: 3000 }, (_, i) => 100 + ((i * i * 31) % 2_000_000));
    const bins = histogramBins(encode(values), 40);
    expect(bins.length).toBeLessThanOrEqual(40);
    expect(bins.length).toBeGreaterThan(20);
    expect(bins.reduce((n, b) => n + b.count, 0)).toBe(3000);
    for (let i = 1; i < bins.length; i++) {
      expect(bins[i]!.from).toBe(bins[i - 1]!.to + 1);
      expect(bins[i]!.to - bins[i]!.from).toBeGreaterThanOrEqual(bins[i - 1]!.to - bins[i - 1]!.from - 1);
    }
    expect(bins[0]!.from).toBe(100);
  });

  it('gives no bar for an empty histogram', () => {
    expect(histogramBins(encode([]))).toEqual([]);
  });
});

describe('renderHtmlReport', () => {
  it('escapes every string from the rules and the capture', () => {
    const page = renderHtmlReport(reportData());
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<svg/');
    expect(page).not.toContain('<script');
    expect(page).not.toContain('<b>"');
    expect(page).toContain('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('data-chain="&lt;svg/onload=alert(2)&gt;"');
    expect(page).toContain('-i &lt;if&gt;');
    expect(page).toContain('--log-prefix &quot;&lt;b&gt;\\&quot;\\&#39;&amp;x&quot;');
    expect(page).toContain('ns/&lt;web&gt;:http');
    // Every tag in the page is one the renderer writes.
    const tags = new Set([...page.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1]!.toLowerCase()));
    const allowed = 'html head meta title style body main header h1 h2 h3 h4 p section dl dt dd div span b i small code table colgroup col thead tbody tr th td svg rect line polyline circle text g figure figcaption';
    expect([...tags].filter((t) => !allowed.split(' ').includes(t))).toEqual([]);
  });

  it('refers to nothing outside the page and runs no script', () => {
    const page = renderHtmlReport(reportData());
    expect(page).not.toMatch(/https?:\/\//);
    // Every attribute of every tag (values are in double quotes, which escaping keeps out of them).
    const names = new Set<string>();
    for (const tag of page.matchAll(/<[a-zA-Z][^>]*>/g)) {
      for (const a of tag[0].replace(/^<[a-zA-Z0-9]+/, '').matchAll(/\s([^\s=/>]+)(?:="[^"]*")?/g)) names.add(a[1]!.toLowerCase());
    }
    expect([...names].filter((n) => /^(src|href|xlink:href|action|formaction|srcset|poster|background|data|on.*)$/.test(n))).toEqual([]);
    expect(names.has('data-v')).toBe(true);
    expect(page).not.toMatch(/url\(|@import/);
    expect(page).toContain('<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; base-uri &#39;none&#39;; form-action &#39;none&#39;">');
  });

  it('gives the same bytes for the same data', () => {
    const data = reportData();
    const a = renderHtmlReport(data);
    const b = renderHtmlReport(JSON.parse(JSON.stringify(data)) as ReportData);
    expect(b).toBe(a);
  });

  it('shows every rule and policy counter, the totals, percentiles and balance with their exact values', () => {
    const data = reportData();
    const page = renderHtmlReport(data);
    const input = data.tables.find((t) => t.table === 'filter')!.chains.find((c) => c.chain === 'INPUT')!;
    expect(page).toMatch(/data-chain="INPUT" data-rule="1"><td class="r">1<\/td><td><svg[^]*?data-field="packets" data-v="1234567">1,234,567<\/span>[^]*?data-field="bytes" data-v="98765432">98,765,432</);
    expect(page).toMatch(new RegExp(`data-chain="INPUT" data-rule="policy">[^]*?data-field="packets" data-v="${input.policyPackets}">40<`));
    const nums = numbers(page);
    const first = (field: string): [string, string] => {
      const n = nums.find((x) => x[0] === field)!;
      return [n[1], n[2]];
    };
    expect(first('packetsRead')).toEqual(['1234620', '1,234,620']);
    expect(first('replayed')).toEqual(['1234610', '1,234,610']);
    const h = data.summary.histograms!;
    expect(first('p99')).toEqual([String(h.rulesEvaluated.p99), String(h.rulesEvaluated.p99)]);
    expect(first('conntrackPeak')).toEqual(['12', '12']);
    expect(nums.filter((x) => x[0] === 'connections').map((x) => x[1])).toEqual(['7', '5']);
    expect(nums.filter((x) => x[0] === 'probability').map((x) => x[2])).toEqual(['50.0%', '50.0%']);
    expect(nums.filter((x) => x[0] === 'verdict').map((x) => x[1])).toEqual(['1234570', '40']);
    // Every rule row of the data is on the page once.
    const rows = data.tables.reduce((n, t) => n + t.chains.reduce((m, c) => m + c.rules.length + (c.policy !== null ? 1 : 0), 0), 0);
    expect([...page.matchAll(/<tr[^>]* data-rule="/g)].length).toBe(rows);
  });

  it('leaves out the sections whose data is absent, and the traffic chart of a replay without it', () => {
    const data = reportData();
    const full = renderHtmlReport(data);
    for (const id of ['summary', 'rules', 'histograms', 'chain-cost', 'conntrack', 'services']) expect(full).toContain(`<section id="${id}">`);
    for (const id of ['traffic', 'ordering', 'capacity']) expect(full).not.toContain(`<section id="${id}">`);
    const bare = renderHtmlReport({ ...data, services: [], summary: { ...data.summary, histograms: undefined, conntrack: undefined } });
    for (const id of ['histograms', 'chain-cost', 'conntrack', 'services', 'traffic']) expect(bare).not.toContain(`<section id="${id}">`);
    expect(bare).toContain('<section id="rules">');
  });

  it('shows the replies of a replay that sent them, and only then', () => {
    const data = reportData();
    expect(renderHtmlReport(data)).not.toContain('Replies sent');
    data.summary.replies = { sent: { 'tcp-reset': 3 }, verdicts: { ACCEPT: 2, DROP: 1 }, notSent: { 'answers-a-rst': 1 } };
    const page = renderHtmlReport(data);
    expect(page).toContain('<dt>Replies sent</dt>');
    const nums = numbers(page);
    expect(nums.filter((x) => x[0].startsWith('replies.')).map((x) => [x[0], x[1]])).toEqual([
      ['replies.sent', '3'],
      ['replies.verdicts', '2'],
      ['replies.verdicts', '1'],
      ['replies.notSent', '1'],
    ]);
  });

  it('draws packets/s and new connections/s from the traffic bins', () => {
    const data = reportData();
    data.summary.traffic = { binSeconds: 0.5, points: [[0, 10, 1000, 2], [0.5, 31, 4000, 7], [1, 4, 300, 0]] };
    const page = renderHtmlReport(data);
    expect(page).toContain('<section id="traffic">');
    const traffic = page.slice(page.indexOf('<section id="traffic">'));
    expect(traffic).toContain('data-field="ppsPeak" data-v="62"');
    expect(traffic).toContain('data-field="newConnsPeak" data-v="14"');
    expect(traffic.match(/data-points="3"/g)).toHaveLength(2);
  });

  it('shows the ordering proposal with its saving, and the capacity projections', () => {
    const data = reportData();
    data.ordering = {
      window: { packets: 1234610, firstSec: 1700000000, lastSec: 1700000002.5 },
      costBefore: 4,
      costAfter: 3,
      chains: [{ table: 'filter', chain: 'INPUT', before: 3.5, after: 2.5, moves: 2 }],
      anomalies: [{ kind: 'shadowed', table: 'filter', chain: 'INPUT', rule: 3, text: `-m comment --comment "${HOSTILE}" -j DROP`, by: [{ rule: 1, text: '-j ACCEPT' }] }],
    };
    data.capacity = {
      conntrackMax: 262144,
      calibration: { name: `calib<${HOSTILE}>.json`, nsPerRule: 12.5 },
      projections: [
        { scale: 1, ppsPeak: 62, newConnsPeak: 14, conntrackPeak: 12, fullAtSec: null, cpuFraction: 0.0001 },
        { scale: 100000, ppsPeak: 6200000, newConnsPeak: 1400000, conntrackPeak: 1200000, fullAtSec: 0.42, cpuFraction: null },
      ],
    };
    const page = renderHtmlReport(data);
    const ordering = page.slice(page.indexOf('<section id="ordering">'), page.indexOf('<section id="capacity">'));
    expect(ordering).toContain('data-field="saved" data-v="1"');
    expect(ordering).toContain('data-field="savedFraction" data-v="0.25">25.0%');
    expect(ordering).toContain('data-field="moves" data-v="2"');
    expect(ordering).toContain('shadowed');
    const capacity = page.slice(page.indexOf('<section id="capacity">'));
    expect(capacity).toContain('data-field="fullAtSec" data-v="null">never');
    expect(capacity).toContain('data-field="fullAtSec" data-v="0.42">0.42 s');
    expect(capacity).toContain('data-field="cpuFraction" data-v="null">no calibration');
    expect(capacity).toContain('class="over"');
    expect(page).not.toContain('<img');
  });

  it('gives the chains that cost most first', () => {
    const data = reportData();
    const page = renderHtmlReport(data);
    const cost = page.slice(page.indexOf('<section id="chain-cost">'), page.indexOf('<section id="conntrack">'));
    expect([...cost.matchAll(/<tr data-table="filter" data-chain="([^"]*)"/g)].map((m) => m[1])).toEqual(['INPUT', '&lt;svg/onload=alert(2)&gt;']);
  });
});
