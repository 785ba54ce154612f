#!/usr/bin/python3
import itertools
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import Tcp, arriving, write  # noqa: E402
from scapy.all import IP, UDP, Raw  # noqa: E402

C, C2, H = '192.0.2.10', '192.0.2.20', '198.51.100.1'  # clients behind eth0, the host's public address
WEB, DNS = '10.0.1.10', '10.0.1.20'                     # inner servers on eth1
ids = itertools.count(1)
# What each side sends: the client talks to H:8080, the server answers from WEB:80.
c = Tcp(ids, C, 50000, 1, H, 8080, 1, cseq=100, sseq=900)
c2 = Tcp(ids, C2, 50001, 1, H, 8080, 1, cseq=300)
direct = Tcp(ids, C2, 50002, 1, WEB, 80, 2, cseq=400)
local = Tcp(ids, C2, 50003, 1, H, 8081, 1, cseq=500)


def srv(flags, data=b''):
    """The server's segment: c's reply direction as the server sees it (addresses translated)."""
    p = c.seg('s', flags, data)
    p['IP'].src, p['TCP'].sport = WEB, 80
    return p


packets = [
    c.seg('c', 'S'),                               # NEW: DNAT to 10.0.1.10:80
    srv('SA'),                                     # leaves eth0 from 198.51.100.1:8080
    c.seg('c', 'A'),
    c.seg('c', 'PA', b'GET / HTTP/1.0\r\n\r\n'),
    srv('PA', b'HTTP/1.0 200 OK\r\n\r\nhello'),
    c.seg('c', 'FA'),
    srv('FA'),
    c.seg('c', 'A'),
    c2.seg('c', 'S'),                              # a second client: its own DNAT
    c2.seg('c', 'R', seq=301),                     # and gives up
    direct.seg('c', 'S'),                          # straight to the inner address: refused
    local.seg('c', 'S'),                           # a port nobody forwards: INPUT (RST is an own reply)
    arriving(1) / IP(src=C, dst=H, id=next(ids)) / UDP(sport=5000, dport=5353) / Raw(b'q' * 30),  # DNAT, port kept
    arriving(2) / IP(src=DNS, dst=C, id=next(ids)) / UDP(sport=5353, dport=5000) / Raw(b'a' * 50),
]
write(packets, __file__)
