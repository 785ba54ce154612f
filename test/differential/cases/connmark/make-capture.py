#!/usr/bin/python3
import itertools
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import Tcp, arriving, write  # noqa: E402
from scapy.all import IP, UDP, Raw  # noqa: E402

C, S = '192.0.2.10', '203.0.113.10'  # client behind eth0 (default route), server on eth1
ids = itertools.count(1)
http = Tcp(ids, C, 40000, 1, S, 80, 2, cseq=1000, sseq=2000)
tls = Tcp(ids, C, 40001, 1, S, 443, 2, cseq=3000, sseq=4000)
ssh = Tcp(ids, C, 40002, 1, S, 22, 2, cseq=5000, sseq=6000)


def udp(n, src, dst, sport, dport, size):
    return arriving(n) / IP(src=src, dst=dst, id=next(ids)) / UDP(sport=sport, dport=dport) / Raw(b'd' * size)


packets = [
    http.seg('c', 'S'),                  # classified: MARK 0x1, saved to the connection
    http.seg('s', 'SA'),                 # the answer gets 0x1 back from the connection
    http.seg('c', 'A'),
    http.seg('c', 'PA', b'GET /'),
    http.seg('s', 'PA', b'200 OK'),
    tls.seg('c', 'S'),                   # MARK 0x2
    tls.seg('s', 'SA'),
    tls.seg('c', 'A'),
    udp(1, C, S, 5000, 53, 20),          # CONNMARK --set-mark 0x10/0xf0 on the NEW datagram
    udp(2, S, C, 53, 5000, 40),
    ssh.seg('c', 'S'),                   # not classified: connmark stays 0
    ssh.seg('s', 'SA'),
]
write(packets, __file__)
