#!/usr/bin/python3
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, leaving, write  # noqa: E402
from scapy.all import IP, TCP, UDP, Raw  # noqa: E402

C, H = '192.0.2.10', '198.51.100.1'          # outside client (eth0), the host
S, DNS = '203.0.113.10', '203.0.113.53'      # inside server, the DNAT target (eth1)


def udp(n, src, dst, sport, dport, ident, size=20):
    link = leaving(1) if n == 0 else arriving(n)
    return link / IP(src=src, dst=dst, id=ident) / UDP(sport=sport, dport=dport) / Raw(b'u' * size)


packets = [
    udp(1, C, S, 3000, 53, 1),       # raw NOTRACK: UNTRACKED, no DNAT, forwarded to .10 as it is
    udp(2, S, C, 53, 3000, 2),       # the answer, untracked too: not masqueraded
    udp(1, C, S, 3001, 123, 3),      # raw CT --notrack: the same
    udp(2, S, C, 123, 3001, 4),
    udp(1, C, S, 3002, 161, 5),      # tracked: nat PREROUTING DNATs it to .53
    udp(2, DNS, C, 161, 3002, 6),    # the answer: ESTABLISHED, source rewritten back to .10
    arriving(1) / IP(src=C, dst=H, id=7) / TCP(sport=3003, dport=22, flags='S', seq=1, window=64240),  # untracked, local
    udp(2, S, C, 5000, 9999, 8),     # tracked, from the inside: MASQUERADE to 198.51.100.1
    udp(0, H, C, 514, 514, 9),       # local, raw OUTPUT CT --notrack: nat OUTPUT/POSTROUTING skipped
    udp(0, H, C, 515, 515, 10),      # local, tracked: nat OUTPUT and POSTROUTING see it
]
write(packets, __file__)
