/**
 * The match space against the reference interpreter on random rules and packets:
 *  - every packet a rule matches (hotdrops) lies in its match (hotdrop) region, and for an
 *    exact region every packet in it is matched (hotdropped);
 *  - mayIntersect(a, b) false: no packet is in both; covers(a, b): no packet is in b and
 *    not in a — for match and hotdrop regions alike;
 * and the set algebras against brute force over small domains.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CT_ATOMS, covers, Dim, DIMS, mayIntersect, ruleSpace, UNDESCRIBED_HOTDROP, type Box, type Region } from '../../src/analysis/matchspace.js';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { complement, cubeSetIntersects, cubeSetOf, cubeSetSubset, ifaceIntersects, ifaceSubset, intersect, intersects, minus, subset, type CubeSet, type IfaceSet, type Intervals } from '../../src/analysis/sets.js';
import { CT_STATE } from '../../src/rules/ext/conntrack.js';
import { Status } from '../../src/conntrack/entry.js';
import { addressType, buildPacket, filterRuleset, packetSpec, ruleEvaluator, ruleMatches, type PacketSpec, type RuleOutcome } from './helpers.js';

/** The packet's attributes, as the match space names them. */
function pointOf(s: PacketSpec): { num: number[]; inIface: string; outIface: string; mark: number; ctmark: number } {
  const p = buildPacket(s);
  const v = p.view;
  const num = new Array<number>(DIMS).fill(0);
  num[Dim.SRC] = v.srcAddr;
  num[Dim.DST] = v.dstAddr;
  num[Dim.PROTO] = v.protocol;
  num[Dim.FRAG] = v.fragOffset === 0 ? 0 : v.fragOffset === 8 ? 1 : 2;
  num[Dim.L4LEN] = v.l4Length;
  num[Dim.L4CAP] = v.l4Captured;
  num[Dim.SPORT] = Math.max(0, v.srcPort);
  num[Dim.DPORT] = Math.max(0, v.dstPort);
  num[Dim.TCPFLAGS] = Math.max(0, v.tcpFlags);
  num[Dim.ICMP] = v.icmpType >= 0 ? (v.icmpType << 8) | v.icmpCode : 0;
  let bit: number = s.ct.kind === 'invalid' ? CT_STATE.INVALID : s.ct.kind === 'untracked' ? CT_STATE.UNTRACKED : [CT_STATE.ESTABLISHED, CT_STATE.RELATED, CT_STATE.NEW, CT_STATE.ESTABLISHED, CT_STATE.RELATED][s.ct.ctinfo]!;
  if (s.ct.kind === 'tracked') {
    if (s.ct.status & Status.SRC_NAT) bit |= CT_STATE.SNAT;
    if (s.ct.status & Status.DST_NAT) bit |= CT_STATE.DNAT;
  }
  num[Dim.CTSTATE] = CT_ATOMS.indexOf(bit);
  num[Dim.LENGTH] = p.length;
  num[Dim.TTL] = p.ttl;
  num[Dim.TOS] = p.tos;
  const dev = (name: string): string | undefined => (name === '' ? undefined : name);
  num[Dim.SRC_TYPE] = addressType(v.srcAddr);
  num[Dim.SRC_TYPE_IN] = addressType(v.srcAddr, dev(p.inIface));
  num[Dim.SRC_TYPE_OUT] = addressType(v.srcAddr, dev(p.outIface));
  num[Dim.DST_TYPE] = addressType(v.dstAddr);
  num[Dim.DST_TYPE_IN] = addressType(v.dstAddr, dev(p.inIface));
  num[Dim.DST_TYPE_OUT] = addressType(v.dstAddr, dev(p.outIface));
  return { num, inIface: p.inIface, outIface: p.outIface, mark: p.mark, ctmark: s.ct.mark };
}

function inIntervals(set: Intervals, x: number): boolean {
  for (let i = 0; i < set.length; i += 2) if (x >= set[i]! && x <= set[i + 1]!) return true;
  return false;
}

function ifaceHas(set: IfaceSet, name: string): boolean {
  const hit = set.prefix ? name.startsWith(set.name) : name === set.name;
  return hit !== set.invert;
}

function cubesHave(set: CubeSet, x: number): boolean {
  const inCube = (c: { value: number; mask: number }): boolean => (x & c.mask) >>> 0 === c.value;
  return inCube(set.pos) && !set.negs.some(inCube);
}

