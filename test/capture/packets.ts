/**
 * Reference packets for the rewrite tests: IPv4 datagrams built from their fields with every
 * checksum computed in full (RFC 1071 over the IPv4 header, RFC 793/768 pseudo-header plus
 * segment, RFC 792 ICMP message). A rewrite done incrementally on the bytes must give exactly
 * what building the packet again from the changed fields gives.
 */

/** RFC 1071 ones'-complement sum of b[from, to) (an odd tail padded with zero), not complemented. */
export function sum16(b: Uint8Array, from: number, to: number, initial = 0): number {
  let s = initial;
  let i = from;
  for (; i + 1 < to; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  if (i < to) s += b[i]! << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

export const checksum = (b: Uint8Array, from: number, to: number, initial = 0): number => ~sum16(b, from, to, initial) & 0xffff;

export interface L4Spec {
  proto: 6 | 17;
  sport: number;
  dport: number;
  /** TCP options bytes (a multiple of 4 long). */
  tcpOptions?: number[];
  payload: Uint8Array;
  /** UDP sent without a checksum (0). */
  noChecksum?: boolean;
}

export interface IcmpSpec {
  proto: 1;
  type: number;
  code: number;
  /** Echo identifier and sequence for queries. */
  id?: number;
  seq?: number;
  /** For errors: the datagram whose first `quote` bytes the error carries. */
  inner?: Ipv4Spec;
  quote?: number;
  payload?: Uint8Array;
}

export interface Ipv4Spec {
  src: number;
  dst: number;
  ttl: number;
  id: number;
  /** IP options bytes (a multiple of 4 long). */
  options?: number[];
  l4: L4Spec | IcmpSpec | { proto: number; payload: Uint8Array };
  /**
   * A fragment of the datagram: offset (in 8-byte units) and how many bytes of the whole
   * L4 message it carries (a first fragment carries the L4 header and a checksum over the
   * whole message; a later one only opaque bytes).
   */
  fragment?: { offset: number; more: boolean; keep: number };
}

function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 8;
  b[o + 1] = v;
}
function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
}

/** The L4 message of `ip` in full (before any fragmentation), checksums computed. */
export function l4Bytes(ip: Ipv4Spec): Uint8Array {
  const l4 = ip.l4;
  if (l4.proto === 6 || l4.proto === 17) {
    const s = l4 as L4Spec;
    const hdr = s.proto === 6 ? 20 + (s.tcpOptions?.length ?? 0) : 8;
    const b = new Uint8Array(hdr + s.payload.length);
    put16(b, 0, s.sport);
    put16(b, 2, s.dport);
    if (s.proto === 6) {
      put32(b, 4, 0x01020304);
      put32(b, 8, 0x0a0b0c0d);
      b[12] = (hdr / 4) << 4;
      b[13] = 0x12;
      put16(b, 14, 64240);
      b.set(s.tcpOptions ?? [], 20);
    } else {
      put16(b, 4, b.length);
    }
    b.set(s.payload, hdr);
    if (s.proto === 17 && s.noChecksum) return b;
    const pseudo = new Uint8Array(12);
    put32(pseudo, 0, ip.src);
    put32(pseudo, 4, ip.dst);
    pseudo[9] = s.proto;
    put16(pseudo, 10, b.length);
    let c = checksum(b, 0, b.length, sum16(pseudo, 0, 12));
    if (s.proto === 17 && c === 0) c = 0xffff;
    put16(b, s.proto === 6 ? 16 : 6, c);
    return b;
  }
  if (l4.proto === 1) {
    const s = l4 as IcmpSpec;
    const body = s.inner ? ipv4Bytes(s.inner).subarray(0, s.quote) : (s.payload ?? new Uint8Array(0));
    const b = new Uint8Array(8 + body.length);
    b[0] = s.type;
    b[1] = s.code;
    if (s.id !== undefined) put16(b, 4, s.id);
    if (s.seq !== undefined) put16(b, 6, s.seq);
    b.set(body, 8);
    put16(b, 2, checksum(b, 0, b.length));
    return b;
  }
  return (l4 as { payload: Uint8Array }).payload;
}

/** The IPv4 datagram (or fragment), header checksum computed. */
export function ipv4Bytes(ip: Ipv4Spec): Uint8Array {
  let l4: Uint8Array;
  if (!ip.fragment) l4 = l4Bytes(ip);
  else if (ip.fragment.offset === 0) l4 = l4Bytes(ip).subarray(0, ip.fragment.keep);
  else l4 = Uint8Array.from({ length: ip.fragment.keep }, (_, i) => (i * 7 + 3) & 0xff);
  const ihl = 20 + (ip.options?.length ?? 0);
  const b = new Uint8Array(ihl + l4.length);
  b[0] = 0x40 | (ihl / 4);
  put16(b, 2, b.length);
  put16(b, 4, ip.id);
  put16(b, 6, ip.fragment ? (ip.fragment.more ? 0x2000 : 0) | ip.fragment.offset : 0x4000);
  b[8] = ip.ttl;
  b[9] = ip.l4.proto;
  put32(b, 12, ip.src);
  put32(b, 16, ip.dst);
  b.set(ip.options ?? [], 20);
  put16(b, 10, checksum(b, 0, ihl));
  b.set(l4, ihl);
  return b;
}

/** An Ethernet II frame around an IPv4 datagram. */
export function etherFrame(datagram: Uint8Array): Uint8Array {
  const f = new Uint8Array(14 + datagram.length);
  f.set([0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00]);
  f.set(datagram, 14);
  return f;
}
