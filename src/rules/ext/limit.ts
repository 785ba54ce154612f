/**
 * limit match (libxt_limit / kernel xt_limit): a token bucket. The kernel keeps the rate
 * as a cost, the interval between packets in 1/10000 s (XT_LIMIT_SCALE), and the burst;
 * the listing recomputes a rate from that cost, so "7/m" reads back as "7/min".
 */
import { ParamError } from '../errors.js';
import { HZ, jiffiesAt, pow2Below } from './common/kernel.js';
import { cAtoi, parseXtUint } from './common/numbers.js';
import { isCasePrefix } from './common/strings.js';
import { defineMatch } from './types.js';

export const XT_LIMIT_SCALE = 10000;

export interface LimitState {
  /** Cost of one packet: XT_LIMIT_SCALE * seconds-per-unit / rate. */
  avg: number;
  burst: number;
}

/** Units accepted after "/", by case-insensitive prefix, in the order they are tried. */
const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['second', 1],
  ['minute', 60],
  ['hour', 60 * 60],
  ['day', 24 * 60 * 60],
];

/**
 * The unit part of the "n[/unit]" syntax shared by limit and hashlimit (parse_rate): the
 * length of the unit in seconds, 1 without a unit, or undefined where parse_rate fails.
 * The number itself is read by the caller with atoi/atoll, so "1.5/sec" is 1/sec.
 */
export function parseRateUnit(text: string): number | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return 1;
  const unit = text.slice(slash + 1);
  if (unit === '') return undefined;
  return UNITS.find(([name]) => isCasePrefix(unit, name))?.[1];
}

/** parse_rate for limit: the 32-bit cost, or undefined for a bad rate. */
function limitCost(text: string): number | undefined {
  const mult = parseRateUnit(text);
  if (mult === undefined) return undefined;
  // r = atoi(rate) as uint32_t; the cost is computed in 32-bit unsigned arithmetic.
  const r = cAtoi(text) >>> 0;
  if (r === 0) return undefined;
  const cost = Math.floor((XT_LIMIT_SCALE * mult) / r);
  if (cost === 0) throw new ParamError(`Rate too fast "${text}"`);
  return cost;
}

/**
 * print_rate: the largest unit (day, hour, min, sec) whose rate the cost still expresses
 * without losing more than the integer division already does.
 */
export function rateText(period: bigint, scale: bigint): string {
  if (period === 0n) return 'inf';
  const units: ReadonlyArray<readonly [string, bigint]> = [
    ['day', scale * 86400n],
    ['hour', scale * 3600n],
    ['min', scale * 60n],
    ['sec', scale],
  ];
  let i = 1;
  for (; i < units.length; i++) {
    const mult = units[i]![1];
    if (period > mult || mult / period < mult % period) break;
  }
  const [name, mult] = units[i - 1]!;
  return `${mult / period}/${name}`;
}

/**
 * xt_limit's CREDITS_PER_JIFFY: the power of two below 2^32 / (HZ * one day), so that a
 * rate of one packet a day still fits in 32 bits (128 at HZ 250).
 */
const CREDITS_PER_JIFFY = Number(pow2Below(0xffffffffn / BigInt(HZ * 24 * 60 * 60)));

/** xt_limit's user2credits with HZ * CREDITS_PER_JIFFY (32000), in the kernel's 32-bit arithmetic. */
function userToCredits(user: number): number {
  const HZ_CPJ = HZ * CREDITS_PER_JIFFY;
  if (user > Math.floor(0xffffffff / HZ_CPJ)) return Math.imul(Math.floor(user / XT_LIMIT_SCALE), HZ_CPJ) >>> 0;
  return Math.floor((user * HZ_CPJ) / XT_LIMIT_SCALE);
}

/** struct xt_limit_priv plus the rule's credit_cap and cost, which the kernel computes once. */
interface LimitBucket {
  /** jiffies of the last refill. */
  prev: number;
  credit: number;
  creditCap: number;
  cost: number;
}

const TWO32 = 4294967296;
/** Jiffies after which credit_increase (a u32) wraps: 2^32 / CREDITS_PER_JIFFY. */
const WRAP_JIFFIES = TWO32 / CREDITS_PER_JIFFY;

/**
 * limit_mt: refill by CREDITS_PER_JIFFY per jiffy since the last packet, up to the cap,
 * then pay the cost if there is enough. The sums are u32 and wrap: a rule idle for more
 * than 2^32 / 128 jiffies (about six days at HZ 250) refills by the elapsed time modulo
 * that, as the kernel does.
 */
function limitMatch(b: LimitBucket, nowNs: number): boolean {
  // The kernel's clock never runs backwards; a capture's may (merged interfaces).
  const now = Math.max(jiffiesAt(nowNs), b.prev);
  // Fast path: nothing to refill, not enough to pay.
  if (b.credit < b.cost && b.prev === now) return false;
  const elapsed = (now - b.prev) % WRAP_JIFFIES;
  b.prev = now;
  let credit = (b.credit + elapsed * CREDITS_PER_JIFFY) % TWO32;
  if (credit > b.creditCap) credit = b.creditCap;
  if (credit >= b.cost) {
    b.credit = credit - b.cost;
    return true;
  }
  b.credit = credit;
  return false;
}

const DEFAULT_BURST = 5;

export const limit = defineMatch<LimitState>({
  name: 'limit',
  modelled: true,
  options: [
    { name: 'limit', arg: 'required' },
    { name: 'limit-burst', arg: 'required' },
  ],
  // limit_init: 3/hour, burst 5.
  create: () => ({ avg: limitCost('3/hour')!, burst: DEFAULT_BURST }),
  parse(s, call) {
    const arg = call.arg ?? '';
    if (call.name === 'limit') {
      const cost = limitCost(arg);
      if (cost === undefined) throw new ParamError(`bad rate "${arg}"'`);
      s.avg = cost;
    } else {
      s.burst = parseXtUint('limit', 'limit-burst', arg, 0, 10000);
    }
  },
  save(s) {
    let out = ` --limit ${rateText(BigInt(s.avg), BigInt(XT_LIMIT_SCALE))}`;
    if (s.burst !== DEFAULT_BURST) out += ` --limit-burst ${s.burst}`;
    return out;
  },
  print: (s) => ` limit: avg ${rateText(BigInt(s.avg), BigInt(XT_LIMIT_SCALE))} burst ${s.burst}`,
  /** limit_mt_check: the bucket starts full; the cap is that, the cost one average interval. */
  instantiate(s): LimitBucket {
    const full = userToCredits(Math.imul(s.avg, s.burst) >>> 0);
    return { prev: 0, credit: full, creditCap: full, cost: userToCredits(s.avg) };
  },
  matchPacket: (_s, pkt, _rt, inst) => limitMatch(inst as LimitBucket, pkt.nowNs),
  kernelCheck(s) {
    // limit_mt_check: avg * burst must not overflow the 32-bit credit computation.
    const product = Math.imul(s.avg, s.burst) >>> 0;
    if (s.burst === 0 || userToCredits(product) < userToCredits(s.avg)) {
      return `limit: overflow, try lower: ${s.avg}/${s.burst}`;
    }
    return undefined;
  },
});
