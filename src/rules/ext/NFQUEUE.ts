/**
 * NFQUEUE target, revision 3 (libxt_NFQUEUE / kernel xt_NFQUEUE): hands the packet to a
 * userspace program listening on a queue, or on one of a range of queues chosen by flow
 * hash (or by CPU with --queue-cpu-fanout); --queue-bypass accepts the packet when nobody
 * listens.
 */
import { ParamError } from '../errors.js';
import { parseXtUint, parseXtUintRange } from './common/numbers.js';
import { defineTarget } from './types.js';

/** NFQ_FLAG_* */
export const NFQ_FLAG = { BYPASS: 0x01, CPU_FANOUT: 0x02 } as const;

export interface NfqueueState {
  queuenum: number;
  /** __u16 in struct xt_NFQ_info_v3: a 65536-queue range wraps to 0, which the kernel refuses. */
  queuesTotal: number;
  /** NFQ_FLAG bits. */
  flags: number;
}

/** NFQUEUE_save_v3 / NFQUEUE_print_v3 share the words; only the option prefixes differ. */
function queueText(s: NfqueueState, save: boolean): string {
  let out: string;
  if (s.queuesTotal > 1) {
    const last = s.queuenum + s.queuesTotal - 1;
    out = save ? ` --queue-balance ${s.queuenum}:${last}` : ` NFQUEUE balance ${s.queuenum}:${last}`;
  } else {
    out = save ? ` --queue-num ${s.queuenum}` : ` NFQUEUE num ${s.queuenum}`;
  }
  if (s.flags & NFQ_FLAG.BYPASS) out += save ? ' --queue-bypass' : ' bypass';
  if (s.flags & NFQ_FLAG.CPU_FANOUT) out += save ? ' --queue-cpu-fanout' : ' cpu-fanout';
  return out;
}

export const NFQUEUE = defineTarget<NfqueueState>({
  name: 'NFQUEUE',
  modelled: false,
  needs: 'queue',
  options: [
    { name: 'queue-num', arg: 'required', excl: ['queue-balance'] },
    { name: 'queue-balance', arg: 'required', excl: ['queue-num'] },
    { name: 'queue-bypass', arg: 'none' },
    { name: 'queue-cpu-fanout', arg: 'none', also: ['queue-balance'] },
  ],
  create: () => ({ queuenum: 0, queuesTotal: 1, flags: 0 }),
  parse(s, call) {
    const arg = call.arg ?? '';
    switch (call.name) {
      case 'queue-num':
        s.queuenum = parseXtUint('NFQUEUE', call.name, arg, 0, 0xffff);
        return;
      case 'queue-balance': {
        // 1.8.9 ignores the option's own maximum (65534) and checks against the type's.
        const r = parseXtUintRange('NFQUEUE', call.name, arg, 0xffff);
        if (r.length !== 2) throw new ParamError(`Bad range "${arg}"`);
        if (r[0] >= r[1]) throw new ParamError(`${r[0]} should be less than ${r[1]}`);
        s.queuenum = r[0];
        s.queuesTotal = (r[1] - r[0] + 1) & 0xffff;
        return;
      }
      case 'queue-bypass':
        s.flags |= NFQ_FLAG.BYPASS;
        return;
      case 'queue-cpu-fanout':
        s.flags |= NFQ_FLAG.CPU_FANOUT;
        return;
    }
  },
  /** nfqueue_tg_check: a non-empty range that stays within the 16-bit queue numbers. */
  kernelCheck(s) {
    if (s.queuesTotal === 0) return 'NFQUEUE: number of total queues is 0';
    if (s.queuenum + s.queuesTotal - 1 > 0xffff) return `NFQUEUE: number of queues (${s.queuesTotal}) out of range`;
    return undefined;
  },
  save: (s) => queueText(s, true),
  print: (s) => queueText(s, false),
});
