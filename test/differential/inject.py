#!/usr/bin/python3
"""Namespace helper for kernel.mjs (standard library only).

  inject.py sysctl   stdin: {"NS": {"net.ipv4.ip_forward": "1", ...}, ...}
  inject.py send     stdin: {"mark": N, "gapMs": G, "items": [ITEM, ...]}
      ITEM = {"kind": "l2", "ns": NS, "dev": DEV, "hex": FRAME}   raw frame on DEV inside NS
           | {"kind": "l3", "ns": NS, "dst": ADDR, "hex": DATAGRAM}  IP_HDRINCL datagram from NS
  stdout: {"errors": {"INDEX": "ERRNO message", ...}}

One process enters every namespace itself (setns) instead of one `ip netns exec` per
packet: the sockets are opened once, the packets of a capture go out from a single thread
in capture order, and the thread is pinned to one CPU so that every frame lands in the same
per-CPU receive backlog, which the kernel drains in FIFO order. Scapy is not used here:
its interface table belongs to the namespace it was imported in, and importing it costs
about a second per process.
"""
import ctypes
import errno
import json
import os
import socket
import sys
import time

CLONE_NEWNET = 0x40000000
SO_MARK = 36  # not exported by the socket module
libc = ctypes.CDLL(None, use_errno=True)


def enter(ns):
    """Switches this thread to network namespace NS (a name under /run/netns)."""
    fd = os.open(os.path.join('/run/netns', ns), os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, f'setns {ns}: {os.strerror(e)}')
    finally:
        os.close(fd)


def do_sysctl(spec):
    # /proc/sys/net resolves to the namespace of the process that opens the file, so
    # writing after setns configures that namespace and never the host.
    home = os.open('/proc/self/ns/net', os.O_RDONLY)
    try:
        for ns, values in spec.items():
            enter(ns)
            for key, value in values.items():
                path = '/proc/sys/' + key.replace('.', '/')
                with open(path, 'w') as f:
                    f.write(str(value))
    finally:
        libc.setns(home, CLONE_NEWNET)
        os.close(home)
    return {}


def do_send(spec):
    items = spec['items']
    mark = int(spec.get('mark', 0))
    gap = float(spec.get('gapMs', 0)) / 1000.0
    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpus[0]})

    home = os.open('/proc/self/ns/net', os.O_RDONLY)
    l2 = {}
    l3 = {}
    try:
        # A socket stays in the namespace it was created in, whatever this thread does later.
        for it in items:
            if it['kind'] == 'l2' and (it['ns'], it['dev']) not in l2:
                enter(it['ns'])
                s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)  # protocol 0: send only
                s.bind((it['dev'], 0))
                l2[(it['ns'], it['dev'])] = s
            elif it['kind'] == 'l3' and it['ns'] not in l3:
                enter(it['ns'])
                s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)  # implies IP_HDRINCL
                s.setsockopt(socket.SOL_IP, socket.IP_HDRINCL, 1)
                # The mark lets the early nftables hook tell injected packets from the
                # host's own replies; the hook resets it to 0 before iptables sees it.
                s.setsockopt(socket.SOL_SOCKET, SO_MARK, mark)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
                l3[it['ns']] = s
    finally:
        libc.setns(home, CLONE_NEWNET)
        os.close(home)

    errors = {}
    for i, it in enumerate(items):
        data = bytes.fromhex(it['hex'])
        try:
            if it['kind'] == 'l2':
                l2[(it['ns'], it['dev'])].send(data)
            else:
                l3[it['ns']].sendto(data, (it['dst'], 0))
        except OSError as e:
            errors[str(i)] = f'{errno.errorcode.get(e.errno, e.errno)} {e.strerror}'
        if gap:
            time.sleep(gap)
    for s in list(l2.values()) + list(l3.values()):
        s.close()
    return {'errors': errors}


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in ('sysctl', 'send'):
        print(__doc__, file=sys.stderr)
        return 2
    spec = json.load(sys.stdin)
    out = do_sysctl(spec) if sys.argv[1] == 'sysctl' else do_send(spec)
    json.dump(out, sys.stdout)
    return 0


if __name__ == '__main__':
    sys.exit(main())
