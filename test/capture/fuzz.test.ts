/**
 * Robustness: thousands of truncated and mutated captures. Every fixture (the bundled real
 * captures and hand-built ones covering every block kind and byte order) is cut at every
 * length, gets random byte flips, and gets absurd values in each length field. Whatever the
 * input: only a CaptureError can come out of openCapture and nothing out of forEach; every
 * packet handed out lies within the bytes read; the packets before the damage are those of
 * the intact file; the damage offset is within the file, and for a cut file it is exactly
 * the start of the record the cut falls in.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureError, MAX_CAPLEN, openCapture, type PacketRecord, type ReadSummary } from '../../src/capture/index.js';
import { pcapFile, pcapngFile, pseudoBytes, u32Option, type NgBlock } from './build.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CAPTURES = join(ROOT, 'captures');

/** What the test keeps of a packet: a hash of its fields and edge bytes, cheap enough for 10^7 of them. */
function fingerprint(r: PacketRecord): number {
  let h = Math.imul(r.tsSec ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ r.tsNsec, 0xc2b2ae35);
  h = Math.imul(h ^ r.caplen, 0x27d4eb2f);
  h = Math.imul(h ^ r.origlen, 0x165667b1);
  h = Math.imul(h ^ r.interfaceId ^ (r.direction << 8) ^ (r.linktype << 12), 0x85ebca6b);
  if (r.caplen > 0) h = Math.imul(h ^ r.data[r.offset]! ^ (r.data[r.offset + r.caplen - 1]! << 8) ^ (r.data[r.offset + (r.caplen >> 1)]! << 16), 0xc2b2ae35);
  return h >>> 0;
}

/** Whether the first n fingerprints agree (toEqual on 10^5 arrays is too slow to run on every cut). */
function samePrefix(got: number[], want: number[], n: number): boolean {
  if (got.length < n || want.length < n) return false;
  for (let i = 0; i < n; i++) if (got[i] !== want[i]) return false;
  return true;
}

interface Outcome {
  packets: number[];
  summary?: ReadSummary;
  /** The CaptureError openCapture threw. */
  refused?: CaptureError;
}

/**
 * Reads `bytes` checking the invariants that must hold for any input; with `chunkSize` at
 * least the input's length the buffer offsets are file offsets, so packets can be checked
 * to end before the damage. `size` is the decompressed size for gzip, where a damaged
 * trailer is found after the last byte of data.
 */
async function read(bytes: Uint8Array, chunkSize = Math.max(bytes.length, 1), gzipSize?: number): Promise<Outcome> {
  let reader;
  try {
    reader = await openCapture(bytes, { chunkSize });
  } catch (e) {
    if (e instanceof CaptureError) return { packets: [], refused: e };
    throw e;
  }
  const packets: number[] = [];
  let maxEnd = 0;
  const summary = await reader.forEach((r) => {
    if (r.caplen > MAX_CAPLEN || r.offset < 0 || r.offset + r.caplen > r.data.length) throw new Error(`packet ${r.number} outside its buffer`);
    maxEnd = Math.max(maxEnd, r.offset + r.caplen);
    packets.push(fingerprint(r));
  });
  const broken = brokenInvariant(summary, packets.length, maxEnd, bytes.length, chunkSize >= bytes.length, gzipSize);
  if (broken !== undefined) expect({ broken, summary, length: bytes.length, maxEnd }).toBeUndefined();
  return { packets, summary };
}

/** Which invariant of a read is broken, if any (plain checks: expect() is too slow for 10^5 reads). */
function brokenInvariant(summary: ReadSummary, delivered: number, maxEnd: number, length: number, fileOffsets: boolean, gzipSize?: number): string | undefined {
  if (summary.packets !== delivered) return 'packet count';
  const damage = summary.damage;
  if (damage === undefined) return undefined;
  if (damage.offset < 0 || damage.message.length === 0) return 'damage';
  if (gzipSize !== undefined) return damage.offset > gzipSize ? 'damage offset past the end' : undefined;
  if (damage.offset >= length) return 'damage offset past the end';
  if (fileOffsets && maxEnd > damage.offset) return 'packet past the damage';
  return undefined;
}

/** Record layout of an intact fixture, walked independently of the reader. */
interface Layout {
  /** End of the file header (pcap) or of the first section header block (pcapng). */
  headerEnd: number;
  /** End offsets of every record/block, in order. */
  ends: number[];
  /** The length fields that say how far the next record is, and their byte order. */
  lengthFields: { at: number; le: boolean }[];
  /** End offsets of the records/blocks that are packets. */
  packetEnds: number[];
}

