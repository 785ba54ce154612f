/**
 * The kernel's fragmentation on output (refragment.ts, ip_fragment / ip_do_fragment) and the
 * reassembly whose record it uses (reassembly.ts, ip_defrag): geometry, header fields,
 * options and DF, on hand-made datagrams. test/differential/cases/refragment* hold what the
 * kernel itself sent for the same situations.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/reader.js';
import { PcapWriter } from '../../src/capture/writer.js';
import { decode, DecodeEvents, DecodeResult, PacketView } from '../../src/decode/index.js';
import { EgressPcaps } from '../../src/engine/egress-pcaps.js';
import { hostFromJson } from '../../src/netfilter/index.js';
import { PacketState } from '../../src/engine/packet.js';
import { DefragUser, FragmentGeometry, headerChecksum, Reassembly } from '../../src/engine/reassembly.js';
import { FRAG_NEEDED, optionsFragment, refragment, type RefragmentOptions } from '../../src/engine/refragment.js';

const DF = 0x4000;
const MF = 0x2000;
/** A non-copied option (experimental 30) and a copied one (0x9e). */
const OPTS = [0x1e, 4, 0, 0, 0x9e, 4, 0, 0];

interface Ip {
  id?: number;
  /** DF, MF and offset (bytes, multiple of 8) as the 16-bit field. */
  frag?: number;
  tos?: number;
  ttl?: number;
  options?: number[];
  payload: Uint8Array;
}

/** An IPv4 datagram (UDP protocol number, addresses 192.0.2.10 → 203.0.113.10) with a right checksum. */
function ipv4(p: Ip): Uint8Array {
  const opts = p.options ?? [];
  const hlen = 20 + opts.length;
  const b = new Uint8Array(hlen + p.payload.length);
  b[0] = 0x40 | (hlen / 4);
  b[1] = p.tos ?? 0;
  b[2] = b.length >>> 8;
  b[3] = b.length & 0xff;
  const id = p.id ?? 77;
  b[4] = id >>> 8;
  b[5] = id & 0xff;
  const frag = p.frag ?? 0;
  b[6] = frag >>> 8;
  b[7] = frag & 0xff;
  b[8] = p.ttl ?? 64;
  b[9] = 17;
  b.set([192, 0, 2, 10, 203, 0, 113, 10], 12);
  b.set(opts, 20);
  b.set(p.payload, hlen);
  const c = headerChecksum(b, 0, hlen);
  b[10] = c >>> 8;
  b[11] = c & 0xff;
  return b;
}

const pattern = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

interface Frag {
  data: Uint8Array;
  total: number;
  hlen: number;
  field: number;
  df: boolean;
  mf: boolean;
  offset: number;
  options: number[];
  payload: Uint8Array;
  checksumOk: boolean;
}

function parse(data: Uint8Array, caplen = data.length, origlen = data.length): Frag {
  const hlen = (data[0]! & 15) * 4;
  const field = (data[6]! << 8) | data[7]!;
  return {
    data,
    total: (data[2]! << 8) | data[3]!,
    hlen,
    field,
    df: (field & DF) !== 0,
    mf: (field & MF) !== 0,
    offset: (field & 0x1fff) * 8,
    options: [...data.subarray(20, hlen)],
    payload: data.slice(hlen, caplen),
    checksumOk: headerChecksum(data, 0, hlen) === 0 && origlen >= caplen,
  };
}

const opts = (o: Partial<RefragmentOptions>): RefragmentOptions => ({ mtu: 1500, geometry: null, fragList: true, optionsCompiled: true, ...o });

/** Runs refragment on a whole datagram; the fragments it emitted, parsed, with their caplen/origlen. */
function run(d: Uint8Array, o: RefragmentOptions, have = d.length, len = d.length): { n: number; frags: (Frag & { caplen: number; origlen: number })[] } {
  const out = new Uint8Array(70000);
  const frags: (Frag & { caplen: number; origlen: number })[] = [];
  const n = refragment(d, 0, len, have, o, out, 0, (caplen, origlen) => {
    const copy = out.slice(0, caplen);
    frags.push({ ...parse(copy, caplen, origlen), caplen, origlen });
  });
  return { n, frags };
}

