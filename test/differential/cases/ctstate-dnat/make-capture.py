#!/usr/bin/python3
import itertools
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from nfrcap import Tcp, write  # noqa: E402

H, C = '198.51.100.1', '192.0.2.10'                      # the host, an outside client (eth0's gateway)
WEB, SSH, IN = '10.0.1.10', '10.0.1.20', '10.0.1.30'      # inside (eth1)
ids = itertools.count(1)
web = Tcp(ids, C, 50000, 1, H, 80, 1, cseq=1000, sseq=2000)      # DNAT to 10.0.1.10
ssh = Tcp(ids, C, 50001, 1, SSH, 22, 2, cseq=3000, sseq=4000)    # "DNAT" to the address it already has
out = Tcp(ids, IN, 40000, 2, C, 443, 1, cseq=5000, sseq=6000)    # masqueraded


def answer(t, src, sport, dst, flags, data=b''):
    """The server's next segment of t as it really arrives (to or from the translated address)."""
    p = t.seg('s', flags, data)
    p['IP'].src, p['TCP'].sport, p['IP'].dst = src, sport, dst
    return p


packets = [
    web.seg('c', 'S'),                          # NEW + DNAT (nat PREROUTING translates it)
    answer(web, WEB, 80, C, 'SA'),              # ESTABLISHED reply, still DNAT
    web.seg('c', 'A'),                          # ESTABLISHED, DNAT
    web.seg('c', 'PA', b'GET /'),
    answer(web, WEB, 80, C, 'PA', b'200 OK'),
    ssh.seg('c', 'S'),                          # the DNAT rule matches but changes nothing: no DNAT bit
    ssh.seg('s', 'SA'),
    ssh.seg('c', 'A'),
    out.seg('c', 'S'),                          # NEW; SNAT only in nat POSTROUTING, after FORWARD
    answer(out, C, 443, H, 'SA'),               # SNAT from now on
    out.seg('c', 'A'),
]
write(packets, __file__)
