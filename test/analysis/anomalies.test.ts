/**
 * Shadowed and redundant rules: hand-written chains with known answers, and random chains
 * where every rule reported unreachable is never matched by a random packet stream under the
 * reference interpreter, and removing any rule reported redundant changes no packet's
 * verdict, mark or log line.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chainAnomalies, type Anomaly } from '../../src/analysis/anomalies.js';
import { analyseRuleset } from '../../src/analysis/dependencies.js';
import { interpretRuleset } from '../../src/compile/index.js';
import type { Ruleset } from '../../src/rules/index.js';
import { AnalysisRuntime, buildPacket, filterRuleset, packetSpec, ruleMatch, type PacketSpec } from './helpers.js';

function anomalies(lines: string[], chains: string[] = []): Array<Pick<Anomaly, 'kind' | 'rule' | 'by' | 'unreachable'>> {
  const rs = filterRuleset(lines.map((l) => `-A FORWARD ${l}`), chains);
  return analyseRuleset(rs.tables)
    .chains.filter((c) => c.chain.name === 'FORWARD')
    .flatMap(chainAnomalies)
    .map(({ kind, rule, by, unreachable }) => ({ kind, rule, by, unreachable }));
}

describe('shadowed and redundant rules, by hand', () => {
  it('a rule inside an earlier one with another verdict is shadowed', () => {
    expect(anomalies(['-s 10.0.0.0/8 -j DROP', '-s 10.1.2.0/24 -p tcp -m tcp --dport 22 -j ACCEPT'])).toEqual([{ kind: 'shadowed', rule: 2, by: [1], unreachable: true }]);
  });

  it('a rule inside an earlier one with the same verdict is redundant', () => {
    expect(anomalies(['-s 10.0.0.0/8 -j ACCEPT', '-s 192.0.2.0/24 -j DROP', '-s 10.1.0.0/16 -j ACCEPT'])).toEqual([{ kind: 'redundant', rule: 3, by: [1], unreachable: true }]);
  });

  it('covering by several earlier rules together', () => {
    expect(anomalies(['-s 10.0.0.0/9 -j DROP', '-s 10.128.0.0/9 -j DROP', '-s 10.0.0.0/8 -d 10.1.0.0/16 -j ACCEPT'])).toEqual([{ kind: 'shadowed', rule: 3, by: [1, 2], unreachable: true }]);
    expect(anomalies(['-p tcp -s 10.0.0.0/9 -j ACCEPT', '-s 10.128.0.0/9 -j ACCEPT', '-s 10.0.0.0/8 -p tcp -j ACCEPT'])).toEqual([{ kind: 'redundant', rule: 3, by: [1, 2], unreachable: true }]);
  });

  it('a rule covered by a later one with the same verdict and nothing different between is redundant', () => {
    expect(anomalies(['-s 10.1.2.0/24 -j ACCEPT', '-s 192.0.2.0/24 -j DROP', '-s 10.0.0.0/8 -j ACCEPT'])).toEqual([{ kind: 'redundant', rule: 1, by: [3], unreachable: false }]);
    expect(anomalies(['-s 10.1.2.0/24 -j ACCEPT', '-p udp -j DROP', '-s 10.0.0.0/8 -j ACCEPT'])).toEqual([]);
  });

  it('a rule that changes the packet between them breaks the cover', () => {
    expect(anomalies(['-m mark --mark 0x1 -j ACCEPT', '-j MARK --set-mark 0x1', '-m mark --mark 0x1 -j DROP'])).toEqual([]);
  });

  it('a rule that only logs or counts never covers, and is shadowed when covered', () => {
    expect(anomalies(['-p tcp -j LOG', '-p tcp -m tcp --dport 22 -j DROP'])).toEqual([]);
    expect(anomalies(['-p tcp -j ACCEPT', '-p tcp -m tcp --dport 22 -j LOG'])).toEqual([{ kind: 'shadowed', rule: 2, by: [1], unreachable: true }]);
  });

  it('a rule whose hotdrops the earlier rules do not take is not removable', () => {
    // Rule 1 takes every TCP packet on port 22 with a whole header; rule 2 would also drop
    // the short ones on any port, which rule 1 lets through.
    expect(anomalies(['-p tcp -m tcp --dport 22 -j DROP', '-p tcp -m tcp --dport 22 -j DROP'])).toEqual([{ kind: 'redundant', rule: 2, by: [1], unreachable: true }]);
    expect(anomalies(['-p tcp -m multiport --dports 22 -j DROP', '-p tcp -m tcp --dport 22 -j DROP'])).toEqual([]);
  });

  it('rules with state or unknown matches cover nothing', () => {
    expect(anomalies(['-m limit --limit 1/s -j DROP', '-p tcp -j ACCEPT'])).toEqual([]);
    expect(anomalies(['-m pkttype --pkt-type host -j DROP', '-p tcp -j ACCEPT'])).toEqual([]);
  });
});

// ---- random chains -----------------------------------------------------------------------------

const TARGETS = ['-j ACCEPT', '-j DROP', '-j ACCEPT', '-j DROP', '-j RETURN', '-j REJECT', '', '-j NFLOG --nflog-prefix x', '-j MARK --set-mark 0x1', '-g G', '-j G'];
const broad = fc.constantFrom('-s 10.0.0.0/8', '-p tcp', '-p udp', '-s 10.1.0.0/16 -p tcp', '', '-p tcp -m tcp --dport 1:1000', '-p tcp -m tcp --dport 22', '-p tcp -m multiport --dports 22,80', '-m mark --mark 0x1/0x1');

const chain = fc.array(fc.tuple(fc.oneof(ruleMatch, broad), fc.constantFrom(...TARGETS)), { minLength: 2, maxLength: 12 }).map((rs) => rs.map(([m, t]) => `-A FORWARD ${m} ${t}`.trimEnd()));
const G_CHAIN = ['-A G -s 192.0.2.0/24 -j DROP', '-A G -p udp -j ACCEPT'];

function outcomes(rs: Ruleset, specs: readonly PacketSpec[]): { lines: string[]; counts: bigint[] } {
  const rt = new AnalysisRuntime(3);
  const runner = interpretRuleset(rs, rt, { unmodelled: 'assume-match' });
  const lines = specs.map((s, i) => {
    rt.logs.length = 0;
    const p = buildPacket(s, i + 1);
    const v = runner.traverse('filter', p);
    return `${v} ${p.mark} ${rt.logs.join(' | ')}`;
  });
  runner.writeCounters();
  return { lines, counts: rs.tables[0]!.chains.get('FORWARD')!.rules.map((r) => r.counters.packets) };
}

describe('anomalies hold on random traffic', () => {
  it('unreachable rules are never matched; the redundant rules can be removed together', () => {
    let found = 0;
    fc.assert(
      fc.property(chain, fc.array(packetSpec, { minLength: 120, maxLength: 120 }), (lines, specs) => {
        const rs = filterRuleset([...lines, ...G_CHAIN], ['G']);
        const an = analyseRuleset(rs.tables).chains.filter((c) => c.chain.name === 'FORWARD').flatMap(chainAnomalies);
        found += an.length;
        const base = outcomes(rs, specs);
        for (const a of an) {
          if (a.unreachable) expect(base.counts[a.rule - 1], `rule ${a.rule} of\n${lines.join('\n')}`).toBe(0n);
        }
        // Every rule reported redundant, removed at once.
        const redundant = new Set(an.filter((a) => a.kind === 'redundant').map((a) => a.rule - 1));
        const without = lines.filter((_, k) => !redundant.has(k));
        expect(outcomes(filterRuleset([...without, ...G_CHAIN], ['G']), specs).lines, `without rules ${[...redundant].map((k) => k + 1)} of\n${lines.join('\n')}`).toEqual(base.lines);
      }),
      { numRuns: 800 },
    );
    expect(found).toBeGreaterThan(100);
  });
});
