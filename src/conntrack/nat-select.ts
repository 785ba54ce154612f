/**
 * The kernel's choice of a connection's NAT mapping: net/netfilter/nf_nat_core.c
 * get_unique_tuple and what it calls (nf_in_range, find_appropriate_src,
 * find_best_ips_proto, nf_nat_l4proto_unique_tuple), as of Linux 6.18.
 *
 * The kernel runs this once per connection and manip, when the first packet's NAT rule
 * fires (nf_nat_setup_info). Everything that needs the conntrack table is asked of the
 * caller: whether a candidate tuple clashes (nf_nat_used_tuple and its two variants) and
 * the mappings of earlier connections from the same source (the nf_nat_bysource chain).
 * Randomness (get_random_u16) comes from the caller's seeded generator, so a replay makes
 * the same choices for the same seed.
 *
 * Addresses in a Tuple are host-order int32 (10.0.0.1 is 0x0a000001). Where the kernel
 * hashes or XORs an address as the raw __be32 it keeps in memory, that is the byte-swapped
 * value on the little-endian machines (x86-64, arm64) the replay stands in for.
 */
import {
  NAT_MAP_IPS,
  NAT_PERSISTENT,
  NAT_PROTO_OFFSET,
  NAT_PROTO_RANDOM,
  NAT_PROTO_RANDOM_FULLY,
  NAT_PROTO_SPECIFIED,
  type NatRange,
} from '../rules/ext/natrange.js';
import type { Tuple } from './entry.js';

/** enum nf_nat_manip_type: SRC in POSTROUTING/INPUT, DST in PREROUTING/OUTPUT. */
export const NatManip = { SRC: 0, DST: 1 } as const;
export type NatManipType = (typeof NatManip)[keyof typeof NatManip];

/** NF_NAT_MAX_ATTEMPTS: the most ports one round of the port search tries. */
export const NF_NAT_MAX_ATTEMPTS = 128;
/** NF_NAT_HARDER_THRESH: the last attempts of a round may evict a closing TCP entry. */
export const NF_NAT_HARDER_THRESH = NF_NAT_MAX_ATTEMPTS / 4;

/** Which of the kernel's clash checks a TupleTaken call stands for. */
export const UsedCheck = {
  /** nf_nat_used_tuple: is the inverse of the candidate some other entry's tuple? */
  PLAIN: 0,
  /**
   * nf_nat_used_tuple_new (step 1, the unchanged original tuple): as PLAIN, except that
   * for protocols with allow_clash (UDP, UDPLITE, ICMP), when this connection is not
   * NATed yet (no IPS_NAT_MASK or IPS_SEQ_ADJUST bit) and the clashing entry is not NATed
   * either and is this one's exact reverse (its original = our reply and its reply = our
   * original), the tuple counts as free: insertion-time clash resolution deals with it.
   */
  NEW: 1,
  /**
   * nf_nat_used_tuple_harder (the port search): as PLAIN, except that when
   * attemptsLeft <= NF_NAT_HARDER_THRESH, the protocol is TCP and this connection is in
   * SYN_SENT, a clashing entry found by its reply tuple that is SNATed, in TIME_WAIT or
   * later, not DYING or FIXED_TIMEOUT, and whose seen[0].td_end is behind ours (s32
   * difference > 0) is killed and the tuple is free.
   */
  HARDER: 2,
} as const;
export type UsedCheckKind = (typeof UsedCheck)[keyof typeof UsedCheck];

/**
 * Is the reply tuple that `candidate` would produce already used by another connection?
 * (nf_nat_used_tuple: invert `candidate` and look it up, ignoring the connection being
 * set up.) `check` says which variant is asking; `attemptsLeft` is only meaningful for
 * HARDER (0 otherwise). The candidate is scratch: copy it to keep it.
 */
export type TupleTaken = (candidate: Tuple, check: UsedCheckKind, attemptsLeft: number) => boolean;

/**
 * find_appropriate_src's walk of the nf_nat_bysource chain: for each connection whose
 * SRC manip has been set up (SNAT, MASQUERADE or the null binding alike) with the same
 * original source address, source port (ICMP: id) and protocol as `orig`, in the same
 * zone (original direction), newest first, call `visit` with the source that connection
 * leaves with: its reply tuple's destination address and port (for ICMP the reply's id).
 * Stop as soon as `visit` returns true.
 */
export type SourceMappings = (orig: Tuple, visit: (addr: number, port: number) => boolean) => void;

