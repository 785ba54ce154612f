#!/usr/bin/python3
import itertools
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import PEER, arriving, write  # noqa: E402
from scapy.all import AH, ESP, IP, TCP, UDP, Ether, Raw  # noqa: E402
from scapy.layers.sctp import SCTP, SCTPChunkData, SCTPChunkInit  # noqa: E402

S = '203.0.113.10'  # server on eth1; clients behind eth0 (default route)
ids = itertools.count(1)


def ip(src, dst, tos=0, proto=None):
    kw = {'proto': proto} if proto is not None else {}
    return IP(src=src, dst=dst, tos=tos, id=next(ids), **kw)


packets = [
    # SYNs with MSS options, TOS/DSCP and ECN variations.
    arriving(1) / ip('192.0.2.12', S, tos=0x10) / TCP(sport=40000, dport=80, flags='SEC', seq=1000, options=[('MSS', 1460)]),
    arriving(1) / ip('192.0.2.30', S, tos=0xb8) / TCP(sport=40001, dport=80, flags='S', seq=2000, options=[('MSS', 536)]),
    arriving(1) / ip('192.0.2.12', '203.0.113.5', tos=0x0a) / TCP(sport=40002, dport=80, flags='SE', seq=3000, options=[('NOP', None), ('MSS', 1200)]),
    arriving(1) / ip('192.0.2.13', S, tos=0x02) / TCP(sport=40003, dport=80, flags='A', seq=4000, ack=1),
    # UDP with DSCP AF21 and ECT(1); CE (ECT 3) without DSCP.
    arriving(1) / ip('192.0.2.12', S, tos=0x49) / UDP(sport=5000, dport=53) / Raw(b'q' * 20),
    arriving(1) / ip('192.0.2.40', S, tos=0x03) / UDP(sport=5001, dport=53) / Raw(b'q' * 20),
    # IPsec and IPComp.
    arriving(1) / ip('192.0.2.12', S) / ESP(spi=300, seq=1) / Raw(b'e' * 32),
    arriving(1) / ip('192.0.2.12', S) / ESP(spi=600, seq=1) / Raw(b'e' * 32),
    arriving(1) / ip('192.0.2.12', S) / AH(spi=1000, seq=1, nh=17, icv=b'\0' * 12) / UDP(sport=1, dport=2),
    arriving(1) / ip('192.0.2.12', S) / AH(spi=1500, seq=1, nh=17, icv=b'\0' * 12) / UDP(sport=1, dport=2),
    arriving(1) / ip('192.0.2.12', S, proto=108) / Raw(b'\x04\x00\x12\x34' + b'c' * 20),
    # SCTP: an INIT to port 80, DATA to port 81.
    arriving(1) / ip('192.0.2.12', S) / SCTP(sport=40010, dport=80, tag=0) / SCTPChunkInit(init_tag=1, a_rwnd=65535, n_out_streams=1, n_in_streams=1, init_tsn=1),
    arriving(1) / ip('192.0.2.12', S) / SCTP(sport=40011, dport=81, tag=7) / SCTPChunkData(tsn=1, stream_id=0, stream_seq=0, data=b'hello'),
    # Broadcast and multicast, from another source MAC.
    Ether(src=PEER % 1, dst='ff:ff:ff:ff:ff:ff') / ip('198.51.100.77', '198.51.100.255') / UDP(sport=68, dport=67) / Raw(b'b' * 10),
    Ether(src=PEER % 1, dst='01:00:5e:00:00:fb') / ip('192.0.2.50', '224.0.0.251', tos=0x10) / UDP(sport=5353, dport=5353) / Raw(b'm' * 10),
]
write(packets, __file__)
