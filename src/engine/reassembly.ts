/**
 * IPv4 reassembly as the kernel does it (net/ipv4/ip_fragment.c ip_defrag, inet_fragment.c):
 * with conntrack in use, nf_defrag_ipv4 gathers fragments before the raw table (users
 * IP_DEFRAG_CONNTRACK_IN at PREROUTING, _OUT at OUTPUT); without, ip_local_deliver gathers
 * them before LOCAL_IN (IP_DEFRAG_LOCAL_DELIVER), every fragment having crossed
 * PREROUTING alone. A datagram comes out once, when its last missing piece arrives.
 *
 * ip_frag_queue's rules are kept: a fragment with MF has its end cut to a multiple of 8; a
 * last fragment that ends before data already queued, or a second last fragment with
 * another end, or data beyond a known end, or an empty fragment kills the queue; a
 * fragment overlapping another (inet_frag_queue_insert: not wholly inside one run of
 * adjacent fragments) kills it too, one wholly inside a run is a duplicate and only itself
 * dropped. ip_frag_too_far: more than net.ipv4.ipfrag_max_dist fragments from the same
 * source between two of a queue's restart it (ip_frag_reinit, whose timer restarts).
 * Queues expire net.ipv4.ipfrag_time after they were created, on the capture's clock. At
 * completion (ip_frag_reasm) the ECN bits of the fragments combine (RFC 3168 5.3: CE with
 * ECT gives CE, not-ECT with ECT or CE drops the datagram), a datagram over 65535 bytes is
 * dropped, and the header is the first fragment's with the total length, the TOS, DF set
 * only when the largest fragment had DF (IPSKB_FRAG_PMTU), the rest of the fragment field
 * cleared and the checksum recomputed.
 *
 * Conntrack's reassembly keeps the fragments apart (no coalescing: the skb's frag_list),
 * so the datagram can leave as the same fragments again (ip_do_fragment's fast path);
 * `geometry` says what they were: each fragment's payload size in offset order,
 * frag_max_size (the largest fragment's length) and IPSKB_FRAG_PMTU.
 *
 * Only fragmented packets allocate here, never per fragment more than the queue's bytes
 * need: a queue holds its captured bytes in one buffer (grown when a fragment lands beyond
 * it) and its fragments and runs in two flat number arrays; the completed datagram's view
 * and geometry are reused.
 */
import { decode, DecodeEvents, PacketView } from '../decode/index.js';
import type { PacketState } from './packet.js';

/** ip_defrag's `user`: fragments are gathered in separate queues per user. */
export const DefragUser = {
  CONNTRACK_IN: 'i',
  CONNTRACK_OUT: 'o',
  LOCAL_DELIVER: 'l',
} as const;
export type DefragUser = (typeof DefragUser)[keyof typeof DefragUser];

/** What a datagram reassembled from fragments keeps of them (skb frag_list and IPCB). */
export class FragmentGeometry {
  /** Payload bytes of each fragment, in offset order (the head, then frag_list); `count` are valid. */
  readonly sizes: number[] = [];
  count = 0;
  /** IPCB(skb)->frag_max_size: the largest fragment's length, header included (after the MF trim). */
  maxSize = 0;
  /** IPSKB_FRAG_PMTU: the largest fragment had DF, so the datagram carries DF. */
  pmtu = false;
}

export interface ReassemblyOptions {
  /** net.ipv4.ipfrag_time in seconds (default 30). */
  timeSeconds?: number;
  /** net.ipv4.ipfrag_max_dist (default 64; 0 turns the check off). */
  maxDist?: number;
}

/** Room before the payload for the longest IPv4 header: the first fragment's header goes right before it. */
const HDR = 60;
const MAX_CAPACITY = HDR + 65535;
const FIRST_IN = 1;
const LAST_IN = 2;
const INSERT_OK = 0;
const INSERT_DUP = 1;
const INSERT_OVERLAP = 2;

interface Queue {
  /** The first fragment's header at [HDR - ihl, HDR), payload byte n at HDR + n (what was captured of it). */
  buf: Uint8Array;
  /** Header length of the first fragment (0 until it arrives). */
  ihl: number;
  /** Per fragment queued: start, end (payload offsets), end of its captured bytes. */
  frags: number[];
  /** inet_frag_queue_insert's runs of adjacent fragments: start, end pairs. */
  runs: number[];
  /** Index (pair number) in `runs` of the run holding the fragment that ends last (fragments_tail). */
  lastRun: number;
  /** End of fragments_tail, -1 when the queue is empty. */
  tailEnd: number;
  /** q.len: the datagram's payload length as known so far. */
  len: number;
  flags: number;
  /** q.meat: payload bytes queued. */
  meat: number;
  /** q.max_size and max_df_size: the largest fragment, and the largest with DF. */
  maxSize: number;
  maxDfSize: number;
  /** OR of 1 << (tos & 3) over the fragments (ip4_frag_ecn). */
  ecn: number;
  /** The peer's fragment count when this queue last got one (qp->rid). */
  rid: number;
  startedNs: number;
}

