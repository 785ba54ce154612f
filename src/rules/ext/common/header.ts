/**
 * skb_header_pointer(skb, offset, len, buffer) on a captured packet. At the IPv4 hooks
 * skb->data is the IP header and skb->len the IP total length (ip_rcv_core trimmed the
 * link-layer padding), so offsets here are relative to the IP header and a header that
 * ends beyond the total length is what the kernel cannot read (NULL): most matches then
 * hotdrop the packet.
 *
 * A capture adds a third case the kernel never has: the bytes existed on the wire but the
 * snaplen cut them. The replay cannot know them; matches then answer "no match" without
 * touching any state, and the decoder has already counted the cut packet as an event
 * (tcp.header_truncated, ipv4.truncated...).
 */
import type { PacketState } from '../../../engine/packet.js';
import type { PacketView } from '../../../decode/view.js';

/** What skb_header_pointer would give for a range of the packet. */
export const Header = {
  /** The bytes are in the packet and in the capture. */
  OK: 0,
  /** Beyond skb->len: the kernel gets NULL. */
  SHORT: 1,
  /** In the packet, but beyond what the capture kept: unknown to the replay. */
  CUT: 2,
} as const;
export type Header = (typeof Header)[keyof typeof Header];

/** xt_action_param.thoff for IPv4: ip_hdrlen(), also for later fragments (whose "header" is payload). */
export function thoff(v: PacketView): number {
  return v.ihl * 4;
}

/**
 * Bytes of the IP datagram present in the capture, from the IP header on. A later
 * fragment has no layer-4 fields in the view; when the snaplen cut it, only its header
 * is known to be there.
 */
export function capturedIpBytes(v: PacketView): number {
  if (v.l4Captured >= 0) return v.ihl * 4 + v.l4Captured;
  return v.truncated ? v.ihl * 4 : v.totalLength;
}

/** skb_header_pointer(skb, offset, len) for offset/len relative to the IP header. */
export function header(v: PacketView, offset: number, len: number): Header {
  const end = offset + len;
  if (end > v.totalLength) return Header.SHORT;
  if (end > capturedIpBytes(v)) return Header.CUT;
  return Header.OK;
}

/** The byte at `offset` from the IP header (checked with header() first). */
export function u8At(pkt: PacketState, offset: number): number {
  return pkt.data[pkt.view.l3Offset + offset]!;
}

export function u16At(pkt: PacketState, offset: number): number {
  const d = pkt.data;
  const i = pkt.view.l3Offset + offset;
  return (d[i]! << 8) | d[i + 1]!;
}

export function u32At(pkt: PacketState, offset: number): number {
  const d = pkt.data;
  const i = pkt.view.l3Offset + offset;
  return ((d[i]! << 24) | (d[i + 1]! << 16) | (d[i + 2]! << 8) | d[i + 3]!) >>> 0;
}
