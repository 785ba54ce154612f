/**
 * MARK target (libxt_MARK revision 2 / kernel xt_MARK): rewrites the packet's nfmark as
 * `mark = (mark & ~mask) ^ value`. Every option is folded into that one value/mask pair,
 * which is all the kernel keeps, so --set-mark, --or-mark, ... all save as --set-xmark.
 */
import { Verdict } from '../../engine/packet.js';
import { ParamError } from '../errors.js';
import { hex } from '../values.js';
import { parseXtUint } from './common/numbers.js';
import { parseValueMask } from './common/valuemask.js';
import { defineTarget } from './types.js';

/**
 * The listing form shared by MARK and CONNMARK (mark_tg_print / connmark_tg_print): the
 * value/mask pair is shown as the simplest operation that produces it, tested in this
 * order, so e.g. 0x0/0x0 reads "and 0xffffffff".
 */
export function xorMaskText(value: number, mask: number): string {
  if (value === 0) return `and ${hex(~mask)}`;
  if (value === mask) return `or ${hex(value)}`;
  if (mask === 0) return `xor ${hex(value)}`;
  if (mask === 0xffffffff) return `set ${hex(value)}`;
  return `xset ${hex(value)}/${hex(mask)}`;
}

export interface MarkState {
  /** XORed into the mark after the mask bits are cleared. */
  value: number;
  /** Bits of the old mark that are cleared. */
  mask: number;
}

const OPS = ['set-mark', 'and-mark', 'or-mark', 'xor-mark', 'set-xmark'] as const;

/** Every operation excludes the others (F_ANY); listed in iptables' option-id order. */
function others(name: string): string[] {
  return OPS.filter((o) => o !== name);
}

export const MARK = defineTarget<MarkState>({
  name: 'MARK',
  modelled: true,
  // Table order of mark_tg_opts: it decides which name a conflict message mentions first.
  options: [
    { name: 'set-xmark', arg: 'required', excl: others('set-xmark') },
    { name: 'set-mark', arg: 'required', excl: others('set-mark') },
    { name: 'and-mark', arg: 'required', excl: others('and-mark') },
    { name: 'or-mark', arg: 'required', excl: others('or-mark') },
    { name: 'xor-mark', arg: 'required', excl: others('xor-mark') },
  ],
  create: () => ({ value: 0, mask: 0 }),
  parse(s, call) {
    const arg = call.arg ?? '';
    switch (call.name) {
      case 'set-xmark': {
        const vm = parseValueMask('MARK', call.name, arg);
        s.value = vm.value;
        s.mask = vm.mask;
        return;
      }
      case 'set-mark': {
        // "value/mask" sets exactly the value within mask: the value's own bits are cleared too.
        const vm = parseValueMask('MARK', call.name, arg);
        s.value = vm.value;
        s.mask = (vm.value | vm.mask) >>> 0;
        return;
      }
      case 'and-mark': {
        const n = parseXtUint('MARK', call.name, arg, 0, 0xffffffff);
        s.value = 0;
        s.mask = ~n >>> 0;
        return;
      }
      case 'or-mark': {
        const n = parseXtUint('MARK', call.name, arg, 0, 0xffffffff);
        s.value = n;
        s.mask = n;
        return;
      }
      case 'xor-mark':
        s.value = parseXtUint('MARK', call.name, arg, 0, 0xffffffff);
        s.mask = 0;
        return;
    }
  },
  finalCheck(_s, ctx) {
    if (ctx.seen.size === 0) {
      throw new ParamError('MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required');
    }
  },
  save: (s) => ` --set-xmark ${hex(s.value)}/${hex(s.mask)}`,
  print: (s) => ` MARK ${xorMaskText(s.value, s.mask)}`,
  // mark_tg: skb->mark = (skb->mark & ~mask) ^ mark.
  applyTarget(s, pkt) {
    pkt.mark = ((pkt.mark & ~s.mask) ^ s.value) >>> 0;
    return Verdict.CONTINUE;
  },
});
