/**
 * The decode stage: one captured packet (a PacketRecord) into the PacketView, by link type.
 * Nothing here throws or allocates per packet: whatever is wrong with a packet is a named
 * event in DecodeEvents and a DecodeResult the engine acts on.
 */
import type { PacketRecord } from '../capture/record.js';
import { dataViewOf } from './bytes.js';
import { decodeEthernet } from './ethernet.js';
import type { DecodeEvents } from './events.js';
import { decodeNull } from './null.js';
import { decodeIpv4Only, decodeRaw, skipIpv6 } from './raw.js';
import { decodeSll, decodeSll2 } from './sll.js';
import { DecodeResult, stop, type PacketView } from './view.js';

export { DecodeEvents, Ev, EVENT_DEFS, type EventCount, type EventKind } from './events.js';
export { DecodeResult, L4State, PacketView, TcpFlag } from './view.js';
export { L4Checksum, l4ChecksumStatus } from './checksum.js';
export { PacketType } from './sll.js';

/** The LINKTYPE_* values decoded (tcpdump.org link-layer header types). */
export const Linktype = {
  NULL: 0,
  ETHERNET: 1,
  /** DLT_RAW as most systems number it. */
  RAW_12: 12,
  /** DLT_RAW as OpenBSD numbers it. */
  RAW_14: 14,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/** Decodes `rec` into `view` (reset first) and returns, also in `view.result`, what it is. */
export function decode(rec: PacketRecord, view: PacketView, events: DecodeEvents): DecodeResult {
  view.reset();
  const dv = dataViewOf(rec.data);
  const off = rec.offset;
  // Never read past the buffer, whatever the record claims.
  const capEnd = Math.min(off + rec.caplen, dv.byteLength);
  // A record with caplen > origlen (a damaged file) still had at least caplen bytes.
  const wireEnd = off + Math.max(rec.origlen, rec.caplen);
  view.direction = rec.direction;
  view.length = rec.origlen;
  view.truncated = rec.caplen < rec.origlen;
  let r: DecodeResult;
  switch (rec.linktype) {
    case Linktype.ETHERNET:
      r = decodeEthernet(dv, off, capEnd, wireEnd, view, events);
      break;
    case Linktype.LINUX_SLL:
      r = decodeSll(dv, off, capEnd, wireEnd, view, events);
      break;
    case Linktype.LINUX_SLL2:
      r = decodeSll2(dv, off, capEnd, wireEnd, view, events);
      break;
    case Linktype.RAW:
    case Linktype.RAW_12:
    case Linktype.RAW_14:
      r = decodeRaw(dv, off, capEnd, wireEnd, view, events);
      break;
    case Linktype.IPV4:
      r = decodeIpv4Only(dv, off, capEnd, wireEnd, view, events);
      break;
    case Linktype.IPV6:
      r = skipIpv6(view, events);
      break;
    case Linktype.NULL:
    case Linktype.LOOP:
      r = decodeNull(dv, off, capEnd, wireEnd, view, events);
      break;
    default:
      r = stop(view, events, events.linktype(rec.linktype), DecodeResult.SKIPPED);
  }
  view.result = r;
  return r;
}
