/**
 * One connection: struct nf_conn as far as the replay needs it. The original tuple is what
 * the first packet carried, the reply tuple what an answer will carry (the inverse, or the
 * NAT-rewritten inverse). Entries are objects made once per connection; the per-packet
 * path only reads and updates their fields.
 */
import type { TcpConn } from './tcp.js';

/** enum ip_conntrack_status (include/uapi/linux/netfilter/nf_conntrack_common.h). */
export const Status = {
  EXPECTED: 1 << 0,
  SEEN_REPLY: 1 << 1,
  ASSURED: 1 << 2,
  CONFIRMED: 1 << 3,
  SRC_NAT: 1 << 4,
  DST_NAT: 1 << 5,
  SEQ_ADJUST: 1 << 6,
  SRC_NAT_DONE: 1 << 7,
  DST_NAT_DONE: 1 << 8,
  DYING: 1 << 9,
  FIXED_TIMEOUT: 1 << 10,
} as const;

/** enum ip_conntrack_info: what a packet is to its connection. */
export const CtInfo = {
  ESTABLISHED: 0,
  RELATED: 1,
  NEW: 2,
  IS_REPLY: 3,
  ESTABLISHED_REPLY: 3,
  RELATED_REPLY: 4,
  /** No entry: the packet is INVALID (or untracked, see PacketState.ctUntracked). */
  NONE: -1,
  UNTRACKED: 7,
} as const;

/** One direction's tuple: addresses, layer-4 identifiers and protocol. */
export class Tuple {
  src = 0;
  dst = 0;
  /** TCP/UDP source port; ICMP: the echo identifier; 0 for other protocols. */
  sport = 0;
  /** TCP/UDP destination port; ICMP: type << 8 | code; 0 for other protocols. */
  dport = 0;
  proto = 0;

  set(src: number, dst: number, sport: number, dport: number, proto: number): this {
    this.src = src | 0;
    this.dst = dst | 0;
    this.sport = sport;
    this.dport = dport;
    this.proto = proto;
    return this;
  }

  copy(t: Tuple): this {
    return this.set(t.src, t.dst, t.sport, t.dport, t.proto);
  }

  equals(t: Tuple): boolean {
    return this.src === t.src && this.dst === t.dst && this.sport === t.sport && this.dport === t.dport && this.proto === t.proto;
  }
}

/** ICMP query types and their answers (nf_ct_invert_tuple's invmap); other types have none. */
const ICMP_INVERSE: Readonly<Record<number, number>> = { 8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 17: 18, 18: 17 };

/**
 * nf_ct_invert_tuple(): `t` inverted into `out` (addresses and ports swapped, an ICMP query
 * type answered); false, leaving `out` alone, for an ICMP type that has no answer.
 */
export function invertTuple(out: Tuple, t: Tuple): boolean {
  if (t.proto === 1) {
    const type = ICMP_INVERSE[t.dport >>> 8];
    if (type === undefined) return false;
    out.set(t.dst, t.src, t.sport, (type << 8) | (t.dport & 0xff), t.proto);
    return true;
  }
  out.set(t.dst, t.src, t.dport, t.sport, t.proto);
  return true;
}

export class ConnEntry {
  /** [original, reply], each also the entry's place in the table's hash chains. */
  readonly tuple: [TupleHash, TupleHash] = [new TupleHash(this, 0), new TupleHash(this, 1)];
  status = 0;
  mark = 0;
  zone = 0;
  /** Capture time (ns since the first packet) at which the entry expires. */
  expiresNs = 0;
  /** Layer-4 tracking data: TCP's windows and state; UDP's stream timestamp (ns). */
  tcp: TcpConn | null = null;
  udpStreamNs = 0;
  /** The entry's number in creation order (what `conntrack -L -o id` would call its id). */
  id = 0;
  /** Packets and bytes per direction (nf_conntrack_acct), kept whatever the sysctl says. */
  readonly packets: [number, number] = [0, 0];
  readonly bytes: [number, number] = [0, 0];
  /** Neighbours in the table's confirmation-order list (table.ts). */
  older: ConnEntry | null = null;
  newer: ConnEntry | null = null;
  /** How many times the object was recycled: a stale reference to its earlier life can tell. */
  gen = 0;
  /** The capture second whose expiry sweep looks at this entry (table.ts). */
  dueSec = 0;
  /** Changes not yet reported as an [UPDATE] event, and the mark the last event showed. */
  eventPending = false;
  eventMark = 0;

  /** Back to a fresh entry, for reuse once the table let go of it. */
  reset(): void {
    this.status = this.mark = this.zone = this.expiresNs = this.udpStreamNs = this.id = this.eventMark = 0;
    this.eventPending = false;
    this.packets[0] = this.packets[1] = this.bytes[0] = this.bytes[1] = 0;
    this.tuple[0].next = this.tuple[1].next = null;
    this.older = this.newer = null;
    // The TCP data is reinitialised by tcpNew() before any use; the object is kept.
  }
}

/**
 * One tuple of an entry with its link in a table hash chain (struct nf_conntrack_tuple_hash:
 * the chain walk compares the tuple without going through the entry).
 */
export class TupleHash extends Tuple {
  next: TupleHash | null = null;
  constructor(
    readonly entry: ConnEntry,
    readonly dir: 0 | 1,
  ) {
    super();
  }
}
