/**
 * mark match, revision 1 (libxt_mark / kernel xt_mark mark_mt): compares the packet's
 * nfmark under a mask, `(mark & mask) == value`, optionally negated.
 */
import { code } from '../../compile/builder.js';
import { parseValueMask, valMaskText } from './common/valuemask.js';
import { defineMatch } from './types.js';

export interface MarkMatchState {
  value: number;
  /** 0xffffffff when no "/mask" was given. */
  mask: number;
  invert: boolean;
}

export const mark = defineMatch<MarkMatchState>({
  name: 'mark',
  modelled: true,
  options: [{ name: 'mark', arg: 'required', invert: true, mandatory: true }],
  create: () => ({ value: 0, mask: 0xffffffff, invert: false }),
  parse(s, call) {
    const vm = parseValueMask('mark', call.name, call.arg ?? '');
    s.value = vm.value;
    s.mask = vm.mask;
    s.invert = call.invert;
  },
  save: (s) => `${s.invert ? ' !' : ''} --mark${valMaskText(s.value, s.mask)}`,
  print: (s) => ` mark match${s.invert ? ' !' : ''}${valMaskText(s.value, s.mask)}`,
  // mark_mt: ((skb->mark & mask) == mark) ^ invert.
  matchPacket: (s, pkt) => (((pkt.mark & s.mask) >>> 0) === s.value) !== s.invert,
  compileMatch: (s, c) =>
    s.invert ? code`((${c.pkt}.mark & ${s.mask}) >>> 0) !== ${s.value}` : code`((${c.pkt}.mark & ${s.mask}) >>> 0) === ${s.value}`,
});
