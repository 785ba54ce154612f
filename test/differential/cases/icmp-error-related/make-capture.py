#!/usr/bin/python3
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, write  # noqa: E402
from scapy.all import ICMP, IP, TCP, UDP, Raw  # noqa: E402

C = '192.0.2.10'                        # client behind eth0 (default route)
S, S2, R = '203.0.113.10', '203.0.113.20', '203.0.113.254'  # servers and a router on eth1
DATA = Raw(b'traceroute-probe' * 2)


def probe(ident, sport, dport):
    """The UDP datagram as the client sends it."""
    return IP(src=C, dst=S, id=ident) / UDP(sport=sport, dport=dport) / DATA


def quoted(pkt):
    """pkt as the next hop received it (TTL decremented by the router), for an ICMP error."""
    q = pkt.copy()
    q.ttl -= 1
    del q.chksum
    return q


def error(n, src, dst, ident, typ, code, inner, **kw):
    return arriving(n) / IP(src=src, dst=dst, id=ident) / ICMP(type=typ, code=code, **kw) / inner


udp = probe(1, 40000, 33434)
syn = IP(src=C, dst=S2, id=3) / TCP(sport=40001, dport=80, flags='S', seq=1000, window=64240)
stray = probe(99, 45000, 9999)  # never sent: an error about it quotes no known flow
back = IP(src=S, dst=C, id=98, ttl=64) / UDP(sport=33434, dport=40000) / DATA  # the server's direction

packets = [
    arriving(1) / udp,                                    # NEW, forwarded
    error(2, S, C, 2, 3, 3, quoted(udp)),                 # port unreachable about it: RELATED
    arriving(1) / syn,                                    # NEW, forwarded
    error(2, R, C, 4, 11, 0, quoted(syn)),                # time exceeded from a router on the way: RELATED
    error(2, S, C, 5, 3, 3, quoted(stray)),               # quotes no known flow: INVALID
    error(2, S, C, 6, 3, 1, quoted(udp)),                 # host unreachable about the first flow: RELATED
    arriving(1) / probe(7, 40000, 33434),                 # the same datagram again: still NEW (UNREPLIED)
    error(1, C, S, 8, 3, 3, back),                        # the client's error about the server's direction
    error(2, S, C, 9, 3, 3, quoted(udp), chksum=0xdead),  # bad ICMP checksum: INVALID
]
write(packets, __file__)
