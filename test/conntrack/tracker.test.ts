/**
 * The connection tracker in the replay: entries, states and timeouts on the capture's
 * clock, ICMP errors, NOTRACK, zones, the table limit, the nat table's once-per-connection
 * traversal, and the conntrack/state/connmark matches and CONNMARK. The kernel's own
 * results for whole scenarios are in test/differential (cases with conntrackInUse).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ip, sum16 } from '../support/checksum.js';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapWriter } from '../../src/capture/index.js';
import { compileRuleset, interpretRuleset } from '../../src/compile/index.js';
import { conntrackLine } from '../../src/conntrack/listing.js';
import { replayCapture, replayedTables } from '../../src/engine/replay.js';
import { createClassifier, hostFromJson } from '../../src/netfilter/index.js';
import { loadRulesetText, saveRuleset } from '../../src/rules/index.js';

const dir = mkdtempSync(join(tmpdir(), 'nfr-ct-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


interface Pkt {
  t: number;
  src: string;
  dst: string;
  /** 'udp' | 'tcp' | 'icmp' */
  proto: 'udp' | 'tcp' | 'icmp';
  sport?: number;
  dport?: number;
  /** TCP flags byte, sequence and ack. */
  flags?: number;
  seq?: number;
  ack?: number;
  /** ICMP type, code, and the rest-of-header word (id << 16 | seq for echo). */
  type?: number;
  code?: number;
  rest?: number;
  /** ICMP payload (the quoted packet of an error). */
  payload?: Uint8Array;
}

/** A raw IPv4 packet with correct checksums. */
function packet(p: Pkt): Uint8Array {
  const l4len = p.proto === 'tcp' ? 20 : 8 + (p.payload?.length ?? 0);
  const b = new Uint8Array(20 + l4len);
  const dv = new DataView(b.buffer);
  b[0] = 0x45;
  dv.setUint16(2, b.length);
  dv.setUint16(4, 1);
  b[8] = 64;
  b[9] = { udp: 17, tcp: 6, icmp: 1 }[p.proto];
  dv.setUint32(12, ip(p.src));
  dv.setUint32(16, ip(p.dst));
  dv.setUint16(10, ~sum16(b, 0, 20) & 0xffff);
  const pseudo = sum16(b, 12, 20, b[9]! + l4len);
  if (p.proto === 'udp') {
    dv.setUint16(20, p.sport ?? 40000);
    dv.setUint16(22, p.dport ?? 53);
    dv.setUint16(24, 8);
    dv.setUint16(26, ~sum16(b, 20, b.length, pseudo) & 0xffff || 0xffff);
  } else if (p.proto === 'tcp') {
    dv.setUint16(20, p.sport ?? 40000);
    dv.setUint16(22, p.dport ?? 80);
    dv.setUint32(24, p.seq ?? 1000);
    dv.setUint32(28, p.ack ?? 0);
    b[32] = 0x50;
    b[33] = p.flags ?? 0x02;
    dv.setUint16(34, 64240);
    dv.setUint16(36, ~sum16(b, 20, b.length, pseudo) & 0xffff);
  } else {
    b[20] = p.type ?? 8;
    b[21] = p.code ?? 0;
    dv.setUint32(24, p.rest ?? 0x12340001);
    if (p.payload) b.set(p.payload, 28);
    dv.setUint16(22, ~sum16(b, 20, b.length) & 0xffff);
  }
  return b;
}

let n = 0;
function capture(pkts: Pkt[]): string {
  const path = join(dir, `c${n++}.pcap`);
  const w = PcapWriter.open(path, { linktype: 101 });
  for (const p of pkts) {
    const data = packet(p);
    w.write({ data, offset: 0, caplen: data.length, origlen: data.length, tsSec: Math.floor(p.t), tsNsec: Math.round((p.t % 1) * 1e9) });
  }
  w.close();
  return path;
}

/** A router: eth0 198.51.100.1/24 (clients), eth1 203.0.113.1/24 (servers). */
const hostJson = (sysctls: Record<string, number> = {}) => ({
  interfaces: [
    { name: 'eth0', addr: '198.51.100.1/24' },
    { name: 'eth1', addr: '203.0.113.1/24' },
  ],
  forward: true,
  sysctls,
});

interface Run {
  counters: Record<string, string>;
  conntrack: string[];
  notes: Record<string, number>;
  events: string[];
}

