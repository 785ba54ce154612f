#!/usr/bin/python3
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, write  # noqa: E402
from scapy.all import IP, UDP, Raw  # noqa: E402

C, C2, C3 = '192.0.2.10', '192.0.2.11', '192.0.2.12'  # clients behind eth0 (default route)
S, S2 = '203.0.113.53', '203.0.113.54'                  # DNS servers on eth1
Q, A = b'\x12\x34\x01\x00' + b'q' * 24, b'\x12\x34\x81\x80' + b'a' * 56


def udp(n, src, dst, sport, dport, ident, data, **kw):
    return arriving(n) / IP(src=src, dst=dst, id=ident) / UDP(sport=sport, dport=dport, **kw) / Raw(data)


packets = [
    udp(1, C, S, 5353, 53, 1, Q),            # NEW, accepted: entry UNREPLIED
    udp(2, S, C, 53, 5353, 2, A),            # the answer: ESTABLISHED, REPLY, SEEN_REPLY
    udp(1, C, S, 5353, 53, 3, Q),            # second query on the same ports: ESTABLISHED
    udp(2, S, C, 53, 5353, 4, A),
    udp(1, C, S, 5354, 53, 5, Q),            # another query, never answered: stays UNREPLIED
    udp(2, S, C, 5300, 5353, 6, A),          # "answer" from another port: NEW from eth1, refused
    udp(1, C2, S, 6000, 53, 7, Q),           # NEW
    udp(2, S2, C2, 53, 6000, 8, A),          # answer from another server: NEW, refused
    udp(1, C3, S, 6001, 53, 9, Q, chksum=0),       # no checksum (0): valid, NEW
    udp(1, C3, S, 6002, 53, 10, Q, chksum=0x1234),  # bad checksum: INVALID
]
write(packets, __file__)
