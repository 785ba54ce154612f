"""Shared helpers for the cases' make-capture.py scripts (python3-scapy).

Captures must be byte-for-byte reproducible: every field that scapy would otherwise fill from
the machine (MAC addresses from the routing table, time stamps, IP ids) is given explicitly,
and the pcap file is written here with fixed time stamps rather than by wrpcap, whose header
and time rounding have changed between scapy versions.
"""
import os
import struct
import sys

from scapy.all import IP, TCP, UDP, Ether, Raw

T0 = 1700000000  # 2023-11-14 22:13:20 UTC; packet n is stamped T0 + n ms
FW = '02:00:00:00:00:%02x'  # default MAC of the firewall's interface n (host.json)
PEER = '02:00:00:00:ff:%02x'  # default MAC of the peer on interface n


def arriving(n=1):
    """Ethernet header of a frame arriving on the firewall's interface n (1-based).
    kernel.mjs rewrites both MACs anyway; these are the ones it would use."""
    return Ether(src=PEER % n, dst=FW % n)


def leaving(n=1):
    """Ethernet header of a frame the host sends out of interface n (locally generated)."""
    return Ether(src=FW % n, dst=PEER % n)


def write(packets, script):
    """Writes packets (scapy packets or bytes) to argv[1], or to capture.pcap next to the
    calling script, as a classic little-endian pcap with link type 1 (Ethernet)."""
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(script)), 'capture.pcap')
    with open(out, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for n, p in enumerate(packets):
            data = bytes(p)
            usec = T0 * 1000000 + n * 1000
            f.write(struct.pack('<IIII', usec // 1000000, usec % 1000000, len(data), len(data)))
            f.write(data)


class Tcp:
    """One TCP connection for the conntrack cases, so its segments form a sequence that
    conntrack's window tracking accepts: client c:cport arriving on interface cn, server
    s:sport arriving on interface sn (0: locally generated, with leaving(1) as the link
    header), initial sequence numbers cseq and sseq. seg('c' or 's', flags, data) builds
    the next segment of that side: its sequence number is where that side has got to
    (advanced by the data, a SYN and a FIN) and its ACK is where the other side has got to.
    seq=/ack= override both (the connection does not advance then); ids is an iterator of
    IP ids shared by the capture (every packet gets a distinct, non-zero id)."""

    def __init__(self, ids, c, cport, cn, s, sport, sn, cseq=1000, sseq=5000, window=64240):
        self.ids = ids
        self.window = window
        self.side = {
            'c': {'addr': c, 'port': cport, 'n': cn, 'seq': cseq},
            's': {'addr': s, 'port': sport, 'n': sn, 'seq': sseq},
        }

    def seg(self, who, flags, data=b'', seq=None, ack=None, window=None):
        me = self.side[who]
        other = self.side['s' if who == 'c' else 'c']
        link = arriving(me['n']) if me['n'] else leaving(1)
        p = link / IP(src=me['addr'], dst=other['addr'], id=next(self.ids)) / TCP(
            sport=me['port'],
            dport=other['port'],
            flags=flags,
            seq=me['seq'] if seq is None else seq,
            ack=(other['seq'] if ack is None else ack) if 'A' in flags else 0,
            window=self.window if window is None else window,
        )
        if data:
            p = p / Raw(data)
        if seq is None:
            me['seq'] += len(data) + ('S' in flags) + ('F' in flags)
        return p


def udp_l4(src, dst, ident, sport, n, dport=9):
    """The UDP header and payload (n bytes of a pattern) of a datagram, checksum over the whole,
    to be cut into fragments by fragments()."""
    data = bytes((i * 7 + ident) & 0xff for i in range(n))
    return bytes(IP(src=src, dst=dst, id=ident) / UDP(sport=sport, dport=dport) / Raw(data))[20:]


def fragments(src, dst, ident, l4, sizes, df=(), tos=(), options=None, opts=(), order=None, link=None):
    """l4 (a UDP header and payload) cut into IPv4 fragments: `sizes` for all but the last
    (multiples of 8), the last takes the rest. df: indexes of fragments with DF; tos: a TOS per
    fragment; options: indexes of fragments carrying `opts` (all when True); order: the
    indexes in the order to send them; link: the link header (arriving(1) by default)."""
    bounds, off = [], 0
    for s in sizes:
        bounds.append((off, off + s))
        off += s
    bounds.append((off, len(l4)))
    out = []
    for i, (a, b) in enumerate(bounds):
        flags = (1 if i < len(bounds) - 1 else 0) | (2 if i in df else 0)  # MF, DF
        carry = list(opts) if options is True or (options and i in options) else []
        ip = IP(src=src, dst=dst, id=ident, proto=17, flags=flags, frag=a // 8, tos=tos[i] if tos else 0, options=carry)
        out.append((link or arriving(1)) / ip / Raw(l4[a:b]))
    return [out[i] for i in order] if order else out
