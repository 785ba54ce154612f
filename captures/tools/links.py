#!/usr/bin/env python3
"""Userspace links for captures/make.sh, for kernels built without 8021q or IP tunnels.

  links.py vlan PARENT TAP TPID:VID [TPID:VID...]
      A VLAN subinterface in userspace: creates the TAP device TAP (the kernel's IP interface)
      and relays between it and PARENT, pushing the given tags (outermost first) on the way
      out and accepting on the way in only frames that carry exactly those tags, which it
      pops. Does what the 8021q driver does for `ip link add link PARENT type vlan`, so a
      capture on PARENT shows real 802.1Q / 802.1ad (QinQ) frames.
  links.py tunpair NETNS_A TUN_A NETNS_B TUN_B
      A point-to-point IPv4 link made of two TUN devices in two network namespaces, joined by
      this process: a capture on either TUN device has no link-layer header (LINKTYPE_RAW).

Both run until killed; their devices disappear with them.
"""
import ctypes
import fcntl
import os
import selectors
import socket
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TUN, IFF_TAP, IFF_NO_PI = 0x0001, 0x0002, 0x1000
ETH_P_ALL = 0x0003
SOL_PACKET, PACKET_AUXDATA = 263, 8
PACKET_OUTGOING = 4
# struct tpacket_auxdata (linux/if_packet.h): status, len, snaplen, mac, net, vlan_tci, vlan_tpid
AUXDATA = struct.Struct('=IIIHHHH')
TP_STATUS_VLAN_VALID, TP_STATUS_VLAN_TPID_VALID = 0x10, 0x40
CLONE_NEWNET = 0x40000000


def open_tun(name, flags):
    fd = os.open('/dev/net/tun', os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', name.encode(), flags | IFF_NO_PI))
    return fd


def vlan(parent, tap, tags):
    tags = [(int(t, 16), int(v)) for t, v in (x.split(':') for x in tags)]
    pushed = b''.join(struct.pack('!HH', tpid, vid) for tpid, vid in tags)
    tapfd = open_tun(tap, IFF_TAP)
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.bind((parent, ETH_P_ALL))
    # The receive path moves the outermost tag out of the frame into skb metadata
    # (skb_vlan_untag in __netif_receive_skb_core); PACKET_AUXDATA hands it back.
    sock.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    sel = selectors.DefaultSelector()
    sel.register(tapfd, selectors.EVENT_READ, 'tap')
    sel.register(sock, selectors.EVENT_READ, 'parent')
    while True:
        for key, _ in sel.select():
            if key.data == 'tap':
                frame = os.read(tapfd, 65536)
                sock.send(frame[:12] + pushed + frame[12:])
                continue
            data, anc, _, addr = sock.recvmsg(65536, socket.CMSG_SPACE(AUXDATA.size))
            if addr[2] == PACKET_OUTGOING:
                continue
            for level, kind, cdata in anc:
                if level == SOL_PACKET and kind == PACKET_AUXDATA and len(cdata) >= AUXDATA.size:
                    status, _, _, _, _, tci, tpid = AUXDATA.unpack_from(cdata)
                    if status & TP_STATUS_VLAN_VALID:
                        tpid = tpid if status & TP_STATUS_VLAN_TPID_VALID else 0x8100
                        data = data[:12] + struct.pack('!HH', tpid, tci) + data[12:]
            pos = 12
            for tpid, vid in tags:
                if len(data) < pos + 4:
                    break
                got_tpid, got_tci = struct.unpack_from('!HH', data, pos)
                if got_tpid != tpid or got_tci & 0x0FFF != vid:
                    break
                pos += 4
            else:
                os.write(tapfd, data[:12] + data[pos:])


def enter_netns(libc, name):
    fd = os.open(f'/run/netns/{name}', os.O_RDONLY)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        sys.exit(f'links.py: setns {name}: {os.strerror(err)}')
    os.close(fd)


def tunpair(ns_a, tun_a, ns_b, tun_b):
    libc = ctypes.CDLL(None, use_errno=True)
    # TUNSETIFF creates the device in the namespace of the calling thread.
    enter_netns(libc, ns_a)
    fd_a = open_tun(tun_a, IFF_TUN)
    enter_netns(libc, ns_b)
    fd_b = open_tun(tun_b, IFF_TUN)
    peer = {fd_a: fd_b, fd_b: fd_a}
    sel = selectors.DefaultSelector()
    sel.register(fd_a, selectors.EVENT_READ)
    sel.register(fd_b, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select():
            os.write(peer[key.fd], os.read(key.fd, 65536))


def main(argv):
    if len(argv) >= 4 and argv[0] == 'vlan':
        vlan(argv[1], argv[2], argv[3:])
    elif len(argv) == 5 and argv[0] == 'tunpair':
        tunpair(*argv[1:])
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main(sys.argv[1:])
