/**
 * The hash indexes on kube-proxy-shaped rulesets, and the address runs on a ClassBench-style
 * ACL, with the real tcp, udp, comment, MARK and REJECT modules: every way of compiling (indexes on and off, templates everywhere, nowhere
 * or where shared) gives the interpreter's verdicts, rules evaluated, marks, counters and
 * notes, for service traffic and for the packets the indexes must not decide alone (later
 * fragments, the "evil" fragment at offset 8, headers cut by the snaplen, other protocols).
 */
import { describe, expect, it } from 'vitest';
import { classbenchRules, classbenchText, kubeFilterRuleset, kubePackets } from '../../bench/replay-rules.mjs';
import { compileRuleset, interpretRuleset, type TableRunner } from '../../src/compile/index.js';
import { L4State } from '../../src/decode/view.js';
import { loadRulesetText } from '../../src/rules/index.js';
import type { Ruleset } from '../../src/rules/model.js';
import { readCounters, TestPacket, TestRuntime, type PacketFields } from './helpers.js';

interface KubePacket {
  hook: 'INPUT' | 'FORWARD';
  src: number;
  dst: number;
  proto: number;
  dport: number;
  length: number;
}

/** Packet i, one in four bent into something an index must not decide alone. */
function bent(f: PacketFields, i: number): PacketFields {
  switch (i % 16) {
    case 3:
      return { ...f, fragOffset: 8, l4State: L4State.NONE };
    case 7:
      return { ...f, fragOffset: 1480, l4State: L4State.NONE };
    case 11:
      return { ...f, l4State: L4State.PARTIAL, l4Captured: 4 };
    case 15:
      return { ...f, proto: 47 };
    default:
      return f;
  }
}

/** Service traffic, and every fourth packet bent into something the index must not decide. */
function packets(services: number, count: number): PacketFields[] {
  return (kubePackets(services, count, 7) as KubePacket[]).map((p, i) => bent({ ...p, sport: 40000 + (i % 7) }, i));
}

function replay(runner: TableRunner, rs: Ruleset, rt: TestRuntime, pkts: readonly PacketFields[]) {
  const tp = new TestPacket();
  const steps = pkts.map((f) => {
    const pkt = tp.set(f);
    const verdict = runner.traverse('filter', pkt);
    return [verdict, runner.lastEvaluated, pkt.mark, pkt.hotdrop];
  });
  return { steps, counters: readCounters(runner, rs), notes: Object.fromEntries(rt.notes) };
}

/** The reference interpreter's outcome. */
function interpreted(rs: Ruleset, pkts: readonly PacketFields[]): ReturnType<typeof replay> {
  const rt = new TestRuntime();
  return replay(interpretRuleset(rs, rt), rs, rt, pkts);
}

