/**
 * dscp match (libxt_dscp / kernel xt_dscp dscp_mt): the six DSCP bits of the IPv4 TOS
 * byte, given as a number or a DiffServ class name, optionally negated.
 */
import { ParamError } from '../errors.js';
import { hex2 } from '../values.js';
import { parseXtUint } from './common/numbers.js';
import { classToDscp } from './DSCP.js';
import { defineMatch } from './types.js';

export interface DscpMatchState {
  /** 0-63 (XT_DSCP_MAX). */
  dscp: number;
  invert: boolean;
}

export const dscp = defineMatch<DscpMatchState>({
  name: 'dscp',
  modelled: true,
  options: [
    { name: 'dscp', arg: 'required', invert: true, excl: ['dscp-class'] },
    { name: 'dscp-class', arg: 'required', invert: true, excl: ['dscp'] },
  ],
  create: () => ({ dscp: 0, invert: false }),
  parse(s, call) {
    const arg = call.arg ?? '';
    s.dscp = call.name === 'dscp' ? parseXtUint('dscp', call.name, arg, 0, 0x3f) : classToDscp(arg);
    s.invert = call.invert;
  },
  finalCheck(_s, ctx) {
    if (ctx.seen.size === 0) throw new ParamError('DSCP match: Parameter --dscp is required');
  },
  save: (s) => `${s.invert ? ' !' : ''} --dscp ${hex2(s.dscp)}`,
  print: (s) => ` DSCP match ${s.invert ? '!' : ''}${hex2(s.dscp)}`,
  // dscp_mt: the TOS byte's upper six bits.
  matchPacket: (s, pkt) => (pkt.tos >> 2 === s.dscp) !== s.invert,
});
