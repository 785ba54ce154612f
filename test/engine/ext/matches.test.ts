/**
 * The other stateless matches, branch by branch: what each reads from the packet, its
 * negations, and what it does with fragments, short headers (hotdrop or not, as the
 * kernel function decides) and headers the snaplen cut.
 */
import { describe, expect, it } from 'vitest';
import { PktType } from '../../../src/engine/packet.js';
import { ether, hotdropped, ipv4, matcher, packetOf, tcpHeader, tcpPacket, udpPacket } from './helpers.js';

function proto(p: number, l4: number[] | Uint8Array, o: { frag?: number; caplen?: number } = {}) {
  const frame = ether(ipv4({ proto: p, frag: o.frag, l4: Uint8Array.from(l4) }));
  return packetOf(frame, { caplen: o.caplen !== undefined ? 14 + 20 + o.caplen : undefined });
}

describe('multiport (multiport_mt)', () => {
  it('tests source, destination or either against single ports and ranges', () => {
    expect(matcher('-p tcp -m multiport --dports 22,80,8000:8080')(tcpPacket({ dport: 8042 }))).toBe(true);
    expect(matcher('-p tcp -m multiport --dports 22,80')(tcpPacket({ sport: 22, dport: 23 }))).toBe(false);
    expect(matcher('-p tcp -m multiport --ports 22,80')(tcpPacket({ sport: 22, dport: 23 }))).toBe(true);
    expect(matcher('-p udp -m multiport --sports 53')(udpPacket({ sport: 53, dport: 1 }))).toBe(true);
    expect(matcher('-p udp -m multiport ! --ports 53,123')(udpPacket({ sport: 1, dport: 123 }))).toBe(false);
    expect(matcher('-p udp -m multiport ! --ports 53,123')(udpPacket({ sport: 1, dport: 2 }))).toBe(true);
  });

  it('reads the ports of SCTP, DCCP and UDP-Lite from the header itself', () => {
    const sctp = proto(132, [0x13, 0x88, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(matcher('-p sctp -m multiport --sports 5000:6000')(sctp)).toBe(true);
    expect(matcher('-p sctp -m multiport --dports 8')(sctp)).toBe(false);
  });

  it('skips later fragments and drops a header without its ports', () => {
    const later = packetOf(ether(ipv4({ proto: 6, frag: 2, l4: new Uint8Array(16) })));
    expect(matcher('-p tcp -m multiport ! --dports 1')(later)).toBe(false);
    expect(hotdropped(later)).toBe(false);
    const short = proto(132, [0x13, 0x88]);
    expect(matcher('-p sctp -m multiport --sports 5000')(short)).toBe(false);
    expect(hotdropped(short)).toBe(true);
    const cut = proto(132, [0x13, 0x88, 0, 7, 0, 0, 0, 0], { caplen: 2 });
    expect(matcher('-p sctp -m multiport ! --sports 1')(cut)).toBe(false);
    expect(hotdropped(cut)).toBe(false);
  });
});

describe('packet fields', () => {
  it('mark: (mark & mask) == value, negated', () => {
    const p = udpPacket({}, {}, { mark: 0x1234 });
    expect(matcher('-m mark --mark 0x1234')(p)).toBe(true);
    expect(matcher('-m mark --mark 0x4/0xf')(p)).toBe(true);
    expect(matcher('-m mark ! --mark 0x4/0xf')(p)).toBe(false);
    expect(matcher('-m mark --mark 0x0')(udpPacket({}, {}, { mark: 0xffffffff }))).toBe(false);
    expect(matcher('-m mark --mark 0x80000000/0x80000000')(udpPacket({}, {}, { mark: 0xffffffff }))).toBe(true);
  });

  it('length: the total length as it is now', () => {
    const p = udpPacket({ payload: 12 });
    expect(matcher('-m length --length 40')(p)).toBe(true);
    expect(matcher('-m length ! --length 0:39')(p)).toBe(true);
    p.length += 4;
    expect(matcher('-m length --length 40')(p)).toBe(false);
    expect(matcher('-m length --length 50:40')(p)).toBe(false);
  });

  it('ttl: equal, not equal, less, greater, on the TTL as it is now', () => {
    const p = udpPacket({}, { ttl: 64 });
    expect([matcher('-m ttl --ttl-eq 64')(p), matcher('-m ttl ! --ttl-eq 64')(p), matcher('-m ttl --ttl-lt 64')(p), matcher('-m ttl --ttl-gt 63')(p)]).toEqual([true, false, false, true]);
    p.ttl = 63;
    expect(matcher('-m ttl --ttl-eq 64')(p)).toBe(false);
  });

  it('pkttype: a looped-back packet is multicast or broadcast by its destination', () => {
    expect(matcher('-m pkttype --pkt-type broadcast')(udpPacket({}, {}, { pktType: PktType.BROADCAST }))).toBe(true);
    expect(matcher('-m pkttype ! --pkt-type unicast')(udpPacket({}, {}, { pktType: PktType.HOST }))).toBe(false);
    expect(matcher('-m pkttype --pkt-type multicast')(udpPacket({}, { dst: '224.0.0.1' }, { pktType: 5 }))).toBe(true);
    expect(matcher('-m pkttype --pkt-type broadcast')(udpPacket({}, { dst: '198.51.100.255' }, { pktType: 5 }))).toBe(true);
    expect(matcher('-m pkttype --pkt-type otherhost')(udpPacket({}, {}, { pktType: PktType.OTHERHOST }))).toBe(true);
  });

  it('mac: the Ethernet source, never on a frame without one', () => {
    const frame = ether(ipv4({ proto: 17, l4: new Uint8Array(8) }), '02:00:00:00:00:01', '02:11:22:33:44:55');
    expect(matcher('-m mac --mac-source 02:11:22:33:44:55')(packetOf(frame))).toBe(true);
    expect(matcher('-m mac ! --mac-source 02:11:22:33:44:55')(packetOf(frame))).toBe(false);
    expect(matcher('-m mac ! --mac-source 02:11:22:33:44:56')(packetOf(frame))).toBe(true);
    // Raw IP (link type 101): no link header, neither the test nor its negation holds.
    const raw = packetOf(ipv4({ proto: 17, l4: new Uint8Array(8) }), { linktype: 101 });
    expect(matcher('-m mac ! --mac-source 02:11:22:33:44:56')(raw)).toBe(false);
    expect(matcher('-m mac ! --mac-source 02:11:22:33:44:56')(packetOf(frame, { inIface: 'lo' }))).toBe(false);
  });

  it('iprange: inclusive ranges, each negated on its own', () => {
    const p = udpPacket({}, { src: '192.0.2.50', dst: '198.51.100.9' });
    expect(matcher('-m iprange --src-range 192.0.2.1-192.0.2.50')(p)).toBe(true);
    expect(matcher('-m iprange --src-range 192.0.2.51-192.0.2.100')(p)).toBe(false);
    expect(matcher('-m iprange ! --src-range 10.0.0.0-10.255.255.255 --dst-range 198.51.100.0-198.51.100.9')(p)).toBe(true);
    expect(matcher('-m iprange --src-range 192.0.2.0-192.0.2.255 ! --dst-range 198.51.100.0-198.51.100.9')(p)).toBe(false);
  });

  it('addrtype: route types, limited to the input or output device', () => {
    const toLocal = udpPacket({}, { src: '192.0.2.1', dst: '203.0.113.1' }, { inIface: 'eth0' });
    expect(matcher('-m addrtype --dst-type LOCAL')(toLocal)).toBe(true);
    expect(matcher('-m addrtype --dst-type LOCAL --limit-iface-in')(toLocal)).toBe(false);
    expect(matcher('-m addrtype ! --dst-type LOCAL --limit-iface-in')(toLocal)).toBe(true);
    expect(matcher('-m addrtype --src-type UNICAST --dst-type LOCAL,BROADCAST')(toLocal)).toBe(true);
    expect(matcher('-m addrtype ! --src-type UNICAST --dst-type LOCAL')(toLocal)).toBe(false);
    const mcast = udpPacket({}, { dst: '224.0.0.251' });
    expect(matcher('-m addrtype --dst-type MULTICAST')(mcast)).toBe(true);
    const out = udpPacket({}, { src: '198.51.100.1', dst: '203.0.113.7' }, { hook: 'OUTPUT', outIface: 'eth1' });
    expect(matcher('-m addrtype --src-type LOCAL --limit-iface-out', undefined, undefined, 'filter', 'OUTPUT')(out)).toBe(false);
    expect(matcher('-m addrtype --src-type LOCAL', undefined, undefined, 'filter', 'OUTPUT')(out)).toBe(true);
  });

  it('dscp, tos and the IP ECN bits: the TOS byte as it is now', () => {
    const p = udpPacket({}, { tos: 0xb9 });
    expect(matcher('-m dscp --dscp 46')(p)).toBe(true);
    expect(matcher('-m dscp --dscp-class EF')(p)).toBe(true);
    expect(matcher('-m dscp ! --dscp 0')(p)).toBe(true);
    expect(matcher('-m tos --tos 0xb9')(p)).toBe(true);
    expect(matcher('-m tos --tos 0x18/0x3f')(p)).toBe(false);
    expect(matcher('-m ecn --ecn-ip-ect 1')(p)).toBe(true);
    expect(matcher('-m ecn ! --ecn-ip-ect 1')(p)).toBe(false);
    p.tos = 0;
    expect(matcher('-m dscp --dscp 46')(p)).toBe(false);
  });

  it('comment: always', () => {
    expect(matcher('-m comment --comment "x"')(udpPacket())).toBe(true);
  });
});

describe('TCP header readers that ignore the fragment offset', () => {
  it('ecn: the TCP flags, or no match without a 20-byte header (no drop)', () => {
    expect(matcher('-p tcp -m ecn --ecn-tcp-ece')(tcpPacket({ flags: 0x42 }))).toBe(true);
    expect(matcher('-p tcp -m ecn --ecn-tcp-ece ! --ecn-tcp-cwr')(tcpPacket({ flags: 0xc2 }))).toBe(false);
    expect(matcher('-p tcp -m ecn ! --ecn-tcp-cwr')(tcpPacket({ flags: 0x02 }))).toBe(true);
    // A later fragment's payload is read as a header: byte 13 here has ECE set.
    const payload = new Uint8Array(24);
    payload[13] = 0x40;
    const later = packetOf(ether(ipv4({ proto: 6, frag: 3, l4: payload })));
    expect(matcher('-p tcp -m ecn --ecn-tcp-ece')(later)).toBe(true);
    const short = packetOf(ether(ipv4({ proto: 6, l4: new Uint8Array(10) })));
    expect(matcher('-p tcp -m ecn ! --ecn-tcp-ece')(short)).toBe(false);
    expect(hotdropped(short)).toBe(false);
  });

  it('tcpmss: the MSS option as it is now, the walk of the raw header otherwise', () => {
    const syn = tcpPacket({ options: [2, 4, 5, 0xb4] });
    expect(matcher('-p tcp -m tcpmss --mss 1460')(syn)).toBe(true);
    expect(matcher('-p tcp -m tcpmss ! --mss 1000:1500')(syn)).toBe(false);
    syn.tcpMss = 1400;
    expect(matcher('-p tcp -m tcpmss --mss 1460')(syn)).toBe(false);
    expect(matcher('-p tcp -m tcpmss ! --mss 536')(tcpPacket())).toBe(true);
    // A later fragment whose payload looks like a header with an MSS option.
    const fake = tcpHeader({ options: [1, 1, 1, 1, 2, 4, 2, 0x18], payload: 3 });
    const later = packetOf(ether(ipv4({ proto: 6, frag: 5, l4: fake })));
    expect(matcher('-p tcp -m tcpmss --mss 536')(later)).toBe(true);
    for (const bad of [tcpPacket({ doff: 3 }), packetOf(ether(ipv4({ proto: 6, l4: tcpHeader({ doff: 9 }) })))]) {
      expect(matcher('-p tcp -m tcpmss ! --mss 1')(bad)).toBe(false);
      expect(hotdropped(bad)).toBe(true);
    }
  });
});

describe('IPsec and IPComp headers', () => {
  const spi = (n: number): number[] => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

  it('esp: the SPI of an 8-byte header', () => {
    expect(matcher('-p esp -m esp --espspi 256')(proto(50, [...spi(256), 0, 0, 0, 1]))).toBe(true);
    expect(matcher('-p esp -m esp --espspi 1:255')(proto(50, [...spi(256), 0, 0, 0, 1]))).toBe(false);
    const short = proto(50, spi(256));
    expect(matcher('-p esp -m esp --espspi 256')(short)).toBe(false);
    expect(hotdropped(short)).toBe(true);
    const cut = proto(50, [...spi(256), 0, 0, 0, 1], { caplen: 6 });
    expect(matcher('-p esp -m esp ! --espspi 1')(cut)).toBe(false);
    expect(hotdropped(cut)).toBe(false);
    expect(matcher('-p esp -m esp ! --espspi 1')(proto(50, [...spi(256), 0, 0, 0, 1], { frag: 1 }))).toBe(false);
  });

  it('ah: the SPI at offset 4 of a 12-byte header', () => {
    const ah = proto(51, [4, 4, 0, 0, ...spi(0x200), 0, 0, 0, 1]);
    expect(matcher('-p ah -m ah --ahspi 512')(ah)).toBe(true);
    expect(matcher('-p ah -m ah ! --ahspi 512')(ah)).toBe(false);
    const short = proto(51, [4, 4, 0, 0, ...spi(0x200)]);
    expect(matcher('-p ah -m ah ! --ahspi 1')(short)).toBe(false);
    expect(hotdropped(short)).toBe(true);
  });

  it('ipcomp: the 16-bit CPI', () => {
    expect(matcher('-p ipcomp -m ipcomp --ipcompspi 3')(proto(108, [4, 0, 0, 3]))).toBe(true);
    expect(matcher('-p ipcomp -m ipcomp --ipcompspi 3:10 --compres')(proto(108, [4, 0, 0, 11]))).toBe(false);
    const short = proto(108, [4, 0]);
    expect(matcher('-p ipcomp -m ipcomp --ipcompspi 3')(short)).toBe(false);
    expect(hotdropped(short)).toBe(true);
  });
});

describe('sctp (sctp_mt)', () => {
  const common = (sport: number, dport: number): number[] => [sport >> 8, sport & 255, dport >> 8, dport & 255, 0, 0, 0, 0, 0, 0, 0, 0];
  const chunk = (type: number, flags: number, len: number): number[] => {
    const c = [type, flags, len >> 8, len & 255];
    while (c.length < ((len + 3) & ~3)) c.push(0);
    return c;
  };
  const sctp = (...chunks: number[][]) => proto(132, [...common(5000, 7), ...chunks.flat()]);

  it('tests ports and chunk types: any, all, only, with flags', () => {
    const init = sctp(chunk(1, 0, 20));
    const dataSack = sctp(chunk(0, 3, 17), chunk(3, 0, 16));
    expect(matcher('-p sctp --dport 7 --sport 5000')(init)).toBe(true);
    expect(matcher('-p sctp ! --dport 7')(init)).toBe(false);
    expect(matcher('-p sctp --chunk-types any INIT')(init)).toBe(true);
    expect(matcher('-p sctp --chunk-types any INIT')(dataSack)).toBe(false);
    expect(matcher('-p sctp --chunk-types all DATA,SACK')(dataSack)).toBe(true);
    expect(matcher('-p sctp --chunk-types all DATA,SACK,INIT')(dataSack)).toBe(false);
    expect(matcher('-p sctp --chunk-types only DATA')(dataSack)).toBe(false);
    expect(matcher('-p sctp --chunk-types only DATA,SACK')(dataSack)).toBe(true);
    expect(matcher('-p sctp --chunk-types any DATA:BE')(dataSack)).toBe(true);
    expect(matcher('-p sctp --chunk-types any DATA:U')(dataSack)).toBe(false);
    expect(matcher('-p sctp --chunk-types any ABORT:T')(sctp(chunk(6, 1, 4)))).toBe(true);
    expect(matcher('-p sctp --chunk-types any ABORT:t')(sctp(chunk(6, 1, 4)))).toBe(false);
    // "all ALL" needs map words past type 255 cleared, which no chunk can do.
    expect(matcher('-p sctp --chunk-types all ALL')(init)).toBe(false);
    expect(matcher('-p sctp --chunk-types only ALL')(init)).toBe(true);
  });

  it('drops a packet whose chunks cannot be walked, even when the negated test then matches', () => {
    const zero = sctp(chunk(0, 0, 0));
    expect(matcher('-p sctp --chunk-types any DATA')(zero)).toBe(false);
    expect(hotdropped(zero)).toBe(true);
    const zero2 = sctp(chunk(0, 0, 0));
    expect(matcher('-p sctp ! --chunk-types any DATA')(zero2)).toBe(true);
    expect(hotdropped(zero2)).toBe(true);
    const short = proto(132, common(5000, 7).slice(0, 8));
    expect(matcher('-p sctp --dport 7')(short)).toBe(false);
    expect(hotdropped(short)).toBe(true);
    const cut = proto(132, [...common(5000, 7), ...chunk(1, 0, 20)], { caplen: 14 });
    expect(matcher('-p sctp ! --chunk-types any DATA')(cut)).toBe(false);
    expect(hotdropped(cut)).toBe(false);
    expect(matcher('-p sctp ! --dport 8')(proto(132, [...common(5000, 7), ...chunk(1, 0, 20)], { frag: 2 }))).toBe(false);
  });
});
