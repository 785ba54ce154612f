/**
 * physdev match (libxt_physdev / kernel xt_physdev): the bridge ports a bridged packet
 * entered or will leave by, and whether it is bridged at all.
 */
import { ParamError } from '../errors.js';
import { defineMatch } from './types.js';

/** bitmask / invert bits (XT_PHYSDEV_OP_*). */
export const PHYSDEV = {
  IN: 1 << 0,
  OUT: 1 << 1,
  BRIDGED: 1 << 2,
  ISIN: 1 << 3,
  ISOUT: 1 << 4,
} as const;

export interface PhysdevState {
  /** PHYSDEV bits of the tests made. */
  bitmask: number;
  /** PHYSDEV bits of the negated tests. */
  invert: number;
  /** Port names as given; a trailing "+" matches every name with that prefix, "" any port. */
  physindev: string;
  physoutdev: string;
}

/** IFNAMSIZ - 1 */
const MAX_IFNAME = 15;

/** xtables_parse_interface: length limit, and a warning the kernel would never match. */
function parsePort(name: string, warn: (m: string) => void): string {
  if (name.length > MAX_IFNAME) {
    throw new ParamError(`interface name \`${name}' must be shorter than IFNAMSIZ (${MAX_IFNAME})`);
  }
  if (name.includes('/') || name.includes(' ')) {
    warn(`Warning: weird character in interface \`${name}' ('/' and ' ' are not allowed by the kernel).`);
  }
  return name;
}

/** physdev_print / physdev_save share the text; the listing only adds "PHYSDEV match". */
function physdevText(s: PhysdevState): string {
  const inv = (flag: number): string => (s.invert & flag ? ' !' : '');
  let out = '';
  if (s.bitmask & PHYSDEV.ISIN) out += `${inv(PHYSDEV.ISIN)} --physdev-is-in`;
  if (s.bitmask & PHYSDEV.IN) out += `${inv(PHYSDEV.IN)} --physdev-in ${s.physindev}`;
  if (s.bitmask & PHYSDEV.ISOUT) out += `${inv(PHYSDEV.ISOUT)} --physdev-is-out`;
  if (s.bitmask & PHYSDEV.OUT) out += `${inv(PHYSDEV.OUT)} --physdev-out ${s.physoutdev}`;
  if (s.bitmask & PHYSDEV.BRIDGED) out += `${inv(PHYSDEV.BRIDGED)} --physdev-is-bridged`;
  return out;
}

const FLAGS: Readonly<Record<string, number>> = {
  'physdev-in': PHYSDEV.IN,
  'physdev-out': PHYSDEV.OUT,
  'physdev-is-in': PHYSDEV.ISIN,
  'physdev-is-out': PHYSDEV.ISOUT,
  'physdev-is-bridged': PHYSDEV.BRIDGED,
};

export const physdev = defineMatch<PhysdevState>({
  name: 'physdev',
  modelled: false,
  needs: 'bridge',
  options: [
    { name: 'physdev-in', arg: 'required', invert: true },
    { name: 'physdev-out', arg: 'required', invert: true },
    { name: 'physdev-is-in', arg: 'none', invert: true },
    { name: 'physdev-is-out', arg: 'none', invert: true },
    { name: 'physdev-is-bridged', arg: 'none', invert: true },
  ],
  create: () => ({ bitmask: 0, invert: 0, physindev: '', physoutdev: '' }),
  parse(s, call, ctx) {
    if (call.name === 'physdev-in') s.physindev = parsePort(call.arg ?? '', ctx.warn);
    if (call.name === 'physdev-out') s.physoutdev = parsePort(call.arg ?? '', ctx.warn);
    const flag = FLAGS[call.name]!;
    s.bitmask |= flag;
    if (call.invert) s.invert |= flag;
  },
  finalCheck(_s, ctx) {
    if (ctx.seen.size === 0) throw new ParamError('PHYSDEV: no physdev option specified');
  },
  save: (s) => physdevText(s),
  print: (s) => ' PHYSDEV match' + physdevText(s),
  kernelCheck(s, ctx) {
    // physdev_mt_check: the output port of a locally generated packet is not known yet
    // unless the test is restricted to bridged packets.
    const outTest = (s.bitmask & (PHYSDEV.OUT | PHYSDEV.ISOUT)) !== 0;
    const bridgedOnly = (s.bitmask & PHYSDEV.BRIDGED) !== 0 && (s.invert & PHYSDEV.BRIDGED) === 0;
    if (outTest && !bridgedOnly && ctx.hooks.has('OUTPUT')) {
      return 'physdev: --physdev-out and --physdev-is-out are only supported for bridged traffic from OUTPUT';
    }
    return undefined;
  },
});