describe('kube-proxy KUBE-SERVICES index', () => {
  it.each([40, 600])('%i services: identical outcomes with and without the index', (services) => {
    const rs = loadRulesetText(kubeFilterRuleset(services), { source: 'kube.v4' }).ruleset;
    const pkts = packets(services, 3000);
    const reference = interpreted(rs, pkts);
    // Most service rules counted something; the odd packets were really sent.
    const serviceRules = Object.keys(reference.counters).filter((k) => k.startsWith('KUBE-SERVICES#'));
    expect(serviceRules.length).toBeGreaterThan(services * 0.5);
    expect(reference.steps.some(([, , , hotdrop]) => hotdrop)).toBe(true);
    for (const options of [{}, { index: false }, { templates: 'always' as const }, { templates: 'never' as const }, { index: false, templates: 'never' as const }]) {
      const rt = new TestRuntime();
      const runner = compileRuleset(rs, rt, options);
      if (options.index !== false) expect(runner.source()).toMatch(/indexed run: rules #1 to #/);
      expect(replay(runner, rs, rt, pkts), JSON.stringify(options)).toEqual(reference);
    }
  });

  it('10,000 services: the index gives the same counters as the linear walk', () => {
    const rs = loadRulesetText(kubeFilterRuleset(10000), { source: 'kube.v4' }).ruleset;
    const pkts = packets(10000, 4000);
    const outcomes = [{}, { index: false }].map((options) => {
      const rt = new TestRuntime();
      return replay(compileRuleset(rs, rt, options), rs, rt, pkts);
    });
    expect(outcomes[1]).toEqual(outcomes[0]);
    expect(Object.keys(outcomes[0]!.counters).length).toBeGreaterThan(3000);
  });
});

/** A small deterministic generator (xorshift32): the same packets every run. */
function xorshift(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

interface AclRule {
  src: string;
  dst: string;
  proto: string;
  sport: string;
  dport: string;
  target: string;
}

/**
 * ACL traffic: each packet aimed at a random rule (inside its prefixes, protocol and port
 * ranges), so rules all over the chain match first or are passed over by a packet for a
 * later one; every fifth to an address no rule names; one in four bent().
 */
function aclPackets(rules: readonly AclRule[], count: number): PacketFields[] {
  const r = xorshift(11);
  const within = (cidr: string): number => {
    if (cidr === '') return Math.floor(r() * 0x100000000);
    const [addr, len] = cidr.split('/');
    const base = addr!.split('.').reduce((n, o) => n * 256 + Number(o), 0);
    const size = 2 ** (32 - Number(len ?? 32));
    return base + Math.floor(r() * size);
  };
  const port = (range: string): number => {
    if (range === '') return 1 + Math.floor(r() * 65535);
    const [lo, hi = lo] = range.split(':').map(Number);
    return lo! + Math.floor(r() * (hi! - lo! + 1));
  };
  return Array.from({ length: count }, (_, i) => {
    const rule = rules[Math.floor(r() * rules.length)]!;
    const proto = rule.proto === 'udp' ? 17 : rule.proto === 'tcp' || r() < 0.5 ? 6 : 17;
    const dst = i % 5 === 4 ? Math.floor(r() * 0x100000000) : within(rule.dst);
    return bent({ hook: 'FORWARD', src: within(rule.src), dst, proto, sport: port(rule.sport), dport: port(rule.dport), length: 60 + (i % 1400) }, i);
  });
}

describe('ClassBench-style ACL address runs', () => {
  it('3,000 prefix rules in address runs: the interpreter\'s outcomes, whatever the chunk', () => {
    // The most specific first, as ACLs are written: the packets aimed at a rule far down then reach it.
    const len = (cidr: string): number => (cidr === '' ? 0 : Number(cidr.split('/')[1] ?? 32));
    const rules = (classbenchRules(3000, 1) as AclRule[]).sort((a, b) => len(b.dst) - len(a.dst) || len(b.src) - len(a.src));
    const rs = loadRulesetText(classbenchText(rules), { source: 'acl.v4' }).ruleset;
    const pkts = aclPackets(rules, 4000);
    const reference = interpreted(rs, pkts);
    // Rules all over the chain matched, and packets fell to the policy after all 3,000.
    const hit = Object.keys(reference.counters).filter((k) => k.startsWith('FORWARD#'));
    expect(hit.length).toBeGreaterThan(40);
    expect(hit.some((k) => Number(k.split('#')[1]) > 2500)).toBe(true);
    expect(reference.steps.some(([, evaluated]) => evaluated === 3000)).toBe(true);
    const variants = [{}, { templates: 'never' as const }, { addrRuns: { min: 64, share: 0.5, chunk: 100 } }, { addrRuns: { min: 64, share: 0.5, chunk: 31 }, templates: 'never' as const }];
    for (const options of variants) {
      const rt = new TestRuntime();
      const runner = compileRuleset(rs, rt, options);
      // The /32 destinations first go through the hash index, the rest through address runs.
      expect(runner.source()).toMatch(/indexed run: rules #1 to #742\n/);
      expect(runner.source()).toMatch(/address run: rules #\d+ to #3000\n/);
      expect(replay(runner, rs, rt, pkts), JSON.stringify(options)).toEqual(reference);
    }
  });

  it('a stretch of rules that mostly test no address stays a rule-by-rule walk', () => {
    const rules = Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? `-A FORWARD -s 10.0.${i}.0/24 -j DROP` : `-A FORWARD -p tcp -m tcp --dport ${1000 + i} -j ACCEPT`));
    const rs = loadRulesetText(['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]', ...rules, 'COMMIT', ''].join('\n'), { source: 'ports.v4' }).ruleset;
    expect(compileRuleset(rs, new TestRuntime()).source()).not.toMatch(/address run/);
  });
});
