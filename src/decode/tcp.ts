/**
 * TCP (RFC 9293). What is "broken on the wire" follows conntrack's tcp_error (a header
 * shorter than 20 bytes, a data offset below 5 words or beyond the segment); the MSS option
 * is found with xt_tcpmss's option walk, the one the tcpmss match and the TCPMSS target use.
 * In a first fragment the header may continue in the next fragment, so lengths from the
 * wire are not held against it.
 */
import { Ev, type DecodeEvents } from './events.js';
import { fixedHeaderPresent, L4State, note, type PacketView } from './view.js';

/**
 * `captured`: bytes of the segment in the capture; `length`: its length on the wire (IPv4
 * total length minus the IPv4 header); `fragment`: this is a first fragment.
 */
export function decodeTcp(
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
  if (!fixedHeaderPresent(view, events, captured, length, fragment, 20, Ev.TCP_HEADER_TOO_SHORT, Ev.TCP_HEADER_TRUNCATED)) return;
  view.tcpSeq = dv.getUint32(off + 4);
  view.tcpAck = dv.getUint32(off + 8);
  const doff = dv.getUint8(off + 12) >> 4;
  view.tcpDataOffset = doff;
  view.tcpFlags = dv.getUint8(off + 13);
  view.tcpWindow = dv.getUint16(off + 14);
  view.l4Checksum = dv.getUint16(off + 16);
  view.tcpUrgent = dv.getUint16(off + 18);

  const hlen = doff * 4;
  if (doff < 5) {
    view.l4State = L4State.MALFORMED;
    note(view, events, Ev.TCP_DATA_OFFSET_TOO_SMALL);
    return;
  }
  if (hlen > length && !fragment) {
    view.l4State = L4State.MALFORMED;
    note(view, events, Ev.TCP_DATA_OFFSET_TOO_BIG);
    return;
  }
  view.payloadOffset = off + hlen;
  view.payloadLength = length > hlen ? length - hlen : 0;
  const optCaptured = (captured < hlen ? captured : hlen) - 20;
  if (optCaptured > 0) findMss(dv, off + 20, optCaptured, view);
  if (captured < hlen) {
    view.l4State = L4State.PARTIAL;
    if (captured < length) note(view, events, Ev.TCP_OPTIONS_TRUNCATED);
    return;
  }
  view.l4State = L4State.OK;
}

/**
 * xt_tcpmss's loop: EOL, NOP and a zero length advance one byte (EOL does not end it), an
 * MSS option counts only with length 4 and all 4 bytes inside the options. A length byte
 * past the options ends the walk here where the kernel would read beyond them.
 */
function findMss(dv: DataView, opts: number, len: number, view: PacketView): void {
  let i = 0;
  while (i < len) {
    const kind = dv.getUint8(opts + i);
    if (kind === 2 && len - i >= 4 && dv.getUint8(opts + i + 1) === 4) {
      view.tcpMssOffset = opts + i;
      view.tcpMss = dv.getUint16(opts + i + 2);
      return;
    }
    if (kind < 2) {
      i++;
      continue;
    }
    if (i + 1 >= len) return;
    const optlen = dv.getUint8(opts + i + 1);
    i += optlen === 0 ? 1 : optlen;
  }
}
