/**
 * connmark match, revision 1 (libxt_connmark / kernel xt_connmark connmark_mt): compares
 * the mark of the packet's conntrack entry, `(ctmark & mask) == value`, optionally
 * negated. A packet without a conntrack entry never matches (not even negated).
 */
import { parseValueMask, valMaskText } from './common/valuemask.js';
import { defineMatch } from './types.js';
import type { PacketState } from '../../engine/packet.js';

export interface ConnmarkMatchState {
  value: number;
  /** 0xffffffff when no "/mask" was given. */
  mask: number;
  invert: boolean;
}

export const connmark = defineMatch<ConnmarkMatchState>({
  name: 'connmark',
  modelled: true,
  options: [{ name: 'mark', arg: 'required', invert: true, mandatory: true }],
  create: () => ({ value: 0, mask: 0xffffffff, invert: false }),
  matchPacket(s, pkt: PacketState) {
    const ct = pkt.ct;
    if (ct === null) return false;
    return ((ct.mark & s.mask) >>> 0 === s.value) !== s.invert;
  },
  parse(s, call) {
    const vm = parseValueMask('connmark', call.name, call.arg ?? '');
    s.value = vm.value;
    s.mask = vm.mask;
    s.invert = call.invert;
  },
  save: (s) => `${s.invert ? ' !' : ''} --mark${valMaskText(s.value, s.mask)}`,
  // connmark_mt_print: "connmark match " then "!" glued to the value, which brings its own
  // leading space: "connmark match  0x1", "connmark match ! 0x1".
  print: (s) => ` connmark match ${s.invert ? '!' : ''}${valMaskText(s.value, s.mask)}`,
});
