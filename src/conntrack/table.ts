/**
 * The connection table: confirmed entries, findable by either tuple (the kernel's two
 * tuplehash entries per nf_conn). Lookups take the tuple as numbers and report the
 * direction found in `foundDir`, so the per-packet path allocates nothing.
 *
 * Time is the capture's: an entry whose expiry has passed is gone for lookups (as
 * nf_ct_is_expired() makes __nf_conntrack_find_get() skip it) and is removed when found
 * or when `expire()` sweeps, reporting it to `onDestroy` with the time it expired.
 */
import { ConnEntry, Status, type Tuple, type TupleNode } from './entry.js';

export class ConnTable {
  private buckets: (TupleNode | null)[] = new Array<TupleNode | null>(1024).fill(null);
  private mask = 1023;
  /** Every confirmed entry, in confirmation order (what listings walk). */
  readonly entries = new Set<ConnEntry>();
  /** Direction of the tuple the last successful find() matched: 0 original, 1 reply. */
  foundDir: 0 | 1 = 0;
  /** Most entries at once. */
  peak = 0;
  onDestroy: ((e: ConnEntry, atNs: number) => void) | undefined;

  get size(): number {
    return this.entries.size;
  }

  /** The live entry one of whose tuples is (src, dst, sport, dport, proto) in `zone`. */
  find(src: number, dst: number, sport: number, dport: number, proto: number, zone: number, nowNs: number): ConnEntry | undefined {
    src |= 0;
    dst |= 0;
    let n = this.buckets[hash(src, dst, sport, dport, proto, zone) & this.mask] ?? null;
    for (; n !== null; n = n.next) {
      const e = n.entry;
      const t = e.tuple[n.dir];
      if (t.src !== src || t.dst !== dst || t.sport !== sport || t.dport !== dport || t.proto !== proto || e.zone !== zone) continue;
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
    this.entries.add(e);
    if (this.entries.size > this.peak) this.peak = this.entries.size;
    if (this.entries.size > this.buckets.length) this.resize(this.buckets.length * 2);
  }

  /** Takes `e` out of the table (killed, or expired at `atNs`). */
  remove(e: ConnEntry, atNs: number): void {
    if (!this.entries.delete(e)) return;
    for (const node of e.nodes) {
      const t = e.tuple[node.dir];
      const i = hash(t.src, t.dst, t.sport, t.dport, t.proto, e.zone) & this.mask;
      let p = this.buckets[i] ?? null;
      if (p === node) this.buckets[i] = node.next;
      else {
        while (p !== null && p.next !== node) p = p.next;
        if (p !== null) p.next = node.next;
      }
      node.next = null;
    }
    e.status |= Status.DYING;
    this.onDestroy?.(e, atNs);
  }

  /** Removes every entry expired at `nowNs`, in expiry order. */
  expire(nowNs: number): void {
    const dead: ConnEntry[] = [];
    for (const e of this.entries) if (e.expiresNs <= nowNs) dead.push(e);
    dead.sort((a, b) => a.expiresNs - b.expiresNs || a.id - b.id);
    for (const e of dead) this.remove(e, e.expiresNs);
  }

  private link(e: ConnEntry): void {
    for (const node of e.nodes) {
      const t = e.tuple[node.dir];
      const i = hash(t.src, t.dst, t.sport, t.dport, t.proto, e.zone) & this.mask;
      node.next = this.buckets[i] ?? null;
      this.buckets[i] = node;
    }
  }

  private resize(size: number): void {
    this.buckets = new Array<TupleNode | null>(size).fill(null);
    this.mask = size - 1;
    for (const e of this.entries) this.link(e);
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