function layout(b: Uint8Array): Layout {
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  const ends: number[] = [];
  const packetEnds: number[] = [];
  const lengthFields: { at: number; le: boolean }[] = [];
  if (v.getUint32(0, true) === 0x0a0d0d0a) {
    let le = true;
    for (let p = 0; p < b.length; ) {
      const type = v.getUint32(p, le);
      if (type === 0x0a0d0d0a) le = v.getUint32(p + 8, true) === 0x1a2b3c4d;
      const len = v.getUint32(p + 4, le);
      lengthFields.push({ at: p + 4, le });
      if (type === 6 || type === 2) lengthFields.push({ at: p + 20, le });
      p += len;
      ends.push(p);
      if (type === 6 || type === 3 || type === 2) packetEnds.push(p);
    }
    return { headerEnd: ends[0]!, ends, lengthFields, packetEnds };
  }
  const le = v.getUint32(0, true) === 0xa1b2c3d4 || v.getUint32(0, true) === 0xa1b23c4d;
  for (let p = 24; p < b.length; ) {
    lengthFields.push({ at: p + 8, le });
    p += 16 + v.getUint32(p + 8, le);
    ends.push(p);
    packetEnds.push(p);
  }
  return { headerEnd: 24, ends, lengthFields, packetEnds };
}

const count = (xs: number[], atMost: number): number => xs.filter((x) => x <= atMost).length;

function handBuilt(): [string, Uint8Array][] {
  const frame = (i: number): Uint8Array => pseudoBytes(20 + ((i * 37) % 90), i);
  const ng = pcapngFile([
    {
      le: true,
      shb: { options: [{ code: 3, value: new TextEncoder().encode('fuzz') }] },
      blocks: [
        { kind: 'idb', linktype: 1, snaplen: 64, name: 'eth0', tsresol: 9, tsoffset: 10n },
        { kind: 'idb', linktype: 276, name: 'any', tsresol: 0x80 | 20 },
        ...Array.from({ length: 12 }, (_, i): NgBlock => {
          if (i % 4 === 1) return { kind: 'spb', data: pseudoBytes(64, i), origlen: 200 };
          if (i % 4 === 2) return { kind: 'pb', ifid: 1, ts: BigInt(i) << 20n, data: frame(i), flags: 1 };
          if (i % 4 === 3) return { kind: 'raw', type: 5, body: pseudoBytes(20, i) };
          return { kind: 'epb', ifid: i % 2, ts: 1700000000_000000000n + BigInt(i), data: frame(i), options: [u32Option(true, 2, 2)] };
        }),
      ],
    },
    { le: false, blocks: [{ kind: 'idb', linktype: 101, tsresol: 3 }, ...Array.from({ length: 6 }, (_, i): NgBlock => ({ kind: 'epb', ifid: 0, ts: BigInt(i * 1001), data: frame(i + 50) }))] },
  ]);
  const be = pcapFile(
    Array.from({ length: 15 }, (_, i) => ({ tsSec: 1600000000 + i, tsFrac: i * 77, data: frame(i) })),
    { le: false, nanosecond: true },
  );
  return [
    ['hand-built.pcapng', ng],
    ['hand-built-be-ns.pcap', be],
  ];
}

const bundled: [string, Uint8Array][] = existsSync(CAPTURES)
  ? readdirSync(CAPTURES)
      .filter((f) => /\.(pcap|pcapng)$/.test(f))
      .map((f) => [f, new Uint8Array(readFileSync(join(CAPTURES, f)))])
  : [];
const fixtures: [string, Uint8Array][] = [...handBuilt(), ...bundled];

