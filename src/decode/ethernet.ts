/**
 * Ethernet II (LINKTYPE_ETHERNET 1) and the ethertype chain shared with the Linux cooked
 * headers: any number of 802.1Q (0x8100), 802.1ad (0x88a8) or pre-standard QinQ (0x9100)
 * tags, each a TCI (PCP 3 bits, DEI 1, VID 12) and the next ethertype; the outer two tags
 * are kept in the view.
 */
import { u48 } from './bytes.js';
import { Ev, type DecodeEvents } from './events.js';
import { decodeIpv4 } from './ipv4.js';
import { DecodeResult, stop, type PacketView } from './view.js';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;

export function decodeEthernet(
  dv: DataView,
  off: number,
  capEnd: number,
  wireEnd: number,
  view: PacketView,
  events: DecodeEvents,
): DecodeResult {
  if (wireEnd - off < 14) return stop(view, events, Ev.ETH_TOO_SHORT, DecodeResult.MALFORMED);
  if (capEnd - off < 14) return stop(view, events, Ev.ETH_TRUNCATED, DecodeResult.TRUNCATED);
  view.dstMac = u48(dv, off);
  view.srcMac = u48(dv, off + 6);
  return decodeEthertype(dv, dv.getUint16(off + 12), off + 14, capEnd, wireEnd, view, events);
}

/**
 * Dispatches on `type`, whose payload starts at `next`: VLAN tags are unwrapped, IPv4 is
 * decoded, ARP and IPv6 are skipped under their own events, the rest as other ethertypes.
 */
export function decodeEthertype(
  dv: DataView,
  type: number,
  next: number,
  capEnd: number,
  wireEnd: number,
  view: PacketView,
  events: DecodeEvents,
): DecodeResult {
  let t = type;
  let p = next;
  while (t === 0x8100 || t === 0x88a8 || t === 0x9100) {
    if (wireEnd - p < 4) return stop(view, events, Ev.VLAN_TOO_SHORT, DecodeResult.MALFORMED);
    if (capEnd - p < 4) return stop(view, events, Ev.VLAN_TRUNCATED, DecodeResult.TRUNCATED);
    const tci = dv.getUint16(p);
    if (view.vlanCount === 0) {
      view.vlanOuterTpid = t;
      view.vlanOuterPcp = tci >> 13;
      view.vlanOuterDei = (tci >> 12) & 1;
      view.vlanOuterId = tci & 0x0fff;
    } else if (view.vlanCount === 1) {
      view.vlanInnerTpid = t;
      view.vlanInnerPcp = tci >> 13;
      view.vlanInnerDei = (tci >> 12) & 1;
      view.vlanInnerId = tci & 0x0fff;
    }
    view.vlanCount++;
    t = dv.getUint16(p + 2);
    p += 4;
  }
  view.ethertype = t;
  switch (t) {
    case ETHERTYPE_IPV4:
      return decodeIpv4(dv, p, capEnd, wireEnd, view, events);
    case ETHERTYPE_ARP:
      return stop(view, events, Ev.SKIP_ARP, DecodeResult.SKIPPED);
    case ETHERTYPE_IPV6:
      return stop(view, events, Ev.SKIP_IPV6, DecodeResult.SKIPPED);
    default:
      return stop(view, events, Ev.SKIP_OTHER_ETHERTYPE, DecodeResult.SKIPPED);
  }
}
