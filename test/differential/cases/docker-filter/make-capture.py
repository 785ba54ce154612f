#!/usr/bin/python3
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import PEER, write  # noqa: E402
from scapy.all import IP, TCP, Ether  # noqa: E402

# host.json gives docker0 and br-app Docker's own MACs: frames arriving there are addressed to them.
HOST_MAC = {1: '02:00:00:00:00:01', 2: '02:42:0a:11:00:01', 3: '02:42:0a:12:00:01'}


def arriving(n):
    return Ether(src=PEER % n, dst=HOST_MAC[n])

NET, BAD, WEB, WEB2, DB = '192.0.2.10', '192.0.2.66', '10.17.0.2', '10.17.0.3', '10.18.0.3'


def tcp(n, src, dst, dport, ident, flags='S'):
    return arriving(n) / IP(src=src, dst=dst, id=ident) / TCP(sport=45000 + ident, dport=dport, flags=flags)


packets = [
    tcp(1, NET, WEB, 80, 1),        # published port: DOCKER ACCEPT
    tcp(1, NET, WEB, 22, 2),        # not published: FORWARD policy DROP
    tcp(1, BAD, WEB, 80, 3),        # DOCKER-USER DROP
    tcp(2, WEB, NET, 443, 4),       # container to the internet: STAGE-2 RETURN, ACCEPT
    tcp(2, WEB, WEB2, 8080, 5),     # same network: -i docker0 -o docker0 ACCEPT
    tcp(2, WEB, DB, 5432, 6),       # across networks: isolation DROP
    tcp(3, DB, NET, 443, 7),        # br-app to the internet
    tcp(1, NET, DB, 5432, 8),       # published port on br-app
    tcp(1, NET, WEB, 80, 9, 'A'),   # a mid-stream packet: stateless rules treat it like any other
]
write(packets, __file__)
