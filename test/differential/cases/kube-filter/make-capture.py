#!/usr/bin/python3
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, leaving, write  # noqa: E402
from scapy.all import ICMP, IP, TCP, UDP, Raw  # noqa: E402

NET, NET2, H, POD, POD2 = '192.0.2.10', '192.0.2.40', '198.51.100.1', '10.244.0.5', '10.244.0.7'


def tcp(n, src, dst, sport, dport, flags, ident, seq=1000, ack=0):
    return arriving(n) / IP(src=src, dst=dst, id=ident) / TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ack, window=64240)


packets = [
    tcp(2, POD, NET, 41000, 443, 'S', 1, seq=1000),                      # NEW, forwarded
    tcp(1, NET, POD, 443, 41000, 'SA', 2, seq=5000, ack=1001),           # ESTABLISHED: KUBE-FORWARD ACCEPT
    tcp(2, POD, NET, 41000, 443, 'A', 3, seq=1001, ack=5001),            # ESTABLISHED
    tcp(2, POD, '10.96.45.12', 41001, 80, 'S', 4),                       # service without endpoints: REJECT
    tcp(1, NET, POD2, 50000, 8080, 'A', 5, seq=77777, ack=1),            # mid-stream, no entry: NEW (loose)
    tcp(1, NET, POD2, 50001, 8080, 'SF', 6),                             # SYN+FIN: INVALID, DROP
    tcp(1, NET, H, 50002, 30000, 'S', 7),                                # health check node port: ACCEPT
    tcp(1, NET, H, 50003, 30081, 'S', 8),                                # external service without local endpoints: DROP
    tcp(1, NET2, '10.96.200.1', 50004, 80, 'S', 9),                      # load balancer source range: DROP
    tcp(1, '192.0.2.5', '10.96.200.1', 50005, 80, 'S', 10),              # allowed source: forwarded
    leaving(1) / IP(src=H, dst='10.96.45.12', id=11) / TCP(sport=50006, dport=80, flags='S'),  # OUTPUT REJECT: EPERM
    leaving(1) / IP(src=H, dst=NET, id=12) / TCP(sport=50007, dport=443, flags='S'),          # OUTPUT NEW
]
write(packets, __file__)
