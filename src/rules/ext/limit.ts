/**
 * limit match (libxt_limit / kernel xt_limit): a token bucket. The kernel keeps the rate
 * as a cost, the interval between packets in 1/10000 s (XT_LIMIT_SCALE), and the burst;
 * the listing recomputes a rate from that cost, so "7/m" reads back as "7/min".
 */
import { ParamError } from '../errors.js';
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
 * xt_limit's user2credits with HZ * CREDITS_PER_JIFFY = 32000 (HZ 250 or 1000), in the
 * kernel's 32-bit arithmetic.
 */
function userToCredits(user: number): number {
  const HZ_CPJ = 32000;
  if (user > Math.floor(0xffffffff / HZ_CPJ)) return Math.imul(Math.floor(user / XT_LIMIT_SCALE), HZ_CPJ) >>> 0;
  return Math.floor((user * HZ_CPJ) / XT_LIMIT_SCALE);
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
  kernelCheck(s) {
    // limit_mt_check: avg * burst must not overflow the 32-bit credit computation.
    const product = Math.imul(s.avg, s.burst) >>> 0;
    if (s.burst === 0 || userToCredits(product) < userToCredits(s.avg)) {
      return `limit: overflow, try lower: ${s.avg}/${s.burst}`;
    }
    return undefined;
  },
});
