/**
 * rpfilter match (libxt_rpfilter / kernel ipt_rpfilter): reverse-path filtering by a
 * route lookup of the packet's source address. The kernel allows it only in the raw and
 * mangle tables, from PREROUTING.
 */
import { defineMatch } from './types.js';

/** XT_RPFILTER_* bits, in the order rpfilter_print_prefix lists them. */
export const RPFILTER = {
  LOOSE: 1 << 0,
  VALID_MARK: 1 << 1,
  ACCEPT_LOCAL: 1 << 2,
  INVERT: 1 << 3,
} as const;

const FLAG_OPTIONS: ReadonlyArray<readonly [string, number]> = [
  ['loose', RPFILTER.LOOSE],
  ['validmark', RPFILTER.VALID_MARK],
  ['accept-local', RPFILTER.ACCEPT_LOCAL],
  ['invert', RPFILTER.INVERT],
];

export interface RpfilterState {
  /** RPFILTER bits. */
  flags: number;
}

function flagsText(flags: number, prefix: string): string {
  return FLAG_OPTIONS.filter(([, bit]) => (flags & bit) !== 0)
    .map(([name]) => ` ${prefix}${name}`)
    .join('');
}

export const rpfilter = defineMatch<RpfilterState>({
  name: 'rpfilter',
  modelled: false,
  needs: 'routing',
  tables: ['raw', 'mangle'],
  hooks: ['PREROUTING'],
  options: FLAG_OPTIONS.map(([name]) => ({ name, arg: 'none' as const })),
  create: () => ({ flags: 0 }),
  parse(s, call) {
    s.flags |= FLAG_OPTIONS.find(([name]) => name === call.name)![1];
  },
  save: (s) => flagsText(s.flags, '--'),
  print: (s) => ' rpfilter' + flagsText(s.flags, ''),
});
