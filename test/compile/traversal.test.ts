/**
 * Hand-written chains with hand-computed outcomes, for both runners: every target kind,
 * -j / -g / RETURN combinations (goto from a goto'd chain, RETURN in a built-in chain),
 * policies, counters in packets and bytes (pkt.length at the time of the rule), rules
 * evaluated, and the ip_packet_match details (masks, inversions, interface wildcards,
 * fragments).
 */
import { describe, expect, it } from 'vitest';
import { compileRuleset, interpretRuleset, UnmodelledError, type TableRunner } from '../../src/compile/index.js';
import { Verdict } from '../../src/engine/packet.js';
import { loadRulesetText } from '../../src/rules/index.js';
import type { Ruleset } from '../../src/rules/model.js';
import {
  buildRuleset,
  fakeGrow,
  fakeLog,
  fakeMark,
  fakeMarkTarget,
  fakeNth,
  fakeTcp,
  fakeUnmodelled,
  fakeUnmodelledTarget,
  fakeVerdict,
  ip,
  m,
  prefix,
  readCounters,
  rule,
  T,
  TestPacket,
  TestRuntime,
  type PacketFields,
} from './helpers.js';

const tcpAny = {
  sport: { min: 0, max: 0xffff, invert: false },
  dport: { min: 0, max: 0xffff, invert: false },
  option: 0,
  invOption: false,
  flagMask: 0,
  flagCmp: 0,
  invFlags: false,
  given: { sport: false, dport: false, flags: false, option: false },
};

type Make = (rs: Ruleset, rt: TestRuntime) => TableRunner;
const RUNNERS: Array<[string, Make]> = [
  ['interpreter', (rs, rt) => interpretRuleset(rs, rt)],
  ['compiled', (rs, rt) => compileRuleset(rs, rt)],
  ['compiled, no index', (rs, rt) => compileRuleset(rs, rt, { index: false })],
  ['compiled, templates everywhere', (rs, rt) => compileRuleset(rs, rt, { templates: 'always' })],
];

const JUMPS = `*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:A - [0:0]
:B - [0:0]
:C - [0:0]
-A INPUT -s 10.0.0.1/32
-A INPUT -p tcp -j A
-A INPUT -p udp -g B
-A INPUT -p icmp -j RETURN
-A INPUT -i eth1 -j ACCEPT
-A INPUT -i eth2 -j QUEUE
-A A -d 192.0.2.1/32 -j DROP
-A A -d 192.0.2.2/32 -j RETURN
-A A -d 192.0.2.3/32 -g C
-A A -j ACCEPT
-A B -d 192.0.2.1/32 -j ACCEPT
-A B -d 192.0.2.2/32 -g C
-A C -d 192.0.2.2/32 -j RETURN
-A C -d 192.0.2.4/32 -j DROP
COMMIT
`;

interface Case {
  name: string;
  pkt: PacketFields;
  verdict: Verdict;
  evaluated: number;
  counters: Record<string, number>;
}

