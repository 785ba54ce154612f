/**
 * The match space: the packets a rule matches, as a union of boxes — products of one set per
 * packet attribute (source, destination, protocol, ports, TCP flags, ICMP type and code,
 * connection state, marks, length, TTL, TOS, address types, interfaces). An attribute is any
 * function of the packet as the rule sees it; attributes that depend on one another (an
 * address and its route type) are still separate dimensions: a box then also describes
 * points no packet has, which only makes the answers below more cautious.
 *
 * Each extension's parsed model (src/rules/ext/*.ts) is read as its match function reads
 * the packet. A match this module does not describe leaves the box as it was and marks the
 * region inexact: it may then match anything the rest allows, and it can never be shown to
 * contain another rule. Matches whose evaluation changes state (limit, statistic, recent...)
 * or that may drop the packet in ways not described here pin the rule in place (`pins`).
 *
 * Beside the packets it matches, a rule has the packets it hotdrops: tcp_mt, udp_mt,
 * icmp_match and multiport_mt drop a packet too short for the header they read
 * (xt_action_param.hotdrop: ipt_do_table returns NF_DROP at once). Those regions are as
 * exact as the matches before them.
 */
import type { ConntrackState } from '../rules/ext/conntrack.js';
import { CT, CT_STATE } from '../rules/ext/conntrack.js';
import type { AddrtypeState } from '../rules/ext/addrtype.js';
import type { ConnmarkMatchState } from '../rules/ext/connmark.match.js';
import type { DscpMatchState } from '../rules/ext/dscp.match.js';
import type { IcmpState } from '../rules/ext/icmp.js';
import type { IprangeState } from '../rules/ext/iprange.js';
import type { LengthState } from '../rules/ext/length.js';
import type { MarkMatchState } from '../rules/ext/mark.match.js';
import type { MultiportState } from '../rules/ext/multiport.js';
import type { PortRange } from '../rules/ext/common/ports.js';
import type { TcpState } from '../rules/ext/tcp.js';
import type { TosMatchState } from '../rules/ext/tos.match.js';
import type { TtlMatchState } from '../rules/ext/ttl.match.js';
import type { UdpState } from '../rules/ext/udp.js';
import type { IpEntry, MatchInstance, Rule } from '../rules/model.js';
import { STATEFUL_MATCHES } from '../engine/parallel.js';
import {
  ANY_CUBE,
  complement,
  cubeSetIntersects,
  cubeSetMeet,
  cubeSetOf,
  cubeSetSubset,
  ifaceIntersects,
  ifaceSubset,
  intersect,
  intersects,
  interval,
  minus,
  subset,
  unionOf,
  where,
  type CubeSet,
  type IfaceSet,
  type Intervals,
} from './sets.js';

/** The numeric attributes, each with its domain. */
export const Dim = {
  SRC: 0,
  DST: 1,
  PROTO: 2,
  /** Fragment offset class: 0 none, 1 eight bytes (tcp_mt's "evil" one), 2 any other. */
  FRAG: 3,
  /** Layer-4 length on the wire and bytes of it captured (-1 for later fragments). */
  L4LEN: 4,
  L4CAP: 5,
  /** The first two 16-bit words of the layer-4 header. */
  SPORT: 6,
  DPORT: 7,
  TCPFLAGS: 8,
  /** ICMP type << 8 | code. */
  ICMP: 9,
  /** CtAtom: what conntrack_mt's state test sees. */
  CTSTATE: 10,
  /** The packet's length as rules count it (pkt.length). */
  LENGTH: 11,
  TTL: 12,
  TOS: 13,
  /** addrtype: the RTN type of the source / destination, looked up on any, the in or the out device. */
  SRC_TYPE: 14,
  SRC_TYPE_IN: 15,
  SRC_TYPE_OUT: 16,
  DST_TYPE: 17,
  DST_TYPE_IN: 18,
  DST_TYPE_OUT: 19,
} as const;
export const DIMS = 20;

const U32 = 0xffffffff;
const DOMAIN: ReadonlyArray<readonly [number, number]> = [
  [0, U32],
  [0, U32],
  [0, 255],
  [0, 2],
  [-1, U32],
  [-1, U32],
  [0, 0xffff],
  [0, 0xffff],
  [0, 255],
  [0, 0xffff],
  [0, 13],
  [0, U32],
  [0, 255],
  [0, 255],
  [0, 31],
  [0, 31],
  [0, 31],
  [0, 31],
  [0, 31],
  [0, 31],
];

