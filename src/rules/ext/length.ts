/**
 * length match (libxt_length / kernel xt_length): the IPv4 total length, a value or an
 * inclusive range, optionally negated.
 */
import { inRange, rangeCode } from './common/match.js';
import { code } from '../../compile/builder.js';
import { parseXtUintRange, rangeText } from './common/numbers.js';
import { defineMatch } from './types.js';

export interface LengthState {
  min: number;
  max: number;
  invert: boolean;
}

export const length = defineMatch<LengthState>({
  name: 'length',
  modelled: true,
  options: [{ name: 'length', arg: 'required', invert: true, mandatory: true }],
  create: () => ({ min: 0, max: 0, invert: false }),
  parse(s, call) {
    const [min, max = min] = parseXtUintRange('length', call.name, call.arg ?? '', 0xffff);
    s.min = min;
    // A reversed range ("4:3") is kept as given: xt_length then never matches.
    s.max = max;
    s.invert = call.invert;
  },
  save: (s) => `${s.invert ? ' !' : ''} --length ${rangeText(s.min, s.max)}`,
  print: (s) => ` length ${s.invert ? '!' : ''}${rangeText(s.min, s.max)}`,
  // length_mt: the IP header's total length as it is now (TCPMSS may have grown it).
  matchPacket: (s, pkt) => inRange(s.min, s.max, pkt.length, s.invert),
  compileMatch: (s, c) => rangeCode(code`${c.pkt}.length`, s.min, s.max, s.invert, 0xffff) ?? code`true`,
});
