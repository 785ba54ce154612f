/**
 * devgroup match (libxt_devgroup / kernel xt_devgroup): the device group of the input
 * and/or output interface, compared under a mask. The kernel refuses a source-group test
 * where there is no input device (OUTPUT, POSTROUTING) and a destination-group test where
 * there is no output device yet (PREROUTING, INPUT).
 *
 * Also home of iproute2's id-to-name maps (xtables_lmap) and of value[/mask] options that
 * accept a name from such a map (xtables_parse_val_mask / xtables_print_val_mask), which
 * realm shares.
 */
import { readFileSync } from 'node:fs';
import { ParamError } from '../errors.js';
import { hex, strtoulPrefix } from '../values.js';
import { defineMatch } from './types.js';

export interface LmapEntry {
  id: number;
  name: string;
}

/**
 * xtables_lmap_init: "id name" lines (id decimal, or hex after "0x", 0-255), '#' comments;
 * malformed lines are skipped. A missing file gives an empty map, so only numbers work.
 */
export function readLmap(path: string): LmapEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch {
    return [];
  }
  const out: LmapEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^[ \t\v\f\r]*(0x[0-9a-fA-F]+|[0-9]+)([ \t\v\f\r]+)([^ \t\v\f\r#][^ \t\v\f\r]*)?/.exec(line);
    if (!m || m[3] === undefined) continue;
    const id = parseInt(m[1]!, m[1]!.startsWith('0x') ? 16 : 10);
    if (id > 255) continue;
    out.push({ id, name: m[3] });
  }
  return out;
}

export interface ValueMask {
  value: number;
  /** 0xffffffff when no "/mask" was given. */
  mask: number;
}

/**
 * xtables_parse_val_mask with a name map: "value[/mask]" with base-0 numbers, or else
 * the whole argument as a name from the map ("1x" is looked up as a name too).
 */
export function parseValMaskName(ext: string, option: string, text: string, lmap: readonly LmapEntry[]): ValueMask {
  const byName = (): ValueMask => {
    const entry = lmap.find((e) => e.name === text);
    if (!entry) {
      throw new ParamError(`${ext}: could not map name ${text} to an integer value for option "--${option}".`);
    }
    return { value: entry.id, mask: 0xffffffff };
  };
  const lead = /^[ \t\n\v\f\r]*-/.test(text) ? undefined : strtoulPrefix(text);
  if (lead === undefined || lead.value > 0xffffffff) return byName();
  if (lead.end === text.length) return { value: lead.value, mask: 0xffffffff };
  if (text[lead.end] !== '/') return byName();
  const rest = text.slice(lead.end + 1);
  const mask = /^[ \t\n\v\f\r]*-/.test(rest) ? undefined : strtoulPrefix(rest);
  if (mask === undefined || mask.value > 0xffffffff) {
    throw new ParamError(`${ext}: bad integer value for option "--${option}", or out of range.`);
  }
  if (mask.end !== rest.length) throw new ParamError(`${ext}: trailing garbage after value for option "--${option}".`);
  return { value: lead.value, mask: mask.value };
}

/** xtables_print_val_mask: " 0xV/0xM", or the name for a full mask when a map is given. */
export function valMaskText(vm: ValueMask, lmap: readonly LmapEntry[] | undefined): string {
  if (vm.mask !== 0xffffffff) return ` ${hex(vm.value)}/${hex(vm.mask)}`;
  const name = lmap?.find((e) => e.id === vm.value)?.name;
  return ' ' + (name ?? hex(vm.value));
}

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
  if (s.src) out += `${s.src.invert ? ' !' : ''} ${prefix}src-group${valMaskText(s.src, map)}`;
  if (s.dst) out += `${s.dst.invert ? ' !' : ''} ${prefix}dst-group${valMaskText(s.dst, map)}`;
  return out;
}

export const devgroup = defineMatch<DevgroupState>({
  name: 'devgroup',
  modelled: false,
  options: [
    { name: 'src-group', arg: 'required', invert: true },
    { name: 'dst-group', arg: 'required', invert: true },
  ],
  create: () => ({ src: undefined, dst: undefined }),
  parse(s, call) {
    const vm = parseValMaskName('devgroup', call.name, call.arg ?? '', deviceGroups());
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
