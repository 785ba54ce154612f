/**
 * CONNMARK target (libxt_CONNMARK revision 2 / kernel xt_connmark): sets the conntrack
 * mark, or copies it to and from the packet mark, with optional masks and a shift.
 *
 * The kernel evaluates (connmark_tg_shift), `<<`/`>>` being the shift when one is given:
 *  - set:     ctmark = ((ctmark & ~ctmask) ^ ctmark_value) << or >> shift
 *  - save:    ctmark = (ctmark & ~ctmask) ^ ((nfmark & nfmask) << or >> shift)
 *  - restore: nfmark = (nfmark & ~nfmask) ^ ((ctmark & ctmask) << or >> shift)
 * The shifted value is not masked again: with --nfmask wider than --ctmask, --save-mark
 * also flips connection mark bits outside --ctmask (checked against the kernel by the
 * differential case connmark-masks). The shift is applied (and saved) for every mode;
 * iptables only prints it when non-zero.
 */
import { Verdict } from '../../engine/packet.js';
import { ParamError } from '../errors.js';
import { hex } from '../values.js';
import { parseXtUint } from './common/numbers.js';
import { parseValueMask } from './common/valuemask.js';
import { CtEvent } from '../../conntrack/entry.js';
import { xorMaskText } from './MARK.js';
import { defineTarget } from './types.js';

export type ConnmarkMode = 'set' | 'save' | 'restore';

export interface ConnmarkState {
  mode: ConnmarkMode;
  /** Value XORed into the conntrack mark (mode 'set'). */
  ctmark: number;
  ctmask: number;
  nfmask: number;
  shiftDir: 'left' | 'right';
  /** 0-32 as parsed; the kernel refuses more than 31. */
  shiftBits: number;
}

/** Operations, in iptables' option-id order (F_OP_ANY: each excludes all the others). */
const OPS = ['set-mark', 'save-mark', 'restore-mark', 'and-mark', 'or-mark', 'xor-mark', 'set-xmark'] as const;

function otherOps(name: string): string[] {
  return OPS.filter((o) => o !== name);
}

function saveMasks(s: ConnmarkState): string {
  return ` --nfmask ${hex(s.nfmask)} --ctmask ${hex(s.ctmask)}`;
}

/** A u32 shifted as connmark_tg_shift() shifts it (`>>=` on a u32: a logical shift). */
function shifted(v: number, s: ConnmarkState): number {
  return s.shiftDir === 'left' ? v << s.shiftBits : v >>> s.shiftBits;
}

