/**
 * connbytes match (libxt_connbytes / kernel xt_connbytes): the packets, bytes or average
 * packet size conntrack counted for the connection in one or both directions, compared
 * with a 64-bit range.
 */
import { ParamError } from '../errors.js';
import { parseXtUint64Range, UINT64_MAX } from './common/numbers.js';
import { defineMatch } from './types.js';

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
  needs: 'conntrack',
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
        const [from, to = UINT64_MAX] = parseXtUint64Range('connbytes', call.name, arg);
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