/** For callers without the bysource table (or for DST-only use): no earlier mappings. */
export const noSourceMappings: SourceMappings = () => {};

const IPPROTO_ICMP = 1;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_GRE = 47;
const IPPROTO_ICMPV6 = 58;
const IPPROTO_SCTP = 132;
const IPPROTO_UDPLITE = 136;

/** NF_NAT_RANGE_PROTO_RANDOM_ALL. */
const RANDOM_ALL = NAT_PROTO_RANDOM | NAT_PROTO_RANDOM_FULLY;

// ---------------------------------------------------------------------------------------
// include/linux/jhash.h, the kernel's copy of Bob Jenkins' lookup3.

const rol32 = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

/**
 * jhash2: lookup3's hashword over 32-bit words (all arithmetic mod 2^32). Every word
 * but the last one to three goes through __jhash_mix in threes; the rest are added and
 * __jhash_final mixes them into c. A zero-length key is not mixed at all.
 */
export function jhash2(words: ArrayLike<number>, initval: number): number {
  let length = words.length;
  let a = (0xdeadbeef + (length << 2) + initval) | 0;
  let b = a;
  let c = a;
  let k = 0;
  while (length > 3) {
    a = (a + words[k]!) | 0;
    b = (b + words[k + 1]!) | 0;
    c = (c + words[k + 2]!) | 0;
    // __jhash_mix
    a = (a - c) | 0;
    a ^= rol32(c, 4);
    c = (c + b) | 0;
    b = (b - a) | 0;
    b ^= rol32(a, 6);
    a = (a + c) | 0;
    c = (c - b) | 0;
    c ^= rol32(b, 8);
    b = (b + a) | 0;
    a = (a - c) | 0;
    a ^= rol32(c, 16);
    c = (c + b) | 0;
    b = (b - a) | 0;
    b ^= rol32(a, 19);
    a = (a + c) | 0;
    c = (c - b) | 0;
    c ^= rol32(b, 4);
    b = (b + a) | 0;
    length -= 3;
    k += 3;
  }
  if (length === 0) return c >>> 0;
  if (length === 3) c = (c + words[k + 2]!) | 0;
  if (length >= 2) b = (b + words[k + 1]!) | 0;
  a = (a + words[k]!) | 0;
  // __jhash_final
  c ^= b;
  c = (c - rol32(b, 14)) | 0;
  a ^= c;
  a = (a - rol32(c, 11)) | 0;
  b ^= a;
  b = (b - rol32(a, 25)) | 0;
  c ^= b;
  c = (c - rol32(b, 16)) | 0;
  a ^= c;
  a = (a - rol32(c, 4)) | 0;
  b ^= a;
  b = (b - rol32(a, 14)) | 0;
  c ^= b;
  c = (c - rol32(b, 24)) | 0;
  return c >>> 0;
}

/** reciprocal_scale: (u32)(((u64)val * ep_ro) >> 32), exact (the product needs 64 bits). */
export function reciprocalScale(val: number, epRo: number): number {
  const v = val >>> 0;
  const r = epRo >>> 0;
  const high = (v >>> 16) * r; // < 2^48, exact
  const low = (v & 0xffff) * r; // < 2^48, exact
  return Math.floor((high + Math.floor(low / 0x10000)) / 0x10000) >>> 0;
}

/** A host-order address as the CPU reads its __be32 bytes on a little-endian machine. */
const rawBe32 = (addr: number): number =>
  ((addr & 0xff) << 24) | ((addr & 0xff00) << 8) | ((addr >>> 8) & 0xff00) | (addr >>> 24);

/** get_random_u16, from the replay's seeded 32-bit generator (its high half). */
const randomU16 = (random32: () => number): number => random32() >>> 16;

// ---------------------------------------------------------------------------------------
// Range checks.

/** nf_nat_inet_in_range: the source address within [min, max], compared as host-order u32. */
function addrInRange(t: Tuple, range: NatRange): boolean {
  const a = t.src >>> 0;
  return a >= range.minAddr >>> 0 && a <= range.maxAddr >>> 0;
}

/**
 * l4proto_in_range: is the manipulable part within [min, max]? ICMP's id whatever the
 * manip; the source or destination port for the port protocols; anything else is in range.
 */
function l4protoInRange(t: Tuple, manip: NatManipType, min: number, max: number): boolean {
  switch (t.proto) {
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6:
      return t.sport >= min && t.sport <= max;
    case IPPROTO_GRE:
    case IPPROTO_TCP:
    case IPPROTO_UDP:
    case IPPROTO_UDPLITE:
    case IPPROTO_SCTP: {
      const port = manip === NatManip.SRC ? t.sport : t.dport;
      return port >= min && port <= max;
    }
    default:
      return true;
  }
}

