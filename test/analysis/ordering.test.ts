/**
 * The ordering proposal: hand-written chains where the answer is known (a DROP above an
 * overlapping ACCEPT stays above it, disjoint rules sort by hits, LOG, limit, statistic,
 * MARK and NAT keep rules from crossing), and random rulesets whose proposal, for random
 * counters, gives every packet of a random stream the same verdict, mark and log lines as
 * the original under the reference interpreter.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyseRuleset } from '../../src/analysis/dependencies.js';
import { proposeOrdering, reorderedRuleset, type ChainProposal } from '../../src/analysis/ordering.js';
import { interpretRuleset } from '../../src/compile/index.js';
import { loadRulesetText, saveRuleset, type Ruleset } from '../../src/rules/index.js';
import { CtInfo } from '../../src/conntrack/entry.js';
import { AnalysisRuntime, buildPacket, filterRuleset, ip, packetSpec, ruleMatch, type PacketSpec } from './helpers.js';

/** Sets each rule's packet counter of `chain` to `hits[i]`. */
function withHits(rs: Ruleset, chain: string, hits: number[], table = 'filter'): Ruleset {
  rs.tables.find((t) => t.name === table)!.chains.get(chain)!.rules.forEach((r, i) => (r.counters.packets = BigInt(hits[i] ?? 0)));
  return rs;
}

function proposal(rs: Ruleset, chain: string, table = 'filter'): ChainProposal {
  return proposeOrdering(rs, analyseRuleset(rs.tables)).find((p) => p.table === table && p.chain === chain)!;
}

/** The proposed order as 1-based old rule numbers. */
const order = (p: ChainProposal): number[] => Array.from(p.order, (k) => k + 1);

