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

/**
 * The kernel's cached conntrack events (enum ip_conntrack_events) that change what an
 * event line shows: any of them makes the next packet through the confirmation hook
 * deliver an [UPDATE]; ctnetlink_conntrack_event() puts the TCP state in it only with
 * IPCT_PROTOINFO, and a zero mark only with IPCT_MARK.
 */
export const CtEvent = {
  /** IPCT_REPLY, IPCT_ASSURED: shown through the status flags. */
  STATUS: 1 << 0,
  /** IPCT_PROTOINFO: the TCP state changed. */
  PROTOINFO: 1 << 1,
  /** IPCT_MARK: CONNMARK gave the entry another mark. */
  MARK: 1 << 2,
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

/**
 * An entry's numbers that are not small integers, in its record of an EntryStore: as object
 * fields each would be a heap number of its own (another object for the collector to copy
 * and another cache miss per packet). Doubles from the record's start; its TCP window data
 * (TcpConn's uint32s) from uint32 word RECORD_TCP_WORD, so that a packet reads one record.
 */
const EXPIRES = 0, UDP_STREAM = 1, PACKETS = 2, BYTES = 4, DOUBLES = 6;
/** Where the record's TCP uint32s start, after the doubles (tcp.ts's 15 fit in the record). */
export const RECORD_TCP_WORD = 2 * DOUBLES;
/** A record's size in doubles: 128 bytes. */
const RECORD_DOUBLES = 16;

/** The records of one table's entries, in chunks (entries are recycled with their record). */
export class EntryStore {
  private doubles = new Float64Array(0);
  private words = new Uint32Array(0);
  private used = 0;

  constructor(private readonly perChunk = 1024) {}

  /** Gives `e` the next free record. */
  place(e: ConnEntry): void {
    if (this.used === this.doubles.length) {
      this.doubles = new Float64Array(this.perChunk * RECORD_DOUBLES);
      this.words = new Uint32Array(this.doubles.buffer);
      this.used = 0;
    }
    e.nums = this.doubles;
    e.words = this.words;
    e.at = this.used;
    this.used += RECORD_DOUBLES;
  }
}

export class ConnEntry {
  /** [original, reply], each also the entry's place in the table's hash chains. */
  readonly tuple: [TupleHash, TupleHash] = [new TupleHash(this, 0), new TupleHash(this, 1)];
  status = 0;
  mark = 0;
  zone = 0;
  /** Layer-4 tracking data: TCP's windows and state (its numbers in this entry's record). */
  tcp: TcpConn | null = null;
  /** The entry's number in creation order (what `conntrack -L -o id` would call its id). */
  id = 0;
  /** Neighbours in the table's confirmation-order list (table.ts). */
  older: ConnEntry | null = null;
  newer: ConnEntry | null = null;
  /** Neighbours in the table's list of confirmed entries not yet ASSURED, in the same order (table.ts). */
  unassuredOlder: ConnEntry | null = null;
  unassuredNewer: ConnEntry | null = null;
  /** How many times the object was recycled: a stale reference to its earlier life can tell. */
  gen = 0;
  /** The capture second whose expiry sweep looks at this entry, and its neighbours in that second's list (table.ts). */
  dueSec = 0;
  dueNext: ConnEntry | null = null;
  duePrev: ConnEntry | null = null;
  /** Neighbours among the source-mapped entries of its source's hash (nat.ts bySource). */
  srcNext: ConnEntry | null = null;
  srcPrev: ConnEntry | null = null;
  /** The CtEvent bits cached since the entry's last [NEW] or [UPDATE] (the kernel's ecache). */
  events = 0;
  /** The entry's record (EntryStore): its doubles from `at`, its uint32s from 2 * at. */
  nums!: Float64Array;
  words!: Uint32Array;
  at = 0;

  /** `store`: where its numbers go (a record of its own by default). */
  constructor(store: EntryStore = new EntryStore(1)) {
    store.place(this);
  }

  /** Capture time (ns since the first packet) at which the entry expires. */
  get expiresNs(): number {
    return this.nums[this.at + EXPIRES]!;
  }

  set expiresNs(ns: number) {
    this.nums[this.at + EXPIRES] = ns;
  }

  /** UDP: capture time after which two-way traffic makes the entry a stream (ns). */
  get udpStreamNs(): number {
    return this.nums[this.at + UDP_STREAM]!;
  }

  set udpStreamNs(ns: number) {
    this.nums[this.at + UDP_STREAM] = ns;
  }

  /** Packets and bytes per direction (nf_conntrack_acct), kept whatever the sysctl says. */
  packets(dir: 0 | 1): number {
    return this.nums[this.at + PACKETS + dir]!;
  }

  bytes(dir: 0 | 1): number {
    return this.nums[this.at + BYTES + dir]!;
  }

  /** nf_ct_acct_update(): one more packet of `length` bytes in direction `dir`. */
  count(dir: 0 | 1, length: number): void {
    this.nums[this.at + PACKETS + dir]!++;
    this.nums[this.at + BYTES + dir]! += length;
  }

  /** Back to a fresh entry, for reuse once the table let go of it. */
  reset(): void {
    this.status = this.mark = this.zone = this.id = this.events = 0;
    this.nums.fill(0, this.at, this.at + DOUBLES);
    this.tuple[0].next = this.tuple[1].next = null;
    this.older = this.newer = this.dueNext = this.duePrev = this.srcNext = this.srcPrev = null;
    this.unassuredOlder = this.unassuredNewer = null;
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
