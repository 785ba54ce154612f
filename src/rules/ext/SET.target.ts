/**
 * SET target, revision 3 (libxt_SET / kernel xt_set): adds the packet's addresses/ports
 * to an ipset, deletes them from one, or copies the mark/priority/queue stored with the
 * matching element of a set into the packet.
 *
 * iptables looks each set up in the kernel while parsing ("Set NAME doesn't exist."); the
 * lookup is the one the set match makes (parseSetRef).
 */
import { ParamError } from '../errors.js';
import { strtoul } from '../values.js';
import { parseSetRef, type SetRef } from './common/sets.js';
import { defineTarget } from './types.js';

export interface SetTargetState {
  add: SetRef | undefined;
  del: SetRef | undefined;
  map: SetRef | undefined;
  /** IPSET_FLAG_EXIST: --add-set refreshes an existing element's timeout. */
  exist: boolean;
  /** Seconds for added elements; NO_TIMEOUT keeps the set's default. */
  timeout: number;
  mapMark: boolean;
  mapPrio: boolean;
  mapQueue: boolean;
}

const NO_TIMEOUT = 0xffffffff;

function refText(prefix: string, ref: SetRef | undefined): string {
  return ref ? ` ${prefix} ${ref.name} ${ref.dirs.join(',')}` : '';
}

/** set_target_save_v3 / set_target_print_v3: the same words, "--" only when saving. */
function setTargetText(s: SetTargetState, p: string): string {
  let out = refText(`${p}add-set`, s.add);
  if (s.exist) out += ` ${p}exist`;
  if (s.timeout !== NO_TIMEOUT) out += ` ${p}timeout ${s.timeout}`;
  out += refText(`${p}del-set`, s.del) + refText(`${p}map-set`, s.map);
  if (s.mapMark) out += ` ${p}map-mark`;
  if (s.mapPrio) out += ` ${p}map-prio`;
  if (s.mapQueue) out += ` ${p}map-queue`;
  return out;
}

export const SET = defineTarget<SetTargetState>({
  name: 'SET',
  modelled: false,
  needs: 'ipset',
  // An old-style extension: every check and message is its own ("!" is ignored).
  options: [
    { name: 'add-set', arg: 'required', invert: true, custom: true },
    { name: 'del-set', arg: 'required', invert: true, custom: true },
    { name: 'exist', arg: 'none', invert: true, custom: true },
    { name: 'timeout', arg: 'required', invert: true, custom: true },
    { name: 'map-set', arg: 'required', invert: true, custom: true },
    { name: 'map-mark', arg: 'none', invert: true, custom: true },
    { name: 'map-prio', arg: 'none', invert: true, custom: true },
    { name: 'map-queue', arg: 'none', invert: true, custom: true },
  ],
  create: () => ({
    add: undefined,
    del: undefined,
    map: undefined,
    exist: false,
    timeout: NO_TIMEOUT,
    mapMark: false,
    mapPrio: false,
    mapQueue: false,
  }),
  parse(s, call, ctx) {
    const arg = call.arg ?? '';
    switch (call.name) {
      case 'exist':
        s.exist = true;
        return;
      case 'timeout': {
        const n = strtoul(arg, 0, NO_TIMEOUT - 1);
        if (n === undefined) {
          throw new ParamError(`Invalid value for option --timeout or out of range 0-${NO_TIMEOUT - 1}`);
        }
        s.timeout = n;
        return;
      }
      case 'map-mark':
        s.mapMark = true;
        return;
      case 'map-prio':
        s.mapPrio = true;
        return;
      case 'map-queue':
        s.mapQueue = true;
        return;
    }
    // parse_target for --add-set / --del-set / --map-set NAME DIRS
    const which = call.name === 'add-set' ? 'add' : call.name === 'del-set' ? 'del' : 'map';
    if (s[which]) throw new ParamError(`--${call.name} can be specified only once`);
    s[which] = parseSetRef(arg, call.name, ctx);
  },
  /** set_target_check_v3 */
  finalCheck(s) {
    if (!s.add && !s.del && !s.map) {
      throw new ParamError("You must specify either `--add-set' or `--del-set' or `--map-set'");
    }
    if (!s.add) {
      if (s.exist) throw new ParamError("Flag `--exist' can be used with `--add-set' only");
      if (s.timeout !== NO_TIMEOUT) throw new ParamError("Option `--timeout' can be used with `--add-set' only");
    }
    if (!s.map) {
      if (s.mapMark) throw new ParamError("Flag `--map-mark' can be used with `--map-set' only");
      if (s.mapPrio) throw new ParamError("Flag `--map-prio' can be used with `--map-set' only");
      if (s.mapQueue) throw new ParamError("Flag `--map-queue' can be used with `--map-set' only");
    }
    if (s.map && !s.mapMark && !s.mapPrio && !s.mapQueue) {
      throw new ParamError("You must specify flags `--map-mark' or '--map-prio` or `--map-queue'");
    }
  },
  /** set_target_v3_checkentry: mapping only in mangle, priority/queue only on the way out. */
  kernelCheck(s, ctx) {
    if (!s.map) return undefined;
    if (ctx.table !== 'mangle') return 'SET target: --map-set only usable from mangle table';
    if ((s.mapPrio || s.mapQueue) && [...ctx.hooks].some((h) => h === 'PREROUTING' || h === 'INPUT')) {
      return 'SET target: mapping of prio or/and queue is allowed only from OUTPUT/FORWARD/POSTROUTING chains';
    }
    return undefined;
  },
  save: (s) => setTargetText(s, '--'),
  print: (s) => setTargetText(s, ''),
});
