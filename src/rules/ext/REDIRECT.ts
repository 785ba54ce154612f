/**
 * REDIRECT target (libxt_NAT / kernel xt_REDIRECT): DNAT to the receiving interface's
 * primary address (127.0.0.1 from OUTPUT), optionally to a port range.
 */
import { ParamError } from '../errors.js';
import { defineTarget } from './types.js';
import { redirect } from './common/nat.js';
import { emptyNatRange, NAT_FLAG_OPTIONS, NAT_PROTO_OFFSET, natText, parseNatPorts, type NatRange } from './natrange.js';

export const REDIRECT = defineTarget<NatRange>({
  name: 'REDIRECT',
  modelled: true,
  applyTarget: redirect,
  options: [
    { name: 'to-ports', arg: 'required' },
    { name: 'random', arg: 'none' },
  ],
  // redirect_tg_reg: nat table, PREROUTING and OUTPUT.
  tables: ['nat'],
  hooks: ['PREROUTING', 'OUTPUT'],
  create: emptyNatRange,
  parse(r, call, ctx) {
    if (call.name === 'to-ports') parseNatPorts(call.arg ?? '', ctx.ip, r);
    else r.flags |= NAT_FLAG_OPTIONS[call.name]!;
  },
  // DNAT_fcheck, which REDIRECT shares: its revision-0 struct cannot carry a base port.
  finalCheck(r) {
    if (r.flags & NAT_PROTO_OFFSET) throw new ParamError('Shifted portmap ranges not supported with this kernel');
  },
  save: (r) => natText(r, '--to-ports ', '--', true),
  print: (r) => natText(r, 'redir ports ', '', true),
});
