#!/usr/bin/python3
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, leaving, write  # noqa: E402
from scapy.all import ICMP, IP, TCP, UDP, Raw  # noqa: E402

NET, S, S2 = '192.0.2.10', '203.0.113.10', '203.0.113.20'
packets = [
    arriving(2) / IP(src=S, dst=NET, id=1) / TCP(sport=30001, dport=443, flags='S'),  # eth1 > eth0 ACCEPT
    arriving(2) / IP(src=S, dst=NET, id=2) / UDP(sport=30002, dport=53) / Raw(b'u' * 40),
    arriving(1) / IP(src=NET, dst=S, id=3) / TCP(sport=30003, dport=80, flags='S'),  # ACCEPT
    arriving(1) / IP(src=NET, dst=S, id=4) / TCP(sport=30004, dport=22, flags='S'),  # policy DROP
    arriving(1) / IP(src=NET, dst=S2, id=5) / ICMP(type=8, id=5, seq=1),  # ACCEPT
    arriving(1) / IP(src=NET, dst=S2, id=6) / ICMP(type=0, id=6, seq=1),  # policy DROP
    arriving(1) / IP(src=NET, dst='192.0.2.20', id=7) / UDP(sport=30007, dport=9),  # eth0 > eth0 hairpin
    arriving(2) / IP(src=S, dst=S2, id=8) / UDP(sport=30008, dport=9),  # eth1 > eth1: policy DROP
    arriving(2) / IP(src=S, dst='10.9.9.9', id=9) / UDP(sport=30009, dport=9),  # default route
]
write(packets, __file__)
