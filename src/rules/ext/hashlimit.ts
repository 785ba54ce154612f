/**
 * hashlimit match, revision 3 (libxt_hashlimit / kernel xt_hashlimit): a token bucket per
 * hash key (source/destination address and port, with prefix masks), kept in a named
 * table shared by every rule that uses the same name. Rates are packet costs in
 * microseconds (XT_HASHLIMIT_SCALE_v2) or, for "b/s" rates, byte costs; the listing
 * recomputes a rate from the cost.
 */
import type { PacketState } from '../../engine/packet.js';
import type { ReplayRuntime } from '../../engine/runtime.js';
import { ParamError } from '../errors.js';
import { Header, header, thoff, u16At } from './common/header.js';
import { hotdrop } from './common/hotdrop.js';
import { HZ, jiffiesAt, msecsToJiffies, pow2Below, timeAfterEq } from './common/kernel.js';
import { U64, u64, u64Add, u64Cmp, u64CmpNumber, u64Copy, u64Mul, u64SetNumber, u64Sub } from './common/u64.js';
import { NON_CIDR_PLEN, parseXtPlen } from './common/addresses.js';
import { cAtoi, cAtoll, parseXtUint, strtoullPrefix, UINT64_MAX } from './common/numbers.js';
import { checkMinLength } from './common/strings.js';
import { parseRateUnit, rateText } from './limit.js';
import { defineMatch } from './types.js';

/** cfg.mode bits (XT_HASHLIMIT_*). */
export const HL_MODE = {
  HASH_DIP: 1 << 0,
  HASH_DPT: 1 << 1,
  HASH_SIP: 1 << 2,
  HASH_SPT: 1 << 3,
  INVERT: 1 << 4,
  BYTES: 1 << 5,
  RATE_MATCH: 1 << 6,
} as const;

const HASH_BITS = HL_MODE.HASH_DIP | HL_MODE.HASH_DPT | HL_MODE.HASH_SIP | HL_MODE.HASH_SPT;

/** XT_HASHLIMIT_SCALE_v2: packet costs are in microseconds. */
export const HASHLIMIT_SCALE = 1000000n;
const BYTE_SHIFT = 4n;
const U32_MAX = 0xffffffffn;
const BURST_MAX = 1000000n;
const DEFAULT_BURST = 5n;
const DEFAULT_GC_INTERVAL = 1000;
/** Expiry defaults (ms) in byte mode, without and with a burst. */
const BYTE_EXPIRE = 15000;
const BYTE_EXPIRE_BURST = 60000;
/** HASHLIMIT_MAX_SIZE: the kernel clamps htable-size and htable-max to it. */
const HTABLE_MAX_SIZE = 1048576;

export interface HashlimitState {
  /** HL_MODE bits. */
  mode: number;
  /** Packet mode: cost per packet (µs, divided by the unit with --rate-match); byte mode: byte cost. */
  avg: bigint;
  /** Packet mode: bucket size in packets; byte mode: in units of the byte cost. */
  burst: bigint;
  /** Hash buckets; 0 lets the kernel size it from memory. */
  size: number;
  /** Maximum entries; 0 is 8 * size. */
  max: number;
  /** Garbage collection interval (ms). */
  gcInterval: number;
  /** Idle entry lifetime (ms). */
  expire: number;
  srcmask: number;
  dstmask: number;
  /** --rate-match measuring interval (s); 0 unless given or defaulted by rate-match. */
  interval: number;
  /** The table name (also /proc/net/ipt_hashlimit/NAME). */
  name: string;
  /** Seconds per rate unit (the parser's udata->mult), which sets the default expiry. */
  unitSeconds: number;
}

function costToBytes(cost: bigint): bigint {
  const r = cost !== 0n ? U32_MAX / cost : U32_MAX;
  return ((r - 1n) << BYTE_SHIFT) & UINT64_MAX;
}

function bytesToCost(bytes: bigint): bigint {
  const r = (bytes >> BYTE_SHIFT) & U32_MAX;
  const divisor = (r + 1n) & U32_MAX;
  // A 32-bit wrap to zero makes iptables divide by zero and die.
  if (divisor === 0n) throw new ParamError('Floating point exception');
  return U32_MAX / divisor;
}

