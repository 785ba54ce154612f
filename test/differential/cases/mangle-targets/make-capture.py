#!/usr/bin/python3
"""Mangle targets: the destination port selects the rewrite (see rules.v4)."""
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, leaving, write  # noqa: E402
from scapy.all import IP, TCP, UDP, Raw  # noqa: E402

H, S = '198.51.100.1', '203.0.113.10'  # the host; a machine behind eth1 (forwarded)
C = '192.0.2.10'    # in 192.0.2.0/25: --or-mark 0x100
C2 = '192.0.2.200'  # outside it


def udp(src, dst, dport, ident, ttl=64, tos=0):
    return arriving() / IP(src=src, dst=dst, id=ident, ttl=ttl, tos=tos) / UDP(sport=30000 + ident, dport=dport) / Raw(b'm' * 12)


def tcp(src, dst, dport, ident, flags='S', options=()):
    return arriving() / IP(src=src, dst=dst, id=ident) / TCP(sport=30000 + ident, dport=dport, flags=flags, seq=7, options=list(options))


packets = [
    udp(C, H, 1001, 1),             # TTL 10, delivered: INPUT sees 10; mark 0x10 | 0x100 | 0x1
    udp(C2, S, 1001, 2),            # TTL 10, forwarded: FORWARD sees 9
    udp(C, S, 1002, 3),             # 64 - 5 = 59, FORWARD 58
    udp(C, H, 1003, 4),             # 64 + 3 = 67, INPUT 67
    udp(C, S, 1004, 5),             # 64 - 63 = 1: not forwarded (time exceeded)
    udp(C, S, 1005, 6, ttl=250),    # 250 + 10 stops at 255, FORWARD 254
    udp(C, H, 2001, 7),             # TOS 0x10
    udp(C2, S, 2001, 8, tos=0x03),  # TOS 0x10: the ECN bits go too
    udp(C2, H, 2002, 9, tos=0xe0),  # Maximize-Throughput, mask 0x3f: (0xe0 & 0xc0) ^ 0x08 = 0xc8
    udp(C, S, 2003, 10, tos=0xf0),  # | 0x04 = 0xf4, & 0x0c = 0x04
    udp(C2, H, 2004, 11, tos=0x08),  # ^ 0x18 = 0x10
    udp(C, H, 2004, 12, tos=0x28),  # ^ 0x18 = 0x30
    udp(C, S, 3001, 13, tos=0x03),  # DSCP 0x2e with ECN 3 kept: 0xbb
    udp(C2, H, 3002, 14, tos=0x01),  # AF41 (0x22) with ECN 1: 0x89
    tcp(C, H, 4001, 15, flags='SEC'),   # ECE and CWR removed, delivered
    tcp(C2, S, 4001, 16, flags='SEC'),  # ECE and CWR removed, forwarded
    tcp(C2, H, 4002, 17),           # ECE set, delivered
    tcp(C, S, 4002, 18),            # ECE set in PREROUTING, cleared again in FORWARD
    udp(C, S, 4003, 19),            # ECT(1) in the IP header
    tcp(C, H, 5001, 20),            # no MSS option: 536 added, 40 > 44 bytes, delivered
    tcp(C2, S, 5001, 21, options=[('MSS', 1460)]),  # lowered to 1000, forwarded
    tcp(C2, S, 5001, 22),           # 536 added, forwarded
    tcp(C, S, 5001, 23, flags='A'),  # not a SYN: untouched
    leaving(2) / IP(src='203.0.113.1', dst=S, id=24) / UDP(sport=24, dport=9999) / Raw(b'o' * 8),  # own, out of eth1
    leaving(1) / IP(src=H, dst=C, id=25, tos=0xb8) / UDP(sport=25, dport=9999) / Raw(b'o' * 8),  # own, out of eth0
]
write(packets, __file__)
