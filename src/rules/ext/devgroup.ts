/**
 * devgroup match (libxt_devgroup / kernel xt_devgroup): the device group of the input
 * and/or output interface, compared under a mask. The kernel refuses a source-group test
 * where there is no input device (OUTPUT, POSTROUTING) and a destination-group test where
 * there is no output device yet (PREROUTING, INPUT).
 */
import { ParamError } from '../errors.js';
import { type LmapEntry, parseValueMask, readLmap, type ValueMask, valMaskText } from './common/valuemask.js';
import { defineMatch } from './types.js';

/** iproute2's device group names, read once. */
let groups: LmapEntry[] | undefined;
function deviceGroups(): LmapEntry[] {
  groups ??= readLmap('/etc/iproute2/group');
  return groups;
}

export interface DevgroupSide extends ValueMask {
  invert: boolean;
}

export interface DevgroupState {
  src: DevgroupSide | undefined;
  dst: DevgroupSide | undefined;
}

/** devgroup_show: saves use names, listings use names unless -n. */
function showText(s: DevgroupState, prefix: string, numeric: boolean): string {
  const map = numeric ? undefined : deviceGroups();
  let out = '';
  if (s.src) out += `${s.src.invert ? ' !' : ''} ${prefix}src-group${valMaskText(s.src.value, s.src.mask, map)}`;
  if (s.dst) out += `${s.dst.invert ? ' !' : ''} ${prefix}dst-group${valMaskText(s.dst.value, s.dst.mask, map)}`;
  return out;
}

export const devgroup = defineMatch<DevgroupState>({
  name: 'devgroup',
  modelled: false,
  needs: 'host',
  options: [
    { name: 'src-group', arg: 'required', invert: true },
    { name: 'dst-group', arg: 'required', invert: true },
  ],
  create: () => ({ src: undefined, dst: undefined }),
  parse(s, call) {
    const vm = parseValueMask('devgroup', call.name, call.arg ?? '', deviceGroups());
    const side = { ...vm, invert: call.invert };
    if (call.name === 'src-group') s.src = side;
    else s.dst = side;
  },
  finalCheck(s) {
    if (!s.src && !s.dst) {
      throw new ParamError("devgroup match: You must specify either '--src-group' or '--dst-group'");
    }
  },
  /** devgroup_mt_checkentry */
  kernelCheck(s, ctx) {
    if (s.src && (ctx.hooks.has('OUTPUT') || ctx.hooks.has('POSTROUTING'))) {
      return 'devgroup match: --src-group needs an input device (not from OUTPUT or POSTROUTING)';
    }
    if (s.dst && (ctx.hooks.has('PREROUTING') || ctx.hooks.has('INPUT'))) {
      return 'devgroup match: --dst-group needs an output device (not from PREROUTING or INPUT)';
    }
    return undefined;
  },
  save: (s) => showText(s, '--', false),
  print: (s, _ip, numeric) => showText(s, '', numeric),
});
