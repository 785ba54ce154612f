/**
 * The connection table: confirmed entries, findable by either tuple (the kernel's two
 * tuplehash entries per nf_conn). Lookups take the tuple as numbers and report the
 * direction found in `foundDir`, so the per-packet path allocates nothing.
 *
 * Time is the capture's: an entry whose expiry has passed is gone for lookups (as
 * nf_ct_is_expired() makes __nf_conntrack_find_get() skip it) and is removed when found
 * or when `expire()` sweeps, reporting it to `onDestroy` with the time it expired.
 *
 * Entries are recycled: one the table has let go of (after `onDestroy`) is handed out
 * again by `alloc()`, so a capture of millions of short connections does not make
 * millions of objects for the garbage collector (bench/replay-conntrack.mjs: collection
 * was 18% of a tracked replay's time before). Whoever receives an entry in `onDestroy`
 * must copy what it keeps.
 */
import { ConnEntry, EntryStore, Status, type Tuple, type TupleHash } from './entry.js';

export class ConnTable {
  private buckets: (TupleHash | null)[];
  private mask: number;
  /**
   * Expiry schedule: per capture second, the entries due then when scheduled, as a list
   * through their dueNext/duePrev links (no array per second to grow and collect). An
   * entry refreshed since is rescheduled when its second comes up, so each is looked at
   * about once per timeout rather than at every sweep.
   */
  private readonly due = new Map<number, ConnEntry>();
  private nextDueSec = 0;
  /** Confirmation-order list of the entries (oldest first), and its length. */
  private oldest: ConnEntry | null = null;
  private newest: ConnEntry | null = null;
  /** The confirmed entries not ASSURED, in confirmation order: early drop's candidates. */
  private unassuredOldest: ConnEntry | null = null;
  private unassuredNewest: ConnEntry | null = null;
  private count = 0;
  private readonly free: ConnEntry[] = [];
  /** Where the entries' numbers are (entry.ts). */
  private readonly store = new EntryStore();
  /** Direction of the tuple the last successful find() matched: 0 original, 1 reply. */
  foundDir: 0 | 1 = 0;
  /** Most entries at once. */
  peak = 0;
  /** Entries confirmed so far (the kernel's new connections). */
  confirmed = 0;
  onDestroy: ((e: ConnEntry, atNs: number) => void) | undefined;
  /** An unconfirmed entry given back: its packet was dropped, no event (the kernel frees it silently). */
  onDiscard: ((e: ConnEntry) => void) | undefined;

