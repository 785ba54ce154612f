#!/usr/bin/python3
import itertools
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import Tcp, write  # noqa: E402

C, S = '192.0.2.10', '203.0.113.10'  # client behind eth0 (default route), server on eth1
ids = itertools.count(1)
t = Tcp(ids, C, 40000, 1, S, 80, 2, cseq=1000000, sseq=3000000)
BLOCK = b'd' * 100

packets = [
    t.seg('c', 'S'),
    t.seg('s', 'SA'),
    t.seg('c', 'A'),
    t.seg('c', 'PA', BLOCK),                            # seq 1000001..1000100
    t.seg('s', 'A'),                                    # acknowledges it
    t.seg('c', 'PA', BLOCK, seq=1000101 + 1000000),     # a million bytes ahead: INVALID
    t.seg('s', 'A', ack=1000101 + 500000),              # acknowledges data never sent: INVALID
    t.seg('c', 'R', seq=1000101 + 2000000),             # RST far outside the window: INVALID
    t.seg('c', 'PA', BLOCK),                            # the next segment in order: ESTABLISHED
    t.seg('s', 'A'),
    t.seg('c', 'PA', BLOCK, seq=1000001),               # retransmission of acknowledged data: still valid
    t.seg('s', 'PA', BLOCK, seq=3000001 - 200000),      # 200000 bytes behind: ignored, so ESTABLISHED (see rules.v4)
    t.seg('c', 'A', ack=3000001 - 300000),              # ACK 300000 bytes behind: ignored, so ESTABLISHED
    t.seg('s', 'PA', BLOCK),                            # the server's data in order: ESTABLISHED
    t.seg('c', 'A'),
]
write(packets, __file__)
