/**
 * ECN target (libipt_ECN / kernel ipt_ECN): sets or clears the ECE and CWR bits of the
 * TCP header and/or sets the ECT codepoint of the IP header. The kernel allows it only
 * in the mangle table, and the TCP operations only for -p tcp.
 */
import { csumReplace16 } from '../../capture/rewrite.js';
import { Verdict, type PacketState } from '../../engine/packet.js';
import { ParamError } from '../errors.js';
import { Header, header, thoff } from './common/header.js';
import { parseXtUint } from './common/numbers.js';
import { defineTarget } from './types.js';

/** IPT_ECN_OP_* */
export const ECN_OP = { SET_IP: 0x01, SET_ECE: 0x10, SET_CWR: 0x20 } as const;

export interface EcnTargetState {
  /** ECN_OP bits. */
  operation: number;
  ipEct: number;
  ece: number;
  cwr: number;
}

/**
 * set_ect_tcp (ipt_ECN.c), once the 20 header bytes are known to be captured: when ECE or
 * CWR differ from what the rule sets, the flags byte is rewritten in place and the TCP
 * checksum adjusted for the 16-bit word holding it (inet_proto_csum_replace2), so every
 * later rule, table and hook reads the new flags: the tcp match through the view, the ecn
 * match, LOG and NFLOG from the bytes (the record's bytes in the capture buffer, each
 * replayed once). Like the kernel it writes at the IP header length
 * whatever the fragment offset (a later fragment's payload); only a header the view
 * decoded (tcpFlags >= 0) is the same bytes as the view's fields.
 */
function setEctTcp(s: EcnTargetState, pkt: PacketState): void {
  const d = pkt.data;
  const at = pkt.view.l3Offset + thoff(pkt.view) + 12;
  const old = d[at + 1]!;
  let flags = old;
  if (s.operation & ECN_OP.SET_ECE) flags = (flags & ~0x40) | (s.ece << 6);
  if (s.operation & ECN_OP.SET_CWR) flags = (flags & ~0x80) | (s.cwr << 7);
  if (flags === old) return;
  const word = d[at]! << 8;
  const check = csumReplace16((d[at + 4]! << 8) | d[at + 5]!, word | old, word | flags);
  d[at + 1] = flags;
  d[at + 4] = check >>> 8;
  d[at + 5] = check & 0xff;
  if (pkt.view.tcpFlags >= 0) {
    pkt.view.tcpFlags = flags;
    pkt.view.l4Checksum = check;
  }
}

/** ECN_print / ECN_save: clearing both TCP bits and nothing else reads as "remove". */
function isRemove(s: EcnTargetState): boolean {
  return s.operation === (ECN_OP.SET_ECE | ECN_OP.SET_CWR) && s.ece === 0 && s.cwr === 0;
}

export const ECN = defineTarget<EcnTargetState>({
  name: 'ECN',
  modelled: true,
  tables: ['mangle'],
  options: [
    { name: 'ecn-tcp-remove', arg: 'none', excl: ['ecn-tcp-cwr', 'ecn-tcp-ece'] },
    { name: 'ecn-tcp-cwr', arg: 'required', excl: ['ecn-tcp-remove'] },
    { name: 'ecn-tcp-ece', arg: 'required', excl: ['ecn-tcp-remove'] },
    { name: 'ecn-ip-ect', arg: 'required' },
  ],
  create: () => ({ operation: 0, ipEct: 0, ece: 0, cwr: 0 }),
  parse(s, call) {
    const arg = call.arg ?? '';
    switch (call.name) {
      case 'ecn-tcp-remove':
        s.operation = ECN_OP.SET_ECE | ECN_OP.SET_CWR;
        s.ece = 0;
        s.cwr = 0;
        return;
      case 'ecn-tcp-cwr':
        s.cwr = parseXtUint('ECN', call.name, arg, 0, 1);
        s.operation |= ECN_OP.SET_CWR;
        return;
      case 'ecn-tcp-ece':
        s.ece = parseXtUint('ECN', call.name, arg, 0, 1);
        s.operation |= ECN_OP.SET_ECE;
        return;
      case 'ecn-ip-ect':
        s.ipEct = parseXtUint('ECN', call.name, arg, 0, 3);
        s.operation |= ECN_OP.SET_IP;
        return;
    }
  },
  finalCheck(_s, ctx) {
    if (ctx.seen.size === 0) throw new ParamError('ECN target: An operation is required');
  },
  /** ecn_tg_check: TCP bits can only be changed in TCP packets. */
  kernelCheck(s, ctx) {
    if (s.operation & (ECN_OP.SET_ECE | ECN_OP.SET_CWR) && (ctx.ip.proto !== 6 || ctx.ip.invProto)) {
      return 'ECN target: cannot use TCP operations on a non-tcp rule';
    }
    return undefined;
  },
  save(s) {
    if (isRemove(s)) return ' --ecn-tcp-remove';
    let out = '';
    if (s.operation & ECN_OP.SET_ECE) out += ` --ecn-tcp-ece ${s.ece}`;
    if (s.operation & ECN_OP.SET_CWR) out += ` --ecn-tcp-cwr ${s.cwr}`;
    if (s.operation & ECN_OP.SET_IP) out += ` --ecn-ip-ect ${s.ipEct}`;
    return out;
  },
  print(s) {
    if (isRemove(s)) return ' ECN TCP remove';
    let out = ' ECN';
    if (s.operation & ECN_OP.SET_ECE) out += ` ECE=${s.ece}`;
    if (s.operation & ECN_OP.SET_CWR) out += ` CWR=${s.cwr}`;
    if (s.operation & ECN_OP.SET_IP) out += ` ECT codepoint=${s.ipEct}`;
    return out;
  },
  /**
   * ecn_tg (ipt_ECN.c): set_ect_ip (the ECN bits of the TOS byte), then for a TCP packet
   * set_ect_tcp, which reads the header at thoff whatever the fragment offset and drops
   * the packet when the 20 bytes are not there.
   */
  applyTarget(s, pkt, rt) {
    const v = pkt.view;
    if (s.operation & ECN_OP.SET_IP) pkt.tos = (pkt.tos & ~3) | s.ipEct;
    if (s.operation & (ECN_OP.SET_ECE | ECN_OP.SET_CWR) && v.protocol === 6) {
      const h = header(v, thoff(v), 20);
      if (h === Header.SHORT) return Verdict.DROP;
      if (h === Header.CUT) {
        rt.note('ecn.unknown');
        return Verdict.CONTINUE;
      }
      setEctTcp(s, pkt);
    }
    return Verdict.CONTINUE;
  },
});