function boxHas(b: Box, pt: ReturnType<typeof pointOf>): boolean {
  for (let d = 0; d < DIMS; d++) if (b.num[d] !== undefined && !inIntervals(b.num[d]!, pt.num[d]!)) return false;
  if (b.inIface !== undefined && !ifaceHas(b.inIface, pt.inIface)) return false;
  if (b.outIface !== undefined && !ifaceHas(b.outIface, pt.outIface)) return false;
  if (b.mark !== undefined && !cubesHave(b.mark, pt.mark)) return false;
  if (b.ctmark !== undefined && !cubesHave(b.ctmark, pt.ctmark)) return false;
  return true;
}

const regionHas = (r: Region, pt: ReturnType<typeof pointOf>): boolean => r.boxes.some((b) => boxHas(b, pt));

interface Case {
  texts: string[];
  regions: Array<{ match: Region; hotdrop: Region }>;
  outcomes: RuleOutcome[][];
  points: Array<ReturnType<typeof pointOf>>;
}

function evaluate(texts: string[], packets: PacketSpec[]): Case {
  const regions = texts.map((t) => {
    const rule = filterRuleset([`-A FORWARD ${t} -j ACCEPT`]).tables[0]!.chains.get('FORWARD')!.rules[0]!;
    const space = ruleSpace(rule);
    return { match: space.match, hotdrop: space.hotdrop };
  });
  const outcomes = texts.map((t) => packets.map(ruleEvaluator(t)));
  return { texts, regions, outcomes, points: packets.map(pointOf) };
}

const RUNS = 150;

