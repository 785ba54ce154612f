/**
 * The HTML report in a real browser (Debian's chromium, driven by playwright-core): the
 * reports of real replays (the demo, and the kube-proxy case the kernel recorded) render
 * their charts at a visible size, load nothing from anywhere, and show the numbers the
 * same run's `--output json` gives.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The page's globals, as the functions given to page.evaluate() see them. */
declare const document: { querySelectorAll(selector: string): ArrayLike<PageElement> };
interface PageElement {
  readonly dataset: Record<string, string | undefined>;
  readonly textContent: string | null;
  readonly localName: string;
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  closest(selector: string): PageElement | null;
  getBoundingClientRect(): { width: number; height: number };
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'nfr-report-'));
let context: BrowserContext;

beforeAll(async () => {
  context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Counts {
  packets: number;
  bytes: number;
}
interface ReplayJson {
  summary: {
    packetsRead: number;
    replayed: number;
    verdicts: Record<string, number>;
    conntrack?: { peak: number; final: number; occupancy?: Array<[number, number]> };
    histograms: Record<'rulesEvaluated' | 'engineNs', Record<string, number>> & { chains: Array<{ table: string; chain: string; evaluated: number; perPacket: number }> };
  };
  tables: Array<{ table: string; chains: Array<{ chain: string; policy: string | null; policyPackets: number; policyBytes: number; rules: Array<Counts & { rulenum: number }> }> }>;
  services?: Array<{ service: string; connections: number; endpoints: Array<{ endpoint: string; probability: number; connections: number }> }>;
}

/** `nfreplay replay ... --output json --report FILE`: the JSON and the report's path. */
function replay(name: string, args: string[]): { json: ReplayJson; report: string } {
  const report = join(dir, `${name}.html`);
  const r = spawnSync(process.execPath, [CLI, 'replay', ...args, '--output', 'json', '--report', report, '-q'], { cwd: ROOT, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return { json: JSON.parse(r.stdout) as ReplayJson, report };
}

/** What the page shows: every number with its context, and the size of every chart and of its marks. */
interface Shown {
  numbers: Array<{ field: string; v: string; text: string; table?: string; chain?: string; rule?: string; histogram?: string; section?: string; service?: string; endpoint?: string; verdict?: string }>;
  charts: Array<{ title: string; width: number; height: number; visibleMarks: number; columnCounts: number[]; points: number[] }>;
  /** Widths in pixels of the packet bars of rule rows, by "table chain rule". */
  bars: Record<string, number>;
}

async function open(report: string): Promise<{ shown: Shown; requests: string[] }> {
  const page = await context.newPage();
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });
  const shown = await page.evaluate((): Shown => {
    const all = (el: { querySelectorAll(s: string): ArrayLike<PageElement> }, s: string): PageElement[] => Array.from(el.querySelectorAll(s));
    const numbers = all(document, '[data-field]').map((el) => {
      const ctx = (attr: string): string | undefined => el.closest(`[data-${attr}]`)?.getAttribute(`data-${attr}`) ?? undefined;
      return {
        field: el.dataset.field!,
        v: el.dataset.v!,
        text: el.textContent ?? '',
        table: ctx('table'),
        chain: ctx('chain'),
        rule: ctx('rule'),
        histogram: ctx('histogram'),
        service: ctx('service'),
        endpoint: ctx('endpoint'),
        verdict: ctx('verdict'),
        section: el.closest('section')?.getAttribute('id') ?? undefined,
      };
    });
    const charts = all(document, 'svg.chart').map((svg) => {
      const box = svg.getBoundingClientRect();
      const marks = all(svg, 'rect.col, polyline, circle, rect[class^="v-"]').filter((m) => {
        const b = m.getBoundingClientRect();
        return m.localName === 'polyline' ? b.width > 0 || b.height > 0 : b.width > 0 && b.height > 0;
      });
      return {
        title: svg.querySelector('title')?.textContent ?? '',
        width: box.width,
        height: box.height,
        visibleMarks: marks.length,
        columnCounts: all(svg, 'rect.col').map((r) => Number(r.dataset.count)),
        points: all(svg, 'g[data-points]').map((g) => Number(g.dataset.points)),
      };
    });
    const bars: Record<string, number> = {};
    for (const tr of all(document, '#rules tr[data-rule]')) {
      bars[`${tr.dataset.table} ${tr.dataset.chain} ${tr.dataset.rule}`] = tr.querySelector('rect.pk')!.getBoundingClientRect().width;
    }
    return { numbers, charts, bars };
  });
  await page.close();
  return { shown, requests };
}

/** The one number shown for `field` in the context `where`. */
function one(shown: Shown, field: string, where: Partial<Shown['numbers'][number]> = {}): Shown['numbers'][number] {
  const found = shown.numbers.filter((n) => n.field === field && Object.entries(where).every(([k, v]) => n[k as keyof typeof n] === v));
  expect(found, `${field} ${JSON.stringify(where)}`).toHaveLength(1);
  return found[0]!;
}

/** A whole count as the page writes it, back to a number. */
function countOf(text: string): number {
  return Number(text.replace(/,/g, ''));
}

function checkReport(json: ReplayJson, shown: Shown, requests: string[], report: string): void {
  // Nothing but the file itself was requested.
  expect(requests).toEqual([pathToFileURL(report).href]);

  // Every chart is on screen with visible marks; histogram columns hold every packet.
  expect(shown.charts.length).toBeGreaterThanOrEqual(3);
  for (const c of shown.charts) {
    expect(c.width, c.title).toBeGreaterThan(100);
    expect(c.height, c.title).toBeGreaterThan(10);
    expect(c.visibleMarks, c.title).toBeGreaterThan(0);
  }
  const h = json.summary.histograms;
  const columns = (title: string): number[] => shown.charts.find((c) => c.title === title)!.columnCounts;
  expect(columns('rules evaluated per packet').reduce((a, b) => a + b, 0)).toBe(h.rulesEvaluated.count);
  expect(columns('engine time per packet').reduce((a, b) => a + b, 0)).toBe(h.engineNs.count);

  // Totals and verdicts.
  for (const f of ['packetsRead', 'replayed'] as const) {
    const n = one(shown, f);
    expect(Number(n.v)).toBe(json.summary[f]);
    expect(countOf(n.text)).toBe(json.summary[f]);
  }
  for (const [verdict, count] of Object.entries(json.summary.verdicts)) expect(countOf(one(shown, 'verdict', { verdict }).text)).toBe(count);

  // Every rule's and policy's packets and bytes, in the JSON's order; a hit has a visible bar.
  const rows = shown.numbers.filter((n) => n.section === 'rules' && n.field === 'packets');
  const expected: string[] = [];
  for (const t of json.tables) {
    for (const c of t.chains) {
      const entries: Array<[string, Counts]> = c.rules.map((r) => [String(r.rulenum), r]);
      if (c.policy !== null) entries.push(['policy', { packets: c.policyPackets, bytes: c.policyBytes }]);
      for (const [rule, counts] of entries) {
        expected.push(`${t.table} ${c.chain} ${rule}`);
        const where = { section: 'rules', table: t.table, chain: c.chain, rule };
        expect(countOf(one(shown, 'packets', where).text), `${t.table} ${c.chain} ${rule}`).toBe(counts.packets);
        expect(Number(one(shown, 'packets', where).v)).toBe(counts.packets);
        expect(countOf(one(shown, 'bytes', where).text)).toBe(counts.bytes);
        const bar = shown.bars[`${t.table} ${c.chain} ${rule}`]!;
        if (counts.packets > 0) expect(bar).toBeGreaterThan(0);
        else expect(bar).toBe(0);
      }
    }
  }
  expect(rows.map((n) => `${n.table} ${n.chain} ${n.rule}`)).toEqual(expected);

  // Percentiles of both distributions; the rule counts written as they are.
  for (const name of ['rulesEvaluated', 'engineNs'] as const) {
    for (const p of ['count', 'mean', 'p50', 'p90', 'p99', 'p99.9', 'max']) {
      const n = one(shown, p, { histogram: name });
      expect(Number(n.v), `${name} ${p}`).toBe(h[name][p]);
      if (name === 'rulesEvaluated') expect(countOf(n.text)).toBe(h[name][p]);
      else if (p !== 'count') expect(n.text).toMatch(/^[\d.,]+ (ns|µs|ms|s)$/);
    }
  }

  // Cost per chain: every chain with rules tested, its rules per packet.
  const costs = shown.numbers.filter((n) => n.section === 'chain-cost' && n.field === 'perPacket');
  expect(costs.length).toBe(h.chains.filter((c) => c.evaluated > 0).length);
  for (const c of h.chains.filter((x) => x.evaluated > 0)) expect(Number(one(shown, 'perPacket', { section: 'chain-cost', table: c.table, chain: c.chain }).v)).toBe(c.perPacket);

  // Conntrack occupancy: the peak, and a point drawn for every sample.
  const ct = json.summary.conntrack!;
  expect(countOf(one(shown, 'conntrackPeak').text)).toBe(ct.peak);
  expect(countOf(one(shown, 'conntrackFinal').text)).toBe(ct.final);
  expect(shown.charts.find((c) => c.title === 'conntrack entries over capture time')!.points).toEqual([ct.occupancy!.length]);
}

describe('the HTML report in Chromium', () => {
  it('of the demo replay: charts drawn, nothing fetched, the numbers of the JSON', async () => {
    const { json, report } = replay('demo', ['captures/demo.pcap', '--rules', 'captures/demo.rules']);
    const { shown, requests } = await open(report);
    checkReport(json, shown, requests, report);
    expect(json.services).toBeUndefined();
    expect(shown.numbers.filter((n) => n.section === 'services')).toEqual([]);
  }, 60_000);

  it('of the kube-proxy case: the endpoint balance of the JSON', async () => {
    const c = join('test', 'differential', 'cases', 'kube-random');
    const { json, report } = replay('kube', [join(c, 'capture.pcap'), '--rules', join(c, 'rules.v4'), '--host', join(c, 'host.json')]);
    const { shown, requests } = await open(report);
    checkReport(json, shown, requests, report);
    expect(json.services!.length).toBeGreaterThan(0);
    for (const s of json.services!) {
      expect(countOf(one(shown, 'serviceConnections', { service: s.service }).text)).toBe(s.connections);
      for (const e of s.endpoints) {
        const where = { service: s.service, endpoint: e.endpoint };
        expect(countOf(one(shown, 'connections', where).text)).toBe(e.connections);
        expect(Number(one(shown, 'probability', where).v)).toBe(e.probability);
        expect(one(shown, 'probability', where).text).toBe(`${(100 * e.probability).toFixed(1)}%`);
        expect(one(shown, 'share', where).text).toBe(`${((100 * e.connections) / s.connections).toFixed(1)}%`);
      }
    }
  }, 60_000);
});

/** `nfreplay COMMAND ... --output json --report FILE`: the JSON and the report's path. */
function analysis<T>(name: string, args: string[]): { json: T; report: string } {
  const report = join(dir, `${name}.html`);
  const r = spawnSync(process.execPath, [CLI, ...args, '--output', 'json', '--report', report], { cwd: ROOT, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return { json: JSON.parse(r.stdout) as T, report };
}

/** Every chart on screen, with visible marks; nothing but the file requested. */
function checkDrawn(shown: Shown, requests: string[], report: string): void {
  expect(requests).toEqual([pathToFileURL(report).href]);
  for (const c of shown.charts) {
    expect(c.width, c.title).toBeGreaterThan(100);
    expect(c.height, c.title).toBeGreaterThan(10);
    expect(c.visibleMarks, c.title).toBeGreaterThan(0);
  }
}

describe('the order and capacity pages in Chromium', () => {
  it('of nfreplay order on the demo: the proposal, its proof and its savings per chain are the JSON\'s', async () => {
    interface OrderJson {
      summary: { traffic: { points: unknown[] } };
      ordering: { costBefore: number; costAfter: number; window: { packets: number }; proof: { replayed: number }; chains: Array<{ table: string; chain: string; before: number; after: number; moves: number }> };
    }
    const { json, report } = analysis<OrderJson>('order', ['order', 'captures/demo.pcap', '--rules', 'captures/demo.rules', '-q']);
    const { shown, requests } = await open(report);
    checkDrawn(shown, requests, report);
    const o = json.ordering;
    expect(Number(one(shown, 'costBefore').v)).toBe(o.costBefore);
    expect(Number(one(shown, 'costAfter').v)).toBe(o.costAfter);
    expect(Number(one(shown, 'windowPackets').v)).toBe(o.window.packets);
    expect(countOf(one(shown, 'proofReplayed').text)).toBe(o.proof.replayed);
    expect(o.chains.some((c) => c.moves > 0)).toBe(true);
    for (const c of o.chains) {
      const where = { section: 'ordering', table: c.table, chain: c.chain };
      expect(Number(one(shown, 'before', where).v)).toBe(c.before);
      expect(Number(one(shown, 'after', where).v)).toBe(c.after);
      expect(countOf(one(shown, 'moves', where).text)).toBe(c.moves);
    }
    // Traffic over time: a point per bin of the JSON's series, in both charts.
    expect(shown.charts.find((c) => c.title === 'packets/s')!.points).toEqual([json.summary.traffic.points.length]);
  }, 60_000);

  it('of nfreplay capacity on the kube-proxy case: the projections of the JSON', async () => {
    interface CapacityJson {
      conntrack: { max: number };
      projections: Array<{ scale: number; packetsPerSecond: { peak: number }; newConnectionsPerSecond: { peak: number }; conntrack: { peak: number } }>;
    }
    const c = join('test', 'differential', 'cases', 'kube-random');
    const { json, report } = analysis<CapacityJson>('capacity', ['capacity', join(c, 'capture.pcap'), '--rules', join(c, 'rules.v4'), '--host', join(c, 'host.json'), '--kube-services', '50']);
    const { shown, requests } = await open(report);
    checkDrawn(shown, requests, report);
    expect(Number(one(shown, 'conntrackMax').v)).toBe(json.conntrack.max);
    expect(json.projections.map((p) => p.scale)).toEqual([2, 5, 10]);
    for (const p of json.projections) {
      const row = shown.numbers.filter((n) => n.section === 'capacity');
      const at = (field: string): number => Number(row.filter((n) => n.field === field)[json.projections.indexOf(p)]!.v);
      expect(at('scale')).toBe(p.scale);
      expect(at('ppsPeak')).toBe(p.packetsPerSecond.peak);
      expect(at('newConnsPeak')).toBe(p.newConnectionsPerSecond.peak);
      expect(at('conntrackPeak')).toBe(p.conntrack.peak);
    }
  }, 60_000);
});
