#!/usr/bin/python3
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, leaving, write  # noqa: E402
from scapy.all import ICMP, IP, TCP, UDP, Raw  # noqa: E402

H0, H1, NET, S = '198.51.100.1', '203.0.113.1', '192.0.2.10', '203.0.113.10'
packets = [
    leaving(1) / IP(src=H0, dst='192.0.2.53', id=1) / UDP(sport=40001, dport=53) / Raw(b'q' * 17),
    leaving(1) / IP(src=H0, dst=NET, id=2) / TCP(sport=40002, dport=443, flags='S', options=[('MSS', 1460)]),
    leaving(1) / IP(src=H0, dst=NET, id=3) / TCP(sport=40003, dport=80, flags='S'),  # policy DROP: EPERM
    leaving(2) / IP(src=H1, dst=S, id=4) / UDP(sport=40004, dport=161),
    leaving(2) / IP(src=H0, dst=S, id=5) / UDP(sport=40005, dport=161),  # -s does not match: DROP
    leaving(1) / IP(src=H0, dst=NET, id=6) / ICMP(type=8, id=6, seq=1),
    leaving(1) / IP(src=H0, dst=H1, id=7) / UDP(sport=40007, dport=9),   # to itself through lo
    leaving(1) / IP(src=H0, dst=H0, id=8) / ICMP(type=8, id=8, seq=1),  # to itself: its echo reply is dropped
    arriving(1) / IP(src=NET, dst=H0, id=9) / UDP(sport=40009, dport=9),  # an arriving packet for contrast
]
write(packets, __file__)
