/**
 * A pcap writer (libpcap's savefile format 2.4, microsecond or nanosecond magic, written in
 * little-endian order). Records are copied whole into a buffer that is written out only
 * between records, into a temporary file next to the target that is renamed over it on
 * close: the target path never holds a partial capture, and a writer that fails or is
 * aborted leaves nothing behind (a device or pipe, which cannot be replaced, is written
 * directly). PcapRecords encodes records the same way into memory: a
 * part of an output that a replay thread makes and the main thread appends to the file.
 */
import { closeSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CaptureError, CaptureErrorCodes } from './errors.js';
import { MAX_CAPLEN } from './reader.js';

export interface PcapWriterOptions {
  /** LINKTYPE_* of every packet (1 Ethernet, 101 raw IP, 276 Linux SLL2...). */
  linktype: number;
  /** Largest captured length; longer packets are cut to it (origlen is kept). Default 262144. */
  snaplen?: number;
  /** Timestamp precision, chosen by the file's magic. Default microsecond. */
  precision?: 'microsecond' | 'nanosecond';
}

/** What a packet to write needs: a PacketRecord is one. */
export interface PacketToWrite {
  data: Uint8Array;
  offset: number;
  caplen: number;
  origlen: number;
  tsSec: number;
  tsNsec: number;
}

/** What pcap outputs write their records to: a file (PcapWriter) or memory (PcapRecords). */
export interface PcapSink {
  /** Packets written so far. */
  readonly packets: number;
  write(pkt: PacketToWrite): void;
}

const BUFFER_SIZE = 1 << 20;
const FILE_HEADER = 24;
const RECORD_HEADER = 16;
const UINT32_MAX = 0xffffffff;

let tempCounter = 0;

/**
 * Whether `path` is a device, pipe or socket (`/dev/null`, `/dev/stdout`, a FIFO): such a
 * target is written directly, as there is no file to replace (renaming a temporary file over
 * /dev/null would replace the device with a regular file).
 */
export function isSpecialFile(path: string): boolean {
  const st = statSync(path, { throwIfNoEntry: false });
  return st !== undefined && !st.isFile() && !st.isDirectory();
}

function checkOptions(snaplen: number, linktype: number): void {
  if (!Number.isInteger(snaplen) || snaplen < 1 || snaplen > MAX_CAPLEN) {
    throw new CaptureError(CaptureErrorCodes.WRITE, `snaplen ${snaplen} is not between 1 and ${MAX_CAPLEN}`);
  }
  if (!Number.isInteger(linktype) || linktype < 0 || linktype > 0xffff) {
    throw new CaptureError(CaptureErrorCodes.WRITE, `link type ${linktype} is not a 16-bit LINKTYPE_ value`);
  }
}

/** The bytes of `pkt` a record holds (cut to `snaplen`); throws when it cannot be a pcap record. `index`: its number, for the message. */
function recordLength(pkt: PacketToWrite, snaplen: number, index: number): number {
  const { caplen, offset, tsSec, tsNsec } = pkt;
  if (!Number.isInteger(caplen) || caplen < 0 || !Number.isInteger(offset) || offset < 0 || offset + caplen > pkt.data.length) {
    throw new CaptureError(CaptureErrorCodes.WRITE, `packet ${index}: caplen ${caplen} at offset ${offset} is outside its ${pkt.data.length} bytes`);
  }
  if (!Number.isInteger(tsSec) || tsSec < 0 || tsSec > UINT32_MAX || !Number.isInteger(tsNsec) || tsNsec < 0 || tsNsec >= 1e9) {
    throw new CaptureError(CaptureErrorCodes.WRITE, `packet ${index}: timestamp ${tsSec}.${tsNsec} does not fit a pcap record`);
  }
  if (!Number.isInteger(pkt.origlen) || pkt.origlen < 0 || pkt.origlen > UINT32_MAX) {
    throw new CaptureError(CaptureErrorCodes.WRITE, `packet ${index}: original length ${pkt.origlen} does not fit a pcap record`);
  }
  return caplen > snaplen ? snaplen : caplen;
}

/** The record of `pkt` (its first `n` bytes) at `at`, little-endian. */
function putRecord(buf: Uint8Array, v: DataView, at: number, pkt: PacketToWrite, n: number, nanosecond: boolean): void {
  v.setUint32(at, pkt.tsSec, true);
  v.setUint32(at + 4, nanosecond ? pkt.tsNsec : Math.floor(pkt.tsNsec / 1000), true);
  v.setUint32(at + 8, n, true);
  v.setUint32(at + 12, pkt.origlen, true);
  buf.set(pkt.data.subarray(pkt.offset, pkt.offset + n), at + RECORD_HEADER);
}

export class PcapWriter implements PcapSink {
  /** Packets written so far. */
  packets = 0;
  private readonly fd: number;
  /** Undefined for a device, pipe or socket, written directly. */
  private readonly temp: string | undefined;
  private readonly buf = new Uint8Array(BUFFER_SIZE);
  private readonly view = new DataView(this.buf.buffer);
  private used = 0;
  private state: 'open' | 'closed' | 'aborted' = 'open';
  private fdOpen = true;
  private readonly snaplen: number;
  private readonly nanosecond: boolean;

