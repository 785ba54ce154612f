/**
 * NOTRACK target: since iptables 1.8 an alias of CT revision 2 with the notrack and
 * alias flags (libxt_CT notrack_ct2_tg_init). It saves as "-j NOTRACK" with no options;
 * the kernel knows the rule as CT, which is what `iptables -L` shows in its target
 * column, followed by " NOTRACK".
 */
import { defineTarget } from './types.js';
import { applyCt, CT_NOTRACK, CT_NOTRACK_ALIAS, ctKernelCheck, type CtState, emptyCtState } from './CT.js';

export const NOTRACK = {
  ...defineTarget<CtState>({
    name: 'NOTRACK',
    modelled: true,
    applyTarget: applyCt,
    options: [],
    tables: ['raw'],
    create: () => ({ ...emptyCtState(), flags: CT_NOTRACK | CT_NOTRACK_ALIAS }),
    parse() {},
    kernelCheck: ctKernelCheck,
    save: () => '',
    print: () => ' NOTRACK',
  }),
  /** The kernel target's name (xtables real_name), listed by `iptables -L`. */
  realName: 'CT',
};
