#!/usr/bin/python3
import itertools
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import Tcp, arriving, write  # noqa: E402
from scapy.all import IP, UDP, Raw  # noqa: E402

C, S, M = '192.0.2.10', '203.0.113.10', '203.0.113.1'  # client (eth0), server (eth1), masquerading address
ids = itertools.count(1)
a = Tcp(ids, C, 40001, 1, S, 80, 2, cseq=1000, sseq=5000)  # the client's large segment is rejected
b = Tcp(ids, C, 40002, 1, S, 80, 2, cseq=3000, sseq=7000)  # the server's large segment is rejected
c = Tcp(ids, C, 40003, 1, S, 25, 2, cseq=9000)  # rejected at once

# The server answers the masquerading address: its segments are built to M, not to C.
b.side['c']['addr'] = M
a.side['c']['addr'] = M
def to_server(conn, *args, **kw):
    conn.side['c']['addr'] = C
    p = conn.seg('c', *args, **kw)
    conn.side['c']['addr'] = M
    return p

packets = [
    to_server(a, 'S'),
    a.seg('s', 'SA'),
    to_server(a, 'A'),
    to_server(a, 'PA', b'q' * 400),  # rejected: RST to the client from the server's address; CLOSE
    a.seg('s', 'A'),                 # the server's ACK of what came before, in CLOSE
    to_server(b, 'S'),
    b.seg('s', 'SA'),
    to_server(b, 'A'),
    b.seg('s', 'PA', b'r' * 400),    # rejected: RST to the server, from the masquerading address
    to_server(c, 'S'),               # rejected: RST walks nat POSTROUTING
    arriving(1) / IP(src=C, dst=S, id=next(ids)) / UDP(sport=5353, dport=53) / Raw(b'u' * 20),  # port unreachable, RELATED
    arriving(1) / IP(src=C, dst=S, id=next(ids)) / UDP(sport=6000, dport=5300) / Raw(b'v' * 20),  # accepted, masqueraded
    arriving(2) / IP(src=S, dst=M, id=next(ids)) / UDP(sport=5300, dport=6000) / Raw(b'w' * 120),  # its large answer: port unreachable to S
]
write(packets, __file__)
