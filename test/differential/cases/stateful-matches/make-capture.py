#!/usr/bin/python3
"""Stateful matches: packets from four sources to the host, 1 ms apart (see rules.v4)."""
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, write  # noqa: E402
from scapy.all import ICMP, IP, TCP, UDP, Raw  # noqa: E402

H = '198.51.100.1'
A, B, C = '192.0.2.10', '192.0.2.11', '192.0.2.12'  # one /24: one t3 bucket
D = '203.0.113.20'  # another /24, enters on eth0 through the default route


def tcp(src, dport, ident):
    return arriving() / IP(src=src, dst=H, id=ident) / TCP(sport=40000 + ident, dport=dport, flags='S', seq=1000)


def udp(src, dport, ident, size=8):
    return arriving() / IP(src=src, dst=H, id=ident) / UDP(sport=40000 + ident, dport=dport) / Raw(b'u' * size)


def ping(src, ident):
    return arriving() / IP(src=src, dst=H, id=ident) / ICMP(type=8, id=ident, seq=1)


packets = [
    tcp(A, 22, 1),    # r1: A stamped once
    tcp(A, 22, 2),    # twice
    udp(B, 53, 3),
    tcp(A, 22, 4),    # three stamps: rcheck --hitcount 3 matches
    tcp(A, 22, 5),    # four: dropped by the terminating rcheck --hitcount 4
    udp(B, 53, 6),
    udp(B, 53, 7),    # third to B:53: above t2's burst of 2
    udp(B, 53, 8),    # fourth UDP from B: above t4's burst of 3, dropped
    tcp(C, 23, 9),    # C not in r1: --update does nothing, ! --rcheck matches
    tcp(C, 22, 10),   # C stamped once
    tcp(C, 23, 11),   # --update --hitcount 2: one stamp, no match, no new stamp
    tcp(C, 22, 12),   # two stamps
    tcp(C, 23, 13),   # --update matches and stamps: three
    tcp(C, 22, 14),   # four stamps: dropped
    tcp(A, 24, 15),   # --remove forgets A
    tcp(A, 22, 16),   # A stamped again from scratch
    ping(D, 17),      # another /24: t3's other bucket
    udp(D, 123, 18, size=240),  # does not fit in what is left of the quota: empties it
    udp(D, 123, 19),  # small, but the quota is empty
    ping(C, 20),
    tcp(B, 80, 21),
    tcp(D, 24, 22),   # --remove of an address not in the list: no match
    udp(A, 53, 23, size=100),
    ping(A, 24),
]
write(packets, __file__)
