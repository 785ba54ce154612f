/**
 * The NAT core's choice of mapping (src/conntrack/nat-select.ts, a port of nf_nat_core.c's
 * get_unique_tuple). The address choices and the DST port-range starts below were recorded
 * from a Linux 6.18 kernel (iptables-legacy rules in a network namespace, locally sent UDP,
 * `conntrack -L`); the rest follows the kernel source step by step.
 */
import { mulberry32 } from '../../src/engine/random.js';
import { describe, expect, it } from 'vitest';
import { Tuple } from '../../src/conntrack/entry.js';
import {
  jhash2,
  NatManip,
  noSourceMappings,
  reciprocalScale,
  selectNatTuple,
  UsedCheck,
  type SourceMappings,
  type TupleTaken,
  type UsedCheckKind,
} from '../../src/conntrack/nat-select.js';
import {
  emptyNatRange,
  NAT_MAP_IPS,
  NAT_PERSISTENT,
  NAT_PROTO_OFFSET,
  NAT_PROTO_RANDOM,
  NAT_PROTO_RANDOM_FULLY,
  NAT_PROTO_SPECIFIED,
  type NatRange,
} from '../../src/rules/ext/natrange.js';

const ip = (s: string): number => s.split('.').reduce((a, b) => a * 256 + Number(b), 0) | 0;
const ipText = (a: number): string => [24, 16, 8, 0].map((s) => (a >>> s) & 0xff).join('.');

const TCP = 6;
const UDP = 17;
const ICMP = 1;

function range(r: Partial<NatRange>): NatRange {
  return { ...emptyNatRange(), ...r };
}
function addrs(min: string, max = min, flags = 0): NatRange {
  return range({ flags: NAT_MAP_IPS | flags, minAddr: ip(min) >>> 0, maxAddr: ip(max) >>> 0 });
}
function ports(addr: string, minPort: number, maxPort: number): NatRange {
  const r = addrs(addr);
  return { ...r, flags: r.flags | NAT_PROTO_SPECIFIED, minPort, maxPort };
}
function tuple(src: string, dst: string, sport: number, dport: number, proto = UDP): Tuple {
  return new Tuple().set(ip(src), ip(dst), sport, dport, proto);
}

const free: TupleTaken = () => false;
/** A constant generator: get_random_u16 is its high half, 0x1234 = 4660. */
const fixedRandom = (): number => 0x12345678;
const noRandom = (): number => {
  throw new Error('no randomness expected');
};
/** The replay's own generator, as its context seeds it. */
const seeded = mulberry32;

/** Taken when `pred` says so; records every check with its kind and attempts left. */
function recorder(pred: (t: Tuple) => boolean) {
  const calls: { port: number; id: number; check: UsedCheckKind; left: number }[] = [];
  const taken: TupleTaken = (t, check, left) => {
    calls.push({ port: t.sport, id: t.dport, check, left });
    return pred(t);
  };
  return { calls, taken };
}

function select(
  orig: Tuple,
  r: NatRange,
  manip: 0 | 1,
  opts: { taken?: TupleTaken; existing?: SourceMappings; random32?: () => number; zone?: number } = {},
): Tuple {
  const out = new Tuple();
  selectNatTuple(
    out,
    orig,
    r,
    manip,
    opts.zone ?? 0,
    opts.taken ?? free,
    opts.existing ?? noSourceMappings,
    opts.random32 ?? noRandom,
  );
  return out;
}