/**
 * Connection-state atoms: what XT_CONNTRACK_STATE_BIT gives a packet. INVALID and
 * UNTRACKED packets have no entry; a tracked one is ESTABLISHED, RELATED or NEW, with the
 * SNAT and DNAT bits of its entry's status (conntrack_mt).
 */
export const CT_ATOMS: readonly number[] = (() => {
  const atoms = [CT_STATE.INVALID, CT_STATE.UNTRACKED];
  for (const base of [CT_STATE.ESTABLISHED, CT_STATE.RELATED, CT_STATE.NEW]) {
    for (const nat of [0, CT_STATE.SNAT, CT_STATE.DNAT, CT_STATE.SNAT | CT_STATE.DNAT]) atoms.push(base | nat);
  }
  return atoms;
})();
/** Atoms of packets with a conntrack entry (connmark and the tuple tests need one). */
const TRACKED: Intervals = interval(2, CT_ATOMS.length - 1);

/** A product of sets, one per attribute; an absent one is the whole domain. */
export interface Box {
  num: Array<Intervals | undefined>;
  inIface: IfaceSet | undefined;
  outIface: IfaceSet | undefined;
  mark: CubeSet | undefined;
  ctmark: CubeSet | undefined;
}

/** A union of boxes; `exact`: exactly the packets described, else a superset of them. */
export interface Region {
  boxes: Box[];
  exact: boolean;
}

function anyBox(): Box {
  return { num: new Array<Intervals | undefined>(DIMS).fill(undefined), inIface: undefined, outIface: undefined, mark: undefined, ctmark: undefined };
}

function isEmptySet(s: Intervals | undefined): boolean {
  return s !== undefined && s.length === 0;
}

/** The box with dimension `dim` narrowed to `set`; undefined when that empties it. */
function narrowed(box: Box, dim: number, set: Intervals): Box | undefined {
  const cur = box.num[dim];
  const next = cur === undefined ? set : intersect(cur, set);
  if (next.length === 0) return undefined;
  const num = box.num.slice();
  num[dim] = next;
  return { ...box, num };
}

function meetOptional<T>(a: T | undefined, b: T | undefined, meet: (x: T, y: T) => T | undefined): { value: T | undefined; empty: boolean } {
  if (a === undefined) return { value: b, empty: false };
  if (b === undefined) return { value: a, empty: false };
  const m = meet(a, b);
  return { value: m, empty: m === undefined };
}

/**
 * The intersection of two boxes; undefined when provably empty. Only the generic part of a
 * rule tests interfaces, so at most one of the two has them.
 */
function meetBoxes(a: Box, b: Box): Box | undefined {
  const num = new Array<Intervals | undefined>(DIMS);
  for (let d = 0; d < DIMS; d++) {
    const x = a.num[d];
    const y = b.num[d];
    const v = x === undefined ? y : y === undefined ? x : intersect(x, y);
    if (v !== undefined && v.length === 0) return undefined;
    num[d] = v;
  }
  const mark = meetOptional(a.mark, b.mark, cubeSetMeet);
  const ctmark = meetOptional(a.ctmark, b.ctmark, cubeSetMeet);
  if (mark.empty || ctmark.empty) return undefined;
  return { num, inIface: a.inIface ?? b.inIface, outIface: a.outIface ?? b.outIface, mark: mark.value, ctmark: ctmark.value };
}

export function boxesIntersect(a: Box, b: Box): boolean {
  for (let d = 0; d < DIMS; d++) {
    const x = a.num[d];
    const y = b.num[d];
    if (x !== undefined && y !== undefined && !intersects(x, y)) return false;
  }
  if (a.inIface !== undefined && b.inIface !== undefined && !ifaceIntersects(a.inIface, b.inIface)) return false;
  if (a.outIface !== undefined && b.outIface !== undefined && !ifaceIntersects(a.outIface, b.outIface)) return false;
  if (a.mark !== undefined && b.mark !== undefined && !cubeSetIntersects(a.mark, b.mark)) return false;
  if (a.ctmark !== undefined && b.ctmark !== undefined && !cubeSetIntersects(a.ctmark, b.ctmark)) return false;
  return true;
}

