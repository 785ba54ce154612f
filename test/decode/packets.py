#!/usr/bin/env python3
"""Packets for the decoder tests, built with scapy.

Usage: packets.py OUTDIR

Writes one classic pcap per link type (for tshark, the second oracle) and OUTDIR/cases.json:
for every packet its bytes, caplen, origlen, the result and events the decoder must report,
and the view fields it must produce, read back from scapy's own dissection of the bytes.
"""
import ipaddress
import json
import os
import struct
import sys

from scapy.all import (ARP, ICMP, IP, UDP, CookedLinux, CookedLinuxV2, Dot1AD, Dot1Q, Dot3, Ether, IPv6, LLC,
                       Raw, TCP, fragment)
from scapy.layers.inet import ICMPerror, IPerror, TCPerror, UDPerror

A, B, C = '192.0.2.10', '198.51.100.20', '203.0.113.30'
MAC1, MAC2 = '02:00:00:00:00:01', '02:00:00:00:00:02'
SYN_OPTS = [('MSS', 1460), ('SAckOK', b''), ('Timestamp', (123456, 0)), ('NOP', None), ('WScale', 7)]

cases = []


def mac(m):
    return int(m.replace(':', ''), 16)


def addr(a):
    return int(ipaddress.IPv4Address(a))


def case(name, pkt, linktype=1, result='IPV4', events=(), snap=None, origlen=None, fields=None, tshark=True,
         l3=None, data=None, skip=()):
    """One packet. Expected view fields come from scapy's dissection of the whole packet
    (for packets the decoder reads in full), less those starting with a prefix in `skip`;
    `fields` overrides or adds some, and one set to None is not compared. `snap` cuts the
    captured bytes; `origlen` overrides the length on the wire."""
    raw = bytes(pkt) if data is None else data
    wire = origlen if origlen is not None else len(raw)
    cap = raw[:snap] if snap is not None else raw
    readable = result == 'IPV4' or (result == 'SKIPPED' and pkt is not None) or l3 is not None
    exp = dissect(raw, linktype, l3) if readable else {}
    exp = {k: v for k, v in exp.items() if not k.startswith(tuple(skip))}
    if result == 'IPV4' and 'totalLength' in exp:
        exp['truncated'] = len(cap) < exp['l3Offset'] + exp['totalLength']
    exp.update(fields or {})
    exp = {k: v for k, v in exp.items() if v is not None}
    cases.append(dict(name=name, linktype=linktype, hex=cap.hex(), caplen=len(cap), origlen=wire, result=result,
                      events=list(events), fields=exp, tshark=tshark and result == 'IPV4'))


def link_cls(linktype):
    return {1: Ether, 113: CookedLinux, 276: CookedLinuxV2, 101: IP, 12: IP, 14: IP, 228: IP}.get(linktype)


