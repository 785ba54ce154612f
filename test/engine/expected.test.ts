/**
 * --statistic expected: counters as expectations over statistic --mode random, checked
 * against the ladder's exact shares and against the mean of many seeded samples.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PcapWriter } from '../../src/capture/index.js';
import { compileRuleset, interpretRuleset, prepare, type Prepared } from '../../src/compile/index.js';
import { expectedValues, replayExpected } from '../../src/engine/expected.js';
import { replayCapture, replayedTables, type ReplayOptions } from '../../src/engine/replay.js';
import { createClassifier, hostFromJson } from '../../src/netfilter/index.js';
import { loadRulesetText } from '../../src/rules/index.js';
import type { Ruleset } from '../../src/rules/model.js';
import { formatFraction } from '../../src/rules/values.js';
import { udpDatagram } from '../support/checksum.js';

const ROOT = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'nfr-expected-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOST = {
  interfaces: [
    { name: 'eth0', addr: '198.51.100.1/24' },
    { name: 'eth1', addr: '10.96.0.1/12' },
  ],
  forward: true,
  routes: [{ dst: '10.244.0.0/16', dev: 'eth1' }],
};

/** kube-proxy's three-endpoint ladder for a DNS ClusterIP, and FORWARD counting per endpoint. */
const LADDER = [
  '*nat',
  ':PREROUTING ACCEPT [0:0]',
  ':INPUT ACCEPT [0:0]',
  ':OUTPUT ACCEPT [0:0]',
  ':POSTROUTING ACCEPT [0:0]',
  ':KUBE-SVC-DNS - [0:0]',
  ':KUBE-SEP-1 - [0:0]',
  ':KUBE-SEP-2 - [0:0]',
  ':KUBE-SEP-3 - [0:0]',
  '-A PREROUTING -d 10.96.0.10/32 -p udp -m udp --dport 53 -j KUBE-SVC-DNS',
  '-A KUBE-SVC-DNS -m comment --comment "ns/dns:dns -> 10.244.0.2:53" -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-1',
  '-A KUBE-SVC-DNS -m comment --comment "ns/dns:dns -> 10.244.0.3:53" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-2',
  '-A KUBE-SVC-DNS -m comment --comment "ns/dns:dns -> 10.244.0.4:53" -j KUBE-SEP-3',
  '-A KUBE-SEP-1 -p udp -m udp -j DNAT --to-destination 10.244.0.2:53',
  '-A KUBE-SEP-2 -p udp -m udp -j DNAT --to-destination 10.244.0.3:53',
  '-A KUBE-SEP-3 -p udp -m udp -j DNAT --to-destination 10.244.0.4:53',
  'COMMIT',
  '*filter',
  ':INPUT ACCEPT [0:0]',
  ':FORWARD DROP [0:0]',
  ':OUTPUT ACCEPT [0:0]',
  '-A FORWARD -d 10.244.0.2/32 -j ACCEPT',
  '-A FORWARD -d 10.244.0.3/32 -j ACCEPT',
  '-A FORWARD -d 10.244.0.4/32 -j ACCEPT',
  'COMMIT',
  '',
].join('\n');

/** Stateless: a quarter of the packets dropped at random ("!" keeps three quarters). */
const RANDOM_DROP = ['*filter', ':INPUT DROP [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', '-A INPUT -m statistic --mode random ! --probability 0.25 -j ACCEPT', 'COMMIT', ''].join('\n');

/** Two independent non-terminating draws: the second follows a "yes" of the first on some paths. */
const TWO_MARKS = [
  '*mangle',
  ...['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'].map((c) => `:${c} ACCEPT [0:0]`),
  '-A INPUT -m statistic --mode random --probability 0.5 -j MARK --set-xmark 0x1/0x1',
  '-A INPUT -m statistic --mode random --probability 0.5 -j MARK --set-xmark 0x2/0x2',
  '-A INPUT -m mark --mark 0x3/0x3',
  'COMMIT',
  '',
].join('\n');

/** `connections` UDP queries to 10.96.0.10:53 from distinct ports, each sent `repeat` times. */
function dnsCapture(file: string, connections: number, repeat: number, dst = '10.96.0.10'): string {
  const w = PcapWriter.open(file, { linktype: 101 });
  let t = 0;
  for (let r = 0; r < repeat; r++) {
    for (let i = 0; i < connections; i++) {
      const b = udpDatagram('198.51.100.20', dst, 30000 + i, 53, t);
      w.write({ data: b, offset: 0, caplen: 28, origlen: 28, tsSec: 1700000000, tsNsec: 1000 * t++ });
    }
  }
  w.close();
  return file;
}