describe('jhash2 (lookup3 hashword)', () => {
  // Bob Jenkins' lookup3.c driver5 vectors. A zero-length key is never mixed: the result
  // is the initial state, 0xdeadbeef + initval.
  it('hashes the empty key to its initial state', () => {
    expect(jhash2([], 0)).toBe(0xdeadbeef);
    expect(jhash2([], 0xdeadbeef)).toBe(0xbd5b7dde);
  });

  // hashlittle("Four score and seven years ago", 30, 0) = 0x17770551 and with initval 1
  // = 0xcd628161. On a little-endian machine hashlittle reads the bytes as words and,
  // for a 30-byte key, adds the last 6 bytes as the 7th word and the low half of the
  // 8th: exactly hashword over the key zero-padded to 8 words, whose initial state has
  // 8 << 2 = 32 where hashlittle has 30. So initval - 2 gives the same hash.
  it('matches hashlittle on a zero-padded key with the length difference folded into initval', () => {
    const bytes = new Uint8Array(32);
    bytes.set(new TextEncoder().encode('Four score and seven years ago'));
    const words = new Uint32Array(bytes.buffer);
    expect(jhash2(words, (0 - 2) >>> 0)).toBe(0x17770551);
    expect(jhash2(words, (1 - 2) >>> 0)).toBe(0xcd628161);
  });

  it('takes plain number arrays as well as Uint32Array', () => {
    const words = [0x01020304, 0xfffffffe, 7, 0x80000000];
    expect(jhash2(words, 99)).toBe(jhash2(Uint32Array.from(words), 99));
  });
});

describe('reciprocalScale', () => {
  it('is the high word of the exact 64-bit product', () => {
    const cases = [
      [0xffffffff, 0xffffffff],
      [0x9e3779b9, 77],
      [0x12345678, 0],
      [1, 0xffffffff],
      [0xdeadbeef, 0x10000],
    ] as const;
    for (const [v, r] of cases) expect(reciprocalScale(v, r)).toBe(Number((BigInt(v) * BigInt(r)) >> 32n));
  });
});

