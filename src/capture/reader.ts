/**
 * The capture reader: pcap (libpcap's savefile format, microsecond and nanosecond, either
 * byte order) and pcapng (sections in either byte order, interface description, enhanced,
 * simple and obsolete packet blocks), from a file, standard input or memory, gzip-compressed
 * or not.
 *
 * Zero-copy and bounded: bytes are read in large chunks into one buffer and every packet is
 * handed out as a view into it (PacketRecord.data/offset), through one record object
 * overwritten per packet. A record that straddles two chunks is carried over to the front of
 * the buffer before the next read. The buffer only grows for a single block larger than a
 * chunk, and never past the largest block accepted (16 MiB), so memory does not depend on
 * the size of the capture.
 *
 * From a file the next chunk is read ahead: while the packets of one buffer are handed out,
 * the thread pool reads the next chunk into a second buffer, behind room left for the
 * carry-over, and the two buffers then trade places. Two buffers, never more.
 *
 * Every length is checked against what is actually there before it is used. Damage after
 * the file header never throws: reading stops at the last whole packet and the summary names
 * the byte offset of the damaged record and what was wrong with it, in libpcap's words where
 * libpcap has them.
 */
import { CaptureError, CaptureErrorCodes } from './errors.js';
import type { CaptureInterface, PacketRecord } from './record.js';
import { BytesSource, FileSource, GunzipSource, isGzip, StreamSource, type ByteSource } from './source.js';
import { converted, DEFAULT_TSRESOL, timescale, tsToSecNsec, type Timescale } from './timescale.js';

export interface OpenCaptureOptions {
  /** Bytes read per chunk; 8 MiB unless given. Small values are for tests of the carry-over. */
  chunkSize?: number;
  /** The number of the first record (1 unless given): a part of a capture numbers its records as the whole does. */
  firstNumber?: number;
  /**
   * A capture given as bytes is read where it is, without a copy, and its packets' bytes
   * may then be rewritten in place by whoever receives them (NAT, TCPMSS): for a caller
   * that owns the bytes and no longer needs them as they were (a replay thread's part).
   */
  inPlace?: boolean;
}

export interface CaptureDamage {
  /** Offset in the (decompressed) capture of the record that could not be read. */
  offset: number;
  message: string;
}

export interface ReadSummary {
  packets: number;
  /** Captured bytes delivered (sum of caplen). */
  bytes: number;
  /** Set when the capture ends in a damaged or truncated record; the packets before it were delivered. */
  damage?: CaptureDamage;
}

export interface CaptureReader {
  readonly format: 'pcap' | 'pcapng';
  /** "2.4" for pcap, the first section's "1.0" for pcapng. */
  readonly version: string;
  /** Byte order of the pcap file or of the first pcapng section. */
  readonly byteOrder: 'little-endian' | 'big-endian';
  /** Whether the capture was gzip-compressed. */
  readonly compressed: boolean;
  /**
   * Interfaces as they are known so far: the pcap file's single pseudo-interface (id -1), or
   * every pcapng interface description block read. pcapng interface ids restart at 0 in
   * each section; nfreplay numbers them on across sections, so `interfaces[rec.interfaceId]`
   * is always the packet's interface.
   */
  readonly interfaces: readonly CaptureInterface[];
  /** pcapng section header blocks read so far (1 for pcap). */
  readonly sections: number;
  /**
   * How far into the file or stream reading has got, for progress: the bytes of the records
   * delivered (and headers before them); for gzip, the compressed bytes taken so far.
   */
  readonly readBytes: number;
  /** The file's size when it is a regular file. */
  readonly totalBytes: number | undefined;
  /**
   * Reads every packet, calling `cb` with the one reused record; can be called once. The
   * source is closed when it resolves; an exception from `cb` closes it and propagates.
   */
  forEach(cb: (rec: PacketRecord) => void): Promise<ReadSummary>;
  /**
   * Asks forEach to let the event loop run (timers, signal handlers) after the record being
   * delivered, before the next: a chunk's records are otherwise delivered in one go.
   */
  requestYield(): void;
  /** Releases the file or stream without reading on (after forEach this does nothing). */
  close(): Promise<void>;
}

