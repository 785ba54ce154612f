/**
 * compareRulesets: the same capture through two rulesets, the packets whose outcome differs
 * gathered by connection and by the rules responsible, the final conntrack tables, the cost.
 * Hand-built captures whose every packet's fate follows from the rules by reading them, and
 * kernel-recorded differential cases (whose replay under the first ruleset the kernel's own
 * counters prove) against the same ruleset with one rule changed.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareRulesets, responsibleRules, type RulesetComparison } from '../../src/analysis/compare.js';
import type { RuleRef } from '../../src/analysis/outcomes.js';
import { compileRuleset } from '../../src/compile/index.js';
import { replayCapture, replayedTables } from '../../src/engine/replay.js';
import { createClassifier, hostFromJson, loadHostFile, type Host } from '../../src/netfilter/index.js';
import { loadRulesetFile, loadRulesetText, saveRuleset, type Ruleset } from '../../src/rules/index.js';
import { pcapFile } from '../capture/build.js';
import { udpDatagram } from '../support/checksum.js';

const CASES = join(__dirname, '..', 'differential', 'cases');

/** The host: 198.51.100.1 on eth0, clients from 192.0.2.0/24 behind its default route. */
const HOST = hostFromJson({
  interfaces: [{ name: 'eth0', addr: '198.51.100.1/24' }],
  routes: [{ dst: '0.0.0.0/0', dev: 'eth0', via: '198.51.100.254' }],
});

interface Flow {
  src: string;
  sport: number;
  dport: number;
  /** Packets sent, one after the other. */
  count: number;
}

/** A raw-IP capture (linktype 101) of UDP datagrams to the host, flows in the order given. */
function capture(flows: Flow[]): Uint8Array {
  let t = 0;
  let id = 1;
  const packets = flows.flatMap((f) =>
    Array.from({ length: f.count }, () => ({ tsSec: 1700000000 + t++, tsFrac: 0, data: udpDatagram(f.src, '198.51.100.1', f.sport, f.dport, id++) })),
  );
  return pcapFile(packets, { linktype: 101 });
}

/** A filter table over the default chains, `rules` in INPUT, and other tables before it. */
function rules(input: string[], policy = 'DROP', before: string[] = []): Ruleset {
  const text = [...before, '*filter', `:INPUT ${policy} [0:0]`, ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ...input, 'COMMIT', ''].join('\n');
  return loadRulesetText(text, { source: 'test' }).ruleset;
}

function compare(a: Ruleset, b: Ruleset, bytes: Uint8Array | string, host: Host = HOST): Promise<RulesetComparison> {
  return compareRulesets(a, b, { capture: bytes, host, seed: 1, unmodelled: 'refuse' });
}

/** The four flows most tests replay: DNS (3 + 1 packets), NTP (2), a closed port (1). */
const FLOWS: Flow[] = [
  { src: '192.0.2.1', sport: 40000, dport: 53, count: 3 },
  { src: '192.0.2.7', sport: 5000, dport: 123, count: 2 },
  { src: '192.0.2.1', sport: 40001, dport: 53, count: 1 },
  { src: '192.0.2.9', sport: 6000, dport: 9999, count: 1 },
];
const DNS = '-A INPUT -p udp -m udp --dport 53 -j ACCEPT';
const NTP = '-A INPUT -p udp -m udp --dport 123 -j ACCEPT';

