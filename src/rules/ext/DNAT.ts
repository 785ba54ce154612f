/**
 * DNAT target (libxt_NAT, revision 2 / kernel xt_nat): rewrites the destination of a
 * connection's first packet to an address and/or port range. Revision 2 is what
 * iptables 1.8.9 picks on current kernels, so the shifted port map ("/base") is kept.
 */
import { defineTarget } from './types.js';
import { dnat } from './common/nat.js';
import { emptyNatRange, NAT_FLAG_OPTIONS, natText, parseNatTo, type NatRange } from './natrange.js';

export const DNAT = defineTarget<NatRange>({
  name: 'DNAT',
  modelled: true,
  applyTarget: dnat,
  options: [
    { name: 'to-destination', arg: 'required', mandatory: true },
    { name: 'random', arg: 'none' },
    { name: 'persistent', arg: 'none' },
  ],
  // xt_nat: DNAT only in the nat table, from PREROUTING and OUTPUT.
  tables: ['nat'],
  hooks: ['PREROUTING', 'OUTPUT'],
  create: emptyNatRange,
  parse(r, call, ctx) {
    if (call.name === 'to-destination') parseNatTo(call.arg ?? '', ctx.ip, r);
    else r.flags |= NAT_FLAG_OPTIONS[call.name]!;
  },
  save: (r) => natText(r, '--to-destination ', '--', false),
  print: (r) => natText(r, 'to:', '', false),
});
