/**
 * addrtype match, revision 1 (libxt_addrtype / kernel xt_addrtype): the route type
 * (RTN_*) of the source and/or destination address, as the routing tables classify it,
 * optionally looked up only against the incoming or the outgoing interface.
 */
import { ParamError } from '../errors.js';
import type { Hook } from '../model.js';
import { isCasePrefix } from './common/strings.js';
import { defineMatch } from './types.js';

/** linux/rtnetlink.h RTN_* in value order: bit i of a type mask is RTN value i. */
export const RTN_NAMES = [
  'UNSPEC',
  'UNICAST',
  'LOCAL',
  'BROADCAST',
  'ANYCAST',
  'MULTICAST',
  'BLACKHOLE',
  'UNREACHABLE',
  'PROHIBIT',
  'THROW',
  'NAT',
  'XRESOLVE',
] as const;

export interface AddrtypeState {
  /** Bit mask of accepted RTN types; 0 = not tested. */
  source: number;
  dest: number;
  invertSource: boolean;
  invertDest: boolean;
  /** Look the address up on the incoming (in) or outgoing (out) interface only. */
  limitIfaceIn: boolean;
  limitIfaceOut: boolean;
}

/**
 * parse_types: comma-separated names, each matched against the table as a
 * case-insensitive prefix (so "LOC" is LOCAL and "U" is UNSPEC, the first that fits).
 * An unknown or empty name before a comma is reported with the rest of the list in
 * `quotes', the last one in "quotes".
 */
function parseTypes(text: string): number {
  let mask = 0;
  const items = text.split(',');
  items.forEach((item, i) => {
    const index = item === '' ? -1 : RTN_NAMES.findIndex((name) => isCasePrefix(item, name));
    if (index >= 0) {
      mask |= 1 << index;
      return;
    }
    if (i < items.length - 1) throw new ParamError(`addrtype: bad type \`${items.slice(i).join(',')}'`);
    throw new ParamError(`addrtype: bad type "${item}"`);
  });
  return mask;
}

function typesText(mask: number): string {
  return RTN_NAMES.filter((_, i) => mask & (1 << i)).join(',');
}

function someHook(hooks: ReadonlySet<Hook>, of: readonly Hook[]): boolean {
  return of.some((h) => hooks.has(h));
}

export const addrtype = defineMatch<AddrtypeState>({
  name: 'addrtype',
  modelled: true,
  options: [
    { name: 'src-type', arg: 'required', invert: true },
    { name: 'dst-type', arg: 'required', invert: true },
    { name: 'limit-iface-in', arg: 'none' },
    { name: 'limit-iface-out', arg: 'none' },
  ],
  create: () => ({
    source: 0,
    dest: 0,
    invertSource: false,
    invertDest: false,
    limitIfaceIn: false,
    limitIfaceOut: false,
  }),
  parse(s, call) {
    switch (call.name) {
      case 'src-type':
        s.source = parseTypes(call.arg ?? '');
        s.invertSource = call.invert;
        return;
      case 'dst-type':
        s.dest = parseTypes(call.arg ?? '');
        s.invertDest = call.invert;
        return;
      case 'limit-iface-in':
        s.limitIfaceIn = true;
        return;
      case 'limit-iface-out':
        s.limitIfaceOut = true;
        return;
    }
  },
  finalCheck(s, ctx) {
    // addrtype_check (x6_fcheck) runs before the option-table exclusions, so a lone
    // "--limit-iface-in --limit-iface-out" reports the missing type first; both checks
    // are therefore made here, in that order, rather than through OptionDef.excl.
    if (!ctx.seen.has('src-type') && !ctx.seen.has('dst-type')) {
      throw new ParamError('addrtype: you must specify --src-type or --dst-type');
    }
    if (s.limitIfaceIn && s.limitIfaceOut) {
      throw new ParamError('addrtype: option "--limit-iface-in" cannot be used together with "--limit-iface-out".');
    }
  },
  // addrtype_mt_checkentry_v1: an interface limit must exist at every hook the rule is
  // reachable from.
  kernelCheck(s, ctx) {
    if (s.limitIfaceOut && someHook(ctx.hooks, ['PREROUTING', 'INPUT'])) {
      return 'xt_addrtype: output interface limitation not valid in PREROUTING and INPUT';
    }
    if (s.limitIfaceIn && someHook(ctx.hooks, ['POSTROUTING', 'OUTPUT'])) {
      return 'xt_addrtype: input interface limitation not valid in POSTROUTING and OUTPUT';
    }
    return undefined;
  },
  save(s) {
    let out = '';
    if (s.source) out += `${s.invertSource ? ' !' : ''} --src-type ${typesText(s.source)}`;
    if (s.dest) out += `${s.invertDest ? ' !' : ''} --dst-type ${typesText(s.dest)}`;
    if (s.limitIfaceIn) out += ' --limit-iface-in';
    if (s.limitIfaceOut) out += ' --limit-iface-out';
    return out;
  },
  print(s) {
    let out = ' ADDRTYPE match';
    if (s.source) out += ` src-type ${s.invertSource ? '!' : ''}${typesText(s.source)}`;
    if (s.dest) out += ` dst-type ${s.invertDest ? '!' : ''}${typesText(s.dest)}`;
    if (s.limitIfaceIn) out += ' limit-in';
    if (s.limitIfaceOut) out += ' limit-out';
    return out;
  },
  /**
   * addrtype_mt_v1: the RTN type inet_dev_addr_type() gives each address (looked up only
   * against the hook's input or output device when limited to it, in every table when the
   * hook has no such device), tested against the type mask, source first.
   */
  matchPacket(s, pkt, rt) {
    const v = pkt.view;
    const name = s.limitIfaceIn ? pkt.inIface : s.limitIfaceOut ? pkt.outIface : '';
    const dev = name === '' ? undefined : name;
    if (s.source && ((s.source & (1 << rt.host.addressType(v.srcAddr, dev))) !== 0) === s.invertSource) return false;
    return !s.dest || ((s.dest & (1 << rt.host.addressType(v.dstAddr, dev))) !== 0) !== s.invertDest;
  },
});
