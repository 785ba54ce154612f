/**
 * ICMP (RFC 792), and for the error messages conntrack relates to a connection (types 3, 4,
 * 5, 11, 12: icmp_is_err) the quoted packet: its IPv4 header and the first 8 bytes of its
 * layer-4 header. The quoted packet is read as nf_conntrack_proto_icmp's
 * icmp_error_message → nf_ct_get_tuplepr → ipv4_get_l4proto reads it: no version or IHL
 * check, no tuple from a quoted later fragment or a header reaching past the packet, and
 * 4 bytes of ports (8 for a quoted ICMP header) needed for the tuple.
 */
import { Ev, type DecodeEvents } from './events.js';
import { fixedHeaderPresent, L4State, note, type PacketView } from './view.js';

/** NR_ICMP_TYPES: conntrack's icmp_error calls higher types invalid. */
const NR_ICMP_TYPES = 18;

/** Arguments as for decodeTcp. */
export function decodeIcmp(
  dv: DataView,
  off: number,
  captured: number,
  length: number,
  fragment: boolean,
  view: PacketView,
  events: DecodeEvents,
): void {
  if (captured >= 2) {
    view.icmpType = dv.getUint8(off);
    view.icmpCode = dv.getUint8(off + 1);
  }
  if (!fixedHeaderPresent(view, events, captured, length, fragment, 8, Ev.ICMP_HEADER_TOO_SHORT, Ev.ICMP_HEADER_TRUNCATED)) return;
  const type = view.icmpType;
  view.l4Checksum = dv.getUint16(off + 2);
  view.icmpRest = dv.getUint32(off + 4);
  view.payloadOffset = off + 8;
  view.payloadLength = length - 8;
  view.l4State = L4State.OK;
  switch (type) {
    case 0: // echo reply
    case 8: // echo request
    case 13: // timestamp
    case 14:
    case 15: // information
    case 16:
    case 17: // address mask
    case 18:
      view.icmpId = dv.getUint16(off + 4);
      view.icmpSeq = dv.getUint16(off + 6);
      break;
    case 3: // destination unreachable
    case 4: // source quench
    case 5: // redirect
    case 11: // time exceeded
    case 12: // parameter problem
      decodeQuoted(dv, off + 8, captured - 8, length - 8, fragment, view, events);
      break;
    default:
      if (type > NR_ICMP_TYPES) note(view, events, Ev.ICMP_BAD_TYPE);
  }
}

function decodeQuoted(
  dv: DataView,
  off: number,
  captured: number,
  length: number,
  fragment: boolean,
  view: PacketView,
  events: DecodeEvents,
): void {
  view.innerOffset = off;
  if (length < 20 && !fragment) return innerMalformed(view, events);
  if (captured < 20) return innerPartial(view, events, captured < length);
  const b0 = dv.getUint8(off);
  view.innerVersion = b0 >> 4;
  view.innerIhl = b0 & 0x0f;
  view.innerTotalLength = dv.getUint16(off + 2);
  view.innerId = dv.getUint16(off + 4);
  const frag = dv.getUint16(off + 6);
  view.innerMf = (frag & 0x2000) !== 0;
  view.innerFragOffset = (frag & 0x1fff) * 8;
  view.innerTtl = dv.getUint8(off + 8);
  const proto = dv.getUint8(off + 9);
  view.innerProtocol = proto;
  view.innerSrcAddr = dv.getUint32(off + 12);
  view.innerDstAddr = dv.getUint32(off + 16);
  // if (iph->frag_off & htons(IP_OFFSET)) return -1;
  if (view.innerFragOffset !== 0) return innerMalformed(view, events);
  const hlen = view.innerIhl * 4;
  view.innerL4Offset = off + hlen;
  // if (dataoff > skb->len) return -1;  ("bogus IPv4 packet")
  if (hlen > length && !fragment) return innerMalformed(view, events);
  const l4Captured = captured > hlen ? captured - hlen : 0;
  view.innerL4Captured = l4Captured;
  // nf_ct_get_tuple_ports reads 4 bytes; icmp_pkt_to_tuple a whole 8-byte icmphdr.
  let need = 0;
  switch (proto) {
    case 6: // TCP
    case 17: // UDP
    case 33: // DCCP
    case 132: // SCTP
    case 136: // UDP-Lite
      need = 4;
      break;
    case 1:
      need = 8;
      break;
  }
  if (length - hlen < need && !fragment) return innerMalformed(view, events);
  const l4 = off + hlen;
  if (proto === 1) {
    if (l4Captured >= 2) {
      view.innerIcmpType = dv.getUint8(l4);
      view.innerIcmpCode = dv.getUint8(l4 + 1);
    }
    if (l4Captured >= 8) {
      view.innerIcmpId = dv.getUint16(l4 + 4);
      view.innerIcmpSeq = dv.getUint16(l4 + 6);
    }
  } else if (need === 4 && l4Captured >= 4) {
    view.innerSrcPort = dv.getUint16(l4);
    view.innerDstPort = dv.getUint16(l4 + 2);
    if (proto === 6 && l4Captured >= 8) view.innerTcpSeq = dv.getUint32(l4 + 4);
  }
  if (l4Captured < need) return innerPartial(view, events, captured < length);
  view.innerState = L4State.OK;
}

function innerMalformed(view: PacketView, events: DecodeEvents): void {
  view.innerState = L4State.MALFORMED;
  note(view, events, Ev.ICMP_INNER_MALFORMED);
}

function innerPartial(view: PacketView, events: DecodeEvents, cut: boolean): void {
  view.innerState = L4State.PARTIAL;
  if (cut) note(view, events, Ev.ICMP_INNER_TRUNCATED);
}
