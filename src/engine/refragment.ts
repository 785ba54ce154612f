/**
 * What the kernel sends for a datagram leaving an interface (net/ipv4/ip_output.c).
 * __ip_finish_output hands ip_fragment a datagram longer than the MTU, and any datagram
 * conntrack reassembled (IPCB(skb)->frag_max_size is set), whatever its length:
 *
 * - DF: ip_fragment refuses (ICMP fragmentation needed, nothing sent) unless the datagram
 *   was reassembled (skb->ignore_df) and no fragment it was made of exceeded the MTU;
 * - ip_do_fragment's room for data is min(MTU, frag_max_size) minus the header;
 * - fast path, when the reassembled datagram still holds its fragments (frag_list) and
 *   each fits that room with every one but the last a multiple of 8 bytes: they leave
 *   as they arrived, the datagram's header (TTL, TOS, NAT as it is now) on each, the
 *   first with only MF set, the others with their offset and MF but the last — no DF
 *   (ip_fraglist_init / ip_fraglist_prepare);
 * - slow path otherwise (and for a datagram that was never fragments): pieces of the room
 *   rounded down to a multiple of 8 (the last takes the rest), from the datagram's own
 *   fragment offset, MF on every piece but the last unless the datagram itself had MF,
 *   DF on every piece when the largest fragment reassembled had DF (IPSKB_FRAG_PMTU)
 *   (ip_frag_init / ip_frag_next);
 * - the identification is kept; total length, fragment field and header checksum are
 *   written anew (ip_send_check); options: when the datagram starts at offset 0 and its
 *   options were compiled on receipt (a forwarded packet: IPCB opt.optlen), every
 *   fragment after the first gets the options without the copied flag replaced by NOOPs
 *   (ip_options_fragment), keeping the header length; the first keeps them all.
 *
 * ip_do_fragment's other fast-path conditions (headroom, clones, shared fragments) hold
 * for packets a NIC received. A datagram that leaves whole costs one comparison; the
 * fragments are written into the caller's buffer (only subarray views are allocated).
 */
import type { FragmentGeometry } from './reassembly.js';
import { headerChecksum } from './reassembly.js';

const IP_DF = 0x4000;
const IP_MF = 0x2000;
const IP_OFFSET = 0x1fff;

export interface RefragmentOptions {
  /** The egress route's MTU. */
  mtu: number;
  /** Conntrack reassembled the datagram: its fragments, frag_max_size and IPSKB_FRAG_PMTU. Null otherwise. */
  geometry: FragmentGeometry | null;
  /**
   * The datagram still holds its fragments (frag_list): false once a target pulled the
   * whole of it into one buffer (TCPMSS, TCPOPTSTRIP: skb_ensure_writable(skb, skb->len)).
   */
  fragList: boolean;
  /** IPCB(skb)->opt.optlen is set: a received (forwarded) packet, whose options ip_rcv_options compiled. */
  optionsCompiled: boolean;
}

/** ip_fragment refused: DF and too big (ICMP fragmentation needed instead). */
export const FRAG_NEEDED = -1;

/** Whether __ip_finish_output sends the datagram through ip_fragment at all. */
export function goesThroughFragment(len: number, o: RefragmentOptions): boolean {
  return len > o.mtu || (o.geometry !== null && o.geometry.maxSize > 0);
}

const hdr = new Uint8Array(64);

/**
 * ip_fragment for the datagram at src[ip, ip + len), of which the first `have` bytes are
 * known (a snaplen may have cut it): writes each fragment at out[at...] and calls
 * emit(caplen, origlen) for it (caplen the bytes known, origlen its total length).
 * Returns the number of fragments, 0 when the datagram leaves whole (nothing emitted),
 * or FRAG_NEEDED.
 */
