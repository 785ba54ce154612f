/**
 * Internet checksums (RFC 1071). The IPv4 header checksum is checked for every packet
 * (ip_rcv_core's ip_fast_csum, in ipv4.ts); the layer-4 checksum only on request, for
 * conntrack's nf_conntrack_checksum, because it reads the whole payload.
 */
import { dataViewOf } from './bytes.js';
import { DecodeResult, L4State, type PacketView } from './view.js';

/** One's-complement sum of the 16-bit big-endian words of [off, off + len), unfolded. */
export function sum16(dv: DataView, off: number, len: number, acc: number): number {
  let s = acc;
  let i = off;
  const end4 = off + (len & ~3);
  for (; i < end4; i += 4) {
    const w = dv.getUint32(i);
    s += (w >>> 16) + (w & 0xffff);
  }
  if (len & 2) {
    s += dv.getUint16(i);
    i += 2;
  }
  // An odd last byte is padded with a zero byte on the right.
  if (len & 1) s += dv.getUint8(i) << 8;
  return s;
}

/** The TCP/UDP pseudo-header's words (RFC 793 section 3.1, RFC 768), unfolded: a start for sum16. */
export function pseudoHeaderSum(src: number, dst: number, protocol: number, length: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length;
}

/** Folds a sum (below 2^53) to 16 bits with end-around carry. */
export function fold16(sum: number): number {
  let s = sum;
  // Sums of IPv4 headers stay far below 2^31 and fold with integer operations alone.
  while (s > 0x7fffffff) s = (s % 0x10000) + Math.floor(s / 0x10000);
  s = (s & 0xffff) + (s >>> 16);
  return (s & 0xffff) + (s >>> 16);
}

/** Outcome of `l4ChecksumStatus()`. */
export const L4Checksum = {
  /** Not every byte it covers was captured, the packet is a fragment, or not TCP/UDP/ICMP. */
  UNKNOWN: 0,
  VALID: 1,
  INVALID: 2,
  /** UDP with checksum 0: none was computed, and udp_error does not check it. */
  NONE: 3,
} as const;
export type L4Checksum = (typeof L4Checksum)[keyof typeof L4Checksum];

/**
 * Whether the TCP, UDP or ICMP checksum of the decoded packet is right, computed on first
 * call and cached in the view. The sum covers the whole layer-4 length from the IPv4
 * header (plus the pseudo-header for TCP and UDP, RFC 793/768), so a packet the snaplen
 * cut is UNKNOWN, and so is a fragment: the kernel checks the reassembled packet.
 * Packets captured on the sending host usually carry a partial checksum (offloaded to
 * the NIC) and read INVALID here although the wire had them right.
 */
export function l4ChecksumStatus(data: Uint8Array, view: PacketView): L4Checksum {
  if (view.l4ChecksumStatus >= 0) return view.l4ChecksumStatus as L4Checksum;
  const status = computeL4Checksum(dataViewOf(data), view);
  view.l4ChecksumStatus = status;
  return status;
}

function computeL4Checksum(dv: DataView, v: PacketView): L4Checksum {
  if (v.result !== DecodeResult.IPV4 || v.l4State === L4State.NONE || v.mf || v.fragOffset !== 0) return L4Checksum.UNKNOWN;
  if (v.l4Captured < v.l4Length) return L4Checksum.UNKNOWN;
  let sum = 0;
  if (v.protocol === 6 || v.protocol === 17) {
    if (v.protocol === 17 && v.l4Checksum === 0) return L4Checksum.NONE;
    sum = pseudoHeaderSum(v.srcAddr, v.dstAddr, v.protocol, v.l4Length);
  } else if (v.protocol !== 1) {
    return L4Checksum.UNKNOWN;
  }
  return fold16(sum16(dv, v.l4Offset, v.l4Length, sum)) === 0xffff ? L4Checksum.VALID : L4Checksum.INVALID;
}
