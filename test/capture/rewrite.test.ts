/**
 * Incremental checksum updates against full recomputation: random IPv4 packets (TCP with
 * options in any alignment, UDP with and without a checksum, ICMP queries and errors quoting
 * TCP/UDP, other protocols, fragments, packets cut by a snaplen) get random sequences of
 * rewrites; after each, the bytes must equal the packet rebuilt from the changed fields
 * with every checksum computed in full, and nothing past the captured bytes may change.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  csumReplace16,
  csumReplace32,
  icmpInnerAt,
  rewriteDstPort,
  rewriteIcmpId,
  rewriteIcmpInnerDst,
  rewriteIcmpInnerDstPort,
  rewriteIcmpInnerSrc,
  rewriteIcmpInnerSrcPort,
  rewriteIpv4Dst,
  rewriteIpv4Src,
  rewriteSrcPort,
  rewriteTcpMss,
  rewriteTtl,
  tcpMssAt,
} from '../../src/capture/index.js';
import { checksum, etherFrame, ipv4Bytes, type IcmpSpec, type Ipv4Spec, type L4Spec } from './packets.js';

const addr = fc.integer({ min: 0, max: 0xffffffff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const payload = fc.uint8Array({ maxLength: 48 });
const ipOptions = fc.constantFrom<number[] | undefined>(undefined, [1, 1, 1, 0], [1, 1, 1, 1, 1, 1, 1, 0]);

/** TCP options as real stacks lay them out, MSS anywhere (odd offsets included), EOL-padded. */
const tcpOptions = fc
  .array(
    fc.oneof(
      fc.constant([1]),
      u16.map((m) => [2, 4, m >> 8, m & 0xff]),
      fc.integer({ min: 0, max: 14 }).map((s) => [3, 3, s]),
      fc.constant([4, 2]),
      fc.constant([8, 10, 1, 2, 3, 4, 5, 6, 7, 8]),
    ),
    { maxLength: 5 },
  )
  .map((items) => {
    const o = items.flat().slice(0, 40);
    while (o.length % 4) o.push(0);
    return o;
  });

const tcpOrUdp: fc.Arbitrary<L4Spec> = fc.oneof(
  fc.record({ proto: fc.constant(6 as const), sport: u16, dport: u16, tcpOptions, payload }),
  fc.record({ proto: fc.constant(17 as const), sport: u16, dport: u16, payload, noChecksum: fc.boolean() }),
);

const innerDatagram: fc.Arbitrary<Ipv4Spec> = fc.record({ src: addr, dst: addr, ttl: fc.nat(255), id: u16, options: ipOptions, l4: tcpOrUdp });

const icmp: fc.Arbitrary<IcmpSpec> = fc.oneof(
  fc.record({ proto: fc.constant(1 as const), type: fc.constantFrom(0, 8, 13), code: fc.constant(0), id: u16, seq: u16, payload }),
  fc
    .record({ type: fc.constantFrom(3, 4, 5, 11, 12), code: fc.nat(15), inner: innerDatagram, quoteExtra: fc.nat(80) })
    .map(({ type, code, inner, quoteExtra }) => {
      const full = ipv4Bytes(inner).length;
      const ihl = 20 + (inner.options?.length ?? 0);
      return { proto: 1 as const, type, code, inner, quote: Math.min(full, ihl + quoteExtra) };
    }),
);

const datagram: fc.Arbitrary<Ipv4Spec> = fc
  .record({
    src: addr,
    dst: addr,
    ttl: fc.nat(255),
    id: u16,
    options: ipOptions,
    l4: fc.oneof(tcpOrUdp, icmp, fc.record({ proto: fc.constantFrom(47, 50, 132), payload })),
    frag: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, fc.record({ first: fc.boolean(), keep: fc.integer({ min: 0, max: 64 }) })),
  })
  .map(({ frag, ...ip }) => {
    const spec: Ipv4Spec = ip;
    if (frag) spec.fragment = frag.first ? { offset: 0, more: true, keep: frag.keep } : { offset: 1 + (frag.keep % 100), more: frag.keep % 2 === 0, keep: frag.keep };
    return spec;
  });

type Op =
  | { op: 'src' | 'dst' | 'innerSrc' | 'innerDst'; v: number }
  | { op: 'sport' | 'dport' | 'mss' | 'icmpId' | 'innerSport' | 'innerDport'; v: number }
  | { op: 'ttl'; v: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constantFrom('src' as const, 'dst' as const, 'innerSrc' as const, 'innerDst' as const), v: addr }),
  fc.record({
    op: fc.constantFrom('sport' as const, 'dport' as const, 'mss' as const, 'icmpId' as const, 'innerSport' as const, 'innerDport' as const),
    v: u16,
  }),
  fc.record({ op: fc.constant('ttl' as const), v: fc.nat(255) }),
);

