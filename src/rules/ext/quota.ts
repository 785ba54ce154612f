/**
 * quota match (libxt_quota / kernel xt_quota): a byte budget consumed by every packet the
 * rule sees; it matches while budget remains (negated: once it is exhausted).
 */
import { parseXtUint64 } from './common/numbers.js';
import { defineMatch } from './types.js';

export interface QuotaState {
  /** Bytes allowed, as given (the kernel counts down a copy). */
  quota: bigint;
  invert: boolean;
}

/** The bytes left (xt_quota_priv.quota, a u64) as two exact halves. */
interface QuotaLeft {
  hi: number;
  lo: number;
}

const TWO32 = 4294967296;

export const quota = defineMatch<QuotaState>({
  name: 'quota',
  modelled: true,
  options: [{ name: 'quota', arg: 'required', invert: true, mandatory: true }],
  create: () => ({ quota: 0n, invert: false }),
  parse(s, call) {
    s.quota = parseXtUint64('quota', call.name, call.arg ?? '');
    s.invert = call.invert;
  },
  save: (s) => `${s.invert ? ' !' : ''} --quota ${s.quota}`,
  // quota_print does not show the negation.
  print: (s) => ` quota: ${s.quota} bytes`,
  instantiate: (s): QuotaLeft => ({ hi: Number(s.quota >> 32n), lo: Number(s.quota & 0xffffffffn) }),
  /**
   * quota_mt: a packet (skb->len, the IP total length) that fits in what is left uses
   * it up and matches; the first one that does not fit empties the quota, so no smaller
   * packet matches after it.
   */
  matchPacket(s, pkt, _rt, inst) {
    const q = inst as QuotaLeft;
    const len = pkt.length;
    if (q.hi > 0 || q.lo >= len) {
      q.lo -= len;
      if (q.lo < 0) {
        q.lo += TWO32;
        q.hi--;
      }
      return !s.invert;
    }
    q.lo = 0;
    return s.invert;
  },
});