async function run(rules: string, pkts: Pkt[], sysctls: Record<string, number> = {}, runner: 'compiled' | 'interpreter' = 'compiled'): Promise<Run> {
  const { ruleset } = loadRulesetText(rules, { source: 'rules' });
  const host = hostFromJson(hostJson(sysctls), 'host');
  let conntrack: string[] = [];
  const events: string[] = [];
  const summary = await replayCapture({
    capture: capture(pkts),
    ruleset,
    host,
    classify: createClassifier(host),
    runner: (rt) => (runner === 'compiled' ? compileRuleset : interpretRuleset)(ruleset, rt, { tables: replayedTables(ruleset) }),
    conntrackEvents: {
      onNew: (e, p) => events.push(`${p.number} NEW ${e.id}`),
      onUpdate: (e, p) => events.push(`${p.number} UPDATE ${e.id}`),
      onDestroy: (e, at) => events.push(`DESTROY ${e.id} at ${at / 1e9}`),
    },
    onConntrack: (ct) => {
      conntrack = [...ct.table.entries].map((e) => conntrackLine(e, ct.nowNs)).sort();
    },
  });
  const counters: Record<string, string> = {};
  let table = '';
  for (const line of saveRuleset(ruleset, { counters: true }).split('\n')) {
    if (line.startsWith('*')) table = line.slice(1);
    const m = /^(?:\[(\d+:\d+)\] -A (.*)|:(\S+) \S+ \[(\d+:\d+)\])$/.exec(line);
    if (m) counters[`${table} ${m[2] ?? `${m[3]} policy`}`] = m[1] ?? m[4]!;
  }
  return { counters, conntrack, notes: summary.notes, events };
}