describe('address choice (find_best_ips_proto)', () => {
  // Recorded from Linux 6.18: "rule src dst mapped" for one UDP connection each (every
  // connection with its own source port, so no earlier mapping is reused).
  //   1000: SNAT --to-source 192.168.1.1-192.168.1.77
  //   1001: the same with --persistent
  //   1006: the same, the connection in conntrack zone 7 (raw CT --zone 7)
  //   1002: DNAT --to-destination 172.20.0.1-172.20.3.200
  const recorded = `
  1000 10.0.0.2 172.16.1.7 192.168.1.5
  1000 10.0.0.2 172.16.2.8 192.168.1.58
  1000 10.0.0.2 172.16.3.9 192.168.1.76
  1000 10.0.0.3 172.16.1.10 192.168.1.34
  1000 10.0.0.3 172.16.2.11 192.168.1.14
  1000 10.0.0.3 172.16.3.12 192.168.1.31
  1000 10.0.0.4 172.16.1.13 192.168.1.71
  1000 10.0.0.4 172.16.2.14 192.168.1.43
  1000 10.0.0.4 172.16.3.15 192.168.1.22
  1000 10.0.0.5 172.16.1.16 192.168.1.45
  1000 10.0.0.5 172.16.2.17 192.168.1.10
  1000 10.0.0.5 172.16.3.18 192.168.1.25
  1000 10.0.0.6 172.16.1.19 192.168.1.4
  1000 10.0.0.6 172.16.2.20 192.168.1.27
  1000 10.0.0.6 172.16.3.21 192.168.1.47
  1000 10.0.0.7 172.16.1.22 192.168.1.56
  1000 10.0.0.7 172.16.2.23 192.168.1.70
  1000 10.0.0.7 172.16.3.24 192.168.1.75
  1000 10.0.0.8 172.16.1.25 192.168.1.64
  1000 10.0.0.8 172.16.2.26 192.168.1.25
  1000 10.0.0.8 172.16.3.27 192.168.1.23
  1000 10.0.0.9 172.16.1.28 192.168.1.65
  1000 10.0.0.9 172.16.2.29 192.168.1.55
  1000 10.0.0.9 172.16.3.30 192.168.1.51
  1001 10.0.0.2 172.16.1.7 192.168.1.76
  1001 10.0.0.2 172.16.2.8 192.168.1.76
  1001 10.0.0.2 172.16.3.9 192.168.1.76
  1001 10.0.0.3 172.16.1.10 192.168.1.64
  1001 10.0.0.3 172.16.2.11 192.168.1.64
  1001 10.0.0.3 172.16.3.12 192.168.1.64
  1001 10.0.0.4 172.16.1.13 192.168.1.18
  1001 10.0.0.4 172.16.2.14 192.168.1.18
  1001 10.0.0.4 172.16.3.15 192.168.1.18
  1001 10.0.0.5 172.16.1.16 192.168.1.69
  1001 10.0.0.5 172.16.2.17 192.168.1.69
  1001 10.0.0.5 172.16.3.18 192.168.1.69
  1001 10.0.0.6 172.16.1.19 192.168.1.1
  1001 10.0.0.6 172.16.2.20 192.168.1.1
  1001 10.0.0.6 172.16.3.21 192.168.1.1
  1001 10.0.0.7 172.16.1.22 192.168.1.7
  1001 10.0.0.7 172.16.2.23 192.168.1.7
  1001 10.0.0.7 172.16.3.24 192.168.1.7
  1001 10.0.0.8 172.16.1.25 192.168.1.33
  1001 10.0.0.8 172.16.2.26 192.168.1.33
  1001 10.0.0.8 172.16.3.27 192.168.1.33
  1001 10.0.0.9 172.16.1.28 192.168.1.42
  1001 10.0.0.9 172.16.2.29 192.168.1.42
  1001 10.0.0.9 172.16.3.30 192.168.1.42
  1002 10.0.0.2 172.17.1.7 172.20.1.26
  1002 10.0.0.2 172.17.2.8 172.20.0.234
  1002 10.0.0.2 172.17.3.9 172.20.3.114
  1002 10.0.0.3 172.17.1.10 172.20.0.246
  1002 10.0.0.3 172.17.2.11 172.20.0.240
  1002 10.0.0.3 172.17.3.12 172.20.3.79
  1002 10.0.0.4 172.17.1.13 172.20.3.174
  1002 10.0.0.4 172.17.2.14 172.20.1.150
  1002 10.0.0.4 172.17.3.15 172.20.1.62
  1002 10.0.0.5 172.17.1.16 172.20.0.135
  1002 10.0.0.5 172.17.2.17 172.20.1.49
  1002 10.0.0.5 172.17.3.18 172.20.2.48
  1002 10.0.0.6 172.17.1.19 172.20.0.68
  1002 10.0.0.6 172.17.2.20 172.20.0.22
  1002 10.0.0.6 172.17.3.21 172.20.2.123
  1002 10.0.0.7 172.17.1.22 172.20.1.68
  1002 10.0.0.7 172.17.2.23 172.20.1.119
  1002 10.0.0.7 172.17.3.24 172.20.0.241
  1002 10.0.0.8 172.17.1.25 172.20.0.26
  1002 10.0.0.8 172.17.2.26 172.20.2.169
  1002 10.0.0.8 172.17.3.27 172.20.0.218
  1002 10.0.0.9 172.17.1.28 172.20.1.210
  1002 10.0.0.9 172.17.2.29 172.20.1.239
  1002 10.0.0.9 172.17.3.30 172.20.0.134
  1006 10.0.0.2 172.16.1.7 192.168.1.60
  1006 10.0.0.2 172.16.2.8 192.168.1.50
  1006 10.0.0.2 172.16.3.9 192.168.1.4
  1006 10.0.0.3 172.16.1.10 192.168.1.68
  1006 10.0.0.3 172.16.2.11 192.168.1.77
  1006 10.0.0.3 172.16.3.12 192.168.1.30
  1006 10.0.0.4 172.16.1.13 192.168.1.45
  1006 10.0.0.4 172.16.2.14 192.168.1.51
  1006 10.0.0.4 172.16.3.15 192.168.1.56
  1006 10.0.0.5 172.16.1.16 192.168.1.22
  1006 10.0.0.5 172.16.2.17 192.168.1.72
  1006 10.0.0.5 172.16.3.18 192.168.1.48
  1006 10.0.0.6 172.16.1.19 192.168.1.14
  1006 10.0.0.6 172.16.2.20 192.168.1.53
  1006 10.0.0.6 172.16.3.21 192.168.1.52
  1006 10.0.0.7 172.16.1.22 192.168.1.32
  1006 10.0.0.7 172.16.2.23 192.168.1.23
  1006 10.0.0.7 172.16.3.24 192.168.1.15
  1006 10.0.0.8 172.16.1.25 192.168.1.59
  1006 10.0.0.8 172.16.2.26 192.168.1.8
  1006 10.0.0.8 172.16.3.27 192.168.1.8
  1006 10.0.0.9 172.16.1.28 192.168.1.30
  1006 10.0.0.9 172.16.2.29 192.168.1.5
  1006 10.0.0.9 172.16.3.30 192.168.1.71
`;
  const rules: Record<string, { r: NatRange; manip: 0 | 1; zone: number }> = {
    1000: { r: addrs('192.168.1.1', '192.168.1.77'), manip: NatManip.SRC, zone: 0 },
    1001: { r: addrs('192.168.1.1', '192.168.1.77', NAT_PERSISTENT), manip: NatManip.SRC, zone: 0 },
    1006: { r: addrs('192.168.1.1', '192.168.1.77'), manip: NatManip.SRC, zone: 7 },
    1002: { r: addrs('172.20.0.1', '172.20.3.200'), manip: NatManip.DST, zone: 0 },
  };
  const rows = recorded
    .trim()
    .split('\n')
    .map((l) => l.trim().split(' '));

  it.each(rows)('rule %s: %s -> %s maps to %s as the kernel did', (rule, src, dst, mapped) => {
    const { r, manip, zone } = rules[rule]!;
    const orig = tuple(src!, dst!, 20000, Number(rule));
    const out = select(orig, r, manip, { zone });
    expect(ipText(manip === NatManip.SRC ? out.src : out.dst)).toBe(mapped);
    // Only the address changes: the port was free.
    expect(out.sport).toBe(20000);
    expect(manip === NatManip.SRC ? out.dst : out.src).toBe(manip === NatManip.SRC ? orig.dst : orig.src);
  });

  it('is the same for the same source and destination, and with --persistent for the same source', () => {
    const r = addrs('192.168.1.1', '192.168.1.77');
    const p = addrs('192.168.1.1', '192.168.1.77', NAT_PERSISTENT);
    const a = select(tuple('10.0.0.2', '172.16.1.7', 1, 2), r, NatManip.SRC).src;
    expect(select(tuple('10.0.0.2', '172.16.1.7', 3, 4), r, NatManip.SRC).src).toBe(a);
    const seen = new Set<number>();
    for (let i = 1; i < 40; i++) {
      seen.add(select(tuple('10.0.0.2', `172.16.1.${i}`, 1, 2), r, NatManip.SRC).src);
      expect(select(tuple('10.0.0.2', `172.16.1.${i}`, 1, 2), p, NatManip.SRC).src).toBe(ip('192.168.1.76'));
    }
    expect(seen.size).toBeGreaterThan(10);
  });

  it('takes a one-address range as it is, for SNAT and DNAT', () => {
    const r = addrs('203.0.113.9');
    const s = select(tuple('10.0.0.2', '172.16.1.7', 5000, 53), r, NatManip.SRC);
    expect([ipText(s.src), ipText(s.dst), s.sport, s.dport]).toEqual(['203.0.113.9', '172.16.1.7', 5000, 53]);
    const d = select(tuple('10.0.0.2', '172.16.1.7', 5000, 53), r, NatManip.DST);
    expect([ipText(d.src), ipText(d.dst), d.sport, d.dport]).toEqual(['10.0.0.2', '203.0.113.9', 5000, 53]);
  });

  it('follows u32 arithmetic: the whole address space is distance 0, always the minimum', () => {
    const all = range({ flags: NAT_MAP_IPS, minAddr: 0, maxAddr: 0xffffffff });
    expect(select(tuple('10.0.0.2', '172.16.1.7', 1, 2), all, NatManip.DST).dst).toBe(0);
  });

  it('leaves the addresses alone without NF_NAT_RANGE_MAP_IPS', () => {
    const r = range({ flags: NAT_PROTO_SPECIFIED, minPort: 7000, maxPort: 7000 });
    const out = select(tuple('10.0.0.2', '172.16.1.7', 5000, 53), r, NatManip.SRC, { random32: fixedRandom });
    expect([ipText(out.src), out.sport]).toEqual(['10.0.0.2', 7000]);
  });
});

