/**
 * Every scapy-built case of packets.py through decode(): the result, exactly the events the
 * packet should count, and every view field scapy's dissection implies.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DecodeEvents,
  DecodeResult,
  EVENT_DEFS,
  Ev,
  L4Checksum,
  L4State,
  PacketView,
  decode,
  l4ChecksumStatus,
} from '../../src/decode/index.js';
import { type Case, generateCases, hexBytes, recordOf, scapyPython } from './helpers.js';

const py = scapyPython();
const cases: Case[] = py ? generateCases(py).cases : [];
const PAD = 13;

/** Fields holding offsets into the capture buffer (relative to the packet in cases.json). */
function isBufferOffset(field: string): boolean {
  return /Offset$/.test(field) && !['fragOffset', 'innerFragOffset', 'tcpDataOffset'].includes(field);
}

function expected(field: string, value: number | boolean | string): number | boolean {
  if (typeof value === 'string') {
    return field === 'l4ChecksumStatus' ? L4Checksum[value as keyof typeof L4Checksum] : L4State[value as keyof typeof L4State];
  }
  if (typeof value === 'number' && isBufferOffset(field) && value >= 0) return value + PAD;
  return value;
}

describe.skipIf(!py)('decode: scapy-built packets', () => {
  it('covers every event and every result', () => {
    const seen = new Set(cases.flatMap((c) => c.events.map((e) => e.replace(/_\d+$/, '_N'))));
    for (const d of EVENT_DEFS) expect(seen, d.name).toContain(d.name);
    expect(seen).toContain('skip.linktype_N');
    expect(new Set(cases.map((c) => c.result))).toEqual(new Set(['IPV4', 'SKIPPED', 'MALFORMED', 'TRUNCATED']));
    expect(new Set(cases.map((c) => c.fields.l4ChecksumStatus).filter(Boolean))).toEqual(new Set(Object.keys(L4Checksum)));
    // And every view field (the result and first event are checked for every case).
    const fields = new Set(cases.flatMap((c) => Object.keys(c.fields)));
    expect(Object.keys(new PacketView()).filter((k) => !fields.has(k))).toEqual(['result', 'event']);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const view = new PacketView();
    const events = new DecodeEvents();
    const rec = recordOf(hexBytes(c.hex), c.linktype, c.origlen, PAD);
    const result = decode(rec, view, events);
    expect(result).toBe(DecodeResult[c.result]);
    expect(view.result).toBe(result);
    expect(
      events
        .snapshot()
        .map((e) => e.name)
        .sort(),
    ).toEqual([...c.events].sort());
    for (const e of events.snapshot()) expect(e.count).toBe(1);
    const first = events.snapshot().filter((e) => e.kind !== 'info');
    if (first.length > 0) expect(first.map((e) => e.name)).toContain(events.name(view.event));
    else expect(view.event).toBe(-1);
    // Computed on demand, then cached in the view like the other fields.
    if ('l4ChecksumStatus' in c.fields) l4ChecksumStatus(rec.data, view);
    const got: Record<string, unknown> = {};
    const want: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(c.fields)) {
      expect(k in view, `view has no field ${k}`).toBe(true);
      got[k] = (view as unknown as Record<string, unknown>)[k];
      want[k] = expected(k, v);
    }
    expect(got).toEqual(want);
  });
});

describe('decode: view and events', () => {
  it('reset() restores every field a fresh view has', () => {
    const fresh = new PacketView();
    const used = new PacketView();
    for (const k of Object.keys(used)) {
      const v = (used as unknown as Record<string, unknown>)[k];
      (used as unknown as Record<string, unknown>)[k] = typeof v === 'boolean' ? !v : 12345;
    }
    used.reset();
    expect({ ...used }).toEqual({ ...fresh });
  });

  it('holds numbers and booleans only', () => {
    for (const v of Object.values(new PacketView())) expect(['number', 'boolean']).toContain(typeof v);
  });

  it('README names every event', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    for (const d of EVENT_DEFS) expect(readme, d.name).toContain(`\`${d.name}\``);
  });

  it('Ev ids index EVENT_DEFS in order, names unique', () => {
    const names = EVENT_DEFS.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    expect(Object.values(Ev).sort((a, b) => a - b)).toEqual(names.map((_, i) => i));
    for (const [key, id] of Object.entries(Ev)) {
      expect(EVENT_DEFS[id].name.replace(/[._]/g, '').toUpperCase()).toBe(key.replace(/_/g, ''));
    }
  });

  it('counts by id or name, snapshots by kind, totals, grows for new link types', () => {
    const ev = new DecodeEvents();
    ev.count(Ev.SKIP_ARP);
    ev.count('ipv4.ihl_too_small');
    ev.count('ipv4.ihl_too_small');
    for (let lt = 1000; lt < 1100; lt++) ev.count(ev.linktype(lt));
    ev.count('skip.linktype_1000');
    expect(ev.get('ipv4.ihl_too_small')).toBe(2);
    expect(ev.get('skip.linktype_1000')).toBe(2);
    expect(ev.get('skip.linktype_5')).toBe(0);
    expect(ev.get('tcp.header_truncated')).toBe(0);
    expect(ev.total('skipped')).toBe(102);
    expect(ev.total('malformed')).toBe(2);
    const snap = ev.snapshot();
    expect(snap[0]).toEqual({ name: 'skip.arp', kind: 'skipped', text: 'ARP', count: 1 });
    expect(snap.at(-1)).toMatchObject({ name: 'ipv4.ihl_too_small', kind: 'malformed', count: 2 });
    expect(() => ev.count('no.such_event')).toThrow(/unknown decode event/);
    ev.reset();
    expect(ev.snapshot()).toEqual([]);
  });

  it('the record direction wins over the SLL packet type', () => {
    // SLL, PACKET_HOST (inbound), IPv4 header follows; the record says outbound.
    const sll = hexBytes('0000000100060200000000010000' + '0800');
    const view = new PacketView();
    decode(recordOf(sll, 113, sll.length, 0, 2), view, new DecodeEvents());
    expect(view.direction).toBe(2);
    expect(view.pktType).toBe(0);
    decode(recordOf(sll, 113, sll.length, 0, 0), view, new DecodeEvents());
    expect(view.direction).toBe(1);
  });

  it('never reads past the buffer when a record claims more than it has', () => {
    const bytes = hexBytes('4500003c000040004006' + '0000'.repeat(5));
    const rec = recordOf(bytes, 101);
    rec.caplen = 5000;
    rec.origlen = 5000;
    rec.data = rec.data.subarray(0, bytes.length);
    const view = new PacketView();
    const events = new DecodeEvents();
    expect(decode(rec, view, events)).toBe(DecodeResult.MALFORMED);
    expect(events.name(view.event)).toBe('ipv4.bad_checksum');
  });
});
