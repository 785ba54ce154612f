/**
 * connbytes match (libxt_connbytes / kernel xt_connbytes): the packets, bytes or average
 * packet size conntrack counted for the connection in one or both directions, compared
 * with a 64-bit range.
 *
 * Also home of the XTTYPE_UINT64RC parser (1.8.9's xtopt_parse_mint, exact as bigint).
 */
import { ParamError } from '../errors.js';
import { cStrtoul } from './conntrack.js';
import { UINT64_MAX } from './quota.js';
import { defineMatch } from './types.js';

/**
 * XTTYPE_UINT64RC: "a", "a:b", ":b", "a:" or ":", each number base 0 in 0..2^64-1; an
 * empty first part is 0 and an empty second part 2^64-1. Returns one value for "a" and
 * two otherwise; 1.8.9 does not order them.
 */
export function parseUint64RangeOption(ext: string, option: string, text: string): [bigint] | [bigint, bigint] {
  const values: bigint[] = [];
  let pos = 0;
  for (;;) {
    if (values.length === 2) throw new ParamError(`${ext}: Too many components for option "--${option}" (max: 2)`);
    const rest = text.slice(pos);
    let end = pos;
    if (rest === '' || rest[0] === ':') {
      values.push(values.length === 1 ? UINT64_MAX : 0n);
    } else {
      const n = cStrtoul(rest, 0);
      if (/^[ \t\n\v\f\r]*-/.test(rest) || n.end === 0 || n.erange) {
        throw new ParamError(
          `${ext}: bad value for option "--${option}" near "${rest}", or out of range (0-${UINT64_MAX}).`,
        );
      }
      end = pos + n.end;
      if (end < text.length && text[end] !== ':') {
        throw new ParamError(`${ext}: Argument to "--${option}" has unexpected characters near "${text.slice(end)}".`);
      }
      values.push(n.value);
    }
    if (end >= text.length) return values as [bigint] | [bigint, bigint];
    pos = end + 1;
  }
}

/** XT_CONNBYTES_* counters. */
export const CONNBYTES_WHAT = { PKTS: 0, BYTES: 1, AVGPKT: 2 } as const;
/** XT_CONNBYTES_DIR_* directions. */
export const CONNBYTES_DIR = { ORIGINAL: 0, REPLY: 1, BOTH: 2 } as const;

const WHAT_NAMES = ['packets', 'bytes', 'avgpkt'] as const;
const DIR_NAMES = ['original', 'reply', 'both'] as const;

export interface ConnbytesState {
  /**
   * The kernel's pair: from <= to matches from..to inclusive; from > to (what a negation
   * stores, by swapping) matches outside to..from.
   */
  from: bigint;
  to: bigint;
  /** CONNBYTES_WHAT */
  what: number;
  /** CONNBYTES_DIR */
  direction: number;
}

/** print_from_to: a swapped pair shows as "!", the upper bound only when below 2^64-1. */
function rangeText(s: ConnbytesState, prefix: string): string {
  const inverted = s.from > s.to;
  const from = inverted ? s.to : s.from;
  const to = inverted ? s.from : s.to;
  let out = `${inverted ? ' !' : ''} ${prefix}connbytes ${from}`;
  if (to !== 0n && to < UINT64_MAX) out += `:${to}`;
  return out;
}

export const connbytes = defineMatch<ConnbytesState>({
  name: 'connbytes',
  modelled: false,
  options: [
    { name: 'connbytes', arg: 'required', invert: true, mandatory: true },
    { name: 'connbytes-dir', arg: 'required', mandatory: true },
    { name: 'connbytes-mode', arg: 'required', mandatory: true },
  ],
  create: () => ({ from: 0n, to: 0n, what: CONNBYTES_WHAT.PKTS, direction: CONNBYTES_DIR.ORIGINAL }),
  parse(s, call) {
    const arg = call.arg ?? '';
    switch (call.name) {
      case 'connbytes': {
        const [from, to = UINT64_MAX] = parseUint64RangeOption('connbytes', call.name, arg);
        // 1.8.9's connbytes_parse refuses a reversed range before applying the negation.
        if (to < from) throw new ParamError(`${from} should be less than ${to}`);
        s.from = call.invert ? to : from;
        s.to = call.invert ? from : to;
        return;
      }
      case 'connbytes-dir': {
        const dir = DIR_NAMES.indexOf(arg as (typeof DIR_NAMES)[number]);
        if (dir < 0) throw new ParamError(`Unknown --connbytes-dir \`${arg}'`);
        s.direction = dir;
        return;
      }
      case 'connbytes-mode': {
        const what = WHAT_NAMES.indexOf(arg as (typeof WHAT_NAMES)[number]);
        if (what < 0) throw new ParamError(`Unknown --connbytes-mode \`${arg}'`);
        s.what = what;
        return;
      }
    }
  },
  save: (s) =>
    `${rangeText(s, '--')} --connbytes-mode ${WHAT_NAMES[s.what]} --connbytes-dir ${DIR_NAMES[s.direction]}`,
  print: (s) =>
    `${rangeText(s, '')} connbytes mode ${WHAT_NAMES[s.what]} connbytes direction ${DIR_NAMES[s.direction]}`,
});
