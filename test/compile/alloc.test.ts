/**
 * Traversal allocates nothing per packet, compiled or interpreted: after a warm-up, a few
 * hundred thousand traversals of a kube-proxy-shaped ruleset and of a small server
 * firewall run without the young generation growing and without a single scavenge.
 */
import { measureAllocation } from '../support/alloc.js';
import { describe, expect, it } from 'vitest';
import { kubeFilterRuleset, kubePackets, SEED_RULES, seedPackets } from '../../bench/replay-rules.mjs';
import { compileRuleset, interpretRuleset, type TableRunner } from '../../src/compile/index.js';
import { L4State } from '../../src/decode/view.js';
import { loadRulesetText } from '../../src/rules/index.js';
import { TestPacket, TestRuntime, type PacketFields } from './helpers.js';



/** Every field given, so building the packet evaluates no default. */
function complete(f: PacketFields, i: number): Required<Omit<PacketFields, 'l4Captured'>> {
  return {
    src: f.src!,
    dst: f.dst ?? 0x0a000001,
    proto: f.proto!,
    sport: f.sport ?? 40000,
    dport: f.dport ?? 80,
    fragOffset: i % 13 === 5 ? 8 : 0,
    l4State: i % 13 === 5 ? L4State.NONE : f.proto === 6 || f.proto === 17 ? L4State.OK : L4State.NONE,
    tcpFlags: f.tcpFlags ?? 0x02,
    length: f.length!,
    inIface: f.inIface ?? 'eth0',
    outIface: f.hook === 'INPUT' ? '' : (f.outIface ?? 'eth1'),
    hook: f.hook!,
    mark: 0,
  };
}

const cases = [
  { name: 'kube-proxy, 200 services', rules: kubeFilterRuleset(200), packets: (kubePackets(200, 2048) as PacketFields[]).map(complete) },
  { name: 'seed-style', rules: SEED_RULES, packets: (seedPackets(2048) as PacketFields[]).map(complete) },
];

describe('traversal allocation', () => {
  for (const c of cases) {
    it.each([
      ['compiled', (rs: Parameters<typeof compileRuleset>[0], rt: TestRuntime): TableRunner => compileRuleset(rs, rt)],
      ['interpreter', (rs: Parameters<typeof compileRuleset>[0], rt: TestRuntime): TableRunner => interpretRuleset(rs, rt)],
    ])(`${c.name}: %s`, async (_name, make) => {
      const rs = loadRulesetText(c.rules, { source: c.name }).ruleset;
      const rt = new TestRuntime();
      const runner = make(rs, rt);
      const tp = new TestPacket();
      const n = c.packets.length;
      const run = (count: number): number => {
        let sum = 0;
        for (let i = 0; i < count; i++) sum += runner.traverse('filter', tp.set(c.packets[i % n]!)) + runner.lastEvaluated;
        return sum;
      };
      // Long enough for every function to reach its optimised code.
      const result = await measureAllocation(run, 300_000, 300_000);
      expect(result.grown).toBeLessThan(256 * 1024);
      expect(result.scavenges).toBe(0);
    });
  }
});
