/**
 * tcpmss match (libxt_tcpmss / kernel xt_tcpmss): the MSS option of TCP SYN packets, a
 * value or an inclusive range, optionally negated. The kernel only accepts it for -p tcp.
 */
import { L4State } from '../../decode/view.js';
import type { PacketState } from '../../engine/packet.js';
import { ParamError } from '../errors.js';
import { Header, header, thoff, u8At } from './common/header.js';
import { hotdrop } from './common/hotdrop.js';
import { parseXtUintRange, rangeText } from './common/numbers.js';
import { defineMatch } from './types.js';

export interface TcpmssMatchState {
  min: number;
  max: number;
  invert: boolean;
}

/**
 * tcpmss_mt (xt_tcpmss.c). It reads the header at thoff without looking at the fragment
 * offset, so a later fragment's payload is walked as if it were a TCP header. A header or
 * option area the packet does not hold, or a data offset below 5 words, drops the packet.
 * The walk: an MSS option counts only with length 4 and all four bytes inside the
 * options; EOL, NOP and a zero length byte advance one byte.
 */
export function tcpmssMatch(s: TcpmssMatchState, pkt: PacketState): boolean {
  const v = pkt.view;
  // A whole first-fragment header: the decoder made this walk, and TCPMSS keeps its result
  // (after any rewrite) in the packet state.
  if (v.fragOffset === 0 && v.l4State === L4State.OK) {
    return pkt.tcpMss < 0 ? s.invert : (pkt.tcpMss >= s.min && pkt.tcpMss <= s.max) !== s.invert;
  }
  const off = thoff(v);
  const h = header(v, off, 20);
  if (h === Header.SHORT) return hotdrop(pkt);
  if (h === Header.CUT) return false;
  const hlen = (u8At(pkt, off + 12) >> 4) * 4;
  if (hlen < 20) return hotdrop(pkt);
  const optlen = hlen - 20;
  if (optlen === 0) return s.invert;
  const start = off + 20;
  const ho = header(v, start, optlen);
  if (ho === Header.SHORT) return hotdrop(pkt);
  if (ho === Header.CUT) return false;
  for (let i = 0; i < optlen; ) {
    const kind = u8At(pkt, start + i);
    if (kind === 2 && optlen - i >= 4 && u8At(pkt, start + i + 1) === 4) {
      const mss = (u8At(pkt, start + i + 2) << 8) | u8At(pkt, start + i + 3);
      return (mss >= s.min && mss <= s.max) !== s.invert;
    }
    // A length byte beyond the options would only move i past the end.
    i += kind < 2 || i + 1 >= optlen ? 1 : u8At(pkt, start + i + 1) || 1;
  }
  return s.invert;
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
  matchPacket: (s, pkt) => tcpmssMatch(s, pkt),
});
