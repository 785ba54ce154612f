/**
 * TTL target (libipt_TTL / kernel xt_HL): sets, increments or decrements the IPv4 TTL.
 */
import { Verdict } from '../../engine/packet.js';
import { ParamError } from '../errors.js';
import { parseXtUint } from './common/numbers.js';
import { defineTarget } from './types.js';

export type TtlMode = 'set' | 'inc' | 'dec';

export interface TtlState {
  mode: TtlMode;
  /** 0-255 for set, 1-255 for inc/dec (the kernel clamps the result to 0-255). */
  ttl: number;
}

const MODE_OF: Readonly<Record<string, TtlMode>> = { 'ttl-set': 'set', 'ttl-inc': 'inc', 'ttl-dec': 'dec' };
const LISTING: Readonly<Record<TtlMode, string>> = { set: 'set to', inc: 'increment by', dec: 'decrement by' };

export const TTL = defineTarget<TtlState>({
  name: 'TTL',
  modelled: true,
  // Table order of TTL_opts; exclusions in option-id order (set, inc, dec).
  options: [
    { name: 'ttl-set', arg: 'required', excl: ['ttl-inc', 'ttl-dec'] },
    { name: 'ttl-dec', arg: 'required', excl: ['ttl-set', 'ttl-inc'] },
    { name: 'ttl-inc', arg: 'required', excl: ['ttl-set', 'ttl-dec'] },
  ],
  // ipt_TTL: .table = "mangle".
  tables: ['mangle'],
  create: () => ({ mode: 'set', ttl: 0 }),
  parse(s, call) {
    s.mode = MODE_OF[call.name]!;
    // Adding or subtracting 0 would be a no-op; iptables refuses it.
    s.ttl = parseXtUint('TTL', call.name, call.arg ?? '', s.mode === 'set' ? 0 : 1, 255);
  },
  finalCheck(_s, ctx) {
    if (ctx.seen.size === 0) throw new ParamError('TTL: You must specify an action');
  },
  save: (s) => ` --ttl-${s.mode} ${s.ttl}`,
  print: (s) => ` TTL ${LISTING[s.mode]} ${s.ttl}`,
  /** ttl_tg (xt_HL.c): the new TTL, clamped to 0-255, which later rules see (-m ttl, LOG). */
  applyTarget(s, pkt) {
    const old = pkt.ttl;
    pkt.ttl = s.mode === 'set' ? s.ttl : s.mode === 'inc' ? Math.min(255, old + s.ttl) : Math.max(0, old - s.ttl);
    return Verdict.CONTINUE;
  },
});
