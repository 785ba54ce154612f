#!/usr/bin/python3
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, leaving, write  # noqa: E402
from scapy.all import ICMP, IP, TCP, UDP, Raw  # noqa: E402

NET, H0, H1, HW = '192.0.2.10', '198.51.100.1', '203.0.113.1', '10.1.0.1'
IN1, W = '203.0.113.10', '10.1.0.10'


def udp(n, src, dst, ident):
    return arriving(n) / IP(src=src, dst=dst, id=ident) / UDP(sport=5000 + ident, dport=9)


packets = [
    udp(1, NET, H0, 1),   # eth0 > local
    udp(1, NET, H1, 2),   # eth0 > eth1's address: INPUT with -i eth0
    udp(2, IN1, H1, 3),   # eth1 > local
    udp(3, W, HW, 4),     # wlan0 > local
    udp(1, NET, W, 5),    # eth0 > wlan0
    udp(3, W, NET, 6),    # wlan0 > eth0 (default route)
    udp(2, IN1, W, 7),    # eth1 > wlan0
    udp(1, NET, IN1, 8),  # eth0 > eth1
    udp(2, IN1, '203.0.113.20', 9),  # eth1 > eth1
    leaving(3) / IP(src=HW, dst=W, id=10) / UDP(sport=10, dport=9),  # local > wlan0
    leaving(1) / IP(src=H0, dst=NET, id=11) / UDP(sport=11, dport=9),  # local > eth0
    leaving(1) / IP(src=H0, dst=H1, id=12) / UDP(sport=12, dport=9),  # local > lo > local
]
write(packets, __file__)
