#!/usr/bin/env python3
"""Tiny servers that answer the traffic captures/make.sh generates.

Usage: servers.py SPEC...   where SPEC is one of
  tcp:PORT:banner:TEXT   send TEXT (with \\r\\n escapes) on accept, then read until the peer closes
  tcp:PORT:echo          echo what arrives until the peer closes
  udp:PORT:dns           answer every A query with 203.0.113.53 (other types: empty answer)
  udp:PORT:echo          send every datagram back to its sender

Each listener runs in its own thread; the process runs until it is killed. Standard library
only, so it runs wherever python3 does.
"""
import socket
import struct
import sys
import threading


def serve_tcp(port, mode, text):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(('0.0.0.0', port))
    srv.listen(64)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=tcp_session, args=(conn, mode, text), daemon=True).start()


def tcp_session(conn, mode, text):
    with conn:
        try:
            if mode == 'banner':
                conn.sendall(text)
            while True:
                data = conn.recv(65536)
                if not data:
                    break
                if mode == 'echo':
                    conn.sendall(data)
        except OSError:
            pass  # a scan's connect-then-reset is not an error worth reporting


def dns_answer(query):
    """A minimal DNS response (RFC 1035 4.1): the question copied back, one A record."""
    if len(query) < 12:
        return None
    qid, flags, qdcount = struct.unpack_from('!HHH', query, 0)
    if flags & 0x8000 or qdcount != 1:
        return None
    pos = 12
    while pos < len(query) and query[pos] != 0:
        pos += query[pos] + 1
    end = pos + 5  # the root label and QTYPE, QCLASS
    if end > len(query):
        return None
    question = query[12:end]
    qtype = struct.unpack_from('!H', query, pos + 1)[0]
    answers = b''
    if qtype == 1:
        # Name compressed as a pointer to the question at offset 12; TTL 300; 203.0.113.53.
        answers = struct.pack('!HHHIH4B', 0xC00C, 1, 1, 300, 4, 203, 0, 113, 53)
    ancount = 1 if answers else 0
    header = struct.pack('!HHHHHH', qid, 0x8400 | (flags & 0x0100), 1, ancount, 0, 0)
    return header + question + answers


def serve_udp(port, mode):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(('0.0.0.0', port))
    while True:
        data, peer = sock.recvfrom(65535)
        reply = dns_answer(data) if mode == 'dns' else data
        if reply:
            sock.sendto(reply, peer)


def main(specs):
    threads = []
    for spec in specs:
        proto, port, mode, *rest = spec.split(':', 3)
        text = (rest[0] if rest else '').replace('\\r', '\r').replace('\\n', '\n').encode()
        if proto == 'tcp':
            target, args = serve_tcp, (int(port), mode, text)
        elif proto == 'udp':
            target, args = serve_udp, (int(port), mode)
        else:
            sys.exit(f'servers.py: unknown spec {spec!r}')
        t = threading.Thread(target=target, args=args, daemon=True)
        t.start()
        threads.append(t)
    for t in threads:
        t.join()


if __name__ == '__main__':
    main(sys.argv[1:])
