// Generator of large, realistic pcap captures for the capture benchmark: many concurrent
// conversations interleaved on one Ethernet link, as a capture at a server's gateway would
// see them. TCP connections (handshake with Linux's SYN options, request, response in
// MSS-sized segments with delayed ACKs, FIN close; some aborted with RST, some refused with
// RST), UDP request/response (DNS, NTP), UDP to closed ports answered by ICMP port
// unreachable quoting the datagram (as icmp_send does, up to 576 bytes), ICMP echo, and a
// little ARP. Every IPv4, TCP, UDP and ICMP checksum is correct.
//
// Deterministic: the same options give the same bytes. Fast: payloads are slices of one
// pseudo-random pattern whose 16-bit prefix sums are precomputed, so a checksum costs a few
// header words whatever the payload size, and packets are built in place in a large buffer
// written with one write call per chunk.
//
//   node bench/gen/capture.mjs --packets=5000000 --out=bench/work/x.pcap
//   options: --packets=N  --bytes=SIZE (stop at this file size; k/M/G suffixes)  --seed=N
//            --mss=1448 (TCP payload per segment)  --max-response=65536 (largest response)
//            --concurrency=64 (interleaved conversations)  --nano (nanosecond pcap)
//
// Programmatic option `services`: [{ addr, proto: 'tcp' | 'udp', port }] (addr a dotted
// quad or a 32-bit number) replaces the 64 servers and their ports: TCP conversations go to
// a random TCP service, UDP ones to a random UDP service (DNS-shaped on port 53; TCP when
// there is none), ICMP echo and ARP to a random service address. Without it the output is
// byte for byte what it was before the option existed.
import { closeSync, openSync, writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const LINKTYPE_ETHERNET = 1;
const SNAPLEN = 262144;
const CHUNK = 8 << 20;
const PATTERN_BYTES = 1 << 20;
const PATTERN_SLACK = 65536; // a payload (at most 64 KiB) may start anywhere in the first PATTERN_BYTES
const START_SEC = 1_700_000_000; // 2023-11-14T22:13:20Z

const TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_PSH = 0x08, TCP_ACK = 0x10;
const GATEWAY_MAC_TAIL = 0x0001; // 02:00:00:00:00:01, the router the clients come through
// DNS names the generated queries ask for, in wire format (length-prefixed labels).
const DNS_NAMES = ['www.example.com', 'mail.example.com', 'api.example.net', 'cdn.example.org', 'ns1.example.com', 'time.example.net'].map(
  (name) => Uint8Array.from(name.split('.').flatMap((label) => [label.length, ...Buffer.from(label)]).concat(0)),
);
const TCP_PORTS = [443, 443, 443, 443, 443, 443, 443, 443, 80, 80, 80, 80, 80, 22, 22, 22222, 8080, 25, 3306, 23];

/** mulberry32: a small, fast, well-mixed 32-bit generator; enough for synthetic traffic. */
function prng(seed) {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** The `services` option as address lists: every address, TCP services, UDP services. */
function serviceSets(services) {
  const num = (a) => (typeof a === 'number' ? a >>> 0 : a.split('.').reduce((x, b) => x * 256 + Number(b), 0) >>> 0);
  const all = services.map((s) => ({ addr: num(s.addr), proto: s.proto, port: Number(s.port) }));
  const tcp = all.filter((s) => s.proto === 'tcp');
  const udp = all.filter((s) => s.proto === 'udp');
  if (all.length === 0 || all.some((s) => s.proto !== 'tcp' && s.proto !== 'udp')) throw new Error('generateCapture: services must be tcp or udp, at least one');
  // UDP services on ports >= 33434 would be answered by ICMP port unreachable: keep them below.
  if (udp.some((s) => s.port >= 33434)) throw new Error('generateCapture: UDP service ports must be below 33434');
  return { addrs: [...new Set(all.map((s) => s.addr))], tcp: tcp.length > 0 ? tcp : all.map((s) => ({ ...s, proto: 'tcp' })), udp };
}

/** A size with an optional k/M/G (decimal) suffix: '2G' is 2e9. */
export function parseSize(text) {
  const m = /^(\d+(?:\.\d+)?)([kKmMgG]?)$/.exec(String(text));
  if (!m) throw new Error(`bad size: ${text}`);
  const unit = { '': 1, k: 1e3, m: 1e6, g: 1e9 }[m[2].toLowerCase()];
  return Math.round(Number(m[1]) * unit);
}

/**
 * Writes a capture to `out` (a path, or '-' for standard output) and returns what it wrote.
 * Stops at `packets` packets or when the file reaches `bytes` bytes, whichever comes first.
 */
export function generateCapture({
  out,
  packets = Infinity,
  bytes = Infinity,
  seed = 1,
  mss = 1448,
  maxResponse = 65536,
  concurrency = 64,
  nano = false,
  services = undefined,
} = {}) {
  if (!out) throw new Error('generateCapture: out is required');
  if (!(packets < Infinity || bytes < Infinity)) throw new Error('generateCapture: give packets or bytes');
  if (!(mss >= 1 && mss <= 65535 - 52)) throw new Error(`generateCapture: mss out of range: ${mss}`);
  const rand = prng(seed);
  const below = (n) => Math.floor((rand() / 4294967296) * n);

  // Payload pattern: printable text-like bytes, with prefix sums of its big-endian 16-bit words.
  const pattern = new Uint8Array(PATTERN_BYTES + PATTERN_SLACK);
  for (let i = 0; i < pattern.length; i++) pattern[i] = 32 + (rand() % 95);
  const prefix = new Float64Array(pattern.length / 2 + 1);
  for (let i = 0; i < pattern.length / 2; i++) prefix[i + 1] = prefix[i] + ((pattern[2 * i] << 8) | pattern[2 * i + 1]);
  /** Sum of the pattern's 16-bit words over [po, po + len); po even. */
  const patternSum = (po, len) => {
    const even = len & ~1;
    let s = prefix[(po + even) >> 1] - prefix[po >> 1];
    if (len & 1) s += pattern[po + even] << 8;
    return s;
  };
  const payloadStart = () => below(PATTERN_BYTES) & ~1;

  const fd = out === '-' ? 1 : openSync(out, 'w');
  const buf = new Uint8Array(CHUNK);
  let pos = 0;
  let written = 0;
  let count = 0;
  const stats = { tcpFlows: 0, tcpRefused: 0, tcpReset: 0, udpFlows: 0, icmpErrors: 0, echoFlows: 0, arp: 0 };

  // Global header: host (little-endian) byte order, as tcpdump writes it.
  const header = new DataView(buf.buffer);
  header.setUint32(0, nano ? 0xa1b23c4d : 0xa1b2c3d4, true);
  header.setUint16(4, 2, true);
  header.setUint16(6, 4, true);
  header.setUint32(16, SNAPLEN, true);
  header.setUint32(20, LINKTYPE_ETHERNET, true);
  pos = 24;

  // Clock: integer ticks (µs or ns) since START_SEC, a small pseudo-random gap per packet.
  const tickRate = nano ? 1e9 : 1e6;
  const gapMax = nano ? 40_000 : 40;
  let ticks = 0;

  const flush = () => {
    let off = 0;
    while (off < pos) off += writeSync(fd, buf, off, pos - off);
    written += pos;
    pos = 0;
  };

  const u16 = (o, v) => {
    buf[o] = v >>> 8;
    buf[o + 1] = v;
  };
  const u32 = (o, v) => {
    buf[o] = v >>> 24;
    buf[o + 1] = v >>> 16;
    buf[o + 2] = v >>> 8;
    buf[o + 3] = v;
  };
  const sum16 = (from, to) => {
    let s = 0;
    let i = from;
    for (; i + 1 < to; i += 2) s += (buf[i] << 8) | buf[i + 1];
    if (i < to) s += buf[i] << 8;
    return s;
  };
  /** Internet checksum (RFC 1071) of a word sum: the complement of its end-around-carry fold. */
  const checksum = (s) => 0xffff - (s === 0 ? 0 : ((s - 1) % 0xffff) + 1);

  /** Record header and Ethernet header; returns the offset of the IPv4 header. */
  const frame = (frameLen, dstTail, srcTail, etherType) => {
    if (pos + 16 + frameLen > CHUNK) flush();
    ticks += 1 + below(gapMax);
    const sec = START_SEC + Math.floor(ticks / tickRate);
    const frac = ticks % tickRate;
    const o = pos;
    buf[o] = sec;
    buf[o + 1] = sec >>> 8;
    buf[o + 2] = sec >>> 16;
    buf[o + 3] = sec >>> 24;
    buf[o + 4] = frac;
    buf[o + 5] = frac >>> 8;
    buf[o + 6] = frac >>> 16;
    buf[o + 7] = frac >>> 24;
    for (let k = 8; k < 16; k += 4) {
      buf[o + k] = frameLen;
      buf[o + k + 1] = frameLen >>> 8;
      buf[o + k + 2] = frameLen >>> 16;
      buf[o + k + 3] = 0;
    }
    const e = o + 16;
    macTo(e, dstTail);
    macTo(e + 6, srcTail);
    u16(e + 12, etherType);
    pos = e + frameLen;
    count++;
    return e + 14;
  };
  /** MAC 02:00:xx:xx:xx:xx: the gateway's, or a host's derived from its IPv4 address. */
  const macTo = (o, tail) => {
    buf[o] = 0x02;
    buf[o + 1] = 0;
    u32(o + 2, tail);
  };

  /** IPv4 header without options; returns the offset of the L4 header. */
  const ipv4 = (o, totalLen, id, df, ttl, proto, src, dst) => {
    buf[o] = 0x45;
    buf[o + 1] = 0;
    u16(o + 2, totalLen);
    u16(o + 4, id);
    buf[o + 6] = df ? 0x40 : 0;
    buf[o + 7] = 0;
    buf[o + 8] = ttl;
    buf[o + 9] = proto;
    buf[o + 10] = 0;
    buf[o + 11] = 0;
    u32(o + 12, src);
    u32(o + 16, dst);
    u16(o + 10, checksum(sum16(o, o + 20)));
    return o + 20;
  };
  const pseudo = (src, dst, proto, len) => (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + len;

  // --- conversations ---------------------------------------------------------------------
  const KIND_TCP = 0, KIND_UDP = 1, KIND_ECHO = 2, KIND_ARP = 3;
  const servers = [];
  for (let i = 0; i < 64; i++) servers.push(((192 << 24) | (0 << 16) | (2 << 8) | (10 + i)) >>> 0);
  const svc = services === undefined ? null : serviceSets(services);
  const client = () => {
    const r = below(100);
    if (r < 60) return ((10 << 24) | (below(1 << 24) & 0xfffffe) | 1) >>> 0; // 10.0.0.0/8, odd host
    if (r < 80) return ((198 << 24) | (51 << 16) | (100 << 8) | (1 + below(254))) >>> 0;
    if (r < 92) return ((203 << 24) | (0 << 16) | (113 << 8) | (1 + below(254))) >>> 0;
    return ((192 << 24) | (0 << 16) | (2 << 8) | (128 + below(127))) >>> 0;
  };

  const newFlow = () => ({
    kind: 0, step: 0, cip: 0, sip: 0, cport: 0, sport: 0, cseq: 0, sseq: 0, cid: 0, sid: 0,
    cttl: 64, left: 0, resp: 0, unacked: 0, close: 0, tsc: 0, tss: 0, po: 0, len: 0, n: 0, xid: 0,
  });
  const start = (f) => {
    let r = below(1000);
    f.step = 0;
    f.sip = svc ? svc.addrs[below(svc.addrs.length)] : servers[below(servers.length)];
    if (svc && svc.udp.length === 0 && r >= 700 && r < 900) r = 0;
    f.cip = client();
    f.cport = 32768 + below(28232);
    f.cid = rand() & 0xffff;
    f.sid = rand() & 0xffff;
    f.cttl = f.cip >>> 24 === 192 ? 64 : 64 - 1 - below(12);
    if (r < 700) {
      f.kind = KIND_TCP;
      stats.tcpFlows++;
      if (svc) {
        const s = svc.tcp[below(svc.tcp.length)];
        f.sip = s.addr;
        f.sport = s.port;
      } else f.sport = TCP_PORTS[below(TCP_PORTS.length)];
      f.cseq = rand();
      f.sseq = rand();
      f.tsc = rand();
      f.tss = rand();
      f.left = 40 + below(700); // request
      f.resp = Math.floor(Math.exp((rand() / 4294967296) * Math.log(maxResponse + 1))) - 1;
      const c = below(100);
      f.close = c < 5 ? 3 : c < 15 ? 2 : c < 40 ? 1 : 0; // 3 refused, 2 client RST, 1 client FIN first, 0 server FIN first
      f.unacked = 0;
    } else if (r < 900) {
      f.kind = KIND_UDP;
      stats.udpFlows++;
      if (svc) {
        const s = svc.udp[below(svc.udp.length)];
        f.sip = s.addr;
        f.sport = s.port;
      } else {
        const u = below(100);
        f.sport = u < 75 ? 53 : u < 90 ? 123 : 33434 + below(100); // the last: nothing listens
      }
      f.len = f.sport === 123 ? 48 : 32 + below(1200);
      f.xid = rand() & 0xffff;
      f.n = below(DNS_NAMES.length);
      f.po = payloadStart();
    } else if (r < 998) {
      f.kind = KIND_ECHO;
      stats.echoFlows++;
      f.sport = rand() & 0xffff; // the echo identifier
      f.n = 2 * (1 + below(4)); // request/reply pairs
      f.po = payloadStart();
    } else {
      f.kind = KIND_ARP;
      stats.arp++;
    }
  };

  const TCP_SYN_OPTS = 20; // MSS, SACK permitted, timestamps, NOP, window scale (Linux order)
  const TCP_TS_OPTS = 12; // NOP, NOP, timestamps
  /** One TCP segment; fromClient picks the direction. */
  const tcp = (f, fromClient, flags, len) => {
    const opts = flags & TCP_SYN ? TCP_SYN_OPTS : flags & TCP_RST ? 0 : TCP_TS_OPTS;
    const thl = 20 + opts;
    const ipLen = 20 + thl + len;
    const src = fromClient ? f.cip : f.sip;
    const dst = fromClient ? f.sip : f.cip;
    const l3 = frame(14 + ipLen, fromClient ? f.sip : GATEWAY_MAC_TAIL, fromClient ? GATEWAY_MAC_TAIL : f.sip, 0x0800);
    const id = fromClient ? (f.cid = (f.cid + 1) & 0xffff) : (f.sid = (f.sid + 1) & 0xffff);
    const t = ipv4(l3, ipLen, id, true, fromClient ? f.cttl : 64, 6, src, dst);
    u16(t, fromClient ? f.cport : f.sport);
    u16(t + 2, fromClient ? f.sport : f.cport);
    const refusal = f.close === 3 && !fromClient;
    u32(t + 4, refusal ? 0 : fromClient ? f.cseq : f.sseq);
    u32(t + 8, flags & TCP_ACK ? (fromClient ? f.sseq : f.cseq) : 0);
    buf[t + 12] = (thl >> 2) << 4;
    buf[t + 13] = flags;
    u16(t + 14, flags & TCP_RST ? 0 : flags & TCP_SYN ? 64240 : fromClient ? 502 : 509);
    buf[t + 16] = 0;
    buf[t + 17] = 0;
    buf[t + 18] = 0;
    buf[t + 19] = 0;
    const o = t + 20;
    if (opts === TCP_SYN_OPTS) {
      buf[o] = 2; buf[o + 1] = 4; u16(o + 2, mss + 12); // MSS: the segment size plus the timestamps option
      buf[o + 4] = 4; buf[o + 5] = 2; // SACK permitted
      buf[o + 6] = 8; buf[o + 7] = 10; u32(o + 8, fromClient ? f.tsc : f.tss); u32(o + 12, fromClient ? 0 : f.tsc);
      buf[o + 16] = 1; buf[o + 17] = 3; buf[o + 18] = 3; buf[o + 19] = 7; // NOP, window scale 7
    } else if (opts === TCP_TS_OPTS) {
      buf[o] = 1; buf[o + 1] = 1; buf[o + 2] = 8; buf[o + 3] = 10;
      u32(o + 4, fromClient ? f.tsc : f.tss);
      u32(o + 8, fromClient ? f.tss : f.tsc);
    }
    let s = pseudo(src, dst, 6, thl + len) + sum16(t, t + thl);
    if (len > 0) {
      const po = payloadStart();
      buf.set(pattern.subarray(po, po + len), t + thl);
      s += patternSum(po, len);
    }
    u16(t + 16, checksum(s));
    // Sequence space: data, SYN and FIN each advance it.
    const advance = len + (flags & (TCP_SYN | TCP_FIN) ? 1 : 0);
    if (fromClient) {
      f.cseq = (f.cseq + advance) >>> 0;
      f.tsc = (f.tsc + 1) >>> 0;
    } else {
      f.sseq = (f.sseq + advance) >>> 0;
      f.tss = (f.tss + 1) >>> 0;
    }
  };

  // TCP steps: 0 SYN, 1 SYN-ACK or refusal, 2 ACK, 3 request, 4 ACK of it, 5 response with
  // delayed ACKs every second segment, 6.. close. Returns true when the connection is over.
  const stepTcp = (f) => {
    switch (f.step++) {
      case 0:
        tcp(f, true, TCP_SYN, 0);
        return false;
      case 1:
        if (f.close === 3) {
          stats.tcpRefused++;
          tcp(f, false, TCP_RST | TCP_ACK, 0);
          return true;
        }
        tcp(f, false, TCP_SYN | TCP_ACK, 0);
        return false;
      case 2:
        tcp(f, true, TCP_ACK, 0);
        return false;
      case 3: {
        const len = Math.min(mss, f.left);
        f.left -= len;
        tcp(f, true, f.left === 0 ? TCP_PSH | TCP_ACK : TCP_ACK, len);
        if (f.left > 0) f.step = 3;
        return false;
      }
      case 4:
        tcp(f, false, TCP_ACK, 0);
        if (f.resp === 0) f.step = 6;
        return false;
      case 5:
        if (f.unacked >= 2 || (f.resp === 0 && f.unacked > 0)) {
          tcp(f, true, TCP_ACK, 0);
          f.unacked = 0;
        } else {
          const len = Math.min(mss, f.resp);
          f.resp -= len;
          tcp(f, false, f.resp === 0 ? TCP_PSH | TCP_ACK : TCP_ACK, len);
          f.unacked++;
        }
        if (f.resp > 0 || f.unacked > 0) f.step = 5;
        return false;
      case 6:
        if (f.close === 2) {
          stats.tcpReset++;
          tcp(f, true, TCP_RST | TCP_ACK, 0);
          return true;
        }
        tcp(f, f.close === 1, TCP_FIN | TCP_ACK, 0);
        return false;
      case 7:
        tcp(f, f.close !== 1, TCP_FIN | TCP_ACK, 0);
        return false;
      default:
        tcp(f, f.close === 1, TCP_ACK, 0);
        return true;
    }
  };

  /** UDP: a request, then its answer or, from a closed port, ICMP port unreachable. */
  const stepUdp = (f) => {
    const fromClient = f.step === 0;
    f.step++;
    if (!fromClient && f.sport >= 33434) return icmpUnreachable(f);
    const src = fromClient ? f.cip : f.sip;
    const dst = fromClient ? f.sip : f.cip;
    const len = f.sport === 53 ? dnsLength(f, fromClient) : f.len;
    const udpLen = 8 + len;
    const l3 = frame(14 + 20 + udpLen, fromClient ? f.sip : GATEWAY_MAC_TAIL, fromClient ? GATEWAY_MAC_TAIL : f.sip, 0x0800);
    const id = fromClient ? (f.cid = (f.cid + 1) & 0xffff) : (f.sid = (f.sid + 1) & 0xffff);
    const u = ipv4(l3, 20 + udpLen, id, true, fromClient ? f.cttl : 64, 17, src, dst);
    u16(u, fromClient ? f.cport : f.sport);
    u16(u + 2, fromClient ? f.sport : f.cport);
    u16(u + 4, udpLen);
    u16(u + 6, 0);
    let sum;
    if (f.sport === 53) {
      dns(f, fromClient, u + 8);
      sum = sum16(u, u + udpLen);
    } else {
      buf.set(pattern.subarray(f.po, f.po + len), u + 8);
      if (f.sport === 123) buf[u + 8] = fromClient ? 0x23 : 0x24; // NTPv4, mode client / server
      sum = sum16(u, u + 10) + patternSum(f.po + 2, len - 2);
    }
    const c = checksum(pseudo(src, dst, 17, udpLen) + sum);
    u16(u + 6, c === 0 ? 0xffff : c); // 0 means "no checksum" in UDP (RFC 768)
    return !fromClient;
  };

  // DNS (RFC 1035): a query for one of a few names, answered with one A record.
  const dnsLength = (f, query) => 12 + DNS_NAMES[f.n].length + 4 + (query ? 0 : 16);
  const dns = (f, query, o) => {
    const name = DNS_NAMES[f.n];
    u16(o, f.xid);
    u16(o + 2, query ? 0x0100 : 0x8180); // recursion desired / response, recursion available
    u16(o + 4, 1);
    u16(o + 6, query ? 0 : 1);
    u32(o + 8, 0);
    buf.set(name, o + 12);
    let q = o + 12 + name.length;
    u16(q, 1); // A
    u16(q + 2, 1); // IN
    if (!query) {
      q += 4;
      u16(q, 0xc00c); // the name, as a pointer to the question
      u16(q + 2, 1);
      u16(q + 4, 1);
      u32(q + 6, 300);
      u16(q + 10, 4);
      u32(q + 12, ((203 << 24) | (113 << 8) | (1 + (f.xid % 254))) >>> 0);
    }
  };

  /** ICMP destination unreachable (port) from the server, quoting the client's datagram. */
  const icmpUnreachable = (f) => {
    stats.icmpErrors++;
    // The quoted datagram as it was sent: its IPv4 header, UDP header and as much payload as
    // fits in 576 bytes (RFC 1812 4.3.2.3; Linux icmp_send).
    const quotedPayload = Math.min(f.len, 576 - 20 - 8 - 20 - 8);
    const icmpLen = 8 + 20 + 8 + quotedPayload;
    const l3 = frame(14 + 20 + icmpLen, GATEWAY_MAC_TAIL, f.sip, 0x0800);
    const c = ipv4(l3, 20 + icmpLen, (f.sid = (f.sid + 1) & 0xffff), false, 64, 1, f.sip, f.cip);
    buf[c] = 3;
    buf[c + 1] = 3;
    u16(c + 2, 0);
    u32(c + 4, 0);
    const q = ipv4(c + 8, 20 + 8 + f.len, f.cid, true, f.cttl, 17, f.cip, f.sip);
    u16(q, f.cport);
    u16(q + 2, f.sport);
    u16(q + 4, 8 + f.len);
    u16(q + 6, 0);
    const uc = checksum(pseudo(f.cip, f.sip, 17, 8 + f.len) + sum16(q, q + 8) + patternSum(f.po, f.len));
    u16(q + 6, uc === 0 ? 0xffff : uc);
    buf.set(pattern.subarray(f.po, f.po + quotedPayload), q + 8);
    u16(c + 2, checksum(sum16(c, q + 8) + patternSum(f.po, quotedPayload)));
    return true;
  };

  /** ICMP echo: request and reply pairs with a 56-byte payload, as ping sends. */
  const stepEcho = (f) => {
    const request = (f.step & 1) === 0;
    const seq = (f.step >> 1) + 1;
    f.step++;
    const len = 56;
    const src = request ? f.cip : f.sip;
    const dst = request ? f.sip : f.cip;
    const l3 = frame(14 + 20 + 8 + len, request ? f.sip : GATEWAY_MAC_TAIL, request ? GATEWAY_MAC_TAIL : f.sip, 0x0800);
    const id = request ? (f.cid = (f.cid + 1) & 0xffff) : (f.sid = (f.sid + 1) & 0xffff);
    const c = ipv4(l3, 20 + 8 + len, id, true, request ? f.cttl : 64, 1, src, dst);
    buf[c] = request ? 8 : 0;
    buf[c + 1] = 0;
    u16(c + 2, 0);
    u16(c + 4, f.sport);
    u16(c + 6, seq);
    buf.set(pattern.subarray(f.po, f.po + len), c + 8);
    u16(c + 2, checksum(sum16(c, c + 8) + patternSum(f.po, len)));
    return f.step === f.n;
  };

  /** ARP: the gateway asks for a server's address, the server answers. */
  const stepArp = (f) => {
    const request = f.step++ === 0;
    const o = frame(42, GATEWAY_MAC_TAIL, request ? GATEWAY_MAC_TAIL : f.sip, 0x0806);
    if (request) buf.fill(0xff, o - 14, o - 8); // to the broadcast address
    u16(o, 1); // Ethernet
    u16(o + 2, 0x0800);
    buf[o + 4] = 6;
    buf[o + 5] = 4;
    u16(o + 6, request ? 1 : 2);
    const senderIp = request ? ((192 << 24) | (2 << 8) | 1) >>> 0 : f.sip;
    const targetIp = request ? f.sip : ((192 << 24) | (2 << 8) | 1) >>> 0;
    macTo(o + 8, request ? GATEWAY_MAC_TAIL : f.sip);
    u32(o + 14, senderIp);
    if (request) {
      for (let k = 18; k < 24; k++) buf[o + k] = 0;
    } else {
      macTo(o + 18, GATEWAY_MAC_TAIL);
    }
    u32(o + 24, targetIp);
    return !request;
  };

  const flows = [];
  for (let i = 0; i < concurrency; i++) {
    const f = newFlow();
    start(f);
    flows.push(f);
  }
  const t0 = process.hrtime.bigint();
  while (count < packets && written + pos < bytes) {
    const f = flows[below(concurrency)];
    const done =
      f.kind === KIND_TCP ? stepTcp(f) : f.kind === KIND_UDP ? stepUdp(f) : f.kind === KIND_ECHO ? stepEcho(f) : stepArp(f);
    if (done) start(f);
  }
  flush();
  if (fd !== 1) closeSync(fd);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { packets: count, bytes: written, seconds, ...stats };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
  const opts = {
    out: args.out ?? '-',
    packets: args.packets !== undefined ? parseSize(args.packets) : undefined,
    bytes: args.bytes !== undefined ? parseSize(args.bytes) : undefined,
    seed: Number(args.seed ?? 1),
    mss: Number(args.mss ?? 1448),
    maxResponse: Number(args['max-response'] ?? 65536),
    concurrency: Number(args.concurrency ?? 64),
    nano: 'nano' in args,
  };
  if (opts.packets === undefined && opts.bytes === undefined) opts.packets = 1_000_000;
  const r = generateCapture(opts);
  process.stderr.write(
    `${r.packets} packets, ${r.bytes} bytes in ${r.seconds.toFixed(2)} s ` +
      `(${(r.bytes / r.seconds / 1e6).toFixed(0)} MB/s, ${(r.packets / r.seconds / 1e6).toFixed(2)} M packets/s)\n`,
  );
}
