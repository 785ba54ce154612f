/**
 * REJECT target (libipt_REJECT / kernel ipt_REJECT): drops the packet and answers with an
 * ICMP destination-unreachable of some code, or with a TCP RST.
 */
import { Verdict } from '../../engine/packet.js';
import { ParamError } from '../errors.js';
import { isCasePrefix } from './common/strings.js';
import { defineTarget } from './types.js';

/** What the kernel sends back (nf_send_unreach code, or nf_send_reset). */
export type RejectReply = { kind: 'icmp-unreachable'; code: number } | { kind: 'tcp-reset' };

export interface RejectState {
  reply: RejectReply;
}

interface RejectType {
  name: string;
  alias: string;
  reply: RejectReply;
}

const unreach = (code: number): RejectReply => ({ kind: 'icmp-unreachable', code });

/**
 * In the order of ipt_reject_with (reject_table), which matters: an abbreviation takes the
 * first entry it is a prefix of. ICMP codes are those ipt_REJECT sends for each type
 * (ICMP_NET_UNREACH, ..., ICMP_NET_ANO, ICMP_HOST_ANO, ICMP_PKT_FILTERED).
 */
export const REJECT_TYPES: readonly RejectType[] = [
  { name: 'icmp-net-unreachable', alias: 'net-unreach', reply: unreach(0) },
  { name: 'icmp-host-unreachable', alias: 'host-unreach', reply: unreach(1) },
  { name: 'icmp-proto-unreachable', alias: 'proto-unreach', reply: unreach(2) },
  { name: 'icmp-port-unreachable', alias: 'port-unreach', reply: unreach(3) },
  { name: 'icmp-net-prohibited', alias: 'net-prohib', reply: unreach(9) },
  { name: 'icmp-host-prohibited', alias: 'host-prohib', reply: unreach(10) },
  { name: 'tcp-reset', alias: 'tcp-rst', reply: { kind: 'tcp-reset' } },
  { name: 'icmp-admin-prohibited', alias: 'admin-prohib', reply: unreach(13) },
];

export function rejectTypeName(reply: RejectReply): string {
  const t = REJECT_TYPES.find((r) =>
    reply.kind === 'tcp-reset'
      ? r.reply.kind === 'tcp-reset'
      : r.reply.kind === 'icmp-unreachable' && r.reply.code === reply.code,
  );
  return t!.name;
}

export const REJECT = defineTarget<RejectState>({
  name: 'REJECT',
  modelled: true,
  options: [{ name: 'reject-with', arg: 'required' }],
  // ipt_REJECT: .table = "filter" and the three filter hooks.
  tables: ['filter'],
  hooks: ['INPUT', 'FORWARD', 'OUTPUT'],
  create: () => ({ reply: unreach(3) }),
  parse(s, call, ctx) {
    const arg = call.arg ?? '';
    // REJECT_parse compares strncasecmp(name, arg, strlen(arg)): any case-blind prefix matches.
    const t = REJECT_TYPES.find((r) => isCasePrefix(arg, r.name) || isCasePrefix(arg, r.alias));
    if (t) {
      s.reply = t.reply;
      return;
    }
    if (isCasePrefix(arg, 'echo-reply') || isCasePrefix(arg, 'echoreply')) {
      ctx.warn('--reject-with echo-reply no longer supported');
    }
    throw new ParamError(`unknown reject type "${arg}"`);
  },
  save: (s) => ` --reject-with ${rejectTypeName(s.reply)}`,
  print: (s) => ` reject-with ${rejectTypeName(s.reply)}`,
  /**
   * reject_tg: the packet is dropped after the ICMP error or RST is sent, which the
   * runtime decides (engine/host-replies.ts: what it does to conntrack, and with
   * --reject-replies the reply itself, which then traverses OUTPUT).
   */
  applyTarget(s, pkt, rt) {
    rt.reject(pkt, s.reply);
    return Verdict.DROP;
  },
  kernelCheck(s, ctx) {
    // reject_tg_check: a RST only makes sense for a rule that can only see TCP.
    if (s.reply.kind === 'tcp-reset' && (ctx.ip.proto !== 6 || ctx.ip.invProto)) {
      return 'ipt_REJECT: TCP_RESET invalid for non-tcp';
    }
    return undefined;
  },
});