function geometry(sizes: number[], maxSize: number, pmtu = false): FragmentGeometry {
  const g = new FragmentGeometry();
  sizes.forEach((s, i) => (g.sizes[i] = s));
  g.count = sizes.length;
  g.maxSize = maxSize;
  g.pmtu = pmtu;
  return g;
}

const concat = (frags: { payload: Uint8Array }[]): number[] => frags.flatMap((f) => [...f.payload]);

describe('refragment (ip_fragment)', () => {
  it('leaves a datagram that fits whole', () => {
    const d = ipv4({ payload: pattern(1480) });
    expect(run(d, opts({ mtu: 1500 })).n).toBe(0);
  });

  it('cuts a datagram longer than the MTU into (MTU - header) & ~7 pieces, the last taking the rest (slow path)', () => {
    const d = ipv4({ id: 4242, ttl: 63, tos: 0x10, payload: pattern(1380) });
    const { n, frags } = run(d, opts({ mtu: 576 }));
    expect(n).toBe(3);
    expect(frags.map((f) => [f.total, f.offset, f.mf, f.df])).toEqual([
      [572, 0, true, false],
      [572, 552, true, false],
      [296, 1104, false, false],
    ]);
    for (const f of frags) {
      expect(f.checksumOk).toBe(true);
      expect([f.data[1], f.data[4], f.data[5], f.data[8]]).toEqual([0x10, 4242 >> 8, 4242 & 0xff, 63]);
    }
    expect(concat(frags)).toEqual([...pattern(1380)]);
  });

  it('refuses a DF datagram longer than the MTU that was not reassembled', () => {
    const d = ipv4({ frag: DF, payload: pattern(1380) });
    expect(run(d, opts({ mtu: 576 })).n).toBe(FRAG_NEEDED);
  });

  it('cuts a fragment from its own offset, keeping MF, and keeps every option when it does not start the datagram', () => {
    const d = ipv4({ frag: MF | (1256 / 8), options: OPTS, payload: pattern(1256) });
    const { frags } = run(d, opts({ mtu: 576 }));
    expect(frags.map((f) => [f.total, f.offset, f.mf])).toEqual([
      [572, 1256, true],
      [572, 1800, true],
      [196, 2344, true],
    ]);
    for (const f of frags) expect(f.options).toEqual(OPTS);
    // The last fragment of a datagram: its last piece has no MF.
    const last = run(ipv4({ frag: 2512 / 8, payload: pattern(600) }), opts({ mtu: 576 })).frags;
    expect(last.map((f) => [f.offset, f.mf])).toEqual([
      [2512, true],
      [3064, false],
    ]);
  });

  it('turns the options without the copied flag into NOOPs after the first piece of a datagram at offset 0 (forwarded only)', () => {
    const d = ipv4({ options: OPTS, payload: pattern(1372) });
    const fwd = run(d, opts({ mtu: 576 })).frags;
    expect(fwd.map((f) => [f.total, f.offset, f.options])).toEqual([
      [572, 0, OPTS],
      [572, 544, [1, 1, 1, 1, 0x9e, 4, 0, 0]],
      [312, 1088, [1, 1, 1, 1, 0x9e, 4, 0, 0]],
    ]);
    // The host's own packet: IPCB opt is not compiled, ip_options_fragment changes nothing.
    const own = run(d, opts({ mtu: 576, optionsCompiled: false })).frags;
    for (const f of own) expect(f.options).toEqual(OPTS);
  });

  it('sends a reassembled datagram as the fragments it came in when they fit (fast path): first MF only, no DF', () => {
    const d = ipv4({ frag: DF, ttl: 63, payload: pattern(3008) });
    const g = geometry([1256, 1256, 496], 1276, true);
    const { n, frags } = run(d, opts({ mtu: 1500, geometry: g }));
    expect(n).toBe(3);
    expect(frags.map((f) => [f.total, f.offset, f.mf, f.df])).toEqual([
      [1276, 0, true, false],
      [1276, 1256, true, false],
      [516, 2512, false, false],
    ]);
    for (const f of frags) expect(f.checksumOk).toBe(true);
    expect(concat(frags)).toEqual([...pattern(3008)]);
    // Even one that would fit whole.
    const small = run(ipv4({ payload: pattern(508) }), opts({ geometry: geometry([200, 200, 108], 220) })).frags;
    expect(small.map((f) => f.total)).toEqual([220, 220, 128]);
  });

  it('keeps uneven fragments, and NOOPs non-copied options after the first, on the fast path', () => {
    const d = ipv4({ options: OPTS, payload: pattern(2008) });
    const { frags } = run(d, opts({ geometry: geometry([496, 1256, 256], 1284) }));
    expect(frags.map((f) => [f.total, f.offset, f.mf])).toEqual([
      [524, 0, true],
      [1284, 496, true],
      [284, 1752, false],
    ]);
    expect(frags.map((f) => f.options[0])).toEqual([0x1e, 1, 1]);
  });

  it('cuts to min(MTU, largest fragment) when a fragment does not fit (slow path), DF on each when the largest had DF', () => {
    // eth2-like MTU below the fragments: pieces by the MTU.
    const d = ipv4({ payload: pattern(3008) });
    const small = run(d, opts({ mtu: 576, geometry: geometry([1256, 1256, 496], 1276) })).frags;
    expect(small.map((f) => [f.total, f.offset, f.df])).toEqual([
      [572, 0, false],
      [572, 552, false],
      [572, 1104, false],
      [572, 1656, false],
      [572, 2208, false],
      [268, 2760, false],
    ]);
    // The first fragment had 8 bytes of options, the second none and 8 bytes more data: both
    // 1284 bytes, so the room is 1284 - 28 and the second does not fit it.
    const dfd = ipv4({ frag: DF, options: OPTS, payload: pattern(3008) });
    const { frags } = run(dfd, opts({ mtu: 1500, geometry: geometry([1256, 1264, 488], 1284, true) }));
    expect(frags.map((f) => [f.total, f.offset, f.df, f.mf, f.options[0]])).toEqual([
      [1284, 0, true, true, 0x1e],
      [1284, 1256, true, true, 1],
      [524, 2512, true, false, 1],
    ]);
  });

  it('refuses a reassembled DF datagram only when a fragment exceeded the MTU', () => {
    const d = ipv4({ frag: DF, payload: pattern(3008) });
    expect(run(d, opts({ mtu: 576, geometry: geometry([1256, 1256, 496], 1276, true) })).n).toBe(FRAG_NEEDED);
    expect(run(d, opts({ mtu: 1500, geometry: geometry([1256, 1256, 496], 1276, true) })).n).toBe(3);
  });

  it('takes the slow path once the datagram lost its frag_list', () => {
    const d = ipv4({ payload: pattern(3008) });
    const { frags } = run(d, opts({ mtu: 1500, geometry: geometry([496, 1256, 1256], 1276), fragList: false }));
    expect(frags.map((f) => [f.total, f.offset])).toEqual([
      [1276, 0],
      [1276, 1256],
      [516, 2512],
    ]);
  });

  it('keeps what the snaplen cut: each fragment holds the captured bytes that fall in it', () => {
    const d = ipv4({ payload: pattern(1380) });
    const { frags } = run(d, opts({ mtu: 576 }), 700);
    expect(frags.map((f) => [f.caplen, f.origlen])).toEqual([
      [572, 572],
      [20 + 700 - 572, 572],
      [20, 296],
    ]);
  });

  it('ip_options_fragment stops at END and at a malformed length', () => {
    // Experimental 30, NOOP, timestamp (not copied), END, then what END hides.
    const h = new Uint8Array([...new Array(20).fill(0), 0x1e, 4, 9, 9, 1, 0x44, 8, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0x1e, 4, 0, 0]);
    optionsFragment(h, 40);
    expect([...h.subarray(20, 40)]).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0x1e, 4, 0, 0]);
    const bad = new Uint8Array([...new Array(20).fill(0), 0x1e, 9, 0, 0]);
    optionsFragment(bad, 24);
    expect([...bad.subarray(20)]).toEqual([0x1e, 9, 0, 0]);
  });
});

