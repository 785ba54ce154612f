#!/usr/bin/python3
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, write  # noqa: E402
from scapy.all import IP, TCP, UDP, Raw  # noqa: E402

C, H, S = '192.0.2.10', '198.51.100.1', '203.0.113.10'  # client (eth0, default route), host, server (eth1)
packets = [
    arriving(1) / IP(src=C, dst=H, id=1, tos=0xb8) / UDP(sport=6000, dport=7) / Raw(b'a' * 100),  # port unreachable, TOS 0xd8
    arriving(1) / IP(src=C, dst=H, id=2) / UDP(sport=6000, dport=7) / Raw(b'b' * 1000),  # quote cut to 576 bytes in all
    arriving(1) / IP(src=C, dst=H, id=3) / UDP(sport=6000, dport=8) / Raw(b'c' * 10),  # admin prohibited, dropped in OUTPUT
    arriving(1) / IP(src=C, dst=H, id=4) / TCP(sport=6001, dport=22, flags='S', seq=100),  # RST,ACK ack 101
    arriving(1) / IP(src=C, dst=H, id=5) / TCP(sport=6001, dport=22, flags='A', seq=101, ack=12345),  # RST seq 12345
    arriving(1) / IP(src=C, dst=H, id=6) / TCP(sport=6002, dport=22, flags='S', seq=200) / Raw(b'd' * 10),  # ack 211
    arriving(1) / IP(src=C, dst=H, id=7) / TCP(sport=6003, dport=22, flags='FA', seq=300, ack=400),  # RST seq 400
    arriving(1) / IP(src=C, dst=H, id=8) / TCP(sport=6004, dport=22, flags='R', seq=500),  # no RST to a RST
    arriving(1) / IP(src=C, dst=S, id=9) / TCP(sport=6005, dport=25, flags='S', seq=600),  # FORWARD: RST from the server's address
    arriving(1) / IP(src=C, dst=S, id=10) / UDP(sport=6006, dport=53) / Raw(b'e' * 30),  # FORWARD: host unreachable from 198.51.100.1
    arriving(1) / IP(src=C, dst=S, id=11) / TCP(sport=6007, dport=80, flags='S', seq=700),  # forwarded
    arriving(1) / IP(src=C, dst=H, id=12) / UDP(sport=6008, dport=7, chksum=0x1234) / Raw(b'f' * 20),  # bad checksum: no answer
    arriving(1) / IP(src=C, dst=H, id=13) / UDP(sport=6009, dport=7, chksum=0) / Raw(b'g' * 20),  # no checksum: answered
]
# Three more port unreachables: the seventh and eighth error to 192.0.2.10 within a second
# exceed its bucket of six (icmp_ratelimit), the REJECT rule counts them all the same.
packets += [arriving(1) / IP(src=C, dst=H, id=14 + n) / UDP(sport=6010 + n, dport=7) for n in range(3)]
write(packets, __file__)