/** libpcap's MAXIMUM_SNAPLEN: a larger captured length is a damaged file, not a packet. */
export const MAX_CAPLEN = 262144;
/** libpcap's INITIAL_MAX_BLOCKSIZE for pcapng: a larger block is taken as damage. */
export const MAX_BLOCK = 16 * 1024 * 1024;
const DEFAULT_CHUNK = 8 * 1024 * 1024;

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAP_HEADER = 24;
const PCAP_RECORD_HEADER = 16;
/** libpcap's LT_LINKTYPE(): the low 26 bits; the upper bits carry the FCS length. */
const LINKTYPE_MASK = 0x03ffffff;

const BT_SHB = 0x0a0d0d0a;
const BT_IDB = 0x00000001;
const BT_PB = 0x00000002;
const BT_SPB = 0x00000003;
const BT_EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BLOCK_HEADER = 8;
/** Block type + total length + trailing total length. */
const BLOCK_MIN = 12;
/** Type, length, byte-order magic, version, section length, trailer. */
const SHB_MIN = 28;
/** Type, length, link type, reserved, snaplen, trailer. */
const IDB_MIN = 20;
/** Type, length, interface, timestamp (2), caplen, origlen, trailer. */
const EPB_MIN = 32;
/** Type, length, interface (16 bits), drops (16 bits), timestamp (2), caplen, origlen, trailer. */
const PB_MIN = 32;
/** Type, length, original length, trailer. */
const SPB_MIN = 16;

const OPT_ENDOFOPT = 0;
const OPT_IF_NAME = 2;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;
/** epb_flags (and the obsolete block's pack_flags): bits 0-1 are the direction. */
const OPT_EPB_FLAGS = 2;

class Record implements PacketRecord {
  number = 0;
  data: Uint8Array = new Uint8Array(0);
  offset = 0;
  caplen = 0;
  origlen = 0;
  tsSec = 0;
  tsNsec = 0;
  linktype = 0;
  interfaceId = -1;
  direction: 0 | 1 | 2 = 0;
}

const pad4 = (n: number): number => (n + 3) & ~3;
const hex32 = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/** Opens a capture: a path, '-' for standard input, or the bytes of a capture. */
export async function openCapture(source: string | Uint8Array, opts: OpenCaptureOptions = {}): Promise<CaptureReader> {
  const name = typeof source === 'string' ? (source === '-' ? 'standard input' : source) : 'capture';
  let raw: ByteSource;
  if (typeof source !== 'string') raw = new BytesSource(source, opts.inPlace === true);
  else if (source === '-') raw = new StreamSource(process.stdin);
  else {
    try {
      raw = await FileSource.open(source);
    } catch (e) {
      throw new CaptureError(CaptureErrorCodes.IO, `${name}: ${ioMessage(e)}`);
    }
  }
  const reader = new Reader(raw, Math.max(1, opts.chunkSize ?? DEFAULT_CHUNK), (opts.firstNumber ?? 1) - 1);
  try {
    await reader.start(name);
  } catch (e) {
    await reader.close();
    throw e;
  }
  return reader;
}

function ioMessage(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'No such file or directory';
    case 'EACCES':
      return 'Permission denied';
    case 'EISDIR':
      return 'Is a directory';
    default:
      return err.message ?? String(e);
  }
}

class Reader implements CaptureReader {
  format: 'pcap' | 'pcapng' = 'pcap';
  version = '';
  byteOrder: 'little-endian' | 'big-endian' = 'little-endian';
  compressed = false;
  interfaces: CaptureInterface[] = [];
  sections = 1;

  private buf: Uint8Array;
  private view: DataView;
  /** Start of the unconsumed bytes, end of the valid bytes, stream offset of buf[0]. */
  private pos = 0;
  private end = 0;
  private base = 0;
  private eof = false;
  /** `buf` is the caller's bytes (a BytesSource), read in place. */
  private borrowed = false;
  /** Bytes needed from `pos` before the walk can go on. */
  private need = 0;
  private damage: CaptureDamage | undefined;
  private packets = 0;
  private bytes = 0;
  private readonly rec = new Record();
  private used = false;
  /** requestYield() was called: the walk stops after the current record. */
  private yieldWanted = false;
  private closed = false;
  /** Byte order of the file or the current pcapng section. */
  private le = true;
  /** pcap: nanoseconds per timestamp fraction unit (1000 for microseconds). */
  private fracToNsec = 1000;
  /** pcap: the file's link type. */
  private linktype = 0;
  /** pcapng: global id of the current section's first interface, and its interface count. */
  private sectionBase = 0;
  private sectionInterfaces = 0;
  private readonly scales: Timescale[] = [];
  /**
   * Read-ahead (file sources only): the chunk being read into `spare` at `head`, the room
   * before it kept for the carry-over of the buffer being walked.
   */
  private readAhead: boolean;
  private readonly head: number;
  private spare: Uint8Array | undefined;
  private ahead: Promise<number> | undefined;