function unitFactor(ch: string | undefined): bigint {
  if (ch === 'm') return 1024n * 1024n;
  if (ch === 'k') return 1024n;
  return 1n;
}

/** parse_bytes: "N[k|m]b/s" → byte cost, or undefined when the text is not a byte rate. */
function parseBytes(text: string): bigint | undefined {
  const at = text.indexOf('b/s');
  if (at <= 0) return undefined;
  const r = BigInt.asUintN(64, cAtoll(text));
  if (r === 0n) return undefined;
  return bytesToCost((r * unitFactor(text[at - 1])) & UINT64_MAX);
}

/** parse_rate (revision 2+): packet cost in µs for "n[/unit]", or undefined. */
function parsePacketRate(text: string): { cost: bigint; unitSeconds: number } | undefined {
  const unitSeconds = parseRateUnit(text);
  if (unitSeconds === undefined) return undefined;
  const r = BigInt.asUintN(64, cAtoll(text));
  if (r === 0n) return undefined;
  const cost = (HASHLIMIT_SCALE * BigInt(unitSeconds)) / r;
  if (cost === 0n) throw new ParamError(`Rate too fast "${text}"`);
  return { cost, unitSeconds };
}

/** parse_burst (revision 2+): "N[k|m]", N in 1..1000000 unless a unit follows. */
function parseBurst(text: string): bigint {
  const bad = (): ParamError =>
    new ParamError('bad value for option "--hashlimit-burst", or out of range (1-1000000).');
  // xtables_strtoul with an end pointer: base 0, no minus sign, trailing text allowed.
  const r = strtoullPrefix(text);
  if (r === undefined || r.value < 1n || (r.end === text.length && r.value > BURST_MAX)) throw bad();
  return (r.value * unitFactor(text[r.end])) & UINT64_MAX;
}

/** print_bytes: the byte rate and optional burst, in the largest exact unit. */
function bytesText(avg: bigint, burst: bigint, prefix: string): { text: string; quantum: number } {
  const units: ReadonlyArray<readonly [string, bigint]> = [
    ['m', 1024n * 1024n],
    ['k', 1024n],
    ['', 1n],
  ];
  let r = costToBytes(avg);
  let i = 0;
  // The mask is computed in 32 bits, so it also clears the upper half of r.
  for (; i < units.length - 1; i++) {
    const thresh = units[i]![1];
    if (r >= thresh && bytesToCost(r & (~(thresh - 1n) & U32_MAX)) === avg) break;
  }
  let text = ` ${r / units[i]![1]}${units[i]![0]}b/s`;
  if (burst === 0n) return { text, quantum: BYTE_EXPIRE };
  r = (r * burst) & UINT64_MAX;
  for (i = 0; i < units.length - 1; i++) if (r >= units[i]![1]) break;
  text += ` ${prefix}burst ${r / units[i]![1]}${units[i]![0]}b`;
  return { text, quantum: BYTE_EXPIRE_BURST };
}

/** print_rate: the rate text and the unit length in ms (the expiry iptables assumes). */
function packetRateText(period: bigint): { text: string; quantum: number } {
  const text = rateText(period, HASHLIMIT_SCALE);
  const seconds: Record<string, number> = { day: 86400, hour: 3600, min: 60, sec: 1, inf: 0 };
  return { text: ' ' + text, quantum: seconds[text.slice(text.indexOf('/') + 1)]! * 1000 };
}

/** print_mode: fixed order srcip, srcport, dstip, dstport. */
function modeText(mode: number, separator: string): string {
  const names: string[] = [];
  if (mode & HL_MODE.HASH_SIP) names.push('srcip');
  if (mode & HL_MODE.HASH_SPT) names.push('srcport');
  if (mode & HL_MODE.HASH_DIP) names.push('dstip');
  if (mode & HL_MODE.HASH_DPT) names.push('dstport');
  return names.join(separator);
}

