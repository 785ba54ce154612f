"""Shared helpers for the cases' make-capture.py scripts (python3-scapy).

Captures must be byte-for-byte reproducible: every field that scapy would otherwise fill from
the machine (MAC addresses from the routing table, time stamps, IP ids) is given explicitly,
and the pcap file is written here with fixed time stamps rather than by wrpcap, whose header
and time rounding have changed between scapy versions.
"""
import os
import struct
import sys

from scapy.all import Ether

T0 = 1700000000  # 2023-11-14 22:13:20 UTC; packet n is stamped T0 + n ms
FW = '02:00:00:00:00:%02x'  # default MAC of the firewall's interface n (host.json)
PEER = '02:00:00:00:ff:%02x'  # default MAC of the peer on interface n


def arriving(n=1):
    """Ethernet header of a frame arriving on the firewall's interface n (1-based).
    kernel.mjs rewrites both MACs anyway; these are the ones it would use."""
    return Ether(src=PEER % n, dst=FW % n)


def leaving(n=1):
    """Ethernet header of a frame the host sends out of interface n (locally generated)."""
    return Ether(src=FW % n, dst=PEER % n)


def write(packets, script):
    """Writes packets (scapy packets or bytes) to argv[1], or to capture.pcap next to the
    calling script, as a classic little-endian pcap with link type 1 (Ethernet)."""
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(script)), 'capture.pcap')
    with open(out, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for n, p in enumerate(packets):
            data = bytes(p)
            usec = T0 * 1000000 + n * 1000
            f.write(struct.pack('<IIII', usec // 1000000, usec % 1000000, len(data), len(data)))
            f.write(data)
