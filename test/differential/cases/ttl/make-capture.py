#!/usr/bin/python3
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, leaving, write  # noqa: E402
from scapy.all import ICMP, IP, TCP, UDP, Raw  # noqa: E402

NET, S, H = '192.0.2.10', '203.0.113.10', '198.51.100.1'
packets = [
    arriving() / IP(src=NET, dst=S, ttl=1, id=1) / UDP(sport=33434, dport=33434),  # traceroute hop 1
    arriving() / IP(src=NET, dst=S, ttl=1, id=2) / TCP(sport=33435, dport=80, flags='S'),
    arriving() / IP(src=NET, dst=S, ttl=0, id=3) / UDP(sport=33436, dport=33436),
    arriving() / IP(src=NET, dst=S, ttl=2, id=4) / UDP(sport=33437, dport=33437),  # forwarded with TTL 1
    arriving() / IP(src=NET, dst=S, ttl=64, id=5) / UDP(sport=33438, dport=33438),
    arriving() / IP(src=NET, dst=H, ttl=1, id=6) / ICMP(type=8, id=6, seq=1),  # local: delivered
    arriving() / IP(src=NET, dst=H, ttl=0, id=7) / ICMP(type=8, id=7, seq=1),  # local: delivered
]
write(packets, __file__)