/** The options after the rate, shared by listing and save (hashlimit_mt_print/_save). */
function tailText(s: HashlimitState, quantum: number, prefix: string, save: boolean): string {
  let out = '';
  if (!save && s.mode & HASH_BITS) out += ` mode ${modeText(s.mode, '-')}`;
  if (save) {
    if (s.mode & HASH_BITS) out += ` --hashlimit-mode ${modeText(s.mode, ',')}`;
    out += ` --hashlimit-name ${s.name}`;
  }
  if (s.size !== 0) out += ` ${prefix}htable-size ${s.size}`;
  if (s.max !== 0) out += ` ${prefix}htable-max ${s.max}`;
  if (s.gcInterval !== DEFAULT_GC_INTERVAL) out += ` ${prefix}htable-gcinterval ${s.gcInterval}`;
  if (s.expire !== quantum) out += ` ${prefix}htable-expire ${s.expire}`;
  if (s.srcmask !== 32) out += ` ${save ? '--hashlimit-' : ''}srcmask ${s.srcmask}`;
  if (s.dstmask !== 32) out += ` ${save ? '--hashlimit-' : ''}dstmask ${s.dstmask}`;
  if (s.mode & HL_MODE.RATE_MATCH) {
    out += ` ${save ? '--hashlimit-' : ''}rate-match`;
    if (s.interval !== 1) out += ` ${save ? '--hashlimit-' : ''}rate-interval ${s.interval}`;
  }
  return out;
}

/** user2credits (revision 2+) with HZ * CREDITS_PER_JIFFY / 10^6 = 137438953 (HZ 250 or 1000), mod 2^64. */
function userToCredits(user: bigint): bigint {
  return (user * 137438953n) & UINT64_MAX;
}

/** user2credits_byte with HZ * CREDITS_PER_JIFFY_BYTES = 4194304000. */
function userToCreditsByte(user: bigint): bigint {
  return ((user & U32_MAX) * 4194304000n) >> 32n;
}

// ---------------------------------------------------------------------------------------
// Replay: the named tables (xt_hashlimit_htable) and their token buckets (dsthash_ent)

/** CREDITS_PER_JIFFY (revision 2+): the power of two below 2^64 / (HZ * one day); 2^39 at HZ 250. */
const CREDITS_PER_JIFFY = pow2Below(UINT64_MAX / BigInt(HZ * 86400));
/** CREDITS_PER_JIFFY_BYTES: the power of two below 2^32 / HZ; 2^24 at HZ 250. */
const CREDITS_PER_JIFFY_BYTES = Number(pow2Below(0xffffffffn / BigInt(HZ)));
/** A byte bucket's size, CREDITS_PER_JIFFY_BYTES * HZ: one second of refill. */
const BYTE_BUCKET = CREDITS_PER_JIFFY_BYTES * HZ;
/** Jiffies after which delta * CREDITS_PER_JIFFY wraps 2^64, and the addend of one jiffy to the high word. */
const CPJ_WRAP = Number((1n << 64n) / CREDITS_PER_JIFFY);
const CPJ_HI = Number(CREDITS_PER_JIFFY >> 32n);
/**
 * htable_create's default size for a machine with more than 1 GiB of memory (8192
 * buckets); the entry limit defaults to 8 times the size.
 */
const DEFAULT_HTABLE_SIZE = 8192;

/** proto_ports_offset: where the two ports (or SPI halves) are; -1 for a protocol without. */
function portsOffset(proto: number): number {
  switch (proto) {
    case 6: // TCP
    case 17: // UDP
    case 33: // DCCP
    case 50: // ESP: the SPI
    case 132: // SCTP
    case 136: // UDP-Lite
      return 0;
    case 51: // AH: the SPI
      return 4;
    default:
      return -1;
  }
}

/** maskl: the address's first `len` bits (0 keeps nothing). */
function maskl(addr: number, len: number): number {
  return len === 0 ? 0 : (addr & (0xffffffff << (32 - len))) >>> 0;
}

/** struct dsthash_ent: one bucket. The u64 fields are those the kernel keeps as u64. */
class HashlimitEntry {
  /** jiffies at which the entry may be collected. */
  expires = 0;
  /** jiffies of the last recalculation. */
  prev = 0;
  // Token bucket (packets or bytes).
  readonly credit = new U64();
  readonly creditCap = new U64();
  readonly cost = new U64();
  // --hashlimit-rate-match.
  interval = 0;
  prevWindow = false;
  currentRate = 0;
  rate = 0;
  readonly burst = new U64();
  /** The next entry whose key hashes alike. */
  next: HashlimitEntry | undefined = undefined;
  constructor(
    readonly src: number,
    readonly dst: number,
    readonly sport: number,
    readonly dport: number,
  ) {}
}