  constructor(
    private src: ByteSource,
    private readonly chunkSize: number,
    /** Records before the first one (numbers count on from it). */
    private readonly numberBefore: number,
  ) {
    this.readAhead = src instanceof FileSource;
    this.head = this.readAhead ? Math.min(chunkSize, PCAP_RECORD_HEADER + MAX_CAPLEN) : 0;
    if (src instanceof BytesSource && src.inPlace) {
      // Bytes already in memory (a part of a capture a replay thread received) are walked
      // where they are: no chunk buffer to allocate, no copy. They are never written to:
      // at the end of input fill() moves nothing, and gzip gets a buffer of its own.
      this.buf = src.takeAll();
      this.end = this.buf.length;
      this.eof = true;
      this.borrowed = true;
    } else {
      this.buf = new Uint8Array(this.head + chunkSize);
    }
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  get readBytes(): number {
    // Decompressed offsets do not map onto the file; the compressed input read does, a chunk ahead at most.
    return this.compressed ? this.src.rawBytes : this.base + this.pos;
  }

  get totalBytes(): number | undefined {
    return this.src.totalBytes;
  }

  /** Sniffs gzip and the capture magic, reads the file header (throws if it is unusable). */
  async start(name: string): Promise<void> {
    await this.fillOrThrow(4, name);
    if (isGzip(this.buf.subarray(0, this.end))) {
      this.compressed = true;
      this.readAhead = false;
      this.src = new GunzipSource(this.src, this.buf.slice(0, this.end));
      if (this.borrowed) {
        this.buf = new Uint8Array(this.chunkSize);
        this.view = new DataView(this.buf.buffer);
        this.borrowed = false;
      }
      this.end = 0;
      this.eof = false;
      await this.fillOrThrow(4, name);
    }
    if (this.end < 4) {
      throw new CaptureError(CaptureErrorCodes.FORMAT, `${name}: truncated dump file; tried to read 4 file header bytes, only got ${this.end}`, 0);
    }
    const magicLe = this.view.getUint32(0, true);
    const magicBe = this.view.getUint32(0, false);
    if (magicLe === BT_SHB) return this.startPcapng(name);
    if (magicLe === PCAP_MAGIC_US || magicLe === PCAP_MAGIC_NS) this.le = true;
    else if (magicBe === PCAP_MAGIC_US || magicBe === PCAP_MAGIC_NS) this.le = false;
    else {
      throw new CaptureError(
        CaptureErrorCodes.FORMAT,
        `${name}: unknown file format (magic ${hex32(magicBe)}): not a pcap or pcapng capture`,
        0,
      );
    }
    return this.startPcap(name);
  }

  private async startPcap(name: string): Promise<void> {
    this.format = 'pcap';
    this.byteOrder = this.le ? 'little-endian' : 'big-endian';
    await this.fillOrThrow(PCAP_HEADER, name);
    if (this.end < PCAP_HEADER) {
      throw new CaptureError(
        CaptureErrorCodes.FORMAT,
        `${name}: truncated dump file; tried to read ${PCAP_HEADER - 4} file header bytes, only got ${this.end - 4}`,
        4,
      );
    }
    const v = this.view;
    const le = this.le;
    const major = v.getUint16(4, le);
    const minor = v.getUint16(6, le);
    // pcap_check_header: 2.0 to 2.4 (the format has not changed since); older is "archaic".
    if (major < 2) throw new CaptureError(CaptureErrorCodes.FORMAT, `${name}: archaic pcap savefile format`, 4);
    if (major !== 2 || minor > 4) {
      throw new CaptureError(CaptureErrorCodes.FORMAT, `${name}: unsupported pcap savefile version ${major}.${minor}`, 4);
    }
    this.version = `${major}.${minor}`;
    this.fracToNsec = v.getUint32(0, le) === PCAP_MAGIC_NS ? 1 : 1000;
    // thiszone (offset 8) is always 0 in practice and ignored by libpcap and tcpdump alike.
    const snaplen = v.getUint32(16, le);
    this.linktype = v.getUint32(20, le) & LINKTYPE_MASK;
    this.interfaces.push({
      id: -1,
      name: undefined,
      linktype: this.linktype,
      snaplen,
      tsResolution: this.fracToNsec === 1 ? 1_000_000_000 : 1_000_000,
      tsOffsetSec: 0,
    });
    this.pos = PCAP_HEADER;
  }

  private async startPcapng(name: string): Promise<void> {
    this.format = 'pcapng';
    await this.fillOrThrow(BLOCK_MIN, name);
    if (this.end < BLOCK_MIN) {
      throw new CaptureError(
        CaptureErrorCodes.FORMAT,
        `${name}: truncated pcapng dump file; tried to read ${BLOCK_MIN - 4} file header bytes, only got ${this.end - 4}`,
        4,
      );
    }
    const bom = this.view.getUint32(8, true);
    if (bom !== BYTE_ORDER_MAGIC && this.view.getUint32(8, false) !== BYTE_ORDER_MAGIC) {
      throw new CaptureError(CaptureErrorCodes.FORMAT, `${name}: pcapng section header block has an unknown byte-order magic ${hex32(bom)}`, 8);
    }
    const le = bom === BYTE_ORDER_MAGIC;
    this.byteOrder = le ? 'little-endian' : 'big-endian';
    const len = this.view.getUint32(4, le);
    const lengthProblem = blockLengthProblem(0, len);
    if (lengthProblem !== undefined) throw new CaptureError(CaptureErrorCodes.FORMAT, `${name}: ${lengthProblem}`, 0);
    await this.fillOrThrow(len, name);
    if (this.end < len) {
      throw new CaptureError(
        CaptureErrorCodes.FORMAT,
        `${name}: truncated pcapng dump file; tried to read ${len - BLOCK_HEADER} bytes, only got ${this.end - BLOCK_HEADER}`,
        0,
      );
    }
    this.version = `${this.view.getUint16(12, le)}.${this.view.getUint16(14, le)}`;
    // Walk the section header and the interface blocks that follow it in the first chunk, so
    // the interfaces are known before forEach; the first packet stops the walk. Damage found
    // here belongs to the first section header block only if it is at offset 0.
    this.sections = 0;
    this.walkPcapng(undefined);
    if (this.damage !== undefined && this.damage.offset === 0) {
      throw new CaptureError(CaptureErrorCodes.FORMAT, `${name}: ${this.damage.message}`, 0);
    }
  }

  /** Fills for the file header; a read error there makes the capture unreadable. */
  private async fillOrThrow(need: number, name: string): Promise<void> {
    try {
      await this.fill(need);
    } catch (e) {
      // A gzip stream that does not inflate is damaged data; anything else is the file.
      if (this.compressed) throw new CaptureError(CaptureErrorCodes.FORMAT, `${name}: gzip: ${ioMessage(e)}`, 0);
      throw new CaptureError(CaptureErrorCodes.IO, `${name}: ${ioMessage(e)}`);
    }
  }

  /**
   * Makes `need` bytes available from `pos`, moving the unconsumed tail to the front of the
   * buffer (or into a larger buffer for a block bigger than a chunk) and reading until the
   * buffer is full or the source ends. False when the source ended first.
   */
  private async fill(need: number): Promise<boolean> {
    if (this.end - this.pos >= need) return true;
    if (this.ahead !== undefined) {
      const ahead = this.ahead;
      this.ahead = undefined;
      this.takeAhead(await ahead);
    }
    // Nothing more will come: moving the tail would gain nothing (and must not touch borrowed bytes).
    if (this.eof) return this.end - this.pos >= need;
    if (this.pos + need > this.buf.length) {
      const tail = this.buf.subarray(this.pos, this.end);
      if (need > this.buf.length) {
        const bigger = new Uint8Array(need);
        bigger.set(tail);
        this.buf = bigger;
        this.view = new DataView(bigger.buffer);
      } else {
        this.buf.copyWithin(0, this.pos, this.end);
      }
      this.base += this.pos;
      this.end -= this.pos;
      this.pos = 0;
    }
    while (this.end - this.pos < need && !this.eof) {
      const n = await this.src.read(this.buf, this.end, this.buf.length - this.end);
      if (n === 0) this.eof = true;
      this.end += n;
    }
    return this.end - this.pos >= need;
  }

  /** Starts reading the next chunk into the spare buffer, behind the room for the carry-over. */
  private startAhead(): void {
    if (this.spare === undefined || this.spare.length < this.head + this.chunkSize) {
      this.spare = new Uint8Array(this.head + this.chunkSize);
    }
    const ahead = this.src.read(this.spare, this.head, this.chunkSize);
    // A failed read is reported when the walk gets to it; until then it is not unhandled.
    ahead.catch(() => {});
    this.ahead = ahead;
  }

  /**
   * Joins the chunk read ahead (`n` bytes at `head` in the spare buffer) to the unconsumed
   * tail: the tail is copied into the room before the chunk and the buffers trade places,
   * or, for a tail longer than that room, the chunk is copied behind the tail.
   */
  private takeAhead(n: number): void {
    const spare = this.spare!;
    if (n === 0) {
      this.eof = true;
      return;
    }
    const tail = this.end - this.pos;
    if (tail <= this.head) {
      const at = this.head - tail;
      spare.set(this.buf.subarray(this.pos, this.end), at);
      this.spare = this.buf;
      this.buf = spare;
      this.view = new DataView(spare.buffer);
      this.base += this.pos - at;
      this.pos = at;
      this.end = this.head + n;
      return;
    }
    if (tail + n > this.buf.length) {
      const bigger = new Uint8Array(tail + n);
      bigger.set(this.buf.subarray(this.pos, this.end));
      this.buf = bigger;
      this.view = new DataView(bigger.buffer);
    } else {
      this.buf.copyWithin(0, this.pos, this.end);
    }
    this.buf.set(spare.subarray(this.head, this.head + n), tail);
    this.base += this.pos;
    this.pos = 0;
    this.end = tail + n;
  }

  requestYield(): void {
    this.yieldWanted = true;
  }

  async forEach(cb: (rec: PacketRecord) => void): Promise<ReadSummary> {
    if (this.used || this.closed) throw new CaptureError(CaptureErrorCodes.IO, 'the capture has already been read');
    this.used = true;
    try {
      for (;;) {
        if (this.damage !== undefined) break;
        if (this.readAhead && !this.eof && this.ahead === undefined) this.startAhead();
        if (this.format === 'pcap') this.walkPcap(cb);
        else this.walkPcapng(cb);
        if (this.damage !== undefined) break;
        if (this.yieldWanted) {
          this.yieldWanted = false;
          await new Promise<void>((resolve) => setImmediate(resolve));
          continue;
        }
        let more: boolean;
        try {
          more = await this.fill(this.need);
        } catch (e) {
          const what = this.compressed ? `gzip: ${ioMessage(e)}` : `read error: ${ioMessage(e)}`;
          this.setDamage(this.pos, `${what} after ${this.base + this.end}${this.compressed ? ' decompressed' : ''} bytes`);
          break;
        }
        if (!more) {
          this.endOfInput();
          break;
        }
      }
    } finally {
      await this.close();
    }
    const summary: ReadSummary = { packets: this.packets, bytes: this.bytes };
    if (this.damage !== undefined) summary.damage = this.damage;
    return summary;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ahead !== undefined) {
      // The handle is not closed under a read in flight; its outcome no longer matters.
      await this.ahead.catch(() => {});
      this.ahead = undefined;
    }
    await this.src.close();
  }

