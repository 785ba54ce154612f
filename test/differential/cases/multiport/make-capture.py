#!/usr/bin/python3
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, leaving, write  # noqa: E402
from scapy.all import ICMP, IP, TCP, UDP, Raw  # noqa: E402

C, H = '192.0.2.10', '198.51.100.1'
TCP_PORTS = [(40000, 22), (40001, 80), (40002, 443), (40003, 1000), (40004, 1500), (40005, 2000), (40006, 2001),
             (40007, 3000), (40008, 8080), (53, 9999), (124, 9999), (126, 9999), (5000, 99), (41000, 5000),
             (6005, 7), (41001, 6011)]
UDP_PORTS = [(40100, 53), (40101, 123), (53, 5353), (1, 2), (123, 123)]
packets = [arriving() / IP(src=C, dst=H, id=n + 1) / TCP(sport=s, dport=d, flags='S') for n, (s, d) in enumerate(TCP_PORTS)]
packets += [arriving() / IP(src=C, dst=H, id=100 + n) / UDP(sport=s, dport=d) / Raw(b'q' * n)
            for n, (s, d) in enumerate(UDP_PORTS)]
write(packets, __file__)
