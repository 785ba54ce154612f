/**
 * MASQUERADE target (libxt_NAT / kernel xt_MASQUERADE): SNAT to the outgoing
 * interface's address, optionally within a port range. Like SNAT, a "/base" keeps only
 * the offset flag (listed as "/0").
 */
import { defineTarget } from './types.js';
import { masquerade } from './common/nat.js';
import { dropBasePort, emptyNatRange, NAT_FLAG_OPTIONS, natText, parseNatPorts, type NatRange } from './natrange.js';

export const MASQUERADE = defineTarget<NatRange>({
  name: 'MASQUERADE',
  modelled: true,
  applyTarget: masquerade,
  options: [
    { name: 'to-ports', arg: 'required' },
    { name: 'random', arg: 'none' },
    { name: 'random-fully', arg: 'none' },
  ],
  // masquerade_tg_reg: nat table, POSTROUTING only.
  tables: ['nat'],
  hooks: ['POSTROUTING'],
  create: emptyNatRange,
  parse(r, call, ctx) {
    if (call.name === 'to-ports') {
      parseNatPorts(call.arg ?? '', ctx.ip, r);
      dropBasePort(r);
    } else {
      r.flags |= NAT_FLAG_OPTIONS[call.name]!;
    }
  },
  save: (r) => natText(r, '--to-ports ', '--', true),
  print: (r) => natText(r, 'masq ports: ', '', true),
});
