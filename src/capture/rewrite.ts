/**
 * In-place rewrites of an IPv4 packet in a capture buffer, as NAT and the mangle targets
 * change packets, with every checksum the change affects updated incrementally (RFC 1624,
 * equation 3: HC' = ~(~HC + ~m + m')), the way the kernel's csum_replace4 /
 * inet_proto_csum_replace4 do, rather than recomputed:
 *
 * - the IPv4 header checksum for addresses and TTL;
 * - the TCP and UDP checksums for ports and the MSS option, and for addresses too, since
 *   they cover a pseudo-header holding both addresses (RFC 793 section 3.1, RFC 768);
 * - the ICMP checksum, which has no pseudo-header, for the echo identifier and for the
 *   header quoted by an ICMP error (RFC 792): changing an address or port there changes the
 *   quoted IPv4 header checksum and the quoted TCP/UDP checksum, and all three changes are
 *   part of the ICMP message (the kernel's nf_nat_icmp_reply_translation).
 *
 * Every function takes the buffer, the offset of the IPv4 header and the end of the captured
 * bytes, touches nothing outside the datagram's captured bytes, and returns false, changing
 * nothing, when the field is not there (not that protocol, not the first fragment, cut off
 * by the snaplen).
 * A checksum field not wholly before `end` is left alone: it is not in the capture to update. A UDP
 * checksum of 0 means "none" and stays 0; a computed 0 is sent as 0xffff (RFC 768), as the
 * kernel's CSUM_MANGLED_0. Nothing here allocates.
 */

const PROTO_ICMP = 1;
const PROTO_TCP = 6;
const PROTO_UDP = 17;

/** Big-endian 16- and 32-bit fields of a packet's bytes. */
export const get16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;
export const get32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
export function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 8;
  b[o + 1] = v;
}
export function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
}

/** End-around carry: folds a sum of a few 16-bit words into 16 bits. */
function fold(s: number): number {
  s = (s & 0xffff) + (s >>> 16);
  return (s & 0xffff) + (s >>> 16);
}

/** RFC 1624 equation 3 for one 16-bit word of the covered data changing from `from` to `to`. */
export function csumReplace16(check: number, from: number, to: number): number {
  return ~fold((~check & 0xffff) + (~from & 0xffff) + (to & 0xffff)) & 0xffff;
}

/** RFC 1624 equation 3 for a 32-bit field (two 16-bit words) changing from `from` to `to`. */
export function csumReplace32(check: number, from: number, to: number): number {
  return ~fold((~check & 0xffff) + (~(from >>> 16) & 0xffff) + (~from & 0xffff) + (to >>> 16) + (to & 0xffff)) & 0xffff;
}

/** Swaps the bytes of a 16-bit word: a word at an odd offset of the checksummed data. */
const swab = (w: number): number => ((w & 0xff) << 8) | (w >>> 8);

/**
 * End of the IPv4 datagram at `ip` within the captured bytes: min(end, ip + total length),
 * so link-layer padding after a short datagram is never taken for its data. -1 when there
 * is no whole IPv4 header there.
 */
function ipv4End(b: Uint8Array, ip: number, end: number): number {
  if (ip < 0 || ip + 20 > end || end > b.length || b[ip]! >> 4 !== 4) return -1;
  const ihl = (b[ip]! & 0x0f) * 4;
  const total = get16(b, ip + 2);
  if (ihl < 20 || ip + ihl > end || total < ihl) return -1;
  return Math.min(end, ip + total);
}

const headerLength = (b: Uint8Array, ip: number): number => (b[ip]! & 0x0f) * 4;

/** Whether the IPv4 header at `ip` starts its datagram (fragment offset 0): only then is the L4 header there. */
const firstFragment = (b: Uint8Array, ip: number): boolean => (get16(b, ip + 6) & 0x1fff) === 0;

/** Offset of the TCP or UDP checksum of the datagram at `ip`, or -1 when absent, uncovered or "none". */
function l4ChecksumAt(b: Uint8Array, ip: number, ihl: number, end: number): number {
  if (!firstFragment(b, ip)) return -1;
  const proto = b[ip + 9];
  let at: number;
  if (proto === PROTO_TCP) at = ip + ihl + 16;
  else if (proto === PROTO_UDP) at = ip + ihl + 6;
  else return -1;
  if (at + 2 > end) return -1;
  if (proto === PROTO_UDP && get16(b, at) === 0) return -1;
  return at;
}

/** Stores a TCP/UDP checksum, keeping UDP's 0 for "none" out of reach (RFC 768). */
function putL4Checksum(b: Uint8Array, at: number, proto: number, check: number): void {
  put16(b, at, check === 0 && proto === PROTO_UDP ? 0xffff : check);
}

/** Replaces a 32-bit address at `field` of the IPv4 header at `ip`; returns the old value. */
function replaceAddress(b: Uint8Array, ip: number, ihl: number, end: number, field: number, addr: number): number {
  const at = ip + field;
  const old = get32(b, at);
  put32(b, at, addr);
  put16(b, ip + 10, csumReplace32(get16(b, ip + 10), old, addr >>> 0));
  const ck = l4ChecksumAt(b, ip, ihl, end);
  if (ck >= 0) putL4Checksum(b, ck, b[ip + 9]!, csumReplace32(get16(b, ck), old, addr >>> 0));
  return old;
}

