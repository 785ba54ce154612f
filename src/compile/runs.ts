/**
 * Indexes for long runs of similar rules (kube-proxy's KUBE-SERVICES: thousands of
 * `-d VIP/32 -p tcp -m comment -m tcp --dport N -j KUBE-SVC-…`; an ACL of thousands of
 * source and destination prefixes). The kernel tests such a chain rule by rule; the
 * compiled matcher looks the packet's key up once (a hash of the exact key, or for an ACL
 * bit vectors by address and protocol: AddrIndex) and evaluates only the rules that can
 * match it, in order, with their full tests (none for a rule that tests nothing but its
 * hash key: isPure). That is exact because a rule outside the candidates cannot match and
 * its evaluation has no effect:
 *
 *  - ip_packet_match runs first and is pure: a rule with `-d X/32` (or `-s X/32`, or
 *    `-i name`, not inverted) fails it for any packet whose field differs, before any match
 *    (and its side effects: statistic's counter, limit's credits, recent's lists) runs;
 *  - for the port key, the rule's matches before the tcp/udp match are comments (always
 *    true, no effect), and the tcp/udp match tests the destination port only; tcp_mt and
 *    udp_mt (xt_tcpudp.c) then reduce to a port comparison for a first fragment whose
 *    header is complete. Other packets (later fragments, which these matches refuse or
 *    hotdrop, and headers cut short) are not looked up: the run is walked rule by rule.
 *
 * The key cannot change while the run is walked: targets that continue (MARK, LOG, TCPMSS,
 * TTL…) never rewrite addresses, protocol or ports; the ones that do (the NAT targets)
 * are terminal. Rules evaluated still count every rule the kernel would have tested.
 */
import type { TcpState } from '../rules/ext/tcp.js';
import type { UdpState } from '../rules/ext/udp.js';
import { MatchMode, type PreparedRule } from './prepare.js';

export const RunKind = {
  /** (destination address, protocol, destination port). */
  DPORT: 0,
  DST: 1,
  SRC: 2,
  /** Input interface name, exact. */
  IN: 3,
  /** Source and destination prefixes and protocol, through bit vectors (AddrIndex). */
  ADDR: 4,
} as const;
export type RunKind = (typeof RunKind)[keyof typeof RunKind];

const KINDS: readonly RunKind[] = [RunKind.DPORT, RunKind.DST, RunKind.SRC, RunKind.IN];

/** Shorter runs are cheaper tested in line than looked up. */
const MIN_RUN = 8;

export interface Run {
  kind: RunKind;
  /** Positions in the chain, end exclusive. */
  start: number;
  end: number;
}

const FULL = 0xffffffff;

function fullRange(r: { min: number; max: number; invert: boolean } | undefined): boolean {
  return r !== undefined && r.min === 0 && r.max === 0xffff && !r.invert;
}

function singlePort(r: { min: number; max: number; invert: boolean } | undefined): number {
  return r !== undefined && r.min === r.max && !r.invert ? r.min : -1;
}

/** The destination port a tcp/udp match instance tests alone, or -1. */
function onlyDport(name: string, state: unknown): number {
  if (name === 'tcp') {
    const s = state as Partial<TcpState>;
    if (!fullRange(s.sport) || s.flagMask !== 0 || s.flagCmp !== 0 || s.invFlags || s.option !== 0 || s.invOption) return -1;
    return singlePort(s.dport);
  }
  const s = state as Partial<UdpState>;
  return fullRange(s.sport) ? singlePort(s.dport) : -1;
}

/** The second half of a rule's port key, `proto << 16 | dport`, or -1 when it has none. */
function portKey(pr: PreparedRule): number {
  const ip = pr.rule.ip;
  if (ip.dmsk >>> 0 !== FULL || ip.invDst || ip.invProto || (ip.proto !== 6 && ip.proto !== 17)) return -1;
  const portMatch = ip.proto === 6 ? 'tcp' : 'udp';
  for (const m of pr.matches) {
    if (m.mode !== MatchMode.EVAL) return -1;
    if (m.ext.name === 'comment') continue;
    if (m.ext.name !== portMatch) return -1;
    const port = onlyDport(portMatch, m.state);
    return port < 0 ? -1 : (ip.proto << 16) | port;
  }
  return -1;
}

