/**
 * CHECKSUM target (libxt_CHECKSUM / kernel xt_CHECKSUM): fills in the transport checksum
 * of a packet whose checksum was left for offloading (virtual NICs, DHCP replies to
 * guests). The kernel allows it only in the mangle table.
 */
import { Verdict } from '../../engine/packet.js';
import { defineTarget } from './types.js';

/** XT_CHECKSUM_OP_FILL */
export const CHECKSUM_OP_FILL = 0x01;

export interface ChecksumState {
  /** XT_CHECKSUM_OP_* bits. */
  operation: number;
}

export const CHECKSUM = defineTarget<ChecksumState>({
  name: 'CHECKSUM',
  modelled: true,
  tables: ['mangle'],
  options: [{ name: 'checksum-fill', arg: 'none', mandatory: true }],
  create: () => ({ operation: 0 }),
  parse(s) {
    s.operation = CHECKSUM_OP_FILL;
  },
  save: (s) => (s.operation & CHECKSUM_OP_FILL ? ' --checksum-fill' : ''),
  print: (s) => ' CHECKSUM' + (s.operation & CHECKSUM_OP_FILL ? ' fill' : ''),
  // checksum_tg completes a checksum left to the NIC: nothing a rule can observe.
  applyTarget: () => Verdict.CONTINUE,
});