/** Reassembly through PacketViews decoded from raw datagrams. */
class Feeder {
  readonly r = new Reassembly();
  private readonly view = new PacketView();
  private readonly events = new DecodeEvents();
  private readonly pkt = new PacketState();

  add(d: Uint8Array, nowNs = 0, user: DefragUser = DefragUser.CONNTRACK_IN, caplen = d.length): PacketView | undefined {
    const res = decode({ number: 1, data: d, offset: 0, caplen, origlen: d.length, tsSec: 0, tsNsec: 0, linktype: 228, interfaceId: -1, direction: 0 }, this.view, this.events);
    expect(res).toBe(DecodeResult.IPV4);
    this.pkt.resetFor(this.view, d);
    this.pkt.nowNs = nowNs;
    return this.r.add(this.view, this.pkt, user, caplen);
  }
}

/** A UDP datagram's layer-4 bytes cut into IPv4 fragments of the given payload sizes (the last takes the rest). */
function fragments(l4: Uint8Array, sizes: number[], p: Omit<Ip, 'payload' | 'frag'> & { df?: boolean[]; tos?: number; toses?: number[] } = {}): Uint8Array[] {
  const out: Uint8Array[] = [];
  let off = 0;
  const bounds = [...sizes, l4.length - sizes.reduce((a, b) => a + b, 0)];
  bounds.forEach((s, i) => {
    const field = (i < bounds.length - 1 ? MF : 0) | (p.df?.[i] ? DF : 0) | (off / 8);
    out.push(ipv4({ ...p, tos: p.toses?.[i] ?? p.tos, frag: field, payload: l4.subarray(off, off + s) }));
    off += s;
  });
  return out;
}

