#!/usr/bin/python3
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, leaving, write  # noqa: E402
from scapy.all import ICMP, IP, TCP, UDP, Raw  # noqa: E402

from scapy.all import Ether, IPerror, UDPerror, fragment  # noqa: E402

C, H, S = '192.0.2.10', '198.51.100.1', '203.0.113.10'
packets = [arriving() / IP(src=C, dst=H, id=port) / UDP(sport=6000, dport=port) / Raw(b'r' * port) for port in range(1, 9)]
packets += [
    arriving() / IP(src=C, dst=H, id=11) / UDP(sport=6000, dport=1),  # again: every packet is rejected (no rate limit)
    arriving() / IP(src=C, dst=H, id=12) / TCP(sport=6001, dport=8, flags='S'),   # RST back
    arriving() / IP(src=C, dst=H, id=13) / TCP(sport=6001, dport=8, flags='A', ack=5),  # RST back
    arriving() / IP(src=C, dst=H, id=14) / TCP(sport=6001, dport=8, flags='R'),   # no RST to a RST
    arriving() / IP(src=C, dst=H, id=15) / ICMP(type=8, id=1, seq=1),  # host-prohibited
    arriving() / IP(src=C, dst=H, id=16) / ICMP(type=3, code=3) / IPerror(src=H, dst=C, id=99) / UDPerror(sport=53, dport=6000),
    Ether(src='02:00:00:00:ff:01', dst='ff:ff:ff:ff:ff:ff') / IP(src=C, dst='198.51.100.255', id=17) / UDP(sport=6000, dport=1),
    arriving() / IP(src=C, dst=H, id=18) / UDP(sport=6000, dport=9),  # not rejected: the stack's own port unreachable
    arriving() / IP(src=C, dst=S, id=19) / TCP(sport=6002, dport=25, flags='S'),  # FORWARD tcp-reset
    arriving() / IP(src=C, dst=S, id=20) / TCP(sport=6002, dport=80, flags='S'),  # FORWARD net-prohibited
]
big = IP(src=C, dst=S, id=21) / UDP(sport=6003, dport=53) / Raw(b'f' * 600)
packets += [arriving() / f for f in fragment(big, fragsize=256)]  # first fragment answered, the others not
write(packets, __file__)
