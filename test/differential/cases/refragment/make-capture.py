#!/usr/bin/python3
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, fragments, leaving, udp_l4, write  # noqa: E402
from scapy.all import IP, UDP, IPOption, Raw  # noqa: E402

C = '192.0.2.10'          # client behind eth0
S1 = '203.0.113.10'       # server on eth1 (MTU 1500)
S2 = '10.0.2.10'          # server on eth2 (MTU 576)
H1 = '203.0.113.1'        # the host's own address on eth1
DF = 2                    # scapy's IP flags bit
# An option without the copied flag (experimental 30) and one with it (0x9e): the kernel
# replaces the first by NOOPs in every fragment after the first it makes, keeps the second.
OPTS = [IPOption(b'\x1e\x04\x00\x00'), IPOption(b'\x9e\x04\x00\x00')]


udp = udp_l4


def frags(src, dst, ident, l4, sizes, df=(), tos=(), options=None, order=None, link=None):
    return fragments(src, dst, ident, l4, sizes, df=df, tos=tos, options=options, opts=OPTS, order=order, link=link)


def whole(dst, ident, sport, n, df=False):
    return arriving(1) / IP(src=C, dst=dst, id=ident, flags=DF if df else 0) / UDP(sport=sport, dport=9) / Raw(bytes(n))


packets = []
# 3000 bytes of data in 1276-byte fragments (1256 + 1256 + 516 of the 3008-byte UDP datagram).
packets += frags(C, S1, 201, udp(C, S1, 201, 6201, 3000), [1256, 1256])  # eth1: the same three fragments
packets += frags(C, S2, 202, udp(C, S2, 202, 6202, 3000), [1256, 1256])  # eth2: six 552-byte pieces (556 rounded down)
packets += frags(C, S1, 203, udp(C, S1, 203, 6203, 3000), [1256, 1256], df=(0, 1, 2))  # DF fragments that fit: forwarded, DF gone
packets += frags(C, S2, 204, udp(C, S2, 204, 6204, 3000), [1256, 1256], df=(0, 1, 2))  # DF, 1276 > 576: frag-needed
packets.append(whole(S2, 205, 6205, 1372, df=True))  # a whole 1400-byte DF datagram for eth2: frag-needed
packets.append(whole(S2, 206, 6206, 1372))  # 1400 bytes without DF: 552 + 552 + 276
packets += frags(C, S1, 207, udp(C, S1, 207, 6207, 500), [200, 200])  # small fragments of a 528-byte datagram: still three
packets += frags(C, S1, 208, udp(C, S1, 208, 6208, 3000), [1256, 1256], order=[2, 1, 0])  # reversed: leave in offset order
packets += frags(C, S1, 209, udp(C, S1, 209, 6209, 2000), [496, 1256])  # uneven: kept on eth1
packets += frags(C, S2, 210, udp(C, S2, 210, 6210, 2000), [496, 1256])  # uneven: 552-byte pieces on eth2
packets += frags(C, S2, 211, udp(C, S2, 211, 6211, 1000), [496], df=(0,))  # DF on the smaller only: no DF; both fit eth2
# The first fragment carries 8 bytes of options (1284 bytes), the second none and 8 more bytes
# of data (1284 bytes too): all DF, so the pieces are DF and cut to 1284 - 28 = 1256 bytes.
packets += frags(C, S1, 212, udp(C, S1, 212, 6212, 3000), [1256, 1264], df=(0, 1, 2), options=[0])
packets += frags(C, S1, 213, udp(C, S1, 213, 6213, 3000), [1256, 1256], options=True)  # fast path: NOOPs after the first
packets += frags(C, S1, 214, udp(C, S1, 214, 6214, 3000), [1256, 1256], tos=[2, 3, 2])  # ECT(0) and CE: all CE
packets += frags(C, S1, 215, udp(C, S1, 215, 6215, 3000), [1256, 1256], tos=[0, 2, 0])  # not-ECT with ECT(0): dropped
# The host's own datagram in fragments (raw socket): reassembled at OUTPUT, sent as it was.
packets += frags(H1, S1, 216, udp(H1, S1, 216, 6216, 1500), [600, 600], link=leaving(2))
packets.append(whole(S1, 217, 6217, 100))  # a small whole datagram for contrast
# inet_frag_queue_insert: a fragment wholly inside a run of adjacent fragments is a duplicate
# (dropped, the datagram completes without it); one spanning two runs that do not join
# (the second arrived before the first: runs only grow at their tail) overlaps and kills
# the queue, so the datagram never completes (its last fragment starts a new queue).
a, b, c = frags(C, S1, 218, udp(C, S1, 218, 6218, 1500), [504, 504])
packets += [a, b, frags(C, S1, 218, udp(C, S1, 218, 6218, 1500), [1008])[0], c]
a, b, c = frags(C, S1, 219, udp(C, S1, 219, 6219, 1500), [504, 504])
packets += [b, a, frags(C, S1, 219, udp(C, S1, 219, 6219, 1500), [1008])[0], c]
# ip_frag_too_far: 66 fragments from the same source (33 small datagrams) between two of
# a queue's (more than ipfrag_max_dist, 64) restart it: its last fragment does not complete
# it (the small datagram after it leaves first); its first fragment sent again does.
C2 = '192.0.2.20'
first, last = frags(C2, S1, 220, udp(C2, S1, 220, 6220, 1500), [1256])
packets.append(first)
for n in range(33):
    packets += frags(C2, S1, 221 + n, udp(C2, S1, 221 + n, 6221 + n, 40), [24])
packets += [last, whole(S1, 254, 6254, 10), first]
write(packets, __file__)