/** a ⊆ b. */
export function boxInside(a: Box, b: Box): boolean {
  for (let d = 0; d < DIMS; d++) {
    const y = b.num[d];
    if (y === undefined) continue;
    const x = a.num[d];
    if (x === undefined || !subset(x, y)) return false;
  }
  if (b.inIface !== undefined && (a.inIface === undefined || !ifaceSubset(a.inIface, b.inIface))) return false;
  if (b.outIface !== undefined && (a.outIface === undefined || !ifaceSubset(a.outIface, b.outIface))) return false;
  if (b.mark !== undefined && (a.mark === undefined || !cubeSetSubset(a.mark, b.mark))) return false;
  if (b.ctmark !== undefined && (a.ctmark === undefined || !cubeSetSubset(a.ctmark, b.ctmark))) return false;
  return true;
}

/**
 * a \ b as boxes (the standard split: along each numeric dimension b narrows, the part of a
 * outside b there, inside b on the dimensions before). Undefined when b narrows an
 * interface or a mark beyond a: such differences are not boxes here.
 */
export function boxMinus(a: Box, b: Box): Box[] | undefined {
  if (!boxesIntersect(a, b)) return [a];
  if (b.inIface !== undefined && (a.inIface === undefined || !ifaceSubset(a.inIface, b.inIface))) return undefined;
  if (b.outIface !== undefined && (a.outIface === undefined || !ifaceSubset(a.outIface, b.outIface))) return undefined;
  if (b.mark !== undefined && (a.mark === undefined || !cubeSetSubset(a.mark, b.mark))) return undefined;
  if (b.ctmark !== undefined && (a.ctmark === undefined || !cubeSetSubset(a.ctmark, b.ctmark))) return undefined;
  const out: Box[] = [];
  let rest: Box = a;
  for (let d = 0; d < DIMS; d++) {
    const y = b.num[d];
    if (y === undefined) continue;
    const [lo, hi] = DOMAIN[d]!;
    const x = rest.num[d] ?? interval(lo, hi);
    const outside = minus(x, y);
    if (outside.length > 0) {
      const num = rest.num.slice();
      num[d] = outside;
      out.push({ ...rest, num });
    }
    const inside = intersect(x, y);
    const num = rest.num.slice();
    num[d] = inside;
    rest = { ...rest, num };
  }
  return out;
}

/** mayIntersect: false only when no packet can be in both. */
export function mayIntersect(a: Region, b: Region): boolean {
  for (const x of a.boxes) for (const y of b.boxes) if (boxesIntersect(x, y)) return true;
  return false;
}

/** covers: true only when every packet in b is provably in a. */
export function covers(a: Region, b: Region): boolean {
  if (!a.exact) return false;
  return b.boxes.every((y) => a.boxes.some((x) => boxInside(y, x)));
}

// ---- building a rule's regions ----------------------------------------------------------------

/** What one constraint adds: the boxes it allows (a union) and whether exactly. */
interface Constraint {
  boxes: Box[];
  exact: boolean;
}

/** What a match contributes: its constraint, the packets it hotdrops, or why it pins the rule. */
type MatchEffect = { constraint: Constraint; hotdrop?: Box[] } | { pin: string };

const NO_CONSTRAINT: Constraint = { boxes: [anyBox()], exact: true };
const UNKNOWN: Constraint = { boxes: [anyBox()], exact: false };

function boxWith(sets: ReadonlyArray<readonly [number, Intervals]>): Box[] {
  let box: Box | undefined = anyBox();
  for (const [d, s] of sets) {
    box = narrowed(box, d, s);
    if (box === undefined) return [];
  }
  return [box];
}

function exactly(sets: ReadonlyArray<readonly [number, Intervals]>): Constraint {
  return { boxes: boxWith(sets), exact: true };
}

/**
 * {a : (a & mask) == value}, or its complement, over an address dimension: undefined for
 * every address. A contiguous mask (a prefix) is one interval; iptables also takes dotted
 * masks with holes, described by their hull (inexactly).
 */
function addressSet(value: number, mask: number, invert: boolean): { set: Intervals | undefined; exact: boolean } {
  value >>>= 0;
  mask >>>= 0;
  if (mask === 0 && value === 0) return { set: invert ? [] : undefined, exact: true };
  // Bits outside the mask can never compare equal.
  if ((value & ~mask) >>> 0 !== 0) return { set: invert ? undefined : [], exact: true };
  const host = ~mask >>> 0;
  const inside = interval(value, (value | host) >>> 0);
  if ((host & (host + 1)) !== 0) return invert ? { set: undefined, exact: false } : { set: inside, exact: false };
  return { set: invert ? complement(inside, 0, U32) : inside, exact: true };
}

