/**
 * tcp, udp and icmp (xt_tcpudp.c) on packets built field by field: ports, ranges, flags,
 * options, negations; fragments; headers short on the wire (hotdrop) and cut by the
 * snaplen (no match, nothing dropped: the replay cannot know the bytes).
 */
import { describe, expect, it } from 'vitest';
import { ether, hotdropped, icmpHeader, ipv4, matcher, packetOf, tcpHeader, tcpPacket, udpHeader, udpPacket } from './helpers.js';

const TCP_SYN = 0x02;
const TCP_ACK = 0x10;

function tcpFrame(l4: Uint8Array, frag = 0, mf = false): Uint8Array {
  return ether(ipv4({ proto: 6, frag, mf, l4 }));
}

describe('tcp match (tcp_mt)', () => {
  it('matches destination and source ports, ranges and negations', () => {
    const m = matcher('-p tcp --dport 22');
    expect(m(tcpPacket({ dport: 22 }))).toBe(true);
    expect(m(tcpPacket({ dport: 23 }))).toBe(false);
    const r = matcher('-p tcp --sport 1000:2000 ! --dport 80:90');
    expect(r(tcpPacket({ sport: 1000, dport: 79 }))).toBe(true);
    expect(r(tcpPacket({ sport: 2000, dport: 91 }))).toBe(true);
    expect(r(tcpPacket({ sport: 2001, dport: 91 }))).toBe(false);
    expect(r(tcpPacket({ sport: 1500, dport: 85 }))).toBe(false);
    expect(matcher('-p tcp ! --sport 0:65535')(tcpPacket())).toBe(false);
  });

  it('compares the flags under the mask; ALL leaves out ECE and CWR', () => {
    const syn = matcher('-p tcp --syn');
    expect(syn(tcpPacket({ flags: TCP_SYN }))).toBe(true);
    expect(syn(tcpPacket({ flags: TCP_SYN | TCP_ACK }))).toBe(false);
    expect(syn(tcpPacket({ flags: TCP_SYN | 0x08 }))).toBe(true);
    expect(matcher('-p tcp ! --syn')(tcpPacket({ flags: TCP_SYN | TCP_ACK }))).toBe(true);
    const all = matcher('-p tcp --tcp-flags ALL SYN');
    expect(all(tcpPacket({ flags: TCP_SYN | 0xc0 }))).toBe(true);
    expect(all(tcpPacket({ flags: TCP_SYN | 0x01 }))).toBe(false);
    expect(matcher('-p tcp --tcp-flags ALL NONE')(tcpPacket({ flags: 0 }))).toBe(true);
  });

  it('walks the options as the kernel does', () => {
    const ts = matcher('-p tcp --tcp-option 8');
    const opts = [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2];
    expect(ts(tcpPacket({ options: opts }))).toBe(true);
    expect(ts(tcpPacket({ options: [2, 4, 5, 0xb4] }))).toBe(false);
    // The kind byte is tested wherever the walk lands, even inside another option's data
    // when a length byte misleads it.
    expect(matcher('-p tcp --tcp-option 9')(tcpPacket({ options: [3, 2, 9, 1] }))).toBe(true);
    // A zero length moves on by one byte.
    expect(matcher('-p tcp --tcp-option 7')(tcpPacket({ options: [30, 0, 7, 1] }))).toBe(true);
    expect(matcher('-p tcp ! --tcp-option 2')(tcpPacket({ options: [] }))).toBe(true);
    expect(matcher('-p tcp ! --tcp-option 2')(tcpPacket({ options: [2, 4, 5, 0xb4] }))).toBe(false);
  });

  it('drops a packet whose option test cannot be made', () => {
    const m = matcher('-p tcp --tcp-option 2');
    const small = tcpPacket({ doff: 4 });
    expect(m(small)).toBe(false);
    expect(hotdropped(small)).toBe(true);
    // The data offset promises options the segment does not have.
    const beyond = packetOf(tcpFrame(tcpHeader({ doff: 8 })));
    expect(m(beyond)).toBe(false);
    expect(hotdropped(beyond)).toBe(true);
    // No option test, no drop: ports and flags are all the 20 bytes hold.
    const noOpt = packetOf(tcpFrame(tcpHeader({ doff: 8, dport: 22 })));
    expect(matcher('-p tcp --dport 22')(noOpt)).toBe(true);
    // The option test comes after ports: a port mismatch ends it first.
    const other = tcpPacket({ doff: 4, dport: 25 });
    expect(matcher('-p tcp --dport 22 --tcp-option 2')(other)).toBe(false);
    expect(hotdropped(other)).toBe(false);
  });

  it('never matches a later fragment and hotdrops the one at offset 8', () => {
    const m = matcher('-p tcp ! --dport 22');
    const later = packetOf(tcpFrame(new Uint8Array(40), 2));
    expect(m(later)).toBe(false);
    expect(hotdropped(later)).toBe(false);
    const evil = packetOf(tcpFrame(new Uint8Array(40), 1, true));
    expect(m(evil)).toBe(false);
    expect(hotdropped(evil)).toBe(true);
  });

  it('drops a segment shorter than its header, also a first fragment', () => {
    const m = matcher('-p tcp --dport 22');
    const short = packetOf(tcpFrame(tcpHeader({ dport: 22 }).subarray(0, 12)));
    expect(m(short)).toBe(false);
    expect(hotdropped(short)).toBe(true);
    const firstFrag = packetOf(tcpFrame(tcpHeader({ dport: 22 }).subarray(0, 16), 0, true));
    expect(m(firstFrag)).toBe(false);
    expect(hotdropped(firstFrag)).toBe(true);
    const enough = packetOf(tcpFrame(tcpHeader({ dport: 22, payload: 8 }).subarray(0, 24), 0, true));
    expect(m(enough)).toBe(true);
  });

  it('does not match, nor drop, a header the snaplen cut', () => {
    const m = matcher('-p tcp ! --dport 22');
    const cut = packetOf(tcpFrame(tcpHeader({ dport: 80 })), { caplen: 14 + 20 + 10 });
    expect(m(cut)).toBe(false);
    expect(hotdropped(cut)).toBe(false);
    const opts = matcher('-p tcp --tcp-option 8');
    const cutOpts = packetOf(tcpFrame(tcpHeader({ options: [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2] })), { caplen: 14 + 20 + 22 });
    expect(opts(cutOpts)).toBe(false);
    expect(hotdropped(cutOpts)).toBe(false);
  });
});

