/**
 * UDP (RFC 768). Broken on the wire as conntrack's udp_error sees it: a segment shorter than
 * the 8-byte header ("short packet") or a length field below 8 or beyond the IP payload
 * ("truncated/malformed packet"). A first fragment carries only part of the datagram, so
 * its length field is not held against the fragment.
 */
import { Ev, type DecodeEvents } from './events.js';
import { fixedHeaderPresent, L4State, note, type PacketView } from './view.js';

/** Arguments as for decodeTcp. */
export function decodeUdp(
  dv: DataView,
  off: number,
  captured: number,
  length: number,
  fragment: boolean,
  view: PacketView,
  events: DecodeEvents,
): void {
  if (captured >= 4) {
    view.srcPort = dv.getUint16(off);
    view.dstPort = dv.getUint16(off + 2);
  }
  if (!fixedHeaderPresent(view, events, captured, length, fragment, 8, Ev.UDP_HEADER_TOO_SHORT, Ev.UDP_HEADER_TRUNCATED)) return;
  const udpLength = dv.getUint16(off + 4);
  view.udpLength = udpLength;
  view.l4Checksum = dv.getUint16(off + 6);
  view.payloadOffset = off + 8;
  if (!fragment && (udpLength < 8 || udpLength > length)) {
    view.payloadLength = length - 8;
    view.l4State = L4State.MALFORMED;
    note(view, events, Ev.UDP_BAD_LENGTH);
    return;
  }
  view.payloadLength = fragment ? length - 8 : udpLength - 8;
  view.l4State = L4State.OK;
}