/** Packet lengths are distinct so bytes show which packet a rule counted. */
const CASES: Case[] = [
  { name: '-j then DROP in the callee', pkt: { src: ip('10.0.0.1'), dst: ip('192.0.2.1'), length: 100 }, verdict: Verdict.DROP, evaluated: 3, counters: { 'INPUT#1': 100, 'INPUT#2': 100, 'A#1': 100 } },
  {
    name: 'RETURN from a -j chain resumes after the jump; fall-off applies the policy',
    pkt: { dst: ip('192.0.2.2'), length: 101 },
    verdict: Verdict.DROP,
    evaluated: 8,
    counters: { 'INPUT#2': 101, 'A#2': 101, 'INPUT:policy': 101 },
  },
  {
    name: 'goto from a -j chain: falling off the goto target returns after the -j',
    pkt: { dst: ip('192.0.2.3'), inIface: 'eth1', length: 102 },
    verdict: Verdict.ACCEPT,
    evaluated: 5 + 3 + 2,
    counters: { 'INPUT#2': 102, 'A#3': 102, 'INPUT#5': 102 },
  },
  { name: 'goto from a built-in chain, verdict in the target', pkt: { proto: 17, dst: ip('192.0.2.1'), length: 103 }, verdict: Verdict.ACCEPT, evaluated: 4, counters: { 'INPUT#3': 103, 'B#1': 103 } },
  {
    name: 'goto from a goto\'d chain: RETURN there applies the policy',
    pkt: { proto: 17, dst: ip('192.0.2.2'), length: 104 },
    verdict: Verdict.DROP,
    evaluated: 3 + 2 + 1,
    counters: { 'INPUT#3': 104, 'B#2': 104, 'C#1': 104, 'INPUT:policy': 104 },
  },
  { name: 'goto target falls off with nothing to return to: policy', pkt: { proto: 17, dst: ip('192.0.2.9'), length: 105 }, verdict: Verdict.DROP, evaluated: 5, counters: { 'INPUT#3': 105, 'INPUT:policy': 105 } },
  { name: 'RETURN in a built-in chain applies its policy', pkt: { proto: 1, length: 106 }, verdict: Verdict.DROP, evaluated: 4, counters: { 'INPUT#4': 106, 'INPUT:policy': 106 } },
  { name: 'QUEUE is terminal', pkt: { proto: 47, inIface: 'eth2', length: 107 }, verdict: Verdict.QUEUE, evaluated: 6, counters: { 'INPUT#6': 107 } },
  { name: 'empty built-in chain: its policy counts', pkt: { hook: 'OUTPUT', length: 108 }, verdict: Verdict.ACCEPT, evaluated: 0, counters: { 'OUTPUT:policy': 108 } },
  { name: 'a -j chain ends with ACCEPT', pkt: { dst: ip('192.0.2.4'), length: 109 }, verdict: Verdict.ACCEPT, evaluated: 2 + 4, counters: { 'INPUT#2': 109, 'A#4': 109 } },
];

function run(make: Make, rs: Ruleset, cases: readonly Case[]): void {
  const rt = new TestRuntime();
  const runner = make(rs, rt);
  const tp = new TestPacket();
  const expected: Record<string, [number, number]> = {};
  for (const c of cases) {
    const pkt = tp.set(c.pkt);
    expect(runner.traverse('filter', pkt), c.name).toBe(c.verdict);
    expect(pkt.table).toBe('filter');
    expect(runner.lastEvaluated, c.name).toBe(c.evaluated);
    for (const [k, bytes] of Object.entries(c.counters)) {
      const e = (expected[k] ??= [0, 0]);
      e[0] += 1;
      e[1] += bytes;
    }
  }
  expect(readCounters(runner, rs)).toEqual(expected);
}

