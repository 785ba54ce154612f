/**
 * cpu match (libxt_cpu / kernel xt_cpu): the number of the CPU processing the packet.
 */
import { parseXtUint } from './common/numbers.js';
import { defineMatch } from './types.js';

export interface CpuState {
  cpu: number;
  invert: boolean;
}

export const cpu = defineMatch<CpuState>({
  name: 'cpu',
  modelled: false,
  needs: 'host',
  options: [{ name: 'cpu', arg: 'required', invert: true, mandatory: true }],
  create: () => ({ cpu: 0, invert: false }),
  parse(s, call) {
    s.cpu = parseXtUint('cpu', call.name, call.arg ?? '', 0, 0xffffffff);
    s.invert = call.invert;
  },
  save: (s) => `${s.invert ? ' !' : ''} --cpu ${s.cpu}`,
  print: (s) => ` cpu ${s.invert ? '! ' : ''}${s.cpu}`,
});