/**
 * The bucket of a key (struct dsthash_dst): a small integer, so that looking it up in a
 * Map allocates nothing (a 48-bit number key would be boxed on every lookup).
 */
function keyHash(src: number, dst: number, sport: number, dport: number): number {
  let h = Math.imul(src ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ dst ^ (h >>> 15), 0xc2b2ae35);
  h = Math.imul(h ^ ((sport << 16) | dport) ^ (h >>> 13), 0x27d4eb2f);
  return (h ^ (h >>> 16)) & 0x3fffffff;
}

const scratchA = new U64();
const scratchB = new U64();

/**
 * A named table, shared by every rule of that name (htable_find_get). Its configuration
 * is the first rule's, copied when it was created: later rules with the same name share
 * its buckets, sizes and expiry, but their own --hashlimit-upto/above, mode bits and rate
 * decide how they answer (hashlimit_mt_common mixes both, as here). Where the two
 * disagree on the bucket kind (rate-match against token bucket), the kernel reads one
 * union member as the other; the replay keeps them apart instead.
 */
export class HashlimitTable {
  /** keyHash → the entries of that hash, chained through `next`. */
  private readonly buckets = new Map<number, HashlimitEntry>();
  count = 0;
  readonly max: number;
  readonly mode: number;
  readonly srcmask: number;
  readonly dstmask: number;
  private readonly expireJiffies: number;
  private readonly gcJiffies: number;
  /** The next run of htable_gc, every gc_interval from the table's creation. */
  private nextGc: number;
  /** The latest jiffies seen: the kernel's clock does not run backwards. */
  clock = 0;
  // rateinfo_init's starting values, which depend on the table's configuration only.
  private readonly initCredit: U64;
  private readonly initCost: U64;
  private readonly initCap: U64;
  private readonly rateInit: number;
  private readonly burstInit: U64;
  private readonly interval: number;

  constructor(cfg: HashlimitState) {
    const size = cfg.size !== 0 ? cfg.size : DEFAULT_HTABLE_SIZE;
    this.max = cfg.max === 0 ? 8 * size : cfg.max < size ? size : cfg.max;
    this.mode = cfg.mode;
    this.srcmask = cfg.srcmask;
    this.dstmask = cfg.dstmask;
    this.expireJiffies = msecsToJiffies(cfg.expire);
    this.gcJiffies = msecsToJiffies(cfg.gcInterval);
    this.nextGc = this.gcJiffies;
    this.interval = cfg.interval;
    const avg = cfg.avg;
    if (cfg.mode & HL_MODE.RATE_MATCH) {
      this.initCredit = this.initCost = this.initCap = new U64();
      if (cfg.mode & HL_MODE.BYTES) {
        // user2rate_bytes((u32)avg): (U32_MAX / avg - 1) << XT_HASHLIMIT_BYTE_SHIFT.
        const a = avg & U32_MAX;
        const rate = (((a !== 0n ? U32_MAX / a : U32_MAX) - 1n) << BYTE_SHIFT) & UINT64_MAX;
        this.rateInit = Number(rate);
        this.burstInit = u64(cfg.burst !== 0n ? cfg.burst * rate : rate);
      } else {
        // user2rate: XT_HASHLIMIT_SCALE_v2 / avg; the burst is counted on top of the rate.
        const rate = avg !== 0n ? HASHLIMIT_SCALE / avg : 0n;
        this.rateInit = Number(rate);
        this.burstInit = u64(cfg.burst + rate);
      }
    } else {
      this.rateInit = 0;
      this.burstInit = new U64();
      if (cfg.mode & HL_MODE.BYTES) {
        this.initCredit = u64(BigInt(BYTE_BUCKET));
        this.initCost = u64(userToCreditsByte(avg));
        // In byte mode credit_cap counts the refills a burst allows.
        this.initCap = u64(cfg.burst);
      } else {
        this.initCredit = u64(userToCredits((avg * cfg.burst) & UINT64_MAX));
        this.initCost = u64(userToCredits(avg));
        this.initCap = this.initCredit;
      }
    }
  }