  private setDamage(at: number, message: string): void {
    this.damage = { offset: this.base + at, message };
  }

  /** The source ended with `need` bytes wanted: a clean end only between records. */
  private endOfInput(): void {
    const avail = this.end - this.pos;
    if (avail === 0) return;
    if (this.format === 'pcap') {
      if (avail < PCAP_RECORD_HEADER) {
        this.setDamage(this.pos, `truncated dump file; tried to read ${PCAP_RECORD_HEADER} header bytes, only got ${avail}`);
      } else {
        this.setDamage(this.pos, `truncated dump file; tried to read ${this.need - PCAP_RECORD_HEADER} captured bytes, only got ${avail - PCAP_RECORD_HEADER}`);
      }
    } else if (avail < BLOCK_HEADER) {
      this.setDamage(this.pos, `truncated pcapng dump file; tried to read ${BLOCK_HEADER} block header bytes, only got ${avail}`);
    } else {
      this.setDamage(this.pos, `truncated pcapng dump file; tried to read ${this.need - BLOCK_HEADER} block bytes, only got ${avail - BLOCK_HEADER}`);
    }
  }

  /**
   * Delivers every whole pcap record in the buffer; sets `need` or `damage` where it stops.
   * A record longer than the file's snaplen but within MAX_CAPLEN is delivered as written,
   * as Wireshark does (libpcap would cut it to the snaplen).
   */
  private walkPcap(cb: (rec: PacketRecord) => void): void {
    const b = this.buf;
    const v = this.view;
    const le = this.le;
    const end = this.end;
    const rec = this.rec;
    const fracToNsec = this.fracToNsec;
    rec.data = b;
    rec.linktype = this.linktype;
    rec.interfaceId = -1;
    rec.direction = 0;
    let p = this.pos;
    for (;;) {
      const avail = end - p;
      if (avail < PCAP_RECORD_HEADER) {
        this.need = PCAP_RECORD_HEADER;
        break;
      }
      const caplen = v.getUint32(p + 8, le);
      if (caplen > MAX_CAPLEN) {
        this.pos = p;
        this.setDamage(p, `invalid packet capture length ${caplen}, bigger than maximum of ${MAX_CAPLEN}`);
        return;
      }
      if (avail - PCAP_RECORD_HEADER < caplen) {
        this.need = PCAP_RECORD_HEADER + caplen;
        break;
      }
      rec.number = this.numberBefore + ++this.packets;
      rec.tsSec = v.getUint32(p, le);
      rec.tsNsec = v.getUint32(p + 4, le) * fracToNsec;
      rec.offset = p + PCAP_RECORD_HEADER;
      rec.caplen = caplen;
      rec.origlen = v.getUint32(p + 12, le);
      this.bytes += caplen;
      p += PCAP_RECORD_HEADER + caplen;
      this.pos = p;
      cb(rec);
      if (this.yieldWanted) break;
    }
    this.pos = p;
  }