export class Reassembly {
  private readonly queues = new Map<string, Queue>();
  /** inet_peer rid per source address: fragments seen from it (ip_frag_too_far). */
  private readonly peerRid = new Map<number, number>();
  /** The bytes the last completed datagram's view points into. */
  data: Uint8Array = new Uint8Array(0);
  /** The last completed datagram's fragments (reused: valid until the next completes). */
  readonly geometry = new FragmentGeometry();
  private readonly view = new PacketView();
  private readonly events = new DecodeEvents();
  private readonly timeNs: number;
  private readonly maxDist: number;

  constructor(opts: ReassemblyOptions = {}) {
    this.timeNs = (opts.timeSeconds ?? 30) * 1e9;
    this.maxDist = opts.maxDist ?? 64;
  }

  /**
   * Adds a fragment; returns a view of the whole datagram (its header as ip_frag_reasm
   * leaves it) when it is complete, with `data` and `geometry` describing it. Undefined
   * while the datagram is incomplete and when the fragment or its queue was dropped.
   * `capEnd` is where the fragment's captured bytes end in `pkt.data` (its record's offset
   * plus caplen).
   */
  add(view: PacketView, pkt: PacketState, user: DefragUser, capEnd: number): PacketView | undefined {
    const now = pkt.nowNs;
    this.expire(now);
    const key = `${user}${view.srcAddr}>${view.dstAddr}/${view.protocol}#${view.ipId}`;
    let q = this.queues.get(key);
    if (!q) {
      q = {
        buf: new Uint8Array(0),
        ihl: 0,
        frags: [],
        runs: [],
        lastRun: -1,
        tailEnd: -1,
        len: 0,
        flags: 0,
        meat: 0,
        maxSize: 0,
        maxDfSize: 0,
        ecn: 0,
        rid: 0,
        startedNs: now,
      };
      this.queues.set(key, q);
    }
    // ip_frag_too_far: other fragments from this source since this queue's last one.
    if (this.maxDist > 0) {
      const start = q.rid;
      const end = (this.peerRid.get(view.srcAddr) ?? 0) + 1;
      this.peerRid.set(view.srcAddr, end);
      q.rid = end;
      if (q.tailEnd >= 0 && end - start > this.maxDist) reinit(q, now);
    }
    const ihl = view.ihl * 4;
    const offset = view.fragOffset;
    let end = offset + view.totalLength - ihl;
    if (!view.mf) {
      if (end < q.len || (q.flags & LAST_IN && end !== q.len)) return this.kill(key);
      q.flags |= LAST_IN;
      q.len = end;
    } else {
      end &= ~7;
      if (end > q.len) {
        if (q.flags & LAST_IN) return this.kill(key);
        q.len = end;
      }
    }
    if (end <= offset) return this.kill(key);
    const inserted = insert(q, offset, end);
    if (inserted === INSERT_DUP) return undefined;
    if (inserted === INSERT_OVERLAP) return this.kill(key);

    // The bytes: what the capture holds of this fragment's payload (and the first's header).
    const l3 = view.l3Offset;
    const captured = Math.max(0, Math.min(end - offset, capEnd - l3 - ihl));
    if (end <= 65535 - 20) {
      ensure(q, end);
      q.buf.set(pkt.data.subarray(l3 + ihl, l3 + ihl + captured), HDR + offset);
    }
    if (offset === 0) {
      q.buf.set(pkt.data.subarray(l3, l3 + ihl), HDR - ihl);
      q.ihl = ihl;
      q.flags |= FIRST_IN;
    }
    q.frags.push(offset, end, offset + captured);
    q.meat += end - offset;
    q.ecn |= 1 << (view.tos & 3);
    const fragsize = end - offset + ihl;
    if (fragsize > q.maxSize) q.maxSize = fragsize;
    if (view.df && fragsize > q.maxDfSize) q.maxDfSize = fragsize;
    if (q.flags !== (FIRST_IN | LAST_IN) || q.meat !== q.len) return undefined;
    return this.reassemble(key, q);
  }