describe('compareRulesets', () => {
  it('finds nothing between a ruleset and itself, and gives the same cost for both', async () => {
    const dir = join(CASES, 'dnat-forward');
    const host = loadHostFile(join(dir, 'host.json'));
    const load = (): Ruleset => loadRulesetFile(join(dir, 'rules.v4')).ruleset;
    const r = await compare(load(), load(), join(dir, 'capture.pcap'), host);
    expect(r.identical).toBe(true);
    expect(r.replayed).toBe(14);
    expect(r.differing).toEqual({ packets: 0, connections: 0, byKind: { verdict: 0, nat: 0, mark: 0, log: 0, mangle: 0 } });
    expect(r.groups).toEqual([]);
    // Conntrack in use: the table at the end (the first client's TIME_WAIT, the UDP flow and the local SYN) on both sides.
    expect(r.conntrack.identical).toBe(true);
    expect(r.conntrack.a).toEqual({ tracked: true, entries: 3, only: { count: 0, lines: [] } });
    expect(r.cost.a).toEqual(r.cost.b);
    expect(r.damage).toBeNull();
  });

  it('names the connections a deleted rule changes, with the rule and the policy that now decides', async () => {
    const r = await compare(rules([DNS, NTP]), rules([NTP]), capture(FLOWS));
    expect(r.identical).toBe(false);
    // Both DNS flows (3 + 1 packets) now fall to the DROP policy; NTP and port 9999 do as before.
    expect(r.differing).toEqual({ packets: 4, connections: 2, byKind: { verdict: 4, nat: 0, mark: 0, log: 0, mangle: 0 } });
    expect(r.groups).toHaveLength(1);
    const g = r.groups[0]!;
    expect(g.a).toEqual([{ hook: 'INPUT', table: 'filter', chain: 'INPUT', rule: 1, policy: null, text: DNS }]);
    expect(g.b).toEqual([{ hook: 'INPUT', table: 'filter', chain: 'INPUT', rule: null, policy: 'DROP', text: '-P INPUT DROP' }]);
    expect(g).toMatchObject({ kinds: ['verdict'], connections: 2, packets: 4 });
    expect(g.examples.map((e) => [e.connection, e.packets, e.firstPacket])).toEqual([
      ['udp 192.0.2.1:40000 -> 198.51.100.1:53', 3, 1],
      ['udp 192.0.2.1:40001 -> 198.51.100.1:53', 1, 6],
    ]);
    const e = g.examples[0]!;
    expect(e.a).toMatchObject({ verdict: 'ACCEPT', droppedAt: null, after: { iface: null, flow: 'udp 192.0.2.1:40000 -> 198.51.100.1:53' } });
    expect(e.b).toMatchObject({ verdict: 'DROP', droppedAt: { hook: 'INPUT', table: 'filter' }, after: null });
    // Rules the linear walk tests: A 1 for DNS, 2 for NTP and port 9999; B 1 for every packet.
    expect(r.cost.a.mean).toBeCloseTo((4 * 1 + 2 * 2 + 1 * 2) / 7, 3);
    expect(r.cost.b.mean).toBe(1);
    expect(r.cost.a.chains.find((c) => c.table === 'filter' && c.chain === 'INPUT')!.evaluated).toBe(10);
    expect(r.verdicts).toEqual({ a: { ACCEPT: 6, DROP: 1 }, b: { ACCEPT: 2, DROP: 5 } });
    expect(r.conntrack).toMatchObject({ identical: true, a: { tracked: false }, b: { tracked: false } });
  });

  it('sees a DNAT to another port in the packets and in the conntrack table', async () => {
    const nat = (port: number): string[] => ['*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', `-A PREROUTING -p udp -m udp --dport 53 -j DNAT --to-destination :${port}`, 'COMMIT'];
    const r = await compare(rules([], 'ACCEPT', nat(5353)), rules([], 'ACCEPT', nat(5354)), capture(FLOWS));
    // Every DNS packet: the first of each flow through the nat table, the others by the entry's binding.
    expect(r.differing).toEqual({ packets: 4, connections: 2, byKind: { verdict: 0, nat: 4, mark: 0, log: 0, mangle: 0 } });
    const g = r.groups[0]!;
    expect(g.a.map((x) => x.text)).toEqual(['-A PREROUTING -p udp -m udp --dport 53 -j DNAT --to-destination :5353']);
    expect(g.b.map((x) => x.text)).toEqual(['-A PREROUTING -p udp -m udp --dport 53 -j DNAT --to-destination :5354']);
    expect(g.examples[0]!.a.after).toEqual({ iface: null, flow: 'udp 192.0.2.1:40000 -> 198.51.100.1:5353', ttl: 64, tos: 0, mss: null });
    expect(g.examples[0]!.b.after!.flow).toBe('udp 192.0.2.1:40000 -> 198.51.100.1:5354');
    // Four entries each (two DNS flows, NTP, port 9999: the policy accepts); the DNS ones differ in the reply tuple.
    expect(r.conntrack.identical).toBe(false);
    expect(r.conntrack.a.entries).toBe(4);
    expect(r.conntrack.a.only.count).toBe(2);
    expect(r.conntrack.b.only.count).toBe(2);
    expect(r.conntrack.a.only.lines[0]).toMatch(/^udp {6}17 \d+ src=192\.0\.2\.1 dst=198\.51\.100\.1 sport=40000 dport=53 \[UNREPLIED\] src=198\.51\.100\.1 dst=192\.0\.2\.1 sport=5353 dport=40000 mark=0 use=1$/);
    expect(r.conntrack.b.only.lines[0]).toContain('sport=5354 dport=40000');
  });

  it('sees a different mark', async () => {
    const mangle = (mark: number): string[] => ['*mangle', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', `-A PREROUTING -p udp -m udp --dport 123 -j MARK --set-mark ${mark}`, 'COMMIT'];
    const r = await compare(rules([], 'ACCEPT', mangle(1)), rules([], 'ACCEPT', mangle(2)), capture(FLOWS));
    expect(r.differing).toEqual({ packets: 2, connections: 1, byKind: { verdict: 0, nat: 0, mark: 2, log: 0, mangle: 0 } });
    const e = r.groups[0]!.examples[0]!;
    expect(e).toMatchObject({ connection: 'udp 192.0.2.7:5000 -> 198.51.100.1:123', packets: 2, firstPacket: 4, kinds: ['mark'] });
    expect([e.a.mark, e.b.mark]).toEqual([1, 2]);
  });

  it('sees a LOG prefix change in the lines the packets produce', async () => {
    const log = (prefix: string): string => `-A INPUT -p udp -m udp --dport 123 -j LOG --log-prefix "${prefix}"`;
    const r = await compare(rules([log('ntp: ')], 'ACCEPT'), rules([log('time: ')], 'ACCEPT'), capture(FLOWS));
    expect(r.differing).toEqual({ packets: 2, connections: 1, byKind: { verdict: 0, nat: 0, mark: 0, log: 2, mangle: 0 } });
    const g = r.groups[0]!;
    expect(g.a.map((x) => x.text)).toEqual([log('ntp: ')]);
    expect(g.b.map((x) => x.text)).toEqual([log('time: ')]);
    const e = g.examples[0]!;
    expect(e.a.log).toHaveLength(1);
    expect(e.a.log[0]).toMatch(/^<4>ntp: IN=eth0 OUT= .*SRC=192\.0\.2\.7 DST=198\.51\.100\.1 LEN=28 .*SPT=5000 DPT=123 /);
    expect(e.b.log[0]).toBe(e.a.log[0]!.replace('<4>ntp: ', '<4>time: '));
  });

  it('sees a final conntrack table that differs when no packet does', async () => {
    const base = ['-A INPUT -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT'];
    const b = ['-A INPUT -p udp -m udp --dport 123 -j CONNMARK --set-mark 7', ...base];
    const r = await compare(rules(base), rules(b), capture(FLOWS));
    expect(r.differing.packets).toBe(0);
    expect(r.groups).toEqual([]);
    expect(r.identical).toBe(false);
    expect(r.conntrack.identical).toBe(false);
    expect([r.conntrack.a.only.count, r.conntrack.b.only.count]).toEqual([1, 1]);
    expect(r.conntrack.a.only.lines[0]).toMatch(/sport=5000 dport=123 .* mark=0 use=1$/);
    expect(r.conntrack.b.only.lines[0]).toMatch(/sport=5000 dport=123 .* mark=7 use=1$/);
  });

  it('compares a kernel-recorded case with one rule changed: connections as its conntrack tracks them', async () => {
    const dir = join(CASES, 'dnat-forward');
    const host = loadHostFile(join(dir, 'host.json'));
    const a = loadRulesetFile(join(dir, 'rules.v4')).ruleset;
    const text = saveRuleset(a).replace('--to-destination 10.0.1.10:80', '--to-destination 10.0.1.10:8080');
    const r = await compare(a, loadRulesetText(text).ruleset, join(dir, 'capture.pcap'), host);
    // The web connections now reach port 8080, which FORWARD rule 4 (--dport 80) does not
    // accept: their SYNs are dropped by the policy, so no entry exists for what follows.
    // Every packet of the first client's connection is dropped (8); the second client's SYN
    // too, and its RST, INVALID without an entry, goes unrewritten to the host (verdict 1,
    // nat 1); likewise the first client's FIN. The UDP flow, the direct and the local SYN are as before.
    expect(r.differing).toEqual({ packets: 10, connections: 2, byKind: { verdict: 8, nat: 2, mark: 0, log: 0, mangle: 0 } });
    expect(r.groups).toHaveLength(1);
    const g = r.groups[0]!;
    expect(g.examples.map((e) => [e.connection, e.packets, e.firstPacket])).toEqual([
      ['tcp 192.0.2.10:50000 -> 198.51.100.1:8080', 8, 1],
      ['tcp 192.0.2.20:50001 -> 198.51.100.1:8080', 2, 9],
    ]);
    expect(g.a.map((x) => `${x.table} ${x.chain} ${x.rule ?? x.policy}`)).toEqual(['nat PREROUTING 1', 'filter FORWARD 4', 'nat POSTROUTING ACCEPT']);
    expect(g.b.map((x) => `${x.table} ${x.chain} ${x.rule ?? x.policy}`)).toEqual(['nat PREROUTING 1', 'filter FORWARD DROP']);
    expect(r.conntrack.a.only.lines).toEqual([expect.stringMatching(/^tcp +6 \d+ TIME_WAIT src=192\.0\.2\.10 dst=198\.51\.100\.1 sport=50000 dport=8080 src=10\.0\.1\.10 /)]);
    expect(r.conntrack.b.only.count).toBe(0);
  });

  it('leaves each ruleset with the counters of one replay', async () => {
    const a = rules([DNS, NTP]);
    const b = rules([NTP]);
    await compare(a, b, capture(FLOWS));
    const once = rules([DNS, NTP]);
    await replayCapture({ capture: capture(FLOWS), ruleset: once, host: HOST, classify: createClassifier(HOST), runner: (rt) => compileRuleset(once, rt, { tables: replayedTables(once) }) });
    expect(saveRuleset(a, { counters: true })).toBe(saveRuleset(once, { counters: true }));
    expect(saveRuleset(a, { counters: true })).toContain('[4:112] -A INPUT -p udp -m udp --dport 53 -j ACCEPT');
  });

  it('compares a damaged capture up to the damage', async () => {
    const whole = capture(FLOWS);
    // The capture header (24 bytes) and five records (16 + 28 each), and a few bytes of the sixth.
    const r = await compare(rules([DNS, NTP]), rules([NTP]), whole.subarray(0, 24 + 5 * 44 + 10));
    expect(r.damage).not.toBeNull();
    expect(r.replayed).toBe(5);
    expect(r.differing.packets).toBe(3);
    expect(r.differing.connections).toBe(1);
  });

  it('finds a reordering that changes no outcome identical, with the cost before and after', async () => {
    const r = await compare(rules([DNS, NTP]), rules([NTP, DNS]), capture(FLOWS));
    expect(r.identical).toBe(true);
    // DNS packets test 1 rule before, 2 after; NTP 2 before, 1 after; port 9999 2 both times.
    expect(r.cost.a.mean).toBeCloseTo(10 / 7, 3);
    expect(r.cost.b.mean).toBeCloseTo(12 / 7, 3);
  });

  it('gives the same result twice', async () => {
    const run = async (): Promise<string> => JSON.stringify(await compare(rules([DNS, NTP]), rules([NTP, DNS]), capture(FLOWS)));
    expect(await run()).toBe(await run());
  });
});

describe('compareRulesets on every differential case', () => {
  it('finds each ruleset identical to itself, and the replays recording differences see what the first ones saw', async () => {
    let differing = 0;
    for (const name of readdirSync(CASES)) {
      const dir = join(CASES, name);
      const host = loadHostFile(join(dir, 'host.json'));
      const load = (): Ruleset => loadRulesetFile(join(dir, 'rules.v4')).ruleset;
      const same = await compare(load(), load(), join(dir, 'capture.pcap'), host);
      expect(same.identical, name).toBe(true);
      // Every built-in filter policy the other way: compareRulesets throws if a packet the
      // first two replays found different is not found different again, on the traced runner.
      const flipped = saveRuleset(load()).replace(/^:(INPUT|FORWARD|OUTPUT) (ACCEPT|DROP)/gm, (_, chain: string, p: string) => `:${chain} ${p === 'ACCEPT' ? 'DROP' : 'ACCEPT'}`);
      const r = await compare(load(), loadRulesetText(flipped).ruleset, join(dir, 'capture.pcap'), host);
      expect(r.groups.reduce((n, g) => n + g.packets, 0), name).toBe(r.differing.packets);
      differing += r.differing.packets;
    }
    expect(differing).toBeGreaterThan(100);
  });
});

describe('responsibleRules', () => {
  const ref = (rule: number | null, text: string): RuleRef => ({ hook: 'INPUT', table: 'filter', chain: 'INPUT', rule, policy: rule === null ? 'DROP' : null, text });

  it('leaves out what both paths met, whatever the rule numbers', () => {
    const a = [ref(1, '-A INPUT -j LOG'), ref(2, '-A INPUT -p udp -j ACCEPT')];
    const b = [ref(1, '-A INPUT -j LOG'), ref(null, '-P INPUT DROP')];
    expect(responsibleRules(a, b)).toEqual({ a: [a[1]], b: [b[1]] });
    // A rule deleted before: B's numbers shift, the rules are the same.
    const c = [ref(1, '-A INPUT -j NFLOG'), ref(2, '-A INPUT -j LOG'), ref(3, '-A INPUT -p udp -j ACCEPT')];
    const d = [ref(1, '-A INPUT -j LOG'), ref(2, '-A INPUT -p udp -j ACCEPT')];
    expect(responsibleRules(c, d)).toEqual({ a: [c[0]], b: [] });
  });

  it('keeps rules met in another order on one side', () => {
    const x = ref(1, '-A INPUT -j MARK --set-xmark 0x1/0xffffffff');
    const y = ref(2, '-A INPUT -j MARK --set-xmark 0x2/0xffffffff');
    const r = responsibleRules([x, y], [y, x]);
    expect(r.a.length + r.b.length).toBe(2);
  });
});
