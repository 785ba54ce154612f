/**
 * Decoding allocates nothing per packet: after a warm-up (JIT and the view's field
 * representations settle), hundreds of thousands of decodes run without the young
 * generation growing and without a single scavenge.
 */
import { measureAllocation } from '../support/alloc.js';
import { describe, expect, it } from 'vitest';
import type { PacketRecord } from '../../src/capture/record.js';
import { DecodeEvents, PacketView, decode, l4ChecksumStatus } from '../../src/decode/index.js';
import { type Sample, captureSamples, generateCases, hexBytes, scapyPython } from './helpers.js';

const py = scapyPython();
const samples: Sample[] = [
  ...captureSamples(),
  ...(py ? generateCases(py).cases : []).map((c) => ({ bytes: hexBytes(c.hex), linktype: c.linktype, origlen: c.origlen })),
];

/** A full GC before measuring, so a nearly full young generation cannot force a scavenge. */


describe.skipIf(samples.length === 0)('decode allocation', () => {
  it('decodes 500k packets without allocating', async () => {
    // All samples back to back in one buffer, as a reader's chunk holds them.
    const total = samples.reduce((n, s) => n + s.bytes.length, 0);
    const data = new Uint8Array(total);
    const offsets = new Int32Array(samples.length);
    let at = 0;
    samples.forEach((s, i) => {
      data.set(s.bytes, at);
      offsets[i] = at;
      at += s.bytes.length;
    });
    const caplens = Int32Array.from(samples, (s) => s.bytes.length);
    const origlens = Int32Array.from(samples, (s) => s.origlen);
    const linktypes = Int32Array.from(samples, (s) => s.linktype);
    const rec: PacketRecord = { number: 0, data, offset: 0, caplen: 0, origlen: 0, tsSec: 0, tsNsec: 0, linktype: 1, interfaceId: -1, direction: 0 };
    const view = new PacketView();
    const events = new DecodeEvents();
    const n = samples.length;
    const run = (count: number): number => {
      let sum = 0;
      for (let i = 0; i < count; i++) {
        const k = i % n;
        rec.number = i + 1;
        rec.offset = offsets[k];
        rec.caplen = caplens[k];
        rec.origlen = origlens[k];
        rec.linktype = linktypes[k];
        sum += decode(rec, view, events);
        if (view.l4State === 1 && (i & 7) === 0) sum += l4ChecksumStatus(data, view);
      }
      return sum;
    };

    const result = await measureAllocation(run, 300_000, 500_000);
    expect(result.grown).toBeLessThan(256 * 1024);
    expect(result.scavenges).toBe(0);
  });
});