  /**
   * htable_gc, run every gc_interval: forgets the entries whose expiry has come. Runs due
   * by `now` are made before the packet; runs that would find nothing to forget are
   * skipped.
   */
  collect(now: number): void {
    while (this.nextGc <= now) {
      const at = this.nextGc;
      let soonest = Infinity;
      for (const [h, head] of this.buckets) {
        let keep: HashlimitEntry | undefined;
        let last: HashlimitEntry | undefined;
        for (let e: HashlimitEntry | undefined = head; e !== undefined; e = e.next) {
          if (timeAfterEq(at, e.expires)) {
            this.count--;
            continue;
          }
          if (e.expires < soonest) soonest = e.expires;
          if (last) last.next = e;
          else keep = e;
          last = e;
        }
        if (last) last.next = undefined;
        if (keep === undefined) this.buckets.delete(h);
        else if (keep !== head) this.buckets.set(h, keep);
      }
      // Nothing expires before `soonest`: the first run at or after it is the next that matters.
      const next = soonest === Infinity ? Math.floor(now / this.gcJiffies) + 1 : Math.ceil(soonest / this.gcJiffies);
      this.nextGc = Math.max(at + this.gcJiffies, next * this.gcJiffies);
    }
  }

  find(src: number, dst: number, sport: number, dport: number): HashlimitEntry | undefined {
    let e = this.buckets.get(keyHash(src, dst, sport, dport));
    while (e !== undefined && (e.src !== src || e.dst !== dst || e.sport !== sport || e.dport !== dport)) e = e.next;
    return e;
  }

  /** dsthash_alloc_init; undefined when the table holds its maximum. */
  add(src: number, dst: number, sport: number, dport: number): HashlimitEntry | undefined {
    if (this.count >= this.max) return undefined;
    const h = keyHash(src, dst, sport, dport);
    const e = new HashlimitEntry(src, dst, sport, dport);
    e.next = this.buckets.get(h);
    this.buckets.set(h, e);
    this.count++;
    return e;
  }

  get expire(): number {
    return this.expireJiffies;
  }

  /** rateinfo_init */
  init(e: HashlimitEntry, now: number): void {
    e.prev = now;
    if (this.mode & HL_MODE.RATE_MATCH) {
      e.prevWindow = false;
      e.currentRate = 0;
      e.rate = this.rateInit;
      u64Copy(e.burst, this.burstInit);
      e.interval = this.interval;
      return;
    }
    u64Copy(e.credit, this.initCredit);
    u64Copy(e.cost, this.initCost);
    u64Copy(e.creditCap, this.initCap);
  }

  /** rateinfo_recalc */
  recalc(e: HashlimitEntry, now: number): void {
    const delta = now - e.prev;
    if (delta === 0) return;
    if (this.mode & HL_MODE.RATE_MATCH) {
      // u64 interval = rateinfo.interval * HZ, an unsigned int product.
      const interval = Math.imul(e.interval, HZ) >>> 0;
      if (delta < interval) return;
      e.prev = now;
      u64Mul(scratchA, e.currentRate, interval);
      u64Mul(scratchB, delta, e.rate);
      e.prevWindow = u64Cmp(scratchA, scratchB) > 0;
      e.currentRate = 0;
      return;
    }
    e.prev = now;
    if (this.mode & HL_MODE.BYTES) {
      u64Copy(scratchA, e.credit);
      u64Mul(scratchB, delta, CREDITS_PER_JIFFY_BYTES);
      u64Add(e.credit, e.credit, scratchB);
      // An overflowing sum fills the bucket.
      if (u64Cmp(scratchA, e.credit) >= 0 || u64CmpNumber(e.credit, BYTE_BUCKET) > 0) u64SetNumber(e.credit, BYTE_BUCKET);
      return;
    }
    // delta * CREDITS_PER_JIFFY mod 2^64: a multiple of 2^32, added to the high word.
    scratchA.lo = 0;
    scratchA.hi = ((delta % CPJ_WRAP) * CPJ_HI) % 4294967296;
    u64Add(e.credit, e.credit, scratchA);
    if (u64Cmp(e.credit, e.creditCap) > 0) u64Copy(e.credit, e.creditCap);
  }
}

/**
 * hashlimit_byte_cost: a packet costs one unit per 16 bytes started, at most a full
 * bucket; when the bucket cannot pay it and refills remain (credit_cap), it is refilled.
 */
