/**
 * Random bytes and damaged real packets through decode(): nothing throws, every packet ends
 * as a result whose deciding event has the matching kind, offsets stay inside the packet,
 * and the counters add up.
 */
import { describe, expect, it } from 'vitest';
import type { PacketRecord } from '../../src/capture/record.js';
import {
  DecodeEvents,
  DecodeResult,
  EVENT_DEFS,
  L4State,
  PacketView,
  decode,
  l4ChecksumStatus,
} from '../../src/decode/index.js';
import { type Sample, captureSamples, generateCases, hexBytes, prng, recordOf, scapyPython } from './helpers.js';

const LINKTYPES = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 147, 65000];
const KIND_OF_RESULT: Record<number, string> = {
  [DecodeResult.SKIPPED]: 'skipped',
  [DecodeResult.MALFORMED]: 'malformed',
  [DecodeResult.TRUNCATED]: 'truncated',
};

const py = scapyPython();
const samples: Sample[] = [
  ...captureSamples(),
  ...(py ? generateCases(py).cases : []).map((c) => ({ bytes: hexBytes(c.hex), linktype: c.linktype, origlen: c.origlen })),
];

/** Decodes and checks the invariants; a broken one is pushed to `bad` (expect() per packet is slow). */
function check(rec: PacketRecord, view: PacketView, events: DecodeEvents, tally: number[], bad: string[]): void {
  const r = decode(rec, view, events);
  tally[r]++;
  const fail = (what: string): void => {
    const bytes = Buffer.from(rec.data.subarray(rec.offset, rec.offset + rec.caplen)).toString('hex');
    bad.push(`${what} (linktype ${rec.linktype}, caplen ${rec.caplen}, origlen ${rec.origlen}, bytes ${bytes})`);
  };
  if (r < 0 || r > 3 || view.result !== r) return fail(`result ${r}`);
  const end = rec.offset + rec.caplen;
  if (r !== DecodeResult.IPV4) {
    const kind = view.event < 0 ? 'none' : view.event < EVENT_DEFS.length ? EVENT_DEFS[view.event].kind : 'skipped';
    if (kind !== KIND_OF_RESULT[r]) fail(`result ${r} decided by an event of kind ${kind}`);
    return;
  }
  if (view.ipVersion !== 4 || !view.ipChecksumOk || view.length !== view.totalLength) fail('replayable without a valid IPv4 header');
  for (const o of [view.l3Offset, view.l4Offset, view.innerOffset]) {
    if (o !== -1 && (o < rec.offset || o > end)) fail(`offset ${o} outside the packet`);
  }
  if (view.tcpMssOffset !== -1 && view.tcpMssOffset + 4 > end) fail('MSS option beyond the captured bytes');
  if (view.l4Offset !== -1 && (view.l4Captured > view.l4Length || view.l4Offset + view.l4Captured > end)) fail('layer-4 bytes beyond the capture');
  if (view.l4State !== L4State.NONE && ![0, 1, 2, 3].includes(l4ChecksumStatus(rec.data, view))) fail('checksum status');
}

function mutate(rand: () => number, s: Sample): { bytes: Uint8Array; origlen: number } {
  const b = s.bytes.slice();
  let origlen = s.origlen;
  const op = Math.floor(rand() * 5);
  const at = () => Math.floor(rand() * Math.max(b.length, 1));
  if (op === 0) {
    // A few random byte flips.
    for (let n = 1 + Math.floor(rand() * 4); n > 0 && b.length > 0; n--) b[at()] ^= 1 << Math.floor(rand() * 8);
  } else if (op === 1) {
    // An absurd value in a header field: 0x00, 0xff or a random byte, often in the first 80 bytes.
    for (let n = 1 + Math.floor(rand() * 3); n > 0 && b.length > 0; n--) {
      const i = Math.floor(rand() * Math.min(b.length, 80));
      b[i] = [0, 0xff, Math.floor(rand() * 256)][Math.floor(rand() * 3)];
    }
  } else if (op === 2) {
    // A length on the wire that disagrees with the bytes.
    origlen = [0, 1, b.length - 1, b.length + 1, 65535, Math.floor(rand() * 2000)][Math.floor(rand() * 6)];
  } else if (op === 3) {
    return { bytes: b.subarray(0, Math.floor(rand() * (b.length + 1))), origlen };
  }
  return { bytes: b, origlen: Math.max(origlen, 0) };
}

describe('decode fuzz', () => {
  it('random bytes on every link type', () => {
    const rand = prng(1);
    const view = new PacketView();
    const events = new DecodeEvents();
    const tally = [0, 0, 0, 0];
    const bad: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      const len = Math.floor(rand() * 120);
      const bytes = new Uint8Array(len);
      for (let j = 0; j < len; j++) bytes[j] = Math.floor(rand() * 256);
      // Bias toward IPv4 so the deeper layers are reached.
      if (len > 0 && rand() < 0.5) bytes[0] = 0x45;
      const lt = LINKTYPES[Math.floor(rand() * LINKTYPES.length)];
      const rec = recordOf(bytes, lt, rand() < 0.7 ? len : Math.floor(rand() * 200), Math.floor(rand() * 5));
      check(rec, view, events, tally, bad);
    }
    expect(bad.slice(0, 5)).toEqual([]);
    expect(tally[DecodeResult.SKIPPED]).toBe(events.total('skipped'));
    expect(tally[DecodeResult.MALFORMED]).toBe(events.total('malformed'));
  });

  it.skipIf(samples.length === 0)('every real and built packet cut at every length', () => {
    const view = new PacketView();
    const events = new DecodeEvents();
    const tally = [0, 0, 0, 0];
    const bad: string[] = [];
    let n = 0;
    for (const s of samples) {
      for (let cut = 0; cut <= s.bytes.length; cut += cut < 120 ? 1 : 97) {
        check(recordOf(s.bytes.subarray(0, cut), s.linktype, s.origlen, 3), view, events, tally, bad);
        n++;
      }
    }
    expect(n).toBeGreaterThan(1000);
    expect(bad.slice(0, 5)).toEqual([]);
    expect(tally[DecodeResult.SKIPPED]).toBe(events.total('skipped'));
    expect(tally[DecodeResult.MALFORMED]).toBe(events.total('malformed'));
  });

  it.skipIf(samples.length === 0)('mutated packets: flips, absurd fields, wrong lengths, cuts', () => {
    const rand = prng(7);
    const view = new PacketView();
    const events = new DecodeEvents();
    const tally = [0, 0, 0, 0];
    const bad: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      const s = samples[Math.floor(rand() * samples.length)];
      const m = mutate(rand, s);
      const rec = recordOf(m.bytes, s.linktype, m.origlen, Math.floor(rand() * 9));
      check(rec, view, events, tally, bad);
      // Decoding is a function of the record alone: a fresh view agrees field by field with
      // the reused one, so nothing of an earlier packet lingers.
      if (i % 20 === 0) {
        const again = new PacketView();
        check(rec, again, new DecodeEvents(), [0, 0, 0, 0], bad);
        expect({ ...again }).toEqual({ ...view });
      }
    }
    expect(bad.slice(0, 5)).toEqual([]);
    // Mutations reach every outcome.
    for (const r of Object.values(DecodeResult)) expect(tally[r]).toBeGreaterThan(0);
  });
});
