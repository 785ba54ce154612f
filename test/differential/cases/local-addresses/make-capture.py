#!/usr/bin/python3
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, leaving, write  # noqa: E402
from scapy.all import ICMP, IP, TCP, UDP, Raw  # noqa: E402

from scapy.all import Ether  # noqa: E402

NET, IN, H0, H1 = '192.0.2.10', '203.0.113.10', '198.51.100.1', '203.0.113.1'
BCAST = Ether(src='02:00:00:00:ff:01', dst='ff:ff:ff:ff:ff:ff')


def udp(n, src, dst, ident, eth=None):
    return (eth or arriving(n)) / IP(src=src, dst=dst, id=ident) / UDP(sport=50000 + ident, dport=9)


packets = [
    udp(1, NET, H0, 1),
    udp(1, NET, H1, 2),            # eth1's address arriving on eth0: INPUT -i eth0
    udp(2, IN, H0, 3),             # eth0's address arriving on eth1: INPUT -i eth1
    udp(2, IN, H1, 4),
    udp(1, NET, '198.51.100.255', 5),  # own subnet broadcast, unicast MAC
    udp(1, NET, '203.0.113.255', 6),   # eth1's broadcast arriving on eth0: still local
    udp(1, NET, '255.255.255.255', 7, BCAST),
    udp(1, NET, '127.0.0.1', 8),   # martian destination: PREROUTING only
    udp(1, H1, H0, 9),             # source is a host address (placed on eth0 by ingress_rules): martian
    udp(1, NET, IN, 10),           # forwarded, for contrast
]
write(packets, __file__)
