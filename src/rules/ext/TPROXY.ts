/**
 * TPROXY target, revision 1 (libxt_TPROXY / kernel xt_TPROXY): diverts the packet,
 * unchanged, to a local socket listening on the given port (and address), and marks it.
 * The kernel allows it only in mangle PREROUTING, for -p tcp or -p udp.
 */
import { hex, ipToString } from '../values.js';
import { parseXtHost } from './common/addresses.js';
import { parseXtPort } from './common/ports.js';
import { parseValueMask } from './common/valuemask.js';
import { defineTarget } from './types.js';

export interface TproxyState {
  /** 0 means the packet's own destination port. */
  lport: number;
  /** 0 means the address of the receiving interface. */
  laddr: number;
  markValue: number;
  markMask: number;
}

const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;

export const TPROXY = defineTarget<TproxyState>({
  name: 'TPROXY',
  modelled: false,
  needs: 'socket',
  tables: ['mangle'],
  hooks: ['PREROUTING'],
  options: [
    { name: 'on-port', arg: 'required', mandatory: true },
    { name: 'on-ip', arg: 'required' },
    { name: 'tproxy-mark', arg: 'required' },
  ],
  create: () => ({ lport: 0, laddr: 0, markValue: 0, markMask: 0 }),
  parse(s, call) {
    const arg = call.arg ?? '';
    switch (call.name) {
      case 'on-port':
        s.lport = parseXtPort(arg);
        return;
      case 'on-ip':
        s.laddr = parseXtHost(arg);
        return;
      case 'tproxy-mark': {
        const vm = parseValueMask('TPROXY', call.name, arg);
        s.markValue = vm.value;
        s.markMask = vm.mask;
        return;
      }
    }
  },
  /** tproxy_tg4_check: the rule must select tcp or udp. */
  kernelCheck(_s, ctx) {
    if ((ctx.ip.proto === IPPROTO_TCP || ctx.ip.proto === IPPROTO_UDP) && !ctx.ip.invProto) return undefined;
    return 'TPROXY: Can be used only with -p tcp or -p udp';
  },
  save: (s) => ` --on-port ${s.lport} --on-ip ${ipToString(s.laddr)} --tproxy-mark ${hex(s.markValue)}/${hex(s.markMask)}`,
  print: (s) => ` TPROXY redirect ${ipToString(s.laddr)}:${s.lport} mark ${hex(s.markValue)}/${hex(s.markMask)}`,
});