  /**
   * Walks whole pcapng blocks in the buffer, delivering packets to `cb`; without `cb` it
   * stops before the first packet block (the look-ahead at open).
   */
  private walkPcapng(cb: ((rec: PacketRecord) => void) | undefined): void {
    const b = this.buf;
    const v = this.view;
    const end = this.end;
    const rec = this.rec;
    rec.data = b;
    let le = this.le;
    let p = this.pos;
    for (;;) {
      const avail = end - p;
      if (avail < BLOCK_HEADER) {
        this.need = BLOCK_HEADER;
        break;
      }
      const type = v.getUint32(p, le);
      if (type === BT_SHB) {
        // The block type reads the same in both byte orders; the magic after the length
        // says which order the whole section is in.
        if (avail < BLOCK_MIN) {
          this.need = BLOCK_MIN;
          break;
        }
        const bom = v.getUint32(p + 8, true);
        if (bom === BYTE_ORDER_MAGIC) le = true;
        else if (v.getUint32(p + 8, false) === BYTE_ORDER_MAGIC) le = false;
        else {
          this.pos = p;
          this.setDamage(p, `pcapng section header block at offset ${this.base + p} has an unknown byte-order magic ${hex32(bom)}`);
          return;
        }
      }
      const len = v.getUint32(p + 4, le);
      const lengthProblem = blockLengthProblem(this.base + p, len);
      if (lengthProblem !== undefined) {
        this.pos = p;
        this.setDamage(p, lengthProblem);
        return;
      }
      if (avail < len) {
        this.need = len;
        break;
      }
      const trailer = v.getUint32(p + len - 4, le);
      if (trailer !== len) {
        this.pos = p;
        this.setDamage(p, `pcapng block at offset ${this.base + p} has total length ${len} but ${trailer} in its trailer`);
        return;
      }
      let problem: string | undefined;
      if (type === BT_EPB || type === BT_SPB || type === BT_PB) {
        if (cb === undefined) break;
        problem = this.packetBlock(type, p, len, le);
        if (problem === undefined) {
          this.pos = p + len;
          cb(rec);
          if (this.yieldWanted) return;
        }
      } else if (type === BT_IDB) {
        problem = this.interfaceBlock(p, len, le);
      } else if (type === BT_SHB) {
        problem = this.sectionHeader(p, len, le);
        if (problem === undefined) this.le = le;
      }
      // Any other block (statistics, name resolution, decryption secrets, custom...) is
      // skipped by its length, as the format intends.
      if (problem !== undefined) {
        this.pos = p;
        this.setDamage(p, problem);
        return;
      }
      p += len;
    }
    this.pos = p;
  }

