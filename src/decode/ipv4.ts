/**
 * IPv4 (RFC 791). The checks and their order are ip_rcv_core's (net/ipv4/ip_input.c), which
 * runs before the PREROUTING hook: a packet failing one is MALFORMED, with the event naming
 * the first failed check as the kernel's drop reason would. "On the wire" lengths come from
 * the record's original length; what the snaplen cut away is TRUNCATED (the IPv4 header
 * itself) or decoded from its headers and flagged `truncated` (the payload).
 */
import { fold16, sum16 } from './checksum.js';
import { Ev, type DecodeEvents } from './events.js';
import { decodeIcmp } from './icmp.js';
import { decodeTcp } from './tcp.js';
import { decodeUdp } from './udp.js';
import { DecodeResult, note, stop, type PacketView } from './view.js';

/**
 * Decodes the IPv4 packet at `off`; `capEnd` is where the captured bytes end, `wireEnd`
 * where the packet ended on the wire (it may lie beyond the buffer).
 */
export function decodeIpv4(
  dv: DataView,
  off: number,
  capEnd: number,
  wireEnd: number,
  view: PacketView,
  events: DecodeEvents,
): DecodeResult {
  view.l3Offset = off;
  // skb->len at ip_rcv_core: the frame on the wire minus the link-layer header.
  const wireLen = wireEnd - off;
  const capLen = capEnd - off;
  // pskb_may_pull(skb, sizeof(struct iphdr))
  if (wireLen < 20) return stop(view, events, Ev.IPV4_TOO_SHORT, DecodeResult.MALFORMED);
  if (capLen < 20) return truncatedHeader(view, events);

  const b0 = dv.getUint8(off);
  const tos = dv.getUint8(off + 1);
  const totalLength = dv.getUint16(off + 2);
  const id = dv.getUint16(off + 4);
  const frag = dv.getUint16(off + 6);
  const ttl = dv.getUint8(off + 8);
  const protocol = dv.getUint8(off + 9);
  const checksum = dv.getUint16(off + 10);
  const src = dv.getUint32(off + 12);
  const dst = dv.getUint32(off + 16);
  const ihl = b0 & 0x0f;
  view.ipVersion = b0 >> 4;
  view.ihl = ihl;
  view.tos = tos;
  view.dscp = tos >> 2;
  view.ecn = tos & 3;
  view.totalLength = totalLength;
  view.ipId = id;
  view.rf = (frag & 0x8000) !== 0;
  view.df = (frag & 0x4000) !== 0;
  view.mf = (frag & 0x2000) !== 0;
  view.fragOffset = (frag & 0x1fff) * 8;
  view.ttl = ttl;
  view.protocol = protocol;
  view.ipChecksum = checksum;
  view.srcAddr = src;
  view.dstAddr = dst;

  // if (iph->ihl < 5 || iph->version != 4) goto inhdr_error;
  if (b0 >> 4 !== 4) return stop(view, events, Ev.IPV4_BAD_VERSION, DecodeResult.MALFORMED);
  if (ihl < 5) return stop(view, events, Ev.IPV4_IHL_TOO_SMALL, DecodeResult.MALFORMED);
  const hlen = ihl * 4;
  view.ipOptionsLength = hlen - 20;
  // pskb_may_pull(skb, iph->ihl * 4)
  if (wireLen < hlen) return stop(view, events, Ev.IPV4_HEADER_BEYOND_PACKET, DecodeResult.MALFORMED);
  if (capLen < hlen) return truncatedHeader(view, events);
  // ip_fast_csum(iph, iph->ihl), summing the words of the fixed header already read.
  let sum =
    ((b0 << 8) | tos) + totalLength + id + frag + ((ttl << 8) | protocol) + checksum +
    (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff);
  if (hlen > 20) sum = sum16(dv, off + 20, hlen - 20, sum);
  const checksumOk = fold16(sum) === 0xffff;
  view.ipChecksumOk = checksumOk;
  if (!checksumOk) return stop(view, events, Ev.IPV4_BAD_CHECKSUM, DecodeResult.MALFORMED);
  // if (skb->len < len) drop (PKT_TOO_SMALL); else if (len < iph->ihl * 4) goto inhdr_error;
  if (totalLength > wireLen) return stop(view, events, Ev.IPV4_TOTAL_LENGTH_TOO_BIG, DecodeResult.MALFORMED);
  if (totalLength < hlen) return stop(view, events, Ev.IPV4_TOTAL_LENGTH_TOO_SMALL, DecodeResult.MALFORMED);

  // pskb_trim_rcsum(skb, len): link-layer padding after the total length is not the packet's.
  view.length = totalLength;
  let captured = totalLength;
  view.truncated = capLen < totalLength;
  if (view.truncated) {
    captured = capLen;
    note(view, events, Ev.IPV4_TRUNCATED);
  }

  if ((frag & 0x1fff) !== 0) {
    // A later fragment has no layer-4 header: the tcp/udp matches never match it.
    events.count(Ev.IPV4_FRAGMENT_LATER);
    return DecodeResult.IPV4;
  }
  const fragment = (frag & 0x2000) !== 0;
  if (fragment) events.count(Ev.IPV4_FRAGMENT);

  const l4 = off + hlen;
  const l4Length = totalLength - hlen;
  const l4Captured = captured - hlen;
  view.l4Offset = l4;
  view.l4Length = l4Length;
  view.l4Captured = l4Captured;
  switch (protocol) {
    case 6:
      decodeTcp(dv, l4, l4Captured, l4Length, fragment, view, events);
      break;
    case 17:
      decodeUdp(dv, l4, l4Captured, l4Length, fragment, view, events);
      break;
    case 1:
      decodeIcmp(dv, l4, l4Captured, l4Length, fragment, view, events);
      break;
  }
  return DecodeResult.IPV4;
}

function truncatedHeader(view: PacketView, events: DecodeEvents): DecodeResult {
  view.truncated = true;
  note(view, events, Ev.IPV4_HEADER_TRUNCATED);
  return DecodeResult.TRUNCATED;
}
