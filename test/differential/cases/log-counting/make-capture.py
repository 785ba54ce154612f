#!/usr/bin/python3
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, leaving, write  # noqa: E402
from scapy.all import ICMP, IP, TCP, UDP, Raw  # noqa: E402

C, H, S = '192.0.2.10', '198.51.100.1', '203.0.113.10'
packets = [
    arriving() / IP(src=C, dst=H, id=1) / TCP(sport=7001, dport=23, flags='S', options=[('MSS', 1460)]),  # LOGDROP
    arriving() / IP(src=C, dst=H, id=2) / TCP(sport=7002, dport=22, flags='S'),
    arriving() / IP(src=C, dst=H, id=3) / UDP(sport=7003, dport=53) / Raw(b'd' * 30),
    arriving() / IP(src=C, dst=H, id=4) / ICMP(type=8, id=4, seq=1),
    arriving() / IP(src=C, dst=S, id=5) / TCP(sport=7005, dport=80, flags='S'),  # forwarded
    arriving() / IP(src=C, dst=S, id=6) / TCP(sport=7006, dport=81, flags='S'),  # FORWARD policy DROP
    leaving() / IP(src=H, dst=C, id=7) / UDP(sport=53, dport=7003) / Raw(b'a' * 12),  # OUTPUT
]
write(packets, __file__)
