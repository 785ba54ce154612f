#!/usr/bin/python3
import itertools
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import Tcp, arriving, write  # noqa: E402
from scapy.all import IP, UDP, Raw  # noqa: E402

IN, IN2 = '10.0.1.10', '10.0.2.7'    # inside clients on eth1 (its first and second subnet)
WEB, DNS = '192.0.2.10', '192.0.2.53'  # outside, behind eth0's gateway
H = '198.51.100.1'
ids = itertools.count(1)
web = Tcp(ids, IN, 40000, 2, WEB, 80, 1, cseq=1000)
tls = Tcp(ids, IN, 40001, 2, WEB, 443, 1, cseq=2000)
alt = Tcp(ids, IN, 40002, 2, WEB, 8005, 1, cseq=3000)
web2 = Tcp(ids, IN2, 40003, 2, WEB, 80, 1, cseq=4000)
outside = Tcp(ids, WEB, 40004, 1, H, 80, 1, cseq=5000)

packets = [
    web.seg('c', 'S', seq=1000),      # REDIRECT to 10.0.1.1:3128; the host has no listener (RST: own reply)
    web.seg('c', 'S'),                # retransmitted: NEW again, but the nat table is not consulted
    tls.seg('c', 'S'),                # not redirected: forwarded
    arriving(2) / IP(src=IN, dst=DNS, id=next(ids)) / UDP(sport=5000, dport=53) / Raw(b'q' * 20),  # to 10.0.1.1:5353
    alt.seg('c', 'S'),                # REDIRECT without --to-ports: the port stays 8005
    web2.seg('c', 'S'),               # from eth1's second subnet: still to 10.0.1.1, eth1's first address
    outside.seg('c', 'S'),            # from eth0: no REDIRECT rule applies, INPUT on port 80
]
write(packets, __file__)
