/**
 * REJECT's replies (engine/host-replies.ts) where the differential cases cannot reach: the ICMP
 * rate limits over capture time (the recorder injects a case within a second), the global
 * limit's seeded draws, the 576-byte quote, and what is left without --reject-replies.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileRuleset } from '../../src/compile/index.js';
import { replayCapture, replayedTables, type ReplaySummary } from '../../src/engine/replay.js';
import { createClassifier, hostFromJson } from '../../src/netfilter/index.js';
import { loadRulesetText, saveRuleset } from '../../src/rules/index.js';
import { ACK, datagram, filterRules, serverHost, SYN, T0, writeCapture, type Pkt } from '../analysis/packets.js';
import { PcapWriter } from '../../src/capture/index.js';
import { csumReplace16, get16, put16 } from '../../src/capture/rewrite.js';

const dir = mkdtempSync(join(tmpdir(), 'nfr-reject-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RULES = filterRules(
  '-A INPUT -p udp --dport 7 -j REJECT',
  '-A INPUT -p tcp --dport 22 -j REJECT --reject-with tcp-reset',
  '-A OUTPUT -p icmp -j ACCEPT',
  '-A OUTPUT -p tcp -j ACCEPT',
);

interface Replayed {
  summary: ReplaySummary;
  /** The replies' datagrams, in order. */
  replies: Uint8Array[];
  /** The OUTPUT rules' packet counters, in rule order. */
  output: number[];
}

type Options = { rejectReplies?: boolean; icmpErrors?: boolean; sysctls?: Record<string, number>; seed?: number; host?: string };

async function replay(pkts: Pkt[], opts: Options = {}): Promise<Replayed> {
  return replayFile(writeCapture(join(dir, `c${Math.random().toString(36).slice(2)}.pcap`), pkts), opts);
}

