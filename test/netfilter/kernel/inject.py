#!/usr/bin/python3
"""Sends probe packets for record.mjs, inside the network namespace it is started in.

Reads JSON from stdin:
  {"mode": "l2", "items": [{"dev": "p0", "hex": "..."}]}   frames written to a link (AF_PACKET)
  {"mode": "l3", "items": [{"dst": "a.b.c.d", "hex": "..."}]}  IPv4 datagrams sent by this
      host through a raw IP_HDRINCL socket (they traverse OUTPUT and POSTROUTING)
  {"mode": "tun", "items": [{"dev": "tun0", "hex": "..."}]}  IPv4 datagrams written to a TUN
      device (they arrive on it as from a layer-3 link)
  {"mode": "join", "groups": [{"group": "224.0.0.251", "addr": "10.0.0.1"}]}
      joins multicast groups, prints "joined" and holds the memberships until killed
Prints {"errors": {"<n>": "ERRNO"}} for l2/l3 (0-based item numbers whose send failed).

The caller pins the process to one CPU (taskset): frames written on one CPU are processed
in order from that CPU's backlog, so a final sentinel frame marks the end of the batch.
"""
import errno
import fcntl
import json
import os
import socket
import struct
import sys
import time

IP_HDRINCL = 3
TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def main():
    req = json.load(sys.stdin)
    errors = {}
    if req["mode"] == "l2":
        socks = {}
        for n, item in enumerate(req["items"]):
            s = socks.get(item["dev"])
            if s is None:
                s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
                s.bind((item["dev"], 0))
                socks[item["dev"]] = s
            try:
                s.send(bytes.fromhex(item["hex"]))
            except OSError as e:
                errors[str(n)] = errno.errorcode.get(e.errno, str(e.errno))
    elif req["mode"] == "l3":
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        s.setsockopt(socket.IPPROTO_IP, IP_HDRINCL, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        for n, item in enumerate(req["items"]):
            try:
                s.sendto(bytes.fromhex(item["hex"]), (item["dst"], 0))
            except OSError as e:
                errors[str(n)] = errno.errorcode.get(e.errno, str(e.errno))
    elif req["mode"] == "tun":
        fds = {}
        for n, item in enumerate(req["items"]):
            fd = fds.get(item["dev"])
            if fd is None:
                fd = os.open("/dev/net/tun", os.O_RDWR)
                fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", item["dev"].encode(), IFF_TUN | IFF_NO_PI))
                fds[item["dev"]] = fd
            try:
                os.write(fd, bytes.fromhex(item["hex"]))
            except OSError as e:
                errors[str(n)] = errno.errorcode.get(e.errno, str(e.errno))
    elif req["mode"] == "join":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for g in req["groups"]:
            mreq = struct.pack("4s4s", socket.inet_aton(g["group"]), socket.inet_aton(g["addr"]))
            s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
        print("joined", flush=True)
        while True:
            time.sleep(60)
    print(json.dumps({"errors": errors}))


main()