/** Sets the IPv4 source address (a uint32), updating the header and TCP/UDP checksums. */
export function rewriteIpv4Src(b: Uint8Array, ip: number, end: number, addr: number): boolean {
  const e = ipv4End(b, ip, end);
  if (e < 0) return false;
  replaceAddress(b, ip, headerLength(b, ip), e, 12, addr);
  return true;
}

/** Sets the IPv4 destination address (a uint32), updating the header and TCP/UDP checksums. */
export function rewriteIpv4Dst(b: Uint8Array, ip: number, end: number, addr: number): boolean {
  const e = ipv4End(b, ip, end);
  if (e < 0) return false;
  replaceAddress(b, ip, headerLength(b, ip), e, 16, addr);
  return true;
}

/** Sets the TTL, updating the header checksum (TTL shares its 16-bit word with the protocol). */
export function rewriteTtl(b: Uint8Array, ip: number, end: number, ttl: number): boolean {
  if (ipv4End(b, ip, end) < 0) return false;
  const old = get16(b, ip + 8);
  const word = ((ttl & 0xff) << 8) | (old & 0xff);
  b[ip + 8] = ttl;
  put16(b, ip + 10, csumReplace16(get16(b, ip + 10), old, word));
  return true;
}

/** Replaces the 16-bit port at `field` (0 source, 2 destination) of a TCP/UDP header. */
function replacePort(b: Uint8Array, ip: number, end: number, field: number, port: number): boolean {
  const e = ipv4End(b, ip, end);
  if (e < 0 || !firstFragment(b, ip)) return false;
  const proto = b[ip + 9]!;
  if (proto !== PROTO_TCP && proto !== PROTO_UDP) return false;
  const ihl = headerLength(b, ip);
  const at = ip + ihl + field;
  if (at + 2 > e) return false;
  const old = get16(b, at);
  put16(b, at, port);
  const ck = l4ChecksumAt(b, ip, ihl, e);
  if (ck >= 0) putL4Checksum(b, ck, proto, csumReplace16(get16(b, ck), old, port & 0xffff));
  return true;
}

/** Sets the TCP or UDP source port, updating its checksum. */
export function rewriteSrcPort(b: Uint8Array, ip: number, end: number, port: number): boolean {
  return replacePort(b, ip, end, 0, port);
}

/** Sets the TCP or UDP destination port, updating its checksum. */
export function rewriteDstPort(b: Uint8Array, ip: number, end: number, port: number): boolean {
  return replacePort(b, ip, end, 2, port);
}

/**
 * Offset of the TCP MSS option's value (kind 2, length 4) in the TCP header of the datagram
 * at `ip`, or -1. Walks the options as the kernel's tcp_parse_options does: EOL ends them,
 * NOP is one byte, anything else carries its length, and an option running past the header
 * ends the walk.
 */
export function tcpMssAt(b: Uint8Array, ip: number, end: number): number {
  const e = ipv4End(b, ip, end);
  if (e < 0 || b[ip + 9] !== PROTO_TCP || !firstFragment(b, ip)) return -1;
  const tcp = ip + headerLength(b, ip);
  if (tcp + 20 > e) return -1;
  const optEnd = Math.min(tcp + (b[tcp + 12]! >> 4) * 4, e);
  let o = tcp + 20;
  while (o < optEnd) {
    const kind = b[o]!;
    if (kind === 0) break;
    if (kind === 1) {
      o++;
      continue;
    }
    if (o + 2 > optEnd) break;
    const len = b[o + 1]!;
    if (len < 2 || o + len > optEnd) break;
    if (kind === 2 && len === 4) return o + 2;
    o += len;
  }
  return -1;
}

/**
 * Sets the value of the TCP MSS option, updating the TCP checksum (what the TCPMSS target
 * does). Options need no alignment, so the value may sit at an odd offset of the segment:
 * the ones'-complement sum is byte-order independent, so the change is then accounted with
 * both words byte-swapped.
 */
export function rewriteTcpMss(b: Uint8Array, ip: number, end: number, mss: number): boolean {
  const at = tcpMssAt(b, ip, end);
  if (at < 0) return false;
  const old = get16(b, at);
  put16(b, at, mss);
  const ihl = headerLength(b, ip);
  const ck = l4ChecksumAt(b, ip, ihl, ipv4End(b, ip, end));
  if (ck >= 0) {
    const odd = ((at - (ip + ihl)) & 1) === 1;
    put16(b, ck, odd ? csumReplace16(get16(b, ck), swab(old), swab(mss & 0xffff)) : csumReplace16(get16(b, ck), old, mss & 0xffff));
  }
  return true;
}

