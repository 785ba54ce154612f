#!/usr/bin/python3
import itertools
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import PEER, Tcp, arriving, write  # noqa: E402
from scapy.all import IP, UDP, Raw  # noqa: E402

H, BR = '198.51.100.1', '10.17.0.1'            # the host's public address, the bridge address
WEB, SIB = '10.17.0.2', '10.17.0.3'            # the published container, a sibling (docker0)
C, BAD = '192.0.2.10', '192.0.2.66'            # outside clients (eth0's gateway)
ids = itertools.count(1)


def conn(c, cport, cn, s, sport, sn, cseq, sseq=0):
    return Tcp(ids, c, cport, cn, s, sport, sn, cseq=cseq, sseq=sseq)


def answer(t, src, sport, dst, flags, data=b''):
    """The server's next segment of t as it really arrives: from the translated address."""
    p = t.seg('s', flags, data)
    p['IP'].src, p['TCP'].sport, p['IP'].dst = src, sport, dst
    return p


pub = conn(C, 50000, 1, H, 8080, 1, 1000, 9000)          # published port from outside
bad = conn(BAD, 50001, 1, H, 8080, 1, 2000)               # blocked in DOCKER-USER
direct = conn(C, 50002, 1, WEB, 22, 2, 3000)              # straight to an unpublished container port
out = conn(WEB, 40000, 2, C, 443, 1, 4000, 8000)          # the container goes out (MASQUERADE)
self_ = conn(WEB, 41000, 2, H, 8080, 2, 5000, 7000)       # hairpin: the container reaches itself
sib = conn(SIB, 42000, 2, H, 8080, 2, 6000, 6500)         # a sibling reaches the published port

packets = [
    pub.seg('c', 'S'),                                    # DNAT to 10.17.0.2:80, DOCKER ACCEPT
    answer(pub, WEB, 80, C, 'SA'),                        # leaves eth0 as 198.51.100.1:8080
    pub.seg('c', 'A'),
    pub.seg('c', 'PA', b'GET /'),
    answer(pub, WEB, 80, C, 'PA', b'200 OK'),
    bad.seg('c', 'S'),                                    # DOCKER-USER DROP
    direct.seg('c', 'S'),                                 # FORWARD policy DROP
    out.seg('c', 'S'),                                    # MASQUERADE to 198.51.100.1:40000
    answer(out, C, 443, H, 'SA'),
    out.seg('c', 'A'),
    self_.seg('c', 'S'),                                  # DNAT to itself, MASQUERADE to 10.17.0.1
    answer(self_, WEB, 80, BR, 'SA'),                     # its own answer, to the bridge address
    self_.seg('c', 'A'),
    sib.seg('c', 'S'),                                    # DNAT, not masqueraded: same network
    answer(sib, WEB, 80, SIB, 'SA'),
    sib.seg('c', 'A'),
    arriving(2) / IP(src=WEB, dst=BR, id=next(ids)) / UDP(sport=45000, dport=53) / Raw(b'q' * 20),  # to the host
]
# Frames from the containers arrive on docker0, addressed to its MAC (host.json), as a
# capture on the host would show them; the segments above took eth0's link header.
DOCKER0 = '02:42:0a:11:00:01'
for p in packets:
    if p['IP'].src.startswith('10.17.'):
        p['Ether'].dst, p['Ether'].src = DOCKER0, PEER % 2
write(packets, __file__)
