#!/usr/bin/python3
import itertools
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, write  # noqa: E402
from scapy.all import IP, TCP, UDP, Raw  # noqa: E402

C, S = '192.0.2.10', '203.0.113.10'  # client behind eth0 (default route), server on eth1
ids = itertools.count(1)
LINUX_SYN = [('MSS', 1460), ('SAckOK', b''), ('Timestamp', (12345, 0)), ('NOP', None), ('WScale', 7)]


def syn(sport, dport):
    return arriving(1) / IP(src=C, dst=S, id=next(ids)) / TCP(sport=sport, dport=dport, flags='S', seq=1000, window=64240, options=LINUX_SYN)


def udp(dport, payload):
    p = arriving(1) / IP(src=C, dst=S, id=next(ids)) / UDP(sport=5000, dport=dport) / Raw(payload)
    p = p.__class__(bytes(p))  # lengths and the IP checksum computed
    p[UDP].chksum = 0          # no UDP checksum: allowed over IPv4
    return p


packets = [
    syn(40000, 80),
    syn(40001, 81),
    syn(40002, 82),
    syn(40003, 83),               # untouched
    udp(53, b'\x12\x34\x01\x00' + b'q' * 13),
    udp(54, b'audited'),
]
write(packets, __file__)