describe('udp match (udp_mt)', () => {
  it('matches ports and ranges, negated or not', () => {
    expect(matcher('-p udp --dport 53')(udpPacket({ dport: 53 }))).toBe(true);
    expect(matcher('-p udp ! --sport 123')(udpPacket({ sport: 123 }))).toBe(false);
    expect(matcher('-p udp --sport 1024: --dport :1023')(udpPacket({ sport: 5353, dport: 53 }))).toBe(true);
  });

  it('ignores the length field, skips fragments, drops a short datagram', () => {
    const bad = packetOf(ether(ipv4({ proto: 17, l4: udpHeader({ dport: 53, len: 99 }) })));
    expect(matcher('-p udp --dport 53')(bad)).toBe(true);
    const later = packetOf(ether(ipv4({ proto: 17, frag: 1, l4: new Uint8Array(16) })));
    expect(matcher('-p udp ! --dport 53')(later)).toBe(false);
    expect(hotdropped(later)).toBe(false);
    const short = packetOf(ether(ipv4({ proto: 17, l4: udpHeader().subarray(0, 4) })));
    expect(matcher('-p udp ! --dport 53')(short)).toBe(false);
    expect(hotdropped(short)).toBe(true);
    const cut = packetOf(ether(ipv4({ proto: 17, l4: udpHeader({ dport: 1 }) })), { caplen: 14 + 20 + 6 });
    expect(matcher('-p udp ! --dport 53')(cut)).toBe(false);
    expect(hotdropped(cut)).toBe(false);
  });
});

describe('icmp match (icmp_match)', () => {
  const icmp = (type: number, code: number, body = 0): ReturnType<typeof packetOf> =>
    packetOf(ether(ipv4({ proto: 1, l4: icmpHeader({ type, code, body: new Uint8Array(body) }) })));

  it('matches a type and a code range, any type, negations', () => {
    expect(matcher('-p icmp --icmp-type echo-request')(icmp(8, 0))).toBe(true);
    expect(matcher('-p icmp --icmp-type echo-request')(icmp(0, 0))).toBe(false);
    expect(matcher('-p icmp --icmp-type port-unreachable')(icmp(3, 3, 28))).toBe(true);
    expect(matcher('-p icmp --icmp-type port-unreachable')(icmp(3, 1, 28))).toBe(false);
    expect(matcher('-p icmp --icmp-type 3/1:3')(icmp(3, 2, 28))).toBe(true);
    expect(matcher('-p icmp ! --icmp-type 3')(icmp(3, 9, 28))).toBe(false);
    expect(matcher('-p icmp --icmp-type any')(icmp(42, 7))).toBe(true);
    expect(matcher('-p icmp ! --icmp-type any')(icmp(8, 0))).toBe(false);
  });

  it('needs the whole 8-byte header, and never a later fragment', () => {
    const short = packetOf(ether(ipv4({ proto: 1, l4: icmpHeader().subarray(0, 4) })));
    expect(matcher('-p icmp --icmp-type any')(short)).toBe(false);
    expect(hotdropped(short)).toBe(true);
    const later = packetOf(ether(ipv4({ proto: 1, frag: 3, l4: new Uint8Array(16) })));
    expect(matcher('-p icmp --icmp-type any')(later)).toBe(false);
    expect(hotdropped(later)).toBe(false);
  });
});