function qualifies(kind: RunKind, pr: PreparedRule): boolean {
  const ip = pr.rule.ip;
  switch (kind) {
    case RunKind.DPORT:
      return portKey(pr) >= 0;
    case RunKind.DST:
      return ip.dmsk >>> 0 === FULL && !ip.invDst;
    case RunKind.SRC:
      return ip.smsk >>> 0 === FULL && !ip.invSrc;
    case RunKind.IN:
      return ip.iniface !== '' && !ip.iniface.endsWith('+') && !ip.invIn;
    case RunKind.ADDR:
      return false;
  }
}

/** A rule's numeric key for kinds DPORT, DST and SRC: two int32 halves. */
export function numericKey(kind: RunKind, pr: PreparedRule): [number, number] {
  const ip = pr.rule.ip;
  if (kind === RunKind.SRC) return [ip.src | 0, 0];
  return [ip.dst | 0, kind === RunKind.DPORT ? portKey(pr) : 0];
}

/**
 * Where address runs go (AddrIndex): stretches of at least `min` rules of which at least the
 * fraction `share` test an address, cut into runs of at most `chunk` rules.
 */
export interface AddrRunOptions {
  min: number;
  share: number;
  chunk: number;
}

/**
 * Long enough for a bit-vector scan to beat testing rule by rule; and a chunk's rows of bits
 * (at most 4 * chunk + 1 rows of chunk / 32 words per field) stay within a few megabytes.
 */
export const ADDR_RUNS: AddrRunOptions = { min: 64, share: 0.5, chunk: 2048 };

/**
 * Maximal runs of at least MIN_RUN consecutive rules sharing a hash key, chosen greedily
 * from the top: at each position the kind with the longest run (the more specific on a
 * tie). The stretches left between them, when long enough and mostly of rules that test an
 * address, become address runs (ADDR).
 */
export function findRuns(rules: readonly PreparedRule[], addr: AddrRunOptions = ADDR_RUNS): Run[] {
  const n = rules.length;
  if (n < Math.min(MIN_RUN, addr.min)) return [];
  // Length of the run of each kind starting at each position, from the end.
  const lengths = KINDS.map((kind) => {
    const len = new Int32Array(n + 1);
    for (let i = n - 1; i >= 0; i--) len[i] = qualifies(kind, rules[i]!) ? len[i + 1]! + 1 : 0;
    return len;
  });
  const runs: Run[] = [];
  let gap = 0;
  for (let i = 0; i < n; ) {
    let best = 0;
    let kind: RunKind = RunKind.DPORT;
    KINDS.forEach((k, j) => {
      if (lengths[j]![i]! > best) {
        best = lengths[j]![i]!;
        kind = k;
      }
    });
    if (best >= MIN_RUN) {
      addrRuns(rules, gap, i, addr, runs);
      runs.push({ kind, start: i, end: i + best });
      i += best;
      gap = i;
    } else {
      i++;
    }
  }
  addrRuns(rules, gap, n, addr, runs);
  return runs;
}

/** Whether the generic part tests the source or the destination address. */
function testsAddress(pr: PreparedRule): boolean {
  return pr.rule.ip.smsk !== 0 || pr.rule.ip.dmsk !== 0;
}

/** Address runs over rules from..to-1 into `runs`, when that stretch is worth one. */
function addrRuns(rules: readonly PreparedRule[], from: number, to: number, addr: AddrRunOptions, runs: Run[]): void {
  if (to - from < addr.min) return;
  let tested = 0;
  for (let i = from; i < to; i++) if (testsAddress(rules[i]!)) tested++;
  // Rules that test no address are candidates for every packet: a scan gains nothing on them.
  if (tested < addr.share * (to - from)) return;
  for (let s = from; s < to; s += addr.chunk) runs.push({ kind: RunKind.ADDR, start: s, end: Math.min(to, s + addr.chunk) });
}

/**
 * Whether a rule of a run matches every packet its key leads to: nothing but the key in
 * its generic part, and besides the key's tcp/udp match only comments. Such a candidate
 * is not tested again (for the port key, only for packets on the looked-up path: first
 * fragments with a whole header, where tcp_mt and udp_mt are that port comparison).
 */
