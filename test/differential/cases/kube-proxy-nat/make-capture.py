#!/usr/bin/python3
import itertools
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import Tcp, arriving, leaving, write  # noqa: E402
from scapy.all import IP, UDP, Raw  # noqa: E402

NODE, GW = '198.51.100.1', '10.244.0.1'                 # the node's address, its pod-network address
DNS_VIP, WEB_VIP = '10.96.0.10', '10.96.100.1'          # ClusterIPs
DNS, WEB, POD = '10.244.0.5', '10.244.0.6', '10.244.0.7'  # endpoints and a client pod (cni0)
C = '192.0.2.10'                                        # outside client (eth0's gateway)
ids = itertools.count(1)


def udp(n, src, dst, sport, dport, size):
    link = leaving(1) if n == 0 else arriving(n)
    return link / IP(src=src, dst=dst, id=next(ids)) / UDP(sport=sport, dport=dport) / Raw(b'd' * size)


def answer(t, src, sport, dst, flags, data=b''):
    """The endpoint's next segment of t as it really arrives: from the endpoint, to whoever it saw."""
    p = t.seg('s', flags, data)
    p['IP'].src, p['TCP'].sport, p['IP'].dst = src, sport, dst
    return p


svc = Tcp(ids, POD, 40001, 2, WEB_VIP, 80, 2, cseq=1000, sseq=2000)   # pod -> ClusterIP
node = Tcp(ids, C, 50000, 1, NODE, 30080, 1, cseq=3000, sseq=4000)    # outside -> NodePort
hair = Tcp(ids, WEB, 40002, 2, WEB_VIP, 80, 2, cseq=5000, sseq=6000)  # endpoint -> its own service
ext = Tcp(ids, C, 50001, 1, WEB_VIP, 80, 1, cseq=7000, sseq=8000)     # outside -> ClusterIP, routed here

packets = [
    udp(2, POD, DNS_VIP, 40000, 53, 30),                # DNAT to 10.244.0.5:53, no SNAT (pod source)
    udp(2, DNS, POD, 53, 40000, 60),                    # answered from the ClusterIP
    svc.seg('c', 'S'),                                  # DNAT to 10.244.0.6:8080
    answer(svc, WEB, 8080, POD, 'SA'),
    svc.seg('c', 'A'),
    node.seg('c', 'S'),                                 # NodePort: DNAT and MASQUERADE to 10.244.0.1
    answer(node, WEB, 8080, GW, 'SA'),                  # back out eth0 from 198.51.100.1:30080
    node.seg('c', 'A'),
    hair.seg('c', 'S'),                                 # hairpin: masqueraded to 10.244.0.1
    answer(hair, WEB, 8080, GW, 'SA'),
    hair.seg('c', 'A'),
    ext.seg('c', 'S'),                                  # ClusterIP from outside the pod network: masqueraded
    answer(ext, WEB, 8080, GW, 'SA'),
    udp(0, NODE, DNS_VIP, 45000, 53, 30),               # the node's own query: nat OUTPUT DNAT, then MASQUERADE
    udp(2, DNS, GW, 53, 45000, 60),                     # answer, delivered to the node from 10.96.0.10:53
]
write(packets, __file__)