describe('match space against the interpreter', () => {
  it('each region holds the packets the rule matches (hotdrops), exactly when exact', () => {
    fc.assert(
      fc.property(ruleMatches(3), fc.array(packetSpec, { minLength: 60, maxLength: 60 }), (texts, packets) => {
        const c = evaluate(texts, packets);
        c.regions.forEach((reg, r) => {
          c.points.forEach((pt, k) => {
            const out = c.outcomes[r]![k]!;
            const ctx = `${c.texts[r]} on ${JSON.stringify(packets[k])}`;
            if (out === 'match') expect(regionHas(reg.match, pt), `matched outside its region: ${ctx}`).toBe(true);
            if (out === 'hotdrop') expect(regionHas(reg.hotdrop, pt), `hotdropped outside its region: ${ctx}`).toBe(true);
            if (reg.match.exact && regionHas(reg.match, pt)) expect(out, `in an exact match region, not matched: ${ctx}`).toBe('match');
            if (reg.hotdrop.exact && regionHas(reg.hotdrop, pt)) expect(out, `in an exact hotdrop region, not dropped: ${ctx}`).toBe('hotdrop');
          });
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('mayIntersect and covers are sound on every pair of regions', () => {
    let disjointSeen = 0;
    let coverSeen = 0;
    fc.assert(
      fc.property(ruleMatches(4), fc.array(packetSpec, { minLength: 60, maxLength: 60 }), (texts, packets) => {
        const c = evaluate(texts, packets);
        const sides = ['match', 'hotdrop'] as const;
        for (let a = 0; a < texts.length; a++) {
          for (let b = 0; b < texts.length; b++) {
            for (const sa of sides) {
              for (const sb of sides) {
                const ra = c.regions[a]![sa];
                const rb = c.regions[b]![sb];
                const inA = (k: number): boolean => c.outcomes[a]![k] === sa;
                const inB = (k: number): boolean => c.outcomes[b]![k] === sb;
                if (!mayIntersect(ra, rb)) {
                  disjointSeen++;
                  packets.forEach((_, k) => expect(inA(k) && inB(k), `disjoint, yet both: ${texts[a]} (${sa}) / ${texts[b]} (${sb}) on ${JSON.stringify(packets[k])}`).toBe(false));
                }
                if (covers(ra, rb)) {
                  coverSeen++;
                  packets.forEach((_, k) => {
                    if (inB(k)) expect(inA(k), `covered, yet outside: ${texts[a]} (${sa}) ⊇ ${texts[b]} (${sb}) on ${JSON.stringify(packets[k])}`).toBe(true);
                  });
                }
              }
            }
          }
        }
      }),
      { numRuns: RUNS },
    );
    // The generator gives both answers often enough for the checks to mean something.
    expect(disjointSeen).toBeGreaterThan(RUNS);
    expect(coverSeen).toBeGreaterThan(RUNS);
  });

  it('knows every match that may hotdrop: described, or pinning its rule', () => {
    const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'rules', 'ext');
    const dropping = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && readFileSync(join(dir, f), 'utf8').includes('hotdrop(pkt)'))
      .map((f) => /name: '([^']+)'/.exec(readFileSync(join(dir, f), 'utf8'))![1]!)
      .sort();
    expect(dropping).toEqual([...new Set(['tcp', 'udp', 'icmp', 'multiport', ...UNDESCRIBED_HOTDROP])].sort());
  });

  it('describes what each extension leaves open as inexact, and stateful matches as pins', () => {
    const space = (t: string) => ruleSpace(filterRuleset([`-A FORWARD ${t} -j ACCEPT`]).tables[0]!.chains.get('FORWARD')!.rules[0]!);
    expect(space('-p tcp -m tcp --dport 22').match.exact).toBe(true);
    expect(space('-m pkttype --pkt-type host').match.exact).toBe(false);
    expect(space('-m conntrack --ctstate NEW --ctdir ORIGINAL').match.exact).toBe(false);
    expect(space('-s 10.0.0.1/255.0.0.255').match.exact).toBe(false);
    expect(space('-m limit --limit 1/sec').pins).toEqual(['limit (its state changes as packets are tested)']);
    expect(space('-m statistic --mode nth --every 2 --packet 0').pins.length).toBe(1);
    expect(space('-p tcp -m tcp --tcp-option 2').pins.length).toBe(1);
    expect(space('-p udp -m udp --dport 53').hotdrop.boxes.length).toBe(1);
    expect(space('-p tcp -m tcp --dport 53').hotdrop.boxes.length).toBe(2);
    expect(space('-m mark --mark 0x1/0x1 -m mark --mark 0x0/0x1').match.boxes.length).toBe(0);
  });
});

describe('set algebras against brute force', () => {
  const DOM = 24;
  const members = (s: Intervals): boolean[] => Array.from({ length: DOM }, (_, x) => inIntervals(s, x));
  const intervals = fc.array(fc.boolean(), { minLength: DOM, maxLength: DOM }).map((bits) => {
    const out: number[] = [];
    bits.forEach((b, x) => {
      if (!b) return;
      if (out.length > 0 && out[out.length - 1] === x - 1) out[out.length - 1] = x;
      else out.push(x, x);
    });
    return out as Intervals;
  });

  it('interval sets', () => {
    fc.assert(
      fc.property(intervals, intervals, (a, b) => {
        const ma = members(a);
        const mb = members(b);
        expect(members(intersect(a, b))).toEqual(ma.map((x, i) => x && mb[i]!));
        expect(members(minus(a, b))).toEqual(ma.map((x, i) => x && !mb[i]!));
        expect(members(complement(a, 0, DOM - 1))).toEqual(ma.map((x) => !x));
        expect(intersects(a, b)).toBe(ma.some((x, i) => x && mb[i]!));
        expect(subset(a, b)).toBe(ma.every((x, i) => !x || mb[i]!));
      }),
    );
  });

  const NAMES = ['', 'e', 'eth', 'eth0', 'eth1', 'eth10', 'wlan0', 'w'];
  const ifaceSet = fc.record({ name: fc.constantFrom('e', 'eth', 'eth0', 'eth1', 'wlan0'), prefix: fc.boolean(), invert: fc.boolean() });

  it('interface sets: never wrong on the names tried', () => {
    fc.assert(
      fc.property(ifaceSet, ifaceSet, (a, b) => {
        const both = NAMES.some((n) => ifaceHas(a, n) && ifaceHas(b, n));
        if (both) expect(ifaceIntersects(a, b)).toBe(true);
        const outside = NAMES.some((n) => ifaceHas(a, n) && !ifaceHas(b, n));
        if (outside) expect(ifaceSubset(a, b)).toBe(false);
      }),
    );
  });

  const cube = fc.record({ mask: fc.integer({ min: 0, max: 15 }), value: fc.integer({ min: 0, max: 15 }) }).map((c) => ({ mask: c.mask, value: c.value & c.mask }));
  const cubeSet = fc.tuple(cube, fc.array(cube, { maxLength: 2 })).map(([pos, negs]) => cubeSetOf(pos, negs));

  it('mark sets: never wrong on every value of the low bits', () => {
    fc.assert(
      fc.property(cubeSet, cubeSet, (a, b) => {
        if (a === undefined || b === undefined) return;
        const values = Array.from({ length: 16 }, (_, x) => x);
        if (values.some((x) => cubesHave(a, x) && cubesHave(b, x))) expect(cubeSetIntersects(a, b)).toBe(true);
        if (values.some((x) => cubesHave(a, x) && !cubesHave(b, x))) expect(cubeSetSubset(a, b)).toBe(false);
      }),
    );
  });
});