describe('ordering of hand-written chains', () => {
  it('keeps a DROP above an overlapping ACCEPT, and moves the ACCEPT above disjoint rules', () => {
    const rs = withHits(filterRuleset(['-A FORWARD -s 10.1.2.0/24 -j DROP', '-A FORWARD -s 192.0.2.0/24 -j ACCEPT', '-A FORWARD -s 10.0.0.0/8 -j ACCEPT']), 'FORWARD', [0, 0, 1000]);
    const p = proposal(rs, 'FORWARD');
    expect(order(p)).toEqual([1, 3, 2]);
    expect(p.delta).toBe(-1000);
    expect(p.moves).toBe(1);
  });

  it('never moves a hot ACCEPT above a DROP that overlaps it, however many hits', () => {
    const rs = withHits(filterRuleset(['-A FORWARD -p udp -j DROP', '-A FORWARD -d 192.0.2.1/32 -j ACCEPT']), 'FORWARD', [0, 1e6]);
    expect(order(proposal(rs, 'FORWARD'))).toEqual([1, 2]);
  });

  it('sorts rules on disjoint ports by their hits', () => {
    const rs = withHits(
      filterRuleset([
        '-A FORWARD -p tcp -m tcp --dport 22 -j ACCEPT',
        '-A FORWARD -p tcp -m tcp --dport 80 -j ACCEPT',
        '-A FORWARD -p udp -m udp --dport 53 -j ACCEPT',
        '-A FORWARD -p tcp -m tcp --dport 443 -j DROP',
      ]),
      'FORWARD',
      [10, 100, 1000, 50],
    );
    const p = proposal(rs, 'FORWARD');
    expect(order(p)).toEqual([3, 2, 4, 1]);
    // 1000 packets two rules earlier, 100 where they were, 50 one earlier, 10 three later.
    expect(p.delta).toBe(-1000 * 2 - 50 * 1 + 10 * 3);
  });

  it('keeps a rule ending in a plain -p tcp below the port rules whose hotdrops it would take', () => {
    // The tcp match drops a TCP packet shorter than its header; -p tcp alone accepts it.
    const rs = withHits(filterRuleset(['-A FORWARD -p tcp -m tcp --dport 22 -j DROP', '-A FORWARD -p tcp -j ACCEPT']), 'FORWARD', [0, 1000]);
    expect(order(proposal(rs, 'FORWARD'))).toEqual([1, 2]);
  });

  it('lets nothing overlapping a LOG rule cross it; disjoint rules may', () => {
    const rs = withHits(
      filterRuleset([
        '-A FORWARD -p tcp -m tcp --dport 22 -j ACCEPT',
        '-A FORWARD -p tcp -m tcp --dport 22 -j LOG --log-prefix "ssh "',
        '-A FORWARD -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j DROP',
        '-A FORWARD -p udp -j ACCEPT',
      ]),
      'FORWARD',
      [1, 0, 1000, 5000],
    );
    expect(order(proposal(rs, 'FORWARD'))).toEqual([4, 1, 2, 3]);
  });

  for (const [name, barrier] of [
    ['limit', '-A FORWARD -p tcp -m limit --limit 1/sec -j ACCEPT'],
    ['statistic', '-A FORWARD -p tcp -m statistic --mode random --probability 0.5 -j ACCEPT'],
    ['recent', '-A FORWARD -p tcp -m recent --set'],
    ['MARK', '-A FORWARD -p tcp -j MARK --set-mark 1'],
  ] as const) {
    it(`pins order at a ${name} rule: nothing crosses it, even disjoint`, () => {
      const rs = withHits(filterRuleset(['-A FORWARD -p udp -j ACCEPT', barrier, '-A FORWARD -p icmp -j ACCEPT', '-A FORWARD -p 47 -j ACCEPT']), 'FORWARD', [1, 0, 10, 1000]);
      const p = proposal(rs, 'FORWARD');
      expect(order(p)).toEqual([1, 2, 4, 3]);
      expect(p.pinned).toBe(1);
    });
  }

  it('pins order at NAT rules', () => {
    const rs = loadRulesetText(
      ['*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', '-A PREROUTING -p udp -j RETURN', '-A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1', '-A PREROUTING -p icmp -j RETURN', 'COMMIT', ''].join('\n'),
    ).ruleset;
    withHits(rs, 'PREROUTING', [1, 5, 1000], 'nat');
    expect(order(proposal(rs, 'PREROUTING', 'nat'))).toEqual([1, 2, 3]);
  });

  it('treats jumps into a chain of verdicts as one end, and jumps into a chain that marks as barriers', () => {
    const pure = withHits(filterRuleset(['-A FORWARD -p udp -m udp --dport 1:100 -j V', '-A FORWARD -p tcp -j ACCEPT', '-A FORWARD -p udp -m udp --dport 53 -j V', '-A V -s 10.0.0.0/8 -j DROP'], ['V']), 'FORWARD', [1, 0, 1000]);
    // Half the walks into V end there: the jumps' exits are half their packets.
    withHits(pure, 'V', [500]);
    // Same jump, same outcome: the later one may go first; the tcp rule is disjoint.
    expect(order(proposal(pure, 'FORWARD'))).toEqual([3, 1, 2]);
    const marks = withHits(filterRuleset(['-A FORWARD -p udp -j M', '-A FORWARD -p tcp -j ACCEPT', '-A FORWARD -p icmp -j ACCEPT', '-A M -j MARK --set-mark 1'], ['M']), 'FORWARD', [1, 0, 1000]);
    expect(order(proposal(marks, 'FORWARD'))).toEqual([1, 3, 2]);
    expect(proposal(marks, 'FORWARD').pinned).toBe(1);
  });

  it('keeps the original order when no schedule gains, and every table and policy in the output', () => {
    const rs = withHits(filterRuleset(['-A FORWARD -p udp -j ACCEPT', '-A FORWARD -p tcp -j ACCEPT']), 'FORWARD', [100, 1]);
    const p = proposal(rs, 'FORWARD');
    expect(order(p)).toEqual([1, 2]);
    expect(p.moves).toBe(0);
    expect(saveRuleset(reorderedRuleset(rs, [p]))).toBe(saveRuleset(filterRuleset(['-A FORWARD -p udp -j ACCEPT', '-A FORWARD -p tcp -j ACCEPT'])));
  });
});

// ---- random rulesets ---------------------------------------------------------------------------

const USERS = ['U0', 'U1', 'U2'];

/** A target for a rule of `chain` (jumps only go to later user chains: no loops). */
function target(chain: string): fc.Arbitrary<string> {
  const later = USERS.filter((u) => chain === 'FORWARD' || u > chain);
  const choices: Array<fc.Arbitrary<string>> = [
    fc.constantFrom('-j ACCEPT', '-j DROP', '-j ACCEPT', '-j DROP', '-j RETURN', '-j REJECT', '', '-j NFLOG --nflog-prefix x', '-j NFLOG --nflog-prefix y', '-j MARK --set-mark 0x1', '-j MARK --set-xmark 0x10/0x10', '-j MARK --set-xmark 0x1/0x1'),
  ];
  if (later.length > 0) choices.push(fc.tuple(fc.constantFrom('-j', '-g'), fc.constantFrom(...later)).map(([j, c]) => `${j} ${c}`));
  return fc.oneof(...choices);
}

/**
 * Rules over few values (so they overlap often): an address, a protocol or port test, a mark
 * test, sometimes a state test.
 */
