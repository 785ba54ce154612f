#!/usr/bin/python3
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, write  # noqa: E402
from scapy.all import ICMP, IP, Raw  # noqa: E402

C, S, H = '192.0.2.10', '203.0.113.10', '198.51.100.1'  # client behind eth0, server on eth1, host
PAYLOAD = Raw(b'nfreplay-ping-56-' + b'.' * 39)


def icmp(n, src, dst, ident, **kw):
    return arriving(n) / IP(src=src, dst=dst, id=ident) / ICMP(**kw) / PAYLOAD


def timestamp(n, src, dst, ident, **kw):
    """Timestamp request/reply: every time field given (scapy would fill in the clock)."""
    return arriving(n) / IP(src=src, dst=dst, id=ident) / ICMP(**kw)


packets = [
    icmp(1, C, S, 1, type=8, id=0x100, seq=1),   # echo request: NEW, forwarded
    icmp(2, S, C, 2, type=0, id=0x100, seq=1),   # echo reply: ESTABLISHED
    icmp(1, C, S, 3, type=8, id=0x100, seq=2),   # same id again: ESTABLISHED (entry still there)
    icmp(2, S, C, 4, type=0, id=0x100, seq=2),
    icmp(2, S, C, 5, type=0, id=0x200, seq=1),   # echo reply nobody asked for: INVALID
    icmp(1, C, H, 6, type=8, id=0x300, seq=1),   # ping to the host: NEW in INPUT (answer dropped as an own reply)
    timestamp(1, C, S, 7, type=13, id=0x400, seq=1, ts_ori=1000, ts_rx=0, ts_tx=0),        # timestamp request: NEW
    timestamp(2, S, C, 8, type=14, id=0x400, seq=1, ts_ori=1000, ts_rx=1001, ts_tx=1002),  # timestamp reply: ESTABLISHED
    icmp(2, S, C, 9, type=8, id=0x500, seq=1),   # ping from the inside: NEW, refused
]
write(packets, __file__)