const FUNCS = {
  src: rewriteIpv4Src,
  dst: rewriteIpv4Dst,
  ttl: rewriteTtl,
  sport: rewriteSrcPort,
  dport: rewriteDstPort,
  mss: rewriteTcpMss,
  icmpId: rewriteIcmpId,
  innerSrc: rewriteIcmpInnerSrc,
  innerDst: rewriteIcmpInnerDst,
  innerSport: rewriteIcmpInnerSrcPort,
  innerDport: rewriteIcmpInnerDstPort,
} as const;

/** The same change made to the fields of the model. */
function applyToModel(spec: Ipv4Spec, o: Op): void {
  const l4 = spec.l4 as AnyL4;
  const inner = l4.inner?.l4 as L4Spec | undefined;
  switch (o.op) {
    case 'src':
      spec.src = o.v;
      break;
    case 'dst':
      spec.dst = o.v;
      break;
    case 'ttl':
      spec.ttl = o.v;
      break;
    case 'sport':
      l4.sport = o.v;
      break;
    case 'dport':
      l4.dport = o.v;
      break;
    case 'icmpId':
      l4.id = o.v;
      break;
    case 'mss': {
      const opts = l4.tcpOptions!;
      // The first MSS option, found as tcpMssAt walks them.
      for (let i = 0; i < opts.length; ) {
        if (opts[i] === 0) break;
        if (opts[i] === 1) {
          i++;
          continue;
        }
        if (opts[i] === 2 && opts[i + 1] === 4) {
          opts[i + 2] = o.v >> 8;
          opts[i + 3] = o.v & 0xff;
          break;
        }
        i += opts[i + 1]!;
      }
      break;
    }
    case 'innerSrc':
      l4.inner!.src = o.v;
      break;
    case 'innerDst':
      l4.inner!.dst = o.v;
      break;
    case 'innerSport':
      inner!.sport = o.v;
      break;
    case 'innerDport':
      inner!.dport = o.v;
      break;
  }
}

/** Whether the rewrite must apply to a whole, unfragmented packet. */
function applies(spec: Ipv4Spec, o: Op): boolean {
  const l4 = spec.l4 as AnyL4;
  const tcpUdp = l4.proto === 6 || l4.proto === 17;
  const isError = l4.proto === 1 && l4.inner !== undefined;
  const innerIhl = isError ? 20 + (l4.inner!.options?.length ?? 0) : 0;
  switch (o.op) {
    case 'src':
    case 'dst':
    case 'ttl':
      return true;
    case 'sport':
    case 'dport':
      return tcpUdp;
    case 'mss':
      return l4.proto === 6 && hasMss(l4.tcpOptions ?? []);
    case 'icmpId':
      return l4.proto === 1 && [0, 8, 13].includes(l4.type!);
    case 'innerSrc':
    case 'innerDst':
      return isError && l4.quote! >= innerIhl;
    case 'innerSport':
      return isError && l4.quote! >= innerIhl + 2;
    case 'innerDport':
      return isError && l4.quote! >= innerIhl + 4;
  }
}

function hasMss(opts: number[]): boolean {
  for (let i = 0; i < opts.length; ) {
    if (opts[i] === 0) return false;
    if (opts[i] === 1) {
      i++;
      continue;
    }
    if (opts[i] === 2 && opts[i + 1] === 4) return true;
    i += opts[i + 1]!;
  }
  return false;
}

const SENTINEL = 0x5a;

/** Any layer-4 spec, for code that looks at whichever fields the protocol has. */
type AnyL4 = Partial<Omit<L4Spec, 'proto'>> & Partial<Omit<IcmpSpec, 'proto'>> & { proto: number };

/**
 * Bytes the model cannot predict. A checksum field cut in two by the end of the capture or
 * of the datagram (a fragment) cannot be updated, since its new value depends on the byte
 * that is not there, so it is left alone. Inside an ICMP error's quote, a quoted checksum
 * that is not wholly visible also makes the ICMP checksum differ from the model's (the
 * model updates the hidden bytes, the rewrite accounts only for what it changed); the ICMP
 * checksum is then checked to verify instead, when the whole message is there (icmpAt).
 */