describe('source ports (SNAT)', () => {
  const r = addrs('203.0.113.9');
  const orig = (sport: number, proto = TCP): Tuple => tuple('10.0.0.2', '172.16.1.7', sport, 80, proto);

  it('keeps the source port when the reply tuple is free', () => {
    const { calls, taken } = recorder(() => false);
    expect(select(orig(40000), r, NatManip.SRC, { taken }).sport).toBe(40000);
    // The original source is not in the range, so only step 3 asks.
    expect(calls).toEqual([{ port: 40000, id: 80, check: UsedCheck.PLAIN, left: 0 }]);
  });

  it.each([
    [80, 1, 511],
    [511, 1, 511],
    [512, 600, 1023],
    [550, 600, 1023],
    [700, 600, 1023],
    [1023, 600, 1023],
    [1024, 1024, 65535],
    [40000, 1024, 65535],
  ])('moves a taken source port %i into %i-%i from a random offset', (port, min, max) => {
    const { calls, taken } = recorder((t) => t.sport === port);
    const out = select(orig(port), r, NatManip.SRC, { taken, random32: fixedRandom });
    const expected = min + (0x1234 % (max - min + 1));
    expect(out.sport).toBe(expected === port ? expected + 1 : expected);
    expect(out.sport).toBeGreaterThanOrEqual(min);
    expect(out.sport).toBeLessThanOrEqual(max);
    expect(calls[1]).toEqual({ port: expected, id: 80, check: UsedCheck.HARDER, left: 128 });
  });

  it('walks on from the offset to the first free port', () => {
    // 0x1234 % 511 = 61: ports 62, 63, ... are tried in turn.
    const { calls, taken } = recorder((t) => t.sport === 70 || t.sport < 66);
    expect(select(orig(70), r, NatManip.SRC, { taken, random32: fixedRandom }).sport).toBe(66);
    expect(calls.map((c) => c.port)).toEqual([70, 62, 63, 64, 65, 66]);
    expect(calls.map((c) => c.check)).toEqual([0, 2, 2, 2, 2, 2]);
    expect(calls.map((c) => c.left)).toEqual([0, 128, 127, 126, 125, 124]);
  });

  it('gives up after 128 + 64 + 32 + 16 + 8 tries, each later round at a new random offset', () => {
    const { calls, taken } = recorder(() => true);
    let draws = 0;
    const out = select(orig(40000), r, NatManip.SRC, {
      taken,
      random32: () => (draws++ * 0x01000000) >>> 0,
    });
    expect(calls.length).toBe(1 + 128 + 64 + 32 + 16 + 8);
    expect(draws).toBe(5);
    // Rounds start at 1024 + (0, 256, 512, 768, 1024) and count down their attempts.
    const starts = [1, 129, 193, 225, 241];
    expect(starts.map((i) => calls[i]!.port)).toEqual([1024, 1280, 1536, 1792, 2048]);
    expect(starts.map((i) => calls[i]!.left)).toEqual([128, 64, 32, 16, 8]);
    // The last port tried stays (the kernel drops the packet at confirmation).
    expect(out.sport).toBe(2048 + 7);
  });

  it('searches a range smaller than 128 once when every port is taken', () => {
    const p = ports('203.0.113.9', 5000, 5099);
    const { calls, taken } = recorder(() => true);
    select(orig(40000), p, NatManip.SRC, { taken, random32: fixedRandom });
    // 100 (the whole range: attempts >= range size ends the search).
    expect(calls.length).toBe(100);
    expect(new Set(calls.map((c) => c.port)).size).toBe(100);
  });

  it('with a port range keeps an in-range free port and maps others into it', () => {
    const p = ports('203.0.113.9', 5000, 5999);
    expect(select(orig(5500), p, NatManip.SRC).sport).toBe(5500);
    expect(select(orig(40000), p, NatManip.SRC, { random32: fixedRandom }).sport).toBe(5000 + (0x1234 % 1000));
    // A reversed range is searched as if it were the right way round.
    const rev = { ...p, minPort: 5999, maxPort: 5000 };
    expect(select(orig(40000), rev, NatManip.SRC, { random32: fixedRandom }).sport).toBe(5000 + (0x1234 % 1000));
  });

  it('does not check a one-port range for clashes', () => {
    const p = ports('203.0.113.9', 7000, 7000);
    const { calls, taken } = recorder(() => true);
    expect(select(orig(7000), p, NatManip.SRC, { taken }).sport).toBe(7000);
    expect(calls).toEqual([]);
  });

  it('keeps the original tuple when it is already in range and free (checked as a new tuple)', () => {
    const { calls, taken } = recorder(() => false);
    const o = orig(40000);
    const out = select(o, addrs('10.0.0.1', '10.0.0.9'), NatManip.SRC, { taken });
    expect(out.equals(o)).toBe(true);
    expect(calls).toEqual([{ port: 40000, id: 80, check: UsedCheck.NEW, left: 0 }]);
  });

  it('leaves protocols without ports alone', () => {
    const o = tuple('10.0.0.2', '172.16.1.7', 0, 0, 47);
    const out = select(o, r, NatManip.SRC, { taken: () => true });
    expect([ipText(out.src), out.sport, out.dport]).toEqual(['203.0.113.9', 0, 0]);
    const sctp = select(tuple('10.0.0.2', '172.16.1.7', 80, 9, 132), r, NatManip.SRC, {
      taken: (t) => t.sport === 80,
      random32: fixedRandom,
    });
    expect(sctp.sport).toBe(1 + (0x1234 % 511));
  });
});