export function isPure(kind: RunKind, pr: PreparedRule): boolean {
  // An address run's candidates share bits of their fields, not a key: each is tested whole.
  if (kind === RunKind.ADDR) return false;
  const ip = pr.rule.ip;
  const generic =
    (kind === RunKind.SRC || (ip.smsk === 0 && ip.src === 0 && !ip.invSrc)) &&
    (kind === RunKind.DST || kind === RunKind.DPORT || (ip.dmsk === 0 && ip.dst === 0 && !ip.invDst)) &&
    (kind === RunKind.IN || (ip.iniface === '' && !ip.invIn)) &&
    ip.outiface === '' &&
    !ip.invOut &&
    (kind === RunKind.DPORT || (ip.proto === 0 && !ip.invProto)) &&
    !ip.fragment &&
    !ip.invFrag;
  if (!generic) return false;
  let ports = 0;
  for (const m of pr.matches) {
    if (m.mode !== MatchMode.EVAL) return false;
    if (m.ext.name === 'comment') continue;
    // portKey() has checked that the first match that is not a comment is the port match.
    if (kind !== RunKind.DPORT || ports++ > 0) return false;
  }
  return true;
}

/**
 * What a key leads to, as one int: `position << 1` when a single rule of the run has the
 * key (the common case, no second lookup), `group << 1 | 1` for several, whose run-relative
 * positions are `members[starts[group]] … members[starts[group + 1] - 1]`, in chain order.
 */
export interface Grouped<K> {
  keys: K[];
  values: number[];
  starts: Int32Array;
  members: Int32Array;
}

export function groupByKey<K>(keys: readonly K[], id: (k: K) => string): Grouped<K> {
  const byId = new Map<string, { key: K; positions: number[] }>();
  keys.forEach((key, position) => {
    const k = id(key);
    let g = byId.get(k);
    if (!g) byId.set(k, (g = { key, positions: [] }));
    g.positions.push(position);
  });
  const out: Grouped<K> = { keys: [], values: [], starts: new Int32Array(0), members: new Int32Array(0) };
  const starts: number[] = [];
  const members: number[] = [];
  for (const { key, positions } of byId.values()) {
    out.keys.push(key);
    if (positions.length === 1) {
      out.values.push(positions[0]! << 1);
      continue;
    }
    out.values.push((starts.length << 1) | 1);
    starts.push(members.length);
    members.push(...positions);
  }
  starts.push(members.length);
  out.starts = Int32Array.from(starts);
  out.members = Int32Array.from(members);
  return out;
}

/**
 * Open-addressing hash table from a pair of int32 to a non-negative int, in one typed
 * array of 4-int slots (key a, key b, value, unused): a lookup touches one cache line
 * and allocates nothing (a Map keyed by a 49-bit number would box it in a heap number).
 */
export class IntPairTable {
  private readonly mask: number;
  /** Slot i at 4i: a, b, value (-1: empty). */
  private readonly slots: Int32Array;

  constructor(entries: ReadonlyArray<readonly [number, number, number]>) {
    let size = 8;
    while (size < entries.length * 2) size *= 2;
    this.mask = size - 1;
    this.slots = new Int32Array(4 * size);
    for (let i = 0; i < size; i++) this.slots[4 * i + 2] = -1;
    for (const [a, b, value] of entries) {
      let h = IntPairTable.hash(a, b) & this.mask;
      while (this.slots[4 * h + 2] !== -1) {
        if (this.slots[4 * h] === (a | 0) && this.slots[4 * h + 1] === (b | 0)) throw new Error('duplicate key');
        h = (h + 1) & this.mask;
      }
      this.slots[4 * h] = a;
      this.slots[4 * h + 1] = b;
      this.slots[4 * h + 2] = value;
    }
  }

  private static hash(a: number, b: number): number {
    const h = Math.imul((a | 0) ^ Math.imul(b | 0, 0x9e3779b1), 0x85ebca6b);
    return h ^ (h >>> 15);
  }

  /** The value stored for (a, b), or -1. */
  get(a: number, b: number): number {
    a |= 0;
    b |= 0;
    const slots = this.slots;
    let h = IntPairTable.hash(a, b) & this.mask;
    for (;;) {
      const at = h << 2;
      const v = slots[at + 2]!;
      if (v === -1 || (slots[at] === a && slots[at + 1] === b)) return v;
      h = (h + 1) & this.mask;
    }
  }
}

const ALL: ReadonlyArray<readonly [number, number]> = [[0, 0xffffffff]];

/**
 * The unsigned address ranges a generic-part address test can pass: a prefix, or the one or
 * two ranges around it when inverted. A mask that is not a prefix (iptables takes dotted
 * masks) or no mask at all may pass any address: every address, a superset.
 */
