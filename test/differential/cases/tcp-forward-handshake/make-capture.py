#!/usr/bin/python3
import itertools
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import Tcp, write  # noqa: E402

C, S = '192.0.2.10', '203.0.113.10'  # client behind eth0 (default route), server on eth1
ids = itertools.count(1)
web = Tcp(ids, C, 40001, 1, S, 80, 2, cseq=1000, sseq=5000)
ssh = Tcp(ids, C, 40002, 1, S, 22, 2, cseq=9000)

packets = [
    web.seg('c', 'S'),                              # NEW: the SYN rule accepts it
    web.seg('s', 'SA'),                             # ESTABLISHED, REPLY, SEEN_REPLY from now on
    web.seg('c', 'A'),                              # ESTABLISHED: completes the handshake (ASSURED)
    web.seg('c', 'PA', b'GET / HTTP/1.0\r\n\r\n'),  # data client -> server
    web.seg('s', 'A'),
    web.seg('s', 'PA', b'HTTP/1.0 200 OK\r\n\r\n' + b'x' * 60),  # data server -> client
    web.seg('c', 'A'),
    web.seg('c', 'FA'),                             # client closes first
    web.seg('s', 'FA'),                             # server's FIN acknowledges the client's
    web.seg('c', 'A'),                              # last ACK: TIME_WAIT
    ssh.seg('c', 'S'),                              # NEW to port 22: policy DROP, never confirmed
    ssh.seg('c', 'S', seq=9000),                    # its retransmission: NEW again, dropped again
]
write(packets, __file__)
