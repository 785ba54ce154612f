/**
 * TCPMSS target (libxt_TCPMSS / kernel xt_TCPMSS): rewrites the MSS option of TCP SYN
 * packets, to a fixed value or to the route's path MTU minus 40.
 */
import { ParamError } from '../errors.js';
import type { Hook, MatchInstance } from '../model.js';
import { parseXtUint } from './common/numbers.js';
import type { TcpState } from './tcp.js';
import { defineTarget, type KernelContext } from './types.js';

export interface TcpmssState {
  /** --clamp-mss-to-pmtu (the kernel's mss 0xffff); otherwise `mss` is set. */
  clampToPmtu: boolean;
  mss: number;
}

/** tcpmss_tg4_check: clamping needs a route, known from these hooks only. */
const CLAMP_HOOKS: readonly Hook[] = ['FORWARD', 'OUTPUT', 'POSTROUTING'];

/** The rule's matches, which the kernel check walks (KernelContext.matches). */
type WithMatches = KernelContext & { readonly matches?: readonly MatchInstance[] };

/** find_syn_match: a tcp match whose flag comparison includes SYN and is not inverted. */
function hasSynMatch(matches: readonly MatchInstance[]): boolean {
  return matches.some((m) => {
    if (m.ext.name !== 'tcp') return false;
    const tcp = m.state as TcpState;
    return (tcp.flagCmp & 0x02) !== 0 && !tcp.invFlags;
  });
}

export const TCPMSS = defineTarget<TcpmssState>({
  name: 'TCPMSS',
  modelled: true,
  // No exclusion between the two: the later one wins, as both write the same field.
  options: [
    { name: 'set-mss', arg: 'required' },
    { name: 'clamp-mss-to-pmtu', arg: 'none' },
  ],
  proto: 6,
  create: () => ({ clampToPmtu: false, mss: 0 }),
  parse(s, call) {
    if (call.name === 'clamp-mss-to-pmtu') {
      s.clampToPmtu = true;
      return;
    }
    // 65535 - sizeof(struct iphdr): the largest MSS an IPv4 packet can carry.
    s.mss = parseXtUint('TCPMSS', 'set-mss', call.arg ?? '', 0, 65515);
    s.clampToPmtu = false;
  },
  finalCheck(_s, ctx) {
    if (ctx.seen.size === 0) throw new ParamError('TCPMSS target: At least one parameter is required');
  },
  kernelCheck(s, ctx) {
    if (s.clampToPmtu && [...ctx.hooks].some((h) => !CLAMP_HOOKS.includes(h))) {
      return 'TCPMSS target: path-MTU clamping only supported in FORWARD, OUTPUT and POSTROUTING hooks';
    }
    const matches = (ctx as WithMatches).matches;
    if (matches && !hasSynMatch(matches)) return 'TCPMSS target: only works on TCP SYN packets (add a --tcp-flags or --syn match)';
    return undefined;
  },
  save: (s) => (s.clampToPmtu ? ' --clamp-mss-to-pmtu' : ` --set-mss ${s.mss}`),
  print: (s) => (s.clampToPmtu ? ' TCPMSS clamp to PMTU' : ` TCPMSS set ${s.mss}`),
});