describe('Reassembly (ip_defrag)', () => {
  const l4 = pattern(3008, 3);

  it('puts the datagram together with the first fragment header as ip_frag_reasm leaves it, and records the fragments', () => {
    const f = new Feeder();
    const [a, b, c] = fragments(l4, [1256, 1256], { df: [true, true, true], ttl: 50, options: OPTS });
    expect(f.add(c!)).toBeUndefined();
    expect(f.add(a!)).toBeUndefined();
    const v = f.add(b!)!;
    expect(v).toBeDefined();
    expect([v.totalLength, v.df, v.mf, v.fragOffset, v.ttl, v.ihl]).toEqual([28 + 3008, true, false, 0, 50, 7]);
    const d = f.r.data;
    expect(headerChecksum(d, v.l3Offset, 28)).toBe(0);
    expect([...d.subarray(v.l3Offset + 28, v.l3Offset + 28 + 3008)]).toEqual([...l4]);
    const g = f.r.geometry;
    expect([g.sizes.slice(0, g.count), g.maxSize, g.pmtu]).toEqual([[1256, 1256, 496], 1284, true]);
  });

  it('sets DF only when the largest fragment had it', () => {
    const f = new Feeder();
    const frs = fragments(pattern(1000), [496], { df: [true, false] });
    f.add(frs[0]!);
    const v = f.add(frs[1]!)!;
    expect([v.df, f.r.geometry.pmtu, f.r.geometry.maxSize]).toEqual([false, false, 524]);
  });

  it('round-trips: the recorded geometry gives back the fragments that arrived, TTL and all', () => {
    const f = new Feeder();
    const frs = fragments(l4, [496, 1256], { id: 9, ttl: 33 });
    let v: PacketView | undefined;
    for (const x of frs) v = f.add(x);
    const whole = f.r.data.slice(v!.l3Offset, v!.l3Offset + v!.totalLength);
    const got = run(whole, opts({ geometry: f.r.geometry })).frags.map((x) => [...x.data]);
    // The fast path writes MF only on the first: the arrival had nothing else in it either.
    expect(got).toEqual(frs.map((x) => [...x]));
  });

  it('cuts a fragment with MF to a multiple of 8 and counts it trimmed in frag_max_size', () => {
    const f = new Feeder();
    const a = ipv4({ frag: MF, payload: l4.subarray(0, 1004) }); // 1000 kept
    const b = ipv4({ frag: 1000 / 8, payload: l4.subarray(1000, 1500) });
    f.add(a);
    const v = f.add(b)!;
    expect([v.totalLength, f.r.geometry.sizes.slice(0, 2), f.r.geometry.maxSize]).toEqual([1520, [1000, 500], 1020]);
  });

  it('ignores a duplicate inside a run, and kills the queue on an overlap across runs', () => {
    const dgram = pattern(1500);
    const [a, b, c] = fragments(dgram, [504, 504]);
    const [ab] = fragments(dgram, [1008]);
    const f = new Feeder();
    f.add(a!);
    f.add(b!);
    expect(f.add(ab!)).toBeUndefined(); // inside the run a+b: a duplicate
    expect(f.add(c!)?.totalLength).toBe(1520);
    expect(f.r.geometry.sizes.slice(0, f.r.geometry.count)).toEqual([504, 504, 492]);
    // b then a: two runs; a+b spans both.
    const g = new Feeder();
    g.add(b!);
    g.add(a!);
    g.add(ab!);
    expect(g.add(c!)).toBeUndefined();
    expect(g.add(a!)).toBeUndefined();
    expect(g.add(b!)?.totalLength).toBe(1520);
  });

  it('kills the queue for a second last fragment with another end or data beyond the end', () => {
    const [a, b] = fragments(pattern(1000), [496]);
    const f = new Feeder();
    f.add(b!);
    f.add(ipv4({ frag: 1000 / 8, payload: pattern(16) })); // a later end: the queue goes
    expect(f.add(a!)).toBeUndefined();
    expect(f.add(b!)?.totalLength).toBe(1020);
  });

  it('combines ECN: CE with ECT gives CE, not-ECT with ECT drops the datagram', () => {
    const f = new Feeder();
    let v: PacketView | undefined;
    for (const x of fragments(l4, [1256, 1256], { toses: [2, 3, 2] })) v = f.add(x);
    expect(v?.tos).toBe(3);
    const g = new Feeder();
    for (const x of fragments(l4, [1256, 1256], { toses: [0, 2, 0] })) v = g.add(x);
    expect(v).toBeUndefined();
  });

  it('drops a datagram over 65535 bytes', () => {
    const f = new Feeder();
    const big = ipv4({ frag: 65000 / 8, payload: pattern(600) });
    f.add(big);
    expect(f.add(ipv4({ frag: MF, payload: pattern(65000) }))).toBeUndefined();
  });

  it('restarts a queue after more than ipfrag_max_dist fragments from its source, and expires queues after ipfrag_time', () => {
    const [a, b] = fragments(pattern(1000), [496], { id: 1 });
    const f = new Feeder();
    f.add(a!);
    for (let i = 0; i < 33; i++) for (const x of fragments(pattern(40), [24], { id: 100 + i })) f.add(x);
    expect(f.add(b!)).toBeUndefined();
    expect(f.add(a!)?.totalLength).toBe(1020);
    const g = new Feeder();
    g.add(a!, 0);
    expect(g.add(b!, 31e9)).toBeUndefined();
    expect(g.add(a!, 32e9)?.totalLength).toBe(1020);
  });

  it('keeps queues per user, and the captured prefix of a datagram the snaplen cut', () => {
    const [a, b] = fragments(pattern(1000), [496]);
    const f = new Feeder();
    f.add(a!, 0, DefragUser.CONNTRACK_IN);
    expect(f.add(b!, 0, DefragUser.CONNTRACK_OUT)).toBeUndefined();
    const v = f.add(b!, 0, DefragUser.CONNTRACK_IN, 100)!;
    expect([v.totalLength, v.truncated, f.r.data.length - v.l3Offset]).toEqual([1020, true, 20 + 496 + 80]);
    const g = new Feeder();
    g.add(a!, 0, DefragUser.CONNTRACK_IN, 300);
    const w = g.add(b!)!;
    expect([w.totalLength, w.truncated, g.r.data.length - w.l3Offset]).toEqual([1020, true, 300]);
  });
});

