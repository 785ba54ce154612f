/** The pcap writer: round trips through the reader, snaplen, atomic replacement, misuse. */
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureError, PcapWriter } from '../../src/capture/index.js';
import { AtomicFile } from '../../src/cli/replay-outputs.js';
import { pcapFile, pseudoBytes, readAll } from './build.js';

const dir = mkdtempSync(join(tmpdir(), 'nfr-cap-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const packets = Array.from({ length: 50 }, (_, i) => ({
  data: pseudoBytes(40 + i * 13, i),
  tsSec: 1700000000 + i,
  tsNsec: (i * 123456789) % 1e9,
}));

function writeAll(path: string, precision: 'microsecond' | 'nanosecond', snaplen?: number): void {
  const w = PcapWriter.open(path, { linktype: 276, precision, snaplen });
  for (const p of packets) w.write({ data: p.data, offset: 0, caplen: p.data.length, origlen: p.data.length + 4, tsSec: p.tsSec, tsNsec: p.tsNsec });
  expect(w.packets).toBe(packets.length);
  w.close();
}

describe('PcapWriter', () => {
  it('writes a device directly instead of replacing it (here /dev/null, through a link the test owns)', () => {
    const sub = mkdtempSync(join(dir, 'dev-'));
    const link = join(sub, 'out.pcap');
    symlinkSync('/dev/null', link);
    writeAll(link, 'nanosecond');
    const aborted = PcapWriter.open(link, { linktype: 1 });
    aborted.abort();
    // Renaming a temporary file over the target would have replaced the link with a file.
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(statSync(link).isCharacterDevice()).toBe(true);
    expect(readdirSync(sub)).toEqual(['out.pcap']);
  });

  it('so does the text outputs\' AtomicFile, committed or aborted', () => {
    const sub = mkdtempSync(join(dir, 'dev-'));
    const link = join(sub, 'verdicts.jsonl');
    symlinkSync('/dev/null', link);
    for (const end of ['commit', 'abort'] as const) {
      const f = new AtomicFile(link);
      f.write('{"packet":1}\n');
      f[end]();
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(statSync(link).isCharacterDevice()).toBe(true);
      expect(readdirSync(sub)).toEqual(['verdicts.jsonl']);
    }
  });

  it('writes nanosecond pcap that reads back exactly', async () => {
    const path = join(dir, 'ns.pcap');
    writeAll(path, 'nanosecond');
    const { reader, packets: got } = await readAll(path);
    expect(reader.version).toBe('2.4');
    expect(reader.interfaces[0]).toMatchObject({ linktype: 276, snaplen: 262144, tsResolution: 1e9 });
    expect(got.map((g) => [g.tsSec, g.tsNsec, g.caplen, g.origlen])).toEqual(packets.map((p) => [p.tsSec, p.tsNsec, p.data.length, p.data.length + 4]));
    expect(got.map((g) => g.bytes)).toEqual(packets.map((p) => p.data));
  });

  it('writes microsecond pcap byte for byte as libpcap lays it out, truncating the nanoseconds', async () => {
    const path = join(dir, 'us.pcap');
    writeAll(path, 'microsecond');
    const expected = pcapFile(
      packets.map((p) => ({ tsSec: p.tsSec, tsFrac: Math.floor(p.tsNsec / 1000), data: p.data, origlen: p.data.length + 4 })),
      { linktype: 276 },
    );
    expect(new Uint8Array(readFileSync(path))).toEqual(expected);
  });

  it('cuts packets to the snaplen and keeps their original length', async () => {
    const path = join(dir, 'snap.pcap');
    writeAll(path, 'microsecond', 64);
    const { reader, packets: got } = await readAll(path);
    expect(reader.interfaces[0]!.snaplen).toBe(64);
    expect(got.map((g) => [g.caplen, g.origlen])).toEqual(packets.map((p) => [Math.min(64, p.data.length), p.data.length + 4]));
    expect(got[10]!.bytes).toEqual(packets[10]!.data.subarray(0, 64));
  });

  it('writes a record from an offset inside a larger buffer (a reader record)', async () => {
    const path = join(dir, 'offset.pcap');
    const chunk = pseudoBytes(1000, 9);
    const w = PcapWriter.open(path, { linktype: 1 });
    w.write({ data: chunk, offset: 100, caplen: 60, origlen: 60, tsSec: 1, tsNsec: 999_999_999 });
    w.close();
    const { packets: got } = await readAll(path);
    expect(got[0]).toMatchObject({ tsSec: 1, tsNsec: 999_999_000, caplen: 60 });
    expect(got[0]!.bytes).toEqual(chunk.subarray(100, 160));
  });

  it('replaces the target only on close, and abort leaves it as it was', () => {
    const path = join(dir, 'atomic.pcap');
    writeFileSync(path, 'previous');
    const w = PcapWriter.open(path, { linktype: 1 });
    for (let i = 0; i < 20000; i++) w.write({ data: pseudoBytes(100, i), offset: 0, caplen: 100, origlen: 100, tsSec: i, tsNsec: 0 });
    expect(readFileSync(path, 'utf8')).toBe('previous');
    w.close();
    expect(readFileSync(path).length).toBe(24 + 20000 * 116);
    const a = PcapWriter.open(path, { linktype: 1 });
    a.write({ data: pseudoBytes(100, 1), offset: 0, caplen: 100, origlen: 100, tsSec: 1, tsNsec: 0 });
    a.abort();
    expect(readFileSync(path).length).toBe(24 + 20000 * 116);
    const fresh = join(dir, 'never.pcap');
    PcapWriter.open(fresh, { linktype: 1 }).abort();
    expect(existsSync(fresh)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses misuse with NFR_ERR_CAPTURE_WRITE', () => {
    const path = join(dir, 'misuse.pcap');
    expect(() => PcapWriter.open(path, { linktype: 1, snaplen: 0 })).toThrow(CaptureError);
    expect(() => PcapWriter.open(path, { linktype: 70000 })).toThrow(/16-bit/);
    const w = PcapWriter.open(path, { linktype: 1 });
    const data = new Uint8Array(10);
    expect(() => w.write({ data, offset: 5, caplen: 6, origlen: 6, tsSec: 0, tsNsec: 0 })).toThrow(/outside its 10 bytes/);
    expect(() => w.write({ data, offset: 0, caplen: 6, origlen: 6, tsSec: 2 ** 32, tsNsec: 0 })).toThrow(/does not fit/);
    expect(() => w.write({ data, offset: 0, caplen: 6, origlen: 6, tsSec: 0, tsNsec: 1e9 })).toThrow(/does not fit/);
    w.close();
    expect(() => w.write({ data, offset: 0, caplen: 6, origlen: 6, tsSec: 0, tsNsec: 0 })).toThrow(
      expect.objectContaining({ code: 'NFR_ERR_CAPTURE_WRITE', message: `${path}: write after close` }),
    );
  });

  it('names a directory that cannot be written with NFR_ERR_IO', () => {
    expect(() => PcapWriter.open('/nonexistent-dir/x.pcap', { linktype: 1 })).toThrow(expect.objectContaining({ code: 'NFR_ERR_IO' }));
  });
});
