/**
 * The compiled matcher (with and without its indexes) agrees with the reference interpreter
 * on random loop-free rulesets and random packets: verdict, rules evaluated, the packet's
 * mark and length after the traversal, every counter, every note and log line. Rulesets
 * mix the generic options, small extensions with both a matchPacket and a compileMatch
 * (inlined) or only a matchPacket (called; one stateful), targets of every kind, and blocks
 * shaped for each index (kube-proxy's -d/-p/--dport, -s, -i).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRuleset, interpretRuleset, prepare, UnmodelledError, type Prepared, type TableRunner, type UnmodelledPolicy } from '../../src/compile/index.js';
import { L4State } from '../../src/decode/view.js';
import { Verdict } from '../../src/engine/packet.js';
import type { IpEntry, MatchInstance, Rule, RuleTarget, Ruleset } from '../../src/rules/model.js';
import {
  buildRuleset,
  fakeComment,
  fakeGrow,
  fakeIfname,
  fakeLog,
  fakeMark,
  fakeMarkTarget,
  fakeNth,
  fakeOdd,
  fakeTcp,
  fakeUdp,
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

const FULL = 0xffffffff;
const HOSTS = ['10.0.0.1', '10.0.0.2', '10.1.2.3', '192.0.2.1', '192.0.2.2', '198.51.100.7', '203.0.113.9'].map(ip);
/** Addresses at the edges of NETS' ranges and of the address space. */
const EDGES = ['0.0.0.0', '9.255.255.255', '10.0.0.0', '10.255.255.255', '11.0.0.0', '127.255.255.255', '128.0.0.0', '192.0.2.255', '192.0.3.0', '255.255.255.255'].map(ip);
const NETS: Array<[number, number]> = [
  [0, 0],
  [ip('10.0.0.0'), prefix(8)],
  [ip('10.0.0.1'), FULL],
  [ip('192.0.2.0'), prefix(24)],
  [ip('192.0.2.2'), FULL],
  [ip('203.0.113.9'), FULL],
  // the top half of the address space: unsigned order past the int32 sign bit
  [ip('128.0.0.0'), prefix(1)],
  [ip('10.0.0.0'), prefix(31)],
  // a non-contiguous mask, as iptables accepts in dotted form
  [ip('10.0.0.1') & ip('255.0.0.255'), ip('255.0.0.255')],
];
const RULE_IFACES = ['', '', 'eth0', 'eth1', 'eth+', '+', 'wlan0', 'e+', 'eth10'];
const PKT_IFACES = ['', 'eth0', 'eth1', 'eth10', 'wlan0', 'e'];
const PORTS = [22, 53, 80, 443, 8080];

const rarely = fc.constantFrom(false, false, false, true);

/** `usual` three times in four: rules that test everything rarely match anything. */
function often<T>(usual: fc.Arbitrary<T>, other: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ weight: 3, arbitrary: usual }, { weight: 1, arbitrary: other });
}

const portRange = fc.oneof(
  fc.constant({ min: 0, max: 0xffff, invert: false }),
  fc.constantFrom(...PORTS).map((p) => ({ min: p, max: p, invert: false })),
  fc.tuple(fc.constantFrom(...PORTS), fc.constantFrom(...PORTS), rarely).map(([a, b, invert]) => ({ min: Math.min(a, b), max: Math.max(a, b), invert })),
);

const tcpState = fc.record({
  sport: portRange,
  dport: portRange,
  option: fc.constant(0),
  invOption: fc.constant(false),
  flags: fc.constantFrom([0, 0, false], [0x17, 0x02, false], [0x12, 0x12, true], [0x3f, 0x10, false]),
}).map(({ flags: [flagMask, flagCmp, invFlags], ...s }) => ({
  ...s,
  flagMask,
  flagCmp,
  invFlags,
  given: { sport: true, dport: true, flags: true, option: false },
}));