def dissect(raw, linktype, l3):
    """The view fields scapy's dissection of the whole packet implies."""
    f = {}
    cls = link_cls(linktype)
    if (cls is IP and raw[0] >> 4 != 4) or (cls is None and l3 is None):
        return f
    p = cls(raw) if cls else IP(raw[l3:])
    if Ether in p:
        f.update(dstMac=mac(p[Ether].dst), srcMac=mac(p[Ether].src))
    tags = []
    layer = p
    while layer:
        if isinstance(layer, (Dot1Q, Dot1AD)):
            tags.append(layer)
        layer = layer.payload if not isinstance(layer, (IP, Raw)) else None
    f['vlanCount'] = len(tags)
    for prefix, t in zip(('vlanOuter', 'vlanInner'), tags):
        under = t.underlayer
        f[prefix + 'Tpid'] = under.proto if isinstance(under, (CookedLinux, CookedLinuxV2)) else under.type
        f[prefix + 'Id'] = t.vlan
        f[prefix + 'Pcp'] = t.prio
        f[prefix + 'Dei'] = t.id
    if CookedLinux in p:
        c = p[CookedLinux]
        f.update(pktType=c.pkttype, arphrd=c.lladdrtype)
        if c.lladdrlen == 6:
            f['srcMac'] = int.from_bytes(c.src[:6], 'big')
    if CookedLinuxV2 in p:
        c = p[CookedLinuxV2]
        f.update(pktType=c.pkttype, arphrd=c.lladdrtype, ifindex=c.ifindex)
        if c.lladdrlen == 6:
            f['srcMac'] = int.from_bytes(c.src[:6], 'big')
    if IP not in p:
        return f
    ip = p[IP]
    hl = ip.ihl * 4
    l3off = len(raw) - len(bytes(ip))
    f.update(ethertype=0x0800, l3Offset=l3off, ipVersion=ip.version, ihl=ip.ihl, tos=ip.tos, dscp=ip.tos >> 2,
             ecn=ip.tos & 3, totalLength=ip.len, ipId=ip.id, rf=bool(ip.flags.evil), df=bool(ip.flags.DF),
             mf=bool(ip.flags.MF), fragOffset=ip.frag * 8, ttl=ip.ttl, protocol=ip.proto, ipChecksum=ip.chksum,
             ipChecksumOk=True, srcAddr=addr(ip.src), dstAddr=addr(ip.dst), ipOptionsLength=hl - 20,
             length=ip.len)
    if ip.frag:
        f.update(l4State='NONE', l4Offset=-1)
        return f
    l4 = l3off + hl
    f.update(l4Offset=l4, l4Length=ip.len - hl)
    fixed = {6: 20, 17: 8, 1: 8}.get(ip.proto, 0)
    if ip.len - hl < fixed:
        # Too short for scapy to dissect the layer-4 header: the case lists what is expected.
        return f
    if TCP in ip:
        t = ip[TCP]
        f.update(srcPort=t.sport, dstPort=t.dport, tcpSeq=t.seq, tcpAck=t.ack, tcpDataOffset=t.dataofs,
                 tcpFlags=int(t.flags) & 0xff, tcpWindow=t.window, l4Checksum=t.chksum, tcpUrgent=t.urgptr,
                 payloadOffset=l4 + t.dataofs * 4, l4State='OK')
        if not ip.flags.MF:
            f['payloadLength'] = ip.len - hl - t.dataofs * 4
        mss = [v for k, v in t.options if k == 'MSS']
        f['tcpMss'] = mss[0] if mss else -1
        if mss:
            f['tcpMssOffset'] = l4 + 20 + option_offset(bytes(t)[20:t.dataofs * 4], 2)
    elif UDP in ip:
        u = ip[UDP]
        f.update(srcPort=u.sport, dstPort=u.dport, udpLength=u.len, l4Checksum=u.chksum, payloadOffset=l4 + 8,
                 l4State='OK')
        if not ip.flags.MF:
            f['payloadLength'] = u.len - 8
    elif ICMP in ip:
        i = ip[ICMP]
        f.update(icmpType=i.type, icmpCode=i.code, l4Checksum=i.chksum, payloadOffset=l4 + 8,
                 payloadLength=ip.len - hl - 8, l4State='OK', icmpRest=struct.unpack('!I', bytes(i)[4:8])[0])
        if i.type in (0, 8, 13, 14, 15, 16, 17, 18):
            f.update(icmpId=i.id, icmpSeq=i.seq)
        if IPerror in i:
            e = i[IPerror]
            f.update(innerOffset=l4 + 8, innerVersion=e.version, innerIhl=e.ihl, innerTotalLength=e.len,
                     innerId=e.id, innerMf=bool(e.flags.MF), innerFragOffset=e.frag * 8, innerTtl=e.ttl,
                     innerProtocol=e.proto, innerSrcAddr=addr(e.src), innerDstAddr=addr(e.dst),
                     innerL4Offset=l4 + 8 + e.ihl * 4, innerState='OK')
            if TCPerror in e:
                f.update(innerSrcPort=e[TCPerror].sport, innerDstPort=e[TCPerror].dport, innerTcpSeq=e[TCPerror].seq)
            if UDPerror in e:
                f.update(innerSrcPort=e[UDPerror].sport, innerDstPort=e[UDPerror].dport)
            if ICMPerror in e:
                ie = e[ICMPerror]
                f.update(innerIcmpType=ie.type, innerIcmpCode=ie.code, innerIcmpId=ie.id, innerIcmpSeq=ie.seq)
    else:
        f['l4State'] = 'NONE'
    return f


def option_offset(opts, want):
    """Offset of the first option of kind `want`, walking kind/length pairs."""
    i = 0
    while i < len(opts):
        if opts[i] == want:
            return i
        i += 1 if opts[i] < 2 else max(opts[i + 1], 1)
    return None


