/**
 * tos match, revision 1 (libxt_tos / kernel xt_dscp tos_mt): the IPv4 TOS byte under a
 * mask, `(tos & mask) == value`, optionally negated. A symbolic name (RFC 1349) keeps the
 * precedence bits out of the comparison (mask 0x3f); a number alone compares all 8 bits.
 */
import { hex2 } from '../values.js';
import { parseTosMask, TOS_SYMBOLS } from './TOS.js';
import { defineMatch } from './types.js';

export interface TosMatchState {
  value: number;
  mask: number;
  invert: boolean;
}

/** tos_try_print_symbolic names a value only with exactly this mask. */
const SYMBOLIC_MASK = 0x3f;

export const tos = defineMatch<TosMatchState>({
  name: 'tos',
  modelled: true,
  options: [{ name: 'tos', arg: 'required', invert: true, mandatory: true }],
  create: () => ({ value: 0, mask: 0, invert: false }),
  parse(s, call) {
    const vm = parseTosMask(call.arg ?? '');
    s.value = vm.value;
    s.mask = vm.mask;
    s.invert = call.invert;
  },
  save: (s) => `${s.invert ? ' !' : ''} --tos ${hex2(s.value)}/${hex2(s.mask)}`,
  print(s, _ip, numeric) {
    // tos_mt_print glues "!" and the numeric form to "tos match"; only the symbolic form
    // brings its own space: "tos match!0xff/0xff", "tos match! Minimize-Delay".
    const inv = s.invert ? '!' : '';
    const sym = s.mask === SYMBOLIC_MASK ? TOS_SYMBOLS.find(([, v]) => v === s.value) : undefined;
    if (sym && !numeric) return ` tos match${inv} ${sym[0]}`;
    return ` tos match${inv}${hex2(s.value)}/${hex2(s.mask)}`;
  },
  // tos_mt: ((tos & mask) == value) ^ invert.
  matchPacket: (s, pkt) => ((pkt.tos & s.mask) === s.value) !== s.invert,
});
