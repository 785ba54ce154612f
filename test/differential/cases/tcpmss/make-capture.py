#!/usr/bin/python3
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, leaving, write  # noqa: E402
from scapy.all import ICMP, IP, TCP, UDP, Raw  # noqa: E402

OUT, IN = '192.0.2.10', '203.0.113.10'
LINUX_SYN = [('MSS', 1460), ('SAckOK', b''), ('Timestamp', (1000, 0)), ('NOP', None), ('WScale', 7)]


def syn(n, src, dst, dport, ident, options, flags='S'):
    return arriving(n) / IP(src=src, dst=dst, id=ident) / TCP(sport=20000 + ident, dport=dport, flags=flags, seq=100, options=options)


packets = [
    syn(1, OUT, IN, 80, 1, [('MSS', 1460)]),   # clamped to 1360, same length
    syn(1, OUT, IN, 80, 2, [('MSS', 1000)]),   # below the clamp: unchanged
    syn(1, OUT, IN, 80, 3, []),                # no MSS option: 536 added, 40 > 44 bytes
    syn(1, OUT, IN, 8080, 4, [('MSS', 1460)]),  # clamped to 1360, then set to 1200
    syn(1, OUT, IN, 8080, 5, []),              # 536 added by the clamp; --set-mss 1200 does not raise it
    syn(1, OUT, IN, 8080, 6, [('MSS', 1100)]),  # --set-mss 1200 does not raise 1100
    syn(1, OUT, IN, 443, 7, LINUX_SYN),        # MSS among other options
    syn(2, IN, OUT, 80, 8, [('MSS', 1460)]),   # out of eth0 (MTU 1500) but from eth1 (1400): 1360
    syn(2, IN, OUT, 80, 9, [('MSS', 1460)], flags='SA'),  # SYN-ACK is a SYN for --tcp-flags SYN,RST SYN
    syn(1, OUT, IN, 80, 10, [('MSS', 1460)], flags='A'),  # not a SYN: untouched
]
write(packets, __file__)
