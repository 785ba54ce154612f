#!/usr/bin/python3
"""HOGE chains: one packet per path through INPUT > HOGE1..HOGE4 (see rules.v4)."""
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'pylib'))
from nfrcap import arriving, write  # noqa: E402
from scapy.all import ICMP, IP, TCP, UDP, Raw  # noqa: E402

C, H = '192.0.2.10', '198.51.100.1'


def tcp(sport, dport=22222, ident=1):
    return arriving() / IP(src=C, dst=H, id=ident) / TCP(sport=sport, dport=dport, flags='S', seq=1000)


packets = [
    tcp(1, ident=1),   # HOGE1 > HOGE2 RETURN > back in HOGE1 > INPUT ACCEPT
    tcp(2, ident=2),   # depth 4: HOGE4 falls off > HOGE3 falls off > HOGE2 counts sport 2 > INPUT ACCEPT
    tcp(3, ident=3),   # DROP in HOGE3
    tcp(5, ident=4),   # RETURN from HOGE4 > HOGE3 > HOGE2 > HOGE1 > INPUT ACCEPT
    tcp(6, ident=5),   # ACCEPT in HOGE4 (depth 4)
    tcp(8, ident=6),   # HOGE2 -g HOGE4 falls off: back to HOGE1 (the -j caller), not HOGE2
    tcp(1, ident=7),   # the first path again: counters add up
    tcp(9, dport=80, ident=8),  # no rule: INPUT policy DROP
    arriving() / IP(src=C, dst=H, id=9) / ICMP(type=8, id=1, seq=1) / Raw(b'hoge' * 8),  # -g HOGE3, RETURN: policy
    arriving() / IP(src=C, dst=H, id=10) / ICMP(type=0, id=1, seq=2),  # -g HOGE3, falls off: policy
    arriving() / IP(src=C, dst=H, id=11) / UDP(sport=5000, dport=1000) / Raw(b'x' * 20),  # HOGE1 falls off, ACCEPT
    arriving() / IP(src=C, dst=H, id=12) / UDP(sport=5000, dport=2000) / Raw(b'x' * 20),  # HOGE1 -g HOGE3 RETURN: to INPUT after HOGE1
    arriving() / IP(src=C, dst=H, id=13) / UDP(sport=5000, dport=3000),  # DROP in HOGE1
]
write(packets, __file__)
