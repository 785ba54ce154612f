/**
 * quota match (libxt_quota / kernel xt_quota): a byte budget consumed by every packet the
 * rule sees; it matches while budget remains (negated: once it is exhausted).
 *
 * Also home of the XTTYPE_UINT64 parser (xtopt_parse_int on 64-bit values, kept exact
 * as bigint).
 */
import { ParamError } from '../errors.js';
import { cStrtoul } from './conntrack.js';
import { defineMatch } from './types.js';

export const UINT64_MAX = (1n << 64n) - 1n;

/**
 * xtables_strtoul_base over a whole 64-bit argument: leading blanks and '+', base 0, no
 * minus sign, nothing after the number, no overflow. Returns undefined otherwise.
 */
export function strtoull(text: string): bigint | undefined {
  if (/^[ \t\n\v\f\r]*-/.test(text)) return undefined;
  const r = cStrtoul(text, 0);
  if (r.end === 0 || r.end !== text.length || r.erange) return undefined;
  return r.value;
}

/** XTTYPE_UINT64 (xtopt_parse_int): a whole base-0 number in 0..2^64-1. */
export function parseXtUint64(ext: string, option: string, text: string): bigint {
  const n = strtoull(text);
  if (n === undefined) {
    throw new ParamError(`${ext}: bad value for option "--${option}", or out of range (0-${UINT64_MAX}).`);
  }
  return n;
}

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
