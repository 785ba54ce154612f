#!/usr/bin/python3
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, fragments, udp_l4, write  # noqa: E402
from scapy.all import IP, UDP, IPOption, Raw  # noqa: E402

C = '192.0.2.10'          # client behind eth0
S1 = '203.0.113.10'       # server on eth1 (MTU 1500)
S2 = '10.0.2.10'          # server on eth2 (MTU 576)
DF = 2                    # scapy's IP flags bit
# An option without the copied flag (experimental 30) and one with it (0x9e).
OPTS = [IPOption(b'\x1e\x04\x00\x00'), IPOption(b'\x9e\x04\x00\x00')]


udp = udp_l4


def frags(dst, ident, l4, sizes, df=(), options=False):
    return fragments(C, dst, ident, l4, sizes, df=df, options=True if options else None, opts=OPTS)


def whole(dst, ident, sport, n, df=False, options=False):
    ip = IP(src=C, dst=dst, id=ident, flags=DF if df else 0, options=OPTS if options else [])
    return arriving(1) / ip / UDP(sport=sport, dport=9) / Raw(bytes(n))


packets = []
# 3000 bytes of data in 1276-byte fragments (1256 + 1256 + 516 of the 3008-byte UDP datagram).
packets += frags(S1, 301, udp(C, S1, 301, 7301, 3000), [1256, 1256])  # eth1: as they came
packets += frags(S2, 302, udp(C, S2, 302, 7302, 3000), [1256, 1256])  # eth2: 552 + 552 + 152 each, MF kept; the last fits
packets += frags(S2, 303, udp(C, S2, 303, 7303, 3000), [1256, 1256], df=(0, 1, 2))  # DF: frag-needed for the two big ones
packets.append(whole(S2, 304, 7304, 1372))  # a whole 1400-byte datagram: 552 + 552 + 276
packets.append(whole(S2, 305, 7305, 1372, df=True))  # the same with DF: frag-needed
packets.append(whole(S2, 306, 7306, 1364, options=True))  # options: NOOPs for the non-copied one after the first piece
# Fragments with options: the first is cut like a whole datagram, the second (offset 1256)
# keeps every option on every piece (only a datagram starting at offset 0 has a "first").
packets += frags(S2, 307, udp(C, S2, 307, 7307, 2000), [1256], options=True)
packets.append(whole(S1, 308, 7308, 100))  # a small whole datagram for contrast
write(packets, __file__)
