#!/usr/bin/python3
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, leaving, write  # noqa: E402
from scapy.all import ICMP, IP, TCP, UDP, Raw  # noqa: E402

C, H, S = '192.0.2.10', '198.51.100.1', '203.0.113.10'
packets = [
    arriving() / IP(src=C, dst=H, id=1) / ICMP(type=8, id=7, seq=1),  # INPUT RETURN: policy DROP
    arriving() / IP(src=C, dst=H, id=2) / UDP(sport=4000, dport=53),  # ACCEPT
    arriving() / IP(src=C, dst=H, id=3) / UDP(sport=4000, dport=54),  # CNT RETURN, then RETURN: policy
    arriving() / IP(src=C, dst=H, id=4) / UDP(sport=4000, dport=55) / Raw(b'z' * 10),  # CNT RETURN, ACCEPT
    arriving() / IP(src=C, dst=S, id=5) / TCP(sport=4000, dport=25, flags='S'),  # FORWARD RETURN: policy ACCEPT
    arriving() / IP(src=C, dst=S, id=6) / TCP(sport=4000, dport=80, flags='S'),  # FORWARD DROP
    leaving() / IP(src=H, dst=C, id=7) / UDP(sport=53, dport=4000),  # OUTPUT RETURN: policy DROP (sendto: EPERM)
    leaving() / IP(src=H, dst=C, id=8) / ICMP(type=8, id=9, seq=1),  # OUTPUT ACCEPT
]
write(packets, __file__)
