/**
 * The NAT targets' kernel functions (net/netfilter/xt_nat.c, xt_MASQUERADE.c,
 * xt_REDIRECT.c, nf_nat_masquerade.c, nf_nat_redirect.c): each resolves its range and asks
 * the NAT core to map the connection of the first packet; the table verdict is ACCEPT.
 */
import { Verdict, type PacketState } from '../../../engine/packet.js';
import type { ReplayRuntime } from '../../../engine/runtime.js';
import { NAT_MAP_IPS, type NatRange } from '../natrange.js';

const SRC = 0;
const DST = 1;
const LOOPBACK = 0x7f000001;

/**
 * `r` mapping to the single address `addr` (ports and flags kept), in one range reused for
 * every connection: the NAT core reads a range only while it sets the binding up.
 */
function toAddress(r: NatRange, addr: number): NatRange {
  single.flags = r.flags | NAT_MAP_IPS;
  single.minAddr = single.maxAddr = addr >>> 0;
  single.minPort = r.minPort;
  single.maxPort = r.maxPort;
  single.basePort = r.basePort;
  return single;
}

const single: NatRange = { flags: 0, minAddr: 0, maxAddr: 0, minPort: 0, maxPort: 0, basePort: 0 };

function setup(rt: ReplayRuntime, pkt: PacketState, range: NatRange, manip: 0 | 1): Verdict {
  if (rt.nat === undefined || pkt.ct === null) {
    rt.note('nat.without_conntrack');
    return Verdict.ACCEPT;
  }
  rt.nat.setup(pkt, range, manip);
  return Verdict.ACCEPT;
}

/** xt_snat_target_v2. */
export const snat = (r: NatRange, pkt: PacketState, rt: ReplayRuntime): Verdict => setup(rt, pkt, r, SRC);

/** xt_dnat_target_v2. */
export const dnat = (r: NatRange, pkt: PacketState, rt: ReplayRuntime): Verdict => setup(rt, pkt, r, DST);

/**
 * nf_nat_masquerade_ipv4(): the source becomes the address the host would pick on the
 * egress interface for the route's next hop (inet_select_addr); none means NF_DROP.
 */
export function masquerade(r: NatRange, pkt: PacketState, rt: ReplayRuntime): Verdict {
  const dst = pkt.view.dstAddr >>> 0;
  const route = rt.host.route(dst);
  const nextHop = route !== undefined && route.via !== 0 ? route.via >>> 0 : dst;
  const addr = rt.host.selectSourceAddress?.(pkt.outIface, nextHop) ?? 0;
  if (addr === 0) return Verdict.DROP;
  return setup(rt, pkt, toAddress(r, addr), SRC);
}

/**
 * nf_nat_redirect_ipv4(): to the host itself: 127.0.0.1 for its own packets (OUTPUT),
 * else the first address of the arrival interface; an interface without one drops.
 */
export function redirect(r: NatRange, pkt: PacketState, rt: ReplayRuntime): Verdict {
  let addr = LOOPBACK;
  if (pkt.hook !== 'OUTPUT') {
    addr = rt.host.interfaceByName(pkt.inIface)?.addrs[0]?.addr ?? 0;
    if (addr === 0) return Verdict.DROP;
  }
  return setup(rt, pkt, toAddress(r, addr), DST);
}

/**
 * netmap_tg_v4(): the address keeps its host part and takes the rule's network part
 * (destination at PREROUTING and OUTPUT, source at INPUT and POSTROUTING).
 */
export function netmap(r: NatRange, pkt: PacketState, rt: ReplayRuntime): Verdict {
  const dst = pkt.hook === 'PREROUTING' || pkt.hook === 'OUTPUT';
  const netmask = ~(r.minAddr ^ r.maxAddr);
  const addr = ((dst ? pkt.view.dstAddr : pkt.view.srcAddr) & ~netmask) | (r.minAddr & netmask);
  return setup(rt, pkt, toAddress(r, addr >>> 0), dst ? DST : SRC);
}