  private constructor(
    readonly path: string,
    opts: PcapWriterOptions,
  ) {
    this.snaplen = opts.snaplen ?? MAX_CAPLEN;
    this.nanosecond = opts.precision === 'nanosecond';
    checkOptions(this.snaplen, opts.linktype);
    this.temp = isSpecialFile(path) ? undefined : join(dirname(path), `.${basename(path)}.${process.pid}.${++tempCounter}.tmp`);
    try {
      this.fd = this.temp === undefined ? openSync(path, 'w') : openSync(this.temp, 'wx', 0o644);
    } catch (e) {
      throw new CaptureError(CaptureErrorCodes.IO, `${path}: ${(e as Error).message}`);
    }
    const v = this.view;
    v.setUint32(0, this.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, true);
    v.setUint16(4, 2, true);
    v.setUint16(6, 4, true);
    v.setInt32(8, 0, true); // thiszone: timestamps are UTC
    v.setUint32(12, 0, true); // sigfigs: always 0
    v.setUint32(16, this.snaplen, true);
    v.setUint32(20, opts.linktype, true);
    this.used = FILE_HEADER;
  }

  /** Starts writing `path` (through a temporary file until close). */
  static open(path: string, opts: PcapWriterOptions): PcapWriter {
    return new PcapWriter(path, opts);
  }

  /** Appends one packet; a packet longer than the snaplen is cut to it. */
  write(pkt: PacketToWrite): void {
    this.checkOpen();
    const n = recordLength(pkt, this.snaplen, this.packets + 1);
    if (this.used + RECORD_HEADER + n > this.buf.length) this.flush();
    putRecord(this.buf, this.view, this.used, pkt, n, this.nanosecond);
    this.used += RECORD_HEADER + n;
    this.packets++;
  }

  /** Appends `packets` records a PcapRecords of this writer's options encoded. */
  appendRecords(records: Uint8Array, packets: number): void {
    this.checkOpen();
    this.flush();
    let done = 0;
    try {
      while (done < records.length) done += writeSync(this.fd, records, done, records.length - done);
    } catch (e) {
      this.abort();
      throw new CaptureError(CaptureErrorCodes.IO, `${this.path}: ${(e as Error).message}`);
    }
    this.packets += packets;
  }

  /** Writes what is buffered, syncs and renames the temporary file over the target. */
  close(): void {
    if (this.state !== 'open') return;
    this.flush();
    try {
      if (this.temp !== undefined) fsyncSync(this.fd);
      closeSync(this.fd);
      this.fdOpen = false;
      if (this.temp !== undefined) renameSync(this.temp, this.path);
    } catch (e) {
      this.abort();
      throw new CaptureError(CaptureErrorCodes.IO, `${this.path}: ${(e as Error).message}`);
    }
    this.state = 'closed';
  }

  /** Drops everything written: the target is left as it was. Does nothing after close. */
  abort(): void {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    if (this.fdOpen) {
      this.fdOpen = false;
      try {
        closeSync(this.fd);
      } catch {
        // Already failing; removing the temporary file is what matters.
      }
    }
    if (this.temp === undefined) return;
    try {
      unlinkSync(this.temp);
    } catch {
      // Never created or already gone.
    }
  }

  private checkOpen(): void {
    if (this.state !== 'open') throw new CaptureError(CaptureErrorCodes.WRITE, `${this.path}: write after ${this.state === 'closed' ? 'close' : 'abort'}`);
  }

  private flush(): void {
    let done = 0;
    try {
      while (done < this.used) done += writeSync(this.fd, this.buf, done, this.used - done);
    } catch (e) {
      this.abort();
      throw new CaptureError(CaptureErrorCodes.IO, `${this.path}: ${(e as Error).message}`);
    }
    this.used = 0;
  }
}

/**
 * Records encoded as PcapWriter writes them, in memory and without the file header: a part
 * of an output file, made on a replay thread, that the main thread appends to the file
 * (PcapWriter.appendRecords) opened with the same options.
 */
export class PcapRecords implements PcapSink {
  packets = 0;
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  private used = 0;
  private readonly snaplen: number;
  private readonly nanosecond: boolean;

  constructor(opts: PcapWriterOptions) {
    this.snaplen = opts.snaplen ?? MAX_CAPLEN;
    this.nanosecond = opts.precision === 'nanosecond';
    checkOptions(this.snaplen, opts.linktype);
  }

  write(pkt: PacketToWrite): void {
    const n = recordLength(pkt, this.snaplen, this.packets + 1);
    const need = this.used + RECORD_HEADER + n;
    if (need > this.buf.length) {
      const grown = new Uint8Array(Math.max(need, 2 * this.buf.length));
      grown.set(this.buf.subarray(0, this.used));
      this.buf = grown;
      this.view = new DataView(grown.buffer);
    }
    putRecord(this.buf, this.view, this.used, pkt, n, this.nanosecond);
    this.used = need;
    this.packets++;
  }

  /** The records written (a view of the buffer, which can be transferred). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.used);
  }
}
