#!/usr/bin/python3
import itertools
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import Tcp, arriving, write  # noqa: E402
from scapy.all import ICMP, IP, UDP, Raw  # noqa: E402

IN, IN2, IN3 = '10.0.1.10', '10.0.1.11', '10.0.1.200'  # inside clients on eth1
MASQ, SNAT = '198.51.100.1', '198.51.100.2'            # the host's outside addresses
WEB, DNS, DNS2 = '192.0.2.10', '192.0.2.53', '192.0.2.54'  # outside, behind eth0's gateway
ids = itertools.count(1)
t = Tcp(ids, IN, 40000, 2, WEB, 443, 1, cseq=11000, sseq=77000)


def answer(flags, data=b''):
    """The web server's segment as it arrives: addressed to the masqueraded source."""
    p = t.seg('s', flags, data)
    p['IP'].dst = MASQ
    return p


def pkt(n, src, dst, l4, size):
    return arriving(n) / IP(src=src, dst=dst, id=next(ids)) / l4 / Raw(b'p' * size)


lost = IP(src=SNAT, dst=DNS2, id=0, ttl=63) / UDP(sport=5001, dport=53) / Raw(b'p' * 20)  # as DNS2 received it
packets = [
    t.seg('c', 'S'),                                          # NEW: MASQUERADE to 198.51.100.1:40000
    answer('SA'),                                             # un-SNATed in PREROUTING back to 10.0.1.10
    t.seg('c', 'A'),
    t.seg('c', 'PA', b'hello'),
    answer('PA', b'world!'),
    t.seg('c', 'A'),
    pkt(2, IN3, DNS, UDP(sport=5000, dport=53), 20),          # SNAT --to-source 198.51.100.2
    pkt(1, DNS, SNAT, UDP(sport=53, dport=5000), 40),         # the answer, back to 10.0.1.200
    pkt(2, IN2, WEB, ICMP(type=8, id=0x77, seq=1), 16),       # ping: MASQUERADE keeps the id
    pkt(1, WEB, MASQ, ICMP(type=0, id=0x77, seq=1), 16),
    pkt(2, IN3, DNS2, UDP(sport=5001, dport=53), 20),         # SNAT, never answered
    arriving(1) / IP(src=DNS2, dst=SNAT, id=next(ids)) / ICMP(type=3, code=3) / lost,  # error: RELATED, outer and inner un-SNATed
    pkt(1, WEB, MASQ, UDP(sport=443, dport=40001), 10),       # no mapping for this port: for the host itself
]
write(packets, __file__)
