/**
 * statistic match (libxt_statistic / kernel xt_statistic): random sampling with a
 * fixed-point probability, or every n-th packet from a shared counter.
 */
import { ParamError } from '../errors.js';
import { cStrtod, parseXtUint } from './common/numbers.js';
import { defineMatch } from './types.js';

export const STATISTIC_MODE = { RANDOM: 0, NTH: 1 } as const;

export interface StatisticState {
  /** STATISTIC_MODE; RANDOM (0) until --mode says otherwise, as in the zeroed struct. */
  mode: number;
  /** XT_STATISTIC_INVERT: set by "!" before --probability or --every. */
  invert: boolean;
  /** Random mode: matches when prandom_u32() & 0x7fffffff < probability (2^31 = always). */
  probability: number;
  /** Nth mode, as the kernel holds it: n - 1. */
  every: number;
  /** Nth mode: the initial counter value p. */
  packet: number;
  /** Nth mode: the counter the kernel starts from, every - packet. */
  count: number;
}

/**
 * "%.11f" of probability / 2^31, exactly as glibc rounds the binary value (half to even
 * on the exact decimal expansion; Number#toFixed would round some ties up).
 */
export function probabilityText(probability: number): string {
  const scaled = BigInt(probability) * 10n ** 11n;
  let q = scaled >> 31n;
  const r = scaled & 0x7fffffffn;
  if (r > 0x40000000n || (r === 0x40000000n && (q & 1n) === 1n)) q++;
  const unit = 10n ** 11n;
  return `${q / unit}.${(q % unit).toString().padStart(11, '0')}`;
}

/** The mode/probability/every/packet text of print_match (prefix "" lists, "--" saves). */
function statisticText(s: StatisticState, prefix: string): string {
  const inv = s.invert ? ' !' : '';
  if (s.mode === STATISTIC_MODE.RANDOM) {
    return ` ${prefix}mode random${inv} ${prefix}probability ${probabilityText(s.probability)}`;
  }
  let out = ` ${prefix}mode nth${inv} ${prefix}every ${s.every + 1}`;
  if (s.packet !== 0 || prefix !== '') out += ` ${prefix}packet ${s.packet}`;
  return out;
}

/** The counter every packet through the rule advances (xt_statistic_priv). */
interface NthCounter {
  count: number;
}

export const statistic = defineMatch<StatisticState>({
  name: 'statistic',
  modelled: true,
  options: [
    { name: 'mode', arg: 'required', mandatory: true },
    { name: 'probability', arg: 'required', invert: true, excl: ['every', 'packet'] },
    { name: 'every', arg: 'required', invert: true, excl: ['probability'], also: ['packet'] },
    { name: 'packet', arg: 'required', excl: ['probability'], also: ['every'] },
  ],
  create: () => ({ mode: STATISTIC_MODE.RANDOM, invert: false, probability: 0, every: 0, packet: 0, count: 0 }),
  parse(s, call) {
    if (call.invert) s.invert = true;
    const arg = call.arg ?? '';
    switch (call.name) {
      case 'mode':
        if (arg === 'random') s.mode = STATISTIC_MODE.RANDOM;
        else if (arg === 'nth') s.mode = STATISTIC_MODE.NTH;
        else throw new ParamError(`Bad mode "${arg}"`);
        return;
      case 'probability': {
        // xtopt_parse_float: the whole argument, within [0, 1] (NaN passes both tests).
        const d = cStrtod(arg);
        if (d.end === 0 || d.end !== arg.length || d.value < 0 || d.value > 1) {
          throw new ParamError('statistic: bad value for option "--probability", or out of range (0-1).\n');
        }
        // lround(0x80000000 * p); lround(NaN) is LONG_MIN on x86-64, 0 once truncated.
        s.probability = Number.isNaN(d.value) ? 0 : Math.round(0x80000000 * d.value);
        return;
      }
      case 'every':
        s.every = parseXtUint('statistic', 'every', arg, 1, 0xffffffff) - 1;
        return;
      case 'packet':
        s.packet = parseXtUint('statistic', 'packet', arg, 0, 0xffffffff);
        return;
    }
  },
  finalCheck(s, ctx) {
    if (s.mode === STATISTIC_MODE.RANDOM && !ctx.seen.has('probability')) {
      throw new ParamError('--probability must be specified when using random mode');
    }
    if (s.mode === STATISTIC_MODE.NTH && !ctx.seen.has('every') && !ctx.seen.has('packet')) {
      throw new ParamError('--every and --packet must be specified when using nth mode');
    }
    if (s.packet > s.every) throw new ParamError('the --packet p must be 0 <= p <= n-1');
    s.count = s.every - s.packet;
  },
  save: (s) => statisticText(s, '--'),
  print: (s) => ' statistic' + statisticText(s, ''),
  // statistic_mt_check: the shared counter starts at every - packet.
  instantiate: (s): NthCounter => ({ count: s.count }),
  /**
   * statistic_mt. Random: prandom & 0x7fffffff below the fixed-point probability (the
   * replay's seeded generator stands in for get_random_u32). Nth: the counter runs
   * 0..n-1 and the packet that brings it back to 0 matches. Either way "!" inverts.
   */
  matchPacket(s, pkt, rt, inst) {
    if (s.mode === STATISTIC_MODE.RANDOM) return rt.statisticRandom(pkt, s.probability, s.invert);
    const c = inst as NthCounter;
    c.count = c.count === s.every ? 0 : c.count + 1;
    return (c.count === 0) !== s.invert;
  },
});
