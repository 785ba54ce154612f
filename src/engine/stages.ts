/**
 * What runs at each netfilter hook during the replay, in the kernel's priority order: the
 * tables, nf_conntrack_in, the NAT hook function and nf_conntrack_confirm
 * (include/uapi/linux/netfilter_ipv4.h priorities).
 */
import { CtInfo, Status } from '../conntrack/entry.js';
import { Manip, type Nat } from '../conntrack/nat.js';
import type { Hook, TableName } from '../rules/model.js';
import { HOOK_TABLES } from './hooks.js';
import { Verdict, type PacketState } from './packet.js';

export type Step = (pkt: PacketState) => Verdict;
/** What runs at a hook: a table, nf_conntrack_in, or nf_conntrack_confirm. */
export type Stage = TableName | 'conntrack' | 'confirm';

/** What the replay does at a stage: traverse a table (or the NAT hook), nf_conntrack_in, nf_conntrack_confirm. */
export const RUN_TABLE = 0;
export const RUN_CONNTRACK = 1;
export const RUN_CONFIRM = 2;

export function stageKind(stage: Stage): number {
  return stage === 'conntrack' ? RUN_CONNTRACK : stage === 'confirm' ? RUN_CONFIRM : RUN_TABLE;
}

/**
 * A hook's stages by priority (include/uapi/linux/netfilter_ipv4.h): raw -300, conntrack
 * -200, mangle -150, nat (destination) -100, filter 0, security 50, nat (source) 100,
 * confirmation INT_MAX. Conntrack runs at PRE_ROUTING and LOCAL_OUT, confirmation at
 * LOCAL_IN and POST_ROUTING, and only when the ruleset makes the kernel track.
 */
export function stagesOf(hook: Hook, tables: ReadonlySet<TableName>, conntrack: boolean): Stage[] {
  const out: Stage[] = [];
  const tracks = conntrack && (hook === 'PREROUTING' || hook === 'OUTPUT');
  for (const t of HOOK_TABLES[hook]) {
    if (tracks && t !== 'raw' && !out.includes('conntrack')) out.push('conntrack');
    if (tables.has(t)) out.push(t);
  }
  if (tracks && !out.includes('conntrack')) out.push('conntrack');
  if (conntrack && (hook === 'INPUT' || hook === 'POSTROUTING')) out.push('confirm');
  return out;
}

/**
 * The nat table with conntrack (nf_nat_inet_fn): only a packet that starts a connection
 * (NEW, or RELATED to one whose NAT is not set up) traverses it, once per direction of
 * mapping; the connection then has its binding (a null one when no rule mapped it), and
 * every later packet of it, either way, skips the table.
 */
export function natStage(hook: Hook, table: Step, nat: Nat): Step {
  const dst = hook === 'PREROUTING' || hook === 'OUTPUT';
  const done = dst ? Status.DST_NAT_DONE : Status.SRC_NAT_DONE;
  const manip = dst ? Manip.DST : Manip.SRC;
  return (p) => {
    const e = p.ct;
    if (e === null) return Verdict.ACCEPT;
    const related = p.ctinfo === CtInfo.RELATED || p.ctinfo === CtInfo.RELATED_REPLY;
    // nf_nat_ipv4_fn: an ICMP error RELATED to a connection is only translated.
    const icmpError = related && p.view.protocol === 1;
    if ((p.ctinfo === CtInfo.NEW || related) && !icmpError && !(e.status & done)) {
      const v = table(p);
      if (v !== Verdict.ACCEPT) return v;
      // No rule mapped it: the null binding.
      if (!(e.status & done)) nat.nullBinding(p, manip);
    }
    nat.packet(p, manip);
    return Verdict.ACCEPT;
  };
}