const match: fc.Arbitrary<MatchInstance> = fc.oneof(
  { weight: 3, arbitrary: tcpState.map((s) => m(fakeTcp, s)) },
  { weight: 3, arbitrary: fc.record({ sport: portRange, dport: portRange }).map((s) => m(fakeUdp, s)) },
  { weight: 2, arbitrary: fc.constant(m(fakeComment, { text: 'c' })) },
  {
    weight: 3,
    arbitrary: fc
      .record({ value: fc.constantFrom(0, 0x10, 0x11), mask: fc.constantFrom(0xff, 0xf0, FULL), invert: rarely })
      .map((s) => m(fakeMark, { ...s, value: s.value & s.mask })),
  },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 3 }).map((every) => m(fakeNth, { every })) },
  { weight: 2, arbitrary: fc.boolean().map((odd) => m(fakeOdd, { odd })) },
  { weight: 2, arbitrary: fc.constantFrom(...PKT_IFACES).map((name) => m(fakeIfname, { name })) },
  { weight: 1, arbitrary: fc.constant(m(fakeUnmodelled, {})) },
);

const ipEntry: fc.Arbitrary<Partial<IpEntry>> = fc
  .record({
    src: often(fc.constant<[number, number]>([0, 0]), fc.constantFrom(...NETS)),
    dst: often(fc.constant<[number, number]>([0, 0]), fc.constantFrom(...NETS)),
    invSrc: rarely,
    invDst: rarely,
    iniface: often(fc.constant(''), fc.constantFrom(...RULE_IFACES)),
    outiface: often(fc.constant(''), fc.constantFrom(...RULE_IFACES)),
    invIn: rarely,
    invOut: rarely,
    proto: often(fc.constant(0), fc.constantFrom(6, 17, 1)),
    invProto: rarely,
    frag: fc.constantFrom([false, false], [false, false], [false, false], [true, false], [true, true], [false, true]),
  })
  .map(({ src, dst, frag, ...rest }) => ({ ...rest, src: src[0] >>> 0, smsk: src[1], dst: dst[0] >>> 0, dmsk: dst[1], fragment: frag[0], invFrag: frag[1] }));

/**
 * Targets for a rule of chain `from` (-1: a built-in chain) with `users` user chains after
 * it; mostly ones that go on, so packets walk far.
 */
function target(from: number, users: number): fc.Arbitrary<RuleTarget> {
  const choices: Array<{ weight: number; arbitrary: fc.Arbitrary<RuleTarget> }> = [
    { weight: 4, arbitrary: fc.constant(T.none) },
    { weight: 3, arbitrary: fc.constantFrom(T.accept, T.drop, T.queue, T.ret) },
    {
      weight: 3,
      arbitrary: fc.record({ value: fc.constantFrom(0x1, 0x10, 0x100), mask: fc.constantFrom(0xff, 0x1, FULL) }).map((s) => T.ext(fakeMarkTarget, s)),
    },
    { weight: 1, arbitrary: fc.constant(T.ext(fakeGrow, {})) },
    { weight: 1, arbitrary: fc.constantFrom(Verdict.ACCEPT, Verdict.DROP, Verdict.QUEUE).map((verdict) => T.ext(fakeVerdict, { verdict })) },
    { weight: 1, arbitrary: fc.constantFrom('a: ', 'b: ').map((prefix) => T.ext(fakeLog, { prefix })) },
    { weight: 1, arbitrary: fc.constant(T.ext(fakeUnmodelledTarget, {})) },
  ];
  if (from + 1 < users) choices.push({ weight: 5, arbitrary: fc.integer({ min: from + 1, max: users - 1 }).map((to) => T.jump(`U${to}`)) });
  return fc.oneof(...choices);
}

function anyRule(from: number, users: number): fc.Arbitrary<Rule> {
  return fc
    .tuple(ipEntry, fc.array(match, { maxLength: 2 }), target(from, users), fc.boolean())
    .map(([entry, matches, t, goto]) => rule({ ...entry, goto: t.kind === 'jump' && goto }, matches, t));
}