describe('destination ports (DNAT)', () => {
  const to = (min: number, max: number, flags = 0, basePort = 0): NatRange =>
    range({
      flags: NAT_MAP_IPS | NAT_PROTO_SPECIFIED | flags,
      minAddr: ip('172.21.0.1'),
      maxAddr: ip('172.21.0.1'),
      minPort: min,
      maxPort: max,
      basePort,
    });
  const orig = (sport: number, dport: number): Tuple => tuple('10.0.0.1', '172.22.0.1', sport, dport);

  it('never changes the port without a port range, even when the tuple is taken', () => {
    const out = select(orig(6000, 80), addrs('172.21.0.1'), NatManip.DST, { taken: () => true });
    expect([ipText(out.dst), out.dport, out.sport]).toEqual(['172.21.0.1', 80, 6000]);
  });

  it('keeps an in-range free port', () => {
    expect(select(orig(6000, 2500), to(2000, 3000), NatManip.DST).dport).toBe(2500);
  });

  // Linux 6.18: DNAT --to-destination 172.21.0.1:2000-3000, two connections from
  // 10.0.0.1:6000 to 172.22.0.1 (ports 1003, 1004) became :2000 and :2001. A DST manip
  // without --random starts its search at the range's start, not at a random offset.
  it('starts at the range start, as the kernel did', () => {
    const first = select(orig(6000, 1003), to(2000, 3000), NatManip.DST);
    expect(first.dport).toBe(2000);
    const second = select(orig(6000, 1004), to(2000, 3000), NatManip.DST, { taken: (t) => t.equals(first) });
    expect(second.dport).toBe(2001);
  });

  it('with --random starts at a random offset', () => {
    const out = select(orig(6000, 1003), to(2000, 3000, NAT_PROTO_RANDOM), NatManip.DST, { random32: fixedRandom });
    expect(out.dport).toBe(2000 + (0x1234 % 1001));
  });

  // Linux 6.18: DNAT --to-destination 172.21.0.2:2000-2999/1000 mapped port 1005 to 2005.
  it('maps through the offset (NF_NAT_RANGE_PROTO_OFFSET), as the kernel did', () => {
    expect(select(orig(6001, 1005), to(2000, 2999, NAT_PROTO_OFFSET, 1000), NatManip.DST).dport).toBe(2005);
  });

  it('remaps with an offset even when the port is already in range, wrapping within it', () => {
    const r = to(2000, 2999, NAT_PROTO_OFFSET, 1000);
    // In range and free, yet shifted: 2500 - 1500 = 1000, 1000 % 1000 = 0.
    expect(select(orig(6001, 2500), to(2000, 2999, NAT_PROTO_OFFSET, 1500), NatManip.DST).dport).toBe(2000);
    expect(select(orig(6001, 1999), r, NatManip.DST).dport).toBe(2999);
    const taken: TupleTaken = (t) => t.dport === 2999;
    expect(select(orig(6001, 1999), r, NatManip.DST, { taken }).dport).toBe(2000);
    // Below the base the u16 offset wraps: (999 - 1000) & 0xffff = 65535, 65535 % 1000 = 535.
    expect(select(orig(6001, 999), r, NatManip.DST).dport).toBe(2535);
    // ...and the next offset after 65535 is 0 (2000), not 65536 (2536).
    const busy: TupleTaken = (t) => t.dport === 2535;
    expect(select(orig(6001, 999), r, NatManip.DST, { taken: busy }).dport).toBe(2000);
  });
});

