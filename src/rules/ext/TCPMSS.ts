/**
 * TCPMSS target (libxt_TCPMSS / kernel xt_TCPMSS): rewrites the MSS option of TCP SYN
 * packets, to a fixed value or to the route's path MTU minus 40.
 */
import type { HostModel } from '../../netfilter/host.js';
import { Verdict, type PacketState } from '../../engine/packet.js';
import type { ReplayRuntime } from '../../engine/runtime.js';
import { ParamError } from '../errors.js';
import type { Hook, MatchInstance } from '../model.js';
import { parseXtUint } from './common/numbers.js';
import type { TcpState } from './tcp.js';
import { defineTarget, type KernelContext } from './types.js';

export interface TcpmssState {
  /** --clamp-mss-to-pmtu (the kernel's mss 0xffff); otherwise `mss` is set. */
  clampToPmtu: boolean;
  mss: number;
}

/** tcpmss_tg4_check: clamping needs a route, known from these hooks only. */
const CLAMP_HOOKS: readonly Hook[] = ['FORWARD', 'OUTPUT', 'POSTROUTING'];

/** The rule's matches, which the kernel check walks (KernelContext.matches). */
type WithMatches = KernelContext & { readonly matches?: readonly MatchInstance[] };

/** find_syn_match: a tcp match whose flag comparison includes SYN and is not inverted. */
function hasSynMatch(matches: readonly MatchInstance[]): boolean {
  return matches.some((m) => {
    if (m.ext.name !== 'tcp') return false;
    const tcp = m.state as TcpState;
    return (tcp.flagCmp & 0x02) !== 0 && !tcp.invFlags;
  });
}

/** sizeof(struct iphdr) + sizeof(struct tcphdr): what clamping subtracts from the MTU. */
const MIN_LEN = 40;
/** RFC 1122's default MSS, the most an added option may announce. */
const DEFAULT_MSS = 536;
/** The loopback device's MTU: the route back to a local source goes through it. */
const LOOPBACK_MTU = 65536;

/**
 * The MSS --clamp-mss-to-pmtu sets: the smaller of the route MTU the packet leaves by and
 * the MTU of the route back to its source (tcpmss_reverse_mtu; no route there is no
 * limit), minus 40, as the u16 the kernel keeps. -1 when that leaves nothing: the kernel
 * drops the packet ("unknown or invalid path-MTU").
 */
export function clampedMss(egressMtu: number, reverseMtu: number): number {
  const mtu = Math.min(egressMtu, reverseMtu);
  return mtu <= MIN_LEN ? -1 : (mtu - MIN_LEN) & 0xffff;
}

/** What tcpmss_mangle_packet did to a segment. */
export interface MssRewrite {
  /** false: the packet is dropped (NF_DROP). */
  keep: boolean;
  /** Bytes the segment grew by: 4 when an MSS option was added, else 0. */
  grow: number;
  /** The MSS option the segment carries afterwards, or -1 for none. */
  mss: number;
}

/**
 * tcpmss_mangle_packet on a first-fragment TCP segment of `len` bytes (IP payload) whose
 * header is `hlen` bytes and whose options hold `oldMss` (-1: no MSS option), for the
 * target MSS `newMss`. An existing option is only ever lowered. A missing one is added
 * (at most 536) only when the segment has no payload and the header has room for it.
 * `out` is filled in and returned, so a packet allocates nothing.
 */
export function mangleMss(len: number, hlen: number, oldMss: number, newMss: number, out: MssRewrite): MssRewrite {
  out.keep = len >= 20 && len >= hlen && hlen >= 20;
  out.grow = 0;
  out.mss = oldMss;
  if (!out.keep) return out;
  if (oldMss >= 0) {
    if (oldMss > newMss) out.mss = newMss;
    return out;
  }
  if (len > hlen || hlen >= 60) return out;
  out.grow = 4;
  out.mss = Math.min(newMss, DEFAULT_MSS);
  return out;
}