/** kube-proxy's service rules: -d VIP/32 -p P [-m comment] -m P --dport N, then anything. */
function portBlock(from: number, users: number): fc.Arbitrary<Rule[]> {
  const one = fc
    .tuple(fc.constantFrom(...HOSTS), fc.constantFrom(6, 17), fc.constantFrom(...PORTS), fc.boolean(), fc.array(match, { maxLength: 1 }), target(from, users), rarely)
    .map(([dst, proto, port, comment, extra, t, extraFirst]) => {
      const portMatch = proto === 6 ? m(fakeTcp, { sport: { min: 0, max: 0xffff, invert: false }, dport: { min: port, max: port, invert: false }, option: 0, invOption: false, flagMask: 0, flagCmp: 0, invFlags: false, given: { sport: false, dport: true, flags: false, option: false } }) : m(fakeUdp, { sport: { min: 0, max: 0xffff, invert: false }, dport: { min: port, max: port, invert: false } });
      // Sometimes another match first: such a rule must break the run.
      const matches = extraFirst ? [...extra, portMatch] : [...(comment ? [m(fakeComment, { text: 'svc' })] : []), portMatch, ...extra];
      return rule({ dst, dmsk: FULL, proto }, matches, t);
    });
  return fc.array(one, { minLength: 6, maxLength: 24 });
}

/** -s X/32, -d X/32 or -i NAME blocks; half the rules test nothing else (a lookup decides them alone). */
function fieldBlock(from: number, users: number): fc.Arbitrary<Rule[]> {
  const one = fc
    .tuple(anyRule(from, users), fc.constantFrom('src', 'dst', 'in'), fc.constantFrom(...HOSTS), fc.constantFrom('eth0', 'eth1', 'wlan0'), fc.boolean(), fc.boolean())
    .map(([r, kind, host, iface, pure, comment]) => {
      if (pure) {
        r.ip = rule({}, [], T.none).ip;
        r.matches = comment ? [m(fakeComment, { text: 'pure' })] : [];
      }
      if (kind === 'src') Object.assign(r.ip, { src: host, smsk: FULL, invSrc: false });
      else if (kind === 'dst') Object.assign(r.ip, { dst: host, dmsk: FULL, invDst: false });
      else Object.assign(r.ip, { iniface: iface, invIn: false });
      return r;
    });
  return fc.array(one, { minLength: 6, maxLength: 20 });
}

function chainRules(from: number, users: number, maxPieces: number): fc.Arbitrary<Rule[]> {
  const piece = fc.oneof(
    { weight: 4, arbitrary: anyRule(from, users).map((r) => [r]) },
    { weight: 1, arbitrary: portBlock(from, users) },
    { weight: 1, arbitrary: fieldBlock(from, users) },
  );
  return fc.array(piece, { maxLength: maxPieces }).map((pieces) => pieces.flat());
}

function rulesetArb(maxPieces: number): fc.Arbitrary<Ruleset> {
  return fc.integer({ min: 0, max: 4 }).chain((users) =>
    fc
      .tuple(
        chainRules(-1, users, maxPieces),
        chainRules(-1, users, maxPieces),
        chainRules(-1, users, maxPieces),
        fc.tuple(...Array.from({ length: users }, (_, i) => chainRules(i, users, maxPieces))),
        fc.constantFrom('ACCEPT', 'DROP'),
      )
      .map(([input, forward, output, user, policy]) => {
        const chains: Record<string, Rule[]> = { INPUT: input, FORWARD: forward, OUTPUT: output };
        user.forEach((rules, i) => (chains[`U${i}`] = rules));
        return buildRuleset('filter', chains, { INPUT: policy, FORWARD: policy === 'ACCEPT' ? 'DROP' : 'ACCEPT' });
      }),
  );
}

const packet: fc.Arbitrary<PacketFields> = fc.record({
  src: fc.constantFrom(...HOSTS, ...EDGES),
  dst: fc.constantFrom(...HOSTS, ...EDGES),
  proto: fc.constantFrom(6, 6, 17, 17, 1, 47),
  sport: fc.constantFrom(...PORTS, 40000),
  dport: fc.constantFrom(...PORTS, 40000),
  fragOffset: fc.constantFrom(0, 0, 0, 0, 8, 1480),
  l4State: fc.constantFrom(L4State.OK, L4State.OK, L4State.OK, L4State.PARTIAL),
  tcpFlags: fc.constantFrom(0x02, 0x12, 0x10, 0x11, 0xc2),
  inIface: fc.constantFrom(...PKT_IFACES),
  outIface: fc.constantFrom(...PKT_IFACES),
  hook: fc.constantFrom('INPUT', 'FORWARD', 'OUTPUT'),
  length: fc.integer({ min: 20, max: 1500 }),
  mark: fc.constantFrom(0, 0x10, 0x11, 0xff),
});