describe('ICMP ids', () => {
  const echo = (id: number): Tuple => tuple('10.0.0.2', '172.16.1.7', id, 8 << 8, ICMP);

  it('keeps a free id', () => {
    expect(select(echo(77), addrs('203.0.113.9'), NatManip.SRC).sport).toBe(77);
  });

  it('remaps a clashing id anywhere in 0-65535 from a random offset', () => {
    const out = select(echo(77), addrs('203.0.113.9'), NatManip.SRC, {
      taken: (t) => t.sport === 77,
      random32: fixedRandom,
    });
    expect([out.sport, out.dport]).toEqual([0x1234, 8 << 8]);
  });

  it('keeps ids within a given range', () => {
    const r = { ...addrs('203.0.113.9'), flags: NAT_MAP_IPS | NAT_PROTO_SPECIFIED, minPort: 100, maxPort: 199 };
    expect(select(echo(150), r, NatManip.SRC).sport).toBe(150);
    expect(select(echo(77), r, NatManip.SRC, { random32: fixedRandom }).sport).toBe(100 + (0x1234 % 100));
  });

  // Linux 6.18: DNAT --to-destination 172.21.0.9 for three pings with id 77 from
  // 10.0.0.1 to 172.22.0.1, .2 and .3: the replies came back with ids 77, 0 and 1.
  it('changes the id on a DNAT clash too, searching from 0 as the kernel did', () => {
    const r = addrs('172.21.0.9');
    const from = (dst: string): Tuple => tuple('10.0.0.1', dst, 77, 8 << 8, ICMP);
    const chosen: Tuple[] = [];
    const taken: TupleTaken = (t) => chosen.some((c) => c.src === t.src && c.dst === t.dst && c.sport === t.sport);
    for (const dst of ['172.22.0.1', '172.22.0.2', '172.22.0.3']) {
      chosen.push(select(from(dst), r, NatManip.DST, { taken }));
    }
    expect(chosen.map((t) => [ipText(t.dst), t.sport])).toEqual([
      ['172.21.0.9', 77],
      ['172.21.0.9', 0],
      ['172.21.0.9', 1],
    ]);
  });
});