/** nf_in_range: would a source mapping to `t` satisfy the range? (SRC manip only.) */
function nfInRange(t: Tuple, range: NatRange): boolean {
  if (range.flags & NAT_MAP_IPS && !addrInRange(t, range)) return false;
  if (!(range.flags & NAT_PROTO_SPECIFIED)) return true;
  return l4protoInRange(t, NatManip.SRC, range.minPort, range.maxPort);
}

// ---------------------------------------------------------------------------------------
// The steps of get_unique_tuple.

/**
 * find_appropriate_src: the first earlier connection from the same source whose mapped
 * source (with `orig`'s destination) is in range; written into `out`. Note the chain walk
 * goes on past mappings that are out of range.
 */
function findAppropriateSrc(out: Tuple, orig: Tuple, range: NatRange, existing: SourceMappings): boolean {
  appropriate.out = out;
  appropriate.orig = orig;
  appropriate.range = range;
  appropriate.found = false;
  existing(orig, visitAppropriate);
  appropriate.out = appropriate.orig = appropriate.range = null;
  return appropriate.found;
}

/** What findAppropriateSrc's visitor works on: in module scope, not a closure made per connection. */
const appropriate: { out: Tuple | null; orig: Tuple | null; range: NatRange | null; found: boolean } = { out: null, orig: null, range: null, found: false };

function visitAppropriate(addr: number, port: number): boolean {
  const { out, orig } = appropriate;
  // nf_ct_invert_tuple of the reply gives the mapped source; result->dst = tuple->dst.
  out!.set(addr, orig!.dst, port, orig!.dport, orig!.proto);
  appropriate.found = nfInRange(out!, appropriate.range!);
  return appropriate.found;
}

const hashWords = new Uint32Array(4);

/**
 * find_best_ips_proto: the address out of the range, the same one for the same source and
 * destination (and zone), so that a server sees a client always come from one address.
 * The hash is over union nf_inet_addr's four words (IPv4: word 0, the rest zero), seeded
 * with the raw destination word XOR the zone id, or 0 with --persistent (then only the
 * source counts). IPv4 has one word, so only the first round of the kernel's per-word
 * loop runs (its full_range and j ^= dst steps matter to IPv6 only).
 */
function findBestIpsProto(t: Tuple, range: NatRange, manip: NatManipType, zone: number): void {
  if (!(range.flags & NAT_MAP_IPS)) return;
  let addr: number;
  if ((range.minAddr | 0) === (range.maxAddr | 0)) {
    addr = range.minAddr | 0;
  } else {
    hashWords[0] = rawBe32(t.src);
    const initval = range.flags & NAT_PERSISTENT ? 0 : (rawBe32(t.dst) ^ zone) >>> 0;
    const j = jhash2(hashWords, initval);
    const minip = range.minAddr >>> 0;
    // u32 arithmetic: a reversed range wraps into a huge distance, the full range into 0.
    const dist = ((range.maxAddr >>> 0) - minip + 1) >>> 0;
    addr = (minip + reciprocalScale(j, dist)) | 0;
  }
  if (manip === NatManip.SRC) t.src = addr;
  else t.dst = addr;
}

/**
 * nf_nat_l4proto_unique_tuple: change the port (ICMP: id) until the tuple is free, within
 * the range or, without one, within the original port's class (1-511, 600-1023,
 * 1024-65535; a DST manip without a range keeps its port). The search starts at a random
 * offset (for DST manips without --random at the range's start, as of 6.x), or at the
 * shifted original port with NF_NAT_RANGE_PROTO_OFFSET, tries at most 128 ports, then
 * halves the window at a new random offset while the window is at least 16 and smaller
 * than the range. When nothing is free the last port tried stays: the kernel then drops
 * the packet at confirmation.
 */
