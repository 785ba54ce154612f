/**
 * `--drops FILE`'s content: each dropped packet as it was when dropped, as a pcap record
 * (DropFrames), and what FILE.json says of it (dropRecord, dropLine). The records go to a
 * file, or, for a part of the capture replayed on a thread, to memory; the main thread then
 * appends the part and numbers its frames on from the parts before (dropLineHead).
 */
import { rewriteTcpMss, rewriteTtl, csumReplace16 } from '../capture/rewrite.js';
import type { PcapSink } from '../capture/writer.js';
import type { DroppedPacket, PacketOutcome } from './replay.js';
import type { PathStep } from './trace.js';

const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
const LINKTYPE_IPV4 = 228;
/** Largest frame: a whole datagram and a link-layer header. */
const MAX_FRAME = 65535 + 256;

/** Targets whose rule can end a traversal with DROP (the verdict, and extensions that drop on failure). */
const DROPPING_TARGETS = new Set(['DROP', 'REJECT', 'ECN', 'TCPMSS', 'TCPOPTSTRIP', 'DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP']);

/** One line of FILE.json. */
export interface DropRecord {
  packet: number;
  /** The packet's position in the drops pcap (1-based); null when it could not be written there. */
  frame: number | null;
  verdict: PacketOutcome['verdict'] | 'MALFORMED';
  hook: string | null;
  table: string | null;
  chain: string | null;
  rule: number | null;
  target: string | null;
  reason: string | null;
}

/** The step of a dropped packet's path that decided it: a DROP policy or a rule that can drop, in the table that dropped it. */
function decidingStep(o: PacketOutcome): PathStep | undefined {
  const at = o.droppedAt;
  const last = o.path?.[o.path.length - 1];
  if (at === undefined || last === undefined || last.hook !== at.hook || last.table !== at.table) return undefined;
  if (last.policy === 'DROP') return last;
  if (last.rule !== undefined && DROPPING_TARGETS.has(last.target ?? '')) return last;
  return undefined;
}

/** What FILE.json says about a dropped packet (`frame` filled in by the writer). */
export function dropRecord(d: DroppedPacket): DropRecord {
  const r: DropRecord = { packet: d.rec.number, frame: null, verdict: 'MALFORMED', hook: null, table: null, chain: null, rule: null, target: null, reason: null };
  const o = d.outcome;
  if (o === null || d.pkt === null) {
    r.reason = d.malformed;
    return r;
  }
  r.verdict = o.verdict;
  switch (o.verdict) {
    case 'DROP': {
      if (o.droppedAt === undefined) {
        // Not a table: nf_conntrack_in (table full).
        r.hook = d.pkt.hook;
        r.reason = o.reason ?? null;
        break;
      }
      r.hook = o.droppedAt.hook;
      r.table = o.droppedAt.table;
      const step = decidingStep(o);
      if (step !== undefined) {
        r.chain = step.chain;
        r.rule = step.rule ?? null;
        r.target = step.policy ?? step.target ?? null;
        r.reason = step.policy !== undefined ? 'policy' : 'rule';
      } else if (o.path !== undefined) {
        // Traced, and no rule or policy dropped it: a match did (hotdrop).
        r.reason = 'hotdrop';
      }
      break;
    }
    case 'ROUTING-DROP':
      r.reason = o.reason ?? null;
      break;
    case 'TTL-EXCEEDED':
      r.reason = 'ttl-exceeded';
      break;
    case 'FRAG-NEEDED':
      r.reason = 'frag-needed';
      break;
    default:
      r.reason = o.reason ?? null;
  }
  return r;
}

/** FILE.json's line for a drop. */
export function dropLine(r: DropRecord): string {
  return JSON.stringify(r) + '\n';
}

/**
 * The start of dropLine(r) up to its frame: JSON.stringify writes the keys in dropRecord's
 * order, packet and frame first, and integers as String() does. The rest of the line does
 * not depend on the numbers, so a part's lines are completed with its frames counted on.
 */
export function dropLineHead(packet: number, frame: number | null): string {
  return `{"packet":${packet},"frame":${frame}`;
}

/**
 * The dropped packets' pcap: each as it was when dropped — the captured frame with the NAT
 * rewrites made so far, and the TTL, TOS and MSS the path and targets left it (checksums
 * updated) — with its capture timestamp, in a pcap of the first drop's link type; a
 * datagram reassembled from fragments is written whole behind its last fragment's
 * link-layer header.
 */