function ifaceTest(text: string, invert: boolean): IfaceSet | 'any' | 'none' {
  // "" and a bare "+" compare no byte (xtables_parse_interface): every name, or none negated.
  if (text === '' || text === '+') return invert ? 'none' : 'any';
  const prefix = text.endsWith('+');
  return { name: prefix ? text.slice(0, -1) : text, prefix, invert };
}

/** ip_packet_match's tests as a box (the generic part of the rule). */
function ipEntryBox(ip: IpEntry): Constraint {
  const src = addressSet(ip.src, ip.smsk, ip.invSrc);
  const dst = addressSet(ip.dst, ip.dmsk, ip.invDst);
  const exact = src.exact && dst.exact;
  const parts: Array<[number, Intervals]> = [];
  if (src.set !== undefined) parts.push([Dim.SRC, src.set]);
  if (dst.set !== undefined) parts.push([Dim.DST, dst.set]);
  if (ip.proto !== 0) {
    const one = interval(ip.proto, ip.proto);
    parts.push([Dim.PROTO, ip.invProto ? complement(one, 0, 255) : one]);
  }
  // A rule matches unless (fragment && offset == 0) differs from its inversion flag.
  if (ip.fragment || ip.invFrag) parts.push([Dim.FRAG, !ip.fragment ? [] : ip.invFrag ? interval(0, 0) : interval(1, 2)]);
  const boxes = boxWith(parts);
  const inIface = ifaceTest(ip.iniface, ip.invIn);
  const outIface = ifaceTest(ip.outiface, ip.invOut);
  if (boxes.length === 0 || inIface === 'none' || outIface === 'none') return { boxes: [], exact };
  boxes[0]!.inIface = inIface === 'any' ? undefined : inIface;
  boxes[0]!.outIface = outIface === 'any' ? undefined : outIface;
  return { boxes, exact };
}

function rangeSet(dim: number, min: number, max: number, invert: boolean): Intervals {
  const [lo, hi] = DOMAIN[dim]!;
  const inside = interval(min, max);
  return invert ? complement(inside, lo, hi) : inside;
}

function portSet(dim: number, r: PortRange): Intervals {
  return rangeSet(dim, r.min, r.max, r.invert);
}

/** Not a later fragment, with `need` bytes of layer-4 header on the wire and captured. */
function headerPresent(need: number): Array<[number, Intervals]> {
  return [
    [Dim.FRAG, interval(0, 0)],
    [Dim.L4LEN, interval(need, U32)],
    [Dim.L4CAP, interval(need, U32)],
  ];
}

/** The header is shorter than `need` on the wire: skb_header_pointer fails and the match hotdrops. */
function headerShort(need: number): Box[] {
  return boxWith([
    [Dim.FRAG, interval(0, 0)],
    [Dim.L4LEN, interval(-1, need - 1)],
  ]);
}

/** tcp_mt (xt_tcpudp.c): a later fragment at offset 8 and a header under 20 bytes are dropped. */
function tcpEffect(s: TcpState): MatchEffect {
  if (s.option !== 0) return { pin: 'tcp --tcp-option (drops packets with bad option lengths)' };
  const flags = where(0, 255, (f) => ((f & s.flagMask) === s.flagCmp) !== s.invFlags);
  return {
    constraint: exactly([...headerPresent(20), [Dim.SPORT, portSet(Dim.SPORT, s.sport)], [Dim.DPORT, portSet(Dim.DPORT, s.dport)], [Dim.TCPFLAGS, flags]]),
    hotdrop: [...boxWith([[Dim.FRAG, interval(1, 1)]]), ...headerShort(20)],
  };
}

function udpEffect(s: UdpState): MatchEffect {
  return {
    constraint: exactly([...headerPresent(8), [Dim.SPORT, portSet(Dim.SPORT, s.sport)], [Dim.DPORT, portSet(Dim.DPORT, s.dport)]]),
    hotdrop: headerShort(8),
  };
}

function icmpEffect(s: IcmpState): MatchEffect {
  // Type 0xff ("any") matches every type and code; a reversed code range none.
  const hit = s.type === 0xff ? interval(0, 0xffff) : interval((s.type << 8) | s.codeMin, (s.type << 8) | s.codeMax);
  return {
    constraint: exactly([...headerPresent(8), [Dim.ICMP, s.invert ? complement(hit, 0, 0xffff) : hit]]),
    hotdrop: headerShort(8),
  };
}

