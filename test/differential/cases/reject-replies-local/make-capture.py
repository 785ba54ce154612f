#!/usr/bin/python3
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import leaving, write  # noqa: E402
from scapy.all import IP, TCP, UDP, Raw  # noqa: E402

H, R = '198.51.100.1', '192.0.2.10'  # the host, a remote address (default route)
packets = [
    leaving(1) / IP(src=H, dst=R, id=1) / TCP(sport=40000, dport=22, flags='S', seq=100),  # RST from R to H through lo
    leaving(1) / IP(src=H, dst=R, id=2) / TCP(sport=40001, dport=22, flags='A', seq=200, ack=300),  # RST at 300
    leaving(1) / IP(src=H, dst=R, id=3) / UDP(sport=5353, dport=53) / Raw(b'q' * 40),  # port unreachable from H to H
    leaving(1) / IP(src=H, dst=H, id=4) / UDP(sport=5354, dport=9) / Raw(b'z' * 12),  # rejected in INPUT on lo
]
write(packets, __file__)
