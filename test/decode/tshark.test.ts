/**
 * The decoder against tshark, frame by frame: the scapy-built packets of packets.py and every
 * capture in captures/ (made with the real tools).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/index.js';
import { DecodeEvents, DecodeResult, PacketView, decode } from '../../src/decode/index.js';
import { type Case, generateCases, have, pcapRecords, scapyPython, tsharkFields } from './helpers.js';
import { TSHARK_FIELDS, compareWithTshark } from './oracle.js';

const py = scapyPython();
const tshark = have('tshark');
const CAPTURES = join(__dirname, '..', '..', 'captures');

describe.skipIf(!py || !tshark)('decode agrees with tshark: scapy-built packets', () => {
  const { dir, cases } = py && tshark ? generateCases(py) : { dir: '', cases: [] as Case[] };
  const files = [...new Set(cases.filter((c) => c.tshark).map((c) => c.file))].sort();

  it.each(files.map((f) => [f]))('%s', (file) => {
    const rows = tsharkFields(join(dir, file), [...TSHARK_FIELDS]);
    const view = new PacketView();
    const events = new DecodeEvents();
    const mismatches: string[] = [];
    let compared = 0;
    let i = 0;
    for (const rec of pcapRecords(readFileSync(join(dir, file)))) {
      const c = cases.find((x) => x.file === file && x.frame === rec.number)!;
      decode(rec, view, events);
      i++;
      if (!c.tshark) continue;
      compared++;
      for (const m of compareWithTshark(rows[i - 1], view, rec.data, rec.linktype)) mismatches.push(`${c.name}: ${m}`);
    }
    expect(i).toBe(rows.length);
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(0);
  });
});

const captureFiles = (() => {
  try {
    return readdirSync(CAPTURES).filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f)).sort();
  } catch {
    return [];
  }
})();

describe.skipIf(!tshark || captureFiles.length === 0)('decode agrees with tshark: captures/', () => {
  it.each(captureFiles.map((f) => [f]))('%s', async (file) => {
    const path = join(CAPTURES, file);
    const rows = tsharkFields(path, [...TSHARK_FIELDS]);
    const reader = await openCapture(path);
    const view = new PacketView();
    const events = new DecodeEvents();
    const mismatches: string[] = [];
    let ipv4 = 0;
    let i = 0;
    await reader.forEach((rec) => {
      if (decode(rec, view, events) === DecodeResult.IPV4) ipv4++;
      for (const m of compareWithTshark(rows[i] ?? [], view, rec.data, rec.linktype)) mismatches.push(`frame ${rec.number}: ${m}`);
      i++;
    });
    expect(i).toBe(rows.length);
    expect(mismatches).toEqual([]);
    expect(ipv4).toBeGreaterThan(0);
  });
});
