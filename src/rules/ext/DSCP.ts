/**
 * DSCP target (libxt_DSCP / kernel xt_DSCP): sets the six DSCP bits of the IPv4 TOS byte,
 * by number or by DiffServ class name.
 */
import { Verdict } from '../../engine/packet.js';
import { ParamError } from '../errors.js';
import { hex2 } from '../values.js';
import { parseXtUint } from './common/numbers.js';
import { isCasePrefix } from './common/strings.js';
import { defineTarget } from './types.js';

export interface DscpState {
  /** 0-63 (XT_DSCP_MAX). */
  dscp: number;
}

/** dscp_helper.c's ds_classes, in its order (the first class the argument starts with wins). */
export const DSCP_CLASSES: ReadonlyArray<readonly [string, number]> = [
  ['CS0', 0x00],
  ['CS1', 0x08],
  ['CS2', 0x10],
  ['CS3', 0x18],
  ['CS4', 0x20],
  ['CS5', 0x28],
  ['CS6', 0x30],
  ['CS7', 0x38],
  ['BE', 0x00],
  ['AF11', 0x0a],
  ['AF12', 0x0c],
  ['AF13', 0x0e],
  ['AF21', 0x12],
  ['AF22', 0x14],
  ['AF23', 0x16],
  ['AF31', 0x1a],
  ['AF32', 0x1c],
  ['AF33', 0x1e],
  ['AF41', 0x22],
  ['AF42', 0x24],
  ['AF43', 0x26],
  ['EF', 0x2e],
];

/**
 * class_to_dscp compares only strlen(class) characters, ignoring case: "af41" and
 * "AF41-anything" are AF41, "AF1" is nothing.
 */
export function classToDscp(text: string): number {
  const cls = DSCP_CLASSES.find(([name]) => isCasePrefix(name, text));
  if (!cls) throw new ParamError(`Invalid DSCP value \`${text}'`);
  return cls[1];
}

export const DSCP = defineTarget<DscpState>({
  name: 'DSCP',
  modelled: true,
  options: [
    { name: 'set-dscp', arg: 'required', excl: ['set-dscp-class'] },
    { name: 'set-dscp-class', arg: 'required', excl: ['set-dscp'] },
  ],
  // xt_DSCP dscp_tg_reg: .table = "mangle".
  tables: ['mangle'],
  create: () => ({ dscp: 0 }),
  parse(s, call) {
    const arg = call.arg ?? '';
    s.dscp = call.name === 'set-dscp' ? parseXtUint('DSCP', call.name, arg, 0, 0x3f) : classToDscp(arg);
  },
  finalCheck(_s, ctx) {
    if (ctx.seen.size === 0) throw new ParamError('DSCP target: Parameter --set-dscp is required');
  },
  save: (s) => ` --set-dscp ${hex2(s.dscp)}`,
  print: (s) => ` DSCP set ${hex2(s.dscp)}`,
  // dscp_tg: the six DSCP bits replaced, the two ECN bits kept.
  applyTarget(s, pkt) {
    pkt.tos = (pkt.tos & 3) | (s.dscp << 2);
    return Verdict.CONTINUE;
  },
});