describe('--random and --random-fully', () => {
  const r = (flag: number): NatRange => addrs('203.0.113.9', '203.0.113.9', flag);

  it.each([
    ['random', NAT_PROTO_RANDOM],
    ['random-fully', NAT_PROTO_RANDOM_FULLY],
  ])('--%s re-picks a free port and an in-range original, reproducibly per seed', (_name, flag) => {
    const o = tuple('10.0.0.2', '172.16.1.7', 40000, 80, TCP);
    const a = select(o, r(flag), NatManip.SRC, { random32: seeded(1) });
    const b = select(o, r(flag), NatManip.SRC, { random32: seeded(1) });
    const c = select(o, r(flag), NatManip.SRC, { random32: seeded(2) });
    expect(a.sport).toBe(b.sport);
    expect(a.sport).not.toBe(c.sport);
    expect(a.sport).toBe(1024 + ((seeded(1)() >>> 16) % 64512));
    // Step 1 is skipped: an original source inside the range is not kept either.
    const inRange = select(o, addrs('10.0.0.2', '10.0.0.2', flag), NatManip.SRC, { random32: fixedRandom });
    expect(inRange.sport).toBe(1024 + (0x1234 % 64512));
    // Nor is an earlier mapping of the same source reused.
    const existing: SourceMappings = (_o, visit) => void visit(ip('203.0.113.9'), 33333);
    expect(select(o, r(flag), NatManip.SRC, { existing, random32: fixedRandom }).sport).not.toBe(33333);
  });
});