export function refragment(
  src: Uint8Array,
  ip: number,
  len: number,
  have: number,
  o: RefragmentOptions,
  out: Uint8Array,
  at: number,
  emit: (caplen: number, origlen: number) => void,
): number {
  if (!goesThroughFragment(len, o)) return 0;
  const hlen = (src[ip]! & 0x0f) * 4;
  const fragOff = (src[ip + 6]! << 8) | src[ip + 7]!;
  const g = o.geometry;
  const fmax = g !== null ? g.maxSize : 0;
  if (fragOff & IP_DF && (g === null || fmax > o.mtu)) return FRAG_NEEDED;
  let room = (fmax !== 0 && fmax < o.mtu ? fmax : o.mtu) - hlen;
  // The kernel's MTUs are at least 68: room for 8 bytes after the longest header.
  if (room < 8) room = 8;
  hdr.set(src.subarray(ip, ip + hlen));
  if (g !== null && o.fragList && (fragOff & (IP_MF | IP_OFFSET)) === 0 && fastPathFits(g, room, len - hlen)) {
    let off = 0;
    for (let i = 0; i < g.count; i++) {
      const size = g.sizes[i]!;
      const last = i === g.count - 1;
      const field = i === 0 ? IP_MF : (off >>> 3) | (last ? 0 : IP_MF);
      const cap = piece(src, ip, hlen + off, size, have, hlen, field, out, at);
      emit(hlen + cap, hlen + size);
      if (i === 0 && o.optionsCompiled) optionsFragment(hdr, hlen);
      off += size;
    }
    return g.count;
  }
  let left = len - hlen;
  let ptr = hlen;
  let offset = (fragOff & IP_OFFSET) << 3;
  const notLast = (fragOff & IP_MF) !== 0;
  const df = g !== null && g.pmtu;
  let n = 0;
  while (left > 0) {
    let l = left > room ? room : left;
    if (l < left) l &= ~7;
    left -= l;
    const field = (offset >>> 3) | (df ? IP_DF : 0) | (left > 0 || notLast ? IP_MF : 0);
    const cap = piece(src, ip, ptr, l, have, hlen, field, out, at);
    emit(hlen + cap, hlen + l);
    n++;
    if (offset === 0 && o.optionsCompiled) optionsFragment(hdr, hlen);
    ptr += l;
    offset += l;
  }
  return n;
}

/** ip_do_fragment's frag_list geometry check (its other conditions hold here). */
function fastPathFits(g: FragmentGeometry, room: number, payload: number): boolean {
  let sum = 0;
  for (let i = 0; i < g.count; i++) {
    const size = g.sizes[i]!;
    if (size > room || (size & 7 && i < g.count - 1)) return false;
    sum += size;
  }
  return g.count > 1 && sum === payload;
}

/**
 * One fragment at out[at...]: the header template with its total length, fragment field
 * and checksum, then `len` bytes of the datagram from `from` (relative to `ip`); returns
 * how many of them are known.
 */
function piece(src: Uint8Array, ip: number, from: number, len: number, have: number, hlen: number, field: number, out: Uint8Array, at: number): number {
  out.set(hdr.subarray(0, hlen), at);
  const total = hlen + len;
  out[at + 2] = total >>> 8;
  out[at + 3] = total & 0xff;
  out[at + 6] = field >>> 8;
  out[at + 7] = field & 0xff;
  out[at + 10] = 0;
  out[at + 11] = 0;
  const check = headerChecksum(out, at, hlen);
  out[at + 10] = check >>> 8;
  out[at + 11] = check & 0xff;
  const cap = Math.max(0, Math.min(len, have - from));
  out.set(src.subarray(ip + from, ip + from + cap), at + hlen);
  return cap;
}

/** ip_options_fragment: options without the copied flag become NOOPs (in the header template). */
export function optionsFragment(h: Uint8Array, hlen: number): void {
  let p = 20;
  let l = hlen - 20;
  while (l > 0) {
    const type = h[p]!;
    if (type === 0) return;
    if (type === 1) {
      p++;
      l--;
      continue;
    }
    const optlen = h[p + 1]!;
    if (optlen < 2 || optlen > l) return;
    if (!(type & 0x80)) h.fill(1, p, p + optlen);
    l -= optlen;
    p += optlen;
  }
}