  /** A section header block (already length-checked): starts a new section. */
  private sectionHeader(p: number, len: number, le: boolean): string | undefined {
    const v = this.view;
    const at = this.base + p;
    if (len < SHB_MIN) return `pcapng section header block at offset ${at} has total length ${len}, less than ${SHB_MIN}`;
    const major = v.getUint16(p + 12, le);
    const minor = v.getUint16(p + 14, le);
    // libpcap accepts 1.0, and 1.2 which some writers put; a different major version is a
    // different format.
    if (major !== 1) return `unsupported pcapng savefile version ${major}.${minor} in the section header block at offset ${at}`;
    this.sections++;
    this.sectionBase = this.interfaces.length;
    this.sectionInterfaces = 0;
    return undefined;
  }

  /** An interface description block: link type, snaplen, if_name, if_tsresol, if_tsoffset. */
  private interfaceBlock(p: number, len: number, le: boolean): string | undefined {
    const v = this.view;
    const at = this.base + p;
    if (len < IDB_MIN) return `pcapng interface description block at offset ${at} has total length ${len}, less than ${IDB_MIN}`;
    const linktype = v.getUint16(p + 8, le);
    const snaplen = v.getUint32(p + 12, le);
    let name: string | undefined;
    let tsresol = DEFAULT_TSRESOL;
    let offsetSec = 0;
    const stop = p + len - 4;
    let o = p + 16;
    while (stop - o >= 4) {
      const code = v.getUint16(o, le);
      const olen = v.getUint16(o + 2, le);
      if (code === OPT_ENDOFOPT) break;
      if (olen > stop - o - 4) {
        return `pcapng interface description block at offset ${at} has option ${code} of length ${olen} at offset ${this.base + o}, past the end of the block`;
      }
      const value = o + 4;
      if (code === OPT_IF_NAME) {
        let n = olen;
        while (n > 0 && this.buf[value + n - 1] === 0) n--;
        name = new TextDecoder().decode(this.buf.subarray(value, value + n));
      } else if (code === OPT_IF_TSRESOL) {
        if (olen !== 1) return `pcapng interface description block at offset ${at} has an if_tsresol option of length ${olen}, not 1`;
        tsresol = this.buf[value]!;
        // 10^-19 and 2^-63 are the finest resolutions whose tick count fits 64 bits, as in
        // libpcap's check of if_tsresol.
        const exp = tsresol & 0x7f;
        if ((tsresol & 0x80) !== 0 ? exp > 63 : exp > 19) {
          return `pcapng interface description block at offset ${at} has an if_tsresol of ${(tsresol & 0x80) !== 0 ? '2' : '10'}^-${exp}, too fine for 64-bit timestamps`;
        }
      } else if (code === OPT_IF_TSOFFSET) {
        if (olen !== 8) return `pcapng interface description block at offset ${at} has an if_tsoffset option of length ${olen}, not 8`;
        offsetSec = Number(v.getBigInt64(value, le));
      }
      o = value + pad4(olen);
    }
    const scale = timescale(tsresol, offsetSec);
    this.scales.push(scale);
    this.interfaces.push({
      id: this.interfaces.length,
      name,
      linktype,
      snaplen,
      tsResolution: Number.isSafeInteger(scale.ticks) ? scale.ticks : scale.ticksBig,
      tsOffsetSec: offsetSec,
    });
    this.sectionInterfaces++;
    return undefined;
  }

