/**
 * TOS target (libxt_TOS revision 1 / kernel xt_DSCP tos_tg): rewrites the IPv4 TOS byte
 * as `tos = (tos & ~mask) ^ value`. --and/--or/--xor-tos fold into that pair, so every
 * rule saves as --set-tos value/mask.
 */
import { Verdict } from '../../engine/packet.js';
import { ParamError } from '../errors.js';
import { hex2, strtoulPrefix } from '../values.js';
import { parseXtUint } from './common/numbers.js';
import { defineTarget } from './types.js';

export interface TosState {
  value: number;
  mask: number;
}

/** tos_symbol_names: RFC 1349 names; a name keeps the precedence bits (mask 0x3f). */
export const TOS_SYMBOLS: ReadonlyArray<readonly [string, number]> = [
  ['Minimize-Delay', 0x10],
  ['Maximize-Throughput', 0x08],
  ['Maximize-Reliability', 0x04],
  ['Minimize-Cost', 0x02],
  ['Normal-Service', 0x00],
];

/** Mask a symbolic --set-tos gets in revision 1 (the option's .max). */
const SYMBOL_MASK = 0x3f;

/**
 * xtopt_parse_tosmask: text starting with a number 0-255 is "value[/mask]" (mask
 * defaulting to 0xff); anything else must be a symbol, compared ignoring case.
 */
export function parseTosMask(text: string): TosState {
  const value = strtoulPrefix(text);
  if (value === undefined || value.value > 0xff) {
    const sym = TOS_SYMBOLS.find(([name]) => name.toLowerCase() === text.toLowerCase());
    if (!sym) throw new ParamError(`Symbolic name "${text}" is unknown`);
    return { value: sym[1], mask: SYMBOL_MASK };
  }
  const illegal = (): ParamError => new ParamError(`Illegal value: "${text}"`);
  if (value.end === text.length) return { value: value.value, mask: 0xff };
  if (text[value.end] !== '/') throw illegal();
  const maskText = text.slice(value.end + 1);
  const mask = strtoulPrefix(maskText);
  if (mask === undefined || mask.value > 0xff || mask.end !== maskText.length) throw illegal();
  return { value: value.value, mask: mask.value };
}

const OPS = ['set-tos', 'and-tos', 'or-tos', 'xor-tos'] as const;

function others(name: string): string[] {
  return OPS.filter((o) => o !== name);
}

export const TOS = defineTarget<TosState>({
  name: 'TOS',
  modelled: true,
  options: OPS.map((name) => ({ name, arg: 'required' as const, excl: others(name) })),
  // xt_DSCP tos_tg_reg: .table = "mangle".
  tables: ['mangle'],
  create: () => ({ value: 0, mask: 0 }),
  parse(s, call) {
    const arg = call.arg ?? '';
    if (call.name === 'set-tos') {
      Object.assign(s, parseTosMask(arg));
      return;
    }
    const n = parseXtUint('TOS', call.name, arg, 0, 0xff);
    switch (call.name) {
      case 'and-tos':
        s.value = 0;
        s.mask = ~n & 0xff;
        return;
      case 'or-tos':
        s.value = n;
        s.mask = n;
        return;
      case 'xor-tos':
        s.value = n;
        s.mask = 0;
        return;
    }
  },
  finalCheck(_s, ctx) {
    if (ctx.seen.size === 0) throw new ParamError('TOS: An action is required');
  },
  save: (s) => ` --set-tos ${hex2(s.value)}/${hex2(s.mask)}`,
  print(s, _ip, numeric) {
    if (numeric) return ` TOS set ${hex2(s.value)}/${hex2(s.mask)}`;
    const sym = s.mask === SYMBOL_MASK ? TOS_SYMBOLS.find(([, v]) => v === s.value) : undefined;
    // tos_try_print_symbolic prints " %s%s" with the prefix " TOS set": two spaces before
    // TOS and none before the name.
    if (sym) return `  TOS set${sym[0]}`;
    if (s.value === 0) return ` TOS and ${hex2(~s.mask & 0xff)}`;
    if (s.value === s.mask) return ` TOS or ${hex2(s.value)}`;
    if (s.mask === 0) return ` TOS xor ${hex2(s.value)}`;
    return ` TOS set ${hex2(s.value)}/${hex2(s.mask)}`;
  },
  // tos_tg: tos = (tos & ~mask) ^ value.
  applyTarget(s, pkt) {
    pkt.tos = ((pkt.tos & ~s.mask) ^ s.value) & 0xff;
    return Verdict.CONTINUE;
  },
});
