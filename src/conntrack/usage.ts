/**
 * Whether a ruleset makes the kernel track connections. Conntrack's hooks (and with them
 * defragmentation before the raw table) are registered in a network namespace only when
 * something asks for them: the nat table, or an extension whose checkentry calls
 * nf_ct_netns_get() (xt_conntrack, xt_state, xt_connmark, xt_CT, the NAT targets...).
 */
import type { Ruleset } from '../rules/model.js';

const CONNTRACK_MATCHES = new Set(['conntrack', 'state', 'connmark', 'connlimit', 'connbytes', 'connlabel', 'helper', 'cluster', 'ipvs', 'socket']);
const CONNTRACK_TARGETS = new Set(['CONNMARK', 'CT', 'NOTRACK', 'DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP', 'SYNPROXY', 'CONNSECMARK', 'TPROXY']);

export function usesConntrack(ruleset: Ruleset): boolean {
  for (const table of ruleset.tables) {
    if (table.name === 'nat') return true;
    for (const chain of table.chains.values())
      for (const rule of chain.rules) {
        if (rule.matches.some((m) => CONNTRACK_MATCHES.has(m.ext.name))) return true;
        if (rule.target.kind === 'ext' && CONNTRACK_TARGETS.has(rule.target.instance.ext.name)) return true;
      }
  }
  return false;
}