  /** Fills the record from an enhanced, simple or obsolete packet block, or names what is wrong. */
  private packetBlock(type: number, p: number, len: number, le: boolean): string | undefined {
    const v = this.view;
    const rec = this.rec;
    const at = this.base + p;
    let ifid: number;
    let caplen: number;
    let origlen: number;
    let dataAt: number;
    let direction = 0;
    if (type === BT_SPB) {
      if (len < SPB_MIN) return `pcapng simple packet block at offset ${at} has total length ${len}, less than ${SPB_MIN}`;
      if (this.sectionInterfaces === 0) return `pcapng simple packet block at offset ${at} comes before any interface description block`;
      // The captured length is not stored: it is the original length cut to interface 0's
      // snaplen (0 meaning none), and it must fit the block.
      ifid = 0;
      origlen = v.getUint32(p + 8, le);
      const snaplen = this.interfaces[this.sectionBase]!.snaplen;
      caplen = snaplen !== 0 && origlen > snaplen ? snaplen : origlen;
      if (caplen > len - SPB_MIN) {
        return `pcapng simple packet block at offset ${at} needs ${caplen} captured bytes but its total length ${len} leaves room for ${len - SPB_MIN}`;
      }
      dataAt = p + 12;
      rec.tsSec = 0;
      rec.tsNsec = 0;
    } else {
      const name = type === BT_EPB ? 'enhanced packet block' : 'packet block';
      const min = type === BT_EPB ? EPB_MIN : PB_MIN;
      if (len < min) return `pcapng ${name} at offset ${at} has total length ${len}, less than ${min}`;
      ifid = type === BT_EPB ? v.getUint32(p + 8, le) : v.getUint16(p + 8, le);
      caplen = v.getUint32(p + 20, le);
      origlen = v.getUint32(p + 24, le);
      if (ifid >= this.sectionInterfaces) {
        return `pcapng ${name} at offset ${at} is on interface ${ifid}, but the section has ${this.sectionInterfaces} interface description block(s)`;
      }
      if (caplen > len - min) {
        return `pcapng ${name} at offset ${at} has caplen ${caplen} but its total length ${len} leaves room for ${len - min}`;
      }
      dataAt = p + 28;
      tsToSecNsec(v.getUint32(p + 12, le), v.getUint32(p + 16, le), this.scales[this.sectionBase + ifid]!);
      rec.tsSec = converted.sec;
      rec.tsNsec = converted.nsec;
      direction = packetFlagsDirection(v, dataAt + pad4(caplen), p + len - 4, le);
    }
    if (caplen > MAX_CAPLEN) return `invalid packet capture length ${caplen}, bigger than maximum of ${MAX_CAPLEN}`;
    const iface = this.interfaces[this.sectionBase + ifid]!;
    rec.number = this.numberBefore + ++this.packets;
    rec.offset = dataAt;
    rec.caplen = caplen;
    rec.origlen = origlen;
    rec.linktype = iface.linktype;
    rec.interfaceId = iface.id;
    rec.direction = direction as 0 | 1 | 2;
    this.bytes += caplen;
    return undefined;
  }
}

