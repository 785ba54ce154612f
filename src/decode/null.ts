/**
 * BSD loopback encapsulations: LINKTYPE_NULL (0), a 4-byte address family in the byte order
 * of the host that captured, and LINKTYPE_LOOP (108), the same in network byte order. The
 * family is small, so whichever byte order puts it in the low 16 bits is the right one
 * (Wireshark's heuristic); that also reads a LOOP header written little-endian.
 */
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from './ethernet.js';
import { Ev, type DecodeEvents } from './events.js';
import { decodeIpv4 } from './ipv4.js';
import { DecodeResult, stop, type PacketView } from './view.js';

const AF_INET = 2;

/** AF_INET6 as Linux (10), NetBSD/OpenBSD (24), FreeBSD (28) and Darwin (30) number it. */
function isInet6(family: number): boolean {
  return family === 10 || family === 24 || family === 28 || family === 30;
}

export function decodeNull(
  dv: DataView,
  off: number,
  capEnd: number,
  wireEnd: number,
  view: PacketView,
  events: DecodeEvents,
): DecodeResult {
  if (wireEnd - off < 4) return stop(view, events, Ev.NULL_TOO_SHORT, DecodeResult.MALFORMED);
  if (capEnd - off < 4) return stop(view, events, Ev.NULL_TRUNCATED, DecodeResult.TRUNCATED);
  let family = dv.getUint32(off, true);
  if (family > 0xffff) family = dv.getUint32(off);
  if (family === AF_INET) {
    view.ethertype = ETHERTYPE_IPV4;
    return decodeIpv4(dv, off + 4, capEnd, wireEnd, view, events);
  }
  if (isInet6(family)) {
    view.ethertype = ETHERTYPE_IPV6;
    return stop(view, events, Ev.SKIP_IPV6, DecodeResult.SKIPPED);
  }
  return stop(view, events, Ev.SKIP_OTHER_FAMILY, DecodeResult.SKIPPED);
}
