/**
 * SNAT target (libxt_NAT, revision 0 / kernel xt_nat): rewrites the source of a
 * connection's first packet. Its kernel struct has no base port, so "p-q/base" keeps
 * only the offset flag and lists as "/0".
 */
import { defineTarget } from './types.js';
import { snat } from './common/nat.js';
import { dropBasePort, emptyNatRange, NAT_FLAG_OPTIONS, natText, parseNatTo, type NatRange } from './natrange.js';

export const SNAT = defineTarget<NatRange>({
  name: 'SNAT',
  modelled: true,
  applyTarget: snat,
  options: [
    { name: 'to-source', arg: 'required', mandatory: true },
    { name: 'random', arg: 'none' },
    { name: 'random-fully', arg: 'none' },
    { name: 'persistent', arg: 'none' },
  ],
  // xt_nat: SNAT only in the nat table, from POSTROUTING and INPUT.
  tables: ['nat'],
  hooks: ['POSTROUTING', 'INPUT'],
  create: emptyNatRange,
  parse(r, call, ctx) {
    if (call.name === 'to-source') {
      parseNatTo(call.arg ?? '', ctx.ip, r);
      dropBasePort(r);
    } else {
      r.flags |= NAT_FLAG_OPTIONS[call.name]!;
    }
  },
  save: (r) => natText(r, '--to-source ', '--', false),
  print: (r) => natText(r, 'to:', '', false),
});
