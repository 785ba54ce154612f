/**
 * A pcap writer (libpcap's savefile format 2.4, microsecond or nanosecond magic, written in
 * little-endian order). Records are copied whole into a buffer that is written out only
 * between records, into a temporary file next to the target that is renamed over it on
 * close: the target path never holds a partial capture, and a writer that fails or is
 * aborted leaves nothing behind.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
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

const BUFFER_SIZE = 1 << 20;
const FILE_HEADER = 24;
const RECORD_HEADER = 16;
const UINT32_MAX = 0xffffffff;

let tempCounter = 0;

export class PcapWriter {
  /** Packets written so far. */
  packets = 0;
  private readonly fd: number;
  private readonly temp: string;
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
    if (!Number.isInteger(this.snaplen) || this.snaplen < 1 || this.snaplen > MAX_CAPLEN) {
      throw new CaptureError(CaptureErrorCodes.WRITE, `snaplen ${this.snaplen} is not between 1 and ${MAX_CAPLEN}`);
    }
    if (!Number.isInteger(opts.linktype) || opts.linktype < 0 || opts.linktype > 0xffff) {
      throw new CaptureError(CaptureErrorCodes.WRITE, `link type ${opts.linktype} is not a 16-bit LINKTYPE_ value`);
    }
    this.temp = join(dirname(path), `.${basename(path)}.${process.pid}.${++tempCounter}.tmp`);
    try {
      this.fd = openSync(this.temp, 'wx', 0o644);
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
    if (this.state !== 'open') throw new CaptureError(CaptureErrorCodes.WRITE, `${this.path}: write after ${this.state === 'closed' ? 'close' : 'abort'}`);
    const { caplen, offset, tsSec, tsNsec } = pkt;
    if (!Number.isInteger(caplen) || caplen < 0 || !Number.isInteger(offset) || offset < 0 || offset + caplen > pkt.data.length) {
      throw new CaptureError(CaptureErrorCodes.WRITE, `packet ${this.packets + 1}: caplen ${caplen} at offset ${offset} is outside its ${pkt.data.length} bytes`);
    }
    if (!Number.isInteger(tsSec) || tsSec < 0 || tsSec > UINT32_MAX || !Number.isInteger(tsNsec) || tsNsec < 0 || tsNsec >= 1e9) {
      throw new CaptureError(CaptureErrorCodes.WRITE, `packet ${this.packets + 1}: timestamp ${tsSec}.${tsNsec} does not fit a pcap record`);
    }
    if (!Number.isInteger(pkt.origlen) || pkt.origlen < 0 || pkt.origlen > UINT32_MAX) {
      throw new CaptureError(CaptureErrorCodes.WRITE, `packet ${this.packets + 1}: original length ${pkt.origlen} does not fit a pcap record`);
    }
    const n = caplen > this.snaplen ? this.snaplen : caplen;
    if (this.used + RECORD_HEADER + n > this.buf.length) this.flush();
    const v = this.view;
    const at = this.used;
    v.setUint32(at, tsSec, true);
    v.setUint32(at + 4, this.nanosecond ? tsNsec : Math.floor(tsNsec / 1000), true);
    v.setUint32(at + 8, n, true);
    v.setUint32(at + 12, pkt.origlen, true);
    this.buf.set(pkt.data.subarray(offset, offset + n), at + RECORD_HEADER);
    this.used = at + RECORD_HEADER + n;
    this.packets++;
  }

  /** Writes what is buffered, syncs and renames the temporary file over the target. */
  close(): void {
    if (this.state !== 'open') return;
    this.flush();
    try {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fdOpen = false;
      renameSync(this.temp, this.path);
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
    try {
      unlinkSync(this.temp);
    } catch {
      // Never created or already gone.
    }
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