def eth(*layers, src=MAC1, dst=MAC2):
    p = Ether(src=src, dst=dst)
    for layer in layers:
        p = p / layer
    return p


def syn(**kw):
    return IP(src=A, dst=B, id=0x1234, flags='DF', ttl=64, tos=0xb8) / TCP(sport=40000, dport=80, seq=1000,
                                                                           flags='S', window=64240,
                                                                           options=SYN_OPTS, **kw)


def tcp_data(n, **kw):
    return IP(src=A, dst=B, id=7) / TCP(sport=40000, dport=80, seq=0xfffffff0, ack=0x80000001, flags='PA', **kw) / \
        Raw(b'x' * n)


def udp(n=20, **kw):
    return IP(src=A, dst=C, id=9) / UDP(sport=5353, dport=53, **kw) / Raw(b'q' * n)


def fix_ip_checksum(raw, l3):
    """Recomputes the IPv4 header checksum of a hand-edited header."""
    b = bytearray(raw)
    hl = (b[l3] & 15) * 4
    b[l3 + 10:l3 + 12] = b'\0\0'
    s = sum(struct.unpack('!%dH' % (hl // 2), bytes(b[l3:l3 + hl])))
    while s > 0xffff:
        s = (s & 0xffff) + (s >> 16)
    b[l3 + 10:l3 + 12] = struct.pack('!H', ~s & 0xffff)
    return bytes(b)


# --- Ethernet: every field -------------------------------------------------------------
case('tcp syn with options', eth(syn()), fields=dict(l4ChecksumStatus='VALID'))
case('tcp all eight flags, ECN CE', eth(IP(src=A, dst=B, tos=0x03) / TCP(flags=0xff, urgptr=77, window=1)))
case('tcp data, wrapped seq', eth(tcp_data(100)))
case('tcp nop nop mss', eth(IP(src=A, dst=B) / TCP(flags='S', options=[('NOP', None), ('NOP', None),
                                                                       ('MSS', 536)])))
# xt_tcpmss: EOL advances one byte and the walk goes on, so the MSS after it counts (scapy and
# tshark stop at EOL).
case('tcp mss after eol (netfilter walk)', eth(IP(src=A, dst=B) / TCP(flags='S', dataofs=7) / Raw(b'\x00\x01\x02\x04\x05\xb4\x00\x00')),
     fields=dict(tcpMss=1460, tcpMssOffset=14 + 20 + 20 + 2), tshark=False)
case('tcp mss with bad length is not mss', eth(IP(src=A, dst=B) / TCP(flags='S', dataofs=7) / Raw(b'\x02\x03\x05\x01\x01\x00\x00\x00')),
     fields=dict(tcpMss=-1, tcpMssOffset=-1), tshark=False)
case('udp', eth(udp()))
case('udp checksum zero', eth(IP(src=A, dst=C) / UDP(sport=1, dport=2, chksum=0) / Raw(b'z' * 5)),
     fields=dict(l4ChecksumStatus='NONE'))
case('udp odd length, checksum right', eth(IP(src=A, dst=C) / UDP(sport=1, dport=2) / Raw(b'z' * 7)),
     fields=dict(l4ChecksumStatus='VALID'))
case('tcp checksum wrong', eth(IP(src=A, dst=B) / TCP(sport=1, dport=2, chksum=0x1234) / Raw(b'd' * 9)),
     fields=dict(l4ChecksumStatus='INVALID'))
case('udp checksum wrong', eth(IP(src=A, dst=C) / UDP(sport=1, dport=2, chksum=0x1234) / Raw(b'z' * 6)),
     fields=dict(l4ChecksumStatus='INVALID'))
case('icmp checksum wrong', eth(IP(src=A, dst=B) / ICMP(chksum=0x1234) / Raw(b'p' * 3)),
     fields=dict(l4ChecksumStatus='INVALID'))
case('icmp echo request', eth(IP(src=A, dst=B, flags='DF') / ICMP(type=8, id=0x4242, seq=7) / Raw(b'p' * 56)),
     fields=dict(l4ChecksumStatus='VALID'))
case('icmp echo reply', eth(IP(src=B, dst=A) / ICMP(type=0, id=0x4242, seq=7) / Raw(b'p' * 56)))
case('icmp timestamp', eth(IP(src=B, dst=A) / ICMP(type=13, id=3, seq=4) / Raw(b'\0' * 12)))
case('icmp port unreachable quoting udp',
     eth(IP(src=C, dst=A) / ICMP(type=3, code=3) / IP(src=A, dst=C, id=99, ttl=63) / UDP(sport=5353, dport=53) / Raw(b'q' * 12)))
case('icmp frag needed quoting tcp',
     eth(IP(src=C, dst=A) / ICMP(type=3, code=4, nexthopmtu=1400) / IP(src=A, dst=B, flags='DF') / TCP(sport=40000, dport=443, seq=77)))
case('icmp time exceeded quoting tcp (8 bytes)',
     eth(IP(src=C, dst=A) / ICMP(type=11, code=0) / Raw(bytes(IP(src=A, dst=B, ttl=1) / TCP(sport=1234, dport=22, seq=0xdeadbeef))[:28])))
case('icmp redirect quoting icmp echo',
     eth(IP(src=C, dst=A) / ICMP(type=5, code=1, gw=B) / IP(src=A, dst=B) / ICMP(type=8, id=9, seq=10)))
case('icmp parameter problem', eth(IP(src=C, dst=A) / ICMP(type=12, code=0, ptr=20) / IP(src=A, dst=B) / UDP(sport=7, dport=9)))
case('icmp source quench quoting a first fragment',
     eth(IP(src=C, dst=A) / ICMP(type=4) / IP(src=A, dst=B, flags='MF') / UDP(sport=7, dport=9)))
case('ip options (record route)', eth(IP(src=A, dst=B, options=b'\x07\x07\x04\x00\x00\x00\x00\x00') / UDP(sport=1, dport=2)))
case('ip evil bit', eth(IP(src=A, dst=B, flags='evil') / UDP(sport=1, dport=2)))
case('other ip protocol (gre)', eth(IP(src=A, dst=B, proto=47) / Raw(b'\0\0\x08\0' + b'g' * 20)),
     fields=dict(l4ChecksumStatus='UNKNOWN'))
case('ethernet padding is not counted', data=bytes(eth(IP(src=A, dst=B) / TCP(flags='A'))) + b'\0' * 6, pkt=None,
     fields=dict(length=40, totalLength=40))

# --- VLAN ------------------------------------------------------------------------------------
case('802.1q tag', eth(Dot1Q(prio=5, id=1, vlan=100), syn()))
case('qinq 802.1ad + 802.1q', eth(Dot1AD(prio=3, vlan=200), Dot1Q(vlan=300), udp()))
case('triple tag', Ether(src=MAC1, dst=MAC2, type=0x9100) / Dot1Q(vlan=10) / Dot1Q(vlan=20, type=0x88a8) /
     Dot1Q(vlan=30) / IP(src=A, dst=B) / ICMP(), fields=dict(vlanOuterTpid=0x9100, vlanInnerTpid=0x8100,
                                                              vlanCount=3))
case('vlan then arp', eth(Dot1Q(vlan=5), ARP(psrc=A, pdst=B)), result='SKIPPED', events=['skip.arp'],
     fields=dict(vlanCount=1, vlanOuterId=5, ethertype=0x0806))

# --- skipped -----------------------------------------------------------------------------------
case('arp', eth(ARP(psrc=A, pdst=B)), result='SKIPPED', events=['skip.arp'], fields=dict(ethertype=0x0806))
case('ipv6', eth(IPv6(src='2001:db8::1', dst='2001:db8::2') / UDP()), result='SKIPPED', events=['skip.ipv6'],
     fields=dict(ethertype=0x86dd))
case('802.3 llc frame', Dot3(src=MAC1, dst=MAC2) / LLC() / Raw(b'l' * 40), result='SKIPPED',
     events=['skip.other_ethertype'])

# --- fragments -----------------------------------------------------------------------------------
frags = fragment(IP(src=A, dst=C, id=0x777) / UDP(sport=5000, dport=6000) / Raw(b'f' * 3000), fragsize=1480)
case('first fragment', eth(frags[0]), events=['ipv4.fragment'],
     fields=dict(payloadLength=1480 - 8, udpLength=3008, l4ChecksumStatus='UNKNOWN'))
case('middle fragment', eth(frags[1]), events=['ipv4.fragment_later'], fields=dict(l4State='NONE'))
case('last fragment', eth(frags[2]), events=['ipv4.fragment_later'], fields=dict(l4State='NONE'))
tiny = fragment(IP(src=A, dst=B, id=5) / TCP(sport=1, dport=2, flags='S', options=SYN_OPTS) / Raw(b'x' * 8), fragsize=8)
case('tiny first tcp fragment', eth(tiny[0]), events=['ipv4.fragment'],
     fields=dict(l4State='PARTIAL', l4Captured=8, tcpSeq=-1, tcpDataOffset=-1, tcpFlags=-1, tcpWindow=-1,
                 l4Checksum=-1, tcpUrgent=-1, payloadOffset=-1, tcpMss=-1, tcpMssOffset=-1), tshark=False)
case('first tcp fragment cuts the options', eth(fragment(IP(src=A, dst=B, id=6) / TCP(sport=1, dport=2, flags='S',
                                                                                  options=SYN_OPTS) /
                                                         Raw(b'x' * 8), fragsize=24)[0]),
     events=['ipv4.fragment'], fields=dict(l4State='PARTIAL', l4Captured=24), tshark=False)

# --- IPv4 malformed on the wire (dropped by ip_rcv_core) ---------------------------------------
case('ipv4 bad header checksum', eth(IP(src=A, dst=B, chksum=0x1234) / UDP()), result='MALFORMED',
     events=['ipv4.bad_checksum'], l3=14, fields=dict(ipChecksumOk=False, ipChecksum=0x1234, l4Offset=None,
                                                      l4Length=None, l4State=None, srcPort=None, dstPort=None,
                                                      udpLength=None, l4Checksum=None, payloadOffset=None,
                                                      payloadLength=None, length=None))
case('ipv4 ihl 4', eth(IP(src=A, dst=B, ihl=4) / UDP()), result='MALFORMED', events=['ipv4.ihl_too_small'],
     fields=dict(ihl=4))
case('ipv4 version 5', eth(IP(src=A, dst=B, version=5) / UDP()), result='MALFORMED', events=['ipv4.bad_version'],
     fields=dict(ipVersion=5))
case('ipv4 total length above the wire', eth(IP(src=A, dst=B, len=200) / UDP()), result='MALFORMED',
     events=['ipv4.total_length_too_big'], fields=dict(totalLength=200, ipChecksumOk=True))
case('ipv4 total length below the header', eth(IP(src=A, dst=B, len=19) / UDP()), result='MALFORMED',
     events=['ipv4.total_length_too_small'], fields=dict(totalLength=19))
case('ipv4 shorter than 20 bytes', data=bytes(eth(IP(src=A, dst=B)))[:14 + 12], pkt=None, result='MALFORMED',
     events=['ipv4.too_short'], fields=dict(l3Offset=14))
case('ipv4 ihl beyond the packet', data=bytes(Ether(src=MAC1, dst=MAC2, type=0x0800) / Raw(b'\x4f' + bytes(IP(src=A, dst=B) / UDP())[1:])), pkt=None,
     result='MALFORMED', events=['ipv4.header_beyond_packet'], fields=dict(ihl=15))
case('ethernet shorter than its header', data=b'\x02' * 10, pkt=None, result='MALFORMED', events=['eth.too_short'])
case('vlan tag cut on the wire', data=bytes(Ether(src=MAC1, dst=MAC2, type=0x8100))[:14] + b'\x00', pkt=None,
     result='MALFORMED', events=['vlan.too_short'])

# --- layer 4 broken on the wire (replayed; conntrack calls it INVALID) ----------------------------
bad_doff = bytearray(bytes(eth(IP(src=A, dst=B) / TCP(sport=1, dport=2))))
bad_doff[14 + 20 + 12] = 0x40
case('tcp data offset 4', data=bytes(bad_doff), pkt=None, events=['tcp.data_offset_too_small'],
     fields=dict(tcpDataOffset=4, l4State='MALFORMED', payloadOffset=-1, payloadLength=-1), tshark=False)
case('tcp data offset beyond the segment', eth(IP(src=A, dst=B) / TCP(sport=1, dport=2, dataofs=15)),
     events=['tcp.data_offset_too_big'], fields=dict(tcpDataOffset=15, l4State='MALFORMED', payloadOffset=-1,
                                                     payloadLength=-1), tshark=False)
case('tcp segment shorter than its header', eth(IP(src=A, dst=B, proto=6) / Raw(b'\x00\x50\x01\xbb' + b'\0' * 6)),
     events=['tcp.header_too_short'], fields=dict(srcPort=80, dstPort=443, l4State='MALFORMED'), tshark=False)
case('udp length below 8', eth(IP(src=A, dst=B) / UDP(sport=1, dport=2, len=4) / Raw(b'u' * 4)),
     events=['udp.bad_length'], fields=dict(l4State='MALFORMED', payloadLength=4), tshark=False)
case('udp length beyond the payload', eth(IP(src=A, dst=B) / UDP(sport=1, dport=2, len=100) / Raw(b'u' * 4)),
     events=['udp.bad_length'], fields=dict(l4State='MALFORMED', payloadLength=4), tshark=False)
case('udp segment shorter than its header', eth(IP(src=A, dst=B, proto=17) / Raw(b'\x00\x35\x00\x35\x00\x06')),
     events=['udp.header_too_short'], fields=dict(srcPort=53, dstPort=53, l4State='MALFORMED'), tshark=False)
case('icmp shorter than its header', eth(IP(src=A, dst=B, proto=1) / Raw(b'\x08\x00\x00\x00')),
     events=['icmp.header_too_short'], fields=dict(icmpType=8, icmpCode=0, l4State='MALFORMED'), tshark=False)
case('icmp type above 18', eth(IP(src=A, dst=B) / ICMP(type=40, code=1)), events=['icmp.bad_type'])
case('icmp error quoting 10 bytes', eth(IP(src=C, dst=A) / ICMP(type=3, code=1) / Raw(bytes(IP(src=A, dst=B))[:10])),
     events=['icmp.inner_malformed'], skip=('inner',), fields=dict(innerState='MALFORMED', innerOffset=14 + 20 + 8),
     tshark=False)
case('icmp error quoting a later fragment',
     eth(IP(src=C, dst=A) / ICMP(type=11, code=1) / IP(src=A, dst=B, frag=100, proto=17) / Raw(b'r' * 8)),
     events=['icmp.inner_malformed'], fields=dict(innerState='MALFORMED', innerL4Offset=-1), tshark=False)
case('icmp error quoting udp without ports', eth(IP(src=C, dst=A) / ICMP(type=3, code=3) / IP(src=A, dst=B, proto=17)),
     events=['icmp.inner_malformed'], fields=dict(innerState='MALFORMED'), tshark=False)
case('icmp error quoting an ip header longer than the packet',
     eth(IP(src=C, dst=A) / ICMP(type=3, code=3) / Raw(b'\x4f' + bytes(IP(src=A, dst=B) / UDP())[1:])),
     events=['icmp.inner_malformed'], fields=dict(innerState='MALFORMED', innerIhl=15, innerL4Offset=14 + 20 + 8 + 60),
     tshark=False)

# --- cut by the snaplen (normal) ---------------------------------------------------------------
case('snaplen cuts the payload', eth(tcp_data(1400)), snap=96, events=['ipv4.truncated'],
     fields=dict(l4Captured=96 - 34, l4ChecksumStatus='UNKNOWN'))
case('snaplen cuts the tcp options', eth(syn()), snap=14 + 20 + 20 + 6, events=['ipv4.truncated', 'tcp.options_truncated'],
     fields=dict(l4State='PARTIAL'))
case('snaplen cuts the tcp options before the mss',
     eth(IP(src=A, dst=B) / TCP(flags='S', options=[('SAckOK', b''), ('Timestamp', (1, 2)), ('MSS', 1200)])),
     snap=14 + 20 + 20 + 8, events=['ipv4.truncated', 'tcp.options_truncated'],
     fields=dict(l4State='PARTIAL', tcpMss=-1, tcpMssOffset=-1), tshark=False)
case('snaplen cuts the fixed tcp header', eth(syn()), snap=14 + 20 + 6, events=['ipv4.truncated', 'tcp.header_truncated'],
     fields=dict(l4State='PARTIAL', l4Captured=6, tcpSeq=-1, tcpAck=-1, tcpDataOffset=-1, tcpFlags=-1, tcpWindow=-1,
                 l4Checksum=-1, tcpUrgent=-1, payloadOffset=-1, payloadLength=-1, tcpMss=-1, tcpMssOffset=-1),
     tshark=False)
case('snaplen cuts the udp header', eth(udp()), snap=14 + 20 + 5, events=['ipv4.truncated', 'udp.header_truncated'],
     fields=dict(l4State='PARTIAL', srcPort=5353, dstPort=53, udpLength=-1, l4Checksum=-1, payloadOffset=-1,
                 payloadLength=-1), tshark=False)
case('snaplen cuts the icmp header', eth(IP(src=A, dst=B) / ICMP(id=1, seq=2)), snap=14 + 20 + 3,
     events=['ipv4.truncated', 'icmp.header_truncated'],
     fields=dict(l4State='PARTIAL', l4Checksum=-1, icmpId=-1, icmpSeq=-1, icmpRest=-1, payloadOffset=-1,
                 payloadLength=-1), tshark=False)
case('snaplen cuts the quoted packet', eth(IP(src=C, dst=A) / ICMP(type=3, code=3) / IP(src=A, dst=C) / UDP(sport=9, dport=10)),
     snap=14 + 20 + 8 + 22, events=['ipv4.truncated', 'icmp.inner_truncated'],
     fields=dict(innerState='PARTIAL', innerSrcPort=-1, innerDstPort=-1, innerL4Captured=2), tshark=False)
case('snaplen cuts the ipv4 header', eth(syn()), snap=14 + 12, result='TRUNCATED', events=['ipv4.header_truncated'],
     l3=14, fields=dict(l3Offset=14, **{k: None for k in ('ipVersion', 'ihl', 'tos', 'dscp', 'ecn', 'totalLength',
                                                           'ipId', 'rf', 'df', 'mf', 'fragOffset', 'ttl', 'protocol',
                                                           'ipChecksum', 'ipChecksumOk', 'srcAddr', 'dstAddr',
                                                           'ipOptionsLength', 'length', 'l4Offset', 'l4Length',
                                                           'srcPort', 'dstPort', 'tcpSeq', 'tcpAck',
                                                           'tcpDataOffset', 'tcpFlags', 'tcpWindow', 'l4Checksum',
                                                           'tcpUrgent', 'payloadOffset', 'payloadLength', 'tcpMss',
                                                           'tcpMssOffset', 'l4State')}))
case('snaplen cuts the ipv4 options', eth(IP(src=A, dst=B, options=b'\x01' * 40) / UDP()), snap=14 + 30,
     result='TRUNCATED', events=['ipv4.header_truncated'], fields=dict(ihl=15, totalLength=68))
case('snaplen cuts the ethernet header', eth(syn()), snap=10, result='TRUNCATED', events=['eth.truncated'])
case('snaplen cuts the vlan tag', eth(Dot1Q(vlan=7), syn()), snap=16, result='TRUNCATED', events=['vlan.truncated'])

# --- Linux cooked v1 -------------------------------------------------------------------------------
def sll(pkttype, payload, proto=0x0800, hatype=1, addr=bytes.fromhex('020000000001')):
    return CookedLinux(pkttype=pkttype, lladdrtype=hatype, lladdrlen=len(addr), src=addr.ljust(8, b'\0'),
                       proto=proto) / payload


for t, d in ((0, 1), (1, 1), (2, 1), (3, 1), (4, 2)):
    case(f'sll packet type {t}', sll(t, syn()), linktype=113, fields=dict(direction=d))
case('sll loopback device', sll(0, udp(), hatype=772, addr=b'\0' * 6), linktype=113, fields=dict(direction=1))
case('sll with a re-inserted vlan tag', sll(4, Dot1Q(vlan=42, prio=6) / syn(), proto=0x8100), linktype=113,
     fields=dict(direction=2))
case('sll arp', sll(1, ARP(), proto=0x0806), linktype=113, result='SKIPPED', events=['skip.arp'])
case('sll ipv6', sll(0, IPv6() / UDP(), proto=0x86dd), linktype=113, result='SKIPPED', events=['skip.ipv6'])
case('sll shorter than its header', data=b'\0' * 12, pkt=None, linktype=113, result='MALFORMED', events=['sll.too_short'])
case('sll header cut by snaplen', sll(0, syn()), linktype=113, snap=12, result='TRUNCATED', events=['sll.truncated'])


# --- Linux cooked v2 -------------------------------------------------------------------------------
def sll2(pkttype, ifindex, payload, proto=0x0800):
    return CookedLinuxV2(proto=proto, ifindex=ifindex, lladdrtype=1, pkttype=pkttype, lladdrlen=6,
                         src=bytes.fromhex('020000000002').ljust(8, b'\0')) / payload


for t, d in ((0, 1), (1, 1), (2, 1), (3, 1), (4, 2)):
    case(f'sll2 packet type {t}', sll2(t, 3 + t, tcp_data(10)), linktype=276, fields=dict(direction=d))
case('sll2 large ifindex', sll2(4, 0x80000001, udp()), linktype=276, fields=dict(direction=2))
case('sll2 ipv6', sll2(0, 2, IPv6() / UDP(), proto=0x86dd), linktype=276, result='SKIPPED', events=['skip.ipv6'])
case('sll2 other protocol', sll2(0, 2, Raw(b'\0' * 30), proto=0x0004), linktype=276, result='SKIPPED',
     events=['skip.other_ethertype'])
case('sll2 shorter than its header', data=b'\0' * 19, pkt=None, linktype=276, result='MALFORMED',
     events=['sll2.too_short'])
case('sll2 header cut by snaplen', sll2(0, 1, syn()), linktype=276, snap=16, result='TRUNCATED',
     events=['sll2.truncated'])

# --- NULL / LOOP --------------------------------------------------------------------------------
for lt, order in ((0, '<'), (0, '>'), (108, '>'), (108, '<')):
    label = f'{"null" if lt == 0 else "loop"} {"little" if order == "<" else "big"}-endian'
    # tshark reads a LOOP header big-endian only.
    case(f'{label} ipv4', data=struct.pack(order + 'I', 2) + bytes(udp()), pkt=None, linktype=lt, l3=4,
         fields=dict(ethertype=0x0800), tshark=lt == 0 or order == '>')
    case(f'{label} ipv6', data=struct.pack(order + 'I', 30) + bytes(IPv6() / UDP()), pkt=None, linktype=lt,
         result='SKIPPED', events=['skip.ipv6'], fields=dict(ethertype=0x86dd))
case('null other family', data=struct.pack('<I', 7) + b'\0' * 30, pkt=None, linktype=0, result='SKIPPED',
     events=['skip.other_family'])
case('null linux af_inet6', data=struct.pack('<I', 10) + bytes(IPv6()), pkt=None, linktype=0, result='SKIPPED',
     events=['skip.ipv6'])
case('null shorter than its header', data=b'\x02\0', pkt=None, linktype=0, result='MALFORMED',
     events=['null.too_short'])
case('null header cut by snaplen', data=struct.pack('<I', 2) + bytes(udp()), pkt=None, linktype=0, snap=3,
     result='TRUNCATED', events=['null.truncated'])

# --- raw IP ----------------------------------------------------------------------------------------
for lt in (101, 12, 14, 228):
    case(f'raw {lt} ipv4', syn(), linktype=lt, fields=dict(ethertype=0x0800, l3Offset=0))
for lt in (101, 12, 14):
    case(f'raw {lt} ipv6', IPv6() / UDP(), linktype=lt, result='SKIPPED', events=['skip.ipv6'])
case('ipv4 link type with version 6', IPv6() / UDP(), linktype=228, result='MALFORMED', events=['ipv4.bad_version'])
case('raw 229 ipv6', IPv6() / UDP(), linktype=229, result='SKIPPED', events=['skip.ipv6'])
case('raw empty packet', data=b'', pkt=None, linktype=101, result='MALFORMED', events=['ipv4.too_short'])

# --- link types that are not decoded ---------------------------------------------------------------
case('user0 link type', data=b'\x01\x02\x03', pkt=None, linktype=147, result='SKIPPED', events=['skip.linktype_147'])


def write_pcaps(outdir):
    by_lt = {}
    for c in cases:
        by_lt.setdefault(c['linktype'], []).append(c)
    for lt, group in by_lt.items():
        name = f'linktype-{lt}.pcap'
        with open(os.path.join(outdir, name), 'wb') as f:
            f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, lt))
            for i, c in enumerate(group):
                data = bytes.fromhex(c['hex'])
                f.write(struct.pack('<IIII', 1700000000 + i, 0, len(data), c['origlen']) + data)
                c['file'] = name
                c['frame'] = i + 1


if __name__ == '__main__':
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    write_pcaps(out)
    with open(os.path.join(out, 'cases.json'), 'w') as f:
        json.dump(cases, f, indent=1)