function byteCost(len: number, e: HashlimitEntry): number {
  const cost = e.cost.hi * 4294967296 + e.cost.lo;
  let tmp = ((len >>> 4) + 1) * cost;
  if (tmp > BYTE_BUCKET) tmp = BYTE_BUCKET;
  if (u64CmpNumber(e.credit, tmp) < 0 && (e.creditCap.hi !== 0 || e.creditCap.lo !== 0)) {
    scratchA.hi = 0;
    scratchA.lo = 1;
    u64Sub(e.creditCap, e.creditCap, scratchA);
    u64SetNumber(e.credit, BYTE_BUCKET);
  }
  return tmp >>> 0;
}

/**
 * hashlimit_mt_common (revision 3). The bucket key is the masked addresses and the ports
 * the table's mode asks for; ports are read for TCP, UDP, UDP-Lite, SCTP, DCCP (ESP and
 * AH: the SPI) even from a later fragment, whose payload then stands in for them, and a
 * packet too short for them is dropped. A full table drops the packet too.
 */
export function hashlimitMatch(s: HashlimitState, t: HashlimitTable, pkt: PacketState): boolean {
  const v = pkt.view;
  const now = Math.max(jiffiesAt(pkt.nowNs), t.clock);
  t.clock = now;
  t.collect(now);
  const mode = t.mode;
  const dst = mode & HL_MODE.HASH_DIP ? maskl(v.dstAddr, t.dstmask) : 0;
  const src = mode & HL_MODE.HASH_SIP ? maskl(v.srcAddr, t.srcmask) : 0;
  let sport = 0;
  let dport = 0;
  if (mode & (HL_MODE.HASH_DPT | HL_MODE.HASH_SPT)) {
    const poff = portsOffset(v.protocol);
    if (poff >= 0) {
      const off = thoff(v) + poff;
      const h = header(v, off, 4);
      if (h === Header.SHORT) return hotdrop(pkt);
      if (h === Header.CUT) return false;
      if (mode & HL_MODE.HASH_SPT) sport = u16At(pkt, off);
      if (mode & HL_MODE.HASH_DPT) dport = u16At(pkt, off + 2);
    }
  }
  let e = t.find(src, dst, sport, dport);
  if (e === undefined) {
    e = t.add(src, dst, sport, dport);
    if (e === undefined) return hotdrop(pkt);
    e.expires = now + t.expire;
    t.init(e, now);
  } else {
    e.expires = now + t.expire;
    t.recalc(e, now);
  }
  const above = (s.mode & HL_MODE.INVERT) !== 0;
  if (s.mode & HL_MODE.RATE_MATCH) {
    e.currentRate += s.mode & HL_MODE.BYTES ? pkt.length : 1;
    return !e.prevWindow && u64CmpNumber(e.burst, e.currentRate) >= 0 ? !above : above;
  }
  if (s.mode & HL_MODE.BYTES) {
    const cost = byteCost(pkt.length, e);
    if (u64CmpNumber(e.credit, cost) >= 0) {
      u64SetNumber(scratchA, cost);
      u64Sub(e.credit, e.credit, scratchA);
      return !above;
    }
    return above;
  }
  if (u64Cmp(e.credit, e.cost) >= 0) {
    u64Sub(e.credit, e.credit, e.cost);
    return !above;
  }
  return above;
}

/** The upto/above options and the old name of --hashlimit-upto share one option id. */
const UPTO_NAMES = ['hashlimit-upto', 'hashlimit'];

