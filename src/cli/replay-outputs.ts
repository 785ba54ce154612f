/**
 * Output files of `nfreplay replay` beyond the counters: the atomic text file every output
 * uses, `--at TIME` parsing, `--drops FILE` (a pcap of the dropped packets and a JSON line
 * for each), and the parts of the per-packet outputs a replay on threads hands on.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { isSpecialFile, PcapWriter } from '../capture/writer.js';
import { DropFrames, dropLine, dropLineHead, dropRecord, LINKTYPE_RAW } from '../engine/drops.js';
import type { EgressPcaps } from '../engine/egress-pcaps.js';
import type { DropsPart, PartOutputs } from '../engine/part-outputs.js';
import type { DroppedPacket } from '../engine/replay.js';
import type { NflogPcaps } from '../engine/trace-nflog.js';

/**
 * Output files are written to a temporary name and renamed when complete; a device, pipe
 * or socket (`/dev/null`, a FIFO) is written directly, there being no file to replace.
 */
export class AtomicFile {
  private readonly tmp: string;
  private fd: number;

  constructor(private readonly path: string) {
    this.tmp = isSpecialFile(path) ? path : `${path}.${process.pid}.tmp`;
    this.fd = openSync(this.tmp, 'w');
  }

  write(text: string): void {
    writeSync(this.fd, text);
  }

  writeBytes(bytes: Uint8Array): void {
    for (let done = 0; done < bytes.length; ) done += writeSync(this.fd, bytes, done, bytes.length - done);
  }

  /** Empties the file: the replay writes it again from the first packet. */
  restart(): void {
    closeSync(this.fd);
    this.fd = openSync(this.tmp, 'w');
  }

  commit(): void {
    closeSync(this.fd);
    if (this.tmp !== this.path) renameSync(this.tmp, this.path);
  }

  abort(): void {
    closeSync(this.fd);
    if (this.tmp !== this.path) rmSync(this.tmp, { force: true });
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

/**
 * `--drops FILE`: every packet the replay dropped, as it was when dropped — the captured
 * frame with the NAT rewrites made so far, and the TTL, TOS and MSS the path and targets
 * left it (checksums updated) — with its capture timestamp, in a pcap of the capture's
 * link type; a datagram reassembled from fragments is written whole behind its last
 * fragment's link-layer header. FILE.json has a line per drop. Both are written under
 * temporary names and renamed by commit().
 */
export class DropsOutput {
  private frames: DropFrames<PcapWriter>;
  private readonly json: AtomicFile;

  constructor(private readonly path: string) {
    this.frames = DropsOutput.frames(path);
    this.json = new AtomicFile(`${path}.json`);
  }

  /** Drops of another link type than the first one's, not in the pcap. */
  get unwritten(): number {
    return this.frames.unwritten;
  }

  write(d: DroppedPacket): void {
    const r = dropRecord(d);
    r.frame = this.frames.write(d);
    this.json.write(dropLine(r));
  }

  /** A part's drops (a replay thread's, in capture order): its frames count on from those written. */
  appendPart(part: DropsPart): void {
    if (part.linktype >= 0) {
      const pcap = this.frames.file(part.linktype);
      const before = pcap.packets;
      pcap.appendRecords(part.records, part.packets);
      this.json.write(completedLines(part, before));
    }
    this.frames.unwritten += part.unwritten;
  }

  commit(): void {
    // A replay without drops still leaves an (empty) capture.
    this.frames.file(LINKTYPE_RAW).close();
    this.json.commit();
  }

  abort(): void {
    this.abortPcap();
    this.json.abort();
  }

  /** Empties both files: the replay writes them again from the first packet. */
  restart(): void {
    this.abortPcap();
    this.frames = DropsOutput.frames(this.path);
    this.json.restart();
  }

  private abortPcap(): void {
    if (this.frames.fileLinktype >= 0) this.frames.file(this.frames.fileLinktype).abort();
  }

  private static frames(path: string): DropFrames<PcapWriter> {
    return new DropFrames((linktype) => PcapWriter.open(path, { linktype, precision: 'nanosecond' }));
  }
}

/** A part's FILE.json lines: each tail after its start, with the frame counted on from `framesBefore`. */
function completedLines(part: DropsPart, framesBefore: number): string {
  const tails = new TextDecoder().decode(part.tails);
  let text = '';
  let at = 0;
  for (let i = 0; i < part.numbers.length; i += 2) {
    const end = tails.indexOf('\n', at) + 1;
    const frame = part.numbers[i + 1]!;
    text += dropLineHead(part.numbers[i]!, frame < 0 ? null : framesBefore + frame) + tails.slice(at, end);
    at = end;
  }
  return text;
}

/** The per-packet output files of a replay, those asked for. */
export interface PerPacketFiles {
  verdicts?: AtomicFile;
  log?: AtomicFile;
  trace?: AtomicFile;
  nflog?: NflogPcaps<PcapWriter>;
  egress?: EgressPcaps<PcapWriter>;
  drops?: DropsOutput;
}

/** A part replayed on a thread: its outputs appended to the files (parts come in capture order). */
export function appendPart(files: PerPacketFiles, part: PartOutputs): void {
  if (part.verdicts) files.verdicts?.writeBytes(part.verdicts);
  if (part.log) files.log?.writeBytes(part.log);
  if (part.trace) files.trace?.writeBytes(part.trace);
  for (const p of part.nflog) files.nflog?.append(p.key, p.records, p.packets);
  for (const p of part.egress) files.egress?.append(p.key, p.records, p.packets);
  if (part.drops) files.drops?.appendPart(part.drops);
}

/** Every file emptied: the replay starts again on one thread from the first packet. */
export function restartFiles(files: PerPacketFiles): void {
  files.verdicts?.restart();
  files.log?.restart();
  files.trace?.restart();
  files.nflog?.restart();
  files.egress?.restart();
  files.drops?.restart();
}