describe('EgressPcaps', () => {
  it('writes each fragment behind its own interface\'s Ethernet header, TTL and all', async () => {
    const host = hostFromJson({
      interfaces: [
        { name: 'eth0', addr: '198.51.100.1/24', mac: '02:00:00:00:00:01', peer_mac: '02:00:00:00:ff:01' },
        { name: 'eth2', addr: '10.0.2.1/24', mac: '02:00:00:00:00:03', peer_mac: '02:00:00:00:ff:03', mtu: 576 },
      ],
      forward: true,
    });
    const dir = mkdtempSync(join(tmpdir(), 'nfr-egress-frag-'));
    try {
      const pcaps = new EgressPcaps(dir, host, PcapWriter.open);
      const view = new PacketView();
      const pkt = new PacketState();
      const send = (d: Uint8Array, iface: string, ttl: number): void => {
        decode({ number: 1, data: d, offset: 0, caplen: d.length, origlen: d.length, tsSec: 5, tsNsec: 6, linktype: 228, interfaceId: -1, direction: 0 }, view, new DecodeEvents());
        pkt.resetFor(view, d);
        pkt.tsSec = 5;
        pkt.tsNsec = 6;
        pkt.ttl = ttl;
        pcaps.write(pkt, iface);
      };
      send(ipv4({ payload: pattern(100) }), 'eth0', 63);
      send(ipv4({ payload: pattern(1380) }), 'eth2', 63);
      send(ipv4({ payload: pattern(100) }), 'eth0', 62);
      pcaps.close();
      const read = async (iface: string): Promise<Uint8Array[]> => {
        const frames: Uint8Array[] = [];
        const r = await openCapture(join(dir, `egress-${iface}.pcap`));
        await r.forEach((rec) => void frames.push(rec.data.slice(rec.offset, rec.offset + rec.caplen)));
        return frames;
      };
      const eth0 = await read('eth0');
      const eth2 = await read('eth2');
      expect(eth0.map((f) => [[...f.subarray(0, 12)], f[14 + 8]])).toEqual([
        [[2, 0, 0, 0, 0xff, 1, 2, 0, 0, 0, 0, 1], 63],
        [[2, 0, 0, 0, 0xff, 1, 2, 0, 0, 0, 0, 1], 62],
      ]);
      expect(eth2.map((f) => [[...f.subarray(0, 12)], f.length - 14])).toEqual([
        [[2, 0, 0, 0, 0xff, 3, 2, 0, 0, 0, 0, 3], 572],
        [[2, 0, 0, 0, 0xff, 3, 2, 0, 0, 0, 0, 3], 572],
        [[2, 0, 0, 0, 0xff, 3, 2, 0, 0, 0, 0, 3], 296],
      ]);
      for (const f of eth2) {
        const p = parse(f.subarray(14));
        expect([p.checksumOk, f[14 + 8]]).toEqual([true, 63]);
      }
      expect(concat(eth2.map((f) => parse(f.subarray(14))))).toEqual([...pattern(1380)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
