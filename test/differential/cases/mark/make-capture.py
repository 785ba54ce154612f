#!/usr/bin/python3
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, leaving, write  # noqa: E402
from scapy.all import ICMP, IP, TCP, UDP, Raw  # noqa: E402

H, LOW, HIGH, INSIDE = '198.51.100.1', '192.0.2.10', '192.0.2.200', '203.0.113.10'
packets = [
    arriving(1) / IP(src=LOW, dst=H, id=1) / TCP(sport=1, dport=22222, flags='S'),  # 1, then 0x10/0xf0: 0x11
    arriving(1) / IP(src=HIGH, dst=H, id=2) / TCP(sport=2, dport=22222, flags='S'),  # 1
    arriving(1) / IP(src=LOW, dst=H, id=3) / UDP(sport=3, dport=7),  # 0x10, &0xff, ^4: 0x14
    arriving(1) / IP(src=HIGH, dst=H, id=4) / UDP(sport=4, dport=9),  # stays 0
    arriving(2) / IP(src=INSIDE, dst='192.0.2.50', id=5) / TCP(sport=5, dport=80, flags='S'),  # 0x100, FORWARD: 0x200
    arriving(2) / IP(src=INSIDE, dst=H, id=6) / UDP(sport=6, dport=7),  # 0x100, &0xff: 0, ^4: 4: DROP
    arriving(1) / IP(src=LOW, dst=INSIDE, id=7) / TCP(sport=7, dport=80, flags='S'),  # 0x10 forwarded
    arriving(1) / IP(src=LOW, dst=INSIDE, id=8) / TCP(sport=8, dport=22222, flags='S'),  # 0x11 forwarded
    arriving(1) / IP(src=HIGH, dst=INSIDE, id=9) / TCP(sport=9, dport=443, flags='S'),  # 0 forwarded
    leaving(1) / IP(src=H, dst=LOW, id=10) / UDP(sport=10, dport=53),  # local: 0 (not the injector's mark), then 5
]
write(packets, __file__)
