/**
 * realm match (libipt_realm / kernel xt_realm): the routing realm (tclassid) of the
 * packet's route, compared under a mask. The kernel allows it only after routing: not
 * from PREROUTING.
 */
import { type LmapEntry, parseValueMask, readLmap, valMaskText } from './common/valuemask.js';
import { defineMatch } from './types.js';

export interface RealmState {
  id: number;
  /** 0xffffffff when no "/mask" was given. */
  mask: number;
  invert: boolean;
}

/** iproute2's realm names, read once. */
let realms: LmapEntry[] | undefined;
function realmNames(): LmapEntry[] {
  realms ??= readLmap('/etc/iproute2/rt_realms');
  return realms;
}

export const realm = defineMatch<RealmState>({
  name: 'realm',
  modelled: false,
  needs: 'routing',
  hooks: ['INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  options: [{ name: 'realm', arg: 'required', invert: true, mandatory: true }],
  create: () => ({ id: 0, mask: 0xffffffff, invert: false }),
  parse(s, call) {
    const vm = parseValueMask('realm', call.name, call.arg ?? '', realmNames());
    s.id = vm.value;
    s.mask = vm.mask;
    s.invert = call.invert;
  },
  // realm_save names the realm too (the listing only without -n).
  save: (s) => `${s.invert ? ' !' : ''} --realm${valMaskText(s.id, s.mask, realmNames())}`,
  print: (s, _ip, numeric) =>
    `${s.invert ? ' !' : ''} realm${valMaskText(s.id, s.mask, numeric ? undefined : realmNames())}`,
});
