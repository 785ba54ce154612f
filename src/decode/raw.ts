/**
 * Captures that start at the IP header: LINKTYPE_RAW (101, and the DLT_RAW values 12 and
 * 14 that some systems wrote into files) carries IPv4 or IPv6 told apart by the version
 * nibble; LINKTYPE_IPV4 (228) only IPv4, LINKTYPE_IPV6 (229) only IPv6.
 */
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from './ethernet.js';
import { Ev, type DecodeEvents } from './events.js';
import { decodeIpv4 } from './ipv4.js';
import { DecodeResult, stop, type PacketView } from './view.js';

export function decodeRaw(
  dv: DataView,
  off: number,
  capEnd: number,
  wireEnd: number,
  view: PacketView,
  events: DecodeEvents,
): DecodeResult {
  // Anything that is not version 6 goes to IPv4, whose version check names it.
  if (capEnd > off && dv.getUint8(off) >> 4 === 6) return skipIpv6(view, events);
  return decodeIpv4Only(dv, off, capEnd, wireEnd, view, events);
}

export function decodeIpv4Only(
  dv: DataView,
  off: number,
  capEnd: number,
  wireEnd: number,
  view: PacketView,
  events: DecodeEvents,
): DecodeResult {
  view.ethertype = ETHERTYPE_IPV4;
  return decodeIpv4(dv, off, capEnd, wireEnd, view, events);
}

export function skipIpv6(view: PacketView, events: DecodeEvents): DecodeResult {
  view.ethertype = ETHERTYPE_IPV6;
  return stop(view, events, Ev.SKIP_IPV6, DecodeResult.SKIPPED);
}
