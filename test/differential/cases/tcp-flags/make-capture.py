#!/usr/bin/python3
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, leaving, write  # noqa: E402
from scapy.all import ICMP, IP, TCP, UDP, Raw  # noqa: E402

C, H = '192.0.2.10', '198.51.100.1'
FLAGS = ['S', 'SEC', 'SE', 'SA', 'A', 'FA', 'F', '', 'FPU', 'FSRPAU', 'SR', 'SF', 'R', 'RA', 'PA', 'U', 'AU', 'C']
packets = [arriving() / IP(src=C, dst=H, id=n + 1) / TCP(sport=1000 + n, dport=80, flags=f, seq=7, ack=9 if 'A' in f else 0)
           for n, f in enumerate(FLAGS)]
write(packets, __file__)