interface Outcome {
  error?: string;
  steps: Array<[Verdict, number, number, number]>;
  counters: Record<string, [number, number]>;
  notes: Record<string, number>;
  logs: string[];
  /** Rules tested per chain over all packets (Prepared.chainEvaluated). */
  chains?: number[];
}

function replay(make: () => { runner: TableRunner; rt: TestRuntime; prepared: Prepared }, rs: Ruleset, packets: readonly PacketFields[]): Outcome {
  let made;
  try {
    made = make();
  } catch (e) {
    if (e instanceof UnmodelledError) return { error: e.message, steps: [], counters: {}, notes: {}, logs: [] };
    throw e;
  }
  const { runner, rt, prepared } = made;
  const tp = new TestPacket();
  const steps = packets.map((f): [Verdict, number, number, number] => {
    const pkt = tp.set(f);
    const verdict = runner.traverse('filter', pkt);
    return [verdict, runner.lastEvaluated, pkt.mark, pkt.length];
  });
  return { steps, counters: readCounters(runner, rs), notes: Object.fromEntries(rt.notes), logs: rt.logs, chains: Array.from(prepared.chainEvaluated!) };
}

function agree(rs: Ruleset, packets: readonly PacketFields[], unmodelled: UnmodelledPolicy): void {
  // Each runner counts rules tested per chain too (chainCost), into a Prepared it is given.
  const runners: Array<[string, (rt: TestRuntime, prepared: Prepared) => TableRunner]> = [
    ['interpreter', (rt, prepared) => interpretRuleset(rs, rt, { unmodelled, prepared })],
    ['compiled', (rt, prepared) => compileRuleset(rs, rt, { unmodelled, prepared })],
    ['compiled without index', (rt, prepared) => compileRuleset(rs, rt, { unmodelled, prepared, index: false })],
    ['compiled, templates everywhere', (rt, prepared) => compileRuleset(rs, rt, { unmodelled, prepared, templates: 'always' })],
    ['compiled, no templates', (rt, prepared) => compileRuleset(rs, rt, { unmodelled, prepared, templates: 'never' })],
    // Address runs from a few rules, in chunks over a word boundary (33 rules: two words).
    ['compiled, address runs everywhere', (rt, prepared) => compileRuleset(rs, rt, { unmodelled, prepared, addrRuns: { min: 2, share: 0, chunk: 33 } })],
    ['compiled, address runs, no templates', (rt, prepared) => compileRuleset(rs, rt, { unmodelled, prepared, templates: 'never', addrRuns: { min: 2, share: 0, chunk: 5 } })],
  ];
  const [reference, ...others] = runners.map(([name, make]) => {
    const outcome = replay(
      () => {
        const rt = new TestRuntime();
        const prepared = prepare(rs, rt, undefined, { unmodelled, chainCost: true });
        return { runner: make(rt, prepared), rt, prepared };
      },
      rs,
      packets,
    );
    return { name, outcome };
  });
  for (const o of others) expect(o.outcome, o.name).toEqual(reference!.outcome);
  // The per-chain totals share out exactly the rules tested per traversal.
  const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
  expect(sum(reference!.outcome.chains ?? [])).toBe(sum(reference!.outcome.steps.map((st) => st[1])));
}

describe('compiled ≡ interpreter', () => {
  it('on random rulesets and packets', () => {
    fc.assert(
      fc.property(rulesetArb(5), fc.array(packet, { minLength: 10, maxLength: 40 }), fc.constantFrom<UnmodelledPolicy>('refuse', 'assume-match', 'assume-nomatch'), (rs, packets, unmodelled) =>
        agree(rs, packets, unmodelled),
      ),
      { numRuns: 400 },
    );
  });

  it('on long chains (cut into several functions, several indexed runs)', () => {
    fc.assert(
      fc.property(rulesetArb(40), fc.array(packet, { minLength: 10, maxLength: 60 }), (rs, packets) => agree(rs, packets, 'assume-match')),
      { numRuns: 40 },
    );
  });
});
