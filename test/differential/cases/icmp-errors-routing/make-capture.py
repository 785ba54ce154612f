#!/usr/bin/python3
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, write  # noqa: E402
from scapy.all import IP, UDP, Raw  # noqa: E402

A, B, D, E = '198.51.100.10', '198.51.100.11', '198.51.100.12', '203.0.113.10'  # senders on eth0 (A, B, D) and eth1 (E)
u = lambda src, dst, n, link=1: arriving(link) / IP(src=src, dst=dst, id=n) / UDP(sport=4000 + n, dport=53) / Raw(b'q' * 12)
packets = [
    u(A, '192.0.2.99', 1),   # no route: net unreachable
    u(B, '10.1.0.1', 2),     # unreachable route: host unreachable
    u(D, '10.2.0.1', 3),     # prohibit route: communication prohibited
    u(A, '10.3.0.1', 4),     # blackhole: nothing
    u(E, '192.0.2.99', 5, 2),  # arrives on eth1, which does not forward: nothing
    u(A, '10.4.0.1', 6),     # routed: forwarded out of eth1
]
# Four more without a route from A: its bucket allows two errors in a row in all.
packets += [u(A, '192.0.2.99', 7 + n) for n in range(4)]
write(packets, __file__)