/** multiport_mt: the ports are the first 4 bytes of the layer-4 header; fewer on the wire is a drop. */
function multiportEffect(s: MultiportState): MatchEffect {
  const ports = unionOf(s.items.map((it) => [it.min, it.max] as const));
  const base = headerPresent(4);
  const side = (dim: number): Array<[number, Intervals]> => [...base, [dim, s.invert ? complement(ports, 0, 0xffff) : ports]];
  let constraint: Constraint;
  if (s.direction === 'source') constraint = exactly(side(Dim.SPORT));
  else if (s.direction === 'destination') constraint = exactly(side(Dim.DPORT));
  // Either port: a union of two boxes; negated, neither port (one box).
  else if (s.invert) constraint = exactly([...side(Dim.SPORT), [Dim.DPORT, complement(ports, 0, 0xffff)]]);
  else constraint = { boxes: [...boxWith(side(Dim.SPORT)), ...boxWith(side(Dim.DPORT))], exact: true };
  return { constraint, hotdrop: headerShort(4) };
}

/** conntrack_mt's state test; the tuple, status, expiry and direction tests are not described. */
function conntrackEffect(s: ConntrackState): MatchEffect {
  const stateOnly = (s.matchFlags & ~(CT.STATE | CT.STATE_ALIAS)) === 0;
  if (s.matchFlags & CT.STATE) {
    const inv = (s.invertFlags & CT.STATE) !== 0;
    const atoms = where(0, CT_ATOMS.length - 1, (a) => ((s.stateMask & CT_ATOMS[a]!) !== 0) !== inv);
    // Without an entry only the state test counts (conntrack_mt returns its answer).
    return { constraint: { boxes: boxWith([[Dim.CTSTATE, atoms]]), exact: stateOnly } };
  }
  // No state test: a packet without an entry never matches.
  return { constraint: { boxes: boxWith([[Dim.CTSTATE, TRACKED]]), exact: stateOnly } };
}

/** (mark & mask) == value, or its negation; undefined when nothing matches. */
function markBox(value: number, mask: number, invert: boolean): CubeSet | undefined {
  // A value with bits outside the mask never compares equal.
  if ((value & ~mask) >>> 0 !== 0) return invert ? { pos: ANY_CUBE, negs: [] } : undefined;
  const cube = { value: value >>> 0, mask: mask >>> 0 };
  return invert ? cubeSetOf(ANY_CUBE, [cube]) : cubeSetOf(cube, []);
}

function markEffect(s: MarkMatchState): MatchEffect {
  const mark = markBox(s.value, s.mask, s.invert);
  if (mark === undefined) return { constraint: { boxes: [], exact: true } };
  return { constraint: { boxes: [{ ...anyBox(), mark }], exact: true } };
}

function connmarkEffect(s: ConnmarkMatchState): MatchEffect {
  const ctmark = markBox(s.value, s.mask, s.invert);
  if (ctmark === undefined) return { constraint: { boxes: [], exact: true } };
  const boxes = boxWith([[Dim.CTSTATE, TRACKED]]);
  boxes[0]!.ctmark = ctmark;
  return { constraint: { boxes, exact: true } };
}

function iprangeEffect(s: IprangeState): MatchEffect {
  const parts: Array<[number, Intervals]> = [];
  if (s.src) parts.push([Dim.SRC, rangeSet(Dim.SRC, s.src.min, s.src.max, s.src.invert)]);
  if (s.dst) parts.push([Dim.DST, rangeSet(Dim.DST, s.dst.min, s.dst.max, s.dst.invert)]);
  return { constraint: exactly(parts) };
}

function ttlEffect(s: TtlMatchState): MatchEffect {
  const t = s.ttl;
  const set = s.mode === 'eq' ? interval(t, t) : s.mode === 'ne' ? complement(interval(t, t), 0, 255) : s.mode === 'lt' ? interval(0, t - 1) : interval(t + 1, 255);
  return { constraint: exactly([[Dim.TTL, set]]) };
}

function addrtypeEffect(s: AddrtypeState): MatchEffect {
  // The in device wins when both limits are given (addrtype_mt_v1).
  const off = s.limitIfaceIn ? 1 : s.limitIfaceOut ? 2 : 0;
  const parts: Array<[number, Intervals]> = [];
  if (s.source) parts.push([Dim.SRC_TYPE + off, where(0, 31, (t) => ((s.source & (1 << t)) !== 0) !== s.invertSource)]);
  if (s.dest) parts.push([Dim.DST_TYPE + off, where(0, 31, (t) => ((s.dest & (1 << t)) !== 0) !== s.invertDest)]);
  return { constraint: exactly(parts) };
}

