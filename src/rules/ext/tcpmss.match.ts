/**
 * tcpmss match (libxt_tcpmss / kernel xt_tcpmss): the MSS option of TCP SYN packets, a
 * value or an inclusive range, optionally negated. The kernel only accepts it for -p tcp.
 */
import { ParamError } from '../errors.js';
import { parseXtUintRange, rangeText } from './common/numbers.js';
import { defineMatch } from './types.js';

export interface TcpmssMatchState {
  min: number;
  max: number;
  invert: boolean;
}

export const tcpmss = defineMatch<TcpmssMatchState>({
  name: 'tcpmss',
  modelled: true,
  // xt_tcpmss tcpmss_mt4_reg: .proto = IPPROTO_TCP.
  proto: 6,
  options: [{ name: 'mss', arg: 'required', invert: true, mandatory: true }],
  create: () => ({ min: 0, max: 0, invert: false }),
  parse(s, call) {
    const [min, max = min] = parseXtUintRange('tcpmss', call.name, call.arg ?? '', 0xffff);
    // tcpmss_parse, unlike length_parse, refuses a reversed range itself.
    if (max < min) throw new ParamError('tcpmss: invalid range given');
    s.min = min;
    s.max = max;
    s.invert = call.invert;
  },
  save: (s) => `${s.invert ? ' !' : ''} --mss ${rangeText(s.min, s.max)}`,
  print: (s) => ` tcpmss match ${s.invert ? '!' : ''}${rangeText(s.min, s.max)}`,
});