function unmodelled(spec: Ipv4Spec, ip: number, end: number): { exclude: number[]; icmpAt: number } {
  const exclude: number[] = [];
  let icmpAt = -1;
  const ihl = 20 + (spec.options?.length ?? 0);
  const datagramEnd = ip + ipv4Bytes(spec).length;
  const limit = Math.min(end, datagramEnd);
  const l4 = spec.l4 as AnyL4;
  const cut = (at: number): boolean => at < limit && at + 2 > limit;
  if (l4.proto === 6 && cut(ip + ihl + 16)) exclude.push(ip + ihl + 16);
  if (l4.proto === 17 && cut(ip + ihl + 6)) exclude.push(ip + ihl + 6);
  if (l4.proto === 1 && l4.inner) {
    const inner = ip + ihl + 8;
    const quoteEnd = inner + l4.quote!;
    const innerIhl = 20 + (l4.inner.options?.length ?? 0);
    const innerL4 = l4.inner.l4 as L4Spec;
    const fields = [inner + 10, inner + innerIhl + (innerL4.proto === 6 ? 16 : 6)];
    let hidden = false;
    for (const f of fields) {
      if (f < quoteEnd && f + 2 > limit) {
        hidden = true;
        if (f < limit) exclude.push(f);
      }
    }
    if (hidden) {
      exclude.push(ip + ihl + 2, ip + ihl + 3);
      if (end >= datagramEnd && spec.fragment === undefined) icmpAt = ip + ihl;
    }
  }
  return { exclude: exclude.filter((x) => x < end), icmpAt };
}

