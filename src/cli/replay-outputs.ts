/**
 * Output files of `nfreplay replay` beyond the counters: the atomic text file every output
 * uses, `--at TIME` parsing, and `--drops FILE` (a pcap of the dropped packets and a JSON
 * line for each).
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { rewriteTcpMss, rewriteTtl, csumReplace16 } from '../capture/rewrite.js';
import { PcapWriter } from '../capture/writer.js';
import type { DroppedPacket, PacketOutcome } from '../engine/replay.js';
import type { PathStep } from '../engine/trace.js';

/** Output files are written to a temporary name and renamed when complete. */
export class AtomicFile {
  private readonly tmp: string;
  private readonly fd: number;

  constructor(private readonly path: string) {
    this.tmp = `${path}.${process.pid}.tmp`;
    this.fd = openSync(this.tmp, 'w');
  }

  write(text: string): void {
    writeSync(this.fd, text);
  }

  commit(): void {
    closeSync(this.fd);
    renameSync(this.tmp, this.path);
  }

  abort(): void {
    closeSync(this.fd);
    rmSync(this.tmp, { force: true });
  }
}

/** A capture time: from the epoch, or (`sinceFirst`) from the first replayed packet. */
export interface CaptureTime {
  sec: number;
  nsec: number;
  sinceFirst: boolean;
}

/** Seconds and a decimal fraction as exact seconds and nanoseconds (at most 9 decimals). */
function secondsOf(whole: string, fraction: string | undefined): { sec: number; nsec: number } | undefined {
  if (fraction !== undefined && fraction.length > 9) return undefined;
  const sec = Number(whole === '' ? '0' : whole);
  if (!Number.isSafeInteger(sec)) return undefined;
  return { sec, nsec: fraction === undefined ? 0 : Number(fraction.padEnd(9, '0')) };
}

const AT_HELP = 'use +SECONDS (since the first packet, e.g. +12.5), SECONDS since the epoch (e.g. 1700000012.5) or an RFC 3339 time (e.g. 2023-11-14T22:13:32.5Z)';

/**
 * `--at TIME`: `+12.5` (seconds since the first packet), `1700000012.5` (a capture
 * timestamp) or an RFC 3339 date-time (`2023-11-14T22:13:32.5Z`, `…+01:00`), exact to the
 * nanosecond. Throws an Error whose message says what is wrong.
 */
export function parseAtTime(text: string): CaptureTime {
  const s = text.trim();
  let m = /^\+(\d*)(?:\.(\d+))?$/.exec(s);
  if (m && (m[1] !== '' || m[2] !== undefined)) {
    const t = secondsOf(m[1]!, m[2]);
    if (t !== undefined) return { ...t, sinceFirst: true };
  }
  m = /^(\d+)(?:\.(\d+))?$/.exec(s);
  if (m) {
    const t = secondsOf(m[1]!, m[2]);
    if (t !== undefined) return { ...t, sinceFirst: false };
  }
  m = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/.exec(s);
  if (m) {
    const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
    const offset = m[8] !== undefined ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
    const ms = Date.UTC(year, month - 1, day, hour, minute, second);
    const check = new Date(Date.UTC(year, month - 1, day));
    const valid =
      check.getUTCFullYear() === year &&
      check.getUTCMonth() === month - 1 &&
      check.getUTCDate() === day &&
      hour <= 23 &&
      minute <= 59 &&
      second <= 60 &&
      (m[8] !== undefined || (Number(m[10]) <= 23 && Number(m[11]) <= 59));
    const frac = m[7];
    if (valid && (frac === undefined || frac.length <= 9)) {
      const sec = ms / 1000 - offset * 60;
      if (sec < 0) throw new Error(`--at: "${text}" is before 1970`);
      return { sec, nsec: frac === undefined ? 0 : Number(frac.padEnd(9, '0')), sinceFirst: false };
    }
  }
  throw new Error(`--at: "${text}" is not a capture time: ${AT_HELP}`);
}

const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
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

/**
 * `--drops FILE`: every packet the replay dropped, as it was when dropped — the captured
 * frame with the NAT rewrites made so far, and the TTL, TOS and MSS the path and targets
 * left it (checksums updated) — with its capture timestamp, in a pcap of the capture's
 * link type; a datagram reassembled from fragments is written whole behind its last
 * fragment's link-layer header. FILE.json has a line per drop. Both are written under
 * temporary names and renamed by commit().
 */
export class DropsOutput {
  private pcap: PcapWriter | undefined;
  private linktype = -1;
  private readonly json: AtomicFile;
  private readonly buf = new Uint8Array(MAX_FRAME);
  private readonly record = { data: this.buf, offset: 0, caplen: 0, origlen: 0, tsSec: 0, tsNsec: 0 };
  /** Drops of another link type than the file's that could not be written to it. */
  unwritten = 0;

  constructor(private readonly path: string) {
    this.json = new AtomicFile(`${path}.json`);
  }

  write(d: DroppedPacket): void {
    const r = dropRecord(d);
    r.frame = this.frame(d);
    this.json.write(JSON.stringify(r) + '\n');
  }

  commit(): void {
    // A replay without drops still leaves an (empty) capture.
    this.pcap ??= PcapWriter.open(this.path, { linktype: LINKTYPE_RAW, precision: 'nanosecond' });
    this.pcap.close();
    this.json.commit();
  }

  abort(): void {
    this.pcap?.abort();
    this.json.abort();
  }

  /** Writes the packet's frame; its position in the pcap, or null. */
  private frame(d: DroppedPacket): number | null {
    const rec = d.rec;
    if (this.pcap === undefined) {
      this.linktype = rec.linktype;
      this.pcap = PcapWriter.open(this.path, { linktype: rec.linktype, precision: 'nanosecond' });
    }
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
    this.pcap.write(r);
    return this.pcap.packets;
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
