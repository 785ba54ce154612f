#!/usr/bin/python3
import itertools
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import Tcp, write  # noqa: E402

C, S = '192.0.2.10', '203.0.113.10'  # client behind eth0 (default route), server on eth1
ids = itertools.count(1)
a = Tcp(ids, C, 40000, 1, S, 80, 2, cseq=10000, sseq=50000)
b = Tcp(ids, C, 40001, 1, S, 80, 2, cseq=20000, sseq=60000)
c = Tcp(ids, C, 40002, 1, S, 80, 2, cseq=30000, sseq=70000)

packets = [
    a.seg('c', 'S', seq=10000),  # first SYN: the nth rule drops it, its entry is never confirmed
    a.seg('c', 'S'),             # retransmission: NEW again (new entry), accepted
    a.seg('s', 'SA'),
    a.seg('c', 'A'),
    a.seg('c', 'PA', b'GET /'),
    a.seg('s', 'A'),
    b.seg('c', 'S', seq=20000),  # dropped by the nth rule
    b.seg('c', 'S', seq=20000),  # accepted: the entry exists from now on
    b.seg('c', 'S'),             # retransmitted again: NEW on a CONFIRMED entry
    b.seg('s', 'SA'),
    b.seg('c', 'A'),
    c.seg('c', 'S', seq=30000),  # dropped
    c.seg('c', 'S'),             # accepted, never answered: SYN_SENT [UNREPLIED]
]
write(packets, __file__)