describe('incremental checksums', () => {
  it('csumReplace16/32 agree with recomputing the sum (RFC 1624 equation 3)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 64 }), fc.nat(), u16, addr, (data, at, w16, w32) => {
        const b = Uint8Array.from(data.length % 2 ? [...data, 0] : data);
        const i = (at % (b.length / 2)) * 2;
        const before = checksum(b, 0, b.length);
        const old16 = (b[i]! << 8) | b[i + 1]!;
        b[i] = w16 >> 8;
        b[i + 1] = w16 & 0xff;
        expect(csumReplace16(before, old16, w16)).toBe(checksum(b, 0, b.length));
        const j = (at % Math.floor(b.length / 4)) * 4;
        const mid = checksum(b, 0, b.length);
        const old32 = ((b[j]! << 24) | (b[j + 1]! << 16) | (b[j + 2]! << 8) | b[j + 3]!) >>> 0;
        b.set([w32 >>> 24, (w32 >>> 16) & 0xff, (w32 >>> 8) & 0xff, w32 & 0xff], j);
        expect(csumReplace32(mid, old32, w32)).toBe(checksum(b, 0, b.length));
      }),
      { numRuns: 3000 },
    );
  });

  it('every rewrite equals rebuilding the packet with full checksums, and touches nothing past the capture', () => {
    fc.assert(
      fc.property(datagram, fc.array(op, { minLength: 1, maxLength: 8 }), fc.option(fc.nat(200), { nil: undefined }), (spec, ops, cut) => {
        const model: Ipv4Spec = structuredClone(spec);
        const frame = etherFrame(ipv4Bytes(model));
        const end = cut === undefined ? frame.length : Math.min(frame.length, 14 + 20 + cut);
        // The record sits in a larger chunk: the bytes after it belong to the next record.
        const buf = new Uint8Array(end + 32).fill(SENTINEL);
        buf.set(frame.subarray(0, end));
        for (const o of ops) {
          const before = buf.slice();
          const ok = FUNCS[o.op](buf, 14, end, o.v);
          if (ok) applyToModel(model, o);
          else expect(buf).toEqual(before);
          if (end === frame.length && model.fragment === undefined) expect(ok, `${o.op} on ${JSON.stringify(model.l4.proto)}`).toBe(applies(model, o));
          const expected = etherFrame(ipv4Bytes(model));
          const { exclude, icmpAt } = unmodelled(model, 14, end);
          const got = buf.slice(0, end);
          for (const i of exclude) got[i] = expected[i]!;
          expect(got).toEqual(expected.subarray(0, end));
          if (icmpAt >= 0) expect(checksum(buf, icmpAt, end)).toBe(0);
          expect(buf.subarray(end).every((x) => x === SENTINEL)).toBe(true);
        }
      }),
      { numRuns: 4000 },
    );
  });

  it('finds the MSS option at odd offsets and skips other options', () => {
    const spec: Ipv4Spec = {
      src: 0xc0000201,
      dst: 0xc6336402,
      ttl: 64,
      id: 1,
      l4: { proto: 6, sport: 40000, dport: 80, tcpOptions: [1, 3, 3, 7, 2, 4, 0x05, 0xb4, 4, 2, 0, 0], payload: new Uint8Array(0) },
    };
    const b = ipv4Bytes(spec);
    expect(tcpMssAt(b, 0, b.length)).toBe(20 + 20 + 6);
    expect(rewriteTcpMss(b, 0, b.length, 1400)).toBe(true);
    (spec.l4 as L4Spec).tcpOptions![6] = 1400 >> 8;
    (spec.l4 as L4Spec).tcpOptions![7] = 1400 & 0xff;
    expect(b).toEqual(ipv4Bytes(spec));
    const odd: Ipv4Spec = { ...spec, l4: { ...(spec.l4 as L4Spec), tcpOptions: [1, 2, 4, 0x05, 0xb4, 0, 0, 0] } };
    const c = ipv4Bytes(odd);
    expect(tcpMssAt(c, 0, c.length)).toBe(43);
  });

  it('keeps a UDP checksum of 0 ("none") and never produces 0', () => {
    const none: Ipv4Spec = { src: 1, dst: 2, ttl: 9, id: 3, l4: { proto: 17, sport: 1, dport: 2, payload: new Uint8Array(3), noChecksum: true } };
    const b = ipv4Bytes(none);
    rewriteIpv4Src(b, 0, b.length, 0xcb007101);
    rewriteDstPort(b, 0, b.length, 53);
    expect((b[26]! << 8) | b[27]!).toBe(0);
    // Find a port whose rewrite makes the checksum come out as 0: it must read 0xffff.
    const spec: Ipv4Spec = { src: 0x0a000001, dst: 0x0a000002, ttl: 64, id: 0, l4: { proto: 17, sport: 1000, dport: 53, payload: Uint8Array.of(1, 2) } };
    for (let port = 0; port < 65536; port++) {
      (spec.l4 as L4Spec).sport = port;
      const full = ipv4Bytes(spec);
      if (((full[26]! << 8) | full[27]!) !== 0xffff) continue;
      (spec.l4 as L4Spec).sport = 1000;
      const p = ipv4Bytes(spec);
      expect(rewriteSrcPort(p, 0, p.length, port)).toBe(true);
      expect((p[26]! << 8) | p[27]!).toBe(0xffff);
      return;
    }
    throw new Error('no port gives a zero UDP checksum');
  });

  it('rewrites the header quoted by an ICMP error and all three checksums', () => {
    const inner: Ipv4Spec = { src: 0xc0000201, dst: 0xcb007105, ttl: 63, id: 77, l4: { proto: 17, sport: 5353, dport: 53, payload: new Uint8Array(30) } };
    const err: Ipv4Spec = { src: 0xcb007105, dst: 0xc0000201, ttl: 64, id: 9, l4: { proto: 1, type: 3, code: 3, inner, quote: 28 } };
    const b = ipv4Bytes(err);
    expect(icmpInnerAt(b, 0, b.length)).toBe(28);
    expect(rewriteIcmpInnerSrc(b, 0, b.length, 0xc6336401)).toBe(true);
    expect(rewriteIcmpInnerSrcPort(b, 0, b.length, 40000)).toBe(true);
    inner.src = 0xc6336401;
    (inner.l4 as L4Spec).sport = 40000;
    expect(b).toEqual(ipv4Bytes(err));
    expect(checksum(b, 20, b.length)).toBe(0);
    expect(checksum(b, 28, 48)).toBe(0);
  });

  it('refuses what is not there and leaves it untouched', () => {
    const arp = new Uint8Array(28).fill(1);
    for (const f of Object.values(FUNCS)) expect(f(arp, 0, arp.length, 1)).toBe(false);
    const udp = ipv4Bytes({ src: 1, dst: 2, ttl: 3, id: 4, l4: { proto: 17, sport: 1, dport: 2, payload: new Uint8Array(0) } });
    expect(rewriteTcpMss(udp, 0, udp.length, 1)).toBe(false);
    expect(rewriteIcmpId(udp, 0, udp.length, 1)).toBe(false);
    expect(rewriteIpv4Src(udp, 0, 19, 1)).toBe(false);
    expect(rewriteIpv4Src(udp, 0, udp.length + 1, 1)).toBe(false);
    const ihl4 = udp.slice();
    ihl4[0] = 0x44;
    expect(rewriteTtl(ihl4, 0, ihl4.length, 1)).toBe(false);
  });
});
