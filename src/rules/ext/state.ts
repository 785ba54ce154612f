/**
 * state match: in iptables 1.8 an alias of conntrack (libxt_conntrack's "state" entry
 * with real_name "conntrack"), so the kernel runs xt_conntrack revision 3 with only the
 * state test and the STATE_ALIAS flag, which makes it list as "state ..." and save as
 * "-m state --state ...". It shares conntrack's state type so the replay evaluates both
 * the same way.
 */
import { CT, conntrackDump, conntrackMatch, newConntrackState, parseStateAliasList, type ConntrackState } from './conntrack.js';
import { defineMatch } from './types.js';

export const state = defineMatch<ConntrackState>({
  name: 'state',
  modelled: true,
  matchPacket: conntrackMatch,
  options: [{ name: 'state', arg: 'required', invert: true, mandatory: true }],
  create: newConntrackState,
  parse(s, call) {
    // state_ct23_parse assigns the flags rather than adding to them.
    s.matchFlags = CT.STATE | CT.STATE_ALIAS;
    s.stateMask = parseStateAliasList(call.arg ?? '');
    if (call.invert) s.invertFlags |= CT.STATE;
  },
  save: (s) => conntrackDump(s, '--', true),
  print: (s, _ip, numeric) => conntrackDump(s, '', numeric),
});
