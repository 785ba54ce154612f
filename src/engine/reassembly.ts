/**
 * IPv4 reassembly before local delivery (ip_local_deliver → ip_defrag), used when no
 * conntrack is in use: every fragment traverses PREROUTING alone, INPUT sees the whole
 * datagram once, when its last missing piece arrives. Queues expire after
 * net.ipv4.ipfrag_time (30 s) of capture time without completing, as ip_expire does.
 * Only fragmented packets allocate here.
 */
import { decode, DecodeEvents, PacketView } from '../decode/index.js';
import type { PacketState } from './packet.js';

interface Queue {
  /** The first fragment's IPv4 packet (header and what was captured of its payload). */
  first: Uint8Array | undefined;
  /** Byte ranges of the payload received, [start, end) pairs. */
  ranges: Array<[number, number]>;
  /** Payload length, known once the fragment without MF arrives. */
  total: number;
  startedNs: number;
}

const IPFRAG_TIME_NS = 30e9;

export class Reassembly {
  private readonly queues = new Map<string, Queue>();
  /** The bytes the last completed datagram's view points into (its first fragment's copy). */
  data: Uint8Array = new Uint8Array(0);
  private readonly view = new PacketView();
  private readonly events = new DecodeEvents();

  /**
   * Adds a fragment; returns a view of the whole datagram (the first fragment's headers,
   * fragment fields cleared, total length of the whole) when it is complete.
   */
  add(view: PacketView, pkt: PacketState): PacketView | undefined {
    this.expire(pkt.nowNs);
    const key = `${view.srcAddr}>${view.dstAddr}/${view.protocol}#${view.ipId}`;
    let q = this.queues.get(key);
    if (!q) {
      q = { first: undefined, ranges: [], total: -1, startedNs: pkt.nowNs };
      this.queues.set(key, q);
    }
    const header = view.ihl * 4;
    const start = view.fragOffset;
    const end = start + view.totalLength - header;
    q.ranges.push([start, end]);
    if (!view.mf) q.total = end;
    if (start === 0) q.first = pkt.data.slice(view.l3Offset, view.l3Offset + Math.min(view.totalLength, pkt.data.length - view.l3Offset));
    if (q.total < 0 || !q.first || !covers(q.ranges, q.total)) return undefined;
    this.queues.delete(key);
    this.data = q.first;
    return this.wholeView(q.first, header + q.total);
  }

  private wholeView(first: Uint8Array, totalLength: number): PacketView {
    decode(
      { number: 0, data: first, offset: 0, caplen: first.length, origlen: first.length, tsSec: 0, tsNsec: 0, linktype: 228, interfaceId: -1, direction: 0 },
      this.view,
      this.events,
    );
    this.view.mf = false;
    this.view.fragOffset = 0;
    this.view.totalLength = totalLength;
    this.view.length = totalLength;
    return this.view;
  }

  private expire(nowNs: number): void {
    for (const [key, q] of this.queues) if (nowNs - q.startedNs > IPFRAG_TIME_NS) this.queues.delete(key);
  }
}

function covers(ranges: Array<[number, number]>, total: number): boolean {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  let reached = 0;
  for (const [s, e] of sorted) {
    if (s > reached) return false;
    reached = Math.max(reached, e);
  }
  return reached >= total;
}
