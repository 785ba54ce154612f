#!/usr/bin/python3
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, write  # noqa: E402
from scapy.all import IP, TCP, UDP, Raw  # noqa: E402

C, H, S = '192.0.2.10', '198.51.100.1', '203.0.113.10'  # client (eth0, default route), host, server (eth1, MTU 1280)
packets = [
    arriving(1) / IP(src=C, dst=S, id=1, ttl=1, tos=0x28) / UDP(sport=33434, dport=33434) / Raw(b't' * 32),  # time exceeded
    arriving(1) / IP(src=C, dst=S, id=2, ttl=1) / TCP(sport=40000, dport=80, flags='S', seq=7),  # time exceeded
    arriving(1) / IP(src=C, dst=S, id=3, flags='DF') / UDP(sport=5000, dport=9) / Raw(b'f' * 1372),  # 1400 bytes: frag needed, MTU 1280
    arriving(1) / IP(src=C, dst=S, id=4) / UDP(sport=5001, dport=9) / Raw(b'g' * 1372),  # no DF: fragmented on eth1
    arriving(1) / IP(src=C, dst=S, id=5, ttl=2) / UDP(sport=5002, dport=9) / Raw(b'h' * 8),  # forwarded with TTL 1
    arriving(1) / IP(src=C, dst=H, id=6, ttl=1) / UDP(sport=5003, dport=9),  # for the host: TTL does not matter, INPUT drops it
]
# Six more expiring packets: eight time exceeded in all to 192.0.2.10 within a second, six
# sent; and two more too long, both answered.
packets += [arriving(1) / IP(src=C, dst=S, id=7 + n, ttl=1) / UDP(sport=33435 + n, dport=33434) for n in range(6)]
packets += [arriving(1) / IP(src=C, dst=S, id=13 + n, flags='DF') / UDP(sport=5004 + n, dport=9) / Raw(b'i' * 1300) for n in range(2)]
# From 192.0.2.99, arriving on eth1 (an ingress rule) though its route back is eth0: with
# icmp_errors_use_inbound_ifaddr the error comes from eth1's address, not eth0's.
packets += [arriving(2) / IP(src='192.0.2.99', dst=S, id=15, ttl=1) / UDP(sport=33500, dport=33434)]
write(packets, __file__)
