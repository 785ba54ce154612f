/**
 * Linux cooked captures (`tcpdump -i any`): LINKTYPE_LINUX_SLL (113) and LINKTYPE_LINUX_SLL2
 * (276), as libpcap's pcap-linux.c writes them. The packet type (sll_pkttype) gives the
 * direction, SLL2 adds the interface index. The protocol field is an ethertype; libpcap
 * re-inserts a VLAN tag that the kernel had stripped right after it (SLL: TPID in the
 * protocol field, TCI and the real protocol after the header), so the ethertype chain
 * applies unchanged.
 *
 *   SLL  (16 bytes): pkttype u16, hatype u16, halen u16, addr[8], protocol u16
 *   SLL2 (20 bytes): protocol u16, reserved u16, ifindex u32, hatype u16, pkttype u8,
 *                    halen u8, addr[8]
 */
import { u48 } from './bytes.js';
import { decodeEthertype } from './ethernet.js';
import { Ev, type DecodeEvents } from './events.js';
import { DecodeResult, stop, type PacketView } from './view.js';

/** linux/if_packet.h packet types. */
export const PacketType = {
  HOST: 0,
  BROADCAST: 1,
  MULTICAST: 2,
  OTHERHOST: 3,
  OUTGOING: 4,
} as const;

export function decodeSll(
  dv: DataView,
  off: number,
  capEnd: number,
  wireEnd: number,
  view: PacketView,
  events: DecodeEvents,
): DecodeResult {
  if (wireEnd - off < 16) return stop(view, events, Ev.SLL_TOO_SHORT, DecodeResult.MALFORMED);
  if (capEnd - off < 16) return stop(view, events, Ev.SLL_TRUNCATED, DecodeResult.TRUNCATED);
  linkInfo(view, dv.getUint16(off), dv.getUint16(off + 2), dv.getUint16(off + 4), dv, off + 6);
  return decodeEthertype(dv, dv.getUint16(off + 14), off + 16, capEnd, wireEnd, view, events);
}

export function decodeSll2(
  dv: DataView,
  off: number,
  capEnd: number,
  wireEnd: number,
  view: PacketView,
  events: DecodeEvents,
): DecodeResult {
  if (wireEnd - off < 20) return stop(view, events, Ev.SLL2_TOO_SHORT, DecodeResult.MALFORMED);
  if (capEnd - off < 20) return stop(view, events, Ev.SLL2_TRUNCATED, DecodeResult.TRUNCATED);
  view.ifindex = dv.getUint32(off + 4);
  linkInfo(view, dv.getUint8(off + 10), dv.getUint16(off + 8), dv.getUint8(off + 11), dv, off + 12);
  return decodeEthertype(dv, dv.getUint16(off), off + 20, capEnd, wireEnd, view, events);
}

function linkInfo(view: PacketView, pktType: number, hatype: number, halen: number, dv: DataView, addr: number): void {
  view.pktType = pktType;
  view.arphrd = hatype;
  if (halen === 6) view.srcMac = u48(dv, addr);
  // The record's own direction (pcapng epb_flags) wins; else the packet type tells.
  if (view.direction === 0) {
    if (pktType === PacketType.OUTGOING) view.direction = 2;
    else if (pktType <= PacketType.OTHERHOST) view.direction = 1;
  }
}