describe('earlier mappings of the same source (find_appropriate_src)', () => {
  const r = addrs('192.168.1.1', '192.168.1.77');
  const o = tuple('10.0.0.2', '172.16.9.9', 5000, 53);

  it('reuses the mapping of an earlier connection from the same source', () => {
    const existing: SourceMappings = (orig, visit) => {
      expect(orig).toBe(o);
      visit(ip('192.168.1.9'), 31000);
    };
    const { calls, taken } = recorder(() => false);
    const out = select(o, r, NatManip.SRC, { existing, taken });
    expect([ipText(out.src), out.sport, ipText(out.dst), out.dport, out.proto]).toEqual([
      '192.168.1.9',
      31000,
      '172.16.9.9',
      53,
      UDP,
    ]);
    expect(calls).toEqual([{ port: 31000, id: 53, check: UsedCheck.PLAIN, left: 0 }]);
  });

  it('walks past mappings out of range to the first one in range', () => {
    const seen: number[] = [];
    const existing: SourceMappings = (_o, visit) => {
      for (const a of ['192.168.2.1', '192.168.1.30', '192.168.1.40']) {
        seen.push(ip(a));
        if (visit(ip(a), 4000)) return;
      }
    };
    expect(ipText(select(o, r, NatManip.SRC, { existing }).src)).toBe('192.168.1.30');
    expect(seen.length).toBe(2);
  });

  it('checks the reused port against a port range', () => {
    const p = { ...r, flags: NAT_MAP_IPS | NAT_PROTO_SPECIFIED, minPort: 1000, maxPort: 1999 };
    const existing: SourceMappings = (_o, visit) => {
      if (!visit(ip('192.168.1.9'), 31000)) visit(ip('192.168.1.10'), 1500);
    };
    const out = select(o, p, NatManip.SRC, { existing });
    expect([ipText(out.src), out.sport]).toEqual(['192.168.1.10', 1500]);
  });

  it('falls back to the hashed address when the reused mapping is taken', () => {
    const existing: SourceMappings = (_o, visit) => void visit(ip('192.168.1.9'), 31000);
    const out = select(o, r, NatManip.SRC, { existing, taken: (t) => t.sport === 31000 });
    expect(out.src).toBe(select(o, r, NatManip.SRC).src);
    expect(out.sport).toBe(5000);
  });

  it('is not consulted for DNAT, nor when the original source is in range', () => {
    const existing: SourceMappings = () => {
      throw new Error('not expected');
    };
    select(o, r, NatManip.DST, { existing });
    select(o, addrs('10.0.0.1', '10.0.0.9'), NatManip.SRC, { existing });
  });
});
