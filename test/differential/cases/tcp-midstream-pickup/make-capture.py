#!/usr/bin/python3
import itertools
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import Tcp, write  # noqa: E402

# tcp-midstream-strict replays this same capture (its make-capture.py runs this one); only the host's
# nf_conntrack_tcp_loose differs.
C, S = '192.0.2.10', '203.0.113.10'  # client behind eth0 (default route), server on eth1
ids = itertools.count(1)
mid = Tcp(ids, C, 40000, 1, S, 443, 2, cseq=5000000, sseq=7000000)   # began before the capture
fin = Tcp(ids, C, 40001, 1, S, 443, 2, cseq=5100000, sseq=7100000)
rst = Tcp(ids, C, 40002, 1, S, 443, 2, cseq=5200000, sseq=7200000)
rev = Tcp(ids, S, 8443, 2, C, 50000, 1, cseq=7300000, sseq=5300000)  # opened by the server's side
new = Tcp(ids, C, 40003, 1, S, 443, 2, cseq=5400000, sseq=7400000)   # a proper handshake

packets = [
    mid.seg('c', 'PA', b'm' * 50),   # mid-stream data, no entry: NEW with loose pickup
    mid.seg('s', 'PA', b'n' * 80),   # the other way: ESTABLISHED (REPLY)
    mid.seg('c', 'A'),
    mid.seg('c', 'PA', b'm' * 50),
    mid.seg('s', 'A'),
    fin.seg('c', 'FA'),              # a FIN cannot start an entry: INVALID
    rst.seg('c', 'RA'),              # nor can a RST
    rev.seg('c', 'A'),               # a bare ACK from the eth1 side: picked up the other way round
    rev.seg('s', 'A'),
    new.seg('c', 'S'),               # a SYN is NEW whatever tcp_loose says
    new.seg('s', 'SA'),
    new.seg('c', 'A'),
]
write(packets, __file__)
