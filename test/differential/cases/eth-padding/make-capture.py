#!/usr/bin/python3
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, leaving, write  # noqa: E402
from scapy.all import ICMP, IP, TCP, UDP, Raw  # noqa: E402

C, H = '192.0.2.10', '198.51.100.1'


def pad(pkt, total, fill=b'\x00'):
    b = bytes(pkt)
    return b + (fill * total)[: total - len(b)]


packets = [
    pad(arriving() / IP(src=C, dst=H, id=1) / UDP(sport=1, dport=9), 60),                 # 28 + 18 zero bytes
    pad(arriving() / IP(src=C, dst=H, id=2) / UDP(sport=2, dport=9), 60, b'PADDING!'),    # junk padding
    pad(arriving() / IP(src=C, dst=H, id=3) / TCP(sport=3, dport=80, flags='A'), 60),     # 40 + 6
    pad(arriving() / IP(src=C, dst=H, id=4) / ICMP(type=8, id=4, seq=1), 128, b'\xff'),  # 28 + 86
    bytes(arriving() / IP(src=C, dst=H, id=5) / UDP(sport=5, dport=9) / Raw(b'x' * 18)),  # 46: no padding at 60
    bytes(arriving() / IP(src=C, dst=H, id=6) / UDP(sport=6, dport=9) / Raw(b'x' * 32)),  # 60
    bytes(arriving() / IP(src=C, dst=H, id=7) / UDP(sport=7, dport=9)),                   # 42-byte frame, unpadded
    pad(leaving() / IP(src=H, dst=C, id=8) / UDP(sport=8, dport=9), 60),  # local: the padding is not sent
]
write(packets, __file__)
