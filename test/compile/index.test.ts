/**
 * The hash indexes on kube-proxy-shaped rulesets, with the real tcp, udp, comment, MARK and
 * REJECT modules: every way of compiling (indexes on and off, templates everywhere, nowhere
 * or where shared) gives the interpreter's verdicts, rules evaluated, marks, counters and
 * notes, for service traffic and for the packets the indexes must not decide alone (later
 * fragments, the "evil" fragment at offset 8, headers cut by the snaplen, other protocols).
 */
import { describe, expect, it } from 'vitest';
import { kubeFilterRuleset, kubePackets } from '../../bench/replay-rules.mjs';
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

/** Service traffic, and every fourth packet bent into something the index must not decide. */
function packets(services: number, count: number): PacketFields[] {
  return (kubePackets(services, count, 7) as KubePacket[]).map((p, i): PacketFields => {
    const f: PacketFields = { ...p, sport: 40000 + (i % 7) };
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
  });
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

describe('kube-proxy KUBE-SERVICES index', () => {
  it.each([40, 600])('%i services: identical outcomes with and without the index', (services) => {
    const rs = loadRulesetText(kubeFilterRuleset(services), { source: 'kube.v4' }).ruleset;
    const pkts = packets(services, 3000);
    const reference = (() => {
      const rt = new TestRuntime();
      return replay(interpretRuleset(rs, rt), rs, rt, pkts);
    })();
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
