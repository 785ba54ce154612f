#!/usr/bin/python3
import itertools
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, write  # noqa: E402
from scapy.all import IP, UDP, Raw  # noqa: E402

C, S = '192.0.2.10', '203.0.113.10'  # client behind eth0 (default route), server on eth1
ids = itertools.count(1)


def udp(n, src, dst, sport, dport, size):
    return arriving(n) / IP(src=src, dst=dst, id=next(ids)) / UDP(sport=sport, dport=dport) / Raw(b'd' * size)


packets = [
    udp(1, C, S, 5009, 9, 20),     # --save-mark --nfmask 0xff --ctmask 0xf
    udp(1, C, S, 5010, 10, 20),    # --save-mark, --left-shift-mark 4
    udp(1, C, S, 5011, 11, 20),    # --set-xmark, --right-shift-mark 1
    udp(1, C, S, 5012, 12, 20),    # --set-xmark, then --restore-mark and a shifted --save-mark
    udp(1, C, S, 5012, 12, 30),    # the same again on the connection's mark
    udp(2, S, C, 12, 5012, 40),    # the answer: no mangle rule for it, its connmark as it is
]
write(packets, __file__)
