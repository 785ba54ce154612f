/**
 * iprange match, revision 1 (libxt_iprange / kernel xt_iprange): source and/or
 * destination address within an inclusive range, each optionally negated.
 */
import { code } from '../../compile/builder.js';
import { ParamError } from '../errors.js';
import { allOf, inRange, rangeCode } from './common/match.js';
import { ipToString, numericToIp } from '../values.js';
import { defineMatch } from './types.js';

export interface AddressRange {
  /** Inclusive bounds, IPv4 addresses as uint32. min > max is kept and never matches. */
  min: number;
  max: number;
  invert: boolean;
}

export interface IprangeState {
  src: AddressRange | undefined;
  dst: AddressRange | undefined;
}

/**
 * iprange_parse_range: "a.b.c.d[-e.f.g.h]" split at the first '-', each side a numeric
 * address (xtables_numeric_to_ipaddr: no names, short forms like "10.1" allowed). A
 * reversed range is accepted with a warning.
 */
function parseRange(option: string, text: string, invert: boolean, warn: (m: string) => void): AddressRange {
  const dash = text.indexOf('-');
  const from = dash < 0 ? text : text.slice(0, dash);
  const to = dash < 0 ? text : text.slice(dash + 1);
  const bound = (spec: string): number => {
    const addr = numericToIp(spec);
    if (addr === undefined) throw new ParamError(`iprange: Bad value for "--${option}" option: "${spec}"`);
    return addr;
  };
  const min = bound(from);
  const max = bound(to);
  if (min > max) warn(`xt_iprange: range ${from}-${to} is reversed and will never match`);
  return { min, max, invert };
}

function rangeText(r: AddressRange): string {
  return `${ipToString(r.min)}-${ipToString(r.max)}`;
}

export const iprange = defineMatch<IprangeState>({
  name: 'iprange',
  modelled: true,
  options: [
    { name: 'src-range', arg: 'required', invert: true },
    { name: 'dst-range', arg: 'required', invert: true },
  ],
  create: () => ({ src: undefined, dst: undefined }),
  parse(s, call, ctx) {
    const range = parseRange(call.name, call.arg ?? '', call.invert, ctx.warn);
    if (call.name === 'src-range') s.src = range;
    else s.dst = range;
  },
  finalCheck(_s, ctx) {
    if (ctx.seen.size === 0) {
      throw new ParamError("iprange match: You must specify `--src-range' or `--dst-range'");
    }
  },
  save(s) {
    let out = '';
    if (s.src) out += `${s.src.invert ? ' !' : ''} --src-range ${rangeText(s.src)}`;
    if (s.dst) out += `${s.dst.invert ? ' !' : ''} --dst-range ${rangeText(s.dst)}`;
    return out;
  },
  print(s) {
    let out = '';
    if (s.src) out += ` source IP range${s.src.invert ? ' !' : ''} ${rangeText(s.src)}`;
    if (s.dst) out += ` destination IP range${s.dst.invert ? ' !' : ''} ${rangeText(s.dst)}`;
    return out;
  },
  // iprange_mt4: each given range, inclusive, XOR its negation; all must hold.
  matchPacket(s, pkt) {
    const v = pkt.view;
    if (s.src && !inRange(s.src.min, s.src.max, v.srcAddr, s.src.invert)) return false;
    return !s.dst || inRange(s.dst.min, s.dst.max, v.dstAddr, s.dst.invert);
  },
  compileMatch(s, c) {
    const v = c.view;
    return allOf([
      s.src && rangeCode(code`${v}.srcAddr`, s.src.min, s.src.max, s.src.invert, 0xffffffff),
      s.dst && rangeCode(code`${v}.dstAddr`, s.dst.min, s.dst.max, s.dst.invert, 0xffffffff),
    ]);
  },
});
