#!/usr/bin/python3
import itertools
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, write  # noqa: E402
from scapy.all import ICMP, IP, UDP, Raw  # noqa: E402

C = '192.0.2.10'                               # outside client behind eth0's gateway
PUB, IN = '198.51.100.21', '10.0.1.21'         # a mapped public address and its inner host
OUT, OUT_PUB = '10.0.1.35', '198.51.100.35'    # an inner client and its public address
ids = itertools.count(1)


def udp(n, src, dst, sport, dport, data):
    return arriving(n) / IP(src=src, dst=dst, id=next(ids)) / UDP(sport=sport, dport=dport) / Raw(data)


packets = [
    udp(1, C, PUB, 40000, 53, b'query-one'),           # NETMAP to 10.0.1.21, FORWARD NEW,DNAT
    udp(2, IN, C, 53, 40000, b'answer-one'),           # leaves as 198.51.100.21
    udp(1, C, PUB, 40000, 53, b'query-two'),           # ESTABLISHED, mapped from the binding
    udp(1, C, '198.51.100.17', 40001, 53, b'other'),   # mapped to 10.0.1.17: no rule, policy DROP
    arriving(2) / IP(src=OUT, dst=C, id=next(ids)) / ICMP(type=8, id=0x4242, seq=1) / Raw(b'ping'),  # leaves as .35
    arriving(1) / IP(src=C, dst=OUT_PUB, id=next(ids)) / ICMP(type=0, id=0x4242, seq=1) / Raw(b'ping'),  # back to 10.0.1.35
]
write(packets, __file__)
