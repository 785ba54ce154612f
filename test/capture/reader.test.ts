/**
 * The reader on hand-built captures: every pcap magic and byte order, pcapng sections in
 * both byte orders, interface options, every packet block kind, unknown blocks, damage of
 * every kind with libpcap-style messages, records straddling chunks, gzip, memory bounds.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CaptureError, openCapture, PcapWriter, type PacketRecord } from '../../src/capture/index.js';
import { converted, timescale, tsToSecNsec } from '../../src/capture/timescale.js';
import { concat, ngBlock, pcapFile, pcapngFile, pseudoBytes, readAll, u32Option, type NgBlock } from './build.js';

const pkt = (n: number, seed = n): Uint8Array => pseudoBytes(n, seed);

describe('pcap', () => {
  for (const le of [true, false]) {
    for (const nanosecond of [false, true]) {
      it(`reads ${nanosecond ? 'nanosecond' : 'microsecond'} ${le ? 'little' : 'big'}-endian files`, async () => {
        const file = pcapFile(
          [
            { tsSec: 1700000000, tsFrac: 123456, data: pkt(60) },
            { tsSec: 1700000001, tsFrac: 999999, data: pkt(14), origlen: 1514 },
            { tsSec: 4294967295, tsFrac: 0, data: new Uint8Array(0), origlen: 0 },
          ],
          { le, nanosecond, linktype: 113, snaplen: 96 },
        );
        const { reader, summary, packets } = await readAll(file);
        expect(reader.format).toBe('pcap');
        expect(reader.version).toBe('2.4');
        expect(reader.byteOrder).toBe(le ? 'little-endian' : 'big-endian');
        expect(reader.interfaces).toEqual([
          { id: -1, name: undefined, linktype: 113, snaplen: 96, tsResolution: nanosecond ? 1e9 : 1e6, tsOffsetSec: 0 },
        ]);
        expect(summary).toEqual({ packets: 3, bytes: 74 });
        const mul = nanosecond ? 1 : 1000;
        expect(packets.map((p) => [p.number, p.tsSec, p.tsNsec, p.caplen, p.origlen, p.linktype, p.interfaceId, p.direction])).toEqual([
          [1, 1700000000, 123456 * mul, 60, 60, 113, -1, 0],
          [2, 1700000001, 999999 * mul, 14, 1514, 113, -1, 0],
          [3, 4294967295, 0, 0, 0, 113, -1, 0],
        ]);
        expect(packets[0]!.bytes).toEqual(pkt(60));
        expect(packets[1]!.bytes).toEqual(pkt(14));
      });
    }
  }

  it('masks the FCS bits out of the link type (LT_LINKTYPE)', async () => {
    const { reader } = await readAll(pcapFile([], { linktype: 0x10000000 | 0x04000000 | 1 }));
    expect(reader.interfaces[0]!.linktype).toBe(1);
  });

  it('accepts versions 2.0 to 2.4 and refuses others as libpcap does', async () => {
    for (const minor of [0, 2, 3]) expect((await readAll(pcapFile([], { minor }))).reader.version).toBe(`2.${minor}`);
    await expect(openCapture(pcapFile([], { major: 1, minor: 0 }))).rejects.toThrow(/archaic pcap savefile format/);
    await expect(openCapture(pcapFile([], { major: 2, minor: 5 }))).rejects.toThrow(/unsupported pcap savefile version 2\.5/);
    await expect(openCapture(pcapFile([], { major: 3, minor: 0 }))).rejects.toThrow(/unsupported pcap savefile version 3\.0/);
  });

  it('refuses what is not a capture, with the code and the magic', async () => {
    const err = await openCapture(new TextEncoder().encode('*filter\nCOMMIT\n')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaptureError);
    expect(err).toMatchObject({ code: 'NFR_ERR_CAPTURE_FORMAT', message: expect.stringMatching(/unknown file format \(magic 0x2a66696c\)/) });
  });

  it('refuses a short file header with the counts', async () => {
    await expect(openCapture(new Uint8Array(0))).rejects.toThrow('truncated dump file; tried to read 4 file header bytes, only got 0');
    await expect(openCapture(pcapFile([]).subarray(0, 11))).rejects.toThrow('truncated dump file; tried to read 20 file header bytes, only got 7');
  });

  it('reports a truncated record header like tcpdump', async () => {
    const file = pcapFile([{ tsSec: 1, tsFrac: 2, data: pkt(40) }, { tsSec: 3, tsFrac: 4, data: pkt(40) }]);
    const { summary, packets } = await readAll(file.subarray(0, 24 + 56 + 7));
    expect(packets).toHaveLength(1);
    expect(summary.damage).toEqual({ offset: 80, message: 'truncated dump file; tried to read 16 header bytes, only got 7' });
  });

  it('reports truncated packet data like tcpdump', async () => {
    const file = pcapFile([{ tsSec: 1, tsFrac: 2, data: pkt(40) }]);
    const { summary, packets } = await readAll(file.subarray(0, file.length - 1));
    expect(packets).toHaveLength(0);
    expect(summary.damage).toEqual({ offset: 24, message: 'truncated dump file; tried to read 40 captured bytes, only got 39' });
  });

  it('stops at an absurd captured length instead of allocating for it', async () => {
    const file = pcapFile([{ tsSec: 1, tsFrac: 2, data: pkt(40) }, { tsSec: 1, tsFrac: 2, data: pkt(40) }]);
    new DataView(file.buffer).setUint32(24 + 56 + 8, 262145, true);
    const { summary, packets } = await readAll(file);
    expect(packets).toHaveLength(1);
    expect(summary.damage).toEqual({ offset: 80, message: 'invalid packet capture length 262145, bigger than maximum of 262144' });
  });

  it('accepts a packet of exactly 256 KiB', async () => {
    const { summary, packets } = await readAll(pcapFile([{ tsSec: 1, tsFrac: 0, data: pkt(262144) }]));
    expect(summary.damage).toBeUndefined();
    expect(packets[0]!.bytes).toEqual(pkt(262144));
  });
});

const tsNs = 1700000000_123456789n;

describe('pcapng', () => {
  for (const le of [true, false]) {
    it(`reads a ${le ? 'little' : 'big'}-endian section: interfaces, options, every packet block`, async () => {
      const file = pcapngFile([
        {
          le,
          shb: { options: [{ code: 4, value: new TextEncoder().encode('Linux 6.1') }] },
          blocks: [
            { kind: 'idb', linktype: 1, snaplen: 128, name: 'veth0', tsresol: 9 },
            { kind: 'idb', linktype: 276, snaplen: 0, name: 'any' },
            { kind: 'epb', ifid: 0, ts: tsNs, data: pkt(61), origlen: 1514, flags: 1 },
            { kind: 'raw', type: 5, body: new Uint8Array(24) }, // interface statistics
            { kind: 'epb', ifid: 1, ts: 1700000000_654321n, data: pkt(33), flags: 2 },
            { kind: 'raw', type: 4, body: new Uint8Array(8) }, // name resolution
            { kind: 'spb', data: pkt(128), origlen: 1000 },
            { kind: 'pb', ifid: 1, ts: 1700000005_000001n, data: pkt(20), flags: 2 },
            { kind: 'raw', type: 0x40000bad, body: pkt(17) }, // custom, not to be copied
            { kind: 'epb', ifid: 0, ts: tsNs, data: pkt(10), flags: 3 },
          ],
        },
      ]);
      const { reader, summary, packets } = await readAll(file);
      expect(reader.format).toBe('pcapng');
      expect(reader.version).toBe('1.0');
      expect(reader.byteOrder).toBe(le ? 'little-endian' : 'big-endian');
      expect(reader.sections).toBe(1);
      expect(reader.interfaces).toEqual([
        { id: 0, name: 'veth0', linktype: 1, snaplen: 128, tsResolution: 1e9, tsOffsetSec: 0 },
        { id: 1, name: 'any', linktype: 276, snaplen: 0, tsResolution: 1e6, tsOffsetSec: 0 },
      ]);
      expect(summary).toEqual({ packets: 5, bytes: 61 + 33 + 128 + 20 + 10 });
      expect(packets.map((p) => [p.number, p.tsSec, p.tsNsec, p.caplen, p.origlen, p.linktype, p.interfaceId, p.direction])).toEqual([
        [1, 1700000000, 123456789, 61, 1514, 1, 0, 1],
        [2, 1700000000, 654321000, 33, 33, 276, 1, 2],
        // SPB: no timestamp; captured length = original length cut to interface 0's snaplen.
        [3, 0, 0, 128, 1000, 1, 0, 0],
        [4, 1700000005, 1000, 20, 20, 276, 1, 2],
        // Direction bits 3 are not a direction.
        [5, 1700000000, 123456789, 10, 10, 1, 0, 0],
      ]);
      expect(packets[0]!.bytes).toEqual(pkt(61));
      expect(packets[2]!.bytes).toEqual(pkt(128));
    });
  }

  it('numbers interfaces on across sections of different byte orders', async () => {
    const file = pcapngFile([
      { le: true, blocks: [{ kind: 'idb', linktype: 1, name: 'a' }, { kind: 'epb', ifid: 0, ts: 1_000000n, data: pkt(20) }] },
      {
        le: false,
        blocks: [
          { kind: 'idb', linktype: 101, name: 'b' },
          { kind: 'idb', linktype: 113, name: 'c', tsresol: 3 },
          { kind: 'epb', ifid: 1, ts: 2_500n, data: pkt(21) },
          { kind: 'epb', ifid: 0, ts: 3_000000n, data: pkt(22) },
        ],
      },
      { le: true, blocks: [{ kind: 'idb', linktype: 228 }, { kind: 'epb', ifid: 0, ts: 4_000000n, data: pkt(23) }] },
    ]);
    const { reader, summary, packets } = await readAll(file);
    expect(summary.damage).toBeUndefined();
    expect(reader.sections).toBe(3);
    expect(reader.interfaces.map((i) => [i.id, i.name, i.linktype])).toEqual([
      [0, 'a', 1],
      [1, 'b', 101],
      [2, 'c', 113],
      [3, undefined, 228],
    ]);
    expect(packets.map((p) => [p.number, p.interfaceId, p.linktype, p.tsSec, p.tsNsec, p.caplen])).toEqual([
      [1, 0, 1, 1, 0, 20],
      [2, 2, 113, 2, 500_000_000, 21],
      [3, 1, 101, 3, 0, 22],
      [4, 3, 228, 4, 0, 23],
    ]);
  });

  it('converts timestamps at power-of-2 resolutions and applies if_tsoffset', async () => {
    const file = pcapngFile([
      {
        le: true,
        blocks: [
          { kind: 'idb', linktype: 1, tsresol: 0x80 | 10, tsoffset: 1000n },
          { kind: 'idb', linktype: 1, tsresol: 0x80 | 0 },
          { kind: 'idb', linktype: 1, tsresol: 0x80 | 40 },
          { kind: 'idb', linktype: 1, tsresol: 19 },
          { kind: 'epb', ifid: 0, ts: 5n * 1024n + 512n, data: pkt(1) },
          { kind: 'epb', ifid: 1, ts: 7n, data: pkt(1) },
          { kind: 'epb', ifid: 2, ts: (3n << 40n) + (1n << 39n), data: pkt(1) },
          { kind: 'epb', ifid: 3, ts: 18446744073709551615n, data: pkt(1) },
        ],
      },
    ]);
    const { reader, packets } = await readAll(file);
    expect(reader.interfaces.map((i) => [i.tsResolution, i.tsOffsetSec])).toEqual([
      [1024, 1000],
      [1, 0],
      [2 ** 40, 0],
      [10n ** 19n, 0],
    ]);
    expect(packets.map((p) => [p.tsSec, p.tsNsec])).toEqual([
      [1005, 500_000_000],
      [7, 0],
      [3, 500_000_000],
      [1, 844674407],
    ]);
  });

  it('refuses if_tsresol beyond 64-bit ticks, as damage at the interface block', async () => {
    const shb = ngBlock(true, { kind: 'shb' });
    const file = concat([shb, ngBlock(true, { kind: 'idb', linktype: 1, tsresol: 20 })]);
    const { summary } = await readAll(file);
    expect(summary.damage).toEqual({
      offset: shb.length,
      message: `pcapng interface description block at offset ${shb.length} has an if_tsresol of 10^-20, too fine for 64-bit timestamps`,
    });
  });

  it('reads the interface blocks ahead so interfaces are known right after open', async () => {
    const reader = await openCapture(
      pcapngFile([{ le: true, blocks: [{ kind: 'idb', linktype: 276, name: 'any' }, { kind: 'epb', ifid: 0, ts: 0n, data: pkt(4) }] }]),
    );
    expect(reader.interfaces.map((i) => i.name)).toEqual(['any']);
    expect((await reader.forEach(() => {})).packets).toBe(1);
  });

  const shb = ngBlock(true, { kind: 'shb' });
  const idb = ngBlock(true, { kind: 'idb', linktype: 1 });
  const epb = ngBlock(true, { kind: 'epb', ifid: 0, ts: 0n, data: pkt(40) });
  const head = concat([shb, idb, epb]);
  /** A file of one good packet then `bad`, the damage expected at `head.length`. */
  async function damaged(bad: Uint8Array): Promise<string | undefined> {
    const { summary, packets } = await readAll(concat([head, bad]));
    expect(packets).toHaveLength(1);
    expect(summary.damage?.offset).toBe(head.length);
    return summary.damage?.message;
  }
  const at = head.length;
  const withLength = (b: Uint8Array, len: number, trailer = len): Uint8Array => {
    const c = b.slice();
    new DataView(c.buffer).setUint32(4, len, true);
    new DataView(c.buffer).setUint32(c.length - 4, trailer, true);
    return c;
  };

  it('names block lengths that cannot be right', async () => {
    expect(await damaged(withLength(epb, 3))).toBe(`pcapng block at offset ${at} has total length 3, not a multiple of 4`);
    expect(await damaged(withLength(epb, 8))).toBe(`pcapng block at offset ${at} has total length 8, less than 12`);
    expect(await damaged(withLength(epb, 0xfffffffc))).toBe(`pcapng block at offset ${at} has total length 4294967292, bigger than the maximum of 16777216`);
    expect(await damaged(withLength(epb, epb.length, 64))).toBe(`pcapng block at offset ${at} has total length ${epb.length} but 64 in its trailer`);
  });

  it('names packet blocks that do not fit', async () => {
    const shortEpb = ngBlock(true, { kind: 'raw', type: 6, body: new Uint8Array(16) });
    expect(await damaged(shortEpb)).toBe(`pcapng enhanced packet block at offset ${at} has total length 28, less than 32`);
    const big = epb.slice();
    new DataView(big.buffer).setUint32(20, 41, true);
    expect(await damaged(big)).toBe(`pcapng enhanced packet block at offset ${at} has caplen 41 but its total length ${epb.length} leaves room for 40`);
    const noIf = epb.slice();
    new DataView(noIf.buffer).setUint32(8, 1, true);
    expect(await damaged(noIf)).toBe(`pcapng enhanced packet block at offset ${at} is on interface 1, but the section has 1 interface description block(s)`);
    const huge = ngBlock(true, { kind: 'epb', ifid: 0, ts: 0n, data: new Uint8Array(262148) });
    new DataView(huge.buffer).setUint32(20, 262145, true);
    expect(await damaged(huge)).toBe('invalid packet capture length 262145, bigger than maximum of 262144');
    const spb = ngBlock(true, { kind: 'spb', data: pkt(8), origlen: 100 });
    expect(await damaged(spb)).toBe(`pcapng simple packet block at offset ${at} needs 100 captured bytes but its total length 24 leaves room for 8`);
  });

  it('refuses a simple packet block before any interface', async () => {
    const { summary } = await readAll(concat([shb, ngBlock(true, { kind: 'spb', data: pkt(8) })]));
    expect(summary.damage?.message).toBe(`pcapng simple packet block at offset ${shb.length} comes before any interface description block`);
  });

  it('names damaged interface options and section headers', async () => {
    const idbBad = ngBlock(true, { kind: 'idb', linktype: 1, options: [{ code: 9, value: Uint8Array.of(6, 6) }] });
    expect(await damaged(idbBad)).toBe(`pcapng interface description block at offset ${at} has an if_tsresol option of length 2, not 1`);
    const idbOverrun = ngBlock(true, { kind: 'idb', linktype: 1, name: 'eth0' });
    new DataView(idbOverrun.buffer).setUint16(18, 200, true);
    expect(await damaged(idbOverrun)).toBe(`pcapng interface description block at offset ${at} has option 2 of length 200 at offset ${at + 16}, past the end of the block`);
    const v2 = ngBlock(false, { kind: 'shb', major: 2 });
    expect(await damaged(v2)).toBe(`unsupported pcapng savefile version 2.0 in the section header block at offset ${at}`);
    const badBom = shb.slice();
    badBom[8] = 0;
    expect(await damaged(badBom)).toBe(`pcapng section header block at offset ${at} has an unknown byte-order magic 0x1a2b3c00`);
  });

  it('ignores malformed packet options: the packet is whole, its direction unknown', async () => {
    const e = ngBlock(true, { kind: 'epb', ifid: 0, ts: 0n, data: pkt(4), options: [u32Option(true, 2, 1)] });
    new DataView(e.buffer).setUint16(28 + 4 + 2, 400, true);
    const { summary, packets } = await readAll(concat([shb, idb, e]));
    expect(summary.damage).toBeUndefined();
    expect(packets.map((p) => [p.caplen, p.direction])).toEqual([[4, 0]]);
  });

  it('reports truncation inside a block with libpcap-style counts', async () => {
    const { summary } = await readAll(concat([head, epb.subarray(0, 5)]));
    expect(summary.damage).toEqual({ offset: at, message: 'truncated pcapng dump file; tried to read 8 block header bytes, only got 5' });
    const cut = await readAll(concat([head, epb.subarray(0, 30)]));
    expect(cut.summary.damage).toEqual({ offset: at, message: `truncated pcapng dump file; tried to read ${epb.length - 8} block bytes, only got 22` });
  });

  it('refuses a file whose first section header is damaged', async () => {
    await expect(openCapture(shb.subarray(0, 20))).rejects.toThrow('truncated pcapng dump file; tried to read 20 bytes, only got 12');
    await expect(openCapture(withLength(shb, 30))).rejects.toThrow('pcapng block at offset 0 has total length 30, not a multiple of 4');
    await expect(openCapture(ngBlock(true, { kind: 'shb', major: 2 }))).rejects.toThrow(/unsupported pcapng savefile version 2\.0/);
    const bom = shb.slice();
    bom[9] = 0;
    await expect(openCapture(bom)).rejects.toThrow(/unknown byte-order magic/);
  });

  it('stops before a block bigger than 16 MiB and reads one just under it', async () => {
    const big = (len: number): Uint8Array => {
      const b = new Uint8Array(len);
      const v = new DataView(b.buffer);
      v.setUint32(0, 0x1234, true);
      v.setUint32(4, len, true);
      v.setUint32(len - 4, len, true);
      return b;
    };
    const ok = await readAll(concat([head, big(16 * 1024 * 1024), epb]));
    expect(ok.summary).toEqual({ packets: 2, bytes: 80 });
    const tooBig = await readAll(concat([head, big(16 * 1024 * 1024 + 4), epb]));
    expect(tooBig.summary.damage?.message).toBe(`pcapng block at offset ${at} has total length 16777220, bigger than the maximum of 16777216`);
  });
});

