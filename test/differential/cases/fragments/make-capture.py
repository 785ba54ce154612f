#!/usr/bin/python3
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, leaving, write  # noqa: E402
from scapy.all import ICMP, IP, TCP, UDP, Raw  # noqa: E402

from scapy.all import fragment  # noqa: E402

NET, S, H = '192.0.2.10', '203.0.113.10', '198.51.100.1'


def frags(pkt, size):
    return [arriving() / f for f in fragment(pkt, fragsize=size)]


fwd_udp = frags(IP(src=NET, dst=S, id=101) / UDP(sport=5353, dport=53) / Raw(b'A' * 1000), 400)  # 3 fragments
fwd_icmp = frags(IP(src=NET, dst=S, id=102) / ICMP(type=8, id=1, seq=1) / Raw(b'B' * 600), 400)  # 2 fragments
reordered = frags(IP(src=NET, dst=S, id=103) / UDP(sport=5354, dport=53) / Raw(b'C' * 700), 256)[::-1]
local = frags(IP(src=NET, dst=H, id=104) / UDP(sport=5355, dport=53) / Raw(b'D' * 1000), 400)
incomplete = frags(IP(src=NET, dst=H, id=105) / UDP(sport=5356, dport=53) / Raw(b'E' * 1000), 400)
incomplete = [incomplete[0], incomplete[2]]  # the middle one never arrives
# TCP fragment at offset 1 (8 bytes): the "evil" overlap of the TCP flags
evil = arriving() / IP(src=NET, dst=S, id=106, proto=6, frag=1) / Raw(b'\x00' * 20)
# First fragment carrying only 8 bytes of TCP header
tcp_bytes = bytes(TCP(sport=5357, dport=80, flags='S'))
short_first = arriving() / IP(src=NET, dst=S, id=107, proto=6, flags='MF') / Raw(tcp_bytes[:8])
packets = fwd_udp + fwd_icmp + reordered + local + incomplete + [evil, short_first]
packets.append(arriving() / IP(src=NET, dst=S, id=108) / TCP(sport=5358, dport=80, flags='S'))  # whole, for contrast
write(packets, __file__)
