/**
 * Builds pcap and pcapng files byte by byte for the reader tests, independently of the
 * writer under test: every field placed by hand from the format specifications, in either
 * byte order, including the odd corners (power-of-2 resolutions, simple and obsolete packet
 * blocks, sections in alternating byte order, unknown blocks).
 */

import { openCapture, type CaptureReader, type OpenCaptureOptions, type ReadSummary } from '../../src/capture/index.js';

export class Bytes {
  private parts: number[] = [];
  constructor(readonly le: boolean) {}
  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.le ? this.u8(v).u8(v >>> 8) : this.u8(v >>> 8).u8(v);
  }
  u32(v: number): this {
    return this.le ? this.u16(v & 0xffff).u16(v >>> 16) : this.u16(v >>> 16).u16(v & 0xffff);
  }
  u64(v: bigint): this {
    const hi = Number((BigInt.asUintN(64, v) >> 32n) & 0xffffffffn);
    const lo = Number(BigInt.asUintN(64, v) & 0xffffffffn);
    return this.le ? this.u32(lo).u32(hi) : this.u32(hi).u32(lo);
  }
  bytes(b: ArrayLike<number>): this {
    for (let i = 0; i < b.length; i++) this.parts.push(b[i]! & 0xff);
    return this;
  }
  pad4(): this {
    while (this.parts.length % 4) this.parts.push(0);
    return this;
  }
  get length(): number {
    return this.parts.length;
  }
  build(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export interface PcapPacket {
  tsSec: number;
  /** Microseconds or nanoseconds as the file's magic says. */
  tsFrac: number;
  data: Uint8Array;
  /** Defaults to data.length. */
  origlen?: number;
}

export interface PcapOptions {
  le?: boolean;
  nanosecond?: boolean;
  snaplen?: number;
  linktype?: number;
  major?: number;
  minor?: number;
}

export function pcapFile(packets: PcapPacket[], opts: PcapOptions = {}): Uint8Array {
  const b = new Bytes(opts.le ?? true);
  b.u32(opts.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4)
    .u16(opts.major ?? 2)
    .u16(opts.minor ?? 4)
    .u32(0)
    .u32(0)
    .u32(opts.snaplen ?? 262144)
    .u32(opts.linktype ?? 1);
  for (const p of packets) b.u32(p.tsSec).u32(p.tsFrac).u32(p.data.length).u32(p.origlen ?? p.data.length).bytes(p.data);
  return b.build();
}

export interface Option {
  code: number;
  value: Uint8Array;
}

function options(b: Bytes, opts: Option[] | undefined): void {
  if (!opts || opts.length === 0) return;
  for (const o of opts) {
    b.u16(o.code).u16(o.value.length).bytes(o.value).pad4();
  }
  b.u16(0).u16(0);
}

/** A block: type, total length, body, total length. */
function block(le: boolean, type: number, body: (b: Bytes) => void): Uint8Array {
  const inner = new Bytes(le);
  body(inner);
  inner.pad4();
  const total = inner.length + 12;
  return new Bytes(le).u32(type).u32(total).bytes(inner.build()).u32(total).build();
}

export type NgBlock =
  | { kind: 'shb'; major?: number; minor?: number; options?: Option[] }
  | { kind: 'idb'; linktype: number; snaplen?: number; name?: string; tsresol?: number; tsoffset?: bigint; options?: Option[] }
  | { kind: 'epb'; ifid: number; ts: bigint; data: Uint8Array; origlen?: number; flags?: number; options?: Option[] }
  | { kind: 'spb'; data: Uint8Array; origlen?: number }
  | { kind: 'pb'; ifid: number; ts: bigint; data: Uint8Array; origlen?: number; flags?: number }
  | { kind: 'raw'; type: number; body: Uint8Array };

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const u8 = (v: number): Uint8Array => Uint8Array.of(v);

export function u32Option(le: boolean, code: number, v: number): Option {
  return { code, value: new Bytes(le).u32(v).build() };
}

export function ngBlock(le: boolean, blk: NgBlock): Uint8Array {
  switch (blk.kind) {
    case 'shb':
      return block(le, 0x0a0d0d0a, (b) => {
        b.u32(0x1a2b3c4d).u16(blk.major ?? 1).u16(blk.minor ?? 0).u64(-1n);
        options(b, blk.options);
      });
    case 'idb':
      return block(le, 1, (b) => {
        b.u16(blk.linktype).u16(0).u32(blk.snaplen ?? 262144);
        const opts: Option[] = [...(blk.options ?? [])];
        if (blk.name !== undefined) opts.push({ code: 2, value: text(blk.name) });
        if (blk.tsresol !== undefined) opts.push({ code: 9, value: u8(blk.tsresol) });
        if (blk.tsoffset !== undefined) opts.push({ code: 14, value: new Bytes(le).u64(blk.tsoffset).build() });
        options(b, opts);
      });
    case 'epb':
      return block(le, 6, (b) => {
        b.u32(blk.ifid)
          .u32(Number(blk.ts >> 32n))
          .u32(Number(blk.ts & 0xffffffffn))
          .u32(blk.data.length)
          .u32(blk.origlen ?? blk.data.length)
          .bytes(blk.data)
          .pad4();
        const opts: Option[] = [...(blk.options ?? [])];
        if (blk.flags !== undefined) opts.push(u32Option(le, 2, blk.flags));
        options(b, opts);
      });
    case 'spb':
      return block(le, 3, (b) => {
        b.u32(blk.origlen ?? blk.data.length).bytes(blk.data);
      });
    case 'pb':
      return block(le, 2, (b) => {
        b.u16(blk.ifid)
          .u16(0)
          .u32(Number(blk.ts >> 32n))
          .u32(Number(blk.ts & 0xffffffffn))
          .u32(blk.data.length)
          .u32(blk.origlen ?? blk.data.length)
          .bytes(blk.data)
          .pad4();
        if (blk.flags !== undefined) options(b, [u32Option(le, 2, blk.flags)]);
      });
    case 'raw':
      return block(le, blk.type, (b) => b.bytes(blk.body));
  }
}

/** A pcapng file: sections, each in its own byte order, each a list of blocks after its SHB. */
export function pcapngFile(sections: { le: boolean; shb?: Omit<Extract<NgBlock, { kind: 'shb' }>, 'kind'>; blocks: NgBlock[] }[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const s of sections) {
    parts.push(ngBlock(s.le, { kind: 'shb', ...s.shb }));
    for (const blk of s.blocks) parts.push(ngBlock(s.le, blk));
  }
  return concat(parts);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Deterministic pseudo-random bytes. */
export function pseudoBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = s & 0xff;
  }
  return out;
}

/** What a test keeps of a packet record (the record itself is reused). */
export interface Got {
  number: number;
  tsSec: number;
  tsNsec: number;
  caplen: number;
  origlen: number;
  linktype: number;
  interfaceId: number;
  direction: number;
  bytes: Uint8Array;
}

/** Reads a whole capture, copying each packet out of the reused record. */
export async function readAll(
  source: string | Uint8Array,
  opts: OpenCaptureOptions = {},
): Promise<{ reader: CaptureReader; summary: ReadSummary; packets: Got[] }> {
  const reader = await openCapture(source, opts);
  const packets: Got[] = [];
  const summary = await reader.forEach((r) => {
    packets.push({
      number: r.number,
      tsSec: r.tsSec,
      tsNsec: r.tsNsec,
      caplen: r.caplen,
      origlen: r.origlen,
      linktype: r.linktype,
      interfaceId: r.interfaceId,
      direction: r.direction,
      bytes: r.data.slice(r.offset, r.offset + r.caplen),
    });
  });
  return { reader, summary, packets };
}