function addressRanges(addr: number, mask: number, invert: boolean): ReadonlyArray<readonly [number, number]> {
  const m = mask >>> 0;
  const host = ~m >>> 0;
  if (m === 0 || (host & (host + 1)) !== 0) return ALL;
  const lo = (addr & m) >>> 0;
  const hi = (lo | host) >>> 0;
  if (!invert) return [[lo, hi]];
  const out: Array<[number, number]> = [];
  if (lo > 0) out.push([0, lo - 1]);
  if (hi < 0xffffffff) out.push([hi + 1, 0xffffffff]);
  return out;
}

/** One field's elementary intervals (by their first address, sign-flipped to sort as int32) and each one's row of bits. */
interface FieldRows {
  bounds: Int32Array;
  bits: Int32Array;
}

/** Unsigned order as int32 order: the sign bit flipped. */
function flip(addr: number): number {
  return (addr ^ 0x80000000) | 0;
}

/** The row whose interval holds `key` (flipped): the last bound at or below it. */
function rowOf(bounds: Int32Array, key: number): number {
  let lo = 0;
  let hi = bounds.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (bounds[mid]! <= key) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function fieldRows(ranges: ReadonlyArray<ReadonlyArray<readonly [number, number]>>, words: number): FieldRows {
  const starts = new Set<number>([0]);
  for (const list of ranges)
    for (const [lo, hi] of list) {
      starts.add(lo);
      if (hi < 0xffffffff) starts.add(hi + 1);
    }
  const bounds = Int32Array.from([...starts].sort((a, b) => a - b), flip);
  const rows = bounds.length;
  // A rule's bit flips where each of its ranges starts and where it ends; each row is then
  // the XOR of the flips at or above it: rows x words, whatever the ranges' widths.
  const bits = new Int32Array(rows * words);
  ranges.forEach((list, q) => {
    const word = q >> 5;
    const bit = 1 << (q & 31);
    for (const [lo, hi] of list) {
      bits[rowOf(bounds, flip(lo)) * words + word]! ^= bit;
      if (hi < 0xffffffff) bits[rowOf(bounds, flip(hi + 1)) * words + word]! ^= bit;
    }
  });
  for (let i = words; i < bits.length; i++) bits[i]! ^= bits[i - words]!;
  return { bounds, bits };
}

/** The protocol's row: TCP, UDP, any other. */
function protoRow(proto: number): number {
  return proto === 6 ? 0 : proto === 17 ? 1 : 2;
}

/**
 * The candidates of an address run, as bit vectors (one bit per rule, in chain order) for
 * the source address, the destination address and the protocol: a rule's bit is set in
 * every row its generic part can pass for that field, so the AND of the packet's three rows
 * holds every rule whose generic part the packet can pass, in order. The others fail
 * ip_packet_match, before any match or target of theirs runs, so skipping them is exact;
 * the candidates are tested whole. `locate` leaves the packet's row offsets in s, d and p
 * (no allocation per packet).
 */
export class AddrIndex {
  readonly words: number;
  readonly srcBits: Int32Array;
  readonly dstBits: Int32Array;
  readonly protoBits: Int32Array;
  s = 0;
  d = 0;
  p = 0;
  private readonly srcBounds: Int32Array;
  private readonly dstBounds: Int32Array;

  constructor(rules: readonly PreparedRule[]) {
    const words = (this.words = (rules.length + 31) >> 5);
    const src = fieldRows(
      rules.map((pr) => addressRanges(pr.rule.ip.src, pr.rule.ip.smsk, pr.rule.ip.invSrc)),
      words,
    );
    const dst = fieldRows(
      rules.map((pr) => addressRanges(pr.rule.ip.dst, pr.rule.ip.dmsk, pr.rule.ip.invDst)),
      words,
    );
    this.srcBounds = src.bounds;
    this.srcBits = src.bits;
    this.dstBounds = dst.bounds;
    this.dstBits = dst.bits;
    this.protoBits = new Int32Array(3 * words);
    rules.forEach((pr, q) => {
      const { proto, invProto } = pr.rule.ip;
      for (let row = 0; row < 3; row++) {
        if (proto === 0 || invProto || protoRow(proto) === row) this.protoBits[row * words + (q >> 5)]! |= 1 << (q & 31);
      }
    });
  }

  locate(src: number, dst: number, proto: number): void {
    this.s = rowOf(this.srcBounds, flip(src)) * this.words;
    this.d = rowOf(this.dstBounds, flip(dst)) * this.words;
    this.p = protoRow(proto) * this.words;
  }
}
