/**
 * recent match, revision 1 (libxt_recent / kernel xt_recent): a named list of recently
 * seen addresses (source or destination, under a netmask) that a rule adds to, checks,
 * refreshes or removes from. Lists are shared by every rule naming them.
 */
import { ParamError } from '../errors.js';
import { ipToString } from '../values.js';
import { parseXtHost } from './common/addresses.js';
import { parseXtUint } from './common/numbers.js';
import { defineMatch } from './types.js';

/** check_set bits (XT_RECENT_*). */
export const RECENT = {
  CHECK: 1 << 0,
  SET: 1 << 1,
  UPDATE: 1 << 2,
  REMOVE: 1 << 3,
  TTL: 1 << 4,
  REAP: 1 << 5,
} as const;

export const RECENT_SIDE = { SOURCE: 0, DEST: 1 } as const;

/** XT_RECENT_NAME_LEN: the name is copied into char[200]. */
const NAME_LEN = 200;
/**
 * Largest --hitcount the reference kernel accepts (XT_RECENT_MAX_NSTAMPS - 1; older
 * kernels allowed 255).
 */
const MAX_HITCOUNT = 65535;

export interface RecentState {
  /** RECENT bits: exactly one of CHECK/SET/UPDATE/REMOVE, plus TTL and REAP. */
  checkSet: number;
  invert: boolean;
  /** 0 = no age limit. */
  seconds: number;
  /** 0 = no hit count test. */
  hitCount: number;
  name: string;
  /** RECENT_SIDE */
  side: number;
  /** Applied to the address before it is stored or looked up. */
  mask: number;
}

const OPS = ['set', 'rcheck', 'update', 'remove'];

function opsExcept(name: string): string[] {
  return OPS.filter((o) => o !== name);
}

export const recent = defineMatch<RecentState>({
  name: 'recent',
  modelled: true,
  options: [
    { name: 'set', arg: 'none', invert: true, excl: opsExcept('set') },
    { name: 'rcheck', arg: 'none', invert: true, excl: opsExcept('rcheck') },
    { name: 'update', arg: 'none', invert: true, excl: opsExcept('update') },
    { name: 'remove', arg: 'none', invert: true, excl: opsExcept('remove') },
    { name: 'seconds', arg: 'required' },
    { name: 'reap', arg: 'none', also: ['seconds'] },
    { name: 'hitcount', arg: 'required' },
    { name: 'rttl', arg: 'none', excl: ['set', 'remove'] },
    { name: 'name', arg: 'required' },
    { name: 'rsource', arg: 'none' },
    { name: 'rdest', arg: 'none' },
    { name: 'mask', arg: 'required' },
  ],
  // recent_init: list DEFAULT, source side, all-ones mask.
  create: () => ({
    checkSet: 0,
    invert: false,
    seconds: 0,
    hitCount: 0,
    name: 'DEFAULT',
    side: RECENT_SIDE.SOURCE,
    mask: 0xffffffff,
  }),
  parse(s, call) {
    const arg = call.arg ?? '';
    switch (call.name) {
      case 'set':
      case 'rcheck':
      case 'update':
      case 'remove': {
        const bits = { set: RECENT.SET, rcheck: RECENT.CHECK, update: RECENT.UPDATE, remove: RECENT.REMOVE };
        s.checkSet |= bits[call.name];
        if (call.invert) s.invert = true;
        return;
      }
      case 'seconds':
        s.seconds = parseXtUint('recent', 'seconds', arg, 1, 0xffffffff);
        return;
      case 'reap':
        s.checkSet |= RECENT.REAP;
        return;
      case 'hitcount':
        s.hitCount = parseXtUint('recent', 'hitcount', arg, 0, 0xffffffff);
        return;
      case 'rttl':
        s.checkSet |= RECENT.TTL;
        return;
      case 'name':
        s.name = arg.slice(0, NAME_LEN - 1);
        return;
      case 'rsource':
        s.side = RECENT_SIDE.SOURCE;
        return;
      case 'rdest':
        s.side = RECENT_SIDE.DEST;
        return;
      case 'mask':
        s.mask = parseXtHost(arg);
        return;
    }
  },
  finalCheck(_s, ctx) {
    if (!OPS.some((o) => ctx.seen.has(o))) {
      throw new ParamError("recent: you must specify one of `--set', `--rcheck' `--update' or `--remove'");
    }
  },
  save(s) {
    let out = s.invert ? ' !' : '';
    if (s.checkSet & RECENT.SET) out += ' --set';
    if (s.checkSet & RECENT.CHECK) out += ' --rcheck';
    if (s.checkSet & RECENT.UPDATE) out += ' --update';
    if (s.checkSet & RECENT.REMOVE) out += ' --remove';
    if (s.seconds) out += ` --seconds ${s.seconds}`;
    if (s.checkSet & RECENT.REAP) out += ' --reap';
    if (s.hitCount) out += ` --hitcount ${s.hitCount}`;
    if (s.checkSet & RECENT.TTL) out += ' --rttl';
    out += ` --name ${s.name} --mask ${ipToString(s.mask)}`;
    return out + (s.side === RECENT_SIDE.SOURCE ? ' --rsource' : ' --rdest');
  },
  print(s) {
    let out = (s.invert ? ' !' : '') + ' recent:';
    if (s.checkSet & RECENT.SET) out += ' SET';
    if (s.checkSet & RECENT.CHECK) out += ' CHECK';
    if (s.checkSet & RECENT.UPDATE) out += ' UPDATE';
    if (s.checkSet & RECENT.REMOVE) out += ' REMOVE';
    if (s.seconds) out += ` seconds: ${s.seconds}`;
    if (s.checkSet & RECENT.REAP) out += ' reap';
    if (s.hitCount) out += ` hit_count: ${s.hitCount}`;
    if (s.checkSet & RECENT.TTL) out += ' TTL-Match';
    out += ` name: ${s.name}`;
    out += s.side === RECENT_SIDE.SOURCE ? ' side: source' : ' side: dest';
    return out + ` mask: ${ipToString(s.mask)}`;
  },
  kernelCheck(s) {
    // recent_mt_check
    if (s.checkSet & (RECENT.SET | RECENT.REMOVE) && (s.seconds || s.hitCount || s.checkSet & (RECENT.TTL | RECENT.REAP))) {
      return 'recent: --set and --remove take no --seconds, --hitcount, --rttl or --reap';
    }
    if (s.checkSet & RECENT.REAP && !s.seconds) return 'recent: --reap needs --seconds';
    if (s.hitCount > MAX_HITCOUNT) {
      return `recent: hitcount (${s.hitCount}) is larger than allowed maximum (${MAX_HITCOUNT})`;
    }
    // xt_check_proc_name
    if (s.name === '' || s.name === '.' || s.name === '..' || s.name.includes('/')) {
      return `recent: invalid list name "${s.name}"`;
    }
    return undefined;
  },
});