/** Matches that drop packets (hotdrop) in ways not described here, beside the four above. */
export const UNDESCRIBED_HOTDROP: ReadonlySet<string> = new Set(['esp', 'sctp', 'tcpmss', 'hashlimit']);

/** What the match named `m.ext.name` contributes. */
function matchEffect(m: MatchInstance): MatchEffect {
  const s = m.state;
  const name = m.ext.name;
  if (STATEFUL_MATCHES.has(name) || m.ext.instantiate !== undefined) return { pin: `${name} (its state changes as packets are tested)` };
  if (UNDESCRIBED_HOTDROP.has(name)) return { pin: `${name} (may drop packets it cannot parse)` };
  switch (name) {
    case 'tcp':
      return tcpEffect(s as TcpState);
    case 'udp':
      return udpEffect(s as UdpState);
    case 'icmp':
      return icmpEffect(s as IcmpState);
    case 'multiport':
      return multiportEffect(s as MultiportState);
    case 'conntrack':
    case 'state':
      return conntrackEffect(s as ConntrackState);
    case 'mark':
      return markEffect(s as MarkMatchState);
    case 'connmark':
      return connmarkEffect(s as ConnmarkMatchState);
    case 'iprange':
      return iprangeEffect(s as IprangeState);
    case 'length': {
      const l = s as LengthState;
      return { constraint: exactly([[Dim.LENGTH, rangeSet(Dim.LENGTH, l.min, l.max, l.invert)]]) };
    }
    case 'ttl':
      return ttlEffect(s as TtlMatchState);
    case 'dscp': {
      const d = s as DscpMatchState;
      return { constraint: exactly([[Dim.TOS, where(0, 255, (t) => (t >> 2 === d.dscp) !== d.invert)]]) };
    }
    case 'tos': {
      const t = s as TosMatchState;
      return { constraint: exactly([[Dim.TOS, where(0, 255, (v) => ((v & t.mask) === t.value) !== t.invert)]]) };
    }
    case 'addrtype':
      return addrtypeEffect(s as AddrtypeState);
    case 'comment':
      return { constraint: NO_CONSTRAINT };
    default:
      return { constraint: UNKNOWN };
  }
}

/** Every box of `a` met with every box of `b`. */
function meetAll(a: readonly Box[], b: readonly Box[]): Box[] {
  const out: Box[] = [];
  for (const x of a) {
    for (const y of b) {
      const m = meetBoxes(x, y);
      if (m !== undefined) out.push(m);
    }
  }
  return out;
}

/** A rule's packets: those it matches, those it hotdrops, and what pins it in place. */
export interface RuleSpace {
  match: Region;
  hotdrop: Region;
  /** Matches whose evaluation has effects of its own (the rule then keeps its place). */
  pins: string[];
}

/**
 * The rule's regions as ipt_do_table evaluates it: the generic part, then each match in
 * order; a match's hotdrop region is met with what the rule matched before it.
 */
export function ruleSpace(rule: Rule): RuleSpace {
  const ip = ipEntryBox(rule.ip);
  let boxes = ip.boxes;
  let exact = ip.exact;
  const hotdrop: Box[] = [];
  let hotdropExact = true;
  const pins: string[] = [];
  for (const m of rule.matches) {
    const e = matchEffect(m);
    if ('pin' in e) {
      pins.push(e.pin);
      exact = false;
      continue;
    }
    if (e.hotdrop !== undefined) {
      hotdrop.push(...meetAll(boxes, e.hotdrop));
      hotdropExact &&= exact;
    }
    boxes = meetAll(boxes, e.constraint.boxes);
    exact &&= e.constraint.exact;
  }
  return { match: { boxes, exact }, hotdrop: { boxes: hotdrop, exact: hotdropExact }, pins };
}

/** The smallest and largest value a region may have on a numeric dimension (for indexes). */
export function hull(boxes: readonly Box[], dim: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  const [dlo, dhi] = DOMAIN[dim]!;
  for (const b of boxes) {
    const s = b.num[dim];
    if (s === undefined) return [dlo, dhi];
    if (isEmptySet(s)) continue;
    lo = Math.min(lo, s[0]!);
    hi = Math.max(hi, s[s.length - 1]!);
  }
  return [lo, hi];
}
