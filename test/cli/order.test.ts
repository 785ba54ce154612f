/**
 * `nfreplay order` as a user runs it, on a generated capture and a ClassBench-style ACL with
 * a LOG rule, a rate limit and a user chain: the JSON report, the text report, the proposed
 * ruleset (accepted by the real `iptables-restore --test`, and replaying it gives the same
 * verdicts, the same totals per target and the same LOG lines), the diff (which `patch`
 * applies), and the errors.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCapture } from '../../bench/gen/capture.mjs';
import { classbenchRuleset, classbenchServices } from '../../bench/replay-rules.mjs';
import { which } from '../support/tools.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'nfr-order-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function nfreplay(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const capture = join(dir, 'cap.pcap');
const rules = join(dir, 'rules.v4');
const host = join(dir, 'host.json');

/** ClassBench rules between a LOG rule and a rate limit at the top, and a logging chain at the end. */
function ruleset(): string {
  const lines = classbenchRuleset(300, 3).split('\n');
  const start = lines.indexOf(':OUTPUT ACCEPT [0:0]') + 1;
  const end = lines.indexOf('COMMIT');
  return [
    ...lines.slice(0, start),
    ':LOGDROP - [0:0]',
    '-A FORWARD -p icmp -j LOG --log-prefix "icmp "',
    ...lines.slice(start, start + 150),
    '-A FORWARD -p icmp -m limit --limit 100/sec -j ACCEPT',
    ...lines.slice(start + 150, end),
    '-A FORWARD -s 198.51.100.0/24 -j LOGDROP',
    '-A LOGDROP -j LOG --log-prefix "dropped "',
    '-A LOGDROP -j DROP',
    'COMMIT',
    '',
  ].join('\n');
}

beforeAll(() => {
  generateCapture({ out: capture, packets: 20_000, seed: 3, services: classbenchServices(3) });
  writeFileSync(rules, ruleset());
  writeFileSync(
    host,
    JSON.stringify({
      interfaces: [
        { name: 'eth0', addr: '203.0.113.1/24' },
        { name: 'eth1', addr: '10.96.0.1/12' },
      ],
      forward: true,
      routes: [{ dst: '0.0.0.0/0', dev: 'eth0', via: '203.0.113.254' }],
    }),
  );
});

interface Ordering {
  window: { packets: number; read: number; firstSec: number; lastSec: number; spanSec: number };
  costBefore: number;
  costAfter: number;
  costAfterEstimate: number;
  proof: { identical: boolean; replayed: number; differingPackets: number };
  chains: Array<{ table: string; chain: string; before: number; after: number; moves: number; pinned: number; rules: number }>;
  anomalies: Array<{ kind: string; table: string; chain: string; rule: number; text: string; by: Array<{ rule: number; text: string }>; unreachable: boolean }>;
  hot: Array<{ rule: number; packets: number }>;
  neverHit: Array<{ rule: number; text: string }>;
}

/** Packets counted per target (ACCEPT, DROP, LOG, a chain) and per policy, from `replay --output save`. */
function perTarget(save: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of save.split('\n')) {
    const rule = /^\[(\d+):\d+\] -A (\S+) .*-[jg] (\S+)/.exec(line);
    if (rule) out[rule[3]!] = (out[rule[3]!] ?? 0) + Number(rule[1]);
    const policy = /^:(\S+) (ACCEPT|DROP) \[(\d+):/.exec(line);
    if (policy) out[`policy ${policy[1]}`] = Number(policy[3]);
  }
  return out;
}