  /** `buckets`: nf_conntrack_buckets (a power of two is used, at least that many). */
  constructor(buckets = 1024) {
    let size = 1024;
    while (size < buckets) size *= 2;
    this.buckets = new Array<TupleHash | null>(size).fill(null);
    this.mask = size - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Every entry in the table, oldest first (expired ones the sweep has not removed yet included). */
  get entries(): Iterable<ConnEntry> {
    const first = this.oldest;
    return {
      *[Symbol.iterator]() {
        for (let e = first; e !== null; e = e.newer) yield e;
      },
    };
  }

  /** The oldest confirmed entry that is not ASSURED (early drop's choice), or null. */
  get oldestUnassured(): ConnEntry | null {
    return this.unassuredOldest;
  }

  /** `e` has become ASSURED (or leaves the table): no longer an early-drop candidate. */
  leaveUnassured(e: ConnEntry): void {
    const { unassuredOlder: older, unassuredNewer: newer } = e;
    if (older === null && this.unassuredOldest !== e) return;
    if (older !== null) older.unassuredNewer = newer;
    else this.unassuredOldest = newer;
    if (newer !== null) newer.unassuredOlder = older;
    else this.unassuredNewest = older;
    e.unassuredOlder = e.unassuredNewer = null;
  }

  /** Entries not expired at `atNs` (a walk of the list, without the iterator's objects). */
  liveAt(atNs: number): number {
    let n = 0;
    for (let e = this.oldest; e !== null; e = e.newer) if (e.expiresNs > atNs) n++;
    return n;
  }

  /** A fresh entry (a recycled one when there is one). */
  alloc(): ConnEntry {
    const e = this.free.pop();
    if (e === undefined) return new ConnEntry(this.store);
    e.reset();
    return e;
  }

  /** Recycles an entry that never got confirmed (its first packet did not make it through). */
  discard(e: ConnEntry): void {
    if (e.status & (Status.CONFIRMED | Status.DYING)) return;
    e.status |= Status.DYING;
    this.onDiscard?.(e);
    e.gen++;
    this.free.push(e);
  }

  /** The live entry one of whose tuples is (src, dst, sport, dport, proto) in `zone`. */
  find(src: number, dst: number, sport: number, dport: number, proto: number, zone: number, nowNs: number): ConnEntry | undefined {
    src |= 0;
    dst |= 0;
    let n = this.buckets[hash(src, dst, sport, dport, proto, zone) & this.mask] ?? null;
    for (; n !== null; n = n.next) {
      if (n.src !== src || n.dst !== dst || n.sport !== sport || n.dport !== dport || n.proto !== proto) continue;
      const e = n.entry;
      if (e.zone !== zone) continue;
      if (e.expiresNs <= nowNs) {
        this.remove(e, e.expiresNs);
        return undefined;
      }
      this.foundDir = n.dir;
      return e;
    }
    return undefined;
  }

  findTuple(t: Tuple, zone: number, nowNs: number): ConnEntry | undefined {
    return this.find(t.src, t.dst, t.sport, t.dport, t.proto, zone, nowNs);
  }

  /** __nf_conntrack_confirm(): the entry becomes findable by both tuples. */
  insert(e: ConnEntry): void {
    e.status |= Status.CONFIRMED;
    this.link(e);
    e.older = this.newest;
    e.newer = null;
    if (this.newest !== null) this.newest.newer = e;
    else this.oldest = e;
    this.newest = e;
    if (!(e.status & Status.ASSURED)) {
      e.unassuredOlder = this.unassuredNewest;
      if (this.unassuredNewest !== null) this.unassuredNewest.unassuredNewer = e;
      else this.unassuredOldest = e;
      this.unassuredNewest = e;
    }
    this.count++;
    this.confirmed++;
    if (this.count > this.peak) this.peak = this.count;
    this.schedule(e);
    // Two chain nodes per entry: keep about one node per bucket.
    if (this.count * 2 > this.buckets.length) this.resize(this.buckets.length * 2);
  }

  /** Takes `e` out of the table (killed, or expired at `atNs`); it is recycled after `onDestroy`. */
  remove(e: ConnEntry, atNs: number): void {
    if (!(e.status & Status.CONFIRMED) || e.status & Status.DYING) return;
    for (const node of e.tuple) {
      const i = hash(node.src, node.dst, node.sport, node.dport, node.proto, e.zone) & this.mask;
      let p = this.buckets[i] ?? null;
      if (p === node) this.buckets[i] = node.next;
      else {
        while (p !== null && p.next !== node) p = p.next;
        if (p !== null) p.next = node.next;
      }
      node.next = null;
    }
    this.unschedule(e);
    if (e.older !== null) e.older.newer = e.newer;
    else this.oldest = e.newer;
    if (e.newer !== null) e.newer.older = e.older;
    else this.newest = e.older;
    this.leaveUnassured(e);
    this.count--;
    e.status |= Status.DYING;
    this.onDestroy?.(e, atNs);
    e.gen++;
    this.free.push(e);
  }

  /**
   * Sets an entry's expiry. A later one is found when its old second comes up; an earlier
   * one (ESTABLISHED's 5 days becoming TIME_WAIT's 2 minutes) is scheduled again now.
   */
  setExpiry(e: ConnEntry, ns: number): void {
    e.expiresNs = ns;
    // Not before the second it is due in (every refresh but a shortened timeout): nothing to
    // move. Compared in ns, sparing a division per packet: exact while that second's ns are
    // below 2^53 (104 days, as for PacketState.nowNs).
    if (ns >= e.dueSec * 1e9) return;
    if (e.status & Status.CONFIRMED && Math.max(this.nextDueSec, Math.floor(ns / 1e9)) < e.dueSec) this.schedule(e);
  }

  /** Removes every entry expired at `nowNs`, in expiry order. */
  expire(nowNs: number): void {
    const nowSec = Math.floor(nowNs / 1e9);
    let dead: ConnEntry[] | undefined;
    for (; this.nextDueSec <= nowSec; this.nextDueSec++) {
      let e = this.due.get(this.nextDueSec) ?? null;
      if (e === null) continue;
      this.due.delete(this.nextDueSec);
      while (e !== null) {
        const next: ConnEntry | null = e.dueNext;
        e.dueNext = e.duePrev = null;
        if (e.expiresNs <= nowNs) (dead ??= []).push(e);
        else this.schedule(e, this.nextDueSec + 1);
        e = next;
      }
    }
    if (dead === undefined) return;
    dead.sort((a, b) => a.expiresNs - b.expiresNs || a.id - b.id);
    for (const e of dead) this.remove(e, e.expiresNs);
  }

  /** Puts `e` in the list of the second its expiry falls in, not before second `earliest`. */
  private schedule(e: ConnEntry, earliest = this.nextDueSec): void {
    this.unschedule(e);
    const sec = Math.max(earliest, Math.floor(e.expiresNs / 1e9));
    e.dueSec = sec;
    const head = this.due.get(sec);
    e.dueNext = head ?? null;
    if (head !== undefined) head.duePrev = e;
    this.due.set(sec, e);
  }

  /** Takes `e` out of its second's list, if it is in one. */
  private unschedule(e: ConnEntry): void {
    const { duePrev: prev, dueNext: next } = e;
    if (prev !== null) prev.dueNext = next;
    else if (this.due.get(e.dueSec) === e) {
      if (next !== null) this.due.set(e.dueSec, next);
      else this.due.delete(e.dueSec);
    }
    if (next !== null) next.duePrev = prev;
    e.dueNext = e.duePrev = null;
  }

  private link(e: ConnEntry): void {
    for (const node of e.tuple) {
      const i = hash(node.src, node.dst, node.sport, node.dport, node.proto, e.zone) & this.mask;
      node.next = this.buckets[i] ?? null;
      this.buckets[i] = node;
    }
  }

  private resize(size: number): void {
    this.buckets = new Array<TupleHash | null>(size).fill(null);
    this.mask = size - 1;
    for (let e = this.oldest; e !== null; e = e.newer) this.link(e);
  }
}

/** A 32-bit mix of a tuple and zone (the kernel uses siphash; any good mix will do here). */
export function hash(src: number, dst: number, sport: number, dport: number, proto: number, zone: number): number {
  let h = Math.imul(src ^ 0x9e3779b9, 0x85ebca6b);
  h ^= Math.imul(dst ^ (h >>> 13), 0xc2b2ae35);
  h ^= Math.imul((sport << 16) ^ dport ^ (h >>> 16), 0x27d4eb2f);
  h ^= Math.imul(proto ^ (zone << 8) ^ (h >>> 15), 0x165667b1);
  return (h ^ (h >>> 16)) >>> 0;
}
