/**
 * cgroup match, revision 2 (libxt_cgroup / kernel xt_cgroup): the sending socket's
 * net_cls class id, or its cgroup2 path (matching that cgroup and its descendants). The
 * kernel wants exactly one of the two and allows the match only where packets have a
 * local socket: INPUT, OUTPUT, POSTROUTING.
 *
 * The kernel also refuses a path that does not exist in the cgroup2 hierarchy of the
 * machine loading the rules; that depends on the machine, so it is not checked here.
 */
import { saveString } from '../values.js';
import { parseXtUint } from './common/numbers.js';
import { truncateBytes } from './common/strings.js';
import { defineMatch } from './types.js';

export interface CgroupState {
  path: { path: string; invert: boolean } | undefined;
  classid: { id: number; invert: boolean } | undefined;
}

/** struct xt_cgroup_info_v2 holds char path[XT_CGROUP_PATH_MAX = 512]. */
const MAX_PATH_BYTES = 511;

export const cgroup = defineMatch<CgroupState>({
  name: 'cgroup',
  modelled: false,
  needs: 'socket',
  hooks: ['INPUT', 'OUTPUT', 'POSTROUTING'],
  options: [
    { name: 'path', arg: 'required', invert: true },
    { name: 'cgroup', arg: 'required', invert: true },
  ],
  create: () => ({ path: undefined, classid: undefined }),
  parse(s, call) {
    const arg = call.arg ?? '';
    if (call.name === 'path') s.path = { path: truncateBytes(arg, MAX_PATH_BYTES), invert: call.invert };
    else s.classid = { id: parseXtUint('cgroup', call.name, arg, 0, 0xffffffff), invert: call.invert };
  },
  /** cgroup_mt_check_v2: one of --path and --cgroup, not both. */
  kernelCheck(s) {
    if (s.path && s.classid) return 'cgroup match: --path and --cgroup cannot be used together';
    if (!s.path && !s.classid) return 'cgroup match: --path or --cgroup is required';
    return undefined;
  },
  save(s) {
    let out = '';
    if (s.path) out += `${s.path.invert ? ' !' : ''} --path${saveString(s.path.path)}`;
    if (s.classid) out += `${s.classid.invert ? ' !' : ''} --cgroup ${s.classid.id}`;
    return out;
  },
  print(s) {
    let out = ' cgroup';
    if (s.path) out += ` ${s.path.invert ? '! ' : ''}${s.path.path}`;
    if (s.classid) out += ` ${s.classid.invert ? '! ' : ''}${s.classid.id}`;
    return out;
  },
});