describe('nfreplay order', () => {
  const written = join(dir, 'proposed.v4');
  const diff = join(dir, 'proposed.diff');
  const page = join(dir, 'order.html');
  let ordering: Ordering;

  beforeAll(() => {
    const r = nfreplay(['order', capture, '--rules', rules, '--host', host, '--write', written, '--diff', diff, '--report', page, '--output', 'json']);
    expect(r.code, r.stderr).toBe(0);
    ordering = (JSON.parse(r.stdout) as { ordering: Ordering }).ordering;
  });

  it('states the observation window, the cost today and the estimated cost after', () => {
    expect(ordering.window.read).toBe(20_000);
    expect(ordering.window.packets).toBeGreaterThan(19_000);
    expect(ordering.window.lastSec).toBeGreaterThan(ordering.window.firstSec);
    expect(ordering.window.spanSec).toBeCloseTo(ordering.window.lastSec - ordering.window.firstSec, 3);
    expect(ordering.costAfter).toBeLessThan(ordering.costBefore);
    const forward = ordering.chains.find((c) => c.table === 'filter' && c.chain === 'FORWARD')!;
    expect(forward.rules).toBe(303);
    expect(forward.moves).toBeGreaterThan(0);
    // The LOG rule and the limit rule keep their places.
    expect(forward.pinned).toBe(1);
  });

  it('proves the proposal on the traffic: every packet compared, the cost after that of a replay of the written file', () => {
    expect(ordering.proof).toEqual({ identical: true, replayed: ordering.window.packets, differingPackets: 0 });
    const after = nfreplay(['replay', capture, '--rules', written, '--host', host, '--output', 'json', '-q']);
    expect(after.code, after.stderr).toBe(0);
    const measured = (JSON.parse(after.stdout) as { summary: { histograms: { rulesEvaluated: { mean: number } } } }).summary.histograms.rulesEvaluated.mean;
    expect(ordering.costAfter).toBeCloseTo(measured, 9);
    // The estimate from the counters is an upper bound of what the replay measures.
    expect(ordering.costAfter).toBeLessThanOrEqual(ordering.costAfterEstimate + 1e-9);
  });

  it('--report: the proposal, its savings per chain and the anomalies on the HTML page are the JSON\'s', () => {
    const html = readFileSync(page, 'utf8');
    const shown = (field: string, within = html): number => Number(new RegExp(`data-field="${field}" data-v="([^"]*)"`).exec(within)![1]);
    expect(shown('costBefore')).toBe(ordering.costBefore);
    expect(shown('costAfter')).toBe(ordering.costAfter);
    expect(shown('windowPackets')).toBe(ordering.window.packets);
    for (const a of ordering.anomalies) expect(html).toContain(`data-table="${a.table}" data-chain="${a.chain}" data-rule="${a.rule}"`);
  });

  it('lists hot rules, rules never hit and the anomalies with their rules', () => {
    expect(ordering.hot.length).toBe(10);
    for (let k = 1; k < ordering.hot.length; k++) expect(ordering.hot[k]!.packets).toBeLessThanOrEqual(ordering.hot[k - 1]!.packets);
    expect(ordering.neverHit.length).toBeGreaterThan(100);
    expect(ordering.anomalies.length).toBeGreaterThan(10);
    for (const a of ordering.anomalies) {
      expect(a.text).toMatch(new RegExp(`^-A ${a.chain} `));
      expect(a.by.length).toBeGreaterThan(0);
      for (const b of a.by) expect(b.text).toMatch(/^-A /);
    }
  });

  it('writes a ruleset iptables-restore --test accepts', () => {
    const unshare = which('unshare');
    const restores = [which('iptables-legacy-restore'), which('iptables-restore')].filter((x): x is string => x !== null);
    expect(unshare).not.toBeNull();
    expect(restores.length).toBeGreaterThan(0);
    for (const restore of restores) {
      // In a network namespace of its own: --test builds the tables without committing them.
      const r = spawnSync(unshare!, ['-n', restore, '--test', written], { encoding: 'utf8' });
      expect(r.status, `${restore}: ${r.stderr}`).toBe(0);
    }
  });

  it('replays the written ruleset to the same verdicts, totals per target and LOG lines', () => {
    const run = (rs: string, tag: string) => {
      const verdicts = join(dir, `${tag}.verdicts`);
      const log = join(dir, `${tag}.log`);
      const r = nfreplay(['replay', capture, '--rules', rs, '--host', host, '--output', 'save', '--verdicts', verdicts, '--log', log, '-q']);
      expect(r.code, r.stderr).toBe(0);
      const outcome = readFileSync(verdicts, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => {
          const { packet, verdict } = JSON.parse(l) as { packet: number; verdict: string };
          return `${packet} ${verdict}`;
        });
      return { outcome, totals: perTarget(r.stdout), log: readFileSync(log, 'utf8') };
    };
    const before = run(rules, 'before');
    const after = run(written, 'after');
    expect(after.outcome).toEqual(before.outcome);
    expect(after.totals).toEqual(before.totals);
    expect(after.log).toBe(before.log);
    expect(before.log).toContain('icmp ');
    expect(before.log).toContain('dropped ');
  });

  it('writes a diff -u that patch applies to the saved ruleset', () => {
    const saved = nfreplay(['rules', 'save', rules]);
    const original = join(dir, 'original.v4');
    writeFileSync(original, saved.stdout);
    const d = readFileSync(diff, 'utf8');
    expect(d.startsWith(`--- ${rules}\n+++ ${written}\n@@ `)).toBe(true);
    const r = spawnSync(which('patch')!, ['-s', '-o', join(dir, 'patched.v4'), original, diff], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'patched.v4'), 'utf8')).toBe(readFileSync(written, 'utf8'));
  });

  it('prints the report as text, and the diff alone with --diff -', () => {
    const text = nfreplay(['order', capture, '--rules', rules, '--host', host, '--top', '3', '-q']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^observation window: \d+ packets replayed of 20000 read, 20\d\d-.*Z to .*Z \([\d.]+ s\)/);
    expect(text.stdout).toMatch(/\ncost today: [\d.]+ rules evaluated per packet \(mean; p50 \d+, p90 \d+, p99 \d+, max \d+\)\n/);
    expect(text.stdout).toContain('\nhot rules (most packets):\n');
    expect(text.stdout).toMatch(/\nrules never hit in this window: \d+\n/);
    expect(text.stdout).toMatch(/\nshadowed and redundant rules \(proven from the rules alone\): \d+ shadowed, \d+ redundant\n/);
    expect(text.stdout).toMatch(
      /\nproposal: [\d.]+ -> [\d.]+ rules evaluated per packet, measured by replaying the capture through it \([\d.]+ estimated from the counters\)\nproof: \d+ packets replayed through both rulesets: verdicts, NAT, marks, LOG lines, rewrites and the final conntrack table identical\n  filter FORWARD: /,
    );
    const d = nfreplay(['order', capture, '--rules', rules, '--host', host, '--diff', '-', '-q']);
    expect(d.code).toBe(0);
    expect(d.stdout).toBe(readFileSync(diff, 'utf8').replace(`+++ ${written}`, `+++ ${rules} (proposed)`));
  });

  it('refuses bad options with exit 2 and bad rulesets with exit 1', () => {
    expect(nfreplay(['order', capture, '--rules', rules, '--output', 'xml']).code).toBe(2);
    expect(nfreplay(['order', capture]).code).toBe(2);
    expect(nfreplay(['order', capture, '--rules', rules, '--top', 'many']).code).toBe(2);
    const bad = join(dir, 'bad.v4');
    writeFileSync(bad, '*filter\n-A FORWARD -p tcp --dport 99999 -j ACCEPT\nCOMMIT\n');
    const r = nfreplay(['order', capture, '--rules', bad, '--host', host]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}:2:`);
  });
});