describe('timestamp conversion', () => {
  it('matches exact BigInt arithmetic for every resolution and any 64-bit tick count', () => {
    const resolutions = [...Array.from({ length: 20 }, (_, e) => e), ...Array.from({ length: 64 }, (_, e) => 0x80 | e)];
    fc.assert(
      fc.property(fc.constantFrom(...resolutions), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (tsresol, ticks) => {
        const ts = timescale(tsresol, 0);
        tsToSecNsec(Number(ticks >> 32n), Number(ticks & 0xffffffffn), ts);
        const per = (tsresol & 0x80) !== 0 ? 1n << BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol);
        const sec = ticks / per;
        expect(converted.sec).toBe(Number(sec));
        expect(converted.nsec).toBe(Number(((ticks % per) * 1_000_000_000n) / per));
      }),
      { numRuns: 20000 },
    );
  });

  it('uses the allocation-free path for the resolutions writers use', () => {
    for (const r of [6, 9, 3, 0, 0x80 | 10, 0x80 | 20, 0x80 | 32]) expect(timescale(r, 0).mode).not.toBe(0);
  });
});

describe('chunks, sources and memory', () => {
  const ng = pcapngFile([
    {
      le: false,
      blocks: Array.from({ length: 30 }, (_, i): NgBlock[] => [
        ...(i % 10 === 0 ? [{ kind: 'idb', linktype: 1, tsresol: 9 } as NgBlock] : []),
        { kind: 'epb', ifid: 0, ts: BigInt(i) * 1_000_000_007n, data: pkt(i * 37 + 1, i) },
      ]).flat(),
    },
  ]);
  const pc = pcapFile(Array.from({ length: 40 }, (_, i) => ({ tsSec: i, tsFrac: i * 3, data: pkt(i * 41 + 3, i) })), { le: false });

  for (const [name, file] of [
    ['pcap', pc],
    ['pcapng', ng],
  ] as const) {
    it(`${name}: every chunk size delivers the same packets (records straddling chunks)`, async () => {
      const whole = await readAll(file);
      for (const chunkSize of [1, 2, 3, 7, 16, 61, 256, 1000, 4096]) {
        const got = await readAll(file, { chunkSize });
        expect(got.summary).toEqual(whole.summary);
        expect(got.packets).toEqual(whole.packets);
      }
    });

    it(`${name}: from a file (read ahead), every chunk size and every cut reads as from memory`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'nfr-cap-'));
      try {
        const path = join(dir, 'f');
        writeFileSync(path, file);
        const whole = await readAll(file);
        for (const chunkSize of [7, 61, 1000, 4096]) {
          const got = await readAll(path, { chunkSize });
          expect(got.summary).toEqual(whole.summary);
          expect(got.packets).toEqual(whole.packets);
        }
        for (let cut = 40; cut < file.length; cut += 353) {
          writeFileSync(path, file.subarray(0, cut));
          for (const chunkSize of [509, 4093]) {
            const fromFile = await readAll(path, { chunkSize });
            const fromMemory = await readAll(file.subarray(0, cut), { chunkSize });
            expect(fromFile.summary).toEqual(fromMemory.summary);
            expect(fromFile.packets).toEqual(fromMemory.packets);
          }
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it(`${name}: gzip is detected by magic, in memory, as concatenated members and from a file`, async () => {
      const whole = await readAll(file);
      const gz = await readAll(gzipSync(file));
      expect(gz.reader.compressed).toBe(true);
      expect(gz.packets).toEqual(whole.packets);
      const members = concat([gzipSync(file.subarray(0, 100)), gzipSync(file.subarray(100))]);
      expect((await readAll(members, { chunkSize: 64 })).packets).toEqual(whole.packets);
      const dir = mkdtempSync(join(tmpdir(), 'nfr-cap-'));
      writeFileSync(join(dir, 'f.gz'), gzipSync(file));
      const fromFile = await readAll(join(dir, 'f.gz'));
      expect(fromFile.packets).toEqual(whole.packets);
      expect(fromFile.reader.readBytes).toBe(fromFile.reader.totalBytes);
    });
  }

  it('reports a truncated gzip stream as damage after the packets it held', async () => {
    const big = pcapFile(Array.from({ length: 2000 }, (_, i) => ({ tsSec: i, tsFrac: 0, data: pkt(200, i) })));
    const gz = gzipSync(big);
    const { summary, packets } = await readAll(gz.subarray(0, gz.length >> 1));
    expect(packets.length).toBeGreaterThan(0);
    expect(summary.damage?.message).toMatch(/^gzip: unexpected end of file after \d+ decompressed bytes$/);
    expect(summary.damage!.offset).toBe(24 + packets.length * 216);
  });

  it('reuses one record object and hands out views into its buffer', async () => {
    const reader = await openCapture(pc);
    const seen = new Set<PacketRecord>();
    await reader.forEach((r) => seen.add(r));
    expect(seen.size).toBe(1);
  });

  it('propagates an exception from the callback and closes the source', async () => {
    const reader = await openCapture(pc);
    await expect(
      reader.forEach((r) => {
        if (r.number === 3) throw new Error('stop');
      }),
    ).rejects.toThrow('stop');
    await expect(reader.forEach(() => {})).rejects.toThrow(/already been read/);
  });

  it('reports progress against the file size', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nfr-cap-'));
    const path = join(dir, 'p.pcap');
    writeFileSync(path, pc);
    const reader = await openCapture(path, { chunkSize: 512 });
    expect(reader.totalBytes).toBe(pc.length);
    const progress: number[] = [];
    await reader.forEach(() => progress.push(reader.readBytes));
    expect(progress[0]).toBeLessThan(pc.length);
    expect(reader.readBytes).toBe(pc.length);
  });

  it('lets the event loop run after a record when asked, and delivers every record once, in order', async () => {
    const ng = pcapngFile([{ le: true, blocks: [{ kind: 'idb', linktype: 1 }, ...Array.from({ length: 6 }, (_, i) => ({ kind: 'epb' as const, ifid: 0, ts: BigInt(i), data: pkt(60, i) }))] }]);
    for (const bytes of [pc, ng]) {
      const reader = await openCapture(bytes);
      const seen: string[] = [];
      await reader.forEach((r) => {
        seen.push(`#${r.number}`);
        if (r.number === 2) {
          setImmediate(() => seen.push('tick'));
          reader.requestYield();
        }
      });
      expect(seen.slice(0, 4)).toEqual(['#1', '#2', 'tick', '#3']);
      expect(seen.filter((x) => x !== 'tick')).toEqual(Array.from({ length: seen.length - 1 }, (_, i) => `#${i + 1}`));
    }
  });

  it('names a missing file and a directory with NFR_ERR_IO', async () => {
    await expect(openCapture('/nonexistent/x.pcap')).rejects.toMatchObject({ code: 'NFR_ERR_IO', message: '/nonexistent/x.pcap: No such file or directory' });
    await expect(openCapture(tmpdir())).rejects.toMatchObject({ code: 'NFR_ERR_IO', message: `${tmpdir()}: Is a directory` });
  });

  it('streams a large capture in bounded memory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nfr-cap-'));
    const path = join(dir, 'big.pcap');
    const w = PcapWriter.open(path, { linktype: 1 });
    const data = pkt(1514);
    const rec = { data, offset: 0, caplen: 0, origlen: 0, tsSec: 1700000000, tsNsec: 0 };
    const count = 450_000;
    let size = 24;
    for (let i = 0; i < count; i++) {
      rec.caplen = rec.origlen = i % 4 === 0 ? 1514 : 60 + (i % 200);
      size += 16 + rec.caplen;
      w.write(rec);
    }
    w.close();
    expect(size).toBeGreaterThan(200 * 1024 * 1024);
    const before = process.memoryUsage();
    let peakExternal = 0;
    let peakHeap = 0;
    const reader = await openCapture(path);
    const summary = await reader.forEach((r) => {
      if ((r.number & 0x3fff) === 0) {
        const m = process.memoryUsage();
        peakExternal = Math.max(peakExternal, m.arrayBuffers);
        peakHeap = Math.max(peakHeap, m.heapUsed);
      }
    });
    rmSync(dir, { recursive: true });
    expect(summary.packets).toBe(count);
    // One 8 MiB chunk buffer, whatever the file size.
    expect(peakExternal - before.arrayBuffers).toBeLessThan(24 * 1024 * 1024);
    expect(peakHeap - before.heapUsed).toBeLessThan(32 * 1024 * 1024);
  });
});