export const hashlimit = defineMatch<HashlimitState>({
  name: 'hashlimit',
  modelled: true,
  options: [
    { name: 'hashlimit-upto', arg: 'required', invert: true, custom: true, excl: ['hashlimit-above'] },
    { name: 'hashlimit-above', arg: 'required', invert: true, excl: UPTO_NAMES },
    { name: 'hashlimit', arg: 'required', invert: true, custom: true, excl: ['hashlimit-above'] },
    { name: 'hashlimit-srcmask', arg: 'required' },
    { name: 'hashlimit-dstmask', arg: 'required' },
    { name: 'hashlimit-burst', arg: 'required' },
    { name: 'hashlimit-htable-size', arg: 'required' },
    { name: 'hashlimit-htable-max', arg: 'required' },
    { name: 'hashlimit-htable-gcinterval', arg: 'required' },
    { name: 'hashlimit-htable-expire', arg: 'required' },
    { name: 'hashlimit-mode', arg: 'required' },
    { name: 'hashlimit-name', arg: 'required', mandatory: true },
    { name: 'hashlimit-rate-match', arg: 'none' },
    { name: 'hashlimit-rate-interval', arg: 'required' },
  ],
  // hashlimit_mt4_init
  create: () => ({
    mode: 0,
    avg: 0n,
    burst: DEFAULT_BURST,
    size: 0,
    max: 0,
    gcInterval: DEFAULT_GC_INTERVAL,
    expire: 0,
    srcmask: 32,
    dstmask: 32,
    interval: 0,
    name: '',
    unitSeconds: 0,
  }),
  parse(s, call, ctx) {
    const arg = call.arg ?? '';
    const rate = (optionLabel: string): void => {
      const bytes = parseBytes(arg);
      if (bytes !== undefined) {
        s.avg = bytes;
        s.mode |= HL_MODE.BYTES;
        s.unitSeconds = BYTE_EXPIRE / 1000;
        return;
      }
      const packets = parsePacketRate(arg);
      if (!packets) throw new ParamError(`hashlimit: Bad value for "--${optionLabel}" option: "${arg}"`);
      s.avg = packets.cost;
      s.unitSeconds = packets.unitSeconds;
    };
    switch (call.name) {
      case 'hashlimit-upto':
      case 'hashlimit':
        // The message names the first option with this id (xtables_option_lookup).
        if (UPTO_NAMES.some((n) => ctx.seen.has(n))) {
          throw new ParamError('hashlimit: option "--hashlimit-upto" can only be used once.\n');
        }
        if (call.invert) s.mode |= HL_MODE.INVERT;
        rate('hashlimit-upto');
        return;
      case 'hashlimit-above':
        if (!call.invert) s.mode |= HL_MODE.INVERT;
        rate('hashlimit-above');
        return;
      case 'hashlimit-srcmask':
        s.srcmask = parseXtPlen('hashlimit', call.name, arg);
        return;
      case 'hashlimit-dstmask':
        s.dstmask = parseXtPlen('hashlimit', call.name, arg);
        return;
      case 'hashlimit-burst':
        s.burst = parseBurst(arg);
        return;
      case 'hashlimit-htable-size':
        s.size = parseXtUint('hashlimit', call.name, arg, 0, 0xffffffff);
        return;
      case 'hashlimit-htable-max':
        s.max = parseXtUint('hashlimit', call.name, arg, 0, 0xffffffff);
        return;
      case 'hashlimit-htable-gcinterval':
        s.gcInterval = parseXtUint('hashlimit', call.name, arg, 0, 0xffffffff);
        return;
      case 'hashlimit-htable-expire':
        s.expire = parseXtUint('hashlimit', call.name, arg, 0, 0xffffffff);
        return;
      case 'hashlimit-mode':
        // parse_mode: strtok over ",|", so empty items are skipped.
        for (const item of arg.split(/[,|]/)) {
          if (item === '') continue;
          const bit = { dstip: HL_MODE.HASH_DIP, srcip: HL_MODE.HASH_SIP, srcport: HL_MODE.HASH_SPT, dstport: HL_MODE.HASH_DPT }[item];
          if (bit === undefined) throw new ParamError(`hashlimit: Bad value for "--hashlimit-mode" option: "${arg}"`);
          s.mode |= bit;
        }
        return;
      case 'hashlimit-name':
        // XTTYPE_STRING, at least one character, copied into char[NAME_MAX].
        checkMinLength(arg, 1);
        s.name = arg.slice(0, 254);
        return;
      case 'hashlimit-rate-match':
        s.mode |= HL_MODE.RATE_MATCH;
        return;
      case 'hashlimit-rate-interval': {
        const n = cAtoi(arg);
        if (n <= 0) throw new ParamError(`hashlimit: Bad value for "--hashlimit-rate-interval" option: "${arg}"`);
        s.interval = n;
        return;
      }
    }
  },
  finalCheck(s, ctx) {
    // hashlimit_mt_check (revision 3)
    if (!UPTO_NAMES.some((n) => ctx.seen.has(n)) && !ctx.seen.has('hashlimit-above')) {
      throw new ParamError('You have to specify --hashlimit');
    }
    if (!ctx.seen.has('hashlimit-htable-expire')) s.expire = s.unitSeconds * 1000;
    if (s.mode & HL_MODE.BYTES) {
      let burst = 0n;
      if (ctx.seen.has('hashlimit-burst')) {
        const unit = costToBytes(s.avg);
        if (s.burst < unit) throw new ParamError(`burst cannot be smaller than ${unit}b`);
        if (unit === 0n) throw new ParamError('Floating point exception');
        // The byte count is truncated to 32 bits before the division.
        burst = (s.burst & U32_MAX) / unit;
        if (s.burst % unit !== 0n) burst = (burst + 1n) & U32_MAX;
        if (!ctx.seen.has('hashlimit-htable-expire')) s.expire = BYTE_EXPIRE_BURST;
      }
      s.burst = burst;
    } else if (s.burst > BURST_MAX) {
      throw new ParamError('bad value for option "--hashlimit-burst", or out of range (1-1000000).');
    }
    if (s.mode & HL_MODE.RATE_MATCH) {
      if (!(s.mode & HL_MODE.BYTES)) s.avg /= BigInt(s.unitSeconds);
      if (s.interval === 0) s.interval = s.mode & HL_MODE.BYTES ? 1 : s.unitSeconds;
    }
    // hashlimit_mt_check_common clamps the table sizes in the entry it keeps, which is
    // what iptables-save reads back.
    if (s.size > HTABLE_MAX_SIZE) s.size = HTABLE_MAX_SIZE;
    if (s.max > HTABLE_MAX_SIZE) s.max = HTABLE_MAX_SIZE;
  },
  save(s) {
    let out = s.mode & HL_MODE.INVERT ? ' --hashlimit-above' : ' --hashlimit-upto';
    let quantum: number;
    if (s.mode & HL_MODE.BYTES) {
      const b = bytesText(s.avg, s.burst, '--hashlimit-');
      out += b.text;
      quantum = b.quantum;
    } else {
      // The save text uses the cost as stored, even when --rate-match divided it.
      const r = packetRateText(s.avg);
      out += r.text + ` --hashlimit-burst ${s.burst}`;
      quantum = r.quantum;
    }
    return out + tailText(s, quantum, '--hashlimit-', true);
  },
  print(s) {
    let out = s.mode & HL_MODE.INVERT ? ' limit: above' : ' limit: up to';
    let quantum: number;
    if (s.mode & HL_MODE.BYTES) {
      const b = bytesText(s.avg, s.burst, '');
      out += b.text;
      quantum = b.quantum;
    } else {
      const period = s.interval !== 0 ? (s.avg * BigInt(s.interval)) & UINT64_MAX : s.avg;
      const r = packetRateText(period);
      out += r.text + ` burst ${s.burst}`;
      quantum = r.quantum;
    }
    return out + tailText(s, quantum, '', false);
  },
  // htable_find_get, or htable_create from this rule's configuration.
  instantiate: (s, rt: ReplayRuntime) => rt.shared('hashlimit', s.name, () => new HashlimitTable(s)),
  matchPacket: (s, pkt, _rt, inst) => hashlimitMatch(s, inst as HashlimitTable, pkt),
  kernelCheck(s) {
    // xt_check_proc_name, then hashlimit_mt_check_common
    if (s.name === '.' || s.name === '..' || s.name.includes('/')) return `hashlimit: invalid table name "${s.name}"`;
    if (s.gcInterval === 0 || s.expire === 0) return 'hashlimit: htable-gcinterval and htable-expire must not be 0';
    if (s.srcmask > 32 || s.dstmask > 32) {
      const bad = s.srcmask > 32 ? s.srcmask : s.dstmask;
      return `hashlimit: prefix length ${bad === NON_CIDR_PLEN ? '(non-CIDR netmask)' : bad} is over 32`;
    }
    if (s.mode & HL_MODE.RATE_MATCH) {
      if (s.avg === 0n || s.avg > U32_MAX) return 'hashlimit: invalid rate';
      if (s.interval === 0) return 'hashlimit: invalid interval';
    } else if (s.mode & HL_MODE.BYTES) {
      if (userToCreditsByte(s.avg) === 0n) return `hashlimit: overflow, rate too high: ${s.avg}`;
    } else if (s.burst === 0n || userToCredits((s.avg * s.burst) & UINT64_MAX) < userToCredits(s.avg)) {
      return `hashlimit: overflow, try lower: ${s.avg}/${s.burst}`;
    }
    return undefined;
  },
});
