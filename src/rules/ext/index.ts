/**
 * The extension registry: every match and target module, looked up by the name given to
 * -m / -j. One line per module; a conformance test fails if a module has no table in
 * test/conformance/ext/.
 */
import type { Extension, MatchExtension, TargetExtension } from './types.js';
import { tcp } from './tcp.js';
import { REJECT } from './REJECT.js';
import { LOG } from './LOG.js';
import { NFLOG } from './NFLOG.js';
import { MARK } from './MARK.js';
import { CONNMARK } from './CONNMARK.js';
import { TRACE } from './TRACE.js';
import { CLASSIFY } from './CLASSIFY.js';
import { TTL } from './TTL.js';
import { TOS } from './TOS.js';
import { DSCP } from './DSCP.js';
import { udp } from './udp.js';
import { icmp } from './icmp.js';
import { multiport } from './multiport.js';
import { comment } from './comment.js';
import { mark } from './mark.match.js';
import { connmark } from './connmark.match.js';
import { length } from './length.js';
import { ttl } from './ttl.match.js';
import { pkttype } from './pkttype.js';
import { mac } from './mac.js';
import { iprange } from './iprange.js';
import { tcpmss } from './tcpmss.match.js';
import { addrtype } from './addrtype.js';
import { dscp } from './dscp.match.js';
import { tos } from './tos.match.js';
import { ecn } from './ecn.match.js';
import { DNAT } from './DNAT.js';
import { SNAT } from './SNAT.js';
import { MASQUERADE } from './MASQUERADE.js';
import { REDIRECT } from './REDIRECT.js';
import { NETMAP } from './NETMAP.js';
import { CT } from './CT.js';
import { NOTRACK } from './NOTRACK.js';
import { TCPMSS } from './TCPMSS.js';
import { u32 } from './u32.js';
import { bpf } from './bpf.js';
import { string } from './string.js';
import { conntrack } from './conntrack.js';
import { state } from './state.js';
import { statistic } from './statistic.js';
import { limit } from './limit.js';
import { hashlimit } from './hashlimit.js';
import { recent } from './recent.js';
import { owner } from './owner.js';
import { physdev } from './physdev.js';
import { set } from './set.js';
import { time } from './time.js';
import { connlimit } from './connlimit.js';
import { helper } from './helper.js';
import { rpfilter } from './rpfilter.js';
import { connbytes } from './connbytes.js';
import { quota } from './quota.js';
import { socket } from './socket.js';
import { sctp } from './sctp.js';
import { dccp } from './dccp.js';
import { esp } from './esp.js';
import { ah } from './ah.js';
import { ipcomp } from './ipcomp.js';
import { policy } from './policy.js';
import { CHECKSUM } from './CHECKSUM.js';
import { SYNPROXY } from './SYNPROXY.js';
import { NFQUEUE } from './NFQUEUE.js';
import { TPROXY } from './TPROXY.js';
import { TEE } from './TEE.js';
import { SET } from './SET.target.js';
import { cgroup } from './cgroup.js';
import { devgroup } from './devgroup.js';
import { realm } from './realm.js';
import { cpu } from './cpu.js';
import { nfacct } from './nfacct.js';
import { AUDIT } from './AUDIT.js';
import { TCPOPTSTRIP } from './TCPOPTSTRIP.js';
import { ECN } from './ECN.js';
// @registry-imports (keep this marker: add one import line above it)

export const EXTENSIONS: readonly Extension[] = [
  tcp,
  REJECT,
  LOG,
  NFLOG,
  MARK,
  CONNMARK,
  TRACE,
  CLASSIFY,
  TTL,
  TOS,
  DSCP,
  udp,
  icmp,
  multiport,
  comment,
  mark,
  connmark,
  length,
  ttl,
  pkttype,
  mac,
  iprange,
  tcpmss,
  addrtype,
  dscp,
  tos,
  ecn,
  DNAT,
  SNAT,
  MASQUERADE,
  REDIRECT,
  NETMAP,
  CT,
  NOTRACK,
  TCPMSS,
  u32,
  bpf,
  string,
  conntrack,
  state,
  statistic,
  limit,
  hashlimit,
  recent,
  owner,
  physdev,
  set,
  time,
  connlimit,
  helper,
  rpfilter,
  connbytes,
  quota,
  socket,
  sctp,
  dccp,
  esp,
  ah,
  ipcomp,
  policy,
  CHECKSUM,
  SYNPROXY,
  NFQUEUE,
  TPROXY,
  TEE,
  SET,
  cgroup,
  devgroup,
  realm,
  cpu,
  nfacct,
  AUDIT,
  TCPOPTSTRIP,
  ECN,
  // @registry-entries (keep this marker: add one entry above it)
];

const matches = new Map<string, MatchExtension<unknown>>();
const targets = new Map<string, TargetExtension<unknown>>();
for (const ext of EXTENSIONS) {
  if (ext.kind === 'match') matches.set(ext.name, ext);
  else targets.set(ext.name, ext);
}

export function findMatch(name: string): MatchExtension<unknown> | undefined {
  return matches.get(name);
}

export function findTarget(name: string): TargetExtension<unknown> | undefined {
  return targets.get(name);
}
