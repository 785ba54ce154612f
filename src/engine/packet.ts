/**
 * What matches and targets see of a packet while it traverses the hooks: the decoded
 * headers plus the kernel's per-packet state (sk_buff fields and xt_action_param). One
 * object per replay, overwritten for every packet, so the hot path allocates nothing.
 */
import { CtInfo, type ConnEntry } from '../conntrack/entry.js';
import type { PacketView } from '../decode/view.js';
import type { Hook, TableName } from '../rules/model.js';
import type { FragmentGeometry } from './reassembly.js';

/** Verdicts of a chain, a target or a rule, as small integers for the compiled code. */
export const Verdict = {
  /** XT_CONTINUE: go on with the next rule (non-terminating targets, no match). */
  CONTINUE: 0,
  ACCEPT: 1,
  DROP: 2,
  /** The chain ended (fell off its end or RETURN): the caller decides what follows. */
  RETURN: 3,
  /** NF_QUEUE: handed to user space; counted as leaving the path. */
  QUEUE: 4,
} as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

/** skb->pkt_type as the receiving host classifies the frame (PACKET_* in linux/if_packet.h). */
export const PktType = {
  HOST: 0,
  BROADCAST: 1,
  MULTICAST: 2,
  OTHERHOST: 3,
  OUTGOING: 4,
} as const;

export class PacketState {
  /** Decoded headers; offsets index into `data`. */
  view!: PacketView;
  data!: Uint8Array;
  /** 1-based packet number in the capture. */
  number = 0;
  /** Capture timestamp. */
  tsSec = 0;
  tsNsec = 0;
  /**
   * Nanoseconds since the first packet of the capture: the clock of limit, hashlimit,
   * recent (the kernel's jiffies), exact as a double for 104 days of capture.
   */
  nowNs = 0;
  hook: Hook = 'PREROUTING';
  table: TableName = 'filter';
  /** Input and output interface names; '' when the hook has none (OUTPUT has no input). */
  inIface = '';
  outIface = '';
  /** skb->mark (uint32), starts at 0 for every packet. */
  mark = 0;
  /** IP total length as the packet is now: rules count this (TCPMSS can grow it). */
  length = 0;
  pktType: number = PktType.HOST;
  /** Locally generated (OUTPUT path) rather than received. */
  local = false;
  /** Current TTL: ip_forward decrements it before the FORWARD hook; TTL targets change it. */
  ttl = 0;
  /** Current TOS byte (TOS/DSCP/ECN targets change it). */
  tos = 0;
  /** Current TCP MSS option value, -1 when none (TCPMSS changes or adds it). */
  tcpMss = -1;
  /**
   * A match found the packet too broken to evaluate and asked for it to be dropped
   * (xt_action_param.hotdrop, e.g. tcp_mt on a fragment at offset 1).
   */
  hotdrop = false;
  /** The packet's conntrack entry (skb->_nfct), null when it has none (INVALID or UNTRACKED). */
  ct: ConnEntry | null = null;
  /** What the packet is to `ct` (enum ip_conntrack_info, CtInfo): UNTRACKED after NOTRACK. */
  ctinfo: number = CtInfo.NONE;
  /** Zone the raw table's CT --zone gave the packet (the template's zone). */
  ctZone = 0;
  /**
   * Set when conntrack's defragmentation put the datagram together (IPCB frag_max_size and
   * the skb's frag_list): the fragments it came in, which ip_fragment sends it on as again.
   * Shared with the reassembler, valid while this packet is being replayed. Null otherwise.
   */
  defrag: FragmentGeometry | null = null;
  /** A datagram put together from fragments (by conntrack, or before local delivery). */
  reassembled = false;

  /** Ready for the next packet: per-packet kernel state back to its initial values. */
  resetFor(view: PacketView, data: Uint8Array): void {
    this.view = view;
    this.data = data;
    this.mark = 0;
    this.length = view.totalLength;
    this.inIface = '';
    this.outIface = '';
    this.pktType = PktType.HOST;
    this.local = false;
    this.ttl = view.ttl;
    this.tos = view.tos;
    this.tcpMss = view.tcpMss;
    this.hotdrop = false;
    this.ct = null;
    this.ctinfo = CtInfo.NONE;
    this.ctZone = 0;
    this.reassembled = false;
    this.defrag = null;
  }
}