/** Why a pcapng block's total length cannot be right, or undefined. */
function blockLengthProblem(at: number, len: number): string | undefined {
  if (len % 4 !== 0) return `pcapng block at offset ${at} has total length ${len}, not a multiple of 4`;
  if (len < BLOCK_MIN) return `pcapng block at offset ${at} has total length ${len}, less than ${BLOCK_MIN}`;
  if (len > MAX_BLOCK) return `pcapng block at offset ${at} has total length ${len}, bigger than the maximum of ${MAX_BLOCK}`;
  return undefined;
}

/**
 * The direction bits of epb_flags / pack_flags (0 unknown, 1 inbound, 2 outbound). The
 * options of a packet block are read leniently, as libpcap does (it ignores them): a
 * malformed option list only loses the direction, the packet itself is whole.
 */
function packetFlagsDirection(v: DataView, from: number, stop: number, le: boolean): number {
  let o = from;
  while (stop - o >= 4) {
    const code = v.getUint16(o, le);
    const olen = v.getUint16(o + 2, le);
    if (code === OPT_ENDOFOPT || olen > stop - o - 4) return 0;
    if (code === OPT_EPB_FLAGS && olen === 4) {
      const dir = v.getUint32(o + 4, le) & 3;
      return dir === 3 ? 0 : dir;
    }
    o += 4 + pad4(olen);
  }
  return 0;
}
