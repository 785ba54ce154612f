#!/usr/bin/python3
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, write  # noqa: E402
from scapy.all import IP, UDP, Raw  # noqa: E402

C, DNS_VIP = '192.0.2.10', '10.96.0.10'  # an outside client (eth0's gateway), the ClusterIP

# First one datagram from each endpoint to the node (which makes the recorder give the
# firewall a neighbour entry for each, so what is forwarded to them leaves at once).
packets = [
    arriving(2) / IP(src='10.244.0.%d' % h, dst='10.244.0.1', id=100 + h) / UDP(sport=5353, dport=9) / Raw(b'hello')
    for h in (5, 6, 7)
]
# 60 DNS queries, each from its own port: 60 connections, each drawn to one endpoint.
packets += [
    arriving(1) / IP(src=C, dst=DNS_VIP, id=1 + i) / UDP(sport=30000 + i, dport=53) / Raw(b'q%02d' % i)
    for i in range(60)
]
write(packets, __file__)
