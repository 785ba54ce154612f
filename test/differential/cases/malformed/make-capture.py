#!/usr/bin/python3
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import arriving, leaving, write  # noqa: E402
from scapy.all import ICMP, IP, TCP, UDP, Raw  # noqa: E402

import struct  # noqa: E402

from scapy.all import checksum  # noqa: E402

NET, H, S = '192.0.2.10', '198.51.100.1', '203.0.113.10'


def patched(pkt, version=None, ihl=None, tot_len=None, csum=None, insert=b''):
    """The IP datagram of pkt with header fields overwritten; the header checksum is
    recomputed over IHL*4 bytes unless csum is given."""
    b = bytearray(bytes(pkt))
    if insert:
        b[20:20] = insert
        b[0] = (b[0] & 0xF0) | (5 + len(insert) // 4)
        b[2:4] = struct.pack('!H', len(b))
    if version is not None:
        b[0] = (version << 4) | (b[0] & 0x0F)
    if ihl is not None:
        b[0] = (b[0] & 0xF0) | ihl
    if tot_len is not None:
        b[2:4] = struct.pack('!H', tot_len)
    b[10:12] = b'\x00\x00'
    hlen = max(b[0] & 0x0F, 5) * 4
    b[10:12] = struct.pack('!H', checksum(bytes(b[:hlen])) if csum is None else csum)
    return bytes(b)


def udp(ident, dst=H, payload=b'm' * 12):
    return IP(src=NET, dst=dst, id=ident) / UDP(sport=60000 + ident, dport=9) / Raw(payload)


def eth(datagram):
    head = arriving()
    head.type = 0x0800  # scapy would guess it only from an IP layer above
    return bytes(head) + datagram


tcp_hdr = bytes(TCP(sport=60020, dport=80, flags='S'))
packets = [
    eth(bytes(udp(1))),                                     # valid: counted everywhere
    eth(patched(udp(2), csum=0xDEAD)),                      # bad header checksum
    eth(patched(udp(3), ihl=4)),                            # IHL < 5
    eth(patched(udp(4), version=6)),                        # version 6 in an IPv4 frame
    eth(patched(udp(5), tot_len=200)),                      # total length > frame
    eth(patched(udp(6), tot_len=16)),                       # total length < header
    eth(patched(udp(7, payload=b'p' * 40), ihl=15, tot_len=20)),  # header longer than the total length
    eth(patched(udp(8), insert=b'\x01\x01\x01\x01')),       # valid options (4 NOPs): 24-byte header
    eth(patched(udp(9), insert=b'\x07\x02\x00\x00')),       # record route of length 2: parameter problem
    eth(bytes(IP(src=NET, dst=H, id=10, proto=6) / Raw(tcp_hdr[:10]))),  # TCP header cut: hotdrop
    eth(bytes(IP(src=NET, dst=H, id=11, proto=17) / Raw(b'\x00\x01\x00'))),  # UDP header cut: hotdrop
    eth(bytes(IP(src=NET, dst=H, id=12) / TCP(sport=60012, dport=22, flags='S', chksum=0x1234))),  # bad TCP checksum
    eth(bytes(IP(src=NET, dst=H, id=13) / UDP(sport=60013, dport=9, chksum=0x1234) / Raw(b'c'))),  # bad UDP checksum
    eth(bytes(IP(src=NET, dst=S, id=14) / TCP(sport=60014, dport=80, flags='S', chksum=0x1234))),  # forwarded as is
    eth(bytes(IP(src='224.0.0.1', dst=H, id=15) / UDP(sport=60015, dport=9))),  # multicast source: martian
    eth(bytes(IP(src='0.0.0.0', dst=S, id=16) / UDP(sport=60016, dport=9))),     # zero source, not local: martian
]
write(packets, __file__)
