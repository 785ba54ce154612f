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

export const quota = defineMatch<QuotaState>({
  name: 'quota',
  modelled: false,
  options: [{ name: 'quota', arg: 'required', invert: true, mandatory: true }],
  create: () => ({ quota: 0n, invert: false }),
  parse(s, call) {
    s.quota = parseXtUint64('quota', call.name, call.arg ?? '');
    s.invert = call.invert;
  },
  save: (s) => `${s.invert ? ' !' : ''} --quota ${s.quota}`,
  // quota_print does not show the negation.
  print: (s) => ` quota: ${s.quota} bytes`,
});