const filter = (...rules: string[]): string => ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ...rules, 'COMMIT', ''].join('\n');
/** A mangle table with these rules, then an empty filter table. */
const mangle = (...rules: string[]): string =>
  ['*mangle', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', ...rules, 'COMMIT', filter()].join('\n');
const C = '198.51.100.20';
const S = '203.0.113.20';

describe('UDP', () => {
  const states = filter(
    '-A FORWARD -m conntrack --ctstate NEW',
    '-A FORWARD -m conntrack --ctstate ESTABLISHED',
    '-A FORWARD -m conntrack --ctstate INVALID',
  );

  it('is UNREPLIED until the answer, ASSURED only for two-way traffic still going 2 s after the first packet', async () => {
    const r = await run(states, [
      { t: 0, src: C, dst: S, proto: 'udp' },
      { t: 0.1, src: S, dst: C, proto: 'udp', sport: 53, dport: 40000 },
      { t: 1, src: C, dst: S, proto: 'udp' },
    ]);
    expect(r.counters['filter FORWARD -m conntrack --ctstate NEW']).toBe('1:28');
    expect(r.counters['filter FORWARD -m conntrack --ctstate ESTABLISHED']).toBe('2:56');
    // Not a stream yet: the short timeout, re-armed by the last packet.
    expect(r.conntrack).toEqual([`udp      17 30 src=${C} dst=${S} sport=40000 dport=53 src=${S} dst=${C} sport=53 dport=40000 mark=0 use=1`]);

    const later = await run(states, [
      { t: 0, src: C, dst: S, proto: 'udp' },
      { t: 0.1, src: S, dst: C, proto: 'udp', sport: 53, dport: 40000 },
      { t: 2.5, src: C, dst: S, proto: 'udp' },
    ]);
    expect(later.conntrack).toEqual([`udp      17 120 src=${C} dst=${S} sport=40000 dport=53 src=${S} dst=${C} sport=53 dport=40000 [ASSURED] mark=0 use=1`]);
  });

  it('expires on the capture clock: after 30 s of silence the next packet is NEW again', async () => {
    const r = await run(states, [
      { t: 0, src: C, dst: S, proto: 'udp' },
      { t: 31, src: C, dst: S, proto: 'udp' },
    ]);
    expect(r.counters['filter FORWARD -m conntrack --ctstate NEW']).toBe('2:56');
    expect(r.events).toEqual(['1 NEW 1', 'DESTROY 1 at 30', '2 NEW 2']);
  });

  it('a datagram dropped before confirmation leaves no entry', async () => {
    const r = await run(filter('-A FORWARD -m statistic --mode nth --every 2 --packet 0 -j DROP', '-A FORWARD -m conntrack --ctstate NEW'), [
      { t: 0, src: C, dst: S, proto: 'udp' },
      { t: 1, src: C, dst: S, proto: 'udp' },
    ]);
    expect(r.counters['filter FORWARD -m conntrack --ctstate NEW']).toBe('1:28');
    expect(r.events).toEqual(['2 NEW 2']);
  });
});

describe('expiry on the capture clock', () => {
  it('an entry whose timeout shrinks (ESTABLISHED to CLOSE) expires at the new time, and its object is reused', async () => {
    const r = await run(filter('-A FORWARD -m conntrack --ctstate NEW'), [
      { t: 0, src: C, dst: S, proto: 'tcp', flags: 0x02, seq: 100 },
      { t: 0.1, src: S, dst: C, proto: 'tcp', sport: 80, dport: 40000, flags: 0x12, seq: 500, ack: 101 },
      { t: 0.2, src: C, dst: S, proto: 'tcp', flags: 0x10, seq: 101, ack: 501 },
      // A RST: CLOSE, 10 s.
      { t: 1, src: C, dst: S, proto: 'tcp', flags: 0x04, seq: 101 },
      // Much later, another connection: the sweep finds the first one expired at 11 s.
      { t: 40, src: C, dst: S, proto: 'udp', sport: 41000 },
      { t: 41, src: C, dst: S, proto: 'udp', sport: 41001 },
    ]);
    expect(r.events.filter((e) => e.startsWith('DESTROY'))).toEqual(['DESTROY 1 at 11']);
    expect(r.counters['filter FORWARD -m conntrack --ctstate NEW']).toBe('3:96');
    expect(r.conntrack.map((l) => l.split(' ').filter(Boolean)[0])).toEqual(['udp', 'udp']);
  });
});

describe('ICMP', () => {
  const rules = filter('-A FORWARD -m conntrack --ctstate RELATED', '-A FORWARD -m conntrack --ctstate INVALID', '-A FORWARD -m conntrack --ctstate ESTABLISHED');
  const quoted = (src: string, dst: string, sport: number, dport: number): Uint8Array => packet({ t: 0, src, dst, proto: 'udp', sport, dport }).subarray(0, 28);

  it('tracks echo by identifier; an error quoting a tracked packet is RELATED, one quoting nothing INVALID', async () => {
    const r = await run(rules, [
      { t: 0, src: C, dst: S, proto: 'icmp', type: 8, rest: 0x77770001 },
      { t: 0.1, src: S, dst: C, proto: 'icmp', type: 0, rest: 0x77770001 },
      { t: 1, src: C, dst: S, proto: 'udp', sport: 40001, dport: 9 },
      { t: 1.1, src: S, dst: C, proto: 'icmp', type: 3, code: 3, payload: quoted(C, S, 40001, 9) },
      { t: 2, src: S, dst: C, proto: 'icmp', type: 3, code: 3, payload: quoted(C, S, 40002, 9) },
      // An echo reply nobody asked for: the reply type cannot start an entry.
      { t: 3, src: S, dst: C, proto: 'icmp', type: 0, rest: 0x55550001 },
    ]);
    expect(r.counters['filter FORWARD -m conntrack --ctstate RELATED']).toBe('1:56');
    expect(r.counters['filter FORWARD -m conntrack --ctstate INVALID']).toBe('2:84');
    expect(r.counters['filter FORWARD -m conntrack --ctstate ESTABLISHED']).toBe('1:28');
    expect(r.conntrack).toContain(`icmp     1 27 src=${C} dst=${S} type=8 code=0 id=30583 src=${S} dst=${C} type=0 code=0 id=30583 mark=0 use=1`);
    // An ICMP error is not a reply: the UDP flow stays UNREPLIED.
    expect(r.conntrack).toContain(`udp      17 28 src=${C} dst=${S} sport=40001 dport=9 [UNREPLIED] src=${S} dst=${C} sport=9 dport=40001 mark=0 use=1`);
  });
});

describe('NOTRACK, zones and the table limit', () => {
  it('NOTRACK in raw makes packets UNTRACKED: no entry, and -m state sees UNTRACKED', async () => {
    const rules = ['*raw', ':PREROUTING ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', '-A PREROUTING -p udp -m udp --dport 53 -j NOTRACK', 'COMMIT', filter('-A FORWARD -m state --state UNTRACKED', '-A FORWARD -m state --state NEW')].join('\n');
    const r = await run(rules, [
      { t: 0, src: C, dst: S, proto: 'udp', dport: 53 },
      { t: 0, src: C, dst: S, proto: 'udp', dport: 54 },
    ]);
    expect(r.counters['filter FORWARD -m state --state UNTRACKED']).toBe('1:28');
    expect(r.counters['filter FORWARD -m state --state NEW']).toBe('1:28');
    expect(r.conntrack).toHaveLength(1);
  });

  it('early drop passes over ASSURED connections however old; with only those, the new packet is dropped', async () => {
    // 41000 becomes ASSURED (two-way traffic still going two seconds on); 41001 never replies.
    const assured = [
      { t: 0, src: C, dst: S, proto: 'udp' as const, sport: 41000 },
      { t: 0.1, src: S, dst: C, proto: 'udp' as const, sport: 53, dport: 41000 },
      { t: 2.5, src: C, dst: S, proto: 'udp' as const, sport: 41000 },
    ];
    const r = await run(filter('-A FORWARD -m conntrack --ctstate NEW'), [...assured, { t: 3, src: C, dst: S, proto: 'udp', sport: 41001 }, { t: 4, src: C, dst: S, proto: 'udp', sport: 41002 }], { 'net.netfilter.nf_conntrack_max': 2 });
    expect(r.notes).toMatchObject({ 'conntrack.early_drop': 1 });
    expect(r.conntrack.map((l) => /sport=(\d+)/.exec(l)![1])).toEqual(['41000', '41002']);
    expect(r.conntrack[0]).toContain('[ASSURED]');
    const full = await run(filter('-A FORWARD -m conntrack --ctstate NEW'), [...assured, { t: 3, src: C, dst: S, proto: 'udp', sport: 41001 }], { 'net.netfilter.nf_conntrack_max': 1 });
    expect(full.notes).toMatchObject({ 'conntrack.table_full_dropped': 1 });
    expect(full.conntrack.map((l) => /sport=(\d+)/.exec(l)![1])).toEqual(['41000']);
  });

  it('CT --zone keeps the same tuple apart in two zones', async () => {
    const rules = ['*raw', ':PREROUTING ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', '-A PREROUTING -m statistic --mode nth --every 2 --packet 1 -j CT --zone 7', 'COMMIT', filter('-A FORWARD -m conntrack --ctstate NEW')].join('\n');
    const r = await run(rules, [
      { t: 0, src: C, dst: S, proto: 'udp' },
      { t: 1, src: C, dst: S, proto: 'udp' },
    ]);
    expect(r.counters['filter FORWARD -m conntrack --ctstate NEW']).toBe('2:56');
    expect(r.conntrack.map((l) => /zone=\d+/.exec(l)?.[0] ?? 'zone 0')).toEqual(['zone 0', 'zone=7']);
  });

  it('a full table early-drops a connection that is not ASSURED, else drops the new packet', async () => {
    const flows = [0, 1, 2].map((i) => ({ t: i, src: C, dst: S, proto: 'udp' as const, sport: 41000 + i }));
    const r = await run(filter('-A FORWARD -m conntrack --ctstate NEW'), flows, { 'net.netfilter.nf_conntrack_max': 2 });
    expect(r.counters['filter FORWARD -m conntrack --ctstate NEW']).toBe('3:84');
    expect(r.notes).toMatchObject({ 'conntrack.early_drop': 1 });
    expect(r.events).toContain('DESTROY 1 at 2');
    expect(r.conntrack.map((l) => /sport=(\d+)/.exec(l)![1])).toEqual(['41001', '41002']);
  });
});

describe('the nat table with conntrack', () => {
  it('sees the first packet of each connection only, once per hook', async () => {
    const rules = ['*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', 'COMMIT', filter()].join('\n');
    const r = await run(rules, [
      { t: 0, src: C, dst: S, proto: 'udp' },
      { t: 0.1, src: S, dst: C, proto: 'udp', sport: 53, dport: 40000 },
      { t: 0.2, src: C, dst: S, proto: 'udp' },
      { t: 0.3, src: C, dst: S, proto: 'udp', sport: 40005 },
    ]);
    expect(r.counters['nat PREROUTING policy']).toBe('2:56');
    expect(r.counters['nat POSTROUTING policy']).toBe('2:56');
    expect(r.notes['nat.not_modelled']).toBeUndefined();
  });
});

describe('conntrack, state and connmark matches, CONNMARK', () => {
  it('matches direction, tuples, protocol, status and remaining time', async () => {
    const rules = filter(
      '-A FORWARD -m conntrack --ctdir ORIGINAL',
      '-A FORWARD -m conntrack --ctdir REPLY',
      `-A FORWARD -m conntrack --ctorigsrc ${C} --ctreplsrc ${S}`,
      '-A FORWARD -m conntrack --ctproto udp --ctorigdstport 53 --ctreplsrcport 53',
      '-A FORWARD -m conntrack --ctstatus SEEN_REPLY',
      '-A FORWARD -m conntrack ! --ctstatus CONFIRMED',
      '-A FORWARD -m conntrack --ctexpire 25:30',
    );
    const r = await run(rules, [
      { t: 0, src: C, dst: S, proto: 'udp' },
      { t: 0.1, src: S, dst: C, proto: 'udp', sport: 53, dport: 40000 },
      { t: 0.2, src: C, dst: S, proto: 'udp' },
    ]);
    expect(r.counters['filter FORWARD -m conntrack --ctdir ORIGINAL']).toBe('2:56');
    expect(r.counters['filter FORWARD -m conntrack --ctdir REPLY']).toBe('1:28');
    expect(r.counters[`filter FORWARD -m conntrack --ctorigsrc ${C} --ctreplsrc ${S}`]).toBe('3:84');
    expect(r.counters['filter FORWARD -m conntrack --ctproto 17 --ctorigdstport 53 --ctreplsrcport 53']).toBe('3:84');
    // The reply is handled (SEEN_REPLY set) before the filter table sees it.
    expect(r.counters['filter FORWARD -m conntrack --ctstatus SEEN_REPLY']).toBe('2:56');
    // Only the first packet meets an entry not yet in the table.
    expect(r.counters['filter FORWARD -m conntrack ! --ctstatus CONFIRMED']).toBe('1:28');
    expect(r.counters['filter FORWARD -m conntrack --ctexpire 25:30']).toBe('3:84');
  });

  it('CONNMARK sets the entry mark; connmark sees it both ways; --restore-mark copies it to the packet', async () => {
    const rules = mangle(
      '-A PREROUTING -m conntrack --ctstate NEW -j CONNMARK --set-xmark 0x5/0xffffffff',
      '-A PREROUTING -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff',
      '-A FORWARD -m connmark --mark 0x5',
      '-A FORWARD -m mark --mark 0x5',
    );
    const r = await run(rules, [
      { t: 0, src: C, dst: S, proto: 'udp' },
      { t: 0.1, src: S, dst: C, proto: 'udp', sport: 53, dport: 40000 },
    ]);
    expect(r.counters['mangle FORWARD -m connmark --mark 0x5']).toBe('2:56');
    expect(r.counters['mangle FORWARD -m mark --mark 0x5']).toBe('2:56');
    expect(r.conntrack[0]).toContain('mark=5');
  });

  it('reports a changed connection mark as one [UPDATE], at the packet that changed it', async () => {
    const rules = mangle('-A FORWARD -p udp -m udp --dport 53 -m conntrack --ctstate ESTABLISHED -j CONNMARK --set-xmark 0x7/0xffffffff');
    const r = await run(rules, [
      { t: 0, src: C, dst: S, proto: 'udp' },
      { t: 0.1, src: S, dst: C, proto: 'udp', sport: 53, dport: 40000 },
      { t: 0.2, src: C, dst: S, proto: 'udp' },
      { t: 0.3, src: C, dst: S, proto: 'udp' },
    ]);
    // The reply (SEEN_REPLY), then the mark set by packet 3; packet 4 sets the same mark: no event.
    expect(r.events).toEqual(['1 NEW 1', '2 UPDATE 1', '3 UPDATE 1']);
    expect(r.conntrack[0]).toContain('mark=7');
  });

  it('gives the same counters with the reference interpreter', async () => {
    const rules = filter('-A FORWARD -m conntrack --ctstate NEW', '-A FORWARD -m state --state ESTABLISHED', '-A FORWARD -m conntrack --ctdir REPLY');
    const pkts: Pkt[] = [
      { t: 0, src: C, dst: S, proto: 'tcp', flags: 0x02, seq: 100 },
      { t: 0.1, src: S, dst: C, proto: 'tcp', sport: 80, dport: 40000, flags: 0x12, seq: 500, ack: 101 },
      { t: 0.2, src: C, dst: S, proto: 'tcp', flags: 0x10, seq: 101, ack: 501 },
    ];
    const a = await run(rules, pkts, {}, 'compiled');
    const b = await run(rules, pkts, {}, 'interpreter');
    expect(b.counters).toEqual(a.counters);
    expect(a.counters['filter FORWARD -m state --state ESTABLISHED']).toBe('2:80');
    expect(a.conntrack[0]).toMatch(/^tcp      6 432000 ESTABLISHED .* \[ASSURED\] mark=0 use=1$/);
  });
});
