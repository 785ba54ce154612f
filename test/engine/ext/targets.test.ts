/**
 * The targets the replay evaluates: their verdict, what they change in the packet state
 * (mark, TTL, TOS, MSS, length) and what they report through the runtime.
 */
import { describe, expect, it } from 'vitest';
import { Verdict, type PacketState } from '../../../src/engine/packet.js';
import { clampedMss, mangleMss, type MssRewrite } from '../../../src/rules/ext/TCPMSS.js';
import { ether, ipv4, matcher, packetOf, targetOf, tcpHeader, tcpPacket, TestRuntime, udpPacket } from './helpers.js';

/** The TCP segment's bytes (from the IP header on) and its length. */
function tcpSegment(p: PacketState): { d: Uint8Array; ip: number; l4: number; len: number } {
  const ip = p.view.l3Offset;
  const l4 = ip + p.view.ihl * 4;
  return { d: p.data, ip, l4, len: p.view.totalLength - p.view.ihl * 4 };
}

/** Ones' complement sum of the pseudo-header and the segment (0xffff when the checksum is right). */
function tcpSum(p: PacketState): number {
  const { d, ip, l4, len } = tcpSegment(p);
  let sum = 6 + len;
  for (let i = 12; i < 20; i += 2) sum += (d[ip + i]! << 8) | d[ip + i + 1]!;
  for (let i = 0; i < len; i += 2) sum += (d[l4 + i]! << 8) | (i + 1 < len ? d[l4 + i + 1]! : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

function setTcpChecksum(p: PacketState): void {
  const { d, l4 } = tcpSegment(p);
  d[l4 + 16] = 0;
  d[l4 + 17] = 0;
  const check = ~tcpSum(p) & 0xffff;
  d[l4 + 16] = check >>> 8;
  d[l4 + 17] = check & 0xff;
}

const tcpChecksumOk = (p: PacketState): boolean => tcpSum(p) === 0xffff;

function apply(text: string, pkt: PacketState, rt = new TestRuntime(), table = 'mangle', chain = 'FORWARD'): number {
  const { ext, state } = targetOf(text, table, chain);
  return ext.applyTarget!(state, pkt, rt, ext.instantiate?.(state, rt));
}

describe('MARK (mark_tg)', () => {
  it('composes every operation as (mark & ~mask) ^ value', () => {
    const p = udpPacket({}, {}, { mark: 0xf0 });
    expect(apply('-j MARK --set-mark 0x1', p)).toBe(Verdict.CONTINUE);
    expect(p.mark).toBe(0x1);
    apply('-j MARK --or-mark 0x80000000', p);
    expect(p.mark).toBe(0x80000001);
    apply('-j MARK --and-mark 0x80000000', p);
    expect(p.mark).toBe(0x80000000);
    apply('-j MARK --xor-mark 0xffffffff', p);
    expect(p.mark).toBe(0x7fffffff);
    apply('-j MARK --set-xmark 0x5/0xf', p);
    expect(p.mark).toBe(0x7ffffff5);
    apply('-j MARK --set-mark 0x2/0x3', p);
    expect(p.mark).toBe(0x7ffffff6);
  });
});

describe('targets that end or report', () => {
  it('REJECT drops and notes the reply it would send', () => {
    const rt = new TestRuntime();
    expect(apply('-j REJECT --reject-with icmp-host-prohibited', udpPacket(), rt, 'filter', 'INPUT')).toBe(Verdict.DROP);
    expect(rt.notes).toEqual(['reject.reply']);
  });

  it('NFLOG hands the packet to its group and goes on', () => {
    const rt = new TestRuntime();
    expect(apply('-j NFLOG --nflog-group 5 --nflog-prefix "nf: "', udpPacket(), rt)).toBe(Verdict.CONTINUE);
    expect(rt.nflogs).toEqual([{ group: 5, prefix: 'nf: ' }]);
  });

  it('AUDIT goes on and is noted; TRACE (whose lines the tracer writes), CLASSIFY and CHECKSUM just go on', () => {
    const rt = new TestRuntime();
    expect(apply('-j TRACE', udpPacket(), rt, 'raw', 'PREROUTING')).toBe(Verdict.CONTINUE);
    expect(apply('-j AUDIT --type drop', udpPacket(), rt)).toBe(Verdict.CONTINUE);
    expect(apply('-j CLASSIFY --set-class 1:10', udpPacket(), rt, 'mangle', 'POSTROUTING')).toBe(Verdict.CONTINUE);
    expect(apply('-j CHECKSUM --checksum-fill', udpPacket(), rt)).toBe(Verdict.CONTINUE);
    expect(rt.notes).toEqual(['audit']);
  });
});

describe('header rewrites later rules see', () => {
  it('TTL sets, increments and decrements within 0-255', () => {
    const p = udpPacket({}, { ttl: 64 });
    expect(apply('-j TTL --ttl-dec 70', p)).toBe(Verdict.CONTINUE);
    expect(p.ttl).toBe(0);
    apply('-j TTL --ttl-inc 200', p);
    apply('-j TTL --ttl-inc 200', p);
    expect(p.ttl).toBe(255);
    apply('-j TTL --ttl-set 3', p);
    expect(matcher('-m ttl --ttl-eq 3')(p)).toBe(true);
  });

  it('TOS and DSCP rewrite the TOS byte; DSCP keeps the ECN bits', () => {
    const p = udpPacket({}, { tos: 0x03 });
    apply('-j DSCP --set-dscp-class AF41', p);
    expect(p.tos).toBe((34 << 2) | 3);
    expect(matcher('-m dscp --dscp 34')(p)).toBe(true);
    apply('-j TOS --and-tos 0x0f', p);
    expect(p.tos).toBe(((34 << 2) | 3) & 0x0f);
    apply('-j TOS --set-tos Minimize-Delay', p);
    // A name sets the low six bits (mask 0x3f): the ECN bits are cleared too.
    expect(p.tos).toBe(0x10);
  });

  it('ECN sets the IP codepoint, rewrites ECE/CWR in place for later matches, drops a TCP packet without a header', () => {
    const rt = new TestRuntime();
    const p = tcpPacket({ flags: 0xc2 }, { tos: 0x10 });
    setTcpChecksum(p);
    expect(apply('-p tcp -j ECN --ecn-tcp-remove --ecn-ip-ect 2', p, rt)).toBe(Verdict.CONTINUE);
    expect(p.tos).toBe(0x12);
    // set_ect_tcp: the flags byte changes, the TCP checksum follows (inet_proto_csum_replace2).
    expect(p.view.tcpFlags).toBe(0x02);
    expect(tcpChecksumOk(p)).toBe(true);
    expect(matcher('-p tcp -m ecn --ecn-tcp-ece')(p)).toBe(false);
    expect(matcher('-p tcp -m ecn ! --ecn-tcp-ece ! --ecn-tcp-cwr')(p)).toBe(true);
    apply('-p tcp -j ECN --ecn-tcp-ece 1', p, rt);
    expect(p.view.tcpFlags).toBe(0x42);
    expect(tcpChecksumOk(p)).toBe(true);
    expect(matcher('-p tcp -m ecn --ecn-tcp-ece ! --ecn-tcp-cwr')(p)).toBe(true);
    expect(rt.notes).toEqual([]);
    const short = packetOf(ether(ipv4({ proto: 6, l4: new Uint8Array(12) })));
    expect(apply('-p tcp -j ECN --ecn-tcp-remove', short)).toBe(Verdict.DROP);
  });

  it('TCPOPTSTRIP turns the listed options into NOPs with a valid checksum, drops what it cannot walk', () => {
    const rt = new TestRuntime();
    const withTs = tcpPacket({ options: [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2] });
    setTcpChecksum(withTs);
    expect(apply('-p tcp -j TCPOPTSTRIP --strip-options timestamp', withTs, rt)).toBe(Verdict.CONTINUE);
    const opts = (p: typeof withTs): number[] => [...p.data.subarray(p.view.l4Offset + 20, p.view.l4Offset + p.view.tcpDataOffset * 4)];
    expect(opts(withTs)).toEqual(new Array(12).fill(1));
    expect(tcpChecksumOk(withTs)).toBe(true);
    expect(rt.notes).toEqual([]);
    // MSS at an odd offset (after one NOP) and SACK-permitted after it: both stripped, the
    // checksum kept right through the byte swaps; a later tcpmss match no longer finds an MSS.
    const syn = tcpPacket({ options: [1, 2, 4, 5, 0xb4, 4, 2, 1, 1, 3, 3, 7] });
    setTcpChecksum(syn);
    expect(apply('-p tcp -j TCPOPTSTRIP --strip-options mss,sack-permitted', syn)).toBe(Verdict.CONTINUE);
    expect(opts(syn)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 7]);
    expect(tcpChecksumOk(syn)).toBe(true);
    expect(syn.tcpMss).toBe(-1);
    expect(matcher('-p tcp -m tcpmss ! --mss 1460')(syn)).toBe(true);
    expect(matcher('-p tcp -m tcp --tcp-option 3')(syn)).toBe(true);
    expect(apply('-p tcp -j TCPOPTSTRIP --strip-options timestamp', tcpPacket({ doff: 4 }))).toBe(Verdict.DROP);
    const beyond = packetOf(ether(ipv4({ proto: 6, l4: tcpHeader({ doff: 10 }) })));
    expect(apply('-p tcp -j TCPOPTSTRIP --strip-options mss', beyond)).toBe(Verdict.DROP);
    const later = packetOf(ether(ipv4({ proto: 6, frag: 2, l4: new Uint8Array(8) })));
    expect(apply('-p tcp -j TCPOPTSTRIP --strip-options mss', later)).toBe(Verdict.CONTINUE);
  });
});

describe('TCPMSS (tcpmss_tg4)', () => {
  const out = (): MssRewrite => ({ keep: true, grow: 0, mss: -1 });

  it('clamps to the smaller route MTU minus 40, or drops when nothing is left', () => {
    expect(clampedMss(1500, 0xffffffff)).toBe(1460);
    expect(clampedMss(1500, 1400)).toBe(1360);
    expect(clampedMss(40, 1500)).toBe(-1);
    expect(clampedMss(41, 1500)).toBe(1);
  });

  it('lowers an MSS, never raises it, adds one (at most 536) only to an empty segment', () => {
    expect(mangleMss(24, 24, 1460, 1360, out())).toEqual({ keep: true, grow: 0, mss: 1360 });
    expect(mangleMss(24, 24, 1200, 1360, out())).toEqual({ keep: true, grow: 0, mss: 1200 });
    expect(mangleMss(20, 20, -1, 1360, out())).toEqual({ keep: true, grow: 4, mss: 536 });
    expect(mangleMss(20, 20, -1, 500, out())).toEqual({ keep: true, grow: 4, mss: 500 });
    expect(mangleMss(30, 20, -1, 1360, out())).toEqual({ keep: true, grow: 0, mss: -1 });
    expect(mangleMss(60, 60, -1, 1360, out())).toEqual({ keep: true, grow: 0, mss: -1 });
    expect(mangleMss(19, 20, -1, 1360, out()).keep).toBe(false);
    expect(mangleMss(20, 16, -1, 1360, out()).keep).toBe(false);
    expect(mangleMss(20, 24, 1460, 1360, out()).keep).toBe(false);
  });

  it('rewrites the state: MSS for later matches, length for later counts', () => {
    const syn = tcpPacket({ options: [2, 4, 5, 0xb4] }, {}, { hook: 'FORWARD', outIface: 'eth1' });
    expect(apply('-p tcp --syn -j TCPMSS --clamp-mss-to-pmtu', syn)).toBe(Verdict.CONTINUE);
    // eth1's MTU is 1400; the source is reached through it too.
    expect(syn.tcpMss).toBe(1360);
    expect(matcher('-p tcp -m tcpmss --mss 1360')(syn)).toBe(true);
    const bare = tcpPacket({}, {}, { hook: 'FORWARD', outIface: 'eth1' });
    expect(bare.length).toBe(40);
    apply('-p tcp --syn -j TCPMSS --set-mss 1400', bare);
    expect([bare.length, bare.tcpMss]).toEqual([44, 536]);
    // A second rule finds the option it added and only ever lowers it.
    apply('-p tcp --syn -j TCPMSS --set-mss 500', bare);
    expect([bare.length, bare.tcpMss]).toEqual([44, 500]);
    expect(matcher('-m length --length 44')(bare)).toBe(true);
  });

  it('leaves later fragments and drops segments too short for their header', () => {
    const later = packetOf(ether(ipv4({ proto: 6, frag: 3, l4: new Uint8Array(8) })));
    expect(apply('-p tcp --syn -j TCPMSS --set-mss 1000', later)).toBe(Verdict.CONTINUE);
    const short = packetOf(ether(ipv4({ proto: 6, l4: tcpHeader().subarray(0, 12) })));
    expect(apply('-p tcp --syn -j TCPMSS --set-mss 1000', short)).toBe(Verdict.DROP);
    const rt = new TestRuntime();
    const cut = packetOf(ether(ipv4({ proto: 6, l4: tcpHeader({ options: [2, 4, 5, 0xb4] }) })), { caplen: 14 + 20 + 22 });
    expect(apply('-p tcp --syn -j TCPMSS --set-mss 1000', cut, rt)).toBe(Verdict.CONTINUE);
    expect(rt.notes).toEqual(['tcpmss.unknown']);
  });
});
