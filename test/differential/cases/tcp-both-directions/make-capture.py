#!/usr/bin/python3
import itertools
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import Tcp, write  # noqa: E402

OUT, OUT2 = '192.0.2.10', '192.0.2.20'    # outside, behind eth0 (default route)
IN, IN2, WEB = '203.0.113.10', '203.0.113.11', '203.0.113.20'  # inside, on eth1
ids = itertools.count(1)
a = Tcp(ids, IN, 33000, 2, OUT, 443, 1, cseq=100000, sseq=700000)   # inside -> outside: allowed
b = Tcp(ids, OUT2, 50000, 1, IN, 22, 2, cseq=200000, sseq=800000)   # outside -> inside ssh: refused
d = Tcp(ids, OUT2, 50001, 1, WEB, 443, 2, cseq=300000, sseq=900000)  # outside -> inside web: allowed
e = Tcp(ids, IN2, 33001, 2, OUT, 25, 1, cseq=400000)                # inside -> outside smtp: REJECT

packets = [
    a.seg('c', 'S'),                    # NEW from eth1: accepted
    a.seg('s', 'SA'),                   # the reply comes in on eth0: ESTABLISHED
    a.seg('c', 'A'),
    a.seg('c', 'PA', b'hello'),
    a.seg('s', 'A'),
    b.seg('c', 'S'),                    # NEW from eth0 to port 22: refused (policy)
    b.seg('c', 'S', seq=200000),        # retransmitted: NEW again, refused again
    b.seg('s', 'SA', ack=200001),       # an answer to the SYN that never got through: INVALID
    d.seg('c', 'S'),                    # NEW from eth0 to the published web server: accepted
    d.seg('s', 'SA'),
    d.seg('c', 'A'),
    d.seg('c', 'R'),                    # the client aborts: ESTABLISHED, the entry goes to CLOSE
    e.seg('c', 'S'),                    # inside to port 25: REJECT --reject-with tcp-reset
    a.seg('s', 'PA', b'world'),         # the first connection goes on: ESTABLISHED
    a.seg('c', 'A'),
]
write(packets, __file__)