const denseMatch = fc
  .tuple(
    fc.constantFrom('', '', '-s 10.0.0.0/8', '-s 10.1.2.0/24', '! -s 10.1.2.0/24'),
    fc.constantFrom('', '-p tcp', '-p udp', '-p tcp -m tcp --dport 22', '-p tcp -m tcp --dport 80', '-p udp -m udp --dport 53', '-p tcp -m multiport --dports 22,80', '-p tcp -m tcp --syn'),
    fc.constantFrom('', '', '-m mark --mark 0x1/0x1', '-m mark --mark 0x0/0x1', '-m mark ! --mark 0x10/0x10', '-m mark --mark 0x10/0x10'),
    fc.constantFrom('', '', '', '-m conntrack --ctstate NEW', '-m state --state ESTABLISHED,RELATED'),
  )
  .map((parts) => parts.filter((x) => x !== '').join(' '));

const denseSpec = fc.record({
  src: fc.constantFrom(ip('10.1.2.3'), ip('10.5.5.5'), ip('192.0.2.1')),
  proto: fc.constantFrom(6, 6, 17),
  dport: fc.constantFrom(22, 53, 80),
  l4len: fc.constantFrom(40, 40, 40, 0, 3, 7, 19),
  flags: fc.constantFrom(0x02, 0x10, 0x12),
  mark: fc.constantFrom(0, 1, 0x10, 0x11),
  ct: fc.constantFrom<PacketSpec['ct']>({ kind: 'invalid', ctinfo: CtInfo.NONE, status: 0, mark: 0 }, { kind: 'tracked', ctinfo: CtInfo.NEW, status: 0, mark: 0 }, { kind: 'tracked', ctinfo: CtInfo.ESTABLISHED, status: 0, mark: 0 }),
});

const stateful = fc.constantFrom('', '', '', '', '', '', '-m limit --limit 2/sec --limit-burst 2', '-m statistic --mode nth --every 3 --packet 0', '-m statistic --mode random --probability 0.5');

/** Whole rules whose order matters through what one does to the packet and another tests. */
const INTERPLAY = ['-m mark --mark 0x0/0x1 -j MARK --set-xmark 0x1/0x1', '-m mark --mark 0x1/0x1 -j ACCEPT', '-m mark --mark 0x1/0x1 -j DROP', '-p tcp -m tcp --dport 22 -j NFLOG --nflog-prefix a'];

function chainRules(chain: string, max: number): fc.Arbitrary<string[]> {
  const rule = fc.oneof(
    { weight: 8, arbitrary: fc.tuple(fc.oneof({ weight: 3, arbitrary: denseMatch }, { weight: 1, arbitrary: ruleMatch }), stateful, target(chain)).map((parts) => parts.filter((x) => x !== '').join(' ')) },
    { weight: 1, arbitrary: fc.constantFrom(...INTERPLAY) },
  );
  return fc.array(rule, { maxLength: max }).map((rs) => rs.map((r) => `-A ${chain} ${r}`.trimEnd()));
}

const randomRuleset = fc
  .tuple(chainRules('FORWARD', 14), chainRules('U0', 5), chainRules('U1', 5), chainRules('U2', 4))
  .map((parts) => parts.flat());

/** Verdict, final mark and the log lines of each packet of the stream, through `rs`. */
function run(rs: Ruleset, packets: ReturnType<typeof buildPacket>[]): string[] {
  const rt = new AnalysisRuntime(7);
  const runner = interpretRuleset(rs, rt, {});
  return packets.map((p) => {
    rt.logs.length = 0;
    const v = runner.traverse('filter', p);
    return `${p.number}: ${v} mark ${p.mark} ${rt.logs.join(' | ')}`;
  });
}

describe('ordering keeps every outcome', () => {
  it('on random rulesets, counters and packet streams', () => {
    let moved = 0;
    fc.assert(
      fc.property(randomRuleset, fc.array(fc.nat(1000), { minLength: 40, maxLength: 40 }), fc.array(fc.oneof(packetSpec, denseSpec.chain((d) => packetSpec.map((s) => ({ ...s, ...d })))), { minLength: 80, maxLength: 80 }), (lines, hits, specs) => {
        const rs = filterRuleset(lines, USERS);
        let k = 0;
        for (const c of rs.tables[0]!.chains.values()) for (const r of c.rules) r.counters.packets = BigInt(hits[k++ % hits.length]!);
        const proposals = proposeOrdering(rs, analyseRuleset(rs.tables));
        moved += proposals.reduce((n, p) => n + p.moves, 0);
        const proposed = reorderedRuleset(rs, proposals);
        // The same stream, packet objects built afresh for each ruleset (targets change them).
        const before = run(rs, specs.map((s, i) => buildPacket(s, i + 1)));
        const after = run(proposed, specs.map((s, i) => buildPacket(s, i + 1)));
        expect(after, saveRuleset(proposed)).toEqual(before);
      }),
      { numRuns: 500 },
    );
    // Enough proposals move rules for the equality to be tested.
    expect(moved).toBeGreaterThan(50);
  });
});