/** The replay options the CLI builds (compiled runner, interpreter for traced packets). */
function options(capture: string, ruleset: Ruleset, onPrepared: (p: Prepared) => void, seed = 1): ReplayOptions {
  const host = hostFromJson(HOST);
  let prepared: Prepared | undefined;
  return {
    capture,
    ruleset,
    host,
    classify: createClassifier(host),
    seed,
    runner: (rt) => {
      const tables = replayedTables(ruleset);
      prepared = prepare(ruleset, rt, tables, { tables });
      onPrepared(prepared);
      return compileRuleset(ruleset, rt, { tables, prepared });
    },
    tracedRunner: (rt) => interpretRuleset(ruleset, rt, { tables: replayedTables(ruleset), prepared }),
  };
}

/** Expected packets per "table chain rulenum" (0 for the policy). */
async function expected(capture: string, text: string): Promise<{ packets: Map<string, number>; summary: Awaited<ReturnType<typeof replayExpected>>['summary']; ruleset: Ruleset }> {
  const { ruleset } = loadRulesetText(text, { source: 'rules' });
  let prepared: Prepared | undefined;
  const r = await replayExpected(
    options(capture, ruleset, (p) => (prepared = p)),
    1,
  );
  const values = expectedValues(prepared!.counters.targets, r.counts);
  return { packets: counterMap(ruleset, (c) => values(c)[0]), summary: r.summary, ruleset };
}

/** Sampled packets per "table chain rulenum", averaged over `seeds` seeds. */
async function sampledMean(capture: string, text: string, seeds: number): Promise<Map<string, number>> {
  const { ruleset } = loadRulesetText(text, { source: 'rules' });
  for (let seed = 1; seed <= seeds; seed++) await replayCapture(options(capture, ruleset, () => {}, seed));
  return counterMap(ruleset, (c) => Number(c.packets) / seeds);
}

function counterMap(ruleset: Ruleset, value: (c: { packets: bigint; bytes: bigint }) => number): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of ruleset.tables) {
    for (const c of t.chains.values()) {
      if (c.builtin) out.set(`${t.name} ${c.name} 0`, value(c.policyCounters));
      c.rules.forEach((r, i) => out.set(`${t.name} ${c.name} ${i + 1}`, value(r.counters)));
    }
  }
  return out;
}