async function replayFile(file: string, opts: Options = {}): Promise<Replayed> {
  const ruleset = loadRulesetText(RULES, { source: 'rules' }).ruleset;
  const host = hostFromJson(JSON.parse(opts.host ?? serverHost(opts.sysctls)) as object, 'host');
  const replies: Uint8Array[] = [];
  const summary = await replayCapture({
    capture: file,
    ruleset,
    host,
    classify: createClassifier(host),
    seed: opts.seed ?? 1,
    runner: (rt) => compileRuleset(ruleset, rt, { tables: replayedTables(ruleset) }),
    rejectReplies: opts.rejectReplies ?? true,
    icmpErrors: opts.icmpErrors,
    onReply: (_o, p) => replies.push(p.data.slice(p.view.l3Offset, p.view.l3Offset + p.view.totalLength)),
  });
  const output = saveRuleset(ruleset, { counters: true })
    .split('\n')
    .filter((l) => l.includes('-A OUTPUT'))
    .map((l) => Number(/^\[(\d+):/.exec(l)![1]));
  return { summary, replies, output };
}

const udp = (t: number, src = '192.0.2.20', extra: Partial<Pkt> = {}): Pkt => ({ t, src, dst: '192.0.2.1', proto: 'udp', sport: 5000, dport: 7, ...extra });

describe('REJECT replies: ICMP rate limits by capture time', () => {
  it('a destination gets six errors in a burst, then one a second', async () => {
    const burst = Array.from({ length: 10 }, (_, i) => udp(i / 1000));
    const r = await replay([...burst, udp(1.02), udp(1.5), udp(1.51, '192.0.2.21')]);
    // 6 of the burst, one at 1.02 s (a second of tokens), none at 1.5 s, one to another host.
    expect(r.summary.replies?.sent).toEqual({ 'icmp-unreachable': 8 });
    expect(r.summary.replies?.notSent).toEqual({ 'icmp-ratelimit-host': 5 });
    expect(r.output).toEqual([8, 0]);
  });

  it('a destination idle for six seconds has its whole burst again, among thousands of others', async () => {
    const open = { 'net.ipv4.icmp_msgs_per_sec': 1_000_000, 'net.ipv4.icmp_msgs_burst': 1_000_000 };
    const burst = (t: number, n: number, src: string): Pkt[] => Array.from({ length: n }, (_, i) => udp(t + i / 1000, src));
    const others = Array.from({ length: 5000 }, (_, i) => udp(8 + i / 10000, `10.${(i >> 8) & 255}.${i & 255}.1`));
    const a = '192.0.2.20';
    const b = '192.0.2.30';
    const r = await replay([...burst(0, 8, a), ...burst(7.9, 8, b), ...others, ...burst(8.6, 3, b), ...burst(9, 8, a)], { sysctls: open });
    // a: 6 of 8, and 6 of 8 again 9 s later (its bucket refilled); b: 6 of 8, then none of 3
    // 0.7 s later (the table of destinations let go of idle ones only); the 5,000 others.
    expect(r.summary.replies?.sent).toEqual({ 'icmp-unreachable': 6 + 6 + 5000 + 0 + 6 });
    expect(r.summary.replies?.notSent).toEqual({ 'icmp-ratelimit-host': 2 + 2 + 3 + 2 });
  });

  it('icmp_ratemask without destination-unreachable lifts both limits', async () => {
    const r = await replay(Array.from({ length: 10 }, (_, i) => udp(i / 1000)), { sysctls: { 'net.ipv4.icmp_ratemask': 0 } });
    expect(r.summary.replies?.sent).toEqual({ 'icmp-unreachable': 10 });
    expect(r.summary.replies?.notSent).toEqual({});
  });

  it('the host-wide limit takes 0 to 2 credits an error, drawn from the seed', async () => {
    // Sixty sources within 6 ms: no destination exceeds its bucket, the host's 50 credits do.
    const many = Array.from({ length: 60 }, (_, i) => udp(i / 10000, `192.0.2.${100 + i}`));
    const [a, b] = await Promise.all([replay(many), replay(many)]);
    const sent = a.summary.replies!.sent['icmp-unreachable']!;
    expect(sent).toBeGreaterThanOrEqual(26);
    expect(sent).toBeLessThan(60);
    expect(a.summary.replies!.notSent).toEqual({ 'icmp-ratelimit-global': 60 - sent });
    expect(b.summary.replies).toEqual(a.summary.replies);
    const seeds = await Promise.all([2, 3, 4, 5].map((seed) => replay(many, { seed })));
    expect(new Set([sent, ...seeds.map((s) => s.summary.replies!.sent['icmp-unreachable'])]).size).toBeGreaterThan(1);
  });
});

describe('routing errors (ip_error) by capture time', () => {
  // A forwarding host without a default route: 198.51.100.99 has no route.
  const router = JSON.stringify({ interfaces: [{ name: 'eth0', addr: '192.0.2.1/24' }], forward: true });
  const lost = (t: number): Pkt => ({ t, src: '192.0.2.20', dst: '198.51.100.99', proto: 'udp', sport: 5000, dport: 53 });

  it('a source gets two in a row, then one every two seconds', async () => {
    const r = await replay([...[0, 0.001, 0.002, 0.003, 0.004].map(lost), lost(2.004), lost(2.5), lost(4.01)], { icmpErrors: true, host: router });
    expect(r.summary.replies?.sent).toEqual({ 'icmp-unreachable': 4 });
    expect(r.summary.replies?.notSent).toEqual({ 'icmp-ratelimit-host': 1, 'route-error-ratelimit': 3 });
    expect(r.replies.map((d) => [d[20], d[21]])).toEqual([[3, 0], [3, 0], [3, 0], [3, 0]]);
  });

  it('is only noted without --icmp-errors', async () => {
    const r = await replay([lost(0)], { host: router });
    expect(r.summary.notes['icmp.unreachable_sent']).toBe(1);
    expect(r.replies).toEqual([]);
  });
});

describe('REJECT replies: what they hold', () => {
  it('an error quotes at most 576 bytes in all', async () => {
    const r = await replay([udp(0, '192.0.2.20', { size: 1400 }), udp(0.001, '192.0.2.20', { size: 100 })]);
    expect(r.replies.map((d) => d.length)).toEqual([576, 128]);
    expect(r.replies[0]![20]).toBe(3);
    expect(r.replies[0]![21]).toBe(3);
  });

  it("a RST takes an ACK's number, else acknowledges the segment", async () => {
    const tcp = (t: number, flags: number, seq: number, ack: number): Pkt => ({ t, src: '192.0.2.20', dst: '192.0.2.1', proto: 'tcp', sport: 6000, dport: 22, flags, seq, ack, payload: new Uint8Array(5) });
    const r = await replay([tcp(0, SYN, 100, 0), tcp(0.001, ACK, 106, 777)]);
    const dv = r.replies.map((d) => new DataView(d.buffer, d.byteOffset));
    // SYN + 5 bytes: RST,ACK acknowledging 100 + 1 + 5; the ACK: a bare RST at 777.
    expect([dv[0]!.getUint32(24), dv[0]!.getUint32(28), r.replies[0]![33]]).toEqual([0, 106, 0x14]);
    expect([dv[1]!.getUint32(24), dv[1]!.getUint32(28), r.replies[1]![33]]).toEqual([777, 0, 0x04]);
    expect(r.output).toEqual([0, 2]);
  });
});

describe('REJECT replies: a capture taken on the host', () => {
  // The host's tcpdump shows the SYN and, leaving, the RST REJECT sent to it.
  const syn: Pkt = { t: 0, src: '192.0.2.20', dst: '192.0.2.1', proto: 'tcp', sport: 6000, dport: 22, flags: SYN, seq: 100 };
  const rst: Pkt = { t: 0.0001, src: '192.0.2.1', dst: '192.0.2.20', proto: 'tcp', sport: 22, dport: 6000, flags: 0x14, seq: 0, ack: 101 };

  it('does not replay the replies it holds a second time', async () => {
    const r = await replay([syn, rst, { ...rst, t: 0.0002 }]);
    // The RST the replay sent, then the capture's copy of it, then one more the replay did not send.
    expect(r.summary.skipped).toEqual({ 'reply-in-capture': 1 });
    expect(r.output).toEqual([0, 2]);
  });

  it('without --reject-replies replays the copies as the host\'s own packets', async () => {
    const r = await replay([syn, rst], { rejectReplies: false });
    expect(r.summary.skipped).toEqual({});
    expect(r.output).toEqual([0, 1]);
  });

  it('knows an ICMP error by its type, code and quote, whatever its IP id', async () => {
    const first = await replay([udp(0)]);
    const copy = first.replies[0]!.slice();
    // Another id, as the kernel picks one (the header checksum following).
    put16(copy, 10, csumReplace16(get16(copy, 10), get16(copy, 4), 0x5a5a));
    put16(copy, 4, 0x5a5a);
    const file = join(dir, 'icmp-copy.pcap');
    const w = PcapWriter.open(file, { linktype: 101, precision: 'nanosecond' });
    for (const [data, ns] of [[datagram(udp(0)), 0], [copy, 100_000]] as const) w.write({ data, offset: 0, caplen: data.length, origlen: data.length, tsSec: T0, tsNsec: ns });
    w.close();
    const r = await replayFile(file);
    expect(r.summary.skipped).toEqual({ 'reply-in-capture': 1 });
    expect(r.output).toEqual([1, 0]);
  });

  it('a copy more than a second later is the host\'s own packet again', async () => {
    const r = await replay([syn, { ...rst, t: 1.5 }]);
    expect(r.summary.skipped).toEqual({});
    expect(r.output).toEqual([0, 2]);
  });
});

describe('REJECT replies: off', () => {
  it('only notes them: no reply traverses OUTPUT', async () => {
    const r = await replay([udp(0), udp(0.001)], { rejectReplies: false });
    expect(r.summary.replies).toBeUndefined();
    expect(r.summary.notes['reject.reply']).toBe(2);
    expect(r.output).toEqual([0, 0]);
    expect(r.replies).toEqual([]);
  });
});