/** ICMP types whose body quotes the offending datagram's header (RFC 792). */
function isIcmpError(type: number): boolean {
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

/** ICMP query types with an identifier (echo, timestamp, information, address mask). */
function hasIcmpId(type: number): boolean {
  return type === 0 || type === 8 || type === 13 || type === 14 || type === 15 || type === 16 || type === 17 || type === 18;
}

/** Offset of the ICMP header of the datagram at `ip` (its checksum and 8 header bytes present), or -1. */
function icmpAt(b: Uint8Array, ip: number, end: number): number {
  const e = ipv4End(b, ip, end);
  if (e < 0 || b[ip + 9] !== PROTO_ICMP || !firstFragment(b, ip)) return -1;
  const icmp = ip + headerLength(b, ip);
  return icmp + 8 <= e ? icmp : -1;
}

/** Sets the identifier of an ICMP echo or other query (what NAT maps in place of a port). */
export function rewriteIcmpId(b: Uint8Array, ip: number, end: number, id: number): boolean {
  const icmp = icmpAt(b, ip, end);
  if (icmp < 0 || !hasIcmpId(b[icmp]!)) return false;
  const old = get16(b, icmp + 4);
  put16(b, icmp + 4, id);
  put16(b, icmp + 2, csumReplace16(get16(b, icmp + 2), old, id & 0xffff));
  return true;
}

/** Offset of the IPv4 header quoted by the ICMP error at `ip` (whole before `end`), or -1. */
export function icmpInnerAt(b: Uint8Array, ip: number, end: number): number {
  const icmp = icmpAt(b, ip, end);
  if (icmp < 0 || !isIcmpError(b[icmp]!)) return -1;
  const inner = icmp + 8;
  return ipv4End(b, inner, ipv4End(b, ip, end)) < 0 ? -1 : inner;
}

/**
 * Where the quoted datagram's captured bytes end: the outer datagram's end, and not past
 * the quoted header's own total length (the original datagram's, normally much longer).
 */
const innerEnd = (b: Uint8Array, ip: number, inner: number, end: number): number => ipv4End(b, inner, ipv4End(b, ip, end));

/**
 * Replaces an address of the quoted header: updates the quoted header checksum, the quoted
 * TCP/UDP checksum when the quote reaches it, and the ICMP checksum for all of them. Every
 * field of the quote sits at an even offset of the ICMP message (8 + a multiple of 4).
 */
function replaceInnerAddress(b: Uint8Array, ip: number, end: number, field: number, addr: number): boolean {
  const inner = icmpInnerAt(b, ip, end);
  if (inner < 0) return false;
  const e = innerEnd(b, ip, inner, end);
  const icmpCheck = inner - 8 + 2;
  const innerIhl = headerLength(b, inner);
  const oldHeaderCheck = get16(b, inner + 10);
  const innerL4Check = l4ChecksumAt(b, inner, innerIhl, e);
  const oldL4Check = innerL4Check >= 0 ? get16(b, innerL4Check) : 0;
  const old = replaceAddress(b, inner, innerIhl, e, field, addr);
  let check = csumReplace32(get16(b, icmpCheck), old, addr >>> 0);
  check = csumReplace16(check, oldHeaderCheck, get16(b, inner + 10));
  if (innerL4Check >= 0) check = csumReplace16(check, oldL4Check, get16(b, innerL4Check));
  put16(b, icmpCheck, check);
  return true;
}

/** Sets the source address of the header an ICMP error quotes. */
export function rewriteIcmpInnerSrc(b: Uint8Array, ip: number, end: number, addr: number): boolean {
  return replaceInnerAddress(b, ip, end, 12, addr);
}

/** Sets the destination address of the header an ICMP error quotes. */
export function rewriteIcmpInnerDst(b: Uint8Array, ip: number, end: number, addr: number): boolean {
  return replaceInnerAddress(b, ip, end, 16, addr);
}

/** Replaces a port of the quoted TCP/UDP header (in the 8 bytes every ICMP error carries). */
function replaceInnerPort(b: Uint8Array, ip: number, end: number, field: number, port: number): boolean {
  const inner = icmpInnerAt(b, ip, end);
  if (inner < 0) return false;
  const e = innerEnd(b, ip, inner, end);
  const icmpCheck = inner - 8 + 2;
  const innerIhl = headerLength(b, inner);
  const innerL4Check = l4ChecksumAt(b, inner, innerIhl, e);
  const oldL4Check = innerL4Check >= 0 ? get16(b, innerL4Check) : 0;
  const portAt = inner + innerIhl + field;
  const old = portAt + 2 <= e ? get16(b, portAt) : 0;
  if (!replacePort(b, inner, e, field, port)) return false;
  let check = csumReplace16(get16(b, icmpCheck), old, port & 0xffff);
  if (innerL4Check >= 0) check = csumReplace16(check, oldL4Check, get16(b, innerL4Check));
  put16(b, icmpCheck, check);
  return true;
}

/** Sets the source port of the TCP/UDP header an ICMP error quotes. */
export function rewriteIcmpInnerSrcPort(b: Uint8Array, ip: number, end: number, port: number): boolean {
  return replaceInnerPort(b, ip, end, 0, port);
}

/** Sets the destination port of the TCP/UDP header an ICMP error quotes. */
export function rewriteIcmpInnerDstPort(b: Uint8Array, ip: number, end: number, port: number): boolean {
  return replaceInnerPort(b, ip, end, 2, port);
}
