/**
 * AUDIT target (libxt_AUDIT / kernel xt_AUDIT): writes an audit record for the packet;
 * the type only labels the record and the packet continues.
 */
import { Verdict } from '../../engine/packet.js';
import { ParamError } from '../errors.js';
import { defineTarget } from './types.js';

/** XT_AUDIT_TYPE_* by position. */
const AUDIT_TYPES = ['accept', 'drop', 'reject'] as const;

export interface AuditState {
  /** Index into accept/drop/reject (XT_AUDIT_TYPE_ACCEPT = 0). */
  type: number;
}

export const AUDIT = defineTarget<AuditState>({
  name: 'AUDIT',
  modelled: true,
  options: [{ name: 'type', arg: 'required', mandatory: true }],
  create: () => ({ type: 0 }),
  parse(s, call) {
    const arg = call.arg ?? '';
    const type = AUDIT_TYPES.indexOf(arg.toLowerCase() as (typeof AUDIT_TYPES)[number]);
    if (type < 0) throw new ParamError(`Bad action type value "${arg}"`);
    s.type = type;
  },
  save: (s) => ` --type ${AUDIT_TYPES[s.type]}`,
  print: (s) => ` AUDIT ${AUDIT_TYPES[s.type]}`,
  // audit_tg: an audit record (not written by the replay), and the packet goes on.
  applyTarget(_s, _pkt, rt) {
    rt.note('audit');
    return Verdict.CONTINUE;
  },
});
