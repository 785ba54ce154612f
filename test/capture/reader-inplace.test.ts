/** openCapture on bytes: copied by default, walked where they are with inPlace, never written to. */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/index.js';
import { pcapFile, pseudoBytes } from './build.js';

const file = pcapFile(Array.from({ length: 20 }, (_, i) => ({ tsSec: 1700000000 + i, tsFrac: i, data: pseudoBytes(60 + i, i), origlen: 60 + i })), { linktype: 1 });

async function records(bytes: Uint8Array, inPlace: boolean): Promise<Array<{ buffer: ArrayBufferLike; bytes: Uint8Array }>> {
  const reader = await openCapture(bytes, { inPlace });
  const out: Array<{ buffer: ArrayBufferLike; bytes: Uint8Array }> = [];
  await reader.forEach((r) => out.push({ buffer: r.data.buffer, bytes: r.data.slice(r.offset, r.offset + r.caplen) }));
  return out;
}

describe('openCapture on bytes', () => {
  it('copies them by default: a replay rewriting packets (NAT) leaves the caller\'s bytes alone', async () => {
    const got = await records(file, false);
    expect(got).toHaveLength(20);
    for (const r of got) expect(r.buffer).not.toBe(file.buffer);
  });

  it('with inPlace walks them where they are, the same records, from any offset in their buffer', async () => {
    const copied = await records(file, false);
    const inside = new Uint8Array(file.length + 100);
    inside.set(file, 37);
    const part = inside.subarray(37, 37 + file.length);
    const got = await records(part, true);
    expect(got.map((r) => r.bytes)).toEqual(copied.map((r) => r.bytes));
    for (const r of got) expect(r.buffer).toBe(inside.buffer);
  });

  it('never writes to them, even for a truncated last record or a gzip stream', async () => {
    const truncated = file.slice(0, file.length - 7);
    const before = truncated.slice();
    const reader = await openCapture(truncated, { inPlace: true });
    const summary = await reader.forEach(() => {});
    expect(summary.packets).toBe(19);
    expect(truncated).toEqual(before);
    const gz = new Uint8Array(gzipSync(file));
    const gzBefore = gz.slice();
    expect((await records(gz, true)).map((r) => r.bytes)).toEqual((await records(file, false)).map((r) => r.bytes));
    expect(gz).toEqual(gzBefore);
  });
});