/** dst_mtu of the route a packet to `addr` takes (local addresses through loopback). */
function routeMtu(host: HostModel, addr: number): number {
  if (host.isLocalAddress(addr)) return LOOPBACK_MTU;
  const route = host.route(addr);
  const dev = route && host.interfaceByName(route.dev);
  return dev ? dev.mtu : -1;
}

const rewrite: MssRewrite = { keep: true, grow: 0, mss: -1 };

/**
 * tcpmss_tg4. The segment's bytes stay as captured; the packet state carries the new MSS
 * (what a later tcpmss match sees) and the new length (what later rules count: the rule
 * itself already counted the old one).
 */
function tcpmssTarget(s: TcpmssState, pkt: PacketState, rt: ReplayRuntime): Verdict {
  const v = pkt.view;
  // A later fragment has no TCP header to change.
  if (v.fragOffset !== 0) return Verdict.CONTINUE;
  const len = pkt.length - v.ihl * 4;
  if (len < 20) return Verdict.DROP;
  if (v.l4Captured < 20) return unknown(rt);
  const hlen = v.tcpDataOffset * 4;
  if (len < hlen || hlen < 20) return Verdict.DROP;
  if (v.l4Captured < hlen) return unknown(rt);
  let newMss = s.mss;
  if (s.clampToPmtu) {
    const host = rt.host;
    const out = pkt.outIface !== '' ? host.interfaceByName(pkt.outIface) : undefined;
    const egress = out ? out.mtu : routeMtu(host, v.dstAddr);
    const back = routeMtu(host, v.srcAddr);
    newMss = clampedMss(egress < 0 ? 0xffffffff : egress, back < 0 ? 0xffffffff : back);
    if (newMss < 0) return Verdict.DROP;
  }
  // An option this target added earlier is in the state, not in the captured header.
  const r = mangleMss(len, pkt.tcpMss >= 0 && v.tcpMss < 0 ? hlen + 4 : hlen, pkt.tcpMss, newMss, rewrite);
  pkt.length += r.grow;
  pkt.tcpMss = r.mss;
  return Verdict.CONTINUE;
}

/** The snaplen cut the header: the kernel's rewrite cannot be known. */
function unknown(rt: ReplayRuntime): Verdict {
  rt.note('tcpmss.unknown');
  return Verdict.CONTINUE;
}

export const TCPMSS = defineTarget<TcpmssState>({
  name: 'TCPMSS',
  modelled: true,
  // No exclusion between the two: the later one wins, as both write the same field.
  options: [
    { name: 'set-mss', arg: 'required' },
    { name: 'clamp-mss-to-pmtu', arg: 'none' },
  ],
  proto: 6,
  create: () => ({ clampToPmtu: false, mss: 0 }),
  parse(s, call) {
    if (call.name === 'clamp-mss-to-pmtu') {
      s.clampToPmtu = true;
      return;
    }
    // 65535 - sizeof(struct iphdr): the largest MSS an IPv4 packet can carry.
    s.mss = parseXtUint('TCPMSS', 'set-mss', call.arg ?? '', 0, 65515);
    s.clampToPmtu = false;
  },
  finalCheck(_s, ctx) {
    if (ctx.seen.size === 0) throw new ParamError('TCPMSS target: At least one parameter is required');
  },
  kernelCheck(s, ctx) {
    if (s.clampToPmtu && [...ctx.hooks].some((h) => !CLAMP_HOOKS.includes(h))) {
      return 'TCPMSS target: path-MTU clamping only supported in FORWARD, OUTPUT and POSTROUTING hooks';
    }
    const matches = (ctx as WithMatches).matches;
    if (matches && !hasSynMatch(matches)) return 'TCPMSS target: only works on TCP SYN packets (add a --tcp-flags or --syn match)';
    return undefined;
  },
  save: (s) => (s.clampToPmtu ? ' --clamp-mss-to-pmtu' : ` --set-mss ${s.mss}`),
  print: (s) => (s.clampToPmtu ? ' TCPMSS clamp to PMTU' : ` TCPMSS set ${s.mss}`),
  applyTarget: (s, pkt, rt) => tcpmssTarget(s, pkt, rt),
});