describe.each(RUNNERS)('%s', (_name, make) => {
  it('walks -j, -g and RETURN as ipt_do_table does', () => {
    const rs = loadRulesetText(JUMPS, { source: 'jumps.v4' }).ruleset;
    run(make, rs, CASES);
  });

  it('each case alone gives the same counters as in sequence', () => {
    const rs = loadRulesetText(JUMPS, { source: 'jumps.v4' }).ruleset;
    for (const c of CASES) run(make, rs, [c]);
  });

  it('writeCounters adds to the model and starts again from zero', () => {
    const rs = loadRulesetText(JUMPS, { source: 'jumps.v4' }).ruleset;
    const runner = make(rs, new TestRuntime());
    const tp = new TestPacket();
    const input = rs.tables[0]!.chains.get('INPUT')!;
    input.rules[0]!.counters.packets = 5n;
    input.rules[0]!.counters.bytes = 500n;
    runner.traverse('filter', tp.set({ src: ip('10.0.0.1'), dst: ip('192.0.2.1'), length: 40 }));
    runner.writeCounters();
    runner.writeCounters();
    expect(input.rules[0]!.counters).toEqual({ packets: 6n, bytes: 540n });
  });

  it('extension targets: continue after MARK and a length change, terminal verdicts, counted before they run', () => {
    const rs = buildRuleset(
      'filter',
      {
        FORWARD: [
          rule({}, [], T.ext(fakeMarkTarget, { value: 0x10, mask: 0xff })),
          rule({}, [m(fakeMark, { value: 0x10, mask: 0xf0, invert: false })], T.ext(fakeGrow, {})),
          rule({}, [], T.ext(fakeMarkTarget, { value: 0x1, mask: 0x1 })),
          rule({}, [], T.jump('L')),
          rule({ proto: 17 }, [], T.ext(fakeVerdict, { verdict: Verdict.DROP })),
          rule({}, [], T.none),
        ],
        L: [rule({}, [], T.ext(fakeLog, { prefix: 'x: ' })), rule({}, [m(fakeMark, { value: 0x11, mask: 0xff, invert: true })], T.drop)],
      },
      { FORWARD: 'DROP' },
    );
    {
      const name = 'extension targets';
      const rt = new TestRuntime();
      const runner = make(rs, rt);
      const tp = new TestPacket();
      const tcp = tp.set({ hook: 'FORWARD', length: 60 });
      expect(runner.traverse('filter', tcp), name).toBe(Verdict.DROP);
      expect(tcp.mark).toBe(0x11);
      expect(tcp.length).toBe(64);
      expect(runner.lastEvaluated).toBe(6 + 2);
      const udp = tp.set({ hook: 'FORWARD', proto: 17, length: 61, mark: 0x100 });
      expect(runner.traverse('filter', udp), name).toBe(Verdict.DROP);
      expect(udp.mark).toBe(0x111);
      expect(runner.lastEvaluated).toBe(5 + 2);
      expect(rt.logs).toEqual(['<4>x: IN=eth0', '<4>x: IN=eth0']);
      expect(readCounters(runner, rs), name).toEqual({
        'FORWARD#1': [2, 121],
        'FORWARD#2': [2, 121],
        'FORWARD#3': [2, 129],
        'FORWARD#4': [2, 129],
        'FORWARD#5': [1, 65],
        'FORWARD#6': [1, 64],
        'FORWARD:policy': [1, 64],
        'L#1': [2, 129],
      });
    }
  });

  it('stateful matches are instantiated once per rule and evaluated only when reached', () => {
    const rs = buildRuleset('filter', {
      INPUT: [
        rule({ proto: 6 }, [m(fakeNth, { every: 2 })], T.accept),
        rule({}, [m(fakeNth, { every: 2 })], T.drop),
        rule({}, [m(fakeNth, { every: 2 })], T.queue),
      ],
    });
    const rt = new TestRuntime();
    const runner = make(rs, rt);
    const tp = new TestPacket();
    const verdicts = [6, 17, 6, 17, 6, 6].map((proto) => runner.traverse('filter', tp.set({ proto })));
    // Rule 1 counts only the tcp packets it is reached by; rule 2 every packet rule 1 let
    // through, rule 3 what rule 2 let through.
    expect(verdicts).toEqual([Verdict.ACCEPT, Verdict.DROP, Verdict.ACCEPT, Verdict.QUEUE, Verdict.DROP, Verdict.ACCEPT]);
  });

  it('a hotdropping match ends the traversal with DROP: the rule, later rules and the policy do not count', () => {
    const rs = buildRuleset(
      'filter',
      {
        INPUT: [rule({}, [], T.none), rule({}, [], T.jump('U'))],
        U: [rule({ proto: 6 }, [], T.none), rule({ proto: 6 }, [m(fakeTcp, tcpAny)], T.accept), rule({}, [], T.accept)],
      },
      { INPUT: 'ACCEPT' },
    );
    const runner = make(rs, new TestRuntime());
    const tp = new TestPacket();
    const evil = tp.set({ fragOffset: 8, length: 30 });
    expect(runner.traverse('filter', evil)).toBe(Verdict.DROP);
    expect(evil.hotdrop).toBe(true);
    expect(runner.lastEvaluated).toBe(2 + 2);
    const ok = tp.set({ length: 40 });
    expect(runner.traverse('filter', ok)).toBe(Verdict.ACCEPT);
    expect(ok.hotdrop).toBe(false);
    expect(readCounters(runner, rs)).toEqual({ 'INPUT#1': [2, 70], 'INPUT#2': [2, 70], 'U#1': [2, 70], 'U#2': [1, 40] });
  });

  it('ip_packet_match: masks, inversions, interface wildcards, protocol and fragments', () => {
    const ruleset = buildRuleset('filter', {
      FORWARD: [
        rule({ src: ip('10.1.0.0'), smsk: prefix(16), invSrc: true }, [], T.none),
        rule({ dst: ip('10.0.0.5'), dmsk: ip('255.0.0.255') }, [], T.none),
        rule({ iniface: 'eth+' }, [], T.none),
        rule({ iniface: 'eth', invIn: false }, [], T.none),
        rule({ outiface: 'eth1', invOut: true }, [], T.none),
        rule({ iniface: '+' }, [], T.none),
        rule({ iniface: '+', invIn: true }, [], T.none),
        rule({ proto: 6, invProto: true }, [], T.none),
        rule({ fragment: true }, [], T.none),
        rule({ fragment: true, invFrag: true }, [], T.none),
        rule({ invFrag: true }, [], T.none),
        rule({ smsk: 0, invSrc: true }, [], T.none),
        rule({ iniface: 'eth0', outiface: 'eth1+' }, [], T.none),
      ],
    });
    const rt = new TestRuntime();
    const runner = make(ruleset, rt);
    const tp = new TestPacket();
    const send = (f: PacketFields): void => void runner.traverse('filter', tp.set({ hook: 'FORWARD', ...f }));
    send({ src: ip('10.1.2.3'), dst: ip('10.9.9.5'), inIface: 'eth0', outIface: 'eth1', length: 1 });
    send({ src: ip('10.2.2.3'), dst: ip('11.9.9.5'), inIface: 'eth', outIface: 'eth10', proto: 17, fragOffset: 8, length: 2 });
    send({ src: ip('10.2.2.3'), dst: ip('10.0.0.6'), inIface: 'wlan0', outIface: 'eth1', proto: 1, length: 4 });
    expect(readCounters(runner, ruleset)).toEqual({
      'FORWARD#1': [2, 6],
      'FORWARD#2': [1, 1],
      'FORWARD#3': [2, 3],
      'FORWARD#4': [1, 2],
      'FORWARD#5': [1, 2],
      'FORWARD#6': [3, 7],
      'FORWARD#8': [2, 6],
      'FORWARD#9': [1, 2],
      'FORWARD#10': [2, 5],
      'FORWARD#13': [1, 1],
      'FORWARD:policy': [3, 7],
    });
  });

  it('interface wildcards against a packet without an input interface, as a kernel counted them', () => {
    // Recorded on Linux 6.18 (iptables-legacy 1.8.9) in a network namespace: one
    // `ping -c 1 127.0.0.1` = echo request and reply, each through OUTPUT (no input
    // interface) and INPUT (on lo), 84 bytes each; then iptables-save -c.
    const rs = loadRulesetText(
      `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:X - [0:0]
-A OUTPUT -j X
-A INPUT -j X
-A X -i +
-A X ! -i +
-A X -i lo
-A X ! -i lo
-A X -i l+
-A X ! -i l+
-A X -f
-A X ! -f
COMMIT
`,
      { source: 'iface.v4' },
    ).ruleset;
    const runner = make(rs, new TestRuntime());
    const tp = new TestPacket();
    for (let i = 0; i < 2; i++) {
      const local = { proto: 1, src: ip('127.0.0.1'), dst: ip('127.0.0.1'), length: 84 };
      expect(runner.traverse('filter', tp.set({ ...local, hook: 'OUTPUT', inIface: '', outIface: 'lo' }))).toBe(Verdict.ACCEPT);
      expect(runner.traverse('filter', tp.set({ ...local, hook: 'INPUT', inIface: 'lo', outIface: '' }))).toBe(Verdict.ACCEPT);
    }
    const kernel = { 'X#1': [4, 336], 'X#3': [2, 168], 'X#4': [2, 168], 'X#5': [2, 168], 'X#6': [2, 168], 'X#8': [4, 336] };
    const counters = readCounters(runner, rs);
    for (const [k, v] of Object.entries(kernel)) expect(counters[k], k).toEqual(v);
    expect(Object.keys(counters).filter((k) => k.startsWith('X'))).toEqual(Object.keys(kernel));
  });

  it('a table the ruleset lacks, or a hook its table does not have, accepts without counting', () => {
    const rs = loadRulesetText(JUMPS, { source: 'jumps.v4' }).ruleset;
    const runner = make(rs, new TestRuntime());
    const tp = new TestPacket();
    expect(runner.traverse('nat', tp.set({ hook: 'PREROUTING' }))).toBe(Verdict.ACCEPT);
    expect(runner.traverse('filter', tp.set({ hook: 'PREROUTING' }))).toBe(Verdict.ACCEPT);
    expect(runner.lastEvaluated).toBe(0);
    expect(readCounters(runner, rs)).toEqual({});
  });
});

