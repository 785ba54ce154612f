/**
 * hashlimit match, revision 3 (libxt_hashlimit / kernel xt_hashlimit): a token bucket per
 * hash key (source/destination address and port, with prefix masks), kept in a named
 * table shared by every rule that uses the same name. Rates are packet costs in
 * microseconds (XT_HASHLIMIT_SCALE_v2) or, for "b/s" rates, byte costs; the listing
 * recomputes a rate from the cost.
 */
import { ParamError } from '../errors.js';
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