describe('--statistic expected', () => {
  let ladder: string;
  let packets: string;
  beforeAll(() => {
    ladder = dnsCapture(join(dir, 'ladder.pcap'), 30, 2);
    packets = dnsCapture(join(dir, 'local.pcap'), 40, 1, '198.51.100.1');
  });

  it('splits each connection of a kube-proxy ladder in thirds; its later packets follow their first packet\'s branch', async () => {
    const { packets: got, summary, ruleset } = await expected(ladder, LADDER);
    // The worlds' own counts never reach the model.
    for (const v of counterMap(ruleset, (c) => Number(c.packets + c.bytes)).values()) expect(v).toBe(0);
    // 30 connections, each a third to each endpoint: the DNAT rules count first packets only.
    for (const sep of ['KUBE-SEP-1', 'KUBE-SEP-2', 'KUBE-SEP-3']) expect(got.get(`nat ${sep} 1`)).toBeCloseTo(10, 6);
    for (const n of [1, 2, 3]) expect(got.get(`nat KUBE-SVC-DNS ${n}`)).toBeCloseTo(10, 6);
    // Both packets of each connection go to its endpoint: 20 per FORWARD rule, none to the policy.
    for (const n of [1, 2, 3]) expect(got.get(`filter FORWARD ${n}`)).toBeCloseTo(20, 6);
    expect(got.get('filter FORWARD 0')).toBeCloseTo(0, 9);
    expect(summary.verdicts.ACCEPT).toBeCloseTo(60, 6);
    expect(summary.expected).toEqual({ worlds: 3, inexactPackets: 0 });
  });

  it('agrees with the mean of many seeded samples (ladder, and a stateless inverted draw)', async () => {
    const { packets: exact } = await expected(ladder, LADDER);
    const mean = await sampledMean(ladder, LADDER, 200);
    // Per endpoint, 30 Bernoulli(1/3) per seed: the mean of 200 has sd ~0.18; 1 is > 5 sd.
    for (const [k, v] of exact) expect(Math.abs(mean.get(k)! - v), k).toBeLessThan(1);
    const drop = await expected(packets, RANDOM_DROP);
    expect(drop.packets.get('filter INPUT 1')).toBeCloseTo(30, 6);
    expect(drop.packets.get('filter INPUT 0')).toBeCloseTo(10, 6);
    expect(drop.summary.verdicts.ACCEPT).toBeCloseTo(30, 6);
    expect(drop.summary.verdicts.DROP).toBeCloseTo(10, 6);
    const dropMean = await sampledMean(packets, RANDOM_DROP, 200);
    expect(Math.abs(dropMean.get('filter INPUT 1')! - 30)).toBeLessThan(1);
  });

  it('samples draws that follow a "yes" and says how many packets it did that for', async () => {
    const { packets: got, summary } = await expected(packets, TWO_MARKS);
    expect(got.get('mangle INPUT 1')).toBeCloseTo(20, 6);
    // Every packet's mass is kept (40 at the policy) though half of it drew after a "yes".
    expect(got.get('mangle INPUT 0')).toBeCloseTo(40, 6);
    expect(summary.expected!.inexactPackets).toBe(40);
    // The second rule: exactly 0.5 x 20 on the "no" branch, sampled on the "yes" one.
    expect(got.get('mangle INPUT 2')!).toBeGreaterThan(10);
    expect(got.get('mangle INPUT 2')!).toBeLessThan(30);
  });

  it('prints fractions in the listing, iptables-save text, JSON and the services balance', async () => {
    const rules = join(dir, 'ladder.rules');
    const host = join(dir, 'host.json');
    const capture = dnsCapture(join(dir, 'ten.pcap'), 10, 1);
    writeFileSync(rules, LADDER);
    writeFileSync(host, JSON.stringify(HOST));
    const cli = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'replay', capture, '--rules', rules, '--host', host, '--statistic', 'expected', ...args], { encoding: 'utf8' });
    const list = cli('-x', '-q');
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/^ {4}3\.33 +93\.33 DNAT/m);
    expect(list.stdout).toContain('Chain FORWARD (policy DROP 0 packets, 0 bytes)');
    const save = cli('--output', 'save', '-q');
    expect(save.stdout).toContain('[3.33:93.33] -A KUBE-SEP-1 -p udp -m udp -j DNAT --to-destination 10.244.0.2:53');
    const json = JSON.parse(cli('--output', 'json', '-q').stdout) as { summary: { verdicts: Record<string, number>; expected: unknown }; services: { endpoints: { connections: number }[] }[] };
    expect(json.summary.expected).toEqual({ worlds: 3, inexactPackets: 0 });
    expect(json.services[0]!.endpoints.map((e) => e.connections)).toEqual([3.333333, 3.333333, 3.333333].map((v) => expect.closeTo(v, 5)));
    const stderr = cli().stderr;
    expect(stderr).toContain('nfreplay: statistic expected: 3 replays, one per branch of the random draws');
    expect(stderr).toContain('verdicts: ACCEPT 10');
  });

  it('lists fractions in the counter columns, K/M past 99999 without -x', () => {
    expect(formatFraction(10 / 3, false)).toBe(' 3.33 ');
    expect(formatFraction(10 / 3, true)).toBe('    3.33 ');
    expect(formatFraction(20.000000009, false)).toBe('   20 ');
    expect(formatFraction(99999.994, false)).toBe('99999.99 ');
    expect(formatFraction(123456.7, false)).toBe(' 123K ');
  });

  it('refuses the outputs of one sampled path, and unknown modes', () => {
    const rules = join(dir, 'ladder.rules');
    const host = join(dir, 'host.json');
    const cli = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'replay', ladder, '--rules', rules, '--host', host, ...args], { encoding: 'utf8' });
    const r = cli('--statistic', 'expected', '--verdicts', join(dir, 'v.jsonl'), '--conntrack', join(dir, 'ct.txt'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--statistic expected gives expected counters over every branch; --verdicts, --conntrack follow one sampled path: use --statistic sample');
    const m = cli('--statistic', 'mean');
    expect(m.status).toBe(2);
    expect(m.stderr).toContain('--statistic must be sample, expected or enumerate');
  });
});