describe('unmodelled extensions', () => {
  const ruleset = (): Ruleset =>
    buildRuleset('filter', {
      INPUT: [rule({ proto: 6 }, [m(fakeUnmodelled, {})], T.accept, 7), rule({}, [], T.ext(fakeUnmodelledTarget, {}), 8), rule({}, [], T.drop, 9)],
    });

  it.each([
    ['interpreter', (rs: Ruleset, rt: TestRuntime) => interpretRuleset(rs, rt)],
    ['compiled', (rs: Ruleset, rt: TestRuntime) => compileRuleset(rs, rt)],
  ])('%s refuses them by default, naming each rule', (_name, make) => {
    const err = (() => {
      try {
        make(ruleset(), new TestRuntime());
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(UnmodelledError);
    expect((err as UnmodelledError).code).toBe('NFR_ERR_UNMODELLED');
    expect((err as UnmodelledError).uses).toEqual(['filter INPUT #1 (test:7): fu32 (not modelled)', 'filter INPUT #2 (test:8): FSYNPROXY (not modelled)']);
  });

  it('assume-match / assume-nomatch: same verdicts and notes from both runners', () => {
    for (const unmodelled of ['assume-match', 'assume-nomatch'] as const) {
      const results = [
        (rs: Ruleset, rt: TestRuntime) => interpretRuleset(rs, rt, { unmodelled }),
        (rs: Ruleset, rt: TestRuntime) => compileRuleset(rs, rt, { unmodelled }),
      ].map((make) => {
        const rs = ruleset();
        const rt = new TestRuntime();
        const runner = make(rs, rt);
        const tp = new TestPacket();
        const verdicts = [6, 17].map((proto) => runner.traverse('filter', tp.set({ proto })));
        return { verdicts, notes: Object.fromEntries(rt.notes), counters: readCounters(runner, rs) };
      });
      expect(results[1]).toEqual(results[0]);
      const accept = unmodelled === 'assume-match';
      expect(results[0]!.verdicts).toEqual([accept ? Verdict.ACCEPT : Verdict.DROP, Verdict.DROP]);
      expect(results[0]!.notes).toEqual({
        [`unmodelled match fu32 assumed to ${accept ? 'match' : 'not match'}`]: 1,
        'unmodelled target FSYNPROXY skipped': accept ? 1 : 2,
      });
    }
  });

  it('compiles only the tables asked for', () => {
    const rs = loadRulesetText(JUMPS, { source: 'jumps.v4' }).ruleset;
    const runner = compileRuleset(rs, new TestRuntime(), { tables: ['nat'] });
    const tp = new TestPacket();
    expect(() => runner.traverse('filter', tp.set({}))).toThrow(/filter was not compiled/);
    expect(runner.traverse('nat', tp.set({}))).toBe(Verdict.ACCEPT);
    expect(runner.source()).toBe('');
  });
});
