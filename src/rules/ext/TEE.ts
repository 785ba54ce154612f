/**
 * TEE target, revision 1 (libxt_TEE / kernel xt_TEE): sends a copy of the packet to a
 * gateway on the local network (optionally through a given interface); the original goes
 * on.
 */
import { ipToAnyName, ipToString } from '../values.js';
import { parseXtHost } from './common/addresses.js';
import { truncateBytes } from './common/strings.js';
import { defineTarget } from './types.js';

export interface TeeState {
  gw: number;
  /** '' for any; char oif[IFNAMSIZ] keeps at most 15 bytes. */
  oif: string;
}

const MAX_OIF_BYTES = 15;

export const TEE = defineTarget<TeeState>({
  name: 'TEE',
  modelled: false,
  needs: 'routing',
  options: [
    { name: 'gateway', arg: 'required', mandatory: true },
    { name: 'oif', arg: 'required' },
  ],
  create: () => ({ gw: 0, oif: '' }),
  parse(s, call) {
    if (call.name === 'gateway') s.gw = parseXtHost(call.arg ?? '');
    else s.oif = truncateBytes(call.arg ?? '', MAX_OIF_BYTES);
  },
  /** tee_tg_check: the gateway must not be the zero address. */
  kernelCheck: (s) => (s.gw === 0 ? 'TEE: gateway address 0.0.0.0 is not usable' : undefined),
  // tee_tg_save prints the interface name unquoted, even when it contains blanks.
  save: (s) => ` --gateway ${ipToString(s.gw)}` + (s.oif !== '' ? ` --oif ${s.oif}` : ''),
  print: (s, _ip, numeric) =>
    ` TEE gw:${numeric ? ipToString(s.gw) : ipToAnyName(s.gw)}` + (s.oif !== '' ? ` oif=${s.oif}` : ''),
});