function l4protoUniqueTuple(
  t: Tuple,
  range: NatRange,
  manip: NatManipType,
  taken: TupleTaken,
  random32: () => number,
): void {
  const specified = (range.flags & NAT_PROTO_SPECIFIED) !== 0;
  let srcKey: boolean;
  let min: number;
  let size: number;
  switch (t.proto) {
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6:
      // The id is the same in both directions and is the source side's to change.
      srcKey = true;
      min = specified ? range.minPort : 0;
      size = specified ? (range.maxPort - range.minPort + 1) >>> 0 : 65536;
      break;
    case IPPROTO_GRE:
      // Only PPTP's GRE (a connection with a master) has its key remapped; the replay
      // has no PPTP helper, so no GRE connection has one.
      return;
    case IPPROTO_TCP:
    case IPPROTO_UDP:
    case IPPROTO_UDPLITE:
    case IPPROTO_SCTP: {
      srcKey = manip === NatManip.SRC;
      if (specified) {
        min = Math.min(range.minPort, range.maxPort);
        size = Math.max(range.minPort, range.maxPort) - min + 1;
        break;
      }
      // "If it's dst rewrite, can't change port".
      if (manip === NatManip.DST) return;
      [min, size] = defaultPortClass(t.sport);
      break;
    }
    default:
      return;
  }
  // An ICMP id range whose max is min - 1 has range_size 0: the kernel would divide by 0.
  if (size === 0) return;
  findFreeId(t, srcKey, min, size, range, manip, taken, random32);
}

/** "Loose convention: >> 512 is credential passing": the class a source port stays in. */
function defaultPortClass(port: number): [min: number, size: number] {
  if (port < 512) return [1, 511];
  if (port < 1024) return [600, 1023 - 600 + 1];
  return [1024, 65535 - 1024 + 1];
}

/** nf_nat_l4proto_unique_tuple from its find_free_id label on. */
function findFreeId(
  t: Tuple,
  srcKey: boolean,
  min: number,
  size: number,
  range: NatRange,
  manip: NatManipType,
  taken: TupleTaken,
  random32: () => number,
): void {
  let off: number; // u16 in the kernel: it wraps
  if (range.flags & NAT_PROTO_OFFSET) off = ((srcKey ? t.sport : t.dport) - range.basePort) & 0xffff;
  else if (range.flags & RANDOM_ALL || manip !== NatManip.DST) off = randomU16(random32);
  else off = 0;

  let attempts = Math.min(size, NF_NAT_MAX_ATTEMPTS);
  for (;;) {
    // another_round:
    for (let i = 0; i < attempts; i++, off = (off + 1) & 0xffff) {
      const key = (min + (off % size)) & 0xffff; // htons keeps the low 16 bits
      if (srcKey) t.sport = key;
      else t.dport = key;
      if (!taken(t, UsedCheck.HARDER, attempts - i)) return;
    }
    if (attempts >= size || attempts < 16) return;
    attempts >>>= 1;
    off = randomU16(random32);
  }
}

/**
 * get_unique_tuple: the original-direction tuple as it will look after this manip, in
 * `out` (never the same object as `orig`). `orig` is the tuple as the packet has it now
 * (the inverse of the current reply tuple); `zone` is the connection's zone id.
 *
 * 1. SRC manips without --random/--random-fully: keep the original source if it is in
 *    range and free; if it is not in range, reuse an earlier connection's mapping of the
 *    same source if that is in range and free.
 * 2. Pick the address (find_best_ips_proto).
 * 3. Without --random*, keep the port if it is in range and free (a one-port range
 *    counts as free: the clash is found at confirmation); with an offset map, always
 *    remap. Otherwise search for a free port.
 */
export function selectNatTuple(
  out: Tuple,
  orig: Tuple,
  range: NatRange,
  manip: NatManipType,
  zone: number,
  taken: TupleTaken,
  existing: SourceMappings,
  random32: () => number,
): void {
  const randomAll = (range.flags & RANDOM_ALL) !== 0;
  if (manip === NatManip.SRC && !randomAll) {
    if (nfInRange(orig, range)) {
      if (!taken(orig, UsedCheck.NEW, 0)) {
        out.copy(orig);
        return;
      }
    } else if (findAppropriateSrc(out, orig, range, existing)) {
      if (!taken(out, UsedCheck.PLAIN, 0)) return;
    }
  }

  out.copy(orig);
  findBestIpsProto(out, range, manip, zone);

  if (!randomAll) {
    if (range.flags & NAT_PROTO_SPECIFIED) {
      if (
        !(range.flags & NAT_PROTO_OFFSET) &&
        l4protoInRange(out, manip, range.minPort, range.maxPort) &&
        (range.minPort === range.maxPort || !taken(out, UsedCheck.PLAIN, 0))
      )
        return;
    } else if (!taken(out, UsedCheck.PLAIN, 0)) {
      return;
    }
  }
  l4protoUniqueTuple(out, range, manip, taken, random32);
}
