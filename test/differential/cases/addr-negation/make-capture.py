#!/usr/bin/python3
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, leaving, write  # noqa: E402
from scapy.all import ICMP, IP, TCP, UDP, Raw  # noqa: E402

def icmp(n, src, dst, ident):
    return arriving(n) / IP(src=src, dst=dst, id=ident) / ICMP(type=8, id=ident, seq=1)


packets = [
    icmp(1, '192.0.2.10', '198.51.100.1', 1),
    icmp(1, '192.0.2.100', '198.51.100.1', 2),
    icmp(1, '192.0.2.130', '198.51.100.1', 3),
    icmp(1, '192.0.2.200', '203.0.113.1', 4),
    icmp(1, '192.0.2.10', '203.0.113.1', 5),
    icmp(1, '192.0.2.5', '198.51.100.255', 6),   # the subnet broadcast: local delivery
    icmp(2, '10.20.1.1', '203.0.113.1', 7),
    icmp(2, '10.20.1.1', '192.0.2.10', 8),       # forwarded 10/8 > eth0
    icmp(2, '10.20.1.1', '198.51.100.50', 9),
    icmp(1, '192.0.2.10', '10.30.0.5', 10),      # forwarded > eth1 via the 10/8 route: DROP
    icmp(1, '192.0.2.10', '10.30.0.6', 11),
    icmp(1, '192.0.2.5', '203.0.113.10', 12),
    icmp(1, '192.0.2.100', '203.0.113.10', 13),
]
write(packets, __file__)