export class DropFrames<W extends PcapSink> {
  private sink: W | undefined;
  private linktype = -1;
  private readonly buf = new Uint8Array(MAX_FRAME);
  private readonly record = { data: this.buf, offset: 0, caplen: 0, origlen: 0, tsSec: 0, tsNsec: 0 };
  /** Drops of another link type than the file's that could not be written to it. */
  unwritten = 0;

  /** `open`: the pcap of this link type (nanosecond timestamps). */
  constructor(private readonly open: (linktype: number) => W) {}

  /** The pcap, opened with `linktype` when no drop opened it. */
  file(linktype: number): W {
    if (this.sink === undefined) {
      this.linktype = linktype;
      this.sink = this.open(linktype);
    }
    return this.sink;
  }

  /** The link type the pcap was opened with (-1: not opened). */
  get fileLinktype(): number {
    return this.linktype;
  }

  /** Writes the packet's frame; its position in the pcap, or null. */
  write(d: DroppedPacket): number | null {
    const rec = d.rec;
    const sink = this.file(rec.linktype);
    const b = this.buf;
    const pkt = d.pkt;
    const r = this.record;
    r.tsSec = rec.tsSec;
    r.tsNsec = rec.tsNsec;
    let link = Math.max(0, Math.min(d.l3Offset - rec.offset, rec.caplen));
    if (rec.linktype !== this.linktype) {
      // A pcap has one link type: the datagram goes behind one of the file's own.
      if (pkt === null || (this.linktype !== LINKTYPE_ETHERNET && this.linktype !== LINKTYPE_RAW && this.linktype !== LINKTYPE_IPV4)) {
        this.unwritten++;
        return null;
      }
      link = this.linktype === LINKTYPE_ETHERNET ? 14 : 0;
      b.fill(0, 0, link);
      if (link === 14) b[12] = 0x08;
    } else {
      b.set(rec.data.subarray(rec.offset, rec.offset + link), 0);
    }
    if (pkt === null) {
      // Malformed: the record as captured.
      b.set(rec.data.subarray(rec.offset + link, rec.offset + rec.caplen), link);
      r.caplen = rec.caplen;
      r.origlen = rec.origlen;
    } else if (!pkt.reassembled && link === d.l3Offset - rec.offset) {
      // The record's own bytes (NAT rewrote them in place), padding and all.
      b.set(rec.data.subarray(rec.offset + link, rec.offset + rec.caplen), link);
      r.caplen = rec.caplen;
      r.origlen = rec.origlen;
      this.fixHeader(link, r.caplen, d);
    } else {
      const v = pkt.view;
      const have = Math.max(0, Math.min(v.totalLength, pkt.data.length - v.l3Offset, MAX_FRAME - link));
      b.set(pkt.data.subarray(v.l3Offset, v.l3Offset + have), link);
      r.caplen = link + have;
      r.origlen = link + pkt.length;
      this.fixHeader(link, r.caplen, d);
    }
    sink.write(r);
    return sink.packets;
  }

  /** TTL, TOS and MSS as the packet had them when dropped (its bytes keep the captured ones). */
  private fixHeader(ip: number, end: number, d: DroppedPacket): void {
    const pkt = d.pkt!;
    const b = this.buf;
    if (end - ip < 20 || b[ip]! >> 4 !== 4) return;
    if (b[ip + 8] !== pkt.ttl) rewriteTtl(b, ip, end, pkt.ttl);
    if (b[ip + 1] !== pkt.tos) {
      const old = (b[ip]! << 8) | b[ip + 1]!;
      b[ip + 1] = pkt.tos;
      const check = csumReplace16((b[ip + 10]! << 8) | b[ip + 11]!, old, (b[ip]! << 8) | pkt.tos);
      b[ip + 10] = check >>> 8;
      b[ip + 11] = check & 0xff;
    }
    // TCPMSS changing an existing option (one it would add is not written).
    if (pkt.tcpMss >= 0 && pkt.view.tcpMss >= 0 && pkt.tcpMss !== pkt.view.tcpMss) rewriteTcpMss(b, ip, end, pkt.tcpMss);
  }
}
