/**
 * A direct-mapped cache of path decisions. A capture is made of conversations: the same
 * (source, destination, arrival metadata) comes back packet after packet, and the decision
 * depends on nothing else, so the routing lookups, source validation and interface
 * resolution of PathClassifier are done once per distinct key rather than per packet
 * (bench/replay.mjs: they were about a fifth of an empty ruleset's replay time).
 *
 * The key is every input the decision reads: source and destination, the capture interface
 * id, direction and link-layer packet type, the SLL2 ifindex, the destination MAC (it gives
 * skb->pkt_type), and whether the packet is IGMP (a 0.0.0.0 source is acceptable for it).
 * Slots hold copies of decisions, made when the slot is filled: a hit allocates nothing.
 */
import type { PacketView } from '../decode/view.js';
import type { PathDecision } from './path.js';

const IPPROTO_IGMP = 2;

export class DecisionCache {
  private readonly mask: number;
  /** Per slot: src, dst, meta, ifindex. */
  private readonly keys: Int32Array;
  private readonly macs: Float64Array;
  private readonly filled: Uint8Array;
  private readonly slots: PathDecision[];

  constructor(bits = 12) {
    const size = 1 << bits;
    this.mask = size - 1;
    this.keys = new Int32Array(size * 4);
    this.macs = new Float64Array(size);
    this.filled = new Uint8Array(size);
    this.slots = [];
    for (let i = 0; i < size; i++) this.slots.push(blankDecision());
  }

  /** The packed metadata word of the key. */
  static meta(view: PacketView, interfaceId: number): number {
    return (
      ((interfaceId + 1) & 0xffff) |
      (view.direction << 16) |
      (((view.pktType + 1) & 0xf) << 18) |
      ((view.protocol === IPPROTO_IGMP ? 1 : 0) << 22)
    );
  }

  /** The slot index for a key (whether or not it holds that key). */
  slot(src: number, dst: number, meta: number): number {
    const h = Math.imul(src, 0x9e3779b1) ^ Math.imul(dst ^ (dst >>> 15), 0x85ebca6b) ^ Math.imul(meta, 0xc2b2ae35);
    return (h ^ (h >>> 16)) & this.mask;
  }

  /** The cached decision in `slot` if it is for this key, else undefined. */
  get(slot: number, src: number, dst: number, meta: number, ifindex: number, mac: number): PathDecision | undefined {
    const k = slot << 2;
    const keys = this.keys;
    if (this.filled[slot] === 1 && keys[k] === src && keys[k + 1] === dst && keys[k + 2] === meta && keys[k + 3] === ifindex && this.macs[slot] === mac)
      return this.slots[slot];
    return undefined;
  }

  /** Stores a copy of `d` for the key; returns the copy. */
  put(slot: number, src: number, dst: number, meta: number, ifindex: number, mac: number, d: PathDecision): PathDecision {
    const k = slot << 2;
    this.keys[k] = src;
    this.keys[k + 1] = dst;
    this.keys[k + 2] = meta;
    this.keys[k + 3] = ifindex;
    this.macs[slot] = mac;
    this.filled[slot] = 1;
    const s = this.slots[slot]!;
    s.kind = d.kind;
    s.inIface = d.inIface;
    s.outIface = d.outIface;
    s.deliver = d.deliver;
    s.pktType = d.pktType;
    s.placedBy = d.placedBy;
    s.reason = d.reason;
    s.route = d.route;
    s.nextHop = d.nextHop;
    s.loopback = d.loopback;
    return s;
  }
}

export function blankDecision(): PathDecision {
  return {
    kind: 'unroutable',
    inIface: '',
    outIface: '',
    deliver: 'none',
    pktType: 0,
    placedBy: 'none',
    reason: '',
    route: undefined,
    nextHop: 0,
    loopback: false,
  };
}