  /** ip_frag_reasm. */
  private reassemble(key: string, q: Queue): PacketView | undefined {
    this.queues.delete(key);
    const ecn = ECN_TABLE[q.ecn]!;
    if (ecn === 0xff) return undefined;
    const ihl = q.ihl;
    const total = ihl + q.len;
    if (total > 65535) return undefined;
    const b = q.buf;
    const ip = HDR - ihl;
    const pmtu = q.maxDfSize === q.maxSize;
    b[ip + 1] = b[ip + 1]! | ecn;
    b[ip + 2] = total >>> 8;
    b[ip + 3] = total & 0xff;
    b[ip + 6] = pmtu ? 0x40 : 0;
    b[ip + 7] = 0;
    b[ip + 10] = 0;
    b[ip + 11] = 0;
    const check = headerChecksum(b, ip, ihl);
    b[ip + 10] = check >>> 8;
    b[ip + 11] = check & 0xff;

    // The fragments in offset order (they neither overlap nor leave holes now).
    const f = q.frags;
    const n = f.length / 3;
    const order = sortByStart(f, n);
    const g = this.geometry;
    g.count = n;
    g.maxSize = q.maxSize;
    g.pmtu = pmtu;
    // What the capture holds of the datagram: up to the first fragment it did not hold whole.
    let prefix = q.len;
    for (let i = 0; i < n; i++) {
      const at = order[i]! * 3;
      g.sizes[i] = f[at + 1]! - f[at]!;
      if (prefix === q.len && f[at + 2]! < f[at + 1]!) prefix = f[at + 2]!;
    }
    if (b.length < HDR + prefix) prefix = Math.max(0, b.length - HDR);
    this.data = b.subarray(0, HDR + prefix);
    decode(
      { number: 0, data: this.data, offset: ip, caplen: ihl + prefix, origlen: total, tsSec: 0, tsNsec: 0, linktype: 228, interfaceId: -1, direction: 0 },
      this.view,
      this.events,
    );
    return this.view;
  }

  /** inet_frag_kill: the queue and everything in it are dropped. */
  private kill(key: string): undefined {
    this.queues.delete(key);
    return undefined;
  }

  private expire(nowNs: number): void {
    for (const [key, q] of this.queues) if (nowNs - q.startedNs > this.timeNs) this.queues.delete(key);
  }
}

/**
 * ip_frag_ecn_table, indexed by the OR of 1 << ECN codepoint over the fragments: CE (3)
 * to OR into the TOS, 0xff to drop the datagram, 0 otherwise.
 */
const ECN_TABLE: readonly number[] = (() => {
  const t = new Array<number>(16).fill(0);
  const NOT_ECT = 1;
  const ECT_1 = 2;
  const ECT_0 = 4;
  const CE = 8;
  t[CE | ECT_0] = 3;
  t[CE | ECT_1] = 3;
  t[CE | ECT_0 | ECT_1] = 3;
  for (const other of [CE, ECT_0, ECT_1, ECT_0 | ECT_1, CE | ECT_0, CE | ECT_1, CE | ECT_0 | ECT_1]) t[NOT_ECT | other] = 0xff;
  return t;
})();

/** ip_frag_reinit: the queue's fragments are dropped and its timer restarts (max_size is kept). */
function reinit(q: Queue, nowNs: number): void {
  q.frags.length = 0;
  q.runs.length = 0;
  q.lastRun = -1;
  q.tailEnd = -1;
  q.flags = 0;
  q.len = 0;
  q.meat = 0;
  q.ecn = 0;
  q.ihl = 0;
  q.startedNs = nowNs;
}

/** inet_frag_queue_insert: where [offset, end) goes among the runs. */
function insert(q: Queue, offset: number, end: number): number {
  const runs = q.runs;
  if (q.tailEnd < 0) {
    runs.push(offset, end);
    q.lastRun = runs.length / 2 - 1;
    q.tailEnd = end;
  } else if (q.tailEnd < end) {
    // The common case: past everything queued.
    if (offset < q.tailEnd) return INSERT_OVERLAP;
    if (offset === q.tailEnd) runs[q.lastRun * 2 + 1] = end;
    else {
      runs.push(offset, end);
      q.lastRun = runs.length / 2 - 1;
    }
    q.tailEnd = end;
  } else {
    for (let i = 0; i < runs.length; i += 2) {
      const s = runs[i]!;
      const e = runs[i + 1]!;
      if (end <= s || offset >= e) continue;
      return offset >= s && end <= e ? INSERT_DUP : INSERT_OVERLAP;
    }
    // A run of its own, even next to another: runs only grow at the tail.
    runs.push(offset, end);
  }
  return INSERT_OK;
}

/** Room in the queue's buffer for payload up to `end`. */
function ensure(q: Queue, end: number): void {
  const need = HDR + end;
  if (q.buf.length >= need) return;
  const grown = Math.min(MAX_CAPACITY, Math.max(need, q.buf.length * 2, HDR + 4096));
  const b = new Uint8Array(grown);
  b.set(q.buf);
  q.buf = b;
}

const orderScratch: number[] = [];

/** Fragment indices sorted by start offset (insertion sort: queues hold a few fragments). */
function sortByStart(f: readonly number[], n: number): number[] {
  const o = orderScratch;
  o.length = n;
  for (let i = 0; i < n; i++) {
    const start = f[i * 3]!;
    let j = i - 1;
    while (j >= 0 && f[o[j]! * 3]! > start) {
      o[j + 1] = o[j]!;
      j--;
    }
    o[j + 1] = i;
  }
  return o;
}

/** ip_send_check: the header checksum over `ihl` bytes at `ip` (its checksum field zero). */
export function headerChecksum(b: Uint8Array, ip: number, ihl: number): number {
  let s = 0;
  for (let i = 0; i < ihl; i += 2) s += (b[ip + i]! << 8) | b[ip + i + 1]!;
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}
