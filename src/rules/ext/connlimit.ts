/**
 * connlimit match, revision 1 (libxt_connlimit / kernel xt_connlimit): the number of
 * conntrack entries whose source (or destination) address falls in the packet's network
 * under a mask, compared with a limit: "above n" or "upto n".
 */
import { ParamError } from '../errors.js';
import { parseXtPlenMask } from './common/addresses.js';
import { parseXtUint } from './common/numbers.js';
import { defineMatch } from './types.js';

export interface ConnlimitState {
  limit: number;
  /** XT_CONNLIMIT_INVERT: match when the count is <= limit ("upto"), else when > limit. */
  upto: boolean;
  /** XT_CONNLIMIT_DADDR: group by destination address rather than source. */
  daddr: boolean;
  /** Grouping mask applied to the address (all ones by default). */
  mask: number;
}

/**
 * count_bits4: 32 minus the bit length of the inverted mask, i.e. the prefix length for
 * a CIDR mask; a non-contiguous mask reads as the prefix its lowest clear bit allows.
 */
export function maskPrefixLength(mask: number): number {
  let rest = ~mask >>> 0;
  let bits = 0;
  while (rest !== 0) {
    rest >>>= 1;
    bits++;
  }
  return 32 - bits;
}

export const connlimit = defineMatch<ConnlimitState>({
  name: 'connlimit',
  modelled: false,
  needs: 'conntrack',
  options: [
    { name: 'connlimit-upto', arg: 'required', invert: true, excl: ['connlimit-above'] },
    { name: 'connlimit-above', arg: 'required', invert: true, excl: ['connlimit-upto'] },
    { name: 'connlimit-mask', arg: 'required' },
    { name: 'connlimit-saddr', arg: 'none', excl: ['connlimit-daddr'] },
    { name: 'connlimit-daddr', arg: 'none', excl: ['connlimit-saddr'] },
  ],
  create: () => ({ limit: 0, upto: false, daddr: false, mask: 0xffffffff }),
  parse(s, call) {
    switch (call.name) {
      case 'connlimit-upto':
      case 'connlimit-above':
        s.limit = parseXtUint('connlimit', call.name, call.arg ?? '', 0, 0xffffffff);
        // "! --connlimit-above n" is "--connlimit-upto n" and vice versa (connlimit_parse).
        s.upto = (call.name === 'connlimit-upto') !== call.invert;
        return;
      case 'connlimit-mask':
        // XTTYPE_PLENMASK: in 1.8.9 a non-CIDR netmask becomes all ones.
        s.mask = parseXtPlenMask('connlimit', call.name, call.arg ?? '');
        return;
      case 'connlimit-saddr':
        s.daddr = false;
        return;
      case 'connlimit-daddr':
        s.daddr = true;
        return;
    }
  },
  finalCheck(_s, ctx) {
    if (!ctx.seen.has('connlimit-upto') && !ctx.seen.has('connlimit-above')) {
      throw new ParamError('You must specify "--connlimit-above" or "--connlimit-upto".');
    }
  },
  save: (s) =>
    ` --connlimit-${s.upto ? 'upto' : 'above'} ${s.limit} --connlimit-mask ${maskPrefixLength(s.mask)}` +
    ` --connlimit-${s.daddr ? 'daddr' : 'saddr'}`,
  print: (s) => ` #conn ${s.daddr ? 'dst' : 'src'}/${maskPrefixLength(s.mask)} ${s.upto ? '<=' : '>'} ${s.limit}`,
});