export const CONNMARK = defineTarget<ConnmarkState>({
  name: 'CONNMARK',
  modelled: true,
  // Table order of connmark_tg_opts_v2.
  options: [
    { name: 'set-xmark', arg: 'required', excl: otherOps('set-xmark') },
    { name: 'set-mark', arg: 'required', excl: otherOps('set-mark') },
    { name: 'and-mark', arg: 'required', excl: otherOps('and-mark') },
    { name: 'or-mark', arg: 'required', excl: otherOps('or-mark') },
    { name: 'xor-mark', arg: 'required', excl: otherOps('xor-mark') },
    { name: 'save-mark', arg: 'none', excl: otherOps('save-mark') },
    { name: 'restore-mark', arg: 'none', excl: otherOps('restore-mark') },
    { name: 'left-shift-mark', arg: 'required' },
    { name: 'right-shift-mark', arg: 'required' },
    { name: 'ctmask', arg: 'required', excl: ['mask'] },
    { name: 'nfmask', arg: 'required', excl: ['mask'] },
    { name: 'mask', arg: 'required', excl: ['ctmask', 'nfmask'] },
  ],
  // connmark_tg_init_v2: masks default to all ones so a bare --save-mark copies everything.
  create: () => ({ mode: 'set', ctmark: 0, ctmask: 0xffffffff, nfmask: 0xffffffff, shiftDir: 'left', shiftBits: 0 }),
  // connmark_tg_shift(): nothing without a conntrack entry (INVALID or UNTRACKED).
  applyTarget(s, pkt) {
    const ct = pkt.ct;
    if (ct === null) return Verdict.CONTINUE;
    if (s.mode === 'restore') {
      pkt.mark = ((pkt.mark & ~s.nfmask) ^ shifted(ct.mark & s.ctmask, s)) >>> 0;
      return Verdict.CONTINUE;
    }
    const mark = (s.mode === 'set' ? shifted((ct.mark & ~s.ctmask) ^ s.ctmark, s) : (ct.mark & ~s.ctmask) ^ shifted(pkt.mark & s.nfmask, s)) >>> 0;
    // Only a changed mark is an event (IPCT_MARK), which shows it even when it is 0.
    if (mark !== ct.mark) {
      ct.mark = mark;
      ct.events |= CtEvent.MARK;
    }
    return Verdict.CONTINUE;
  },
  parse(s, call) {
    const arg = call.arg ?? '';
    const u32 = (): number => parseXtUint('CONNMARK', call.name, arg, 0, 0xffffffff);
    // Options apply in command-line order, each overwriting what it touches: a --mask
    // after --set-mark replaces the set's mask, one before it is overwritten.
    switch (call.name) {
      case 'set-xmark': {
        const vm = parseValueMask('CONNMARK', call.name, arg);
        s.mode = 'set';
        s.ctmark = vm.value;
        s.ctmask = vm.mask;
        return;
      }
      case 'set-mark': {
        const vm = parseValueMask('CONNMARK', call.name, arg);
        s.mode = 'set';
        s.ctmark = vm.value;
        s.ctmask = (vm.value | vm.mask) >>> 0;
        return;
      }
      case 'and-mark':
        s.mode = 'set';
        s.ctmark = 0;
        s.ctmask = ~u32() >>> 0;
        return;
      case 'or-mark':
        s.mode = 'set';
        s.ctmark = u32();
        s.ctmask = s.ctmark;
        return;
      case 'xor-mark':
        s.mode = 'set';
        s.ctmark = u32();
        s.ctmask = 0;
        return;
      case 'save-mark':
        s.mode = 'save';
        return;
      case 'restore-mark':
        s.mode = 'restore';
        return;
      case 'left-shift-mark':
      case 'right-shift-mark':
        s.shiftBits = parseXtUint('CONNMARK', call.name, arg, 0, 32);
        s.shiftDir = call.name === 'left-shift-mark' ? 'left' : 'right';
        return;
      case 'ctmask':
        s.ctmask = u32();
        return;
      case 'nfmask':
        s.nfmask = u32();
        return;
      case 'mask':
        s.ctmask = u32();
        s.nfmask = s.ctmask;
        return;
    }
  },
  finalCheck(_s, ctx) {
    if (!OPS.some((o) => ctx.seen.has(o))) throw new ParamError('CONNMARK target: No operation specified');
  },
  save(s) {
    let out: string;
    if (s.mode === 'set') out = ` --set-xmark ${hex(s.ctmark)}/${hex(s.ctmask)}`;
    else out = ` --${s.mode}-mark` + saveMasks(s);
    if (s.shiftBits !== 0) out += ` --${s.shiftDir}-shift-mark ${s.shiftBits}`;
    return out;
  },
  print(s) {
    let out: string;
    if (s.mode === 'set') {
      out = ` CONNMARK ${xorMaskText(s.ctmark, s.ctmask)}`;
    } else {
      // The source mask comes first and the destination mask is shown with "~" (as
      // connmark_tg_print_v2 prints it, even though it is not inverted).
      const [srcName, src, dstName, dst] =
        s.mode === 'save' ? ['nfmask', s.nfmask, 'ctmask', s.ctmask] : ['ctmask', s.ctmask, 'nfmask', s.nfmask];
      out = ` CONNMARK ${s.mode}`;
      if (src !== 0xffffffff || dst !== 0xffffffff) {
        out += src === dst ? ` mask ${hex(src)}` : ` ${srcName} ${hex(src)} ${dstName} ~${hex(dst)}`;
      }
    }
    if (s.shiftBits !== 0) out += ` ${s.shiftDir}-shift-mark ${s.shiftBits}`;
    return out;
  },
  kernelCheck(s) {
    // connmark_tg_check: a 32-bit mark cannot be shifted by 32 or more.
    if (s.shiftBits > 31) return `CONNMARK: shift of ${s.shiftBits} bits is out of range (0-31)`;
    return undefined;
  },
});