/** xorshift32: reproducible mutations. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const tally = { cuts: 0, flips: 0, lengths: 0, gzipCuts: 0, files: 0 };
afterAll(() => {
  // Shown with --reporter=verbose; the counts make "thousands" checkable.
  console.log(`capture fuzz: ${tally.cuts} cuts, ${tally.flips} flipped, ${tally.lengths} absurd lengths, ${tally.gzipCuts} gzip cuts, ${tally.files} through files`);
});

describe('capture fuzz', () => {
  it('has the bundled captures and hand-built fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(2);
  });

  it.each(fixtures.map(([n, b]) => [n, b] as const))('%s cut at every length', async (_name, bytes) => {
    const shape = layout(bytes);
    const intact = await read(bytes);
    expect(intact.summary?.damage).toBeUndefined();
    expect(intact.packets).toHaveLength(shape.packetEnds.length);
    // Walks the cuts in order with the record the cut falls in; plain comparisons, and
    // expect() only to report a mismatch (10^5 cuts).
    let record = 0;
    let recordStart = shape.headerEnd;
    let whole = 0;
    for (let cut = 0; cut < bytes.length; cut++) {
      tally.cuts++;
      const got = await read(bytes.subarray(0, cut));
      if (cut < shape.headerEnd) {
        if (!(got.refused instanceof CaptureError)) expect(got, `cut ${cut}`).toHaveProperty('refused');
        continue;
      }
      while (record < shape.ends.length && shape.ends[record]! <= cut) {
        recordStart = shape.ends[record]!;
        if (shape.packetEnds.includes(recordStart)) whole++;
        record++;
      }
      const damage = got.summary!.damage;
      const ok =
        got.packets.length === whole &&
        samePrefix(got.packets, intact.packets, whole) &&
        (recordStart === cut
          ? damage === undefined
          : damage?.offset === recordStart && /^truncated (pcapng )?dump file; tried to read \d+ [a-z ]*bytes, only got \d+$/.test(damage.message));
      if (!ok) expect({ cut, packets: got.packets.length, damage }).toEqual({ cut, packets: whole, damage: recordStart === cut ? undefined : { offset: recordStart, message: 'truncated ...' } });
    }
  });

  it.each(fixtures.map(([n, b]) => [n, b] as const))('%s with random byte flips', async (name, bytes) => {
    const shape = layout(bytes);
    const intact = await read(bytes);
    const random = rng(bytes.length ^ name.length);
    for (let round = 0; round < 400; round++) {
      tally.flips++;
      const m = bytes.slice();
      let firstFlip = m.length;
      const flips = 1 + Math.floor(random() * 8);
      for (let k = 0; k < flips; k++) {
        const at = Math.floor(random() * m.length);
        m[at] = m[at]! ^ (1 + Math.floor(random() * 255));
        firstFlip = Math.min(firstFlip, at);
      }
      const chunkSize = round % 5 === 0 ? 1 + Math.floor(random() * 300) : m.length;
      const got = await read(m, chunkSize);
      if (got.refused) {
        expect(firstFlip, `round ${round}`).toBeLessThan(shape.headerEnd);
        continue;
      }
      const before = count(shape.packetEnds, firstFlip);
      expect(samePrefix(got.packets, intact.packets, before), `round ${round}`).toBe(true);
    }
  });

  it.each(fixtures.map(([n, b]) => [n, b] as const))('%s with absurd values in each length field', async (_name, bytes) => {
    const shape = layout(bytes);
    const intact = await read(bytes);
    const absurd = [0xffffffff, 0xfffffffc, 0x80000000, 0x7fffffff, MAX_CAPLEN + 1, 16 * 1024 * 1024 + 4, 3, 0, 12];
    for (const field of shape.lengthFields) {
      for (const value of absurd) {
        tally.lengths++;
        const m = bytes.slice();
        new DataView(m.buffer).setUint32(field.at, value, field.le);
        const got = await read(m);
        if (got.refused) continue;
        const before = count(shape.packetEnds, field.at);
        expect(samePrefix(got.packets, intact.packets, before), `${value} at ${field.at}`).toBe(true);
        const recordStart = Math.max(...[0, shape.headerEnd, ...shape.ends].filter((e) => e <= field.at));
        if (got.summary!.damage) expect(got.summary!.damage.offset).toBeGreaterThanOrEqual(recordStart);
      }
    }
  });

  it('gzip-compressed capture cut at every length', async () => {
    const [, bytes] = fixtures[0]!;
    const gz = gzipSync(bytes);
    const intact = await read(bytes);
    for (let cut = 0; cut < gz.length; cut++) {
      tally.gzipCuts++;
      const got = await read(gz.subarray(0, cut), 4096, bytes.length);
      if (got.refused) continue;
      expect(samePrefix(got.packets, intact.packets, got.packets.length), `cut ${cut}`).toBe(true);
      expect(got.summary!.damage, `cut ${cut}`).toBeDefined();
    }
  });

  it('damaged files read through the file path as from memory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nfr-cap-fuzz-'));
    try {
      for (const [name, bytes] of fixtures) {
        const random = rng(bytes.length);
        for (let round = 0; round < 25; round++) {
          tally.files++;
          const m = bytes.slice(0, Math.floor(random() * bytes.length) + 1);
          if (round % 2) m[Math.floor(random() * m.length)] ^= 0xff;
          const path = join(dir, `${basename(name)}-${round}`);
          writeFileSync(path, m);
          const fromMemory = await read(m);
          let fromFile: Outcome;
          try {
            const reader = await openCapture(path, { chunkSize: 512 });
            const packets: number[] = [];
            const summary = await reader.forEach((r) => packets.push(fingerprint(r)));
            fromFile = { packets, summary };
          } catch (e) {
            expect(e).toBeInstanceOf(CaptureError);
            fromFile = { packets: [], refused: e as CaptureError };
          }
          expect(fromFile.packets).toEqual(fromMemory.packets);
          expect(fromFile.summary).toEqual(fromMemory.summary);
          expect(fromFile.refused?.message.replace(path, 'capture')).toEqual(fromMemory.refused?.message);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
